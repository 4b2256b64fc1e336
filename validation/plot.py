#!/usr/bin/env python3
"""Draw the validation report's PNGs.

Usage: python3 plot.py PLOTS_JSON OUT_DIR

PLOTS_JSON is the list of plot specs written by `galvana-validate` (data/plots.json); every
series names a CSV in the same folder as PLOTS_JSON and two of its columns. A series with a
`ref_slope` gets a dashed reference line of that log-log slope through its last point.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def load(data_dir, name, cache):
    if name not in cache:
        path = os.path.join(data_dir, name + ".csv")
        with open(path) as f:
            header = f.readline().strip().split(",")
        values = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
        cache[name] = {h: values[:, i] for i, h in enumerate(header)}
    return cache[name]


def draw(spec, data_dir, out_dir, cache):
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, s in enumerate(spec["series"]):
        d = load(data_dir, s["csv"], cache)
        x, y = d[s["x"]], d[s["y"]]
        if spec["logy"]:
            keep = y > 0
            x, y = x[keep], y[keep]
        if len(x) == 0:
            continue
        c = colors[i % len(colors)]
        fmt = {"line": "-", "marker": "o", "both": "o-"}.get(s["style"], "o-")
        ax.plot(x, y, fmt, color=c, label=s["label"], ms=4, lw=1.4)
        p = s.get("ref_slope")
        if p is not None and len(x) > 1:
            xr = np.array([x.min(), x.max()])
            x0, y0 = x[-1], y[-1]
            ax.plot(xr, y0 * (xr / x0) ** p, "--", color=c, alpha=0.5, lw=1.0,
                    label=f"slope {p:g}")
    if spec["logx"]:
        ax.set_xscale("log")
    if spec["logy"]:
        ax.set_yscale("log")
    ax.set_xlabel(spec["xlabel"])
    ax.set_ylabel(spec["ylabel"])
    ax.set_title(spec["title"], fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, spec["file"]), dpi=110)
    plt.close(fig)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec_path, out_dir = sys.argv[1], sys.argv[2]
    data_dir = os.path.dirname(os.path.abspath(spec_path))
    with open(spec_path) as f:
        specs = json.load(f)
    cache = {}
    failed = 0
    for spec in specs:
        try:
            draw(spec, data_dir, out_dir, cache)
        except Exception as e:  # one bad plot must not lose the others
            failed += 1
            print(f"plot.py: {spec.get('file')}: {e}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
