"""Times impedance.py's CustomCircuit.fit of the shared synthetic EIS spectrum from the same
initial guess as Galvana's eis-bench (unweighted and weight_by_modulus=True); prints JSON.

Usage: python eis_time.py REPS CSV
"""
import json
import statistics
import sys
import time
import warnings

import numpy as np
import impedance
from impedance.models.circuits import CustomCircuit

warnings.simplefilter("ignore")
reps, path = int(sys.argv[1]), sys.argv[2]
d = np.loadtxt(path, delimiter=",", skiprows=1)
f, Z = d[:, 0], d[:, 1] + 1j * d[:, 2]
circ, p0 = "R0-p(R1,CPE1)-W1", [0.01, 0.1, 1.0, 0.8, 0.02]
out = []
for name, wbm in [("unweighted", False), ("modulus", True)]:
    CustomCircuit(circ, initial_guess=p0).fit(f, Z, weight_by_modulus=wbm)  # warm-up
    ts = []
    for _ in range(reps):
        c = CustomCircuit(circ, initial_guess=p0)
        t0 = time.perf_counter()
        c.fit(f, Z, weight_by_modulus=wbm)
        ts.append(time.perf_counter() - t0)
    out.append({"weighting": name, "reps": reps, "s_median": statistics.median(ts), "s_min": min(ts),
                "p_fit": [float(x) for x in c.parameters_], "conf_1sigma": [float(x) for x in c.conf_],
                "impedance": getattr(impedance, "__version__", "1.7.1"), "numpy": np.__version__,
                "scipy": __import__("scipy").__version__})
print(json.dumps(out, indent=1))
