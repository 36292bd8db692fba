"""The plan of a ``fit-eval`` run, checked before any work is done or any file is created.

A plan is the grid (predictor × training size × loss × training set × seed) with, for each run, its training set
and the configuration hash of what it will store. Predictors without a loss axis (``tree`` ones:
``PredictorInfo.takes_loss`` is false) get one run per (size, set, seed) with loss ``none``, never one per loss.
Hyperparameters given with ``params`` (``--set KEY=VALUE``) go to the predictors that have them; a key none of the
chosen predictors has is an error, and so are the axes of the grid (``loss``, ``random_state``) and ``space``,
which the run sets itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from naslens.estimators.predictors import PredictorError, create_predictor, list_predictors, predictor_info
from naslens.estimators.predictors.estimator import NO_LOSS, PredictorEstimator, stored_name
from naslens.predictor_data import PredictorRunError, Target, Truth, train_set
from naslens.predictor_runlog import RunLog

EVAL_SETS = ("all", "heldout")
"""Where a run is judged: ``all`` (every ground-truth architecture, the training set included) or ``heldout``
(the ground truth minus the training set)."""

RESERVED = ("space", "random_state", "loss")
"""Hyperparameters a run sets itself (the space, ``--seeds``, ``--loss``); ``--set`` refuses them."""


@dataclass(frozen=True)
class RunSpec:
    """One run of the grid."""

    predictor: str
    train_size: int
    loss: str
    train_set: int
    seed: int

    @property
    def key(self) -> tuple[str, int, str, int, int]:
        return (self.predictor, self.train_size, self.loss, self.train_set, self.seed)

    def stored_name(self, oracle: bool = False) -> str:
        return stored_name(self.predictor, self.train_size, self.loss, self.train_set, oracle=oracle)


def split_params(predictors: Sequence[str], params: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{predictor: the overrides it takes}``; a key that no chosen predictor has, or a reserved one, raises."""
    reserved = sorted(set(params) & set(RESERVED))
    if reserved:
        raise PredictorRunError(
            f"--set {', '.join(reserved)}: set by the run itself (--space, --seeds, --loss), not a --set key"
        )
    from naslens.estimators.predictors import PREDICTORS

    names = {p: set(PREDICTORS.get(p)._get_param_names()) for p in predictors}
    unknown = sorted(k for k in params if not any(k in n for n in names.values()))
    if unknown:
        valid = sorted(set().union(*names.values()) - set(RESERVED))
        raise PredictorRunError(
            f"--set {', '.join(unknown)}: no chosen predictor ({', '.join(predictors)}) has such a hyperparameter; "
            f"valid: {', '.join(valid)}"
        )
    return {p: {k: v for k, v in params.items() if k in names[p]} for p in predictors}


def check_predictors(names: Sequence[str]) -> dict[str, str]:
    """``{name: kind}`` of the chosen predictors, in the given order; unknown names raise."""
    known = list_predictors()
    if not names:
        raise PredictorRunError("--predictor: no predictor given")
    bad = [n for n in names if n not in known]
    if bad:
        raise PredictorRunError(f"--predictor: unknown predictor(s) {', '.join(bad)}; registered: {', '.join(known)}")
    if len(set(names)) != len(names):
        raise PredictorRunError("--predictor: a predictor is given twice")
    return {n: known[n].kind for n in names}


def check_losses(losses: Sequence[str]) -> list[str]:
    from naslens.estimators.predictors.training import LOSSES

    bad = [x for x in losses if x not in LOSSES]
    if bad or not losses:
        raise PredictorRunError(
            f"--loss: unknown loss(es) {', '.join(bad) or '(none)'}; choose from {', '.join(LOSSES)}"
        )
    return list(dict.fromkeys(losses))


def takes_loss(names: Sequence[str]) -> bool:
    """Whether any of the predictors ``names`` has a loss axis (:attr:`PredictorInfo.takes_loss`)."""
    return any(predictor_info(n).takes_loss for n in names)


def build_predictor(spec: RunSpec, space: str, params: Mapping[str, Any]) -> Any:
    """The unfitted predictor of one run (its seed is the run's seed, its loss the run's loss if it has one)."""
    extra: dict[str, Any] = {"loss": spec.loss} if predictor_info(spec.predictor).takes_loss else {}
    try:
        return create_predictor(spec.predictor, space=space, random_state=spec.seed, **dict(params), **extra)
    except PredictorError as e:
        raise PredictorRunError(str(e)) from None


def check_training_params(predictor: Any) -> None:
    """Refuse bad values of the training hyperparameters of a neural predictor before anything runs (the values of
    a tree predictor's hyperparameters are checked by scikit-learn when it first fits)."""
    if predictor.info.kind != "neural":
        return
    from naslens.estimators.predictors.training import check_training

    try:
        check_training(predictor)
    except PredictorError as e:
        raise PredictorRunError(f"--set: {e}") from None


@dataclass
class FitEvalPlan:
    """Everything a fit-eval run does, resolved and checked (see :func:`plan_fit_eval`)."""

    space: Any
    truth: Truth
    target: Target
    kinds: dict[str, str]
    params: dict[str, dict[str, Any]]
    runs: list[RunSpec]
    eval_on: list[str]
    out: Path
    sets: dict[tuple[int, int], list[str]]
    estimators: dict[tuple[str, int, str, int, int], PredictorEstimator]
    done: dict[tuple[str, int, str, int, int], dict[str, Any]] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def oracle(self) -> bool:
        return not self.target.is_truth

    @property
    def todo(self) -> list[RunSpec]:
        return [r for r in self.runs if r.key not in self.done]

    def settings(self) -> dict[str, Any]:
        """What must be the same for every run stored in one folder (checked when a folder is reused)."""
        src = self.truth.provenance.get("source", {})
        return {
            "space": self.space.info.name,
            "ground_truth": {"name": self.truth.name, "metric": self.truth.metric, "sha256": src.get("sha256")},
            "restricted_to": self.truth.provenance.get("restricted_to"),
            "target": self.target.provenance,
            "overrides": self.overrides,
        }


