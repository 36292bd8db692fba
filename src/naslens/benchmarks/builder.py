"""The benchmark builder: train many (architecture, seed) pairs, resumably, and export a :class:`GroundTruth`.

The pieces: the plan of what to train (:mod:`~naslens.benchmarks.build_plan`), the build folder with its
append-only results log and lock (:mod:`~naslens.benchmarks.build_folder`), the training loop that works the
pending jobs off in plan order (here, :func:`run_build`) and the export (:mod:`~naslens.benchmarks.build_export`).
This module hands on the public names of all of them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import Any

import torch

from naslens.benchmarks.build_export import code_version, export_ground_truth
from naslens.benchmarks.build_folder import (
    GT_FILE,
    LOCK_FILE,
    LOG_FILE,
    PLAN_FILE,
    SPLIT_FILE,
    append_result,
    build_summary,
    folder_lock,
    pending_jobs,
    prepare,
    read_results,
)
from naslens.benchmarks.build_plan import BuildError, BuildPlan, parse_seeds, plan_from, plan_from_dict, select_archs
from naslens.benchmarks.noise import seed_tau
from naslens.benchmarks.recipe import Recipe
from naslens.benchmarks.train import TrainResult, recipe_data, train_architecture
from naslens.workers import worker_pool

__all__ = [
    "GT_FILE",
    "LOCK_FILE",
    "LOG_FILE",
    "PLAN_FILE",
    "SPLIT_FILE",
    "BuildError",
    "BuildPlan",
    "append_result",
    "build_summary",
    "code_version",
    "export_ground_truth",
    "folder_lock",
    "parse_seeds",
    "pending_jobs",
    "plan_from",
    "plan_from_dict",
    "prepare",
    "read_results",
    "run_build",
    "seed_tau",
    "select_archs",
]


def _worker_init(threads: int) -> None:
    torch.set_num_threads(threads)


def _train_job(arch: str, recipe: dict[str, Any], seed: int, space: str, device: str | None) -> dict[str, Any]:
    return train_architecture(arch, Recipe.from_dict(recipe), seed, space=space, device=device).to_dict()


def run_build(
    out: str | os.PathLike[str],
    plan: BuildPlan,
    *,
    workers: int = 1,
    threads: int = 1,
    device: str | None = None,
    limit: int | None = None,
    on_result: Callable[[TrainResult, int, int], None] | None = None,
) -> int:
    """Train every pending (architecture, seed) of ``plan`` into ``out``; returns how many finished now.

    Args:
        out: build folder (created; an existing one must hold the same plan).
        plan: what to train.
        workers: processes training in parallel (1: in this process).
        threads: torch threads per worker.
        device: training device (default CUDA when present, else CPU).
        limit: stop after this many new results (``None``: all pending).
        on_result: called with each result, the number finished in this run and the number pending at start.
    """
    if workers < 1 or threads < 1:
        raise BuildError(f"workers and threads must be ≥ 1, got {workers} and {threads}")
    d = prepare(out, plan)
    with folder_lock(d):
        return _run_locked(d, plan, workers, threads, device, limit, on_result)


def _run_locked(
    d: Path,
    plan: BuildPlan,
    workers: int,
    threads: int,
    device: str | None,
    limit: int | None,
    on_result: Callable[[TrainResult, int, int], None] | None,
) -> int:
    todo = pending_jobs(d, plan)
    if limit is not None:
        todo = todo[:limit]
    log = d / LOG_FILE
    finished = 0
    if todo and not (d / SPLIT_FILE).exists():  # the split's provenance, so exporting needs no dataset files
        tmp = d / (SPLIT_FILE + ".tmp")
        tmp.write_text(json.dumps(recipe_data(Recipe.from_dict(plan.recipe)).meta, indent=2) + "\n")
        os.replace(tmp, d / SPLIT_FILE)

    def record(res_dict: dict[str, Any]) -> None:
        nonlocal finished
        append_result(log, {**res_dict, "finished": time.time()})
        finished += 1
        if on_result is not None:
            on_result(TrainResult.from_dict(res_dict), finished, len(todo))

    if workers == 1:
        old = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            for arch, seed in todo:
                record(_train_job(arch, plan.recipe, seed, plan.space, device))
        finally:
            torch.set_num_threads(old)
        return finished
    with worker_pool(workers, initializer=_worker_init, initargs=(threads,)) as ex:  # workers die with this process
        queue = list(reversed(todo))
        running: set[Future[dict[str, Any]]] = set()
        while queue or running:
            while queue and len(running) < 2 * workers:
                arch, seed = queue.pop()
                running.add(ex.submit(_train_job, arch, plan.recipe, seed, plan.space, device))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                record(fut.result())
    return finished
