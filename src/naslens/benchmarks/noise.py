"""Seed-to-seed agreement of a ground truth: how well one training run ranks the architectures like another.

The Kendall τ between two runs' accuracies is the noise ceiling of every estimator evaluated against one run; a
mean over runs is better than one run by an unknown amount, so naslens reports the pairwise τ with a bootstrap
interval next to each ground truth that has several runs.
"""

from __future__ import annotations

import pandas as pd


def seed_tau(
    wide: pd.DataFrame, a: object, b: object, *, n_boot: int = 2000
) -> tuple[float | None, int, list[float] | None]:
    """Kendall τ between columns ``a`` and ``b`` of ``wide`` (one row per architecture, one column per run) over the
    architectures that have both, with its 95 % percentile-bootstrap interval (``n_boot`` resamples, seed 0).

    Returns ``(None, n, None)`` when fewer than 3 architectures have both or a column is constant.

    Example:
        >>> import pandas as pd
        >>> w = pd.DataFrame({0: [1.0, 2.0, 3.0, 4.0], 1: [1.0, 3.0, 2.0, 4.0]})
        >>> tau, n, ci = seed_tau(w, 0, 1, n_boot=50)
        >>> round(tau, 3), n
        (0.667, 4)
    """
    from naslens.criteria import bootstrap_ci, kendall_tau

    if a not in wide.columns or b not in wide.columns:
        return None, 0, None
    both = wide[[a, b]].dropna()
    if len(both) < 3 or both[a].nunique() < 2 or both[b].nunique() < 2:
        return None, len(both), None
    x, y = both[a].to_numpy(dtype=float), both[b].to_numpy(dtype=float)
    ci = list(bootstrap_ci(kendall_tau, x, y, n_boot=n_boot)) if n_boot else None
    return kendall_tau(x, y), len(both), ci


def seed_taus(wide: pd.DataFrame, *, n_boot: int = 2000) -> dict[str, dict[str, object]]:
    """``{"a-b": {"tau", "n", "ci95"}}`` for every pair of columns of ``wide``, in column order."""
    cols = list(wide.columns)
    out: dict[str, dict[str, object]] = {}
    for i, a in enumerate(cols):
        for b in cols[i + 1 :]:
            tau, n, ci = seed_tau(wide, a, b, n_boot=n_boot)
            out[f"{a}-{b}"] = {"tau": tau, "n": n, "ci95": ci}
    return out
