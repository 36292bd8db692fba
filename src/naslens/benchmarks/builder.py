"""The benchmark builder: train many (architecture, seed) pairs, resumably, and export a :class:`GroundTruth`.

A build lives in one folder ``DIR``:

- ``DIR/build.json``: the plan (space, architecture selection, seeds, recipe) written once; a rerun with a different
  plan or recipe is refused, so one folder never mixes recipes.
- ``DIR/results.jsonl``: one JSON line per finished (architecture, seed), appended by a single writer with
  flush + fsync. A rerun skips finished pairs; a partially written last line left by a kill is cut off.
- ``DIR/data_split.json``: provenance of the data split (sources, sizes, seed, normalisation).
- ``DIR/ground_truth.json``: the exported table (see :func:`export_ground_truth`).

Architectures are trained in *plan order*: for each selected architecture (in the sample's random order) its first
seed, then its extra seeds if it is among the first ``multi_seed`` architectures. Any prefix of the plan is thus a
random sample with a random subset trained twice, so a build stopped early still exports a sound table.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from naslens.benchmarks.ground_truth import GroundTruth, MetricInfo, Source, sha256_file
from naslens.benchmarks.noise import seed_tau
from naslens.benchmarks.recipe import Recipe
from naslens.benchmarks.train import TrainResult, recipe_data, train_architecture
from naslens.spaces import get_space
from naslens.workers import worker_pool

PLAN_FILE, LOG_FILE, GT_FILE, SPLIT_FILE = "build.json", "results.jsonl", "ground_truth.json", "data_split.json"


class BuildError(RuntimeError):
    """A build folder or request is inconsistent; the message says what to do."""


@dataclass(frozen=True)
class BuildPlan:
    """What a build trains: ``archs`` spec (``all``, ``deiso``, ``sample:N``), seeds and how many get them all."""

    space: str
    archs: str
    sample_seed: int
    seeds: tuple[int, ...]
    multi_seed: int | None
    recipe: dict[str, Any]

    def jobs(self) -> list[tuple[str, int]]:
        """(arch key, seed) pairs in training order."""
        keys = _select(self.space, self.archs, self.sample_seed)
        n_multi = len(keys) if self.multi_seed is None else self.multi_seed
        out: list[tuple[str, int]] = []
        for i, k in enumerate(keys):
            out.extend((k, s) for s in (self.seeds if i < n_multi else self.seeds[:1]))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seeds": list(self.seeds), "format": "naslens-build/1"}


@lru_cache(maxsize=8)
def _select(space: str, spec: str, seed: int) -> tuple[str, ...]:
    return tuple(select_archs(space, spec, seed))


def select_archs(space: str, spec: str, seed: int = 0) -> list[str]:
    """Architecture keys for ``spec``: ``all`` (every architecture, the space's order), ``deiso`` (one per
    isomorphism class), ``sample:N`` (the first N of a seeded random permutation of the de-isomorphic
    architectures — of all of them in a space without isomorphism — so ``sample:M`` with M > N extends
    ``sample:N``; :func:`naslens.selection.select_archs` with ``nested=True``), or ``gt:NAME`` (the architectures
    of a ground truth, in its order).
    """
    from naslens.selection import SelectionError
    from naslens.selection import select_archs as select
    from naslens.types import SpaceCapabilityError

    sp = get_space(space)
    pool = "deiso" if sp.info.has_isomorphism else "all"
    try:
        if spec in ("all", "deiso"):
            return [sp.key(a) for a in select(sp, subset=spec)]
        if spec.startswith("gt:"):
            return [sp.key(a) for a in select(sp, archs=spec, subset="all")]
        if spec.startswith("sample:"):
            try:
                n = int(spec.split(":", 1)[1])
            except ValueError:
                raise BuildError(f"--archs {spec!r}: expected sample:N with an integer N") from None
            return [sp.key(a) for a in select(sp, subset=pool, sample=n, seed=seed, nested=True)]
    except (SelectionError, SpaceCapabilityError) as e:
        raise BuildError(f"--archs {spec!r}: {e}") from None
    raise BuildError(f"--archs must be all, deiso, sample:N or gt:NAME, got {spec!r}")


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0,1"`` → ``(0, 1)``; seeds must be distinct non-negative integers."""
    try:
        seeds = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise BuildError(f"--seeds must be comma-separated integers, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise BuildError(f"--seeds must be distinct non-negative integers, got {text!r}")
    return seeds


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


# ---------------------------------------------------------------------- running
def _worker_init(threads: int) -> None:
    torch.set_num_threads(threads)


def _train_job(arch: str, recipe: dict[str, Any], seed: int, space: str, device: str | None) -> dict[str, Any]:
    return train_architecture(arch, Recipe.from_dict(recipe), seed, space=space, device=device).to_dict()


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


# ---------------------------------------------------------------------- export
def code_version() -> dict[str, str]:
    """naslens version (package metadata or pyproject) and the git commit of the working tree when available."""
    out: dict[str, str] = {}
    try:
        import naslens

        out["naslens"] = str(naslens.__version__)
    except (ImportError, AttributeError):
        try:
            out["naslens"] = metadata.version("naslens")
        except metadata.PackageNotFoundError:
            for parent in Path(__file__).resolve().parents:
                pp = parent / "pyproject.toml"
                if pp.exists():
                    for line in pp.read_text().splitlines():
                        if line.startswith("version"):
                            out["naslens"] = line.split("=", 1)[1].strip().strip('"')
                            break
                    break
    try:
        git = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=10
        )
        if git.returncode == 0:
            out["git_commit"] = git.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def export_ground_truth(
    out: str | os.PathLike[str], dest: str | os.PathLike[str] | None = None, *, origin: str = ""
) -> GroundTruth:
    """Turn a build folder's results into a :class:`GroundTruth` and save it (default ``out/ground_truth.json``).

    Columns: ``fashion-mnist`` (test accuracy %, mean over the seeds an architecture was trained with),
    ``fashion-mnist-valid`` (validation accuracy %, same mean), and ``fashion-mnist-seed<s>`` (test accuracy of
    seed ``s`` alone). ``extra`` records the recipe, data split, seeds, code version and the seed-to-seed τ.
    """
    d = Path(out)
    if not (d / PLAN_FILE).exists():
        raise BuildError(f"{d} is not a build folder (no {PLAN_FILE}); run 'naslens bench build' first")
    plan_doc = json.loads((d / PLAN_FILE).read_text())
    recipe = Recipe.from_dict(plan_doc["recipe"])
    records = read_results(d / LOG_FILE)
    if not records:
        raise BuildError(f"{d} has no finished training runs yet")
    df = pd.DataFrame(records).drop_duplicates(subset=["arch", "seed"], keep="first")
    order = list(dict.fromkeys(df["arch"]))
    test = df.pivot(index="arch", columns="seed", values="test_acc").reindex(order)
    val = df.pivot(index="arch", columns="seed", values="val_acc").reindex(order)
    seeds = sorted(int(s) for s in test.columns)
    ds = recipe.dataset
    n_seeds = test.notna().sum(axis=1)
    agg = f"mean over the seeds trained for each architecture (seeds {seeds}; see extra.seed_counts)"
    values = pd.DataFrame(index=pd.Index(order, name="arch"))
    metrics: dict[str, MetricInfo] = {}
    values[ds] = test.mean(axis=1)
    metrics[ds] = MetricInfo(ds, "test", recipe.epochs, agg, description=f"test accuracy, recipe {recipe.name}")
    values[f"{ds}-valid"] = val.astype(float).mean(axis=1)
    metrics[f"{ds}-valid"] = MetricInfo(f"{ds}-valid", "val", recipe.epochs, agg, description="validation accuracy")
    for s in seeds:
        col = f"{ds}-seed{s}"
        values[col] = test[s]
        metrics[col] = MetricInfo(col, "test", recipe.epochs, f"seed {s} only", description=f"test accuracy, seed {s}")
    pairs = [(a, b) for i, a in enumerate(seeds) for b in seeds[i + 1 :]]
    taus = {f"{a}-{b}": seed_tau(test, a, b) for a, b in pairs}
    first_tau = next(iter(taus.values()), (None, 0, None))
    split_file = d / SPLIT_FILE
    meta = json.loads(split_file.read_text()) if split_file.exists() else dict(recipe_data(recipe).meta)
    extra = {
        "builder": "naslens bench build",
        "default_metric": ds,
        "recipe": recipe.to_dict(),
        "recipe_fingerprint": recipe.fingerprint,
        "data_split": meta,
        "plan": plan_doc,
        "seeds": seeds,
        "seed_counts": {str(k): int(v) for k, v in n_seeds.value_counts().sort_index().items()},
        "n_archs": len(order),
        "n_archs_two_seeds": int((n_seeds >= 2).sum()),
        "seed_to_seed_kendall_tau": first_tau[0],
        "seed_to_seed_kendall_tau_ci95": first_tau[2],
        "seed_to_seed_kendall_tau_pairs": {k: {"tau": t, "n": n, "ci95": ci} for k, (t, n, ci) in taus.items()},
        "runs": len(df),
        "diverged_runs": int((df["status"] != "ok").sum()),
        "train_seconds_total": float(df["seconds"].sum()),
        "train_seconds_mean": float(df["seconds"].mean()),
        "devices": sorted(df["device"].unique().tolist()),
        "code_version": code_version(),
        "torch": torch.__version__,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    log = d / LOG_FILE
    log_sha = sha256_file(log)
    extra["results_log"] = {"path": str(log), "sha256": log_sha, "records": len(records)}
    src = Source(str(log), log_sha, "naslens-builder", origin or f"naslens bench build ({d})")
    gt = GroundTruth(plan_doc["space"], values, metrics, src, extra)
    gt.save(Path(dest) if dest is not None else d / GT_FILE)
    return gt


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


def plan_from_dict(doc: dict[str, Any]) -> BuildPlan:
    """The :class:`BuildPlan` stored in a folder's ``build.json``."""
    try:
        return BuildPlan(
            doc["space"], doc["archs"], int(doc["sample_seed"]), tuple(doc["seeds"]), doc["multi_seed"], doc["recipe"]
        )
    except (KeyError, TypeError, ValueError) as e:
        raise BuildError(f"malformed build plan ({e})") from e


def plan_from(
    space: str, archs: str, seeds: Sequence[int] | str, recipe: Recipe, *, sample_seed: int = 0,
    multi_seed: int | None = None,
) -> BuildPlan:  # fmt: skip
    """Validate the pieces of a build and assemble its :class:`BuildPlan`."""
    s = parse_seeds(seeds) if isinstance(seeds, str) else tuple(int(x) for x in seeds)
    if multi_seed is not None and multi_seed < 0:
        raise BuildError(f"multi_seed must be ≥ 0, got {multi_seed}")
    select_archs(space, archs, sample_seed)  # validates the spec early
    try:
        recipe.net_config(2, space)  # the space validates the recipe's network settings before anything trains
    except ValueError as e:
        raise BuildError(f"recipe {recipe.name!r} does not fit space {space!r}: {e}") from None
    return BuildPlan(space, archs, sample_seed, s, multi_seed, recipe.to_dict())
