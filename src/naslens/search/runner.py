"""Run one search over several seeds, resolve the ground truth of what each seed found, and write the results.

:func:`run_search` builds the objective(s) (:class:`~naslens.search.objective.Objective`: any registered estimator,
or ``gt:NAME``) with the run settings a ground truth implies (:func:`naslens.run_context.ground_truth_context`, as
``naslens evaluate`` does), runs the search for each seed (resumable through the store), and looks up the ground truth
of each chosen architecture on **every** metric the ground truth has (NB201's ``nb201-200ep``: cifar10, cifar100,
imagenet16-120 test accuracy). :meth:`SearchRun.save` writes

- ``results.csv``: one row per seed (and per run, for NASWOT sampling's independent runs): ``seed, run, arch,
  <ground-truth metrics…>, value, evaluations, seconds, rejections`` (``value`` = the estimator's raw value);
- ``trajectories.csv``: every step of every seed, with the best-so-far objective value and its ground truth;
- ``summary.json``: mean ± std (sample std, ddof = 1) of every numeric column over the rows, and the provenance —
  ground truth (name, file, sha256, metrics), estimator (name, configuration and its hash, direction), search
  (name, metadata, options), constraints (with the hardware table's sha256 when one is used), seeds;
- ``best_so_far.png``: the ground truth of the best-so-far architecture (by the estimator) against evaluations,
  one line per seed (and run).

The estimator's own seed (``estimator_seed``: network initialisation, batches) is the same for every search seed,
so scores computed for one seed are reused by the others from the store (they still count as evaluations).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.search._base import SearchError, SearchResult, create_search, search_info
from naslens.search.constraints import Constraints
from naslens.search.objective import Objective
from naslens.types import ScoringContext

RESULT_COLUMNS = ("seed", "run", "arch")


@dataclass
class SearchRun:
    """What :func:`run_search` produced: the per-seed results, the tables and the provenance."""

    search: str
    space: str
    results: list[SearchResult]
    table: pd.DataFrame
    trajectories: pd.DataFrame
    summary: dict[str, Any]
    metrics: list[str] = field(default_factory=list)

    def save(self, out: str | os.PathLike[str]) -> Path:
        """Write results.csv, trajectories.csv, summary.json and best_so_far.png into ``out`` (atomic renames)."""
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        _atomic(d / "results.csv", self.table.to_csv(index=False))
        _atomic(d / "trajectories.csv", self.trajectories.to_csv(index=False))
        _atomic(d / "summary.json", json.dumps(self.summary, indent=2, default=_json_default) + "\n")
        fig = plot_best_so_far(self)
        fig.savefig(d / "best_so_far.png.tmp.png", dpi=110)
        os.replace(d / "best_so_far.png.tmp.png", d / "best_so_far.png")
        import matplotlib.pyplot as plt

        plt.close(fig)
        return d


def run_search(
    name: str,
    *,
    space: str | Any,
    estimator: str,
    estimator_options: dict[str, Any] | None = None,
    objectives: Sequence[str] = (),
    seeds: Sequence[int] = (0,),
    options: dict[str, Any] | None = None,
    constraints: str | None = None,
    ground_truth: str | None = None,
    dataset: str | None = None,
    store: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    estimator_seed: int = 0,
    chunk: int = 16,
    progress: bool = False,
) -> SearchRun:
    """Run search ``name`` for each seed and resolve the ground truth of what it found.

    Args:
        name: a registered search (``naslens.search.list_searches()``).
        space: a registered space (or a space object).
        estimator: the objective: a registered estimator, or ``gt:NAME``; ``:min``/``:max`` overrides its direction.
        estimator_options: the estimator's options (``create_estimator`` checks them).
        objectives: further objectives for multi-objective mode (``flops:min``).
        seeds: the search seeds.
        options: the search's options (``budget``, ``population`` …; the search checks them).
        constraints: a constraint spec (``flops<=50,raspi4_latency<=20``).
        ground_truth / dataset: the ground truth the found architectures are looked up in, and the dataset whose
            metric the best-so-far curve and the run settings use (default: the ground truth's default metric).
        store: a score store folder (journal, scores reused and appended); ``None``: nothing kept.
        data_dir: the shared data folder. estimator_seed: the estimator's seed. chunk: architectures per
            estimator call. progress: show progress.

    Raises:
        SearchError: an unknown search, options it refuses, a space it cannot run on, bad seeds.
        GroundTruthError, EstimatorConfigError, ConstraintError, HWMetricsError: as their layers say.
    """
    from naslens.benchmarks import load_ground_truth
    from naslens.run_context import ground_truth_context
    from naslens.spaces import get_space
    from naslens.store import ScoreStore

    try:
        info = search_info(name)
    except KeyError as e:
        raise SearchError(str(e).strip("'\"")) from None
    sp = get_space(space)
    if info.needs_enumerable and not sp.info.enumerable:
        raise SearchError(f"search {info.name!r} needs an enumerable space; {sp.info.name!r} is not")
    if info.needs_mixed_supernet:
        raise SearchError(f"search {info.name!r} works on a mixed-op supernet, not with an estimator: see its command")
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise SearchError(f"seeds must be distinct integers, got {seeds}")
    search = create_search(info.name, **dict(options or {}))
    gt = metric = None
    if ground_truth is not None:
        gt = load_ground_truth(ground_truth, data_dir)
        if gt.space != sp.info.name:
            raise SearchError(f"ground truth {ground_truth!r} is for space {gt.space!r}, not {sp.info.name!r}")
        metric = gt.metric_for(dataset)
        context = ground_truth_context(sp, gt, metric, seed=estimator_seed)
    else:
        if dataset is not None and dataset not in sp.info.datasets:
            raise SearchError(f"dataset {dataset!r}: space {sp.info.name!r} has {', '.join(sp.info.datasets)}")
        context = ScoringContext(dataset=dataset or sp.info.default_dataset, seed=estimator_seed)
    st = ScoreStore(store) if store is not None else None
    objs = [Objective.create(estimator, sp, context, estimator_options, store=st, data_dir=data_dir, chunk=chunk)]
    objs += [Objective.create(s, sp, context, None, store=st, data_dir=data_dir, chunk=chunk) for s in objectives]
    cons = (
        Constraints(sp, constraints, net=context.net, dataset=context.dataset, data_dir=data_dir)
        if constraints
        else None
    )
    results = [search.run(sp, objs, seed=s, store=st, constraints=cons, progress=progress) for s in seeds]
    metrics = list(gt.metrics) if gt is not None else []
    table = _results_table(results, gt, metrics)
    traj = _trajectories(results, objs[0], gt, metric)
    summary = {
        "search": {"name": info.name, "info": asdict(info), "options": search.options},
        "space": sp.info.name,
        "seeds": seeds,
        "estimator": objs[0].describe(),
        "objectives": [o.describe() for o in objs],
        "constraints": cons.describe() if cons is not None else {},
        "ground_truth": _gt_provenance(ground_truth, gt, metric),
        "store": None if store is None else str(store),
        "mean_std": mean_std(table),
        "per_seed": [r.summary() for r in results],
    }
    if st is not None:
        st.close()
    return SearchRun(info.name, sp.info.name, results, table, traj, summary, metrics)


def _gt_provenance(name: str | None, gt: Any, metric: str | None) -> dict[str, Any]:
    if gt is None:
        return {}
    return {
        "name": name,
        "path": gt.source.path,
        "sha256": gt.source.sha256,
        "curve_metric": metric,
        "metrics": {m: asdict(i) for m, i in gt.metrics.items()},
    }


def _gt_value(gt: Any, metric: str, key: str) -> float:
    if gt is None or not key or key not in gt.values.index:
        return math.nan
    return float(gt.values.at[key, metric])


def _results_table(results: list[SearchResult], gt: Any, metrics: list[str]) -> pd.DataFrame:
    rows = []
    for res in results:
        runs = res.extra.get("runs") or [
            {
                "run": 0,
                "arch": res.arch,
                "value": res.value,
                "evaluations": res.evaluations,
                "seconds": res.seconds,
                "pareto": res.pareto,
                "rejections": res.extra.get("rejections", 0),
            }
        ]
        for r in runs:
            row: dict[str, Any] = {"seed": res.seed, "run": r["run"], "arch": r["arch"]}
            row.update({m: _gt_value(gt, m, r["arch"]) for m in metrics})
            row.update(
                {
                    "value": r["value"],
                    "evaluations": r["evaluations"],
                    "seconds": r["seconds"],
                    "rejections": r["rejections"],
                }
            )
            if r.get("pareto"):
                row["pareto_size"] = len(r["pareto"])
            rows.append(row)
    return pd.DataFrame(rows)


def _trajectories(results: list[SearchResult], obj: Objective, gt: Any, metric: str | None) -> pd.DataFrame:
    frames = []
    for res in results:
        t = res.trajectory.copy()
        if "run" not in t.columns:
            t["run"] = 0
        t["seed"] = res.seed
        parts = []
        for _, g in t.groupby("run", sort=True):
            g = g.sort_values("step").copy()
            signed = [obj.signed(float(v), s) for v, s in zip(g["value"], g["status"], strict=True)]
            best_i, best, bkeys, bvals = -1, -np.inf, [], []
            for i, s in enumerate(signed):
                if s > best:
                    best_i, best = i, s
                bkeys.append(g["item"].iloc[best_i] if best_i >= 0 else "")
                bvals.append(g["value"].iloc[best_i] if best_i >= 0 else math.nan)
            g["evaluations"] = np.arange(1, len(g) + 1)
            g["best_arch"] = bkeys
            g["best_value"] = bvals
            if metric is not None:
                g[f"best_gt_{metric}"] = [_gt_value(gt, metric, k) for k in bkeys]
            parts.append(g)
        if parts:
            frames.append(pd.concat(parts, ignore_index=True))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    lead = ["search", "space", "seed", "run", "step", "evaluations", "item", "value", "status", "seconds"]
    return out[[c for c in lead if c in out.columns] + [c for c in out.columns if c not in lead]]


def mean_std(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean, sample std (ddof = 1; 0 for one row), count and count of missing values of every numeric column
    but the seed and run columns.

    Example:
        >>> mean_std(pd.DataFrame({"seed": [0, 1], "cifar10": [90.0, 92.0]}))["cifar10"]
        {'mean': 91.0, 'std': 1.4142135623730951, 'n': 2, 'n_missing': 0}
    """
    out: dict[str, dict[str, float]] = {}
    for c in table.columns:
        if c in ("seed", "run") or not pd.api.types.is_numeric_dtype(table[c]):
            continue
        v = table[c].to_numpy(dtype=np.float64)
        ok = v[np.isfinite(v)]
        out[c] = {
            "mean": float(ok.mean()) if ok.size else math.nan,
            "std": float(ok.std(ddof=1)) if ok.size > 1 else 0.0 if ok.size else math.nan,
            "n": int(ok.size),
            "n_missing": int(v.size - ok.size),
        }
    return out


def plot_best_so_far(run: SearchRun) -> Any:
    """Best-so-far (by the estimator) ground truth against evaluations, one line per seed and run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gt = run.summary["ground_truth"]
    metric = gt.get("curve_metric")
    col = f"best_gt_{metric}" if metric else "best_value"
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    t = run.trajectories
    many = t[["seed", "run"]].drop_duplicates().shape[0] > 12 if not t.empty else False
    for (seed, r), g in t.groupby(["seed", "run"]) if not t.empty else []:
        ax.plot(
            g["evaluations"],
            g[col],
            lw=0.6 if many else 1.2,
            alpha=0.4 if many else 0.9,
            label=None if many else f"seed {seed}" + (f" run {r}" if r else ""),
        )
    est = run.summary["estimator"]
    ax.set_xlabel("estimator evaluations (distinct architectures)")
    ax.set_ylabel(f"ground truth {gt.get('name')} {metric}" if metric else f"best {est['label']} value")
    ax.set_title(
        f"{run.search} on {run.space}: best so far by {est['label']} (config {est['config_hash']})", fontsize=9
    )
    if not many and not t.empty:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, float) and not math.isfinite(o):
        return None
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
