"""Progress of long loops, on a terminal and in a log: one mechanism for every command.

On a terminal (stderr is a TTY) a rich progress bar is drawn. Otherwise (``naslens score ... > log 2>&1``, a batch
job) a plain line is written to stderr after the first item — what one item cost and what the whole run will cost
at that rate — and then every ``every_s`` seconds and at the end, with the count, the rate and the time left.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> with Tracker(3, "scoring", stream=out, every_s=0.0) as t:
    ...     for _ in range(3):
    ...         t.advance()
    >>> out.getvalue().splitlines()[0].startswith("scoring: 1/3")
    True
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO


def _fmt(seconds: float) -> str:
    s = round(seconds)
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


class Tracker:
    """Count ``total`` items done (``advance``); draw a bar on a terminal, log lines elsewhere.

    Args:
        total: items to do in this call (already-done items are given as ``done``).
        label: what is being done (``scoring``, ``training``).
        done: items already done before this call (counted in the display, not in the rate).
        enabled: ``False``: show nothing.
        stream: where log lines go (default stderr); a stream that is not a terminal gets log lines.
        every_s: seconds between log lines.
    """

    def __init__(
        self,
        total: int,
        label: str,
        *,
        done: int = 0,
        enabled: bool = True,
        stream: TextIO | None = None,
        every_s: float = 60.0,
        note: str = "",
    ) -> None:
        self.total, self.label, self.done0, self.enabled = total, label, done, enabled
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = every_s
        self.note = note
        self.count = 0
        self._bar: Any = None
        self._task: Any = None
        self._t0 = 0.0
        self._last = 0.0

    def __enter__(self) -> Tracker:
        self._t0 = self._last = time.perf_counter()
        if not self.enabled:
            return self
        if getattr(self.stream, "isatty", lambda: False)():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn(f"[bold]{self.label}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn(self.note, markup=False),
                console=Console(file=self.stream),
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=self.total + self.done0, completed=self.done0)
        return self

    def advance(self, n: int = 1) -> None:
        self.count += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.advance(self._task, n)
            return
        now = time.perf_counter()
        if self.count == n or now - self._last >= self.every_s or self.count >= self.total:
            self._last = now
            self._log(now)

    def _log(self, now: float) -> None:
        elapsed = now - self._t0
        per = elapsed / max(self.count, 1)
        left = per * (self.total - self.count)
        line = f"{self.label}: {self.count + self.done0}/{self.total + self.done0}"
        if self.count == 1 and self.total > 1:
            line += f" — {per:.2f} s per item here, ≈ {_fmt(per * self.total)} for the {self.total} to do"
        else:
            line += f", {per:.2f} s/item, elapsed {_fmt(elapsed)}, left ≈ {_fmt(left)}"
        if self.note:
            line += f" ({self.note})"
        print(line, file=self.stream, flush=True)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
