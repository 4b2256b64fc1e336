#!/usr/bin/env bash
# GPU checks of engine/gpu (docs/gpu.md), in two steps because the GPU machine has CUDA but
# no Rust toolchain:
#   scripts/gpu-check.sh prepare   on a build machine: release test binaries and gpu-bench of
#                                  galvana-gpu, stripped, into target/gpu-check/ (a few MB; they
#                                  link no CUDA, MPI or HDF5)
#   scripts/gpu-check.sh run       on the GPU machine (carry target/gpu-check): runs them with
#                                  GALVANA_REQUIRE_GPU=1 (a skip is a failure) and gpu-bench;
#                                  writes gpu-check.md, gpu-bench.md and the log to $OUT (or
#                                  target/gpu-check/out). Builds first when cargo is there and
#                                  nothing was prepared.
# Exit status: 0 only if every GPU test passed on a device and the benchmark ran.
set -uo pipefail
cd "$(dirname "$0")/.."
ART=target/gpu-check
mode="${1:-run}"

prepare() {
  set -e
  local tgt="${CARGO_TARGET_DIR:-target}"
  rm -rf "$ART/bin" && mkdir -p "$ART/bin"
  cargo build --release -q -p galvana-gpu --bins
  cargo test --release -q -p galvana-gpu --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    try: m = json.loads(line)
    except ValueError: continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["target"]["name"], m["executable"])
' | while read -r name exe; do cp "$exe" "$ART/bin/test-$name"; done
  cp "$tgt/release/gpu-bench" "$ART/bin/gpu-bench"
  strip "$ART"/bin/* 2>/dev/null || true
  git rev-parse HEAD >"$ART/COMMIT" 2>/dev/null || echo unknown >"$ART/COMMIT"
  ls -la "$ART/bin"
  du -sh "$ART"
  set +e
}

# Put a libnvrtc on the loader path under a name cudarc opens (libnvrtc.so), preferring one
# already loadable, then the CUDA toolkit's, then a pip wheel's (nvidia-cuda-nvrtc*).
nvrtc_path() {
  local f d shim=/tmp/galvana-nvrtc
  for f in $( { ls ${CUDA_HOME:-/usr/local/cuda}/lib64/libnvrtc.so* /usr/local/cuda*/targets/*/lib/libnvrtc.so* 2>/dev/null
               python3 -c 'import site,glob; [print(p) for s in site.getsitepackages() for p in glob.glob(s+"/nvidia/**/libnvrtc.so*", recursive=True)]' 2>/dev/null; } | grep -v -e builtins -e alt ); do
    [ -e "$f" ] || continue
    d="$(dirname "$f")"; mkdir -p "$shim"; ln -sf "$f" "$shim/libnvrtc.so"
    export LD_LIBRARY_PATH="$shim:$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "NVRTC: $f"; return 0
  done
  echo "NVRTC: none found (kernels cannot compile)"; return 1
}

run() {
  if [ ! -d "$ART/bin" ]; then
    if command -v cargo >/dev/null; then prepare; else
      echo "error: $ART/bin is missing and there is no cargo here: run 'scripts/gpu-check.sh prepare' on a build machine and carry $ART" >&2; exit 2
    fi
  fi
  local out="${OUT:-$ART/out}"; mkdir -p "$out"
  local log="$out/gpu-check.log" md="$out/gpu-check.md" fail=0
  exec > >(tee "$log") 2>&1
  echo "== galvana gpu-check $(date -u +%FT%TZ), commit $(cat $ART/COMMIT 2>/dev/null)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.memory --format=csv
  nvrtc_path || fail=1
  export GALVANA_REQUIRE_GPU=1 GALVANA_PTX_CACHE=/tmp/galvana-ptx
  { echo "# GPU check"; echo; echo "Commit $(cat $ART/COMMIT 2>/dev/null); $(date -u +%FT%TZ)"; echo
    echo "| test binary | result |"; echo "|---|---|"; } >"$md"
  for t in "$ART"/bin/test-*; do
    echo "== $t"
    if timeout 300 "$t" --test-threads=1; then r=passed; else r="FAILED"; fail=1; fi
    echo "| $(basename "$t") | $r |" >>"$md"
  done
  echo "== gpu-bench"
  if timeout 240 "$ART/bin/gpu-bench" --out "$out/gpu-bench.md"; then
    { echo; cat "$out/gpu-bench.md"; } >>"$md"
  else
    echo; echo "gpu-bench FAILED (see gpu-check.log)" >>"$md"; fail=1
  fi
  echo "== result: $([ $fail = 0 ] && echo PASS || echo FAIL) (summary in $md)"
  exit $fail
}

case "$mode" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: scripts/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
