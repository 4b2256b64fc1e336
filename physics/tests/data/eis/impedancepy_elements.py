"""Element impedances from impedance.py 1.7.1 (circuit_elements), written as reference values
for galvana's element tests: one row per (element, frequency)."""
import warnings

import numpy as np
import impedance
from impedance.models.circuits import CustomCircuit

warnings.simplefilter("ignore")
f = np.logspace(-3, 5, 17)
cases = [
    ("R1", [0.37]),
    ("C1", [2.5e-3]),
    ("L1", [1.2e-6]),
    ("CPE1", [2.0, 0.85]),
    ("W1", [0.01]),
    ("Wo1", [0.03, 4.0]),
    ("Ws1", [0.03, 4.0]),
    ("R0-p(R1,CPE1)-W1", [0.02, 0.05, 2.0, 0.85, 0.01]),
    ("R0-p(R1-Wo1,C1)-L1", [0.1, 0.2, 0.05, 30.0, 1e-3, 2e-7]),
    ("p(R1,C1)-p(R2-Ws1,CPE1)", [0.3, 1e-4, 0.4, 0.02, 0.5, 0.02, 0.7]),
]
print("# impedance.py", impedance.__version__ if hasattr(impedance, "__version__") else "1.7.1")
print("circuit;params;freq_Hz;Zre_Ohm;Zim_Ohm")
for circ, p in cases:
    z = CustomCircuit(circ, initial_guess=p).predict(f, use_initial=True)
    for fi, zi in zip(f, z):
        print(f"{circ};{' '.join(repr(x) for x in p)};{float(fi)!r};{float(zi.real)!r};{float(zi.imag)!r}")
