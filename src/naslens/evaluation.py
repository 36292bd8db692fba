"""``naslens.evaluate``: score architectures with estimators and compare with ground truth.

One call = one ground-truth metric, one subset, several estimators. The result says which ground truth (file,
sha256, dataset, split, epochs, seed aggregation), which architectures, which estimator configuration and how K
was chosen, next to every number. NaN/inf/failed scores are counted per estimator and left out of that
estimator's criteria (the count is reported, never hidden).

Example:
    >>> import naslens
    >>> ev = naslens.evaluate(ground_truth="nb201-200ep", dataset="cifar10",
    ...                       estimators=["params", "flops"], subset="deiso")      # doctest: +SKIP
    >>> round(ev.results["params"]["kendall_tau"], 3)                           # doctest: +SKIP
    0.609
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens import criteria
from naslens.benchmarks import GroundTruth, load_ground_truth
from naslens.estimators.base import Scores, create_estimator
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.subsets import SubsetPlan, plan_subset

TIE_POLICY = (
    "correlations: Kendall tau-b and Spearman with average ranks; P@top/bottom-K: expected value when ties in the "
    "scores and in the ground truth are broken uniformly at random; BR/WR@K: expected min/max true rank (ties in "
    "the ground truth share the better rank) over the estimator's top-K set, boundary ties broken at random; "
    "K from a ratio = floor(M*ratio)"
)


@dataclass
class Evaluation:
    """Everything one evaluation produced. ``results[name]`` holds the criteria of one estimator."""

    space: str
    subset: str
    ground_truth: dict[str, Any]
    rows: list[str]
    truth: np.ndarray
    scores: dict[str, np.ndarray]
    results: dict[str, dict[str, Any]]
    ks: list[str]
    k_counts: dict[str, int]
    skipped_ks: dict[str, str] = field(default_factory=dict)
    table_extra: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        from naslens import __version__

        return {
            "naslens_version": __version__,
            "space": self.space,
            "subset": self.subset,
            "n_archs": len(self.rows),
            "ground_truth": self.ground_truth,
            "ks": self.ks,
            "k_mode": "ratio",
            "k_counts": self.k_counts,
            "skipped_ks": self.skipped_ks,
            "tie_policy": TIE_POLICY,
            "results": self.results,
        }

    def criteria_table(self) -> pd.DataFrame:
        """One row per estimator, criteria flattened (``precision_at_top@0.05`` …)."""
        recs = []
        for name, r in self.results.items():
            rec: dict[str, Any] = {"estimator": name}
            for key in ("kendall_tau", "spearman", "pearson"):
                rec[key] = r[key]
            for key in ("precision_at_top", "precision_at_bottom", "best_ranking", "worst_ranking"):
                for k, v in r[key].items():
                    rec[f"{key}@{k}"] = v
            rec["n_archs"] = r["n_archs"]
            rec["n_nonfinite"] = r["n_nonfinite"]
            recs.append(rec)
        return pd.DataFrame(recs)

    def scores_table(self) -> pd.DataFrame:
        df = pd.DataFrame({"arch": self.rows, "ground_truth": self.truth})
        if self.table_extra is not None:
            df = pd.concat([df, self.table_extra.reset_index(drop=True)], axis=1)
        for name, vals in self.scores.items():
            df[name] = vals
        return df

    def save(self, out: str | os.PathLike[str]) -> Path:
        """Write ``evaluation.json``, ``evaluation.csv`` and ``scores.csv`` into ``out`` (atomic renames)."""
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        _atomic_write(d / "evaluation.json", json.dumps(self.to_dict(), indent=2, default=_json_default) + "\n")
        _atomic_write(d / "evaluation.csv", self.criteria_table().to_csv(index=False))
        _atomic_write(d / "scores.csv", self.scores_table().to_csv(index=False))
        return d


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def criteria_for(
    truth: np.ndarray, score: np.ndarray, higher_is_better: bool, ks: Sequence[float | int]
) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
    """All criteria of one estimator on aligned finite vectors; K values giving an empty set are skipped."""
    res: dict[str, Any] = {
        "kendall_tau": criteria.kendall_tau(truth, score, higher_is_better=higher_is_better),
        "spearman": criteria.spearman(truth, score, higher_is_better=higher_is_better),
        "pearson": criteria.pearson(truth, score, higher_is_better=higher_is_better),
    }
    counts: dict[str, int] = {}
    skipped: dict[str, str] = {}
    per_k: dict[str, dict[str, float]] = {
        "precision_at_top": {},
        "precision_at_bottom": {},
        "best_ranking": {},
        "worst_ranking": {},
    }
    for k in ks:
        label = criteria.k_label(k)
        try:
            counts[label] = criteria.resolve_k(k, len(truth))
        except ValueError as e:
            skipped[label] = str(e)
            continue
        per_k["precision_at_top"][label] = criteria.precision_at_top(truth, score, k, higher_is_better=higher_is_better)
        per_k["precision_at_bottom"][label] = criteria.precision_at_bottom(
            truth, score, k, higher_is_better=higher_is_better
        )
        per_k["best_ranking"][label] = criteria.best_ranking(truth, score, k, higher_is_better=higher_is_better)
        per_k["worst_ranking"][label] = criteria.worst_ranking(truth, score, k, higher_is_better=higher_is_better)
    res.update(per_k)
    return res, counts, skipped


def _structural_context(sp: Any, gt: GroundTruth, metric: str) -> dict[str, Any]:
    """Dataset (and, for a naslens-built ground truth, the trained network's macro config) for estimators."""
    ds = gt.metrics[metric].dataset.lower()
    known = {d.lower(): d for d in sp.info.datasets}
    ctx: dict[str, Any] = {"dataset": known.get(ds, sp.info.default_dataset)}
    recipe = gt.extra.get("recipe")
    if isinstance(recipe, dict) and {"C", "N", "input_size", "channels"} <= set(recipe):
        ctx["net"] = {
            "C": int(recipe["C"]),
            "N": int(recipe["N"]),
            "in_channels": int(recipe["channels"]),
            "input_size": int(recipe["input_size"]),
            "num_classes": int(recipe.get("num_classes", 10)),
        }
        if recipe.get("dataset"):
            ctx["data"] = str(recipe["dataset"])  # zero-shot proxies are fed the images the network was trained on
    return ctx


def _canonical_estimator(name: str) -> str:
    """The registered name behind an alias (``relu_logdet`` → ``nwot``); other names unchanged."""
    from naslens.estimators.base import ESTIMATORS, load_builtin_estimators

    load_builtin_estimators()
    return ESTIMATORS.canonical(name) if name in ESTIMATORS else name


def _stored_scores(
    store: ScoreStore, space: str, name: str, keys: list[str], checkpoint: str | None, seed: int | None
) -> list[tuple[str, Scores]]:
    """One Scores per stored (config, seed, checkpoint) of ``name``, labelled ``name[@ckpt][#seed]``."""
    combos = [
        c
        for c in store.combos(space, name)
        if (checkpoint is None or c[2] == checkpoint) and (seed is None or c[1] == seed)
    ]
    if not combos:
        raise ValueError(f"store {store.path} has no scores for {name!r} with checkpoint={checkpoint} seed={seed}")
    configs = {c[0] for c in combos}
    if len(configs) > 1:
        raise ValueError(
            f"store {store.path} holds {len(configs)} configurations of {name!r} ({sorted(configs)}); "
            "use one store per configuration or remove the others"
        )
    seeds = {c[1] for c in combos}
    out = []
    for h, sd, ck in combos:
        label = name + (f"@{ck}" if ck else "") + (f"#seed{sd}" if len(seeds) > 1 else "")
        out.append((label, store.scores(space, name, keys, config_hash_=h, seed=sd, checkpoint=ck)))
    return out


def evaluate(
    *,
    space: str = "nb201",
    ground_truth: str | os.PathLike[str] | GroundTruth = "nb201-200ep",
    dataset: str | None = None,
    metric: str | None = None,
    estimators: Sequence[str] = ("params", "flops", "relu"),
    subset: str = "all",
    ks: Sequence[float | int] = criteria.DEFAULT_K_RATIOS,
    store: str | os.PathLike[str] | None = None,
    checkpoint: str | None = None,
    store_seed: int | None = None,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> Evaluation:
    """Evaluate estimators against a ground truth.

    Args:
        space: registered search space.
        ground_truth: a :class:`GroundTruth`, a registered name (``nb201-200ep``, ``nb201-fmnist``, …) or a path.
        dataset / metric: which ground-truth column (``dataset`` picks the only metric of that dataset).
        estimators: registered estimator names, or names of estimators stored in ``store``.
        subset: ``all``, ``deiso``, ``deiso-mean`` or ``deiso-gtmean`` (see :mod:`naslens.subsets`).
        ks: top-K values, ratios (floats) or counts (ints).
        store: score-store folder for stored estimators (zero-shot, one-shot runs).
        checkpoint / store_seed: restrict stored scores to one checkpoint / seed (default: every one, reported
            separately).
        seed: seed of seeded estimators (``random``).
        out: folder for ``evaluation.json``, ``evaluation.csv`` and ``scores.csv``.
    """
    sp = get_space(space)
    gt = ground_truth if isinstance(ground_truth, GroundTruth) else load_ground_truth(ground_truth, data_dir)
    if gt.space != sp.name:
        raise ValueError(f"ground truth is for space {gt.space!r}, not {sp.name!r}")
    col = gt.metric_for(dataset, metric)
    series = gt.values[col]
    missing = int(series.isna().sum())
    series = series.dropna()
    if len(series) < 2:
        raise ValueError(f"ground truth {col!r} has {len(series)} architectures with values; need at least 2")
    plan: SubsetPlan = plan_subset(sp, [str(k) for k in series.index], subset)
    truth = plan.aggregate_truth(series.to_dict())
    provenance = gt.provenance(col)
    provenance["n_archs_without_value"] = missing
    needed = plan.needed_keys
    archs = [sp.parse(k) for k in needed]
    st = ScoreStore(store, create=False) if store is not None else None
    stored_names = set(st.estimators()) if st is not None else set()

    context = _structural_context(sp, gt, col)
    all_scores: list[tuple[str, Scores]] = []
    for name in estimators:
        stored_as = name if name in stored_names else _canonical_estimator(name)
        if stored_as in stored_names and st is not None:
            all_scores.extend(_stored_scores(st, sp.name, stored_as, needed, checkpoint, store_seed))
        else:
            est = create_estimator(name, seed=seed, **context)
            all_scores.append((name, est.score(sp, archs)))

    results: dict[str, dict[str, Any]] = {}
    score_cols: dict[str, np.ndarray] = {}
    k_counts: dict[str, int] = {}
    skipped: dict[str, str] = {}
    for label, sc in all_scores:
        by_key = {k: (v if ok else np.nan) for k, v, ok in zip(sc.keys, sc.values, sc.finite, strict=True)}
        row_vals = plan.aggregate(by_key)
        finite = np.isfinite(row_vals)
        score_cols[label] = row_vals
        n_used = int(finite.sum())
        entry: dict[str, Any] = {
            "n_archs": n_used,
            "n_nonfinite": int((~finite).sum()),
            "status_counts": sc.status_counts(),
            "estimator": sc.describe(),
            "checkpoint": sc.extra.get("checkpoint") or None,
        }
        if n_used < 2 or np.ptp(row_vals[finite]) == 0:
            entry["error"] = f"{n_used} finite scores" + ("" if n_used < 2 else ", all equal: no ranking")
            for key in ("kendall_tau", "spearman", "pearson"):
                entry[key] = float("nan")
            for key in ("precision_at_top", "precision_at_bottom", "best_ranking", "worst_ranking"):
                entry[key] = {}
        else:
            crit, counts, skip = criteria_for(truth[finite], row_vals[finite], sc.info.higher_is_better, ks)
            entry.update(crit)
            if n_used == len(truth):
                k_counts.update(counts)
                skipped.update(skip)
            else:
                entry["k_counts"] = counts
        results[label] = entry
    if not k_counts:
        for k in ks:
            try:
                k_counts[criteria.k_label(k)] = criteria.resolve_k(k, len(truth))
            except ValueError as e:
                skipped[criteria.k_label(k)] = str(e)
    extra = _row_table(sp, plan, context)
    ev = Evaluation(
        space=sp.name,
        subset=subset,
        ground_truth=provenance,
        rows=plan.rows,
        truth=truth,
        scores=score_cols,
        results=results,
        ks=[criteria.k_label(k) for k in ks],
        k_counts=k_counts,
        skipped_ks=skipped,
        table_extra=extra,
    )
    if out is not None:
        ev.save(out)
    return ev


def _row_table(sp: Any, plan: SubsetPlan, context: dict[str, Any]) -> pd.DataFrame:
    """index / class / complexity columns of each row, for the per-architecture table."""
    archs = [sp.parse(k) for k in plan.rows]
    net = context.get("net")
    cx = sp.complexity(archs, **(sp.net_config(None, **net) if net else sp.net_config(context["dataset"])))
    df = pd.DataFrame(
        {
            "index": [getattr(a, "index", -1) for a in archs],
            "class_id": plan.class_ids,
            "class_size": plan.class_sizes,
            "n_members": [len(m) for m in (plan.truth_members or plan.members)],
        }
    )
    df["params"] = cx["params"].to_numpy()
    df["flops"] = cx["flops"].to_numpy()
    return df
