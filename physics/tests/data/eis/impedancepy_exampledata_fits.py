"""impedance.py 1.7.1 fits of exampleData.csv (all 66 points, no preprocessing), default options:
values and 1-sigma, for physics/tests/eis_fit.rs. Usage: python impedancepy_exampledata_fits.py exampleData.csv"""
import json, sys, warnings
import numpy as np
from impedance.models.circuits import CustomCircuit
warnings.simplefilter("ignore")
d = np.loadtxt(sys.argv[1], delimiter=",")
f, Z = d[:, 0], d[:, 1] + 1j * d[:, 2]
out = {}
for circ, p0 in [("R0-p(R1,C1)-p(R2-Wo1,C2)", [.01, .01, 100, .01, .05, 100, 1]),
                 ("L0-R0-p(R1,CPE1)-p(R2-Wo1,CPE2)", [1e-7, .01, .01, 10, .9, .01, .05, 100, 10, .9])]:
    c = CustomCircuit(circ, initial_guess=p0)
    c.fit(f, Z)
    out[circ] = {"p0": p0, "p_fit": [float(x) for x in c.parameters_], "conf_1sigma": [float(x) for x in c.conf_]}
print(json.dumps(out, indent=1))
