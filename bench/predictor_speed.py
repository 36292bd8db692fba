"""Predictor speed: fit on 78 NB201 architectures with the defaults (200 epochs for neural predictors) and score all
15,625, on one CPU thread, for every registered predictor.

Printed, per predictor: CPU seconds (process clock; with one thread it is the compute time and barely moves when
other jobs share the machine) of the fit, of scoring the whole space, and of both, against the 60 CPU-s target;
wall seconds beside them; and the total as a ratio of a baseline measured in the same run: a scikit-learn random
forest (100 trees, ``random_state`` 0) fitted on the one-hot encoding of the same 78 architectures and predicting
the whole space (the random-forest fit of the predictor studies, so the ratios carry over between machines).
Figures only, no assertions.

Targets: the CIFAR-10 test accuracy of ``nb201-200ep`` when the shared data is there, else a synthetic target (the
number of 3×3-conv edges plus noise; the fit's cost does not depend on the values).

    python bench/predictor_speed.py                   # every registered predictor
    python bench/predictor_speed.py --predictors mlp --epochs 50
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np
import torch
from sklearn.ensemble import RandomForestRegressor

from naslens.estimators.predictors import create_predictor, list_predictors
from naslens.predictor_data import train_set
from naslens.spaces import get_space

TARGET_CPU_S = 60.0


def _targets(space, keys: list[str]) -> tuple[np.ndarray, str]:
    try:
        from naslens.benchmarks import load_ground_truth

        gt = load_ground_truth("nb201-200ep")
        series = gt.values[gt.metric_for("cifar10")]
        return np.array([float(series[k]) for k in keys]), "nb201-200ep cifar10 test accuracy"
    except (ValueError, KeyError, FileNotFoundError):
        rng = np.random.default_rng(0)
        conv3 = space.info.choices[0].index("nor_conv_3x3") if "nor_conv_3x3" in space.info.choices[0] else 0
        y = np.array([float((space.encode(space.parse(k), "codes") == conv3).sum()) for k in keys])
        return y + rng.normal(0, 0.1, len(keys)), "synthetic (3x3-conv edges + noise)"


def _timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--predictors", default="all", help="comma-separated names or 'all'")
    ap.add_argument("--n-train", type=int, default=78)
    ap.add_argument("--epochs", type=int, default=None, help="override the neural predictors' epochs (default theirs)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    space = get_space("nb201")
    archs = list(space.enumerate())
    keys = [space.key(a) for a in archs]
    train_keys = train_set(keys, args.n_train, 0)
    index = {k: i for i, k in enumerate(keys)}
    train_archs = [archs[index[k]] for k in train_keys]
    y, y_name = _targets(space, train_keys)
    known = list_predictors()
    names = list(known) if args.predictors == "all" else [n.strip() for n in args.predictors.split(",")]
    print(f"{len(train_keys)} training architectures (set 0), scoring {len(archs)}; targets: {y_name}; torch threads 1")

    def baseline():
        x_all = np.stack([np.asarray(space.encode(a, "onehot"), dtype=np.float32).reshape(-1) for a in archs])
        rf = RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1)
        rf.fit(x_all[[index[k] for k in train_keys]], y)
        return rf.predict(x_all)

    _, base_cpu, base_wall = _timed(baseline)
    print(
        f"baseline (sklearn random forest, 100 trees, one-hot; fit + predict all): {base_cpu:.2f} CPU-s, "
        f"{base_wall:.2f} s wall"
    )
    print(
        f"{'predictor':<19}{'kind':<8}{'fit CPU-s':>10}{'score CPU-s':>12}{'total CPU-s':>12}{'wall s':>9}"
        f"{'vs 60 CPU-s':>12}{'x baseline':>11}"
    )
    for name in names:
        params = {"epochs": args.epochs} if args.epochs and known[name].kind == "neural" else {}
        try:
            p = create_predictor(name, space="nb201", random_state=0, **params)
            _, fit_cpu, fit_wall = _timed(lambda p=p: p.fit(train_archs, y))
            pred, score_cpu, score_wall = _timed(lambda p=p: p.predict(archs))
        except (ValueError, RuntimeError, OSError) as e:  # e.g. a feature model whose store is not there
            print(f"{name:<19}{known[name].kind:<8} skipped: {e}")
            continue
        total = fit_cpu + score_cpu
        verdict = "under" if total <= TARGET_CPU_S else "OVER"
        bad = int((~np.isfinite(pred)).sum())
        print(
            f"{name:<19}{known[name].kind:<8}{fit_cpu:>10.2f}{score_cpu:>12.2f}{total:>12.2f}"
            f"{fit_wall + score_wall:>9.2f}{verdict:>12}{total / base_cpu:>11.1f}"
            + (f"  ({bad} non-finite predictions)" if bad else "")
        )


if __name__ == "__main__":
    main()
