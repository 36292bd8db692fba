"""``naslens.evaluate``: score architectures with estimators and compare with ground truth.

One call = one ground-truth metric, one subset, several estimators. The result says which ground truth (file,
sha256, dataset, split, epochs, seed aggregation), which architectures, which estimator configuration and how K
was chosen, next to every number. Scores an estimator lacks are counted per estimator, by reason: *failed*
(NaN / inf / a failure) or *not scored* (not in the store); by default every estimator is judged on the rows they
all have (the common set, M rows: the table's rows are comparable), and criteria on too few architectures are
refused with the reason (see :mod:`naslens.evaluation_coverage`). Ground-truth rows without a value are left out
and counted; a result whose configuration records another dataset than the ground truth's gets a warning.

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
from naslens.estimators.base import create_estimator
from naslens.evaluation_coverage import (
    COVERAGES,
    EvaluationError,
    dataset_warnings,
    plan_coverage,
    resolve_ks,
    result_entry,
    row_scores,
)
from naslens.evaluation_coverage import criteria_for as criteria_for  # re-exported (its old home)
from naslens.evaluation_scores import _canonical_estimator, _labels, _live_run, _score_live, _stored_scores
from naslens.run_context import ground_truth_context, ground_truth_dataset, network_note
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.subsets import SubsetPlan, plan_subset
from naslens.types import RunId, Scores, ScoringContext

TIE_POLICY = (
    "correlations: Kendall tau-b and Spearman with average ranks; P@top/bottom-K: expected value when ties in the "
    "scores and in the ground truth are broken uniformly at random; BR/WR@K: expected min/max true rank (ties in "
    "the ground truth share the better rank) over the estimator's top-K set, boundary ties broken at random; "
    "K from a ratio = floor(M*ratio)"
)

_crit = criteria  # the module, for functions whose ``criteria`` argument shadows it

RUN_COLUMNS = ("label", "estimator", "seed", "checkpoint", "ensemble")
"""Columns that say which run a result is (``label`` is for display; group by the other four)."""


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
    runs: dict[str, RunId] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    criteria: list[str] = field(default_factory=lambda: list(criteria.DEFAULT_CRITERIA))
    coverage: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

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
            "criteria": self.criteria,
            "run_context": self.context,
            "coverage": self.coverage,
            "warnings": self.warnings,
            "results": self.results,
        }

    def run_of(self, label: str) -> RunId:
        """The run behind a result label (estimator, seed, checkpoint, ensemble)."""
        return self.runs.get(label) or RunId.from_label(label)

    def runs_table(self) -> pd.DataFrame:
        """One row per score column of :meth:`scores_table`: its label and the run it is (tidy columns)."""
        rows = []
        for label, r in self.results.items():
            info = r["estimator"]["info"]
            rows.append(
                {
                    "label": label,
                    **self.run_of(label).as_dict(),
                    "family": info.get("family", ""),
                    "higher_is_better": info.get("higher_is_better", True),
                    "config_hash": r["estimator"]["config_hash"],
                }
            )
        return _int_seeds(pd.DataFrame(rows, columns=[*RUN_COLUMNS, "family", "higher_is_better", "config_hash"]))

    def criteria_table(self) -> pd.DataFrame:
        """One row per result: its label, run columns (estimator, seed, checkpoint, ensemble), then the criteria
        flattened (``precision_at_top@0.05`` …)."""
        recs = []
        for name, r in self.results.items():
            rec: dict[str, Any] = {"label": name, **self.run_of(name).as_dict()}
            for key in self.criteria:
                if criteria.get_criterion(key).info.needs_k:
                    for k, v in r.get(key, {}).items():
                        rec[f"{key}@{k}"] = v
                else:
                    rec[key] = r.get(key)
            rec["n_archs"] = r["n_archs"]
            rec["n_nonfinite"] = r["n_nonfinite"]
            recs.append(rec)
        return _int_seeds(pd.DataFrame(recs))

    def evaluation_table(self) -> pd.DataFrame:
        """``evaluation.csv``: :meth:`criteria_table` plus what the numbers are, so the file alone says it —
        ``n_not_scored`` (rows not in the store), the space, subset, coverage (``common``/``each``), ``n_rows``
        (rows of the subset; ``n_archs`` is the M each row's criteria are over) and the ground truth (``ground_truth``
        name or file, ``gt_metric``, ``gt_dataset``, ``gt_split``, ``gt_epochs``, ``gt_sha256``)."""
        df = self.criteria_table()
        gt = self.ground_truth
        src = gt.get("source") or {}
        df["n_not_scored"] = [int(r.get("n_not_scored", 0)) for r in self.results.values()]
        context = {
            "space": self.space,
            "subset": self.subset,
            "coverage": self.coverage.get("mode", ""),
            "n_rows": len(self.rows),
            "ground_truth": gt.get("name") or src.get("path", ""),
            "gt_metric": gt.get("metric"),
            "gt_dataset": gt.get("dataset"),
            "gt_split": gt.get("split"),
            "gt_epochs": gt.get("epochs"),
            "gt_sha256": src.get("sha256", ""),
        }
        for k, v in context.items():
            df[k] = [v] * len(df)
        return df

    def scores_table(self) -> pd.DataFrame:
        """One row per architecture (``arch``, ``ground_truth``, index / class / complexity columns), one column
        per result label (which run each label is: :meth:`runs_table`)."""
        df = pd.DataFrame({"arch": self.rows, "ground_truth": self.truth})
        if self.table_extra is not None:
            df = pd.concat([df, self.table_extra.reset_index(drop=True)], axis=1)
        for name, vals in self.scores.items():
            df[name] = vals
        return df

    def tidy_scores(self) -> pd.DataFrame:
        """The scores in long form: one row per (architecture, result), with the run columns."""
        runs = self.runs_table()[list(RUN_COLUMNS)]
        long = pd.DataFrame(
            {
                "arch": np.tile(np.asarray(self.rows, dtype=object), len(self.scores)),
                "label": np.repeat(list(self.scores), len(self.rows)),
                "score": np.concatenate([np.asarray(v) for v in self.scores.values()]) if self.scores else [],
            }
        )
        return long.merge(runs, on="label", how="left")[["arch", *RUN_COLUMNS, "score"]]

    def save(self, out: str | os.PathLike[str]) -> Path:
        """Write ``evaluation.json``, ``evaluation.csv`` (criteria and what they are over), ``scores.csv`` (one row
        per architecture, one column per result label) and ``runs.csv`` (each label's estimator, seed, checkpoint,
        ensemble) into ``out`` (atomic renames)."""
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        _atomic_write(d / "evaluation.json", json.dumps(self.to_dict(), indent=2, default=_json_default) + "\n")
        _atomic_write(d / "evaluation.csv", self.evaluation_table().to_csv(index=False))
        _atomic_write(d / "scores.csv", self.scores_table().to_csv(index=False))
        _atomic_write(d / "runs.csv", self.runs_table().to_csv(index=False))
        return d


def _int_seeds(df: pd.DataFrame) -> pd.DataFrame:
    """``seed`` as a nullable integer column (empty where the estimator has no seed)."""
    if "seed" in df.columns:
        df["seed"] = df["seed"].astype("Int64")
    return df


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


def evaluate(
    *,
    space: str | None = None,
    ground_truth: str | os.PathLike[str] | GroundTruth = "nb201-200ep",
    dataset: str | None = None,
    metric: str | None = None,
    estimators: Sequence[str] = ("params", "flops", "relu"),
    subset: str = "all",
    ks: Sequence[float | int] = criteria.DEFAULT_K_RATIOS,
    criteria: Sequence[str] | None = None,
    store: str | os.PathLike[str] | None = None,
    checkpoint: str | None = None,
    store_seed: int | None = None,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    batch_size: int | None = None,
    n_batches: int | None = None,
    progress: bool = True,
    coverage: str = "common",
) -> Evaluation:
    """Evaluate estimators against a ground truth.

    Args:
        space: registered search space (default: the ground truth's space).
        ground_truth: a :class:`GroundTruth`, a registered name (``nb201-200ep``, ``nb201-fmnist``, …) or a path.
        dataset / metric: which ground-truth column (``dataset`` picks the only metric of that dataset).
        estimators: registered estimator names, or names of estimators stored in ``store``.
        subset: ``all``, ``deiso``, ``deiso-mean`` or ``deiso-gtmean`` (see :mod:`naslens.subsets`).
        ks: top-K values, ratios (floats) or counts (ints).
        criteria: criteria to compute, by name (``naslens.criteria.list_criteria()``; default
            :data:`naslens.criteria.DEFAULT_CRITERIA`).
        store: score-store folder for stored estimators (zero-shot, one-shot runs).
        checkpoint / store_seed: restrict stored scores to one checkpoint / seed (default: every one, reported
            separately).
        seed: seed of seeded estimators (``random``, network initialisation).
        out: folder for ``evaluation.json``, ``evaluation.csv``, ``scores.csv`` and ``runs.csv``.
        batch_size / n_batches: images per batch and batches per architecture of data-using estimators computed
            here (zero-shot proxies; default 128 × 3). Proxies computed here share one network and one set of
            passes per architecture; long scoring belongs in ``naslens score`` (resumable, stored).
        progress: show progress while estimators are computed here.
        coverage: ``common`` (default): every estimator on the rows all of them have a finite score for (M rows,
            the same K: comparable); ``each``: every estimator on its own finite rows. Results on fewer than
            :data:`naslens.evaluation_coverage.MIN_POINTS` architectures are refused (NaN, ``error`` says why).

    Every estimator computed here gets one :class:`~naslens.types.ScoringContext` read from the ground truth
    (its dataset, the network it was trained with, its data source; see :mod:`naslens.run_context`).
    """
    chosen = [c.info.name for c in _crit.resolve_criteria(criteria)]
    if coverage not in COVERAGES:
        raise EvaluationError(f"coverage must be one of {COVERAGES}, got {coverage!r}")
    gt = ground_truth if isinstance(ground_truth, GroundTruth) else load_ground_truth(ground_truth, data_dir)
    sp = get_space(gt.space if space is None else space)
    if gt.space != sp.name:
        raise EvaluationError(f"ground truth is for space {gt.space!r}, not {sp.name!r}")
    col = gt.metric_for(dataset, metric)
    series = gt.values[col]
    without = [str(k) for k in series.index[series.isna()]]
    series = series.dropna()
    if len(series) < 2:
        raise EvaluationError(f"ground truth {col!r} has {len(series)} architectures with values; need at least 2")
    plan: SubsetPlan = plan_subset(sp, [str(k) for k in series.index], subset)
    truth = plan.aggregate_truth(series.to_dict())
    provenance = gt.provenance(col)
    if not isinstance(ground_truth, GroundTruth):
        provenance["name"] = str(ground_truth)
    provenance["n_archs_without_value"] = len(without)
    if without:
        provenance["left_out"] = {
            "n": len(without),
            "reason": f"no value (NaN) for {col!r} in the ground-truth file",
            "examples": without[:5],
        }
    needed = plan.needed_keys
    archs = [sp.parse(k) for k in needed]
    st = ScoreStore(store, readonly=True) if store is not None else None
    stored_names = set(st.estimators()) if st is not None else set()

    context = ground_truth_context(sp, gt, col, seed=seed).replace(batch_size=batch_size, n_batches=n_batches)
    all_scores: list[tuple[RunId, Scores]] = []
    live: dict[int, Any] = {}
    slots: list[list[tuple[RunId, Scores]] | int] = []
    for name in estimators:
        stored_as = name if name in stored_names else _canonical_estimator(name)
        if stored_as in stored_names and st is not None:
            slots.append(_stored_scores(st, sp.name, stored_as, needed, checkpoint, store_seed))
        else:
            live[len(slots)] = create_estimator(name, context)
            slots.append(len(slots))
    computed = _score_live(sp, archs, live, progress=progress)
    for slot in slots:
        if isinstance(slot, int):
            sc = computed[slot]
            all_scores.append((_live_run(estimators[slot], sc), sc))
        else:
            all_scores.extend(slot)

    labelled = list(zip(_labels([r for r, _ in all_scores]), all_scores, strict=True))
    rows_of = {label: row_scores(plan.members, sc, plan.aggregate) for label, (_, sc) in labelled}
    cov = plan_coverage(coverage, {label: st_ for label, (_, st_) in rows_of.items()}, len(plan.rows))
    k_counts, skipped = resolve_ks(ks, cov.base_m())
    results: dict[str, dict[str, Any]] = {}
    for label, (run, sc) in labelled:
        results[label] = result_entry(run, sc, rows_of[label][0], truth, cov, label, ks, chosen)
    extra, network = _row_table(sp, plan, context)
    note = network_note(sp, gt, col, context)
    gt_dataset = ground_truth_dataset(sp, gt, col)
    warnings = dataset_warnings(  # the configuration's datasets and the one the estimator itself fixes (info)
        gt_dataset, {label: {"config": sc.config, "dataset": sc.info.dataset} for label, (_, sc) in labelled}
    )
    ev = Evaluation(
        space=sp.name,
        subset=subset,
        ground_truth=provenance,
        rows=plan.rows,
        truth=truth,
        scores={label: v for label, (v, _) in rows_of.items()},
        results=results,
        ks=[_crit.k_label(k) for k in ks],
        k_counts=k_counts,
        skipped_ks=skipped,
        table_extra=extra,
        runs={label: run for label, (run, _) in labelled},
        context={**context.given(), "complexity_network": network, **({"note": note} if note else {})},
        criteria=chosen,
        coverage=cov.to_dict(),
        warnings=warnings,
    )
    if out is not None:
        ev.save(out)
    return ev


def _row_table(sp: Any, plan: SubsetPlan, context: ScoringContext) -> tuple[pd.DataFrame, dict[str, Any]]:
    """index / class / complexity columns of each row (for the per-architecture table), and the network settings
    the complexity columns were computed for."""
    archs = [sp.parse(k) for k in plan.rows]
    net = sp.net_config(None, **context.net) if context.net else sp.net_config(context.dataset)
    cx = sp.complexity(archs, **net)
    df = pd.DataFrame(
        {
            "index": [sp.index(a) for a in archs] if sp.info.enumerable else [-1] * len(archs),
            "class_id": plan.class_ids,
            "class_size": plan.class_sizes,
            "n_members": [len(m) for m in (plan.truth_members or plan.members)],
        }
    )
    df["params"] = cx["params"].to_numpy()
    df["flops"] = cx["flops"].to_numpy()
    return df, net
