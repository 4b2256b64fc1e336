#!/usr/bin/env bash
# Throughput of battery design sweeps (issue #6 item 9): cells/s of `galvana run` on a
# thickness x C-rate grid ([sweep], Chen2020, CC discharge from full charge to 2.5 V, 20 points
# per domain, output every second) for SPM, SPMe and DFN, on 1 and 2 MPI ranks x 1 and 2
# threads per rank. cells/s is summary.json's: cells over the time from the first cell to the
# rows gathered on rank 0 (MPI start-up and deck reading excluded); the median of REPS runs.
# Writes benches/results/battery-sweep.json and replaces the "Battery design sweeps" section
# of benches/RESULTS.md.
#   benches/battery-sweep.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-3}"
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p galvana-engine --bin galvana
GALVANA="$TARGET/release/galvana"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)

# model, then the grid: thickness_p values x c_rate values (cells = product).
deck() {
  local model=$1 thick=$2 rates=$3 threads=$4
  cat <<TOML
[physics]
type = "battery"
model = "$model"
parameter_set = "Chen2020"
initial_soc = 1.0
experiment = ["Discharge at 1C until 2.5 V"]
points = { x_n = 20, x_s = 20, x_p = 20, r_n = 20, r_p = 20 }
period = 1.0

[sweep]
thickness_p = [$thick]
c_rate = [$rates]
threads = $threads
TOML
}
declare -A THICK=(
  [spm]="7.56e-5, 8.0e-5, 8.5e-5, 9.0e-5, 9.5e-5, 1.0e-4, 1.05e-4, 1.1e-4"
  [spme]="7.56e-5, 8.5e-5, 9.5e-5, 1.05e-4"
  [dfn]="7.56e-5, 9.0e-5"
)
declare -A RATES=(
  [spm]="0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25"
  [spme]="0.5, 0.75, 1.0, 1.25, 1.5, 2.0"
  [dfn]="0.5, 1.0, 1.5, 2.0"
)
mkdir -p benches/results
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "[" > "$WORK/all.json"
first=1
for model in spm spme dfn; do
  for ranks in 1 2; do
    for threads in 1 2; do
      d="$WORK/$model-r$ranks-t$threads.toml"
      deck "$model" "${THICK[$model]}" "${RATES[$model]}" "$threads" > "$d"
      for rep in $(seq 1 "$REPS"); do
        out="$WORK/out-$model-r$ranks-t$threads-$rep"
        if [ "$ranks" = 1 ]; then
          "$GALVANA" run "$d" --output "$out" -q
        else
          "${MPIRUN[@]}" -np "$ranks" "$GALVANA" run "$d" --output "$out" -q
        fi
        [ $first = 1 ] || echo "," >> "$WORK/all.json"
        first=0
        python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(json.dumps({"model": s["model"], "ranks": s["ranks"], "threads": s["threads"], "cells": s["cells"], "failed": s["sweep"]["cells_failed"], "cells_per_s": s["cells_per_s"]}))' "$out/summary.json" >> "$WORK/all.json"
        echo "  $model ranks=$ranks threads=$threads rep $rep: $(tail -1 "$WORK/all.json")"
      done
    done
  done
done
echo "]" >> "$WORK/all.json"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cp "$WORK/all.json" benches/results/battery-sweep.json
python3 - "$REPS" "$load_before" "$load_after" <<'PY'
import json, subprocess, sys, datetime, statistics
reps, lb, la = sys.argv[1:4]
runs = json.load(open("benches/results/battery-sweep.json"))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
lines = [
    "## Battery design sweeps (issue #6 item 9)",
    "",
    f"Written by `benches/battery-sweep.sh {reps}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`"
    + (" (with uncommitted changes)" if dirty else "") + ",",
    f"nproc {nproc}, load average {lb} before and {la} after. `galvana run` of a thickness_p × c_rate grid",
    "(Chen2020, CC discharge from full charge to 2.5 V, 20 points per domain, output every second);",
    "cells/s from summary.json (first cell to rows gathered on rank 0; MPI start-up excluded), median of",
    f"{reps} runs. 2 ranks × 2 threads is 4 threads on {nproc} cores (oversubscribed).",
    "",
    "| model | cells | 1 rank × 1 thread | 1 rank × 2 threads | 2 ranks × 1 thread | 2 ranks × 2 threads | best / 1×1 |",
    "|---|---:|---:|---:|---:|---:|---:|",
]
for m in ["spm", "spme", "dfn"]:
    med = {}
    cells = None
    for r in [1, 2]:
        for t in [1, 2]:
            xs = [x["cells_per_s"] for x in runs if x["model"] == m and x["ranks"] == r and x["threads"] == t]
            med[(r, t)] = statistics.median(xs)
            cells = next(x["cells"] for x in runs if x["model"] == m)
    best = max(med.values())
    lines.append(f"| {m.upper() if m != 'spme' else 'SPMe'} | {cells} | " + " | ".join(f"{med[k]:.3g}" for k in [(1,1),(1,2),(2,1),(2,2)]) + f" | {best/med[(1,1)]:.2f}× |")
lines.append("")
if max(float(lb.split()[0]), float(la.split()[0])) > float(nproc):
    lines += [
        f"The machine was loaded by other work (load average above its {nproc} cores) while this ran, so the",
        "columns cannot show the speed-up of more ranks or threads: the cells shared the cores with other",
        "builds and tests. Re-run on an idle machine for scaling numbers.",
        "",
    ]
md = "\n".join(lines)
text = open("benches/RESULTS.md").read()
marker = "## Battery design sweeps"
if marker in text:
    start = text.index(marker)
    nxt = text.find("\n## ", start + len(marker))
    text = text[:start] + md + (text[nxt:] if nxt >= 0 else "")
else:
    text = text.rstrip("\n") + "\n\n" + md
open("benches/RESULTS.md", "w").write(text)
print(md)
PY
