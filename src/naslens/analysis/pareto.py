"""Pareto view: cost-vs-score fronts of an estimator compared with the ground-truth front."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from naslens.analysis._common import GT, AnalysisError, column, estimator_names, oriented, require_columns
from naslens.analysis.complexity_groups import complexity_groups


def pareto_levels(cost: ArrayLike, value: ArrayLike) -> NDArray[np.int64]:
    """Non-dominated sorting level of each point for *low cost, high value* (1 = on the front).

    Point j dominates i when ``cost_j <= cost_i`` and ``value_j >= value_i`` with one inequality strict; level 1
    holds the non-dominated points, level L+1 those non-dominated once levels 1..L are removed. Identical points
    share a level. O(M log M): distinct points sorted by (cost asc, value desc) are inserted into the first level
    whose most recent (lowest-cost-so-far best) value is below theirs, found by bisection.

    Raises:
        AnalysisError: On misaligned or non-finite input.

    Example:
        >>> pareto_levels([1, 2, 3, 2], [1, 3, 2, 1]).tolist()
        [1, 1, 2, 2]
    """
    c = np.asarray(cost, dtype=np.float64)
    v = np.asarray(value, dtype=np.float64)
    if c.shape != v.shape or c.ndim != 1:
        raise AnalysisError(f"cost and value must be aligned 1-D vectors, got {c.shape} and {v.shape}")
    if not (np.isfinite(c).all() and np.isfinite(v).all()):
        raise AnalysisError("cost and value must be finite; filter non-finite scores first")
    points, inverse = np.unique(np.stack([c, -v], axis=1), axis=0, return_inverse=True)  # sorted: cost asc, -v asc
    # minimisation of (cost, -v): a level dominates a new point iff its smallest -v so far is <= the point's -v
    tails: list[float] = []
    levels = np.empty(len(points), dtype=np.int64)
    for i, (_, neg_v) in enumerate(points):
        level = bisect.bisect_right(tails, neg_v)
        if level == len(tails):
            tails.append(neg_v)
        else:
            tails[level] = neg_v
        levels[i] = level + 1
    return levels[np.asarray(inverse).ravel()]


def pareto_best_levels(
    frame: pd.DataFrame, orientation: Mapping[str, bool], by: str = "params", n_groups: int = 5
) -> pd.DataFrame:
    """How many front levels of an estimator's (``by``, score) Pareto sort contain each group's true best?

    Architectures are split into ``n_groups`` complexity groups of ``by``; in each group the true best (highest
    ground truth, first on ties) is located and its Pareto level under the estimator's scores reported: taking
    levels 1..level of the estimator's fronts is needed to contain it. Row ``ground_truth`` gives the same for
    the ground truth's own fronts (a lower bound on what an estimator can reach). Only architectures with a finite
    score take part in an estimator's sort.

    Returns:
        Table: estimator, by, group, cost_min, cost_max, best_arch, best_ground_truth, level, n_levels,
        front_size (number of architectures on level 1).
    """
    names = estimator_names(frame, orientation)
    require_columns(frame, [GT, by], "pareto_best_levels")
    y = column(frame, GT)
    cost = column(frame, by)
    base_ok = np.isfinite(y) & np.isfinite(cost)
    if base_ok.sum() < 2:
        raise AnalysisError(f"need at least 2 architectures with finite ground truth and {by}")
    arch = frame["arch"].to_numpy() if "arch" in frame.columns else np.arange(len(frame))
    groups = np.full(len(frame), -1, dtype=np.int64)
    groups[base_ok] = complexity_groups(cost[base_ok], n_groups)
    rows = []
    for name in [GT, *names]:
        s = y if name == GT else oriented(frame, name, orientation)
        ok = base_ok & np.isfinite(s)
        levels = np.zeros(len(frame), dtype=np.int64)
        levels[ok] = pareto_levels(cost[ok], s[ok])
        for g in np.unique(groups[base_ok]):
            members = np.flatnonzero(base_ok & (groups == g))
            best = members[np.argmax(y[members])]
            rows.append(
                {
                    "estimator": name,
                    "by": by,
                    "group": int(g),
                    "cost_min": float(cost[members].min()),
                    "cost_max": float(cost[members].max()),
                    "best_arch": arch[best],
                    "best_ground_truth": float(y[best]),
                    "level": int(levels[best]) if ok[best] else -1,
                    "n_levels": int(levels[ok].max()) if ok.any() else 0,
                    "front_size": int((levels[ok] == 1).sum()),
                }
            )
    return pd.DataFrame(rows)


def plot_pareto(frame: pd.DataFrame, orientation: Mapping[str, bool], by: str = "params") -> Any:
    """Per estimator: all architectures (grey) at (``by``, ground truth), the true front (black) and the
    estimator's first front drawn at its architectures' true accuracy (colour)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = estimator_names(frame, orientation)
    y, cost = column(frame, GT), column(frame, by)
    base_ok = np.isfinite(y) & np.isfinite(cost)
    gt_levels = pareto_levels(cost[base_ok], y[base_ok])
    ncols = min(3, len(names))
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 3.6 * nrows), squeeze=False, sharey=True)
    gt_front = np.flatnonzero(base_ok)[gt_levels == 1]
    gt_front = gt_front[np.argsort(cost[gt_front])]
    for ax, name in zip(axes.flat, names, strict=False):
        s = oriented(frame, name, orientation)
        ok = base_ok & np.isfinite(s)
        ax.scatter(cost[base_ok], y[base_ok], s=2, color="0.8", rasterized=True, label="all architectures")
        ax.step(cost[gt_front], y[gt_front], where="post", color="black", lw=1.2, label="ground-truth front")
        if ok.sum() >= 1:
            front = np.flatnonzero(ok)[pareto_levels(cost[ok], s[ok]) == 1]
            ax.scatter(
                cost[front],
                y[front],
                s=14,
                color="tab:red",
                zorder=3,
                rasterized=front.size > 500,
                label=f"{name} front (level 1, {front.size} archs)",
            )
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(by)
        ax.legend(fontsize=6, loc="lower right")
    for ax in axes[:, 0]:
        ax.set_ylabel("ground truth")
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(f"Pareto fronts on ({by}, score) shown at true accuracy", fontsize=10)
    fig.tight_layout()
    return fig
