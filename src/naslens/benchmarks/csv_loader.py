"""A ground truth a user writes by hand: a plain CSV of architectures and accuracies.

The format stays an ordinary CSV (a spreadsheet or ``pandas.read_csv`` reads it as is)::

    space,arch,accuracy
    nb201,|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|,94.1
    nb201,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,10.0

- A header line is required. Required columns: ``space`` (a registered search space, the same on every row),
  ``arch`` (any text the space's ``parse`` reads: for ``nb201`` the benchmark string, for ``nb-macro`` the 8-digit
  code) and ``accuracy``.
- Optional: a ``dataset`` column (the same on every row; default ``unknown``) naming what the accuracies were
  measured on, and further numeric columns, each another metric (higher is better, like ``accuracy``).
- A value may be empty or ``nan`` (the architecture has no value for that metric; counted in
  ``extra["n_missing"]``); anything else that is not a finite number is refused, naming the line and the column.
  An architecture given twice (in any spelling of it) is refused, naming both lines.

Every metric records dataset (the ``dataset`` column or ``unknown``), split ``unknown``, epochs ``None``; the
provenance is the file's path and sha256.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.benchmarks.ground_truth import GroundTruth, GroundTruthError, MetricInfo, Source, sha256_file
from naslens.types import UserError

LOADER = "naslens-csv"
REQUIRED = ("space", "arch", "accuracy")
"""Columns every hand-written ground truth has."""
TEXT_COLUMNS = ("space", "arch", "dataset")
"""Columns that are not metrics."""
MISSING = ("", "nan", "NaN", "NAN")
"""Cell texts read as "no value"."""


def is_plain_csv_header(header: str) -> bool:
    """Whether the first line of a CSV names the columns of this format (it has an ``arch`` column)."""
    try:
        names = next(csv.reader([header]))
    except (csv.Error, StopIteration):
        return False
    return "arch" in {n.strip() for n in names}


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` of every non-blank record (line numbers of the file, 1-based)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise GroundTruthError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((start, [c.strip() for c in cells]))
            start = reader.line_num + 1
    except csv.Error as e:
        raise GroundTruthError(f"{path}, line {reader.line_num}: not valid CSV ({e})") from None
    return rows


def _header(path: Path, rows: list[tuple[int, list[str]]]) -> list[str]:
    if not rows:
        raise GroundTruthError(f"{path}: empty file; expected a header line such as 'space,arch,accuracy'")
    line, names = rows[0]
    if "arch" not in names:
        raise GroundTruthError(
            f"{path}, line {line}: the first line must be a header naming the columns, e.g. 'space,arch,accuracy' "
            f"(got {','.join(names)[:120]!r})"
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise GroundTruthError(f"{path}, line {line}: header lacks required column(s) {', '.join(missing)}")
    if "" in names:
        raise GroundTruthError(f"{path}, line {line}: header has an empty column name (column {names.index('') + 1})")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise GroundTruthError(f"{path}, line {line}: column(s) {', '.join(dup)} named twice in the header")
    return names


def _number(text: str, path: Path, line: int, column: str) -> float:
    if text in MISSING:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise GroundTruthError(f"{path}, line {line}, column {column!r}: {text!r} is not a number") from None
    if math.isinf(value):
        raise GroundTruthError(f"{path}, line {line}, column {column!r}: {text!r} is not a finite number")
    return value


def _constant(values: dict[int, str], column: str, path: Path) -> str:
    """The one value of a column that must be the same on every row (the message names a differing line)."""
    first_line = min(values)
    first = values[first_line]
    if not first:
        raise GroundTruthError(f"{path}, line {first_line}, column {column!r}: empty")
    for line, v in values.items():
        if v != first:
            raise GroundTruthError(
                f"{path}, line {line}, column {column!r}: {v!r} differs from {first!r} (line {first_line}); "
                "one file holds one space and one dataset"
            )
    return first


def load_plain_csv(path: str | os.PathLike[str]) -> GroundTruth:
    """Read a hand-written ground truth (the module docstring describes the format).

    Raises:
        GroundTruthError: the file breaks the format; the message names the line (and column) where.
    """
    from naslens.spaces import get_space

    p = Path(path)
    rows = _read_rows(p)
    names = _header(p, rows)
    body = rows[1:]
    if not body:
        raise GroundTruthError(f"{p}: header only, no architectures")
    for line, cells in body:
        if len(cells) != len(names):
            raise GroundTruthError(f"{p}, line {line}: {len(cells)} fields, but the header has {len(names)}")
    col = {n: i for i, n in enumerate(names)}
    space_name = _constant({line: cells[col["space"]] for line, cells in body}, "space", p)
    try:
        space = get_space(space_name)
    except (KeyError, UserError) as e:
        raise GroundTruthError(f"{p}, line {body[0][0]}, column 'space': {str(e).strip(chr(34) + chr(39))}") from None
    dataset = "unknown"
    if "dataset" in col:
        dataset = _constant({line: cells[col["dataset"]] for line, cells in body}, "dataset", p)
    metrics = [n for n in names if n not in TEXT_COLUMNS]
    keys: list[str] = []
    seen: dict[str, int] = {}
    values = np.empty((len(body), len(metrics)), dtype=np.float64)
    for r, (line, cells) in enumerate(body):
        text = cells[col["arch"]]
        try:
            key = space.key(space.parse(text))
        except (ValueError, KeyError, TypeError) as e:
            raise GroundTruthError(f"{p}, line {line}, column 'arch': {e}") from None
        if key in seen:
            raise GroundTruthError(f"{p}: lines {seen[key]} and {line} are the same architecture ({key})")
        seen[key] = line
        keys.append(key)
        values[r] = [_number(cells[col[m]], p, line, m) for m in metrics]
    table = pd.DataFrame(values, index=pd.Index(keys, name="arch"), columns=metrics)
    info = {
        m: MetricInfo(
            dataset=dataset,
            split="unknown",
            epochs=None,
            seed_aggregation="unknown",
            unit="as written",
            description=f"column {m!r} of {p.name}",
        )
        for m in metrics
    }
    extra: dict[str, Any] = {
        "default_metric": "accuracy",
        "n_missing": {m: int(np.isnan(values[:, j]).sum()) for j, m in enumerate(metrics)},
    }
    source = Source(path=str(p), sha256=sha256_file(p), loader=LOADER, origin="hand-written CSV (space,arch,accuracy)")
    return GroundTruth(space=space.name, values=table, metrics=info, source=source, extra=extra)
