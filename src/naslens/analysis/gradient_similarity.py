"""Per-layer gradient similarity between architectures sharing supernet weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import AnalysisError, require_columns

COLUMNS = ("arch_a", "arch_b", "layer", "cosine")


def gradient_similarity_summary(records: pd.DataFrame) -> pd.DataFrame:
    """Per layer: statistics of the cosine similarity cos(g_a, g_b) = g_a·g_b / (‖g_a‖ ‖g_b‖) between the
    gradients two architectures send to that shared layer.

    Negative cosines mean the architectures pull the shared weights in conflicting directions.

    Args:
        records: Table with columns arch_a, arch_b, layer, cosine (values in [−1, 1]; NaN rows are dropped).

    Returns:
        Table in first-appearance layer order: layer, n_pairs, mean_cosine, std_cosine, median_cosine,
        frac_negative.

    Raises:
        AnalysisError: On missing columns or cosines outside [−1, 1] (beyond 1e-6).

    Example:
        >>> t = pd.DataFrame({"arch_a": ["a", "a"], "arch_b": ["b", "c"], "layer": ["l1", "l1"],
        ...                   "cosine": [0.5, -0.25]})
        >>> gradient_similarity_summary(t)[["mean_cosine", "frac_negative"]].to_numpy().tolist()
        [[0.125, 0.5]]
    """
    require_columns(records, COLUMNS, "gradient similarity")
    cos = pd.to_numeric(records["cosine"], errors="coerce")
    bad = cos.notna() & (cos.abs() > 1 + 1e-6)
    if bad.any():
        raise AnalysisError(f"{int(bad.sum())} cosine value(s) outside [-1, 1], e.g. {cos[bad].iloc[0]!r}")
    data = records.assign(cosine=cos).dropna(subset=["cosine"])
    order = list(dict.fromkeys(data["layer"]))
    grouped = data.groupby("layer", sort=False)["cosine"]
    out = pd.DataFrame(
        {
            "n_pairs": grouped.size(),
            "mean_cosine": grouped.mean(),
            "std_cosine": grouped.std(ddof=0),
            "median_cosine": grouped.median(),
            "frac_negative": grouped.apply(lambda v: float(np.mean(v < 0))),
        }
    ).reindex(order)
    return out.rename_axis("layer").reset_index()


def plot_gradient_similarity(summary: pd.DataFrame) -> Any:
    """Mean ± std cosine per layer, with the fraction of conflicting (negative) pairs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(summary) + 2.0), 3.8))
    x = np.arange(len(summary))
    ax.bar(x, summary["mean_cosine"], yerr=summary["std_cosine"], capsize=2, label="mean ± std cosine")
    ax.plot(x, summary["frac_negative"], color="tab:red", marker=".", ls="none", label="fraction negative")
    ax.set_xticks(x, [str(v) for v in summary["layer"]], rotation=60, ha="right", fontsize=7)
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("cosine of gradients")
    ax.set_title("Gradient similarity between architectures, per shared layer")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
