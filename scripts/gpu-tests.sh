#!/usr/bin/env bash
# The GPU checks of convlab's kernels, for a machine with CUDA and CuPy/torch but not the portal's
# Django stack: the kernels are pure, so their tests run without Django (no conftest, no
# pytest-django). Usage: scripts/gpu-tests.sh [extra pytest args]. Fails if no GPU test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
$PY - <<'PY'
import importlib.util, torch
print("torch", torch.__version__, "cuda:", torch.cuda.is_available())
if importlib.util.find_spec("cupy"):
    import cupy
    print("cupy", cupy.__version__, "devices:", cupy.cuda.runtime.getDeviceCount())
PY
log=$(mktemp)
$PY -m pytest -p no:django -p no:cacheprovider --noconftest -o addopts="" -q -rs \
    tests/convlab/kernels/test_array_libraries.py "$@" | tee "$log"
if grep -q "no GPU for" "$log"; then
    echo "some GPU tests were skipped: this machine's GPU stack is incomplete" >&2
    exit 1
fi
