"""Which architectures each result of an evaluation is judged on, what is refused, and what is warned about.

A score is in one of three states per evaluation row:

- **ok**: a finite score;
- **failed**: the estimator ran and gave NaN, ±inf or a failure (``nan``, ``inf``, ``failed: <reason>``);
- **not scored**: nothing was computed — the score store holds no value for the architecture (status
  :data:`NOT_SCORED`), e.g. a proxy scored by ``naslens score --sample 1000`` on 1,000 of 6,466 rows.

Coverage (``evaluate(coverage=...)``, ``naslens evaluate --coverage``):

- ``common`` (default): every result is judged on the rows that **every** result has an ok score for — the common
  set, of size M. Rows of the printed table are then comparable: same architectures, same K. How many rows each
  estimator lacked (not scored / failed) is recorded.
- ``each``: every result on its own ok rows; rows with different ``n`` are *not* comparable, and each states its
  own K counts.

Too few points mean nothing: a result judged on fewer than :data:`MIN_POINTS` architectures is refused (its
criteria are NaN and ``error`` says why), and a K whose top-K set is empty is refused (NaN, reason in
``skipped_ks``).

Dataset check: every result's configuration is searched (generically, at any depth) for the datasets it records —
``dataset`` entries and a ``data``/``source`` that names a real-image data source (``cifar10``, ``fashion-mnist``;
not the synthetic ``noise``/``uniform``, nor a folder path). A dataset other than the ground truth's gives a warning
(console and ``evaluation.json``'s ``warnings``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from naslens import criteria as _crit
from naslens.types import RunId, Scores, UserError

NOT_SCORED = "failed: not in store"
"""The status :meth:`naslens.store.ScoreStore.scores` gives an architecture it holds no score for."""

COVERAGES = ("common", "each")
MIN_POINTS = 10
"""Fewest architectures a result is judged on; below it every criterion is refused (NaN, with the reason)."""


class EvaluationError(UserError, ValueError):
    """Bad input to an evaluation: an unknown coverage, a ground truth of another space or with too few values."""


OK, FAILED, NOT = 0, 1, 2
STATE_NAMES = {OK: "ok", FAILED: "failed", NOT: "not scored"}


def status_counts(sc: Scores) -> dict[str, int]:
    """Counts of the scores' statuses over the architectures asked for: ``ok``, ``nan``, ``inf``, ``failed`` and
    ``not_scored`` (the store had nothing; not a failure)."""
    counts: dict[str, int] = {}
    for s in sc.status:
        k = "not_scored" if s == NOT_SCORED else ("failed" if s.startswith("failed") else s)
        counts[k] = counts.get(k, 0) + 1
    return counts


def row_scores(groups: Sequence[Sequence[str]], sc: Scores, aggregate: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per evaluation row: the (aggregated) score and its state (:data:`OK`, :data:`FAILED`, :data:`NOT`).

    ``groups[i]`` are the keys whose scores make row i (one key, or a class's members for ``deiso-mean``);
    ``aggregate`` maps ``{key: value}`` to the row values (``SubsetPlan.aggregate``). A row with a failed member is
    failed; else one with a member not scored is not scored; a non-finite aggregate is failed.
    """
    ok = sc.finite
    state_of: dict[str, int] = {}
    by_key: dict[str, float] = {}
    for k, v, good, s in zip(sc.keys, sc.values, ok, sc.status, strict=True):
        state_of[k] = OK if good else (NOT if s == NOT_SCORED else FAILED)
        by_key[k] = float(v) if good else float("nan")
    values = np.asarray(aggregate(by_key), dtype=np.float64)
    states = np.empty(len(groups), dtype=np.int8)
    for i, g in enumerate(groups):
        member = [state_of[k] for k in g]
        states[i] = FAILED if FAILED in member else (NOT if NOT in member else OK)
    states[(states == OK) & ~np.isfinite(values)] = FAILED
    return values, states


