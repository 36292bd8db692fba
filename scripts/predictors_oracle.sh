#!/usr/bin/env bash
# The one-shot oracle behind docs/results/predictors-nb201.md: predictors fitted on one-shot scores (the committed
# uniform-sampling supernet evidence on nb201-fmnist, docs/results/oneshot-uniform) instead of ground truth, judged
# against both the ground truth and the one-shot scores themselves. Resumable like every fit-eval.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/predictors-nb201}
STORE="$OUT/oneshot-store"
$PY scripts/oneshot_scores_to_store.py docs/results/oneshot-uniform/scores.csv \
    --column 'oneshot_acc@epoch-0120#seed0' --space nb201 --store "$STORE"
$PY -m naslens.cli predictor fit-eval -g nb201-fmnist -p gates,lstm,mlp,random_forest --train-size 39,78,390 \
    --loss ranking --train-sets 3 --seeds 20,2020,202020 --eval-on all,heldout \
    --target "store:$STORE:oneshot_acc@epoch-0120:seed=0" -o "$OUT/oracle" --quiet --threads 1
# the same predictors fitted on the ground truth of the same 600 architectures, for comparison
$PY -m naslens.cli predictor fit-eval -g nb201-fmnist -p gates,lstm,mlp,random_forest --train-size 39,78,390 \
    --loss ranking --train-sets 3 --seeds 20,2020,202020 --eval-on all,heldout -o "$OUT/oracle-gt" --quiet --threads 1
