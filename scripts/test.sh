#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs dependencies, then lint, unit,
# integration, MPI, real-Slurm, PostgreSQL and browser tests of every crate, the PETSc backend (when GALVANA_WITH_PETSC=1 or
# PETSc is installed), and the quick validation subset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
petsc=0
if [ "${GALVANA_WITH_PETSC:-0}" = "1" ] || pkg-config --exists PETSc 2>/dev/null; then petsc=1; fi

echo "==> cargo fmt --check"
cargo fmt --all --check
echo "==> cargo clippy (-D warnings)"
cargo clippy --all-targets -q -- -D warnings
if [ $petsc = 1 ]; then
  cargo clippy -q -p galvana-petsc -p galvana-engine --features galvana-engine/petsc --all-targets -- -D warnings
fi
echo "==> local Slurm (slurmctld, slurmd, slurmdbd, slurmrestd) for the scheduler's real-Slurm tests"
if [ "${GALVANA_NO_SLURM:-0}" != "1" ]; then
  scripts/slurm-local.sh up
  export GALVANA_SLURM_TESTS=1
fi
echo "==> browser for the portal test (Debian chromium, playwright-core from npm)"
if [ "${GALVANA_NO_BROWSER:-0}" != "1" ]; then
  if ! command -v chromium >/dev/null || ! command -v node >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    pkgs="chromium"; command -v node >/dev/null || pkgs="$pkgs nodejs npm"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $pkgs >/dev/null
  fi
  (cd gateway/portal-tests && npm ci --no-audit --no-fund --loglevel=error)
  export GALVANA_BROWSER_TESTS=1
fi
# CUDA kernels compile with NVRTC when it is installed (no GPU needed); then skipping is a failure.
if nvrtc_dir="$(scripts/nvrtc-path.sh)"; then
  export LD_LIBRARY_PATH="$nvrtc_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" GALVANA_REQUIRE_NVRTC=1
fi
echo "==> cargo test (all default crates, release)"
cargo test --release
if [ "${GALVANA_NO_POSTGRES:-0}" != "1" ]; then
  echo "==> gateway API tests again on PostgreSQL"
  pg="$(scripts/postgres-local.sh up | tail -n 1)"
  case "$pg" in postgres://*) ;; *) echo "postgres-local.sh gave no URL: $pg" >&2; exit 1 ;; esac
  GALVANA_TEST_POSTGRES="$pg" cargo test --release -p galvana-gateway --test api --test ledger_db --test datasets
fi
if [ $petsc = 1 ]; then
  echo "==> PETSc backend tests"
  cargo test --release -p galvana-petsc
  cargo test --release -p galvana-engine --features petsc --test petsc_backend
fi
echo "==> quick validation subset"
cargo run --release -q -p galvana-validation -- --quick --ranks 1,2 --out target/validation-quick