def plan_runs(
    predictors: Sequence[str], train_sizes: Sequence[int], losses: Sequence[str], n_sets: int, seeds: Sequence[int]
) -> list[RunSpec]:
    """The grid, predictor-major (a predictor without a loss axis, e.g. a tree, gets one loss, ``none``)."""
    out = []
    for p in predictors:
        for n in train_sizes:
            for loss in losses if predictor_info(p).takes_loss else [NO_LOSS]:
                for s in range(n_sets):
                    for seed in seeds:
                        out.append(RunSpec(p, int(n), loss, s, int(seed)))
    return out


def check_grid(
    train_sizes: Sequence[int], n_sets: int, seeds: Sequence[int], eval_on: Sequence[str], pool: int, universe: int
) -> None:
    if not train_sizes:
        raise PredictorRunError("--train-size: no size given")
    for n in train_sizes:
        if n < 2 or n > pool:
            raise PredictorRunError(
                f"--train-size {n}: must be between 2 and the {pool} architectures with a ground-truth (and target) "
                "value"
            )
        if "heldout" in eval_on and universe - n < 2:
            raise PredictorRunError(f"--train-size {n} leaves {universe - n} held-out architectures; need at least 2")
    if n_sets < 1:
        raise PredictorRunError(f"--train-sets must be at least 1, got {n_sets}")
    if not seeds or len(set(seeds)) != len(seeds):
        raise PredictorRunError("--seeds: give one or more distinct seeds")
    bad = [e for e in eval_on if e not in EVAL_SETS]
    if bad or not eval_on:
        raise PredictorRunError(f"--eval-on: {', '.join(bad) or '(none)'}; choose all, heldout or both (all,heldout)")


def read_done(out: Path, plan: FitEvalPlan) -> dict[tuple[str, int, str, int, int], dict[str, Any]]:
    """The finished runs of ``out`` that belong to this plan; a folder holding runs of other settings is refused.

    The settings of ``provenance.json`` are compared only when ``runs.jsonl`` records at least one run: a folder
    whose first run failed (bad hyperparameters) holds nothing to protect and is reused, its provenance rewritten.
    """
    log_path = out / "runs.jsonl"
    log = RunLog(log_path) if log_path.exists() else None
    if not log:
        return {}
    prov = out / "provenance.json"
    if prov.exists():
        try:
            data = json.loads(prov.read_text())
        except json.JSONDecodeError as e:
            raise PredictorRunError(f"--out {out}: provenance.json is not valid JSON ({e})") from None
        old = data.get("settings") if isinstance(data, dict) else None
        new = json.loads(json.dumps(plan.settings(), default=str))
        if old is not None and old != new:
            diff = sorted(k for k in new if old.get(k) != new.get(k))
            raise PredictorRunError(
                f"--out {out} holds runs with other settings ({', '.join(diff)} differ); use another --out folder"
            )
    wanted = {r.key: plan.estimators[r.key].config_hash for r in plan.runs}
    done = {}
    for rec in log:
        key = (rec["predictor"], int(rec["train_size"]), rec["loss"], int(rec["train_set"]), int(rec["seed"]))
        if key in wanted:
            if rec["config_hash"] != wanted[key]:
                raise PredictorRunError(
                    f"--out {out}: run {key} is stored with configuration {rec['config_hash']}, this one would be "
                    f"{wanted[key]}; use another --out folder"
                )
            done[key] = rec
    return done


def plan_fit_eval(
    space: Any,
    truth: Truth,
    target: Target,
    *,
    predictors: Sequence[str],
    train_sizes: Sequence[int],
    losses: Sequence[str],
    train_sets: int,
    seeds: Sequence[int],
    eval_on: Sequence[str],
    out: Path,
    params: Mapping[str, Any] | None = None,
) -> FitEvalPlan:
    """Check every input and resolve the grid (reads ``out`` if it exists; writes nothing)."""
    if space.info.name != truth.space:
        raise PredictorRunError(f"ground truth {truth.name!r} is for space {truth.space!r}, not {space.info.name!r}")
    if out.exists() and not out.is_dir():
        raise PredictorRunError(f"--out {out}: is a file, not a folder")
    kinds = check_predictors(list(predictors))
    loss_list = check_losses(list(losses)) if takes_loss(list(kinds)) else [NO_LOSS]
    overrides = dict(params or {})
    per_predictor = split_params(list(kinds), overrides)
    pool = target.pool(truth)
    eval_list = list(dict.fromkeys(eval_on))
    sizes = list(dict.fromkeys(int(n) for n in train_sizes))
    check_grid(sizes, train_sets, list(seeds), eval_list, len(pool), len(truth.keys))
    runs = plan_runs(list(kinds), sizes, loss_list, train_sets, list(seeds))
    sets = {(n, s): train_set(pool, n, s) for n in sizes for s in range(train_sets)}
    estimators = {}
    sp_name = space.info.name
    for r in runs:
        pred = build_predictor(r, sp_name, per_predictor[r.predictor])
        check_training_params(pred)
        keys = sets[(r.train_size, r.train_set)]
        estimators[r.key] = PredictorEstimator(
            pred, keys, target.provenance, name=r.stored_name(not target.is_truth), train_set=r.train_set
        )
    plan = FitEvalPlan(space, truth, target, kinds, per_predictor, runs, eval_list, out, sets, estimators)
    plan.overrides = overrides
    plan.done = read_done(out, plan)
    return plan
