"""The criteria registry: every criterion an evaluation reports, with its metadata, chosen by name.

A criterion compares the ground truth ``y`` with an estimator's scores ``s`` (aligned, finite). Correlations are
called as ``fn(y, s, higher_is_better=...)``; criteria that need K as ``fn(y, s, k, higher_is_better=...)``.

Example:
    >>> sorted(list_criteria("precision*"))
    ['precision_at_bottom', 'precision_at_top']
    >>> info = list_criteria()["best_ranking"]
    >>> info.needs_k, info.higher_is_better, info.range
    (True, False, (0.0, 1.0))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from naslens.criteria.correlation import kendall_tau, pearson, spearman
from naslens.criteria.precision import precision_at_bottom, precision_at_top
from naslens.criteria.ranking import best_ranking, worst_ranking
from naslens.registry import Registry


@dataclass(frozen=True)
class CriterionInfo:
    """What a criterion measures.

    Attributes:
        name: registry name (the key of its value in ``evaluation.json``).
        short: column label in tables (``KD τ``, ``P@top``).
        needs_k: computed per K (a ratio of M or a count).
        range: the values it can take (``(-1, 1)`` for correlations).
        higher_is_better: how to read it (``False`` for the best/worst-ranking ratios).
        description: one line.
    """

    name: str
    short: str
    needs_k: bool
    range: tuple[float, float]
    higher_is_better: bool
    description: str


@dataclass(frozen=True)
class Criterion:
    """A registered criterion: its metadata and the function."""

    info: CriterionInfo
    fn: Callable[..., float]

    def __call__(self, y: Any, s: Any, k: Any = None, *, higher_is_better: bool = True) -> float:
        if self.info.needs_k:
            if k is None:
                raise ValueError(f"criterion {self.info.name!r} needs K")
            return float(self.fn(y, s, k, higher_is_better=higher_is_better))
        return float(self.fn(y, s, higher_is_better=higher_is_better))


CRITERIA: Registry[Criterion] = Registry("criterion")


def register_criterion(info: CriterionInfo, fn: Callable[..., float]) -> Criterion:
    """Register ``fn`` under ``info.name`` (a duplicate name raises)."""
    c = Criterion(info, fn)
    CRITERIA.add(info.name, c)
    return c


def list_criteria(pattern: str = "*") -> dict[str, CriterionInfo]:
    """``{name: CriterionInfo}`` of the registered criteria matching a shell-style pattern."""
    return {n: CRITERIA.get(n).info for n in CRITERIA.list(pattern)}


def get_criterion(name: str) -> Criterion:
    """The registered criterion ``name`` (unknown names raise ``KeyError`` listing the known ones)."""
    return CRITERIA.get(name)


def resolve_criteria(names: Sequence[str] | None) -> list[Criterion]:
    """The criteria named (default: :data:`DEFAULT_CRITERIA`), in that order; unknown or repeated names raise
    ``ValueError``."""
    chosen = list(DEFAULT_CRITERIA if names is None else names)
    if not chosen:
        raise ValueError("choose at least one criterion (see naslens criteria)")
    dup = sorted({n for n in chosen if chosen.count(n) > 1})
    if dup:
        raise ValueError(f"criteria named twice: {dup}")
    unknown = [n for n in chosen if n not in CRITERIA]
    if unknown:
        raise ValueError(f"unknown criteria {unknown}; known: {', '.join(CRITERIA.list())}")
    return [CRITERIA.get(n) for n in chosen]


_R = (-1.0, 1.0)
_U = (0.0, 1.0)
for _info, _fn in (
    (CriterionInfo("kendall_tau", "KD τ", False, _R, True, "Kendall tau-b (ties: tau-b)"), kendall_tau),
    (CriterionInfo("spearman", "Spearman", False, _R, True, "Spearman rank correlation (average ranks)"), spearman),
    (CriterionInfo("pearson", "Pearson", False, _R, True, "Pearson linear correlation of the raw values"), pearson),
    (
        CriterionInfo("precision_at_top", "P@top", True, _U, True, "share of the true top-K in the estimator's top-K"),
        precision_at_top,
    ),
    (
        CriterionInfo(
            "precision_at_bottom", "P@bottom", True, _U, True, "share of the true bottom-K in the estimator's bottom-K"
        ),
        precision_at_bottom,
    ),
    (
        CriterionInfo("best_ranking", "BR", True, _U, False, "best true rank / M among the estimator's top-K (BR@K)"),
        best_ranking,
    ),
    (
        CriterionInfo("worst_ranking", "WR", True, _U, False, "worst true rank / M among the estimator's top-K (WR@K)"),
        worst_ranking,
    ),
):
    if _info.name not in CRITERIA:  # a second execution of this module (doctest collection) keeps the first
        register_criterion(_info, _fn)

DEFAULT_CRITERIA = (
    "kendall_tau",
    "spearman",
    "pearson",
    "precision_at_top",
    "precision_at_bottom",
    "best_ranking",
    "worst_ranking",
)
"""The criteria an evaluation reports unless told otherwise."""
