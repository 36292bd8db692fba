#!/usr/bin/env bash
# Zero-shot scoring run behind docs/results/zeroshot-nb-macro.md. Resumable: rerun after a kill, nothing is recomputed.
# One worker, one torch thread (the shared 2-core machine). Store: runs/zeroshot-nb-macro (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
STORE=${STORE:-runs/zeroshot-nb-macro}
SAMPLE=${SAMPLE:-1000}                   # of the 3,969 classes; SAMPLE=3969 scores them all (~5 CPU-hours)
WORKERS=${WORKERS:-1}                    # worker processes (one torch thread each); 2 uses both cores
CHEAP=epe_nas,fisher,fisher_weighted,grad_norm,grasp,jacob_cov,l2_norm,log_synflow,nwot,plain,snip,synflow,zen
COMMON=(--space nb-macro --data cifar10 --dataset cifar10 --subset deiso --sample "$SAMPLE" --seed 0
        --batch-size 64 --n-batches 1 --store "$STORE")
mkdir -p "$STORE"
# 0. optional: refill the store from committed evaluation folders (runs/ does not survive between sessions), so that
#    only what they lack is computed: FROM_RESULTS=docs/results/zeroshot-nb-macro
if [ -n "${FROM_RESULTS:-}" ]; then
  # shellcheck disable=SC2086
  $PY scripts/store_from_results.py $FROM_RESULTS --store "$STORE"
fi
# 1. the cheap proxies, fused (the NB201 evidence's harness: one seeded batch of 64 CIFAR-10 images)
$PY -m naslens.cli_score --proxies "$CHEAP" "${COMMON[@]}"
# 2. linear_regions on the space's thin network (init_channels 4, head_channels 16)
$PY -m naslens.cli_score --proxies linear_regions "${COMMON[@]}"
# 3. the NTK proxies (one shared pass: 8 inputs x 10 outputs vector-Jacobian products; ~4.5 CPU-s per architecture)
$PY -m naslens.cli_score --proxies ntk,ntk_sumlogits --ntk-samples 8 "${COMMON[@]}" --workers "$WORKERS" --threads 1
# 4. the table (proxies not yet on all architectures get their own table, labelled partial)
$PY scripts/zeroshot_nb_macro.py --store "$STORE" --reading docs/results/zeroshot-nb-macro-reading.md
