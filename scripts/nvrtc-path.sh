#!/usr/bin/env bash
# Print the lib/ directory of the pip-installed NVRTC (nvidia-cuda-nvrtc-cu12) for
# LD_LIBRARY_PATH; exit 1 (printing nothing) when it is not installed. PYTHON overrides python3.
set -euo pipefail
dir="$("${PYTHON:-python3}" -c 'import nvidia.cuda_nvrtc as m, os; print(os.path.join(list(m.__path__)[0], "lib"))' 2>/dev/null)" || exit 1
ls "$dir"/libnvrtc.so.* >/dev/null 2>&1 || exit 1
echo "$dir"
