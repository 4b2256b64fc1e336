"""Time PyBaMM on the cases of benches/battery-vs-pybamm.sh: Chen2020, SPM/SPMe/DFN, CC
discharge from full charge to the lower cut-off at 0.5C/1C/2C, default mesh and solver
(IDAKLU), output every second. Prints JSON: build time and the median of repeated solves."""
import json
import statistics
import sys
import time

import numpy as np
import pybamm

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
out = []
for name, cls in [("SPM", pybamm.lithium_ion.SPM), ("SPMe", pybamm.lithium_ion.SPMe), ("DFN", pybamm.lithium_ion.DFN)]:
    for c in [0.5, 1.0, 2.0]:
        model = cls()
        pv = pybamm.ParameterValues("Chen2020")
        pv["Current function [A]"] = c * pv["Nominal cell capacity [A.h]"]
        pv.set_initial_state(1.0, options=model.options)
        sim = pybamm.Simulation(model, parameter_values=pv)
        t0 = time.perf_counter()
        sim.build()
        build = time.perf_counter() - t0
        t_end = 3600.0 / c * 1.3
        t_interp = np.arange(0.0, t_end, 1.0)
        sol = sim.solve([0.0, t_end], t_interp=t_interp)  # the first solve includes set-up
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            sol = sim.solve([0.0, t_end], t_interp=t_interp)
            times.append(time.perf_counter() - t0)
        q = float(sol["Discharge capacity [A.h]"].entries[-1])
        out.append({"model": name, "crate": c, "build_s": build, "solve_s_median": statistics.median(times),
                    "solve_s_all": times, "q_end_ah": q, "pybamm": pybamm.__version__})
print(json.dumps(out, indent=1))
