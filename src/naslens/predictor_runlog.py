"""Resumable records of finished predictor runs: one JSON line per run, appended and fsynced.

A killed run loses at most the run in progress: a line is written in one ``write`` followed by ``fsync``, and a
last line cut short by a kill (no trailing newline, or not valid JSON) is dropped, and cut off the file, when the log
is opened again. A bad line before the last one is not a torn append but a damaged file: it is refused
(:class:`RunLogError`, naming the file and the line) and nothing is cut. Tables derived from the log are rewritten
whole (:func:`atomic_write`: write a temporary file, then rename it over the old one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from naslens.types import UserError


class RunLogError(UserError, ValueError):
    """A run log damaged before its last line (a torn append only ever leaves a bad last line)."""


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (readers never see half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


class RunLog:
    """The JSON-lines log at ``path`` (created on the first :meth:`append`).

    Example:
        >>> import tempfile
        >>> log = RunLog(Path(tempfile.mkdtemp()) / "runs.jsonl")
        >>> log.append({"run": [1, 2], "value": 0.5})
        >>> with open(log.path, "a") as f:
        ...     _ = f.write('{"run": [3')  # a kill in the middle of a line
        >>> [r["run"] for r in RunLog(log.path)]
        [[1, 2]]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._records: list[dict[str, Any]] = []
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        data = self.path.read_bytes()
        lines = data.splitlines(keepends=True)
        good = 0
        for number, line in enumerate(lines, start=1):
            try:
                rec = json.loads(line) if line.endswith(b"\n") else None
            except (json.JSONDecodeError, UnicodeDecodeError):
                rec = None
            if not isinstance(rec, dict):
                if number == len(lines):
                    break  # a torn append (a kill while writing): dropped and cut off below
                raise RunLogError(
                    f"{self.path}:{number}: not a JSON record (of {len(lines)} lines; only a cut-short last line is "
                    "repaired): the log is damaged; restore it or use another --out folder"
                )
            self._records.append(rec)
            good += len(line)
        if good < len(data):  # a partial or corrupt last line: cut it off so the next line starts clean
            with open(self.path, "r+b") as f:
                f.truncate(good)
                f.flush()
                os.fsync(f.fileno())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as one line, durably (flush + fsync)."""
        line = json.dumps(record, sort_keys=True, default=_default, allow_nan=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        self._records.append(json.loads(line))
