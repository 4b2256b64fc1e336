"""PyBaMM's DFN (Chen2020, from full charge) at rates beyond the validation report's 0.5-2C:
the time and capacity at which it reaches 2.5 V, for comparison with `galvana run` of the same
experiment (docs/battery.md, "High rates with the DFN").

    ~/.cache/galvana-bench/pybamm-venv/bin/python benches/pybamm_high_rate.py [C ...]

(the venv is the one benches/battery-vs-pybamm.sh installs).
"""
import sys

import pybamm

rates = [float(c) for c in sys.argv[1:]] or [2.5, 3.0, 3.5, 4.0]
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
