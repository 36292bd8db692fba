"""Resolve a ground-truth spec (a registered name or a file path) to a :class:`GroundTruth`."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from naslens.benchmarks.csv_loader import is_plain_csv_header, load_plain_csv
from naslens.benchmarks.ground_truth import FORMAT, GroundTruth, GroundTruthError
from naslens.benchmarks.nb201_loaders import load_naslib_zc, load_nb201_12ep, load_nb201_200ep, load_nb201_naswot
from naslens.benchmarks.nb_macro_loader import load_nb_macro
from naslens.config import data_dir

NAMED: dict[str, tuple[str, Callable[[str | os.PathLike[str]], GroundTruth]]] = {
    "nb201-200ep": ("nb201/nats_tss_test_acc_200ep.csv", load_nb201_200ep),
    "nb201-12ep": ("nb201/nb201_12epoch_accs.csv", load_nb201_12ep),
    "nb201-naswot": ("nb201/nb201_naswot_scores_and_accs.csv", load_nb201_naswot),
    "naslib-zc-nb201": ("naslib-zc/zc_nasbench201.json", load_naslib_zc),
    "nb-macro-cifar10": ("nb-macro/nas_bench_macro_cifar10.json", load_nb_macro),
}
"""Ground truths read from the shared data folder, by name → (relative path, loader)."""

EMBEDDED: dict[str, str] = {
    "nb201-fmnist": "nb201-fmnist.json",
}
"""Ground truths shipped inside the package: name → resource file name under ``naslens/benchmarks/data``."""


def _embedded_path(name: str) -> Path:
    return Path(__file__).parent / "data" / EMBEDDED[name]


def available() -> list[str]:
    return sorted([*NAMED, *EMBEDDED])


def load_ground_truth(spec: str | os.PathLike[str], data: str | os.PathLike[str] | None = None) -> GroundTruth:
    """Load a ground truth by name (see :func:`available`) or from a file, detecting its format: naslens' JSON, the
    benchmark files of the shared data folder, or a hand-written CSV (``space,arch,accuracy[,dataset][,metric…]``;
    see :mod:`naslens.benchmarks.csv_loader`).

    Example:
        >>> gt = load_ground_truth("nb201-200ep")              # doctest: +SKIP
        >>> gt.metric_for("cifar100"), len(gt)                 # doctest: +SKIP
        ('cifar100', 15625)
    """
    s = str(spec)
    if s in EMBEDDED:
        return GroundTruth.load(_embedded_path(s))
    if s in NAMED:
        rel, loader = NAMED[s]
        path = data_dir(data) / rel
        if not path.exists():
            raise GroundTruthError(
                f"ground truth {s!r} needs {path}, which does not exist; set NASLENS_DATA or --data-dir to the folder "
                "holding the shared benchmark data"
            )
        return loader(path)
    p = Path(s)
    try:
        exists = p.exists()
    except (OSError, ValueError):  # what cannot be a path (too long a name, a NUL byte) is no file either
        exists = False
    if not exists:
        raise GroundTruthError(f"{s!r} is neither a known ground truth ({', '.join(available())}) nor an existing file")
    return _load_file(p)


def _load_file(p: Path) -> GroundTruth:
    if p.suffix == ".json":
        try:
            with open(p) as f:
                head = f.read(4096)
        except OSError as e:
            raise GroundTruthError(f"cannot read {p}: {e}") from e
        if FORMAT in head:
            return GroundTruth.load(p)
        if '"nasbench201"' in head:
            return load_naslib_zc(p)
        if '"test_acc"' in head and '"mean_acc"' in head:
            return load_nb_macro(p)
        try:
            json.loads(p.read_text())
        except json.JSONDecodeError as e:
            raise GroundTruthError(f"{p}: not valid JSON ({e})") from e
        raise GroundTruthError(f"{p}: JSON of an unknown ground-truth format")
    if p.suffix == ".csv":
        try:
            with p.open(encoding="utf-8-sig") as f:
                header = f.readline()
        except UnicodeDecodeError as e:
            raise GroundTruthError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
        if "CIFAR10TestAccuracy200Epochs" in header:
            return load_nb201_200ep(p)
        if "cifar10-test" in header and "cellstr" in header:
            return load_nb201_12ep(p)
        if "test_top1" in header:
            return load_nb201_naswot(p)
        if not header.strip() or is_plain_csv_header(header):  # an empty file: the plain loader says what is missing
            return load_plain_csv(p)
        raise GroundTruthError(
            f"{p}: CSV of an unknown ground-truth format (header: {header.strip()[:200]}); a hand-written ground "
            "truth needs the header 'space,arch,accuracy' (see README, 'Bring your own ground truth')"
        )
    raise GroundTruthError(f"{p}: unknown ground-truth file type (expected .json or .csv)")
