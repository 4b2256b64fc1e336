#!/usr/bin/env bash
# PyBaMM and Galvana on the same battery cases in one run (issue: electrochemistry and
# batteries, item "Speed"): Chen2020, SPM/SPMe/DFN, CC discharge from full charge to 2.5 V at
# 0.5C/1C/2C, 20 points per domain, output every second. Installs PyBaMM from PyPI into a venv
# under ~/.cache/galvana-bench (first run only), times both, writes benches/results/battery.md
# and replaces the "Battery models against PyBaMM" section at the end of benches/RESULTS.md.
#   benches/battery-vs-pybamm.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-5}"
PYBAMM_VERSION="${PYBAMM_VERSION:-26.10.1.1}"
VENV="${HOME}/.cache/galvana-bench/pybamm-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pybamm" 2>/dev/null; then
  echo "==> installing PyBaMM $PYBAMM_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "pybamm==$PYBAMM_VERSION"
fi
cargo build --release -q -p galvana-benches --bin battery-bench
cargo build --release -q -p galvana-engine --bin galvana
TGT="${CARGO_TARGET_DIR:-target}"
mkdir -p benches/results
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "==> PyBaMM ($REPS solves per case)"
"$VENV/bin/python" benches/pybamm_time.py "$REPS" > benches/results/battery-pybamm.json
echo "==> Galvana ($REPS solves per case)"
"$TGT/release/battery-bench" "$REPS" > benches/results/battery-galvana.json
echo "==> galvana run of a DFN 1C deck ($REPS runs, process start to exit)"
RUNDIR=$(mktemp -d)
cat > "$RUNDIR/dfn_1c.toml" <<'DECK'
[physics]
type = "battery"
model = "dfn"
parameter_set = "Chen2020"
initial_soc = 1.0
experiment = ["Discharge at 1C until 2.5 V"]
points = { x_n = 20, x_s = 20, x_p = 20, r_n = 20, r_p = 20 }
DECK
python3 - "$TGT/release/galvana" "$RUNDIR" "$REPS" > benches/results/battery-galvana-run.json <<'PY'
import json, statistics, subprocess, sys, time
exe, d, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for k in range(reps + 1):
    t0 = time.perf_counter()
    subprocess.run([exe, "run", f"{d}/dfn_1c.toml", "--output", f"{d}/out{k}", "-q"], check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t0)
s = json.load(open(f"{d}/out0/summary.json"))
print(json.dumps({"run_s_median": statistics.median(times[1:]), "run_s_all": times[1:], "q_end_ah": s["final"]["discharge_capacity_Ah"], "wall_s_in_summary": s["wall_s"]}))
PY
rm -rf "$RUNDIR"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$REPS" "$load_before" "$load_after" <<'PY'
import json, subprocess, sys, datetime
reps, lb, la = sys.argv[1:4]
py = {(r["model"], r["crate"]): r for r in json.load(open("benches/results/battery-pybamm.json"))}
ga = {(r["model"], r["crate"]): r for r in json.load(open("benches/results/battery-galvana.json"))}
gr = json.load(open("benches/results/battery-galvana-run.json"))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
ver = next(iter(py.values()))["pybamm"]
lines = [
    "## Battery models against PyBaMM (issue: electrochemistry and batteries)",
    "",
    f"Written by `benches/battery-vs-pybamm.sh {reps}` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, commit `{commit}`,",
    f"nproc 2, load average {lb} before and {la} after. PyBaMM {ver} (IDAKLU, default tolerances) in a venv from PyPI;",
    "Galvana `battery-bench` (single thread; adaptive variable-step BDF of order up to 3 with local error control, rows",
    "interpolated at the 1 s output times, events located exactly). Both: Chen2020, CC discharge",
    "from full charge to 2.5 V, 20 points per domain, output every second. Times are medians of",
    f"{reps} solves after a first one; PyBaMM's build (model processing and discretisation) is listed apart.",
    "",
    "| model | C | PyBaMM build [ms] | PyBaMM solve [ms] | Galvana solve [ms] | Galvana / PyBaMM solve | Q PyBaMM [A.h] | Q Galvana [A.h] |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
]
for m in ["SPM", "SPMe", "DFN"]:
    for c in [0.5, 1.0, 2.0]:
        p, g = py[(m, c)], ga[(m, c)]
        ratio = g["solve_s_median"] / p["solve_s_median"]
        lines.append(f"| {m} | {c} | {p['build_s']*1e3:.1f} | {p['solve_s_median']*1e3:.2f} | {g['solve_s_median']*1e3:.2f} | {ratio:.2f}× | {p['q_end_ah']:.5f} | {g['q_end_ah']:.5f} |")
dfn1 = ga[("DFN", 1.0)]["solve_s_median"] / py[("DFN", 1.0)]["solve_s_median"]
spm_max = max(ga[(m, c)]["solve_s_median"] for m in ["SPM", "SPMe"] for c in [0.5, 1.0, 2.0]) * 1e3
lines += [
    "",
    f"Whole `galvana run` of a DFN 1C deck (the same case; process start to exit, reading the deck and",
    f"writing battery.csv, monitors.csv, residuals.jsonl and summary.json): median {gr['run_s_median']*1e3:.1f} ms",
    f"of {reps} runs after a first one (capacity {gr['q_end_ah']:.5f} A.h).",
    "",
    "Targets from the issue: DFN 1C at least 10× faster than PyBaMM's IDAKLU solve, a whole `galvana run`",
    "of that deck under 50 ms, SPM and SPMe under 0.5 ms per discharge. This run: DFN 1C at",
    f"{dfn1:.2f}× PyBaMM's solve time ({'met' if dfn1 <= 0.1 else 'not met'}), the whole run",
    f"{gr['run_s_median']*1e3:.1f} ms ({'met' if gr['run_s_median'] < 0.05 else 'not met'}), the slowest SPM/SPMe discharge",
    f"{spm_max:.2f} ms ({'met' if spm_max < 0.5 else 'not met'}). The machine is shared with other builds: the",
    "load average above says how much; ratios from one run are what count. The accuracy of the same",
    "runs is in the validation report (`galvana-validate --cases pybamm`).",
    "",
]
md = "\n".join(lines)
open("benches/results/battery.md", "w").write(md)
text = open("benches/RESULTS.md").read()
marker = "## Battery models against PyBaMM"
if marker in text:
    start = text.index(marker)
    nxt = text.find("\n## ", start + len(marker))
    text = text[:start] + md + (text[nxt + 1:] if nxt >= 0 else "")
else:
    text = text.rstrip("\n") + "\n\n" + md
open("benches/RESULTS.md", "w").write(text)
print(md)
PY