@dataclass
class Coverage:
    """The rows each result is judged on.

    Attributes:
        mode: ``common`` or ``each``.
        n_rows: rows of the subset (architectures with ground truth).
        common: mask of the rows every result has an ok score for.
        states: per result label, the state of every row.
    """

    mode: str
    n_rows: int
    common: np.ndarray
    states: dict[str, np.ndarray]

    @property
    def n_common(self) -> int:
        return int(self.common.sum())

    def used(self, label: str) -> np.ndarray:
        """Mask of the rows ``label`` is judged on."""
        return self.common if self.mode == "common" else self.states[label] == OK

    def base_m(self) -> int:
        """M the evaluation's K counts refer to: the common set, or (``each``) all rows."""
        return self.n_common if self.mode == "common" else self.n_rows

    def lacking(self, label: str) -> dict[str, int]:
        """Rows ``label`` has no ok score for, by reason."""
        s = self.states[label]
        return {"not_scored": int((s == NOT).sum()), "failed": int((s == FAILED).sum())}

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "n_rows": self.n_rows,
            "M": self.n_common if self.mode == "common" else None,
            "n_common": self.n_common,
            "min_points": MIN_POINTS,
            "lacking": {label: self.lacking(label) for label in self.states},
            "definition": (
                "common: every result on the rows all results have an ok score for (M rows, comparable); each: "
                "every result on its own ok rows (n per result). Rows lacking a score are 'not_scored' (not in the "
                "store) or 'failed' (NaN / inf / a failure)."
            ),
        }

    def summary(self) -> str:
        """One line: the mode, M and what each result lacked."""
        parts = []
        for label in self.states:
            lack = self.lacking(label)
            bits = [f"{n:,} {w.replace('_', ' ')}" for w, n in lack.items() if n]
            parts.append(f"{label} {' + '.join(bits) if bits else 'none'}")
        lacked = "; lacked: " + ", ".join(parts) if parts else ""
        if self.mode == "common":
            return f"compared on the common set: M = {self.n_common:,} of {self.n_rows:,} rows{lacked}"
        return f"each estimator on its own scored rows (n differs: rows are not comparable){lacked}"


def plan_coverage(mode: str, states: Mapping[str, np.ndarray], n_rows: int) -> Coverage:
    """The :class:`Coverage` of results whose row states are ``states``.

    Raises:
        EvaluationError: unknown ``mode``.
    """
    if mode not in COVERAGES:
        raise EvaluationError(f"coverage must be one of {COVERAGES}, got {mode!r}")
    common = np.ones(n_rows, dtype=bool)
    for s in states.values():
        common &= s == OK
    return Coverage(mode, n_rows, common, dict(states))


def refusal(n_used: int, values: np.ndarray, coverage: Coverage) -> str:
    """Why a result's criteria are refused (``""``: they are not): too few architectures, or constant scores."""
    if n_used < MIN_POINTS:
        where = (
            f"the common set has {n_used} architectures"
            if coverage.mode == "common"
            else f"{n_used} architectures with a finite score"
        )
        hint = " (see each estimator's own coverage with coverage 'each')" if coverage.mode == "common" else ""
        return f"{where}, fewer than {MIN_POINTS}: too few to rank{hint}"
    if np.ptp(values) == 0:
        return f"{n_used} finite scores, all equal: no ranking"
    return ""


# ---------------------------------------------------------------------------------------------- criteria
def criteria_for(
    truth: np.ndarray,
    score: np.ndarray,
    higher_is_better: bool,
    ks: Sequence[float | int],
    names: Sequence[str] | None = None,
) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
    """The criteria ``names`` (default :data:`naslens.criteria.DEFAULT_CRITERIA`) of one estimator on aligned
    finite vectors; criteria that need K get ``{K label: value}``. A K giving an empty top-K set is refused: NaN,
    and its reason in the third return value."""
    chosen = _crit.resolve_criteria(names)
    res: dict[str, Any] = {}
    for c in chosen:
        if not c.info.needs_k:
            res[c.info.name] = c(truth, score, higher_is_better=higher_is_better)
    counts, skipped = resolve_ks(ks, len(truth))
    per_k: dict[str, dict[str, float]] = {c.info.name: {} for c in chosen if c.info.needs_k}
    for k in ks:
        label = _crit.k_label(k)
        for c in chosen:
            if c.info.needs_k:
                refused = label in skipped
                per_k[c.info.name][label] = (
                    float("nan") if refused else c(truth, score, k, higher_is_better=higher_is_better)
                )
    res.update(per_k)
    return res, counts, skipped


