"""Report sections: bias diagnoses (complexity, mutations, isomorphism), top lists, budgets and Pareto fronts."""

from __future__ import annotations

from naslens.analysis import (
    budget_picks,
    class_overrating,
    complexity_bias,
    isomorphism_spread,
    mbr_table,
    mutation_ratios,
    pareto_best_levels,
    plot_budget_accuracy,
    plot_complexity_bias,
    plot_mutation_ratios,
    plot_overrating_by_class_size,
    plot_pareto,
    top_ranked,
)
from naslens.analysis.mutation_pairs import ALL_GROUPS
from naslens.report.context import ReportContext
from naslens.spaces import get_space


def complexity(ctx: ReportContext, n_groups: int) -> None:
    """Intra-group Kendall τ and mean ranking difference per FLOPs (and params) group."""
    sec = ctx.section("complexity-bias", "Complexity-level bias")
    sec.text(
        f"Architectures split into {n_groups} groups of ascending FLOPs (equal-cost architectures share a group). "
        "RD = true rank − estimated rank over all architectures, averaged per group: > 0 means the estimator "
        "over-estimates the group. Also the Kendall τ inside each group."
    )
    for by in ("flops", "params"):
        if by not in ctx.data.frame.columns:
            continue
        table = complexity_bias(ctx.data.frame, ctx.data.orientation, by=by, n_groups=n_groups, runs=ctx.data.runs)
        ctx.table(sec, f"complexity_bias_{by}", table, f"complexity bias, groups by {by}", show=by == "flops")
        if by == "flops":
            ctx.figure(sec, "complexity_bias_flops", plot_complexity_bias(table), "complexity bias (groups by FLOPs)")


def mutations(ctx: ReportContext, n_groups: int) -> None:
    """Mutation-pair ratios, pooled and per FLOPs group."""
    sec = ctx.section("mutations", "Operation-level bias (mutation pairs)")
    sec.text(
        "All pairs of architectures that differ in one edge's operation (o → o'). gt_up: fraction of pairs where "
        "the ground truth increases; est_up: fraction where the estimator's score improves (a loss decreases); "
        "ties count ½. agreement: fraction with the same direction. Only pairs with both architectures in this "
        "subset count (on a de-isomorphic subset: pairs of class representatives). Per-FLOPs-group rows (by "
        "the group of the original architecture) are in the CSV."
    )
    by = "flops" if "flops" in ctx.data.frame.columns else None
    table = mutation_ratios(ctx.data.frame, ctx.data.orientation, space=ctx.data.space, by=by, n_groups=n_groups)
    ops = list(dict.fromkeys(c for choices in get_space(str(ctx.data.space)).info.choices for c in choices))
    ctx.figure(sec, "mutation_ratios", plot_mutation_ratios(table, ops), "pooled mutation ratios per mutation type")
    pooled = table[table["group"] == ALL_GROUPS].drop(columns="group")
    ctx.table(sec, "mutation_ratios_pooled", pooled, "mutation ratios pooled over all complexity groups")
    ctx.table(sec, "mutation_ratios_by_group", table, "mutation ratios per FLOPs group (-1 = pooled)", show=False)


def isomorphism(ctx: ReportContext) -> None:
    """Spread of scores within isomorphism classes and the classes each estimator over-rates."""
    sec = ctx.section("isomorphism", "Isomorphism")
    sec.text(
        "Within-class vs between-class standard deviation of scores and of rank percentiles (rank/M). A "
        "de-isomorphic subset has one architecture per class, so its within-class columns are NaN. "
        "Over-rating of a class = its mean true rank percentile − its mean estimated rank percentile."
    )
    frame, orient = ctx.data.frame, ctx.data.orientation
    ctx.table(sec, "isomorphism_spread", isomorphism_spread(frame, orient), "within- vs between-class spread")
    every = class_overrating(frame, orient, top=None)
    ctx.figure(
        sec, "overrating_by_class_size", plot_overrating_by_class_size(every), "mean over-rating against the class size"
    )
    top = every.groupby("estimator", sort=False).head(5)
    ctx.table(sec, "overrated_classes", top, "the 5 most over-rated classes of each estimator")
    ctx.table(sec, "class_overrating", every, "over-rating of every class", show=False)


def top_lists(ctx: ReportContext, top_k: int) -> None:
    """Each estimator's best architectures with their ground truth."""
    sec = ctx.section("top-ranked", f"Top-{top_k} architectures")
    sec.text(
        "The architectures each estimator ranks highest (oracle = the true best), with true rank (1 = best, "
        "ties share the better rank), params (M), FLOPs (M) and isomorphism class size."
    )
    ctx.table(
        sec,
        "top_ranked",
        top_ranked(ctx.data.frame, ctx.data.orientation, k=top_k),
        f"top-{top_k} lists",
        max_rows=None,
    )


def budgets(ctx: ReportContext, n_budgets: int) -> None:
    """mBR on FLOPs, params and cell depth, and the accuracy of the pick per budget."""
    sec = ctx.section("budgets", "Budgets (mBR)")
    sec.text(
        f"{n_budgets} budgets spaced evenly between the cheapest and the dearest architecture. Under each budget "
        "the estimator picks its best-scored architecture; r/M is that pick's true rank among the M "
        "architectures within the budget divided by M; mBR = mean over budgets (lower is better). "
        "oracle picks by the ground truth; params / flops pick the largest model."
    )
    costs = [c for c in ("flops", "params") if c in ctx.data.frame.columns]
    if ctx.data.space is not None and "depth" in get_space(ctx.data.space).info.cost_columns:
        costs.append("depth")  # a cost column the space declares beyond params / FLOPs
    for cost in costs:
        try:
            picks = budget_picks(
                ctx.data.frame,
                ctx.data.orientation,
                cost=cost,
                n_budgets=n_budgets,
                space=ctx.data.space,
                net=ctx.data.complexity_network,
            )
        except ValueError as exc:
            ctx.error(sec, f"budgets on {cost}", exc)
            continue
        sec.raw(f"<h3>Budgets on {cost}</h3>")
        ctx.table(sec, f"mbr_{cost}", mbr_table(picks), f"mBR with budgets on {cost}")
        ctx.figure(
            sec,
            f"budget_accuracy_{cost}",
            plot_budget_accuracy(picks),
            f"ground truth of the pick per budget on {cost}",
        )
        ctx.table(sec, f"budget_picks_{cost}", picks, f"picks per budget on {cost}", show=False)


def pareto(ctx: ReportContext, n_groups: int) -> None:
    """Estimator–params Pareto fronts against the ground-truth front."""
    if "params" not in ctx.data.frame.columns:
        return
    sec = ctx.section("pareto", "Pareto view (params vs. score)")
    sec.text(
        f"Non-dominated sorting on (low params, high score). For each of {n_groups} params groups, the level of "
        "the estimator's fronts that holds the group's true best architecture (1 = on the first front); the "
        "ground_truth rows give the same for the true fronts."
    )
    ctx.figure(
        sec,
        "pareto",
        plot_pareto(ctx.data.frame, ctx.data.orientation, by="params"),
        "Pareto fronts drawn at the architectures' true accuracy",
    )
    ctx.table(
        sec,
        "pareto_levels",
        pareto_best_levels(ctx.data.frame, ctx.data.orientation, by="params", n_groups=n_groups),
        "front level of each group's true best",
    )
