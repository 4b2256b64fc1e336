"""Times magpylib on the cases of benches/src/bin/biot-savart-bench.rs (the reference-data
set's magpy_bench.py cases): (a) 1000 Circle loops in a Collection, getB(sumup=True); (b) one
10,000-segment Polyline helix, observers in chunks of 1000. Grid: 100 x 100 points in the x-z
plane. Prints JSON (median of REPS runs after a warm-up)."""
import json
import statistics
import sys
import time

import magpylib as magpy
import numpy as np

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
R, L, NL, I = 0.05, 0.2, 1000, 1.0
zl = -L / 2 + (np.arange(NL) + 0.5) * L / NL
X, Z = np.meshgrid(np.linspace(-0.1, 0.1, 100), np.linspace(-0.2, 0.2, 100), indexing="ij")
grid = np.stack([X.ravel(), np.zeros(X.size), Z.ravel()], axis=1)
coll = magpy.Collection([magpy.current.Circle(current=I, diameter=2 * R, position=(0, 0, z)) for z in zl])
th = np.linspace(0, 2 * np.pi * 100, 10001)
poly = magpy.current.Polyline(current=I, vertices=np.stack([R * np.cos(th), R * np.sin(th), -L / 2 + L * th / th[-1]], axis=1))


def loops():
    return np.asarray(magpy.getB(coll, grid, sumup=True)).reshape(-1, 3)


def polyline():
    out = np.empty_like(grid)
    for s in range(0, len(grid), 1000):
        out[s:s + 1000] = np.asarray(magpy.getB(poly, grid[s:s + 1000])).reshape(-1, 3)
    return out


res = []
for case, fn, pairs in [("loops", loops, NL * len(grid)), ("polyline", polyline, 10000 * len(grid))]:
    b = fn()
    ts = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        b = fn()
        ts.append(time.perf_counter() - t0)
    med = statistics.median(ts)
    res.append({"case": case, "pairs": pairs, "s_all": ts, "s_median": med, "pairs_per_s": pairs / med,
                "B_grid0": b[0].tolist(), "magpylib": magpy.__version__, "numpy": np.__version__})
print(json.dumps(res))
