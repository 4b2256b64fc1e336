#!/usr/bin/env bash
# Builds and runs the 3D Poisson benchmark (benches/src/bin/poisson-bench.rs) on 1 and 2 MPI
# ranks and writes benches/RESULTS.md (plus the raw JSON in benches/results/).
#
#   benches/run.sh                    # 64³, 96³, 128³ on 1 and 2 ranks (about 10 minutes)
#   SIZES=16,24 RANKS="1 2" benches/run.sh   # quick smoke run
#
# PETSc (Debian petsc-dev; `GALVANA_WITH_PETSC=1 scripts/install-deps.sh`) is used when present:
# the binary is then built with `--features petsc` and compares against PETSc's KSPs in the same
# run. Set GALVANA_BENCH_NO_PETSC=1 to skip it. Extra arguments go to poisson-bench.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-64,96,128}"
RANKS="${RANKS:-1 2}"
OUT_MD="${OUT_MD:-benches/RESULTS.md}"
RAW="${RAW:-benches/results}"
NPROC=$(nproc) # before OMP_NUM_THREADS is set: GNU nproc honours it
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One thread per rank everywhere (PETSc/hypre/BLAS); the benchmark's own STREAM threads are
# spawned explicitly.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
# Open MPI in containers: no CMA single-copy (ptrace is usually not permitted).
export OMPI_MCA_btl_vader_single_copy_mechanism=none

features=()
petsc_note="not used (PETSc not found or GALVANA_BENCH_NO_PETSC=1)"
if [ "${GALVANA_BENCH_NO_PETSC:-0}" != "1" ] &&
  { pkg-config --exists PETSc 2>/dev/null || pkg-config --exists petsc 2>/dev/null ||
    compgen -G "/usr/lib/petscdir/*/*/include/petsc.h" >/dev/null || [ -n "${PETSC_DIR:-}" ]; }; then
  features=(--features petsc)
  petsc_note="used (--features petsc)"
fi

build_cmd=(cargo build --release -p galvana-benches "${features[@]}")
echo "==> ${build_cmd[*]}"
"${build_cmd[@]}"
bin=target/release/poisson-bench
mkdir -p "$RAW"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s)
cmds=()
jsons=()
loads=()
for np in $RANKS; do
  # 1 rank: no binding, so that the 2-thread STREAM can use both cores. 2+ ranks: one core each.
  bind=none
  [ "$np" -gt 1 ] && bind=core
  json="$RAW/np$np.json"
  cmd=(mpirun --allow-run-as-root --oversubscribe --bind-to "$bind" -np "$np"
    "$bin" --sizes "$SIZES" --kernels --baseline --amg-solves 1 --json "$json" "$@")
  echo "==> ${cmd[*]}"
  # Sample the 1-minute load average every 10 s while the run lasts (a noise gauge: this run
  # itself accounts for about np of it).
  (while sleep 10; do cut -d' ' -f1 /proc/loadavg; done) >"$RAW/load-np$np.txt" &
  sampler=$!
  "${cmd[@]}" >"$RAW/np$np.md" 2>"$RAW/np$np.log" || {
    kill "$sampler" 2>/dev/null || true
    echo "run on $np rank(s) failed; see $RAW/np$np.log" >&2
    tail -20 "$RAW/np$np.log" >&2
    exit 1
  }
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  loads+=("$np rank(s): $(awk '{s+=$1; if($1>m)m=$1; n++} END {if(n) printf "mean %.2f, max %.2f over %d samples", s/n, m, n; else print "no samples"}' "$RAW/load-np$np.txt")")
  cmds+=("${cmd[*]}")
  jsons+=("$json")
done
t1=$(date +%s)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
"$bin" --merge "${jsons[@]}" >"$RAW/scaling.md"

model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
{
  echo "# Benchmark results: 3D Poisson (Q1, 27-point) — native CG vs PETSc"
  echo
  echo "Written by \`benches/run.sh\` on $started (UTC); the whole run took $((t1 - t0)) s."
  echo "How to read the numbers: [README.md](README.md)."
  echo
  echo "## Machine and software"
  echo
  echo "- CPU: $model, nproc $NPROC; $(lscpu | sed -n 's/^L3 cache:[[:space:]]*/L3 /p' | head -1); $(free -g | awk '/^Mem:/{print $2" GiB RAM"}')"
  echo "- Kernel $(uname -r); $(rustc --version); $(mpirun --version 2>&1 | head -1)"
  echo "- Galvana commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- engine/src/linalg 2>/dev/null || echo ' (engine/src/linalg modified in the working tree)')"
  echo "- PETSc: $petsc_note"
  echo "- Load average (1/5/15 min) before the runs: $load_before; after: $load_after"
  for l in "${loads[@]}"; do
    echo "- 1-min load average sampled every 10 s during the run on $l (the benchmark itself accounts for about 1 per rank)"
  done
  echo
  echo "## Commands"
  echo
  echo '```'
  echo "${build_cmd[*]}"
  for c in "${cmds[@]}"; do echo "$c"; done
  echo "$bin --merge ${jsons[*]}"
  echo '```'
  echo
  echo "Environment: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMPI_MCA_btl_vader_single_copy_mechanism=none."
  echo
  echo "## 1 vs 2 ranks"
  echo
  cat "$RAW/scaling.md"
  echo
  echo "## Per run"
  echo
  for np in $RANKS; do
    cat "$RAW/np$np.md"
    echo
  done
  cat <<'NOTES'
## Notes

- The matrix is the engine's own: Q1 hexahedra on the unit cube, "grid n³" = n³ interior nodes
  (the mesh has (n+1)³ cells, h = 1/(n+1), the same grid points as the PETSc reference), all
  (n+2)³ nodes are matrix rows, Dirichlet rows and columns are identity rows/columns holding
  explicit zeros (the engine's `Assembler::constrain`), i.e. a **27-point** stencil with
  about 26.6 stored entries per row. The PETSc peer figures in `shared/refdata/petsc/` are for
  a **7-point** finite-difference matrix (7 entries per row, 130/196/263 CG+Jacobi iterations):
  not the same operator, so compare with them only per byte moved, never per iteration. The
  comparison in the tables above hands the *same* CSR, right-hand side and zero initial guess to
  PETSc, with `-ksp_norm_type unpreconditioned` and rtol 1e-8, atol 0, so the stopping tests
  match (CG+Jacobi takes the same number of iterations in both).
- Noise: the host is shared. Compare ratios measured in one run (native/PETSc pairs are
  interleaved repetitions) rather than absolute times across runs, and use the STREAM start/end
  drift and the load averages above to judge a run; re-run when the drift is large.
NOTES
} >"$OUT_MD"
echo "==> wrote $OUT_MD"
