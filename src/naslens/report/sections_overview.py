"""Report sections: what was evaluated (provenance, estimators) and how well (criteria, scatter, KD matrix)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd

from naslens.analysis import checkpoint_stability, kendall_matrix, plot_kendall_matrix, plot_stability
from naslens.report.context import ReportContext
from naslens.report.criteria_view import (
    SHORT,
    checkpoint_trends,
    criteria_table,
    estimator_table,
    plot_checkpoint_trends,
)
from naslens.report.html import key_value_html
from naslens.report.scatter import plot_score_scatter


def overview(ctx: ReportContext) -> None:
    """Ground-truth provenance, the run's settings and every estimator configuration with its status counts."""
    meta = ctx.data.meta
    sec = ctx.section("overview", "What was evaluated", with_labels=False)
    sec.text(
        "Every number on this page compares estimator scores with the ground truth below, on the architectures "
        "of the subset below. Ranks are 1 = best; criteria use only the architectures whose score is finite "
        "(counts of NaN / inf / failed scores are listed per estimator)."
    )
    prov = ctx.data.provenance
    source = prov.get("source", {}) if isinstance(prov.get("source"), dict) else {}
    items = {
        "ground-truth metric": prov.get("metric"),
        "dataset": prov.get("dataset"),
        "split": prov.get("split"),
        "training epochs": prov.get("epochs"),
        "seed aggregation": prov.get("seed_aggregation"),
        "unit": prov.get("unit"),
        "source file": source.get("path"),
        "source sha256": source.get("sha256"),
        "loader": source.get("loader"),
        "origin": source.get("origin"),
        "space": meta.get("space"),
        "subset": meta.get("subset"),
        "architectures (rows)": meta.get("n_archs", len(ctx.data.frame)),
        "architectures without ground truth": prov.get("n_archs_without_value", "n/a"),
        "K values (ratio → count)": ", ".join(f"{k}→{n}" for k, n in (meta.get("k_counts") or {}).items()),
        "skipped K": ", ".join((meta.get("skipped_ks") or {}).keys()) or "none",
        "tie policy": meta.get("tie_policy"),
        "naslens version": meta.get("naslens_version"),
    }
    sec.raw("<h3>Ground truth and subset</h3>")
    sec.raw(key_value_html(items))
    ctx.table(
        sec,
        "provenance",
        pd.DataFrame([{"key": k, "value": json.dumps(v, default=str)} for k, v in items.items()]),
        "ground-truth provenance",
        show=False,
    )
    sec.raw("<h3>Estimator configurations</h3>")
    ctx.table(sec, "estimators", estimator_table(ctx.data.results), "which configuration produced each score column")
    for note in ctx.data.notes:
        sec.text(f"Note: {note}")


def criteria(ctx: ReportContext, names: Sequence[str] | None = None) -> None:
    """The criteria table, and criteria over checkpoints for one-shot runs."""
    sec = ctx.section("criteria", "Criteria")
    sec.text(
        "Kendall τ-b, Spearman and Pearson keep their sign (higher = the estimator agrees with the ground truth). "
        "P@top K / P@bottom K: fraction of the true best / worst K architectures also in the estimator's best / "
        "worst K (higher is better). BR / WR K: best / worst true rank among the estimator's top K, divided by M "
        "(lower is better). K is a ratio of M; n_ok / n_nan / n_inf / n_failed count the scores by status."
    )
    table = criteria_table(ctx.data.results, names)
    metric = ctx.data.provenance.get("metric", "ground truth")
    ctx.table(sec, "criteria", table, f"all criteria against {metric}", show=False)
    main_cols = [c for c in table.columns if not any(c.startswith(p + " ") for p in SHORT.values())]
    ctx.table(sec, "criteria_correlations", table[main_cols], f"correlations with {metric} and score status counts")
    for long_name, short in SHORT.items():
        cols = [c for c in table.columns if c.startswith(short + " ")]
        if cols:
            part = table[["label", *cols]].rename(columns={c: c.replace(short + " ", "K=") for c in cols})
            better = "lower" if short in ("BR", "WR") else "higher"
            ctx.table(sec, f"criteria_{long_name}", part, f"{short} per K ({better} is better) against {metric}")
    trends = checkpoint_trends(table)
    if len(trends):
        sec.raw("<h3>Criteria over checkpoints</h3>")
        ctx.figure(
            sec,
            "criteria_trends",
            plot_checkpoint_trends(trends),
            "criteria of each one-shot estimator at successive checkpoints",
        )
        stab = checkpoint_stability(ctx.data.frame, ctx.data.orientation, ks=ctx.data.ks, runs=ctx.data.runs)
        if len(stab):
            sec.text(
                "Relative criteria: each checkpoint's scores measured against the next checkpoint's scores "
                "(the later one is the reference) instead of the ground truth."
            )
            ctx.table(sec, "checkpoint_stability", stab, "relative Kendall τ and P@top/bottom K between checkpoints")
            ctx.figure(sec, "checkpoint_stability", plot_stability(stab), "ranking stability between checkpoints")


def scatter(ctx: ReportContext) -> None:
    """Ground truth against score for every estimator."""
    sec = ctx.section("scatter", "Ground truth vs. score")
    sec.text(
        "One point per architecture. A score spanning two or more orders of magnitude is drawn on a log axis "
        "(symlog when it changes sign); the panel title gives Kendall τ and the number of non-finite scores."
    )
    ctx.figure(
        sec,
        "scatter",
        plot_score_scatter(
            ctx.data.frame, ctx.data.orientation, gt_label=str(ctx.data.provenance.get("metric", "ground truth"))
        ),
        "ground truth (y) against raw score (x)",
    )


def kendall(ctx: ReportContext) -> None:
    """Kendall τ between all estimators and the ground truth."""
    sec = ctx.section("kendall-matrix", "Kendall τ between estimators")
    sec.text(
        "Pairwise Kendall τ-b over the architectures where both are finite; lower-is-better scores are negated "
        "first, so a positive τ means the two rank architectures alike."
    )
    matrix = kendall_matrix(ctx.data.frame, ctx.data.orientation)
    ctx.figure(sec, "kendall_matrix", plot_kendall_matrix(matrix), "Kendall τ matrix")
    ctx.table(sec, "kendall_matrix", matrix.rename_axis("estimator"), "Kendall τ matrix", index=True)
