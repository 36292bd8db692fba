"""The build folder on disk: its files, the plan check on resume, the append-only results log, the lock, progress.

A build lives in one folder ``DIR``:

- ``DIR/build.json``: the plan (:class:`~naslens.benchmarks.build_plan.BuildPlan`) written once; a rerun with a
  different plan or recipe is refused, so one folder never mixes recipes.
- ``DIR/results.jsonl``: one JSON line per finished (architecture, seed), appended by a single writer with
  flush + fsync. A rerun skips finished pairs; a partially written last line left by a kill is cut off.
- ``DIR/data_split.json``: provenance of the data split (sources, sizes, seed, normalisation).
- ``DIR/ground_truth.json``: the exported table (see :func:`~naslens.benchmarks.build_export.export_ground_truth`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from naslens.benchmarks.build_plan import BuildError, BuildPlan, plan_from_dict

__all__ = [
    "GT_FILE",
    "LOCK_FILE",
    "LOG_FILE",
    "PLAN_FILE",
    "SPLIT_FILE",
    "append_result",
    "build_summary",
    "folder_lock",
    "pending_jobs",
    "prepare",
    "read_results",
]

PLAN_FILE, LOG_FILE, GT_FILE, SPLIT_FILE = "build.json", "results.jsonl", "ground_truth.json", "data_split.json"


# ---------------------------------------------------------------------- the plan
def prepare(out: str | os.PathLike[str], plan: BuildPlan) -> Path:
    """Create ``out`` with its plan, or check that an existing folder holds the same plan."""
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    pf = d / PLAN_FILE
    new = plan.to_dict()
    if pf.exists():
        old = json.loads(pf.read_text())
        if _identity(old) != _identity(new):
            diff = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            raise BuildError(f"{d} holds a different build (differs in: {', '.join(diff)}); use another --out folder")
        if old == new:
            return d
    # a new folder, or a compatible change: more architectures / seeds, or a renamed recipe (training is the same)
    tmp = pf.with_name(PLAN_FILE + ".tmp")
    tmp.write_text(json.dumps(new, indent=2) + "\n")
    os.replace(tmp, pf)
    return d


def _identity(plan_doc: dict[str, Any]) -> dict[str, Any]:
    """What must not change within one build folder: space, selection kind and seed, recipe (except its name).
    ``sample:N`` may grow (its architectures are a prefix of the longer sample), seeds and ``multi_seed`` may change.
    """
    recipe = {k: v for k, v in plan_doc.get("recipe", {}).items() if k != "name"}
    kind = str(plan_doc.get("archs", "")).split(":", 1)[0]
    return {"space": plan_doc.get("space"), "kind": kind, "sample_seed": plan_doc.get("sample_seed"), "recipe": recipe}


def pending_jobs(out: str | os.PathLike[str], plan: BuildPlan) -> list[tuple[str, int]]:
    """Jobs of ``plan`` not yet in the folder's results log (repairs a torn last line)."""
    done = {(r["arch"], r["seed"]) for r in read_results(Path(out) / LOG_FILE, repair=True)}
    return [j for j in plan.jobs() if j not in done]


# ---------------------------------------------------------------------- the result log
def read_results(path: str | os.PathLike[str], *, repair: bool = False) -> list[dict[str, Any]]:
    """All complete records of a results log. A last line without its newline (a kill mid-write) is ignored, and
    cut off when ``repair`` is set; a malformed line elsewhere is an error."""
    p = Path(path)
    if not p.exists():
        return []
    raw = p.read_bytes()
    end = raw.rfind(b"\n") + 1
    if end < len(raw) and repair:
        with open(p, "r+b") as f:
            f.truncate(end)
            f.flush()
            os.fsync(f.fileno())
    records = []
    for no, line in enumerate(raw[:end].decode().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise BuildError(f"{p}, line {no}: corrupt record ({e}); remove that line and rerun") from e
    return records


def append_result(path: str | os.PathLike[str], record: dict[str, Any]) -> None:
    """Append one record as a single line with one write, then flush and fsync."""
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(line)
        while view:  # a regular-file write is rarely short, but it may be (signals, quotas): finish the line
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


LOCK_FILE = ".build.lock"


@contextmanager
def folder_lock(d: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on the build folder (``fcntl.flock`` on ``.build.lock``), so that two builds
    never append to one log; a second build fails at once with a clear error. No-op where ``fcntl`` is missing."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(d / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(
                f"another 'naslens bench build' is running in {d} (lock {LOCK_FILE}); "
                "wait for it or stop it before resuming"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


# ---------------------------------------------------------------------- progress
def build_summary(out: str | os.PathLike[str]) -> dict[str, Any]:
    """Progress of a build folder: jobs planned, finished, pending."""
    d = Path(out)
    if not (d / PLAN_FILE).exists():
        raise BuildError(f"{d} is not a build folder (no {PLAN_FILE})")
    doc = json.loads((d / PLAN_FILE).read_text())
    plan = plan_from_dict(doc)
    jobs = plan.jobs()
    recs = read_results(d / LOG_FILE)
    secs = [r["seconds"] for r in recs]
    return {
        "planned": len(jobs),
        "finished": len(recs),
        "pending": len(jobs) - len({(r["arch"], r["seed"]) for r in recs} & set(jobs)),
        "mean_seconds": float(np.mean(secs)) if secs else None,
    }
