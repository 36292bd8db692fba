"""Bootstrap confidence intervals for any paired criterion (architectures resampled with replacement)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from naslens.criteria._validate import validate_pair


def bootstrap_ci(
    criterion: Callable[[np.ndarray, np.ndarray], float],
    y: np.ndarray,
    s: np.ndarray,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``criterion(y, s)``: ``n_boot`` resamples of the M architectures (pairs kept
    together, drawn with replacement by ``numpy.random.default_rng(seed)``); resamples on which the criterion is
    undefined (e.g. all ground-truth values equal) are skipped. Deterministic given ``seed``.

    >>> from naslens.criteria import kendall_tau
    >>> lo, hi = bootstrap_ci(kendall_tau, np.arange(30.0), np.arange(30.0), n_boot=200)
    >>> round(lo, 9), round(hi, 9)
    (1.0, 1.0)
    """
    y, s = validate_pair(y, s)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_boot < 10:
        raise ValueError(f"n_boot must be at least 10, got {n_boot}")
    rng = np.random.default_rng(seed)
    m = len(y)
    stats = []
    for _ in range(n_boot):
        idx = rng.integers(0, m, m)
        try:
            v = criterion(y[idx], s[idx])
        except ValueError:
            continue
        if np.isfinite(v):
            stats.append(v)
    if len(stats) < n_boot // 2:
        raise ValueError(f"the criterion was undefined on {n_boot - len(stats)} of {n_boot} resamples")
    alpha = (1 - level) / 2
    lo, hi = np.quantile(np.asarray(stats), [alpha, 1 - alpha])
    return float(lo), float(hi)
