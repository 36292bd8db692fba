#!/usr/bin/env bash
# Zero-shot scoring runs behind docs/results/zeroshot-nb201.md. Resumable: rerun the same line after a kill.
# One worker, one torch thread (the shared 2-core machine). Store: runs/zeroshot (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
STORE=${STORE:-runs/zeroshot}            # 1,000 de-isomorphic architectures, batch 64 (zero-cost-nas's harness)
NASLIB_STORE=${NASLIB_STORE:-runs/zeroshot-naslib}  # NAS-Bench-Suite-Zero architectures, batch 32 (NASLib's harness)
COMMON=(--space nb201 --data cifar10 --dataset cifar10 --n-batches 1 --seed 0 --quiet)
CHEAP=epe_nas,fisher,fisher_weighted,grad_norm,grasp,jacob_cov,l2_norm,linear_regions,log_synflow,nwot,plain,snip,synflow,zen
mkdir -p "$STORE" "$NASLIB_STORE"
NASLIB=("${COMMON[@]}" --batch-size 32 --store "$NASLIB_STORE" --archs "$NASLIB_STORE/naslib_archs.txt")
DEISO=("${COMMON[@]}" --batch-size 64 --store "$STORE" --subset deiso --sample 1000)

# 1. the 491 NAS-Bench-Suite-Zero architectures (cross-check against NASLib's own scores): a seeded 250 first
$PY scripts/zeroshot_crosscheck.py archs --out "$NASLIB_STORE/naslib_archs.txt"
$PY -m naslens.cli_score --proxies "$CHEAP" "${NASLIB[@]}" --sample 250
# 2. a seeded sample of 1,000 de-isomorphic architectures, every proxy but the NTK ones
$PY -m naslens.cli_score --proxies "$CHEAP" "${DEISO[@]}"
# 3. the rest of the 491 (same configuration: the 250 already stored are skipped)
$PY -m naslens.cli_score --proxies "$CHEAP" "${NASLIB[@]}"
# 4. NTK proxies on the 1,000 (slowest: samples x outputs vector-Jacobian products per architecture)
$PY -m naslens.cli_score --proxies ntk,ntk_sumlogits --ntk-samples 8 "${DEISO[@]}"
