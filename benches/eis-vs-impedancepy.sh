#!/usr/bin/env bash
# impedance.py and Galvana fitting the same EIS spectrum in one run (issue #8 item 5, target:
# Galvana >= 20x faster): the shared synthetic R0-p(R1,CPE1)-W1 spectrum (60 points, 0.5 %
# noise, physics/tests/data/eis) from the same initial guess, unweighted and modulus-weighted.
# Installs impedance.py from PyPI into a venv under ~/.cache/galvana-bench (first run only;
# impedance 1.7.1 imports pandas without declaring it, so pandas is installed too), times
# both (medians), writes benches/results/eis.md and replaces the "EIS fitting against
# impedance.py" section of benches/RESULTS.md.
#   benches/eis-vs-impedancepy.sh [PY_REPS] [GALVANA_REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
PY_REPS="${1:-20}"
G_REPS="${2:-500}"
IMPEDANCE_VERSION="${IMPEDANCE_VERSION:-1.7.1}"
VENV="${HOME}/.cache/galvana-bench/impedance-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import impedance.models.circuits" 2>/dev/null; then
  echo "==> installing impedance $IMPEDANCE_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "impedance==$IMPEDANCE_VERSION" pandas
fi
CSV=physics/tests/data/eis/synthetic_R0-p_R1_CPE1_-W1.csv
# The source state before this run rewrites its own result files.
export EIS_BENCH_COMMIT="$(git rev-parse --short HEAD)"
export EIS_BENCH_DIRTY="$(git status --porcelain --untracked-files=no -- . ':!benches/results' ':!benches/RESULTS.md' | head -c 1)"
cargo build --release -q -p galvana-benches --bin eis-bench
mkdir -p benches/results
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "==> impedance.py ($PY_REPS fits per weighting)"
"$VENV/bin/python" benches/eis_time.py "$PY_REPS" "$CSV" > benches/results/eis-impedancepy.json
echo "==> Galvana ($G_REPS fits per weighting)"
"${CARGO_TARGET_DIR:-target}/release/eis-bench" "$G_REPS" "$CSV" > benches/results/eis-galvana.json
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$PY_REPS" "$G_REPS" "$load_before" "$load_after" <<'PY'
import json, os, subprocess, sys, datetime, platform
py_reps, g_reps, lb, la = sys.argv[1:5]
ip = {r["weighting"]: r for r in json.load(open("benches/results/eis-impedancepy.json"))}
ga = {r["weighting"]: r for r in json.load(open("benches/results/eis-galvana.json"))}
commit = os.environ["EIS_BENCH_COMMIT"]
dirty = os.environ["EIS_BENCH_DIRTY"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
v = ip["unweighted"]
lines = [
    "## EIS fitting against impedance.py (issue #8 item 5)",
    "",
    f"Written by `benches/eis-vs-impedancepy.sh {py_reps} {g_reps}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`{' (with uncommitted changes)' if dirty else ''},",
    f"{cpu}, nproc {nproc}, load average {lb} before and {la} after (other builds were running on the machine).",
    f"impedance.py {v['impedance']} (numpy {v['numpy']}, scipy {v['scipy']}) in a venv from PyPI: `CustomCircuit.fit`",
    "(scipy `curve_fit`, TRF with default bounds, finite-difference Jacobian). Galvana `eis-bench`",
    "(`galvana_physics::calibration::eis`: bounded Levenberg–Marquardt, analytic Jacobian; circuit parse included).",
    "Both fit the shared synthetic `R0-p(R1,CPE1)-W1` spectrum (60 points, 0.5 % noise) from p0 = [0.01, 0.1, 1.0, 0.8, 0.02],",
    f"single-threaded; times are medians of {py_reps} (impedance.py) and {g_reps} (Galvana) fits after a warm-up.",
    "",
    "| weighting | impedance.py [ms] | Galvana [ms] | Galvana iterations | speed-up | max abs(Δp)/σ | max abs(σ/σ_ref − 1) |",
    "|---|---:|---:|---:|---:|---:|---:|",
]
ratios = {}
for w in ["unweighted", "modulus"]:
    a, b = ip[w], ga[w]
    ratios[w] = a["s_median"] / b["s_median"]
    dp = max(abs(x - y) / s for x, y, s in zip(b["p_fit"], a["p_fit"], a["conf_1sigma"]))
    ds = max(abs(x / y - 1) for x, y in zip(b["conf_1sigma"], a["conf_1sigma"]))
    lines.append(f"| {w} | {a['s_median'] * 1e3:.2f} | {b['s_median'] * 1e3:.3f} | {b['iterations']} | {ratios[w]:.0f}× | {dp:.1e} | {ds:.1e} |")
met = all(r >= 20 for r in ratios.values())
lines += [
    "",
    f"Target from the issue: at least 20× faster than impedance.py. **{'Met' if met else 'Not met'}** "
    f"({', '.join(f'{w} {r:.0f}×' for w, r in ratios.items())}). The last two columns compare the fitted values",
    "and standard errors of this run (the accuracy checks are in `galvana-validate --cases eis`).",
    "",
]
md = "\n".join(lines)
open("benches/results/eis.md", "w").write(md)
text = open("benches/RESULTS.md").read()
marker = "## EIS fitting against impedance.py"
if marker in text:
    start = text.index(marker)
    nxt = text.find("\n## ", start + len(marker))
    text = text[:start] + md + (text[nxt + 1:] if nxt >= 0 else "")
else:
    text = text.rstrip("\n") + "\n\n" + md
open("benches/RESULTS.md", "w").write(text)
print(md)
PY
