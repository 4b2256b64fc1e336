#!/usr/bin/env bash
# Galvana's Biot–Savart deck runner over MPI ranks and threads (issue #7, "scaling with
# ranks"): the 10,000-segment helix of the magpylib case (R = 0.05 m, 100 turns over 0.2 m,
# 100 segments per turn) on one N x N plane target, run as `galvana run` with 1 rank × 1
# thread, 1 rank × 2 threads, 2 ranks × 1 thread (mpirun) and 2 ranks × 2 threads. Prints
# segment–point pairs per second from the run's own wall time (summary.json `wall_s`: deck
# to summary, CSV and HDF5 writing included, MPI start-up excluded) and the process time,
# the speed-up over 1 × 1 and, when benches/results/biot-savart-magpylib.json exists (written
# by biot-savart-vs-magpylib.sh just before it calls this script, so one run measures both),
# the ratio to magpylib's polyline pairs per second. Writes benches/results/biot-savart-scaling.md
# and the "Biot–Savart scaling over ranks and threads" section of benches/RESULTS.md.
#   benches/biot-savart-scaling.sh [REPS] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-3}"
N="${2:-300}"
cargo build --release -q -p galvana-engine --bin galvana
G="$(realpath "${CARGO_TARGET_DIR:-target}/release/galvana")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
deck() { # threads
  cat <<TOML
[physics]
type = "biot_savart"
mu0 = "codata2022"
threads = $1

[sources.helix]
type = "helix"
radius = 0.05
pitch = 0.002
turns = 100.0
current = 1.0
segments_per_turn = 100

[postprocessors.xz]
type = "plane"
origin = [-0.1, 0.0, -0.2]
u = [0.2, 0.0, 0.0]
v = [0.0, 0.0, 0.4]
n_u = $N
n_v = $N
TOML
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "==> Galvana helix deck, ${N}x${N} plane, $REPS runs per configuration"
: > "$WORK/times.txt"
for cfg in "1 1" "1 2" "2 1" "2 2"; do
  set -- $cfg
  ranks=$1 threads=$2
  deck "$threads" > "$WORK/d$threads.toml"
  for rep in $(seq "$REPS"); do
    out="$WORK/out-$ranks-$threads-$rep"
    t0=$(date +%s.%N)
    if [ "$ranks" = 1 ]; then
      "$G" run "$WORK/d$threads.toml" --output "$out" -q
    else
      mpirun --oversubscribe --bind-to none -np "$ranks" "$G" run "$WORK/d$threads.toml" --output "$out" -q
    fi
    t1=$(date +%s.%N)
    wall=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['wall_s'])" "$out/summary.json")
    echo "$ranks $threads $wall $(python3 -c "print($t1 - $t0)")" >> "$WORK/times.txt"
    cmp -s "$out/plane_xz.csv" "$WORK/out-1-1-1/plane_xz.csv" || { echo "plane_xz.csv differs for $ranks ranks x $threads threads" >&2; exit 1; }
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$WORK/times.txt" "$N" "$REPS" "$load_before" "$load_after" <<'PY'
import datetime, json, os, statistics, subprocess, sys
times, n, reps, lb, la = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = {}
for line in open(times):
    r, t, w, p = line.split()
    rows.setdefault((int(r), int(t)), []).append((float(w), float(p)))
pairs = 10000 * n * n
mp = None
if os.path.exists("benches/results/biot-savart-magpylib.json"):
    mp = next(r for r in json.load(open("benches/results/biot-savart-magpylib.json")) if r["case"] == "polyline")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
base = statistics.median(w for w, _ in rows[(1, 1)])
lines = [
    "## Biot–Savart scaling over ranks and threads (issue #7)",
    "",
    f"Written by `benches/biot-savart-scaling.sh {reps} {n}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`, nproc {nproc},",
    f"load average {lb} before and {la} after (other jobs were running: the ratios below are only as good as that load allows).",
    f"`galvana run` of a deck with the 10,000-segment magpylib helix and one {n} x {n} plane target ({pairs:.2e} pairs);",
    "run time = summary.json `wall_s` (deck to summary, CSV and HDF5 writing included, MPI start-up excluded), process = the",
    f"whole command (mpirun and MPI start-up included); medians of {reps} runs. Every configuration wrote the same plane CSV, byte for byte.",
    "",
    "| ranks × threads | run time [s] | process [s] | pairs/s (run time) | speed-up vs 1 × 1 | × magpylib polyline |",
    "|---|---:|---:|---:|---:|---:|",
]
for (r, t), v in sorted(rows.items()):
    w = statistics.median(x for x, _ in v)
    p = statistics.median(y for _, y in v)
    ratio = f"{pairs / w / mp['pairs_per_s']:.0f}×" if mp else "n/a"
    lines.append(f"| {r} × {t} | {w:.3f} | {p:.3f} | {pairs / w:.3g} | {base / w:.2f} | {ratio} |")
if mp:
    when = datetime.datetime.fromtimestamp(os.path.getmtime("benches/results/biot-savart-magpylib.json"), datetime.timezone.utc)
    lines += ["", f"magpylib {mp['magpylib']} polyline case (benches/results/biot-savart-magpylib.json, written {when:%Y-%m-%d %H:%M} UTC;",
              f"biot-savart-vs-magpylib.sh writes it just before calling this script): {mp['pairs_per_s']:.3g} pairs/s."]
lines.append("")
md = "\n".join(lines)
open("benches/results/biot-savart-scaling.md", "w").write(md)
text = open("benches/RESULTS.md").read()
marker = "## Biot–Savart scaling over ranks and threads"
if marker in text:
    start = text.index(marker)
    nxt = text.find("\n## ", start + len(marker))
    text = text[:start] + md + (text[nxt + 1:] if nxt >= 0 else "")
else:
    text = text.rstrip("\n") + "\n\n" + md
open("benches/RESULTS.md", "w").write(text)
print(md)
PY
