#!/usr/bin/env bash
# Set up naslens on a fresh machine: a virtual environment in .venv with the pinned CPU build of PyTorch,
# naslens in editable mode with its dev extras, and Fashion-MNIST from Debian when apt is available.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
# torch is pinned: an unpinned torch would download GBs of CUDA packages (constraints.txt keeps it pinned).
.venv/bin/python -m pip install -q -c constraints.txt "torch==2.13.0" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) >/dev/null 2>&1 \
      || echo "setup: could not install dataset-fashion-mnist; Fashion-MNIST features and tests will be skipped"
  else
    echo "setup: Fashion-MNIST missing; install it with: sudo apt-get install dataset-fashion-mnist"
  fi
fi
.venv/bin/python -c "import naslens, torch; print(f'naslens {naslens.__version__} ready (torch {torch.__version__})')"
