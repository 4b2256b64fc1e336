#!/usr/bin/env bash
# magpylib and Galvana on the same Biot–Savart cases in one run (issue: magnetics, item
# "Speed"): 1000 circular loops and a 10,000-segment polyline helix (R = 0.05 m, L = 0.2 m) on
# a 100 x 100 x-z grid, as in shared/refdata/magpylib. Installs magpylib from PyPI into a venv
# under ~/.cache/galvana-bench (first run only), times both (Galvana on 1 and 2 threads),
# writes benches/results/biot-savart.md and replaces the "Biot–Savart against magpylib"
# section of benches/RESULTS.md.
#   benches/biot-savart-vs-magpylib.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-3}"
MAGPYLIB_VERSION="${MAGPYLIB_VERSION:-6.1.0}"
VENV="${HOME}/.cache/galvana-bench/magpylib-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import magpylib" 2>/dev/null; then
  echo "==> installing magpylib $MAGPYLIB_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "magpylib==$MAGPYLIB_VERSION"
fi
cargo build --release -q -p galvana-benches --bin biot-savart-bench
mkdir -p benches/results
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "==> magpylib ($REPS runs per case)"
"$VENV/bin/python" benches/magpylib_time.py "$REPS" > benches/results/biot-savart-magpylib.json
echo "==> Galvana ($REPS runs per case and thread count)"
"${CARGO_TARGET_DIR:-target}/release/biot-savart-bench" "$REPS" > benches/results/biot-savart-galvana.json
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$REPS" "$load_before" "$load_after" <<'PY'
import json, subprocess, sys, datetime, platform
reps, lb, la = sys.argv[1:4]
mp = {r["case"]: r for r in json.load(open("benches/results/biot-savart-magpylib.json"))}
ga = {(r["case"], r["threads"]): r for r in json.load(open("benches/results/biot-savart-galvana.json"))}
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
ver = mp["loops"]["magpylib"]
lines = [
    "## Biot–Savart against magpylib (issue: magnetics)",
    "",
    f"Written by `benches/biot-savart-vs-magpylib.sh {reps}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`,",
    f"{cpu}, nproc {nproc}, load average {lb} before and {la} after. magpylib {ver} (numpy {mp['loops']['numpy']}) in a venv from PyPI;",
    "Galvana `biot-savart-bench` (`galvana_physics::magnetics`, AVX2 kernels chosen at run time). Cases of",
    "`shared/refdata/magpylib`: 1000 `Circle` loops (R = 0.05 m over L = 0.2 m) and one 10,000-segment",
    "`Polyline` helix (100 turns), 10,000 points on a 100 x 100 x-z grid. Times are medians of",
    f"{reps} evaluations after a warm-up; a pair is one loop or segment with one point.",
    "",
    "| case | pairs | magpylib [s] | magpylib [pairs/s] | Galvana 1 thread [s] | [pairs/s] | × magpylib | Galvana 2 threads [s] | [pairs/s] | × magpylib | rel. diff. B at grid[0] |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]
for case in ["loops", "polyline"]:
    m, g1, g2 = mp[case], ga[(case, 1)], ga[(case, 2)]
    bm, bg = m["B_grid0"], g2["B_grid0"]
    diff = sum((a - b) ** 2 for a, b in zip(bm, bg)) ** 0.5 / sum(a * a for a in bm) ** 0.5
    lines.append(
        f"| {case} | {m['pairs']:.0e} | {m['s_median']:.3f} | {m['pairs_per_s']:.3g} | {g1['s_median']:.4f} | {g1['pairs_per_s']:.3g} | "
        f"{g1['pairs_per_s'] / m['pairs_per_s']:.0f}× | {g2['s_median']:.4f} | {g2['pairs_per_s']:.3g} | {g2['pairs_per_s'] / m['pairs_per_s']:.0f}× | {diff:.1e} |")
best = {c: ga[(c, 2)]["pairs_per_s"] / mp[c]["pairs_per_s"] for c in ["loops", "polyline"]}
met = [c for c, v in best.items() if v >= 100]
lines += [
    "",
    "Target from the issue: at least 100× magpylib's segment–point pairs per second on this 2-core machine.",
    f"**Met on: {', '.join(met) if met else 'none'}; not met on: {', '.join(c for c in best if c not in met) or 'none'}** (2-thread ratios above).",
    "A loop pair costs an arithmetic–geometric mean (5–8 square roots) where a segment pair costs two; the",
    "loop kernel runs the AGM lane-parallel over 64 points until the slowest lane converges.",
    "",
]
md = "\n".join(lines)
open("benches/results/biot-savart.md", "w").write(md)
text = open("benches/RESULTS.md").read()
marker = "## Biot–Savart against magpylib"
if marker in text:
    start = text.index(marker)
    nxt = text.find("\n## ", start + len(marker))
    text = text[:start] + md + (text[nxt + 1:] if nxt >= 0 else "")
else:
    text = text.rstrip("\n") + "\n\n" + md
open("benches/RESULTS.md", "w").write(text)
print(md)
PY
# Scaling of the deck runner over ranks and threads, with the magpylib figures just measured.
benches/biot-savart-scaling.sh "$REPS"
