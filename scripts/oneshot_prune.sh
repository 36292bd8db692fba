#!/usr/bin/env bash
# Supernet pruning evidence on nb201-fmnist (issue #14): docs/oneshot-pruning.md, resumable end to end.
# Rerun the same line after a kill: every training continues from last.pt, every score is kept in the store.
#   scripts/oneshot_prune.sh                 # base supernet (if not given), then op, hard and soft pruning
#   STEP=op scripts/oneshot_prune.sh         # one step: base | op | hard | soft
#   BASE=runs/oneshot/uniform/s0/epoch-0120.pt scripts/oneshot_prune.sh   # reuse an existing unpruned supernet
#   SEED=1 scripts/oneshot_prune.sh          # a second seed (its own base and workflow folder)
# Smoke test (≈ 2 CPU-minutes): EPOCHS=2 FT_EPOCHS=1 WARMUP=1 EVERY=1 POPULATION=8 CANDIDATES=4 OPS=avg_pool_3x3 \
#   FRACTIONS=0.5 OBJECTIVES=pareto ARCHS=<file of a few ground-truth keys> RUNS_DIR=/tmp/prune-smoke scripts/...
# Cost (one CPU core, torch 2.13 CPU, measured 2026-11-25): ≈ 2.8 s per training epoch, 0.38 s per architecture
# scored (4 × 256 images), 0.17 s per controller evaluation (2 × 256); ≈ 1.5 CPU-hours for one seed (see the doc).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
NASLENS=(${PY:-.venv/bin/python} -m naslens.cli)
GT=${GT:-nb201-fmnist}
SEED=${SEED:-0}
EPOCHS=${EPOCHS:-120}
STEP=${STEP:-all}
OPS=${OPS:-none skip_connect nor_conv_1x1 nor_conv_3x3 avg_pool_3x3}
FRACTIONS=${FRACTIONS:-0.1,0.25,0.5}
FT_EPOCHS=${FT_EPOCHS:-20}
OBJECTIVES=${OBJECTIVES:-single pareto}
WARMUP=${WARMUP:-40}; EVERY=${EVERY:-5}; POPULATION=${POPULATION:-100}; CANDIDATES=${CANDIDATES:-50}
R=${RUNS_DIR:-runs/prune}/s$SEED      # supernets, the score store and the comparison CSVs (ignored by git)
BASE=${BASE:-$R/base/epoch-$(printf %04d "$EPOCHS").pt}
EVAL=(-g "$GT" -d fashion-mnist --n-batches 4 --batch-size 256 --bn-mode train --k 0.1 --threads 1)
if [[ -n ${ARCHS:-} ]]; then EVAL+=(--archs "$ARCHS"); fi  # a smaller compared set (a file); default: the 600 of the GT
mkdir -p "$R"

if [[ $STEP == all || $STEP == base ]] && [[ ! -f $BASE ]]; then
  # the unpruned supernet: the uniform run of docs/results/oneshot-plan.md
  "${NASLENS[@]}" oneshot train --out "$R/base" --sampler uniform --samples 1 --seed "$SEED" \
    --ground-truth "$GT" --epochs "$EPOCHS" --checkpoint-every 20 --batch-size 256 --lr 0.05 \
    --scheduler plateau --patience 10 --factor 0.5 --threads 1 --resume
fi
if [[ $STEP == all || $STEP == op ]]; then
  # shellcheck disable=SC2046
  "${NASLENS[@]}" oneshot prune op --full "$BASE" $(printf -- '--op %s ' $OPS) --out "$R" "${EVAL[@]}"
fi
if [[ $STEP == all || $STEP == hard ]]; then
  "${NASLENS[@]}" oneshot prune hard --checkpoint "$BASE" --fractions "$FRACTIONS" --epochs "$FT_EPOCHS" \
    --out "$R" "${EVAL[@]}"
fi
if [[ $STEP == all || $STEP == soft ]]; then
  for objective in $OBJECTIVES; do
    "${NASLENS[@]}" oneshot prune soft --full "$BASE" --objective "$objective" --population "$POPULATION" \
      --warmup "$WARMUP" --every "$EVERY" --candidates "$CANDIDATES" --mix 0.2,0.4,0.4 --tournament 10 --population-share 0.5 --reward acc \
      --score-batches 2 --score-batch-size 256 --out "$R" "${EVAL[@]}"
  done
fi
echo "comparison tables: $R/*-comparison.csv"
