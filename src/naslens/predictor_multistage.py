"""Multi-stage (predictor-guided) search: fit, score the space, reveal the predicted best, refit.

Stage 1 fits the predictor on a seeded random set of ``per_stage`` architectures (training set ``seed`` of that
size, drawn as in :func:`naslens.predictor_data.train_set`; the predictor's ``random_state`` is ``seed`` too).
After each stage's fit the predictor scores every ground-truth architecture; the ``per_stage`` best-scored
architectures whose ground truth is not yet known are revealed, and the next stage refits on everything known.

Per stage (one row of ``multistage.csv``), M being every ground-truth architecture: the known set's ground-truth
range (``known_min``, ``known_max``) and std (ddof 0); the best accuracy found so far and its true rank among the
M (1 = best, ties share the better rank) and rank / M; BR@K for absolute K (default 1, 7, 11): the expected best
true rank among the M of the predictor's top-K, as a rank (``br_at_7``) and as a ratio of M (``br_at_7_ratio``,
the same denominator as ``best_found_rank_ratio``); P@top-0.1 % (K = floor(0.001 M_f), NaN when that is 0) and the
global Kendall τ-b over the M_f architectures with a finite prediction. Non-finite predictions are counted
(``n_nonfinite``; M_f = M - n_nonfinite) and never in a top-K set (as when revealing: they are scored last); a K
above M_f gives NaN.

Resumable per stage: each finished stage is one fsynced line of ``multistage.jsonl`` (with the architectures it
revealed), a rerun continues after the last finished stage, and a call with more ``stages`` adds stages.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens import criteria
from naslens.benchmarks import GroundTruth
from naslens.estimators.predictors.estimator import NO_LOSS, PredictorEstimator
from naslens.predictor_data import PredictorRunError, Truth, load_truth, train_set, truth_target
from naslens.predictor_plan import (
    RunSpec,
    build_predictor,
    check_losses,
    check_predictors,
    check_training_params,
    split_params,
    takes_loss,
)
from naslens.predictor_runlog import RunLog, atomic_write
from naslens.progress import Tracker

DEFAULT_KS = (1, 7, 11)
"""Absolute K of the per-stage BR@K."""


COLUMNS = (
    "predictor", "loss", "seed", "stage", "n_known", "known_min", "known_max", "known_std", "best_found",
    "best_found_rank", "best_found_rank_ratio", "kendall_tau", "p_at_top_0.1pct", "n_nonfinite",
)  # fmt: skip
"""Leading columns of ``multistage.csv`` (then the BR@K columns, then fit seconds and the configuration hash)."""


def _k_order(col: str) -> tuple[int, int]:
    k = col[len("br_at_") :].removesuffix("_ratio")
    return (int(k), col.endswith("_ratio"))


def stage_metrics(truth: Truth, known: Sequence[str], scores: np.ndarray, ks: Sequence[int]) -> dict[str, Any]:
    """The per-stage figures of the module docstring (``scores`` aligned with ``truth.keys``).

    Example:
        >>> t = Truth("s", "demo", "acc", ["a", "b", "c", "d"], np.array([1.0, 4.0, 2.0, 3.0]), {})
        >>> m = stage_metrics(t, ["a", "d"], np.array([0.0, 3.0, 1.0, 2.0]), [1])
        >>> m["best_found"], m["best_found_rank"], m["br_at_1"], m["kendall_tau"]
        (3.0, 2, 1.0, 1.0)
    """
    y = truth.values
    m = y.size
    kv = truth.of(list(known))
    best = float(kv.max())
    rank = int(1 + (y > best).sum())
    finite = np.isfinite(scores)
    row: dict[str, Any] = {
        "n_known": len(known),
        "known_min": float(kv.min()),
        "known_max": float(kv.max()),
        "known_std": float(kv.std()),
        "best_found": best,
        "best_found_rank": rank,
        "best_found_rank_ratio": rank / m,
        "n_nonfinite": int((~finite).sum()),
    }
    yf, sf = y[finite], scores[finite]
    ok = yf.size >= 2 and np.ptp(sf) > 0
    # non-finite predictions just below the lowest finite one: never in a top-K of K <= M_f, true ranks among all M
    last = np.where(finite, scores, np.nextafter(sf.min(), -np.inf) if sf.size else 0.0)
    for k in ks:
        br = float(criteria.best_ranking(y, last, int(k))) if ok and k <= yf.size else float("nan")
        row[f"br_at_{k}"] = br * m
        row[f"br_at_{k}_ratio"] = br
    try:
        row["p_at_top_0.1pct"] = float(criteria.precision_at_top(yf, sf, 0.001)) if ok else float("nan")
    except ValueError:  # floor(0.001 M) = 0: an empty top set
        row["p_at_top_0.1pct"] = float("nan")
    row["kendall_tau"] = float(criteria.kendall_tau(yf, sf)) if ok else float("nan")
    return row


@dataclass
class MultistageResult:
    """The stages of one (predictor, loss, seed) and the whole table of the folder."""

    stages: list[dict[str, Any]]
    table: pd.DataFrame
    computed: int
    out: Path


def _settings(
    space: str, truth: Truth, per_stage: int, ks: Sequence[int], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    src = truth.provenance.get("source", {})
    return {
        "space": space,
        "ground_truth": {"name": truth.name, "metric": truth.metric, "sha256": src.get("sha256")},
        "per_stage": per_stage,
        "ks": list(ks),
        "overrides": dict(overrides),
    }


def check_multistage(truth: Truth, stages: int, per_stage: int, ks: Sequence[int]) -> None:
    if stages < 1:
        raise PredictorRunError(f"--stages must be at least 1, got {stages}")
    if per_stage < 2:
        raise PredictorRunError(f"--per-stage must be at least 2, got {per_stage}")
    if stages * per_stage > len(truth.keys):
        raise PredictorRunError(
            f"{stages} stages × {per_stage} = {stages * per_stage} architectures to reveal, but the ground truth has "
            f"{len(truth.keys)}"
        )
    if not ks or any(int(k) < 1 for k in ks):
        raise PredictorRunError(f"--k: absolute K values must be >= 1, got {list(ks)}")


def check_out(out: Path, settings: dict[str, Any]) -> None:
    """Refuse a folder that holds multistage stages of other settings (or is a file).

    The settings of ``multistage.json`` are compared only when ``multistage.jsonl`` records at least one stage: a
    folder whose first fit failed holds nothing to protect and is reused (its ``multistage.json`` rewritten).
    """
    if out.exists() and not out.is_dir():
        raise PredictorRunError(f"--out {out}: is a file, not a folder")
    prov = out / "multistage.json"
    log_path = out / "multistage.jsonl"
    if prov.exists() and log_path.exists() and len(RunLog(log_path)) > 0:
        try:
            data = json.loads(prov.read_text())
        except json.JSONDecodeError as e:
            raise PredictorRunError(
                f"--out {out}: multistage.json is not valid JSON ({e}); use another --out"
            ) from None
        old = data.get("settings") if isinstance(data, dict) else None
        new = json.loads(json.dumps(settings, default=str))
        if old != new:
            diff = sorted(k for k in new if (old or {}).get(k) != new.get(k))
            raise PredictorRunError(
                f"--out {out} holds a multistage run with other settings ({', '.join(diff)} differ); use another --out"
            )


def multistage(
    space: str | None,
    ground_truth: str | os.PathLike[str] | GroundTruth,
    predictor: str,
    stages: int = 5,
    per_stage: int = 78,
    seed: int = 0,
    *,
    out: str | os.PathLike[str],
    dataset: str | None = None,
    metric: str | None = None,
    loss: str = "ranking",
    params: Mapping[str, Any] | None = None,
    ks: Sequence[int] = DEFAULT_KS,
    data_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    truth: Truth | None = None,
    params_for: Sequence[str] = (),
) -> MultistageResult:
    """Run (or resume) the multi-stage search of one predictor and seed; rows go to ``out/multistage.csv``.

    Args:
        space / ground_truth / dataset / metric: as for :func:`naslens.predictor_eval.fit_eval`.
        predictor: a registered predictor; ``loss`` is used when it is ``neural`` (``none`` recorded otherwise).
        stages / per_stage: number of stages and architectures revealed per stage (N).
        seed: seed of the initial set and of the predictor. params: hyperparameter overrides.
        ks: absolute K of BR@K. truth: an already loaded ground truth (the CLI loads it once for several calls).
        params_for: other predictors ``params`` was given for (a key of theirs this predictor lacks is then not an
            error: it is left out here, as in fit-eval).
    """
    from naslens.spaces import get_space

    truth = truth or load_truth(ground_truth, space=space, dataset=dataset, metric=metric, data_dir=data_dir)
    sp = get_space(space or truth.space)
    check_predictors([predictor])
    run_loss = check_losses([loss])[0] if takes_loss([predictor]) else NO_LOSS
    overrides = dict(params or {})
    own = split_params(list(dict.fromkeys([predictor, *params_for])), overrides)[predictor]
    check_multistage(truth, stages, per_stage, ks)
    # bad training hyperparameters are refused before anything is written (a tree's are checked when it first fits)
    check_training_params(build_predictor(RunSpec(predictor, per_stage, run_loss, 0, int(seed)), sp.info.name, own))
    out_dir = Path(out)
    settings = _settings(sp.info.name, truth, per_stage, ks, overrides)
    check_out(out_dir, settings)
    target = truth_target(truth)
    initial = train_set(truth.keys, per_stage, seed)
    log_path = out_dir / "multistage.jsonl"
    mine = (predictor, run_loss, int(seed))
    done = [
        r for r in (RunLog(log_path) if log_path.exists() else []) if (r["predictor"], r["loss"], r["seed"]) == mine
    ]
    done.sort(key=lambda r: r["stage"])
    out_dir.mkdir(parents=True, exist_ok=True)
    prov = {"settings": settings, "ground_truth": truth.provenance, "target": target.provenance}
    atomic_write(out_dir / "multistage.json", json.dumps(prov, indent=2, default=str) + "\n")
    log = RunLog(log_path)
    known = list(initial) if not done else sorted(set(done[-1]["known"]) | set(done[-1]["revealed"]))
    todo = list(range(len(done) + 1, stages + 1))
    archs = [sp.parse(k) for k in truth.keys] if todo else []
    computed = 0
    with Tracker(len(todo), f"multistage {predictor}", done=len(done), enabled=progress) as t:
        for stage in todo:
            spec = RunSpec(predictor, len(known), run_loss, 0, int(seed))
            est = PredictorEstimator(build_predictor(spec, sp.info.name, own), known, target.provenance)
            t0 = time.perf_counter()
            est.predictor.fit([archs[truth.index[k]] for k in known], truth.of(known))
            fit_s = time.perf_counter() - t0
            scores = est.predictor.predict(archs)
            row = {"predictor": predictor, "loss": run_loss, "seed": int(seed), "stage": stage}
            row.update(stage_metrics(truth, known, scores, ks))
            row.update({"fit_seconds": fit_s, "config_hash": est.config_hash})
            have = set(known)  # revealed after the last stage too, so that a later call can add stages
            order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
            revealed = [truth.keys[i] for i in order if truth.keys[i] not in have][:per_stage]
            log.append({**row, "known": sorted(known), "revealed": sorted(revealed)})
            done.append({**row, "known": known, "revealed": revealed})
            known = sorted(set(known) | set(revealed))
            computed += 1
            _write_table(out_dir, log)
            t.advance()
    table = _write_table(out_dir, log)
    return MultistageResult([_public(r) for r in done[:stages]], table, computed, out_dir)


def _public(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k not in ("known", "revealed")}


def _write_table(out: Path, log: RunLog) -> pd.DataFrame:
    rows = sorted((_public(r) for r in log), key=lambda r: (r["predictor"], r["loss"], r["seed"], r["stage"]))
    table = pd.DataFrame(rows)
    if rows:
        first = [c for c in COLUMNS if c in table.columns]
        br = sorted((c for c in table.columns if c.startswith("br_at_")), key=_k_order)
        table = table[[*first, *br, *(c for c in table.columns if c not in first and c not in br)]]
    atomic_write(out / "multistage.csv", table.to_csv(index=False))
    return table
