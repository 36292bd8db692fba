#!/usr/bin/env bash
# One-shot evidence on nb201-fmnist (issue #5): the runs of docs/results/oneshot-plan.md, resumable end to end.
# Rerun the same line after a kill: training continues from last.pt (--resume), scoring skips what the store holds.
#   scripts/oneshot_evidence.sh            # everything: train (2 seeds in parallel), score, combine, evaluate, tables
#   STEP=train scripts/oneshot_evidence.sh # only one step (train | score | evaluate | gradcos | report)
#   RUNS="mc3 fairnas" SCORE_EPOCHS="40 80 120" STEP=score scripts/oneshot_evidence.sh  # a subset, fewer checkpoints
# Evaluation rows: params and relu (structural baselines on the same architectures), each supernet's OS accuracy
# and loss per checkpoint, their mean over the seeds' supernets (@seeds) and over 3 consecutive checkpoints (@savg3).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
NASLENS=(${PY:-.venv/bin/python} -m naslens.cli)
GT=${GT:-nb201-fmnist}
RUNS=${RUNS:-uniform deiso mc3 fairnas}
SEEDS=${SEEDS:-0 1}
EPOCHS=${EPOCHS:-120}
EVERY=${EVERY:-20}
STEP=${STEP:-all}
R=${RUNS_DIR:-runs/oneshot}          # supernets and score stores (ignored by git)
D=${DOCS_DIR:-docs/results}          # evaluation folders and the trend table
COMMON=(--ground-truth "$GT" --epochs "$EPOCHS" --checkpoint-every "$EVERY" --batch-size 256 --lr 0.05
        --scheduler plateau --patience 10 --factor 0.5 --threads 1 --resume)
mkdir -p "$R" "$D"

sampler_args() {  # $1 = run name
  case "$1" in
    uniform) echo "--sampler uniform --samples 1" ;;
    deiso)   echo "--sampler deiso" ;;
    mc3)     echo "--sampler uniform --samples 3" ;;
    fairnas) echo "--sampler fairnas" ;;
    *) echo "unknown run $1" >&2; exit 2 ;;
  esac
}

train_seed() {  # $1 = seed
  for run in $RUNS; do
    # shellcheck disable=SC2046
    "${NASLENS[@]}" oneshot train --out "$R/$run/s$1" $(sampler_args "$run") --seed "$1" "${COMMON[@]}"
  done
}

if [[ $STEP == all || $STEP == train ]]; then
  for seed in $SEEDS; do train_seed "$seed" > "$R/train-s$seed.log" 2>&1 & done
  wait
fi
if [[ $STEP == all || $STEP == score ]]; then
  for run in $RUNS; do
    for seed in $SEEDS; do
      # SCORE_EPOCHS="40 80 120" scores only those checkpoints (rerun without it later to add the others)
      ckpts=("$R/$run/s$seed")
      if [[ -n ${SCORE_EPOCHS:-} ]]; then
        ckpts=(); for e in $SCORE_EPOCHS; do ckpts+=("$(printf '%s/%s/s%s/epoch-%04d.pt' "$R" "$run" "$seed" "$e")"); done
      fi
      "${NASLENS[@]}" oneshot score $(printf -- '--checkpoints %s ' "${ckpts[@]}") --store "$R/$run/store" \
        --archs "gt:$GT" --n-batches 4 --batch-size 256 --bn-mode train --threads 1 &
    done
    wait
    "${NASLENS[@]}" oneshot combine --store "$R/$run/store" --kind seeds
    # temporal ensemble: each checkpoint's scores averaged with its 2 predecessors' (same supernet), per seed;
    # only with every checkpoint scored (a window over a subset would span other epochs)
    if [[ -z ${SCORE_EPOCHS:-} ]]; then
      # shellcheck disable=SC2046
      "${NASLENS[@]}" oneshot combine --store "$R/$run/store" --kind savg --k 3 $(printf -- '--seed %s ' $SEEDS)
    fi
  done
fi
if [[ $STEP == all || $STEP == evaluate ]]; then
  for run in $RUNS; do
    # every one-shot estimator the store holds (oneshot_acc/loss, @seeds, @savg3 where computed)
    stored=$(${PY:-.venv/bin/python} -c 'import sys; from naslens.store import ScoreStore
with ScoreStore(sys.argv[1], create=False) as st: print(",".join(sorted(set(st.table().estimator))))' "$R/$run/store")
    "${NASLENS[@]}" evaluate -g "$GT" -d fashion-mnist -s all --k 0.05 --show-k 0.05 \
      -e "params,relu,$stored" --store "$R/$run/store" -o "$D/oneshot-$run"
  done
fi
if [[ $STEP == all || $STEP == gradcos ]]; then
  # per-layer gradient cosine of the same 50 random architecture pairs on one validation batch, last checkpoint
  mkdir -p "$R/gradcos"
  for run in $RUNS; do
    for seed in $SEEDS; do
      "${NASLENS[@]}" oneshot gradcos --checkpoint "$(printf '%s/%s/s%s/epoch-%04d.pt' "$R" "$run" "$seed" "$EPOCHS")" \
        --out "$R/gradcos/$run-s$seed.csv" --pairs 50 --batch-size 256 --seed 0 --device cpu &
    done
    wait
  done
fi
if [[ $STEP == all || $STEP == report ]]; then
  ${PY:-.venv/bin/python} scripts/oneshot_trend.py --runs "$(echo "$RUNS" | tr ' ' ',')" \
    --results "$D" --runs-dir "$R" --out "$D/oneshot-trend.md"
fi
