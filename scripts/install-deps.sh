#!/usr/bin/env bash
# Install every system and Python dependency Galvana needs on a fresh Debian 12 machine
# (Rust, gcc and Python present). Idempotent: skips what is already installed.
# PETSc (for the optional `petsc` backend) is installed only with GALVANA_WITH_PETSC=1.
set -euo pipefail

APT_PKGS=(openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools libclang-dev clang pkg-config libmetis-dev)
if [ "${GALVANA_WITH_PETSC:-0}" = "1" ]; then
  APT_PKGS+=(petsc-dev)
fi
# mdb-export reads Arbin .res (Access) files for `galvana import` (instruments/src/arbin_res.rs).
APT_PKGS+=(mdbtools)

missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "==> installing system packages: ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi

# Independent readers used by tests and the validation report (h5py, meshio) and plots (matplotlib).
if ! python3 -c "import h5py, numpy, meshio, matplotlib" 2>/dev/null; then
  echo "==> installing Python packages: h5py numpy meshio matplotlib"
  python3 -m pip install -q h5py numpy meshio matplotlib
fi

# NVRTC (the CUDA run-time kernel compiler, ~45 MB wheel, ~10 s; no driver or GPU needed) so
# that the tests compile every CUDA kernel on machines without CUDA (engine/gpu). Skip with
# GALVANA_NO_NVRTC=1. scripts/test.sh puts its lib/ on LD_LIBRARY_PATH (scripts/nvrtc-path.sh).
if [ "${GALVANA_NO_NVRTC:-0}" != "1" ] && ! python3 -c "import nvidia.cuda_nvrtc" 2>/dev/null; then
  echo "==> installing NVRTC for kernel compile tests: nvidia-cuda-nvrtc-cu12"
  python3 -m pip install -q nvidia-cuda-nvrtc-cu12 || echo "warning: NVRTC not installed; the kernel compile test will skip"
fi
