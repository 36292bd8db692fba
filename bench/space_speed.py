"""Speed of whole-space NB201 operations: analytic complexity, canonical keys, evaluation.

Prints seconds per operation (no assertions). Run: ``.venv/bin/python bench/space_speed.py``.
Target (issue #2): complexity of all 15,625 architectures in well under a second.
"""

from __future__ import annotations

import time

from naslens.spaces import get_space
from naslens.spaces.nb201 import canonical


def timed(label: str, fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<55s} {best * 1e3:9.2f} ms (best of {repeat})")
    return best


def main() -> None:
    space = get_space("nb201")
    archs = space.enumerate()
    codes = space.codes_array()
    timed("complexity(), 15,625 Arch objects", lambda: space.complexity(archs))
    timed("complexity(), 15,625 x 6 op-code array", lambda: space.complexity(codes))
    timed("canonical() of 15,625 architectures", lambda: [canonical(a) for a in archs])
    timed("neighbors() of 1,000 architectures", lambda: [space.neighbors(a) for a in archs[:1000]])


if __name__ == "__main__":
    main()
