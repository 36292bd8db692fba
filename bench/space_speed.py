"""Speed of whole-space operations on every built-in space, and the overhead of the generic layers.

Prints milliseconds per operation (best of N; no assertions). Run: ``.venv/bin/python bench/space_speed.py``.
Targets (issue #11): building the cost table (``complexity``) of all 6,561 NAS-Bench-Macro architectures < 2 s; the
generic layers add no per-architecture overhead over today's NB201 path. For that, ``--baseline REV`` (default
``fe2670d``, the last commit before the space protocol) runs the same NB201 operations with the code of ``REV``
(``git archive`` into a temporary folder, a subprocess) in the same run and prints new / old per operation.
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


OLD_NB201 = """
import time, json
from naslens.spaces import get_space
from naslens.estimators.base import create_estimator
from naslens.subsets import plan_subset
def best(fn, repeat=5):
    out = float("inf")
    for _ in range(repeat):
        t = time.perf_counter(); fn(); out = min(out, time.perf_counter() - t)
    return out
space = get_space("nb201")
archs = space.enumerate()
keys = [space.key(a) for a in archs]
est = create_estimator("params", dataset="cifar10")
print(json.dumps({
    "complexity": best(lambda: space.complexity(archs, dataset="cifar10")),
    "canonical": best(lambda: [space.canonical(a) for a in archs]),
    "key+parse": best(lambda: [space.parse(space.key(a)) for a in archs]),
    "neighbors": best(lambda: [space.neighbors(a) for a in archs[:1000]]),
    "estimator": best(lambda: est.score(space, list(archs))),
    "plan_subset": best(lambda: plan_subset(space, keys, "deiso")),
}))
"""


def baseline(rev: str) -> dict[str, float]:
    """Seconds of the NB201 operations with the code of ``rev`` (best of 5 each)."""
    import json
    import os
    import subprocess
    import sys
    import tarfile
    import tempfile
    from io import BytesIO
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    blob = subprocess.run(["git", "archive", rev, "src"], cwd=root, capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(blob)) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        out = subprocess.run([sys.executable, "-c", OLD_NB201], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_nb201(rev: str) -> None:
    from naslens.estimators.base import create_estimator
    from naslens.spaces import get_space
    from naslens.subsets import plan_subset

    old = baseline(rev)
    space = get_space("nb201")
    archs = space.enumerate()
    keys = [space.key(a) for a in archs]
    net = space.net_config("cifar10")
    est = create_estimator("params", dataset="cifar10")
    new = {
        "complexity": timed("complexity", lambda: space.complexity(archs, **net)),
        "canonical": timed("canonical", lambda: [space.canonical(a) for a in archs]),
        "key+parse": timed("key+parse", lambda: [space.parse(space.key(a)) for a in archs]),
        "neighbors": timed("neighbors (1,000)", lambda: [space.neighbors(a) for a in archs[:1000]]),
        "estimator": timed("estimator params .score", lambda: est.score(space, list(archs))),
        "plan_subset": timed("plan_subset(deiso)", lambda: plan_subset(space, keys, "deiso")),
    }
    print(f"nb201, 15,625 architectures: this code vs {rev} (same machine, same run)")
    for k, v in new.items():
        print(f"  {k:<22s} new {v * 1e3:8.2f} ms   old {old[k] * 1e3:8.2f} ms   new/old {v / old[k]:5.2f}")


def main() -> None:
    import argparse

    from naslens.spaces import list_spaces

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline", default="fe2670d", help="git revision of the old NB201 path ('' to skip)")
    args = ap.parse_args()
    for name in list_spaces():
        bench_space(name)
    if args.baseline:
        compare_nb201(args.baseline)


if __name__ == "__main__":
    main()
