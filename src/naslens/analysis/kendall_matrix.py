"""Kendall τ between every pair of estimators (and the ground truths): who ranks like whom?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import GT, column, estimator_names, oriented, safe_kendall


def kendall_matrix(
    frame: pd.DataFrame, orientation: Mapping[str, bool], ground_truths: Sequence[str] = (GT,)
) -> pd.DataFrame:
    """Symmetric matrix of Kendall τ-b between oriented score columns and ground-truth columns.

    Entry (a, b) = τ-b(a, b) over the architectures where both are finite (pairwise complete), with every score
    negated first when lower is better, so a positive τ means the two rank architectures alike. The diagonal is 1
    (NaN for a constant column). Ground-truth columns absent from ``frame`` are skipped.

    Returns:
        Square DataFrame indexed and columned by the ground truths then the estimators.

    Example:
        >>> f = pd.DataFrame({"ground_truth": [1., 2, 3], "a": [3., 2, 1]})
        >>> float(kendall_matrix(f, {"a": False}).loc["ground_truth", "a"])
        1.0
    """
    names = [g for g in ground_truths if g in frame.columns] + estimator_names(frame, orientation)
    vectors = {n: (column(frame, n) if n not in orientation else oriented(frame, n, orientation)) for n in names}
    mat = np.full((len(names), len(names)), np.nan)
    for i, a in enumerate(names):
        for j in range(i, len(names)):
            tau = safe_kendall(vectors[a], vectors[names[j]])
            mat[i, j] = mat[j, i] = tau
    return pd.DataFrame(mat, index=names, columns=names)


def plot_kendall_matrix(matrix: pd.DataFrame) -> Any:
    """Annotated heatmap of a Kendall-τ matrix (diverging colours, −1 … 1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(matrix)
    size = max(4.0, 0.55 * n + 2.0)
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    image = ax.imshow(matrix.to_numpy(dtype=float), vmin=-1.0, vmax=1.0, cmap="RdBu_r")
    for (r, c), v in np.ndenumerate(matrix.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if abs(v) > 0.6 else "black")
    ax.set_xticks(range(n), list(matrix.columns), rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), list(matrix.index), fontsize=8)
    fig.colorbar(image, ax=ax, shrink=0.8, label="Kendall τ-b (scores oriented: higher = better)")
    ax.set_title("Kendall τ between estimators and ground truth")
    fig.tight_layout()
    return fig
