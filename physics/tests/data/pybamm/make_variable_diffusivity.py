"""PyBaMM reference curves with stoichiometry-dependent particle diffusivities.

Chen2020 with both particle diffusivities replaced by linear functions of stoichiometry
(negative 1e-14 + 8e-14 sto, positive 2e-15 + 6e-15 sto [m2/s]); otherwise as the other references
here (default models, 20 points per domain, 298.15 K, from full charge, 1C to 2.5 V, output every
1 s plus the event point) except for a tight solver tolerance (IDAKLU rtol 1e-8, atol 1e-10): with
the default rtol 1e-4 PyBaMM's own SPMe voltage moves by up to 0.8 mV over the last 200 s of the
discharge, more than the differences this reference is meant to show. A linear function is what
a two-point table gives exactly, so a parameter file can state the same cell.

Run from the repository root:
    /root/.cache/galvana-bench/pybamm-venv/bin/python physics/tests/data/pybamm/make_variable_diffusivity.py
Writes <model>_Chen2020_varD_1C.csv next to this script.
"""
import os

import numpy as np
import pybamm

OUT = os.path.dirname(os.path.abspath(__file__))


def d_neg(sto, T):
    return 1e-14 + 8e-14 * sto


def d_pos(sto, T):
    return 2e-15 + 6e-15 * sto


for mname, mcls in {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe, "DFN": pybamm.lithium_ion.DFN}.items():
    model = mcls()
    pv = pybamm.ParameterValues("Chen2020")
    pv["Ambient temperature [K]"] = 298.15
    pv["Initial temperature [K]"] = 298.15
    pv["Negative particle diffusivity [m2.s-1]"] = d_neg
    pv["Positive particle diffusivity [m2.s-1]"] = d_pos
    current = pv["Nominal cell capacity [A.h]"]
    pv["Current function [A]"] = current
    pv.set_initial_state(1.0, options=model.options)
    sim = pybamm.Simulation(model, parameter_values=pv, solver=pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10))
    t_end = 3600.0 * 1.3
    sol = sim.solve([0.0, t_end], t_interp=np.arange(0.0, t_end + 1e-9, 1.0))
    t = sol["Time [s]"].entries
    v = sol["Voltage [V]"].entries
    i = sol["Current [A]"].entries
    q = sol["Discharge capacity [A.h]"].entries
    fn = f"{OUT}/{mname}_Chen2020_varD_1C.csv"
    with open(fn, "w") as f:
        f.write(
            f"# PyBaMM {pybamm.__version__} {mname} Chen2020 with particle diffusivities D_n = 1e-14 + 8e-14 sto, "
            f"D_p = 2e-15 + 6e-15 sto [m2/s]; 1C CC discharge ({current:g} A), T=298.15 K isothermal, "
            f"initial state set_initial_state(1.0), default mesh x_n=x_s=x_p=r_n=r_p=20, IDAKLUSolver rtol=1e-8 atol=1e-10, "
            f"t_interp 1 s + event point, termination: {sol.termination}\n"
        )
        f.write("time_s,voltage_V,current_A,discharge_capacity_Ah\n")
        for a, b, c, d in zip(t, v, i, q):
            f.write(f"{a:.9g},{b:.9f},{c:.9g},{d:.9g}\n")
    print(f"{fn}: t_end {t[-1]:.2f} s, Q {q[-1]:.6f} A.h, {sol.termination}", flush=True)
