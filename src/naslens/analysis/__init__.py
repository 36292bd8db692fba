"""Bias and variance diagnoses of estimators, built on :mod:`naslens.criteria`.

Every analysis takes a *score frame* (one row per architecture, the layout of an evaluation's ``scores.csv``:
``arch``, ``index``, ``class_id``, ``class_size``, ``ground_truth``, ``params``, ``flops`` and one column per
estimator) plus ``orientation = {estimator column: higher_is_better}``, and returns a tidy DataFrame; each has a
``plot_*`` companion returning a matplotlib figure (Agg backend, imported lazily).
"""

from naslens.analysis._common import AnalysisError, split_checkpoint
from naslens.analysis.budgets import budget_picks, mbr_table, plot_budget_accuracy
from naslens.analysis.complexity_bias import complexity_bias, plot_complexity_bias
from naslens.analysis.complexity_groups import complexity_groups
from naslens.analysis.forgetting import forgetting_summary, forgetting_values, plot_forgetting
from naslens.analysis.gradient_similarity import gradient_similarity_summary, plot_gradient_similarity
from naslens.analysis.isomorphism import class_overrating, isomorphism_spread, plot_overrating_by_class_size
from naslens.analysis.kendall_matrix import kendall_matrix, plot_kendall_matrix
from naslens.analysis.mutation_pairs import MutationPairs, mutation_pairs, mutation_ratios, plot_mutation_ratios
from naslens.analysis.pareto import pareto_best_levels, pareto_levels, plot_pareto
from naslens.analysis.stability import (
    checkpoint_stability,
    plot_stability,
    relative_stability,
    seed_stability,
    stability_between,
)
from naslens.analysis.top_ranked import top_ranked

__all__ = [
    "AnalysisError",
    "MutationPairs",
    "budget_picks",
    "checkpoint_stability",
    "class_overrating",
    "complexity_bias",
    "complexity_groups",
    "forgetting_summary",
    "forgetting_values",
    "gradient_similarity_summary",
    "isomorphism_spread",
    "kendall_matrix",
    "mbr_table",
    "mutation_pairs",
    "mutation_ratios",
    "pareto_best_levels",
    "pareto_levels",
    "plot_budget_accuracy",
    "plot_complexity_bias",
    "plot_forgetting",
    "plot_gradient_similarity",
    "plot_kendall_matrix",
    "plot_mutation_ratios",
    "plot_overrating_by_class_size",
    "plot_pareto",
    "plot_stability",
    "relative_stability",
    "seed_stability",
    "split_checkpoint",
    "stability_between",
    "top_ranked",
]
