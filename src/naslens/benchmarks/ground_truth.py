"""``GroundTruth``: benchmark performance of architectures, with the provenance of every number.

A ground truth is a table indexed by architecture key (the space's ``key(arch)``, for NB201 the benchmark
string) with one column per *metric*. Every metric carries a :class:`MetricInfo` saying which dataset, split,
number of training epochs and seed aggregation it is, and the whole table carries the source file and its
sha256. Ground-truth values are "higher is better" (accuracies).

naslens' own file format (``GroundTruth.save`` / ``GroundTruth.load``) is a single JSON document::

    {"format": "naslens-ground-truth/1", "space": "nb201", "source": {...}, "metrics": {name: MetricInfo},
     "columns": [metric names], "rows": [[arch_key, value, ...], ...], "extra": {...}}
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.types import UserError

FORMAT = "naslens-ground-truth/1"


class GroundTruthError(UserError, ValueError):
    """A ground-truth file or request is invalid; the message says what is wrong."""


@dataclass(frozen=True)
class MetricInfo:
    """What one ground-truth column measures."""

    dataset: str
    split: str
    epochs: int | None
    seed_aggregation: str
    unit: str = "accuracy %"
    description: str = ""


@dataclass(frozen=True)
class Source:
    """Where a ground truth came from."""

    path: str
    sha256: str
    loader: str
    origin: str = ""


@dataclass
class GroundTruth:
    """Ground-truth table: ``values`` (index = arch key, columns = metric names) plus provenance.

    Use :meth:`series` to get one metric, :meth:`metric_for` to pick the metric of a dataset, and
    :meth:`provenance` for the record naslens prints and writes next to every number.
    """

    space: str
    values: pd.DataFrame
    metrics: dict[str, MetricInfo]
    source: Source
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in self.values.columns if c not in self.metrics]
        if missing:
            raise GroundTruthError(f"columns without metric info: {missing}")
        if self.values.index.has_duplicates:
            dup = self.values.index[self.values.index.duplicated()][:3].tolist()
            raise GroundTruthError(f"duplicate architectures in ground truth: {dup}")
        cols = list(self.values.columns)
        data = numeric_columns(
            self.values, cols, self.source.path, rows=[f"architecture {k}" for k in self.values.index]
        )
        if any(self.values[c].dtype != np.float64 for c in cols):
            self.values = pd.DataFrame(data, index=self.values.index, columns=cols)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def keys(self) -> list[str]:
        return [str(k) for k in self.values.index]

    def metric_for(self, dataset: str | None = None, metric: str | None = None) -> str:
        """The column to use: ``metric`` if given, else the only column whose dataset is ``dataset``; with neither,
        the only column or the table's ``extra["default_metric"]``."""
        if metric is not None:
            if metric not in self.metrics:
                raise GroundTruthError(f"unknown metric {metric!r}; this ground truth has: {', '.join(self.metrics)}")
            return metric
        if dataset is None:
            if len(self.metrics) == 1:
                return next(iter(self.metrics))
            default = self.extra.get("default_metric")
            if default in self.metrics:
                return str(default)
            raise GroundTruthError(f"choose a dataset or metric; available metrics: {', '.join(self.metrics)}")
        ds = dataset.lower()
        matches = [m for m, info in self.metrics.items() if info.dataset.lower() == ds]
        if not matches:
            have = sorted({i.dataset for i in self.metrics.values()})
            raise GroundTruthError(f"no ground truth for dataset {dataset!r} in {self.source.path}; it has: {have}")
        if len(matches) > 1:
            raise GroundTruthError(f"several metrics for dataset {dataset!r}: {matches}; pick one with metric=")
        return matches[0]

    def series(self, metric: str) -> pd.Series:
        """Values of one metric, NaN where an architecture has no value."""
        return self.values[self.metric_for(metric=metric)]

    def provenance(self, metric: str) -> dict[str, Any]:
        """Everything needed to say which numbers these are."""
        info = self.metrics[self.metric_for(metric=metric)]
        return {
            "space": self.space,
            "metric": metric,
            **asdict(info),
            "source": asdict(self.source),
            "n_archs": int(self.values[metric].notna().sum()),
            **({"extra": self.extra} if self.extra else {}),
        }

    # ------------------------------------------------------------------ naslens JSON format
    def to_dict(self) -> dict[str, Any]:
        rows = [
            [str(k), *[_json_number(v) for v in row]]
            for k, row in zip(self.values.index, self.values.to_numpy(), strict=True)
        ]
        return {
            "format": FORMAT,
            "space": self.space,
            "source": asdict(self.source),
            "metrics": {k: asdict(v) for k, v in self.metrics.items()},
            "columns": list(self.values.columns),
            "rows": rows,
            "extra": self.extra,
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write atomically (temporary file, then rename)."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=None, separators=(",", ":")) + "\n")
        os.replace(tmp, p)
        return p

    @classmethod
    def from_dict(cls, doc: dict[str, Any], *, path: str = "<dict>", sha256: str = "") -> GroundTruth:
        if doc.get("format") != FORMAT:
            raise GroundTruthError(f"{path}: not a naslens ground-truth file (format {doc.get('format')!r})")
        try:
            columns = list(doc["columns"])
            rows = doc["rows"]
            keys = [r[0] for r in rows]
            for i, r in enumerate(rows):
                if len(r) != len(columns) + 1:
                    raise GroundTruthError(
                        f"{path}: rows[{i}] ({r[0]}) has {len(r) - 1} values for {len(columns)} columns"
                    )
            cells = pd.DataFrame([r[1:] for r in rows], columns=columns, dtype=object)
            where = [f"rows[{i}] ({k})" for i, k in enumerate(keys)]
            data = numeric_columns(cells, columns, path, rows=where)
            values = pd.DataFrame(data, index=pd.Index(keys, name="arch"), columns=columns)
            metrics = {k: MetricInfo(**v) for k, v in doc["metrics"].items()}
            src = doc.get("source", {})
        except GroundTruthError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise GroundTruthError(f"{path}: malformed naslens ground-truth file ({e})") from e
        source = Source(
            path=path, sha256=sha256 or src.get("sha256", ""), loader="naslens-json", origin=src.get("origin", "")
        )
        return cls(space=doc["space"], values=values, metrics=metrics, source=source, extra=doc.get("extra", {}))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> GroundTruth:
        p = Path(path)
        if not p.exists():
            raise GroundTruthError(f"ground-truth file not found: {p}")
        try:
            doc = json.loads(p.read_text())
        except json.JSONDecodeError as e:
            raise GroundTruthError(f"{p}: not valid JSON ({e})") from e
        return cls.from_dict(doc, path=str(p), sha256=sha256_file(p))

    def subset(self, keys: Sequence[str]) -> GroundTruth:
        """Rows for ``keys`` (in that order); unknown keys raise."""
        missing = [k for k in keys if k not in self.values.index]
        if missing:
            raise GroundTruthError(f"{len(missing)} architectures not in the ground truth, e.g. {missing[:3]}")
        return GroundTruth(self.space, self.values.loc[list(keys)], dict(self.metrics), self.source, dict(self.extra))


def numeric_columns(
    frame: pd.DataFrame, columns: Sequence[str], where: str, *, rows: Sequence[str] | None = None, first_row: int = 2
) -> np.ndarray:
    """``frame[columns]`` as a float64 array, every cell checked: text, a boolean or ±inf is a
    :class:`GroundTruthError` naming the file, the row and the column. Empty cells, ``None`` and NaN stay NaN
    (architectures without a value: allowed, and counted where the ground truth is used).

    Args:
        frame: the table as read.
        columns: the value columns.
        where: the file (for the message).
        rows: how to name each row (default: ``row <file line>``, the line of a CSV with one header line).
        first_row: file line of the first row (for the default names).

    Example:
        >>> numeric_columns(pd.DataFrame({"acc": [93.1, None]}), ["acc"], "gt.csv").tolist()
        [[93.1], [nan]]
        >>> numeric_columns(pd.DataFrame({"acc": [93.1, "n/a"]}), ["acc"], "gt.csv")
        Traceback (most recent call last):
        ...
        naslens.benchmarks.ground_truth.GroundTruthError: gt.csv: row 3, column 'acc': 'n/a' is not a number
    """
    out = np.empty((len(frame), len(columns)), dtype=np.float64)
    for j, c in enumerate(columns):
        col = frame[c]
        if pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(col.dtype):
            coerced = pd.to_numeric(col.map(lambda v: np.nan if isinstance(v, bool) else v), errors="coerce")
            bad = np.flatnonzero(coerced.isna().to_numpy() & col.notna().to_numpy())
            vals = coerced.to_numpy(np.float64)
        else:
            vals = col.to_numpy(np.float64)
            bad = np.array([], dtype=np.int64)
        inf = np.flatnonzero(np.isinf(vals))
        first = min([*bad[:1].tolist(), *inf[:1].tolist()], default=None)
        if first is not None:
            name = rows[first] if rows is not None else f"row {first + first_row}"
            n_bad = len(bad) + len(inf)
            more = f" ({n_bad} such cells in this column)" if n_bad > 1 else ""
            raise GroundTruthError(f"{where}: {name}, column {c!r}: {_shown(col.iloc[first])} is not a number{more}")
        out[:, j] = vals
    return out


def _shown(v: Any) -> str:
    """A cell as the message shows it (``inf``, ``'abc'``, ``True``; numpy scalars as plain Python)."""
    return repr(v.item() if isinstance(v, np.generic) else v)


def _json_number(v: Any) -> float | None:
    f = float(v)
    return None if math.isnan(f) else f


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
