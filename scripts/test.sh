#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs dependencies, builds, runs unit,
# integration and MPI tests (all crates), lint, and the quick validation subset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "==> cargo fmt --check"
cargo fmt --all --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets -q -- -D warnings
echo "==> cargo test"
cargo test --workspace --release 2>&1 | tee target/test.log
echo "==> quick validation subset"
cargo run --release -q -p galvana-validation -- --quick --out target/validation-quick
