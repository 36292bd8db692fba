"""Loader of the NAS-Bench-Macro table (``nb-macro/nas_bench_macro_cifar10.json``) into a :class:`GroundTruth`.

The file (public repository xiusu/NAS-Bench-Macro) holds, for each of the 6,561 architectures keyed by its
8-digit choice string, ``test_acc`` (three independent trainings), ``mean_acc``, ``std``, ``params`` and ``flops``.
What the numbers are, from the benchmark's ``train/train.py``: CIFAR-10, 50 epochs, SGD (lr 0.1, momentum 0.9,
weight decay 5e-4, batch 256, cosine schedule), seeds 0, 1, 2; each run's value is the **best test accuracy over
the 50 epochs** (selected on the test set). Only the 3,969 isomorphism-class normal forms were trained
(``train_benchmark.py`` trains ``get_real_arch(arch)``); every other architecture carries its class's numbers, so
``all`` counts each class as many times as it has members — prefer ``--subset deiso``.

Columns: ``cifar10`` (mean of the three runs), ``cifar10-run0`` … ``cifar10-run2`` (each run) and ``cifar10-std``
(the standard deviation over the runs, as stored; not an accuracy — do not rank by it). ``extra`` records the
seed-to-seed Kendall τ of the runs over the 3,969 classes, with a bootstrap interval, like a naslens-built ground
truth.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from naslens.benchmarks.ground_truth import GroundTruth, GroundTruthError, MetricInfo, Source, sha256_file
from naslens.benchmarks.noise import seed_tau, seed_taus

ORIGIN = "xiusu/NAS-Bench-Macro (CVPR 2021, Prioritized Architecture Sampling with Monte-Carlo Tree Search)"
N_RUNS = 3
EPOCHS = 50
BOOTSTRAP_RESAMPLES = 200
"""Resamples of the seed-to-seed τ interval of runs 0 and 1 (computed at load time over 3,969 classes: kept small,
~0.4 s; the other pairs get τ only)."""


def load_nb_macro(path: str | os.PathLike[str]) -> GroundTruth:
    """Read the NAS-Bench-Macro JSON file (see the module docstring for what each column is).

    Raises:
        GroundTruthError: the file is not that table (bad JSON, a malformed key, a missing field, a wrong number
            of runs), naming the architecture.
    """
    from naslens.spaces import get_space

    p = Path(path)
    try:
        doc = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError) as e:
        raise GroundTruthError(f"{p}: cannot read ({e})") from e
    except json.JSONDecodeError as e:
        raise GroundTruthError(f"{p}: not valid JSON ({e})") from e
    if not isinstance(doc, dict) or not doc:
        raise GroundTruthError(f"{p}: expected an object keyed by 8-digit architecture strings")
    space = get_space("nb-macro")
    keys: list[str] = []
    runs = np.empty((len(doc), N_RUNS), dtype=np.float64)
    mean = np.empty(len(doc), dtype=np.float64)
    std = np.empty(len(doc), dtype=np.float64)
    for i, (k, rec) in enumerate(doc.items()):
        try:
            keys.append(space.key(space.parse(str(k))))
            accs = [float(a) for a in rec["test_acc"]]
            if len(accs) != N_RUNS:
                raise ValueError(f"{len(accs)} runs in test_acc, expected {N_RUNS}")
            runs[i] = accs
            mean[i] = float(rec["mean_acc"])
            std[i] = float(rec["std"])
        except (ValueError, KeyError, TypeError) as e:
            raise GroundTruthError(f"{p}: architecture {k!r}: {type(e).__name__}: {e}") from None
    if not np.allclose(mean, runs.mean(axis=1), atol=1e-6, equal_nan=True):
        bad = int(np.argmax(~np.isclose(mean, runs.mean(axis=1), atol=1e-6)))
        raise GroundTruthError(f"{p}: mean_acc of {keys[bad]} is not the mean of its test_acc runs")
    index = pd.Index(keys, name="arch")
    values = pd.DataFrame({"cifar10": runs.mean(axis=1)}, index=index)
    best = "best test accuracy over the 50 epochs (selected on the test set)"
    metrics = {
        "cifar10": MetricInfo("cifar10", "test", EPOCHS, "mean over 3 runs (seeds 0, 1, 2)", description=best),
    }
    for r in range(N_RUNS):
        values[f"cifar10-run{r}"] = runs[:, r]
        metrics[f"cifar10-run{r}"] = MetricInfo(
            f"cifar10-run{r}", "test", EPOCHS, f"run {r} only (seed {r})", description=best
        )
    values["cifar10-std"] = std
    metrics["cifar10-std"] = MetricInfo(
        "cifar10-std", "test", EPOCHS, "standard deviation over 3 runs", unit="accuracy % (std)",
        description="spread of the runs, as stored in the file; not an accuracy",
    )  # fmt: skip
    classes: dict[object, str] = {}
    for k in keys:
        classes.setdefault(space.canonical(space.parse(k)), k)
    per_class = pd.DataFrame(runs, index=index).loc[list(classes.values())]
    first_tau, _, ci = seed_tau(per_class, 0, 1, n_boot=BOOTSTRAP_RESAMPLES)
    taus = seed_taus(per_class, n_boot=0)
    taus["0-1"]["ci95"] = ci
    extra = {
        "default_metric": "cifar10",
        "origin": ORIGIN,
        "training": {"dataset": "cifar10", "epochs": EPOCHS, "optimizer": "SGD lr 0.1 momentum 0.9 wd 5e-4",
                     "batch_size": 256, "schedule": "cosine", "seeds": [0, 1, 2],
                     "value": "best test accuracy over epochs"},
        "trained_classes": len(classes),
        "seed_to_seed_over": f"the {len(classes)} isomorphism classes (one row each)",
        "seed_to_seed_kendall_tau": first_tau,
        "seed_to_seed_kendall_tau_ci95": ci,
        "seed_to_seed_kendall_tau_pairs": taus,
        "seed_to_seed_bootstrap_resamples": BOOTSTRAP_RESAMPLES,
    }  # fmt: skip
    src = Source(str(p), sha256_file(p), "nb-macro-cifar10", ORIGIN)
    return GroundTruth("nb-macro", values, metrics, src, extra)
