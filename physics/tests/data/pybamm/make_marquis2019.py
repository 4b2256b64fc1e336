"""PyBaMM reference curves for the Marquis2019 parameter set (SPM, SPMe, DFN; CC discharges).

Same settings as the Chen2020 references in this directory (shared/refdata/pybamm/scripts/
pybamm_runs.py): PyBaMM's default models and options, default mesh (20 points per domain),
default IDAKLU solver (rtol 1e-4, atol 1e-6), T = 298.15 K, from full charge
(`set_initial_state(1.0)`), output every 1 s plus the lower cut-off event point.

Run from the repository root:
    /root/.cache/galvana-bench/pybamm-venv/bin/python physics/tests/data/pybamm/make_marquis2019.py
Writes <model>_Marquis2019_<C>C.csv next to this script.
"""
import os

import numpy as np
import pybamm

OUT = os.path.dirname(os.path.abspath(__file__))
MODELS = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe, "DFN": pybamm.lithium_ion.DFN}
CRATES = [0.5, 1.0, 2.0]

for mname, mcls in MODELS.items():
    for crate in CRATES:
        model = mcls()
        pv = pybamm.ParameterValues("Marquis2019")
        pv["Ambient temperature [K]"] = 298.15
        pv["Initial temperature [K]"] = 298.15
        cap = pv["Nominal cell capacity [A.h]"]
        current = crate * cap
        pv["Current function [A]"] = current
        pv.set_initial_state(1.0, options=model.options)
        x0 = pv["Initial concentration in negative electrode [mol.m-3]"] / pv[
            "Maximum concentration in negative electrode [mol.m-3]"
        ]
        y0 = pv["Initial concentration in positive electrode [mol.m-3]"] / pv[
            "Maximum concentration in positive electrode [mol.m-3]"
        ]
        sim = pybamm.Simulation(model, parameter_values=pv, solver=pybamm.IDAKLUSolver())
        t_end = 3600.0 / crate * 1.3
        sol = sim.solve([0.0, t_end], t_interp=np.arange(0.0, t_end + 1e-9, 1.0))
        pts = {k: int(v) for k, v in sim.var_pts.items() if k in ("x_n", "x_s", "x_p", "r_n", "r_p")}
        assert set(pts.values()) == {20}, pts
        t = sol["Time [s]"].entries
        v = sol["Voltage [V]"].entries
        i = sol["Current [A]"].entries
        q = sol["Discharge capacity [A.h]"].entries
        fn = f"{OUT}/{mname}_Marquis2019_{crate:g}C.csv"
        with open(fn, "w") as f:
            f.write(
                f"# PyBaMM {pybamm.__version__} {mname} Marquis2019 {crate:g}C CC discharge ({current:g} A), "
                f"T=298.15 K isothermal, initial state set_initial_state(1.0) (x_n0={x0:.8f}, y_p0={y0:.8f}), "
                f"default mesh x_n=x_s=x_p=r_n=r_p=20, IDAKLUSolver rtol=1e-4 atol=1e-6, t_interp 1 s + event point, "
                f"termination: {sol.termination}\n"
            )
            f.write("time_s,voltage_V,current_A,discharge_capacity_Ah\n")
            for a, b, c, d in zip(t, v, i, q):
                f.write(f"{a:.9g},{b:.9f},{c:.9g},{d:.9g}\n")
        print(f"{fn}: t_end {t[-1]:.2f} s, Q {q[-1]:.6f} A.h, V0 {v[0]:.6f} V, {sol.termination}", flush=True)
