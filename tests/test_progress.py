"""Progress in a log: a cost estimate after the first item, then lines with the rate and the time left."""

from __future__ import annotations

import io

from naslens.progress import Tracker


def test_log_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    with Tracker(4, "scoring", done=6, stream=out, every_s=0.0, note="6 already in store") as t:
        for _ in range(4):
            t.advance()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("scoring: 7/10 — ") and "for the 4 to do" in lines[0]
    assert lines[-1].startswith("scoring: 10/10, ") and "left ≈ 0 s" in lines[-1] and "already in store" in lines[-1]


def test_quiet_and_throttled() -> None:
    out = io.StringIO()
    with Tracker(100, "x", stream=out, enabled=False) as t:
        t.advance(100)
    assert out.getvalue() == ""
    with Tracker(100, "x", stream=out, every_s=3600.0) as t:
        for _ in range(100):
            t.advance()
    assert len(out.getvalue().splitlines()) == 2  # the first item (cost estimate) and the last
