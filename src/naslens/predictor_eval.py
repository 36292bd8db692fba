"""``fit_eval``: fit predictors on seeded training sets of a ground truth and judge them with naslens' criteria.

For each (predictor, training size, loss, training set, seed) of the grid (see :mod:`naslens.predictor_plan` and,
for the training sets, :mod:`naslens.predictor_data`) the predictor is fitted on the training set's target values,
predicts every ground-truth architecture, and is judged on ``all`` of them or on the ``heldout`` ones (the
ground truth minus the training set): Kendall τ-b, Spearman, P@top-5 % and BR@1 % (K = floor(M·ratio), M the
evaluated architectures with a finite prediction; ties as in :mod:`naslens.criteria`). Non-finite predictions are
counted (``n_nonfinite``) and left out of that run's criteria, never dropped silently. With a stored target (the
one-shot oracle) every criterion is also computed against the target itself (columns ``…_target``).

Outputs in ``out``:

- ``runs.jsonl``: one line per finished run (criteria on both evaluation sets, timings, configuration hashes),
  appended and fsynced: a rerun skips what it holds, a kill loses at most the run in progress;
- ``results.csv``: one row per (run, evaluation set asked for): ``n_eval`` architectures evaluated, of them
  ``n_finite`` with a finite prediction (M) and ``n_nonfinite`` without; ``summary.csv``: mean and std (numpy's,
  ddof 0) per (predictor, train_size, loss, eval_on) over training sets and seeds, of the finite criteria (runs
  with a NaN criterion counted in ``n_runs_nan``); both rewritten atomically;
- ``scores/``: a :class:`~naslens.store.ScoreStore` with every prediction, one estimator name per (predictor,
  size, loss, set) and the seed in the seed column (``naslens evaluate --store OUT/scores -e mlp@n78-ranking-set0``
  shows a predictor next to proxies and supernets);
- ``provenance.json``: ground truth (file, sha256, metric, dataset, split, epochs), target, settings, grid.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from naslens import criteria
from naslens.benchmarks import GroundTruth
from naslens.predictor_data import Truth, load_truth, resolve_target
from naslens.predictor_plan import FitEvalPlan, RunSpec, plan_fit_eval
from naslens.predictor_runlog import RunLog, atomic_write
from naslens.progress import Tracker
from naslens.store import ScoreStore

CRITERIA = ("kendall_tau", "spearman", "p_at_top_5pct", "br_at_1pct")
"""The criteria columns of ``results.csv`` (P@top-5 %: higher is better; BR@1 %: lower is better)."""

RUN_COLUMNS = ("predictor", "train_size", "loss", "train_set", "seed", "eval_on", "n_eval", "n_finite", "n_nonfinite")
"""Leading columns of ``results.csv``: ``n_eval`` architectures evaluated, ``n_finite`` (M, what the criteria are
computed on) with a finite prediction, ``n_nonfinite`` = ``n_eval - n_finite`` without."""


def criteria_row(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """The criteria of predictions ``p`` against ``y`` (aligned); non-finite predictions counted and left out
    (``n_eval`` = ``n_finite`` + ``n_nonfinite``; the criteria are over the ``n_finite`` = M).

    Example:
        >>> r = criteria_row(np.arange(201.0), np.r_[np.arange(200.0), np.nan])
        >>> r["n_eval"], r["n_finite"], r["n_nonfinite"], round(r["kendall_tau"], 3), r["br_at_1pct"]
        (201, 200, 1, 1.0, 0.005)
        >>> r = criteria_row(np.arange(50.0), np.arange(50.0))  # floor(0.01 * 50) = 0: no top-1 % set
        >>> r["br_at_1pct"], r["note"].startswith("br_at_1pct: k=0.01 with M=50 gives K=0")
        (nan, True)
    """
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    finite = np.isfinite(p)
    n_finite = int(finite.sum())
    row: dict[str, Any] = {
        "n_eval": int(y.size),
        "n_finite": n_finite,
        "n_nonfinite": int(y.size) - n_finite,
        "note": "",
    }
    yf, pf = y[finite], p[finite]
    for c in CRITERIA:
        row[c] = float("nan")
    if yf.size < 2 or np.ptp(pf) == 0:
        row["note"] = f"{yf.size} finite predictions" + ("" if yf.size < 2 else ", all equal: no ranking")
        return row
    notes = []
    computed: dict[str, Callable[[], float]] = {
        "kendall_tau": lambda: criteria.kendall_tau(yf, pf),
        "spearman": lambda: criteria.spearman(yf, pf),
        "p_at_top_5pct": lambda: criteria.precision_at_top(yf, pf, 0.05),
        "br_at_1pct": lambda: criteria.best_ranking(yf, pf, 0.01),
    }
    for name, fn in computed.items():
        try:
            row[name] = float(fn())
        except ValueError as e:  # e.g. an empty top-K set (K = floor(M * ratio) = 0) or a constant ground truth
            notes.append(f"{name}: {e}")
    row["note"] = "; ".join(notes)
    return row


@dataclass
class FitEvalResult:
    """What a fit-eval call did: the plan, the runs computed now, and the tables written."""

    plan: FitEvalPlan
    computed: int
    results: pd.DataFrame
    summary: pd.DataFrame

    @property
    def out(self) -> Path:
        return self.plan.out


def _run_one(plan: FitEvalPlan, run: RunSpec, archs: list[Any], store: ScoreStore) -> dict[str, Any]:
    """Fit, predict every ground-truth architecture, store the predictions and compute the criteria."""
    est = plan.estimators[run.key]
    train_keys = plan.sets[(run.train_size, run.train_set)]
    truth = plan.truth
    t0 = time.perf_counter()
    est.predictor.fit([archs[truth.index[k]] for k in train_keys], plan.target.of(train_keys))
    t1 = time.perf_counter()
    pred = est.predictor.predict(archs)
    t2 = time.perf_counter()
    est.store(store, plan.space.info.name, truth.keys, pred)
    train = set(train_keys)
    held = np.array([k not in train for k in truth.keys])
    masks = {"all": np.ones(len(truth.keys), dtype=bool), "heldout": held}
    evals = {name: criteria_row(truth.values[m], pred[m]) for name, m in masks.items() if m.sum() >= 2}
    rec: dict[str, Any] = {
        "predictor": run.predictor,
        "train_size": run.train_size,
        "loss": run.loss,
        "train_set": run.train_set,
        "seed": run.seed,
        "stored_name": est.info.name,
        "config_hash": est.config_hash,
        "store_config_hash": _hash(est.store_config()),
        "train_set_sha256": est.store_config()["train_set"]["sha256"],
        "fit_seconds": t1 - t0,
        "predict_seconds": t2 - t1,
        "n_predicted": int(pred.size),
        "n_pred_nonfinite": int((~np.isfinite(pred)).sum()),
        "eval": evals,
    }
    if plan.oracle:
        tvals = plan.target.values
        rec["eval_target"] = {}
        for name, m in masks.items():
            keys = [k for k, on in zip(truth.keys, m, strict=True) if on and k in tvals]
            if len(keys) >= 2:
                idx = [truth.index[k] for k in keys]
                rec["eval_target"][name] = criteria_row(plan.target.of(keys), pred[idx])
    return rec


def _hash(cfg: dict[str, Any]) -> str:
    from naslens.types import config_hash

    return config_hash(cfg)


def results_table(records: Sequence[Mapping[str, Any]], eval_on: Sequence[str], oracle: bool) -> pd.DataFrame:
    """One row per (run, evaluation set in ``eval_on``), runs in grid order."""
    rows = []
    for rec in records:
        for e in eval_on:
            ev = rec["eval"].get(e)
            if ev is None:
                continue
            row = {k: rec[k] for k in ("predictor", "train_size", "loss", "train_set", "seed")}
            n_finite = ev.get("n_finite", ev["n_eval"] - ev["n_nonfinite"])  # records written before n_finite
            row.update({"eval_on": e, "n_eval": ev["n_eval"], "n_finite": n_finite, "n_nonfinite": ev["n_nonfinite"]})
            row.update({c: ev[c] for c in CRITERIA})
            if oracle:
                tv = rec.get("eval_target", {}).get(e, {})
                row["n_eval_target"] = tv.get("n_eval", 0)
                row.update({f"{c}_target": tv.get(c, float("nan")) for c in CRITERIA})
            row.update(
                {
                    "fit_seconds": rec["fit_seconds"],
                    "predict_seconds": rec["predict_seconds"],
                    "stored_name": rec["stored_name"],
                    "config_hash": rec["config_hash"],
                    "store_config_hash": rec["store_config_hash"],
                    "note": ev.get("note", ""),
                }
            )
            rows.append(row)
    return pd.DataFrame(rows, columns=_columns(oracle))


def _columns(oracle: bool) -> list[str]:
    cols = [*RUN_COLUMNS, *CRITERIA]
    if oracle:
        cols += ["n_eval_target", *(f"{c}_target" for c in CRITERIA)]
    return [*cols, "fit_seconds", "predict_seconds", "stored_name", "config_hash", "store_config_hash", "note"]


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and std (ddof 0) of every criterion per (predictor, train_size, loss, eval_on).

    A criterion's mean and std are over the runs where it is finite; a NaN criterion (a collapsed predictor with
    constant predictions, an empty top-K set) is left out of them and counted: ``n_runs`` is every run of the group,
    ``n_runs_nan`` the runs with at least one non-finite criterion (``results.csv`` says which), and
    ``n_nonfinite`` the non-finite predictions summed over the runs.

    Example:
        >>> res = pd.DataFrame({"predictor": "mlp", "train_size": 78, "loss": "ranking", "eval_on": "all",
        ...                     "n_nonfinite": [0, 0, 0], "kendall_tau": [0.5, float("nan"), 0.7],
        ...                     "fit_seconds": [1.0, 1.0, 1.0]})
        >>> r = summary_table(res).iloc[0]
        >>> int(r.n_runs), int(r.n_runs_nan), round(float(r.kendall_tau_mean), 3)
        (3, 1, 0.6)
    """
    keys = ["predictor", "train_size", "loss", "eval_on"]
    values = [c for c in results.columns if c in CRITERIA or (c.endswith("_target") and c[:-7] in CRITERIA)]
    if results.empty:
        cols = [*keys, "n_runs", "n_runs_nan", "n_nonfinite", *(f"{c}_{s}" for c in values for s in ("mean", "std"))]
        return pd.DataFrame(columns=[*cols, "fit_seconds_mean"])
    rows = []
    for group, df in results.groupby(keys, sort=False):
        row = dict(zip(keys, group, strict=True))
        row["n_runs"] = len(df)
        row["n_runs_nan"] = int((~np.isfinite(df[values].to_numpy(dtype=np.float64))).any(axis=1).sum())
        row["n_nonfinite"] = int(df["n_nonfinite"].sum())
        for c in values:
            v = df[c].to_numpy(dtype=np.float64)
            ok = v[np.isfinite(v)]
            row[f"{c}_mean"] = float(ok.mean()) if ok.size else float("nan")
            row[f"{c}_std"] = float(ok.std()) if ok.size else float("nan")
        row["fit_seconds_mean"] = float(df["fit_seconds"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def _provenance(plan: FitEvalPlan) -> dict[str, Any]:
    from naslens import __version__

    return {
        "naslens_version": __version__,
        "settings": plan.settings(),
        "ground_truth": plan.truth.provenance,
        "target": {**plan.target.provenance, "n_nonfinite": plan.target.n_nonfinite},
        "n_ground_truth_archs": len(plan.truth.keys),
        "n_pool": len(plan.target.pool(plan.truth)),
        "grid": {
            "predictors": plan.kinds,
            "train_sizes": sorted({r.train_size for r in plan.runs}),
            "losses": sorted({r.loss for r in plan.runs}),
            "train_sets": 1 + max(r.train_set for r in plan.runs),
            "seeds": sorted({r.seed for r in plan.runs}),
            "eval_on": plan.eval_on,
        },
        "params": plan.params,
        "train_sets": "set s of size n: numpy.random.default_rng((s, n)).choice(pool, n, replace=False), pool = "
        "sorted keys with a ground-truth (and target) value; sizes drawn independently (not nested)",
        "criteria": "Kendall tau-b, Spearman, P@top-5% (K = floor(0.05 M)), BR@1% (K = floor(0.01 M), best true "
        "rank / M, lower is better); M = evaluated architectures with a finite prediction",
    }


def run_fit_eval(plan: FitEvalPlan, *, progress: bool = True) -> FitEvalResult:
    """Execute a plan (creating ``plan.out``), skipping the runs it already holds."""
    out = plan.out
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "provenance.json", json.dumps(_provenance(plan), indent=2, default=str) + "\n")
    log = RunLog(out / "runs.jsonl")
    todo = plan.todo
    archs = [plan.space.parse(k) for k in plan.truth.keys] if todo else []
    order = {r.key: i for i, r in enumerate(plan.runs)}
    records = dict(plan.done)

    def write_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
        recs = [records[k] for k in sorted(records, key=lambda k: order[k])]
        res = results_table(recs, plan.eval_on, plan.oracle)
        summ = summary_table(res)
        atomic_write(out / "results.csv", res.to_csv(index=False))
        atomic_write(out / "summary.csv", summ.to_csv(index=False))
        return res, summ

    with (
        ScoreStore(out / "scores") as store,
        Tracker(len(todo), "fit-eval", done=len(plan.done), enabled=progress) as t,
    ):
        for run in todo:
            rec = _run_one(plan, run, archs, store)
            log.append(rec)
            records[run.key] = rec
            plan.estimators[run.key].predictor = clone(plan.estimators[run.key].predictor)  # free what it learned
            write_tables()
            t.advance()
    res, summ = write_tables()
    return FitEvalResult(plan, len(todo), res, summ)


def fit_eval(
    space: str | None,
    ground_truth: str | os.PathLike[str] | GroundTruth,
    dataset: str | None = None,
    predictors: Sequence[str] = ("mlp",),
    train_sizes: Sequence[int] = (78,),
    losses: Sequence[str] = ("ranking",),
    train_sets: int = 3,
    seeds: Sequence[int] = (20, 2020, 202020),
    eval_on: Sequence[str] | str = ("all",),
    out: str | os.PathLike[str] = "runs/predictors",
    *,
    metric: str | None = None,
    params: Mapping[str, Any] | None = None,
    target: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> FitEvalResult:
    """Fit and judge predictors on seeded training sets (see the module docstring); resumable in ``out``.

    Args:
        space: search space (default: the ground truth's).
        ground_truth / dataset / metric: the ground truth and its column (``load_ground_truth`` names or a file).
        predictors: registered predictor names. train_sizes / losses / train_sets / seeds: the grid (``losses``
            only for ``neural`` predictors).
        eval_on: ``all``, ``heldout`` or both.
        out: output folder. params: hyperparameter overrides (``{"epochs": 50}``), applied where they exist.
        target: ``None`` (the ground truth) or ``store:PATH:ESTIMATOR[:config=H][:seed=S][:checkpoint=C]``.
    """
    from naslens.spaces import get_space

    truth: Truth = load_truth(ground_truth, space=space, dataset=dataset, metric=metric, data_dir=data_dir)
    sp = get_space(space or truth.space)
    plan = plan_fit_eval(
        sp,
        truth,
        resolve_target(target, truth),
        predictors=list(predictors),
        train_sizes=list(train_sizes),
        losses=list(losses),
        train_sets=train_sets,
        seeds=list(seeds),
        eval_on=[eval_on] if isinstance(eval_on, str) else list(eval_on),
        out=Path(out),
        params=params,
    )
    return run_fit_eval(plan, progress=progress)
