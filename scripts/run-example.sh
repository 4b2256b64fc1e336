#!/usr/bin/env bash
# The main job on a fresh machine: installs dependencies, builds Galvana, and runs the
# built-in cryogenic thermal-link cooldown example serially and on 2 MPI ranks.
# Usage: scripts/run-example.sh [EXAMPLE]   (names: target/release/galvana example list)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cargo build --release -q -p galvana-engine
name="${1:-thermal_link_cooldown}"
mkdir -p runs
deck="runs/$name.toml"
# Decks that use mesh files are run in place; the others are written from the binary.
if [ -f "input-decks/examples/$name.toml" ] && grep -q '^file *=' "input-decks/examples/$name.toml"; then
  deck="input-decks/examples/$name.toml"
else
  target/release/galvana example "$name" > "$deck"
fi
stamp=$(date +%Y%m%d-%H%M%S)
echo "==> serial run of $deck"
target/release/galvana run "$deck" --output "runs/$name-$stamp-np1"
echo "==> 2-rank run of $deck"
mpirun --oversubscribe -np 2 target/release/galvana run "$deck" --output "runs/$name-$stamp-np2"
echo
echo "Results: runs/$name-$stamp-np1 and runs/$name-$stamp-np2 (open fields.xdmf in ParaView; monitors.csv; residuals.jsonl)"
