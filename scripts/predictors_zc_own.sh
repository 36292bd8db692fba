#!/usr/bin/env bash
# zc_features with naslens' own proxy scores (docs/results/predictors-nb201.md): the cheap zero-shot proxies on the
# whole NB201 space (all 15,625; one CIFAR-10 batch of 64, seed 0, the harness of docs/results/zeroshot-nb201.md;
# ≈ 1.2 CPU-s per architecture, so ≈ 5 CPU-hours: resumable, it may span sessions), then zc_features fitted on
# 32 / 128 / 1,024 architectures and judged on the rest, with naslens' proxies alone and with structural features.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/predictors-nb201}
STORE=${STORE:-runs/zeroshot-nb201-all}
WORKERS=${WORKERS:-1}
CHEAP=epe_nas,fisher,grad_norm,grasp,jacob_cov,l2_norm,nwot,plain,snip,synflow,zen
$PY -m naslens.cli score --space nb201 --proxies "$CHEAP" --data cifar10 --dataset cifar10 --subset all \
    --seed 0 --batch-size 64 --n-batches 1 --store "$STORE" --workers "$WORKERS" --threads 1
G=(-g nb201-200ep -d cifar10 --train-size 32,128,1024 --train-sets 3 --seeds 20,2020,202020 --eval-on heldout
   --quiet --threads 1)
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features \
    --set "proxies=$CHEAP" --set "source=store:$STORE" --set structural=true -o "$OUT/zc-own-both"
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features \
    --set "proxies=$CHEAP" --set "source=store:$STORE" --set structural=false -o "$OUT/zc-own"
