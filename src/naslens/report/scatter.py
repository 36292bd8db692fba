"""Ground truth against score, one panel per estimator, with a log axis where a score spans orders of magnitude."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import GT, column, safe_kendall

SPAN_FOR_LOG = 100.0
"""A positive score whose max/min ratio reaches this is drawn on a log axis (symlog for mixed signs)."""


def axis_scale(values: np.ndarray) -> str:
    """The axis scale for drawing ``values``.

    ``"log"`` for positive values whose 95th percentile is >= SPAN_FOR_LOG × their 5th percentile; ``"symlog"`` for
    other values (zeros or negatives included) whose non-zero magnitudes span as much; else ``"linear"``.
    Percentiles rather than min/max, so that a few values near zero (a uniform random score) do not force a log axis.

    Example:
        >>> axis_scale(np.geomspace(1, 1e4, 50)), axis_scale(np.linspace(1, 5, 50))
        ('log', 'linear')
        >>> axis_scale(np.array([-1e4, -1e2, 1.0, 10.0, 1e3]))
        'symlog'
    """
    v = values[np.isfinite(values)]
    if v.size < 2:
        return "linear"
    if (v > 0).all():
        low, high = np.quantile(v, [0.05, 0.95])
        return "log" if high / low >= SPAN_FOR_LOG else "linear"
    mags = np.abs(v[v != 0])
    if mags.size and np.quantile(mags, 0.95) / np.quantile(mags, 0.05) >= SPAN_FOR_LOG:
        return "symlog"
    return "linear"


def plot_score_scatter(frame: pd.DataFrame, orientation: Mapping[str, bool], gt_label: str = "ground truth") -> Any:
    """Scatter of raw score (x) against ground truth (y) per estimator; the title gives Kendall τ and how many
    architectures are missing because their score is not finite."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(orientation)
    ncols = min(4, len(names))
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.8 * ncols, 3.3 * nrows), squeeze=False, sharey=True)
    y = column(frame, GT)
    for ax, name in zip(axes.flat, names, strict=False):
        s = column(frame, name)
        ok = np.isfinite(s) & np.isfinite(y)
        tau = safe_kendall(y, s if orientation[name] else -s)
        ax.scatter(s[ok], y[ok], s=2, alpha=0.35, rasterized=True)
        scale = axis_scale(s[ok])
        if scale != "linear":
            ax.set_xscale(scale)
        arrow = "↑ better" if orientation[name] else "↓ better"
        ax.set_xlabel(f"{name} ({arrow}{', ' + scale + ' axis' if scale != 'linear' else ''})", fontsize=8)
        ax.set_title(f"{name}: τ={tau:.3f}, non-finite {int((~np.isfinite(s)).sum())}", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel(gt_label, fontsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.tight_layout()
    return fig
