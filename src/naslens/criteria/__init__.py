"""Criteria for judging performance estimators: pure functions on two aligned 1-D vectors.

Notation: M architectures, ground truth ``y`` (higher is better), estimator scores ``s`` (higher is better
unless ``higher_is_better=False``, in which case ``s`` is negated). Ranks are 1-based with 1 = best.
Correlations keep their sign. NaN/inf inputs, misaligned vectors and M < 2 raise ``ValueError``.
"""

from naslens.criteria.bootstrap import bootstrap_ci
from naslens.criteria.correlation import kendall_tau, pearson, spearman
from naslens.criteria.mbr import BudgetPick, MBRResult, default_budgets, mean_best_rank
from naslens.criteria.membership import bottom_membership, top_membership
from naslens.criteria.precision import precision_at_bottom, precision_at_top
from naslens.criteria.ranking import best_ranking, worst_ranking
from naslens.criteria.ranks import rank
from naslens.criteria.registry import (
    CRITERIA,
    DEFAULT_CRITERIA,
    Criterion,
    CriterionInfo,
    get_criterion,
    list_criteria,
    register_criterion,
    resolve_criteria,
)
from naslens.criteria.topk import DEFAULT_K_RATIOS, KValue, k_label, parse_k, resolve_k

__all__ = [
    "CRITERIA",
    "DEFAULT_CRITERIA",
    "DEFAULT_K_RATIOS",
    "BudgetPick",
    "Criterion",
    "CriterionInfo",
    "KValue",
    "MBRResult",
    "best_ranking",
    "bootstrap_ci",
    "bottom_membership",
    "default_budgets",
    "get_criterion",
    "k_label",
    "kendall_tau",
    "list_criteria",
    "mean_best_rank",
    "parse_k",
    "pearson",
    "precision_at_bottom",
    "precision_at_top",
    "rank",
    "register_criterion",
    "resolve_criteria",
    "resolve_k",
    "spearman",
    "top_membership",
    "worst_ranking",
]
