"""The CSV files of a supernet training run (``history.csv``, ``forgetting.csv``): written whole or appended in
one write, and cut back to an epoch on resume, so a killed run never leaves a row twice."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any


def write_history(path: Path, history: list[dict[str, Any]]) -> None:
    if not history:
        return
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(history[0]))
        w.writeheader()
        w.writerows(history)
    tmp.replace(path)


def append_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Append one epoch's rows with a single write (completed if short) and fsync: a kill leaves either the whole
    block or a torn last line, which :func:`drop_rows_from` removes on resume."""
    if not rows:
        return
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    if not path.exists() or path.stat().st_size == 0:
        w.writeheader()
    w.writerows(rows)
    view = memoryview(buf.getvalue().encode())
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def drop_rows_from(path: Path, epoch: int) -> None:
    """Keep only the complete rows of epochs before ``epoch`` (rows of an epoch whose checkpoint was never written
    would otherwise be appended twice after ``--resume``); rewrites the file atomically."""
    if not path.exists():
        return
    lines = path.read_text().splitlines(keepends=True)
    if not lines or not lines[0].endswith("\n"):
        path.unlink()
        return
    fields = next(csv.reader([lines[0]]))
    col = fields.index("epoch")
    keep = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader([line]), [])
        if line.endswith("\n") and len(row) == len(fields) and int(row[col]) < epoch:
            keep.append(line)
    if len(keep) == len(lines):
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(keep))
    tmp.replace(path)
