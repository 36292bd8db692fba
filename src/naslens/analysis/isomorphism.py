"""Isomorphism: do isomorphic copies get the same score, and which classes does an estimator over-rate?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import GT, column, estimator_names, oriented, require_columns
from naslens.criteria import rank


def _rank_pct(values: np.ndarray) -> np.ndarray:
    """rank/M with 1 = best, ties averaged; NaN where ``values`` is not finite."""
    out = np.full(values.size, np.nan)
    ok = np.isfinite(values)
    if ok.any():
        out[ok] = rank(values[ok]) / ok.sum()
    return out


def _spread(values: np.ndarray, classes: np.ndarray) -> tuple[float, float, int]:
    """(mean within-class std over classes with >= 2 finite members, std of class means, #such classes)."""
    ok = np.isfinite(values)
    frame = pd.DataFrame({"c": classes[ok], "v": values[ok]})
    grouped = frame.groupby("c")["v"]
    sizes = grouped.size()
    stds = grouped.std(ddof=0)[sizes >= 2]
    means = grouped.mean()
    between = float(means.std(ddof=0)) if len(means) >= 2 else float("nan")
    return (float(stds.mean()) if len(stds) else float("nan"), between, len(stds))


def isomorphism_spread(frame: pd.DataFrame, orientation: Mapping[str, bool]) -> pd.DataFrame:
    """Within-class versus between-class spread of raw scores and of rank percentiles.

    With classes c (``class_id``) and values v: ``within = mean_c std(v_i : i in c)`` over classes with at least
    two finite members (population std) and ``between = std_c mean(v_i : i in c)``. The same is computed on the
    rank percentile ``q_i = rank_i / M`` (1 = best), which is comparable across estimators; ``rank_ratio =
    within_rank / between_rank`` is 0 for an estimator that scores isomorphic copies alike. Row ``ground_truth``
    shows the benchmark's own spread (training noise across copies). On a de-isomorphic subset every class has
    one member and the within columns are NaN (``n_multi_classes`` = 0).

    Returns:
        Table: estimator, n_archs, n_classes, n_multi_classes, within_std, between_std, within_rank_std,
        between_rank_std, rank_ratio.
    """
    names = estimator_names(frame, orientation)
    require_columns(frame, [GT, "class_id"], "isomorphism_spread")
    classes = frame["class_id"].to_numpy()
    rows = []
    for name in [GT, *names]:
        v = column(frame, GT) if name == GT else oriented(frame, name, orientation)
        raw = column(frame, GT) if name == GT else column(frame, name)
        within, between, n_multi = _spread(raw, classes)
        within_r, between_r, _ = _spread(_rank_pct(v), classes)
        ok = np.isfinite(v)
        rows.append(
            {
                "estimator": name,
                "n_archs": int(ok.sum()),
                "n_classes": int(pd.Series(classes[ok]).nunique()),
                "n_multi_classes": n_multi,
                "within_std": within,
                "between_std": between,
                "within_rank_std": within_r,
                "between_rank_std": between_r,
                "rank_ratio": within_r / between_r if between_r > 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def class_overrating(frame: pd.DataFrame, orientation: Mapping[str, bool], top: int | None = 10) -> pd.DataFrame:
    """Per isomorphism class: how much better the estimator ranks it than the ground truth does.

    With rank percentiles q (rank/M, 1 = best) of the ground truth and of the oriented score over the
    architectures where both are finite, ``overrating_c = mean_{i in c} q^gt_i − mean_{i in c} q^est_i``; > 0
    means the estimator places the class higher than it deserves. ``class_size`` is the class's size in the whole
    space (column ``class_size`` of the frame when present, else the number of members in the frame).

    Args:
        frame: Score frame with ``ground_truth``, ``class_id`` and the estimator columns (``arch`` and
            ``class_size`` are used when present).
        orientation: ``{estimator column: higher_is_better}``.
        top: Keep the ``top`` most over-rated classes per estimator (None = all classes).

    Returns:
        Table: estimator, class_id, class_size, n_members, example_arch, gt_mean, score_mean, gt_rank_pct,
        est_rank_pct, overrating — sorted by estimator, then overrating descending.
    """
    names = estimator_names(frame, orientation)
    require_columns(frame, [GT, "class_id"], "class_overrating")
    y = column(frame, GT)
    tables = []
    for name in names:
        s = oriented(frame, name, orientation)
        ok = np.isfinite(y) & np.isfinite(s)
        sub = pd.DataFrame(
            {
                "class_id": frame["class_id"].to_numpy()[ok],
                "example_arch": (frame["arch"].to_numpy()[ok] if "arch" in frame else frame.index.to_numpy()[ok]),
                "gt": y[ok],
                "score": column(frame, name)[ok],
                "q_gt": rank(y[ok]) / ok.sum() if ok.sum() else np.array([]),
                "q_est": rank(s[ok]) / ok.sum() if ok.sum() else np.array([]),
            }
        )
        if "class_size" in frame:
            sub["class_size"] = frame["class_size"].to_numpy()[ok]
        agg = sub.groupby("class_id").agg(
            n_members=("gt", "size"),
            example_arch=("example_arch", "first"),
            gt_mean=("gt", "mean"),
            score_mean=("score", "mean"),
            gt_rank_pct=("q_gt", "mean"),
            est_rank_pct=("q_est", "mean"),
            **({"class_size": ("class_size", "first")} if "class_size" in sub else {}),
        )
        if "class_size" not in agg:
            agg["class_size"] = agg["n_members"]
        agg["overrating"] = agg["gt_rank_pct"] - agg["est_rank_pct"]
        agg = agg.sort_values("overrating", ascending=False, kind="stable").reset_index()
        if top is not None:
            agg = agg.head(top)
        agg.insert(0, "estimator", name)
        tables.append(agg)
    cols = [
        "estimator",
        "class_id",
        "class_size",
        "n_members",
        "example_arch",
        "gt_mean",
        "score_mean",
        "gt_rank_pct",
        "est_rank_pct",
        "overrating",
    ]
    return pd.concat(tables, ignore_index=True)[cols]


def plot_overrating_by_class_size(table: pd.DataFrame) -> Any:
    """Mean over-rating of classes against class size (use ``class_overrating(..., top=None)``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    for name, sub in table.groupby("estimator", sort=False):
        by_size = sub.groupby("class_size")["overrating"].mean()
        ax.plot(by_size.index, by_size.to_numpy(), marker="o", ms=3, label=str(name))
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xscale("log")
    ax.set_xlabel("isomorphism class size (architectures in the space)")
    ax.set_ylabel("mean over-rating\n(gt rank pct − est rank pct)")
    ax.set_title("Which classes are over-rated? (> 0: ranked better than the ground truth)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
