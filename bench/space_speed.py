"""Speed of whole-space operations on every built-in space, and the overhead of the generic layers.

Prints milliseconds per operation (best of N; no assertions). Run: ``.venv/bin/python bench/space_speed.py``.
Targets (issue #11): building the cost table (``complexity``) of all 6,561 NAS-Bench-Macro architectures < 2 s; the
generic layers add no per-architecture overhead over calling the space directly: the ratio
``estimator / direct`` (the ``params`` estimator through the estimator registry vs ``space.complexity``) and
``plan / direct`` (the evaluation's subset plan vs the space's own class ids) are printed for each space.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np


def timed(label: str, fn: Callable[[], Any], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    print(f"  {label:<58s} {best * 1e3:9.2f} ms (best of {repeat})")
    return best


def bench_space(name: str) -> None:
    from naslens.estimators.base import create_estimator
    from naslens.selection import select_archs
    from naslens.spaces import get_space
    from naslens.subsets import plan_subset

    t = time.perf_counter()
    space = get_space(name)
    archs = space.enumerate()
    first = time.perf_counter() - t
    n = len(archs)
    print(f"{name}: {n:,} architectures (first enumerate() {first * 1e3:.1f} ms)")
    codes = space.codes_array()
    direct = timed(f"complexity(), {n:,} architecture objects", lambda: space.complexity(archs))
    timed(f"complexity(), {n:,} x {codes.shape[1]} code array", lambda: space.complexity(codes))
    timed(f"canonical() of {n:,}", lambda: [space.canonical(a) for a in archs])
    timed(f"key() + parse() of {n:,}", lambda: [space.parse(space.key(a)) for a in archs])
    timed("neighbors() of 1,000", lambda: [space.neighbors(a) for a in archs[:1000]])
    timed("select_archs(deiso, sample 1,000, seed 0)", lambda: select_archs(space, sample=1000, seed=0))
    est = create_estimator("params")
    generic = timed(f"estimator 'params' .score() of {n:,}", lambda: est.score(space, list(archs)))
    keys = [space.key(a) for a in archs]
    own = timed(f"space class ids of {n:,} (canonical)", lambda: np.unique([space.canonical(a) for a in archs]))
    plan = timed(f"plan_subset(deiso) of {n:,} keys", lambda: plan_subset(space, keys, "deiso"))
    print(f"  ratio estimator / direct complexity: {generic / direct:.2f}   plan / canonical: {plan / own:.2f}")


def main() -> None:
    from naslens.spaces import list_spaces

    for name in list_spaces():
        bench_space(name)


if __name__ == "__main__":
    main()
