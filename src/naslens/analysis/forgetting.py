"""Forgetting in one-shot supernet training: how much of what an architecture's own step taught is undone."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import AnalysisError, require_columns

COLUMNS = ("arch", "epoch", "acc_after_own_step", "acc_after_epoch")
ALIASES = {"acc_after_step": "acc_after_own_step", "acc_end_epoch": "acc_after_epoch"}
"""Column names written by the one-shot trainer's ``forgetting.csv``, accepted as synonyms."""


def forgetting_values(records: pd.DataFrame) -> pd.DataFrame:
    """Add ``forgetting = acc_after_own_step − acc_after_epoch`` to a table of (arch, epoch, accuracies).

    ``acc_after_own_step`` is the architecture's accuracy (on a fixed evaluation batch) right after the supernet
    step that trained it; ``acc_after_epoch`` the same accuracy at the end of that epoch, after the steps of the
    other sampled architectures. Positive forgetting means the shared weights drifted away from it.

    The one-shot trainer's column names ``acc_after_step`` / ``acc_end_epoch`` are accepted for the two accuracies.

    Raises:
        AnalysisError: On missing columns or non-numeric accuracies.
    """
    renames = {a: b for a, b in ALIASES.items() if a in records.columns and b not in records.columns}
    out = records.rename(columns=renames)
    require_columns(out, COLUMNS, "forgetting")
    for c in ("acc_after_own_step", "acc_after_epoch"):
        out[c] = pd.to_numeric(out[c], errors="coerce")
        if out[c].isna().all():
            raise AnalysisError(f"column {c!r} holds no numeric value")
    out["forgetting"] = out["acc_after_own_step"] - out["acc_after_epoch"]
    return out


def forgetting_summary(records: pd.DataFrame) -> pd.DataFrame:
    """Per epoch: n_archs, mean / median / quartiles of forgetting, and the fraction of architectures with
    forgetting > 0 (NaN accuracies are left out).

    Example:
        >>> t = pd.DataFrame({"arch": ["a", "b"], "epoch": [1, 1], "acc_after_own_step": [0.5, 0.4],
        ...                   "acc_after_epoch": [0.3, 0.4]})
        >>> forgetting_summary(t)[["mean_forgetting", "frac_forgotten"]].to_numpy().tolist()
        [[0.1, 0.5]]
    """
    values = forgetting_values(records).dropna(subset=["forgetting"])
    grouped = values.groupby("epoch")["forgetting"]
    out = pd.DataFrame(
        {
            "n_archs": grouped.size(),
            "mean_forgetting": grouped.mean(),
            "median_forgetting": grouped.median(),
            "q25": grouped.quantile(0.25),
            "q75": grouped.quantile(0.75),
            "frac_forgotten": grouped.apply(lambda v: float(np.mean(v > 0))),
        }
    )
    return out.reset_index()


def plot_forgetting(summary: pd.DataFrame) -> Any:
    """Mean forgetting per epoch with the inter-quartile band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    ax.fill_between(summary["epoch"], summary["q25"], summary["q75"], alpha=0.3, label="inter-quartile range")
    ax.plot(summary["epoch"], summary["mean_forgetting"], marker="o", label="mean")
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel("acc after own step − acc after epoch")
    ax.set_title("Forgetting in supernet training (> 0: the shared weights drifted away)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