def resolve_ks(ks: Sequence[float | int], m: int) -> tuple[dict[str, int], dict[str, str]]:
    """K counts of M architectures, and the K values refused (empty top-K set) with the reason."""
    counts: dict[str, int] = {}
    skipped: dict[str, str] = {}
    for k in ks:
        try:
            counts[_crit.k_label(k)] = _crit.resolve_k(k, m)
        except ValueError as e:
            skipped[_crit.k_label(k)] = str(e)
    return counts, skipped


def result_entry(
    run: RunId,
    sc: Scores,
    values: np.ndarray,
    truth: np.ndarray,
    cov: Coverage,
    label: str,
    ks: Sequence[float | int],
    chosen: list[str],
) -> dict[str, Any]:
    """One result of ``evaluation.json``: the run, what it lacked, its criteria over the rows the coverage gives it
    (or NaN and ``error`` when refused)."""
    used = cov.used(label)
    n_used = int(used.sum())
    lacking = cov.lacking(label)
    entry: dict[str, Any] = {
        "run": run.as_dict(),
        "n_archs": n_used,
        "n_nonfinite": lacking["failed"],
        "n_not_scored": lacking["not_scored"],
        "status_counts": status_counts(sc),
        "estimator": sc.describe(),
        "checkpoint": run.checkpoint or None,
    }
    reason = refusal(n_used, values[used], cov)
    if reason:
        entry["error"] = reason
        for key in chosen:
            entry[key] = {} if _crit.get_criterion(key).info.needs_k else float("nan")
        return entry
    crit, counts, skip = criteria_for(truth[used], values[used], sc.info.higher_is_better, ks, chosen)
    entry.update(crit)
    if n_used != cov.base_m():
        entry["k_counts"] = counts
        if skip:
            entry["skipped_ks"] = skip
    return entry


# ---------------------------------------------------------------------------------------------- dataset check
def config_datasets(config: Any) -> set[str]:
    """Datasets a configuration says its scores were computed for or on: every ``dataset`` string and every
    ``data`` source (a string, or a mapping's ``source``) that names a real-image data source of
    :data:`naslens.data.batches.SOURCES` (``cifar10``, ``fashion-mnist``), at any depth. Any other ``data`` value is
    not a dataset: the synthetic sources (``noise``, ``uniform``) and, e.g., the folder path a feature predictor
    reads its tables from (``zc_features``' ``data``).

    Example:
        >>> sorted(config_datasets({"dataset": "cifar10", "data": {"source": "noise"}, "train": {"dataset": "x"}}))
        ['cifar10', 'x']
        >>> sorted(config_datasets({"estimator": "zc", "data": "/work/shared/data", "sub": {"data": "fashion-mnist"}}))
        ['fashion-mnist']
    """
    from naslens.data.batches import SOURCES
    from naslens.data.synthetic import KINDS

    images = set(SOURCES) - set(KINDS)
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for k, v in node.items():
                if k == "dataset" and isinstance(v, str) and v:
                    found.add(v)
                elif k == "data":
                    src = v.get("source") if isinstance(v, Mapping) else v
                    if isinstance(src, str) and src in images:
                        found.add(src)
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    walk(config)
    return found


def same_dataset(a: str, b: str) -> bool:
    """Whether two dataset names are one dataset: equal ignoring case, or one is the other plus a ``-suffix``
    (``cifar10-valid`` is ``cifar10``'s validation split; ``cifar100`` is not ``cifar10``).

    Example:
        >>> same_dataset("ImageNet16-120", "imagenet16-120"), same_dataset("cifar10-valid", "cifar10")
        (True, True)
        >>> same_dataset("cifar100", "cifar10"), same_dataset("fashion-mnist", "cifar10")
        (False, False)
    """
    x, y = a.lower(), b.lower()
    return x == y or x.startswith(y + "-") or y.startswith(x + "-")


def dataset_warnings(gt_dataset: str, configs: Mapping[str, Any]) -> list[str]:
    """One warning per foreign dataset: the results whose configuration records a dataset other than the ground
    truth's (scores computed for/on one dataset compared with another's accuracies)."""
    by_ds: dict[str, list[str]] = {}
    for label, cfg in configs.items():
        for ds in sorted(config_datasets(cfg)):
            if not same_dataset(ds, gt_dataset):
                by_ds.setdefault(ds, []).append(label)
    return [
        f"{', '.join(labels)}: configuration records dataset {ds!r}, but the ground truth is {gt_dataset!r} — "
        "scores computed for or on one dataset are compared with another dataset's accuracies"
        for ds, labels in by_ds.items()
    ]
