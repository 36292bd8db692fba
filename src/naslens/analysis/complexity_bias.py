"""Complexity-level bias: does an estimator over-rate small (or large) architectures?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import (
    GT,
    column,
    estimator_names,
    oriented,
    require_columns,
    safe_kendall,
    split_checkpoint,
)
from naslens.analysis.complexity_groups import complexity_groups
from naslens.criteria import rank
from naslens.types import RunId


def complexity_bias(
    frame: pd.DataFrame,
    orientation: Mapping[str, bool],
    by: str = "flops",
    n_groups: int = 5,
    runs: Mapping[str, RunId] | None = None,
) -> pd.DataFrame:
    """Per complexity group: intra-group Kendall τ and the mean ranking difference of every estimator.

    Architectures are split into ``n_groups`` groups of ascending ``by`` (see :func:`complexity_groups`). Over the
    M architectures with a finite score and ground truth, r_i is the true rank and n_i the estimator's rank
    (1 = best, ties averaged, both over *all* M architectures). For group g:

    * ``kendall_tau``: Kendall τ-b between ground truth and score restricted to the group (NaN if either is
      constant there);
    * ``mean_rd``: ``RD_g = mean_{i in g} (r_i − n_i)``; positive = the estimator ranks the group's
      architectures better than they are (over-estimates them), negative = under-estimates;
    * ``mean_rd_rel``: ``RD_g / M`` (comparable across subsets of different size).

    The size-weighted mean of ``mean_rd`` over groups is 0 by construction; an estimator equal to the ground
    truth has ``mean_rd = 0`` and τ = 1 in every group.

    Args:
        frame: Score frame with ``ground_truth``, the ``by`` column and the estimator columns.
        orientation: ``{estimator column: higher_is_better}``.
        runs: which run each column is (``{column: RunId}``; default: read from the labels).
        by: Complexity column that defines the groups (``"flops"``, ``"params"``, …).
        n_groups: Number of groups G.

    Returns:
        Tidy table: estimator, base estimator, checkpoint, group, cost_min, cost_max, n_archs, kendall_tau,
        mean_rd, mean_rd_rel, plus ``by`` (the complexity column used).

    Example:
        >>> f = pd.DataFrame({"ground_truth": [1., 2, 3, 4], "flops": [1., 2, 3, 4], "est": [1., 2, 3, 4]})
        >>> complexity_bias(f, {"est": True}, n_groups=2)["mean_rd"].tolist()
        [0.0, 0.0]
    """
    names = estimator_names(frame, orientation)
    require_columns(frame, [GT, by], "complexity_bias")
    y = column(frame, GT)
    cost = column(frame, by)
    rows: list[dict[str, Any]] = []
    for name in names:
        s = oriented(frame, name, orientation)
        ok = np.isfinite(y) & np.isfinite(s) & np.isfinite(cost)
        if ok.sum() < 2:
            continue
        yk, sk, ck = y[ok], s[ok], cost[ok]
        rd = rank(yk) - rank(sk)
        groups = complexity_groups(ck, n_groups)
        base, ckpt = split_checkpoint(name, runs)
        for g in np.unique(groups):
            in_g = groups == g
            rows.append(
                {
                    "estimator": name,
                    "base_estimator": base,
                    "checkpoint": ckpt,
                    "by": by,
                    "group": int(g),
                    "cost_min": float(ck[in_g].min()),
                    "cost_max": float(ck[in_g].max()),
                    "n_archs": int(in_g.sum()),
                    "kendall_tau": safe_kendall(yk[in_g], sk[in_g]),
                    "mean_rd": float(rd[in_g].mean()),
                    "mean_rd_rel": float(rd[in_g].mean() / ok.sum()),
                }
            )
    return pd.DataFrame(rows)


def plot_complexity_bias(table: pd.DataFrame) -> Any:
    """Grouped bars per complexity group: relative mean ranking difference (top) and intra-group τ (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(table["estimator"]))
    groups = sorted(table["group"].unique())
    fig, axes = plt.subplots(2, 1, figsize=(max(6.0, 1.2 * len(groups) + 0.4 * len(names)), 6.5), sharex=True)
    width = 0.8 / max(len(names), 1)
    for j, name in enumerate(names):
        sub = table[table["estimator"] == name].set_index("group").reindex(groups)
        x = np.arange(len(groups)) + (j - (len(names) - 1) / 2) * width
        axes[0].bar(x, sub["mean_rd_rel"], width, label=name)
        axes[1].bar(x, sub["kendall_tau"], width, label=name)
    by = str(table["by"].iloc[0]) if len(table) else "cost"
    first = table.drop_duplicates("group").set_index("group").reindex(groups)
    bounds = zip(groups, first["cost_min"], first["cost_max"], strict=True)
    labels = [f"G{g + 1}\n{lo:.3g}–{hi:.3g}" for g, lo, hi in bounds]
    axes[1].set_xticks(np.arange(len(groups)), labels)
    axes[1].set_xlabel(f"complexity group by {by} (ascending)")
    axes[0].axhline(0.0, color="black", lw=0.8)
    axes[0].set_ylabel("mean (r − n) / M\n> 0: over-estimated")
    axes[1].axhline(0.0, color="black", lw=0.8)
    axes[1].set_ylabel("intra-group Kendall τ")
    axes[0].legend(fontsize=8, ncol=min(4, max(len(names), 1)), loc="best")
    axes[0].set_title(f"Complexity-level bias (groups by {by})")
    fig.tight_layout()
    return fig
