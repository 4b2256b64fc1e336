"""PyBaMM's DFN (Chen2020, from full charge) at rates beyond the validation report's 0.5-2C:
the time, voltage and capacity at which it reaches 2.5 V, written to
physics/tests/data/pybamm/DFN_Chen2020_high_rate_cutoffs.csv (and printed) for
physics/tests/battery_high_rate.rs and docs/battery.md, "High rates with the DFN".

    ~/.cache/galvana-bench/pybamm-venv/bin/python physics/tests/data/pybamm/make_high_rate.py [C ...]

(the venv is the one benches/battery-vs-pybamm.sh installs; rates given on the command line are
printed only, the file is written for the default set).
"""
import os
import sys

import pybamm

rates = [float(c) for c in sys.argv[1:]] or [2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0]
rows = []
for c in rates:
    sim = pybamm.Simulation(
        pybamm.lithium_ion.DFN(),
        parameter_values=pybamm.ParameterValues("Chen2020"),
        experiment=pybamm.Experiment([f"Discharge at {c}C until 2.5 V"], period="1 second"),
    )
    sol = sim.solve(initial_soc=1.0)
    t = sol["Time [s]"].entries[-1]
    v = sol["Terminal voltage [V]"].entries[-1]
    q = sol["Discharge capacity [A.h]"].entries[-1]
    print(f"DFN {c}C: end at {t:.1f} s, {v:.4f} V, {q:.5f} A.h")
    rows.append(f"{c:g},{t:.4f},{v:.6f},{q:.7f}")
if not sys.argv[1:]:
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "DFN_Chen2020_high_rate_cutoffs.csv")
    with open(out, "w") as f:
        f.write(
            f"# PyBaMM {pybamm.__version__} DFN Chen2020 CC discharges from set_initial_state(1.0) to 2.5 V, "
            "default mesh (20 points per domain), IDAKLU default tolerances, 1 s output; "
            "made by make_high_rate.py\n"
        )
        f.write("c_rate,time_s,voltage_V,discharge_capacity_Ah\n")
        f.write("\n".join(rows) + "\n")
