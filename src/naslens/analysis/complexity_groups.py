"""Split architectures into G complexity groups (by FLOPs, params, …) of near-equal size."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from naslens.analysis._common import AnalysisError


def complexity_groups(cost: ArrayLike, n_groups: int = 5) -> NDArray[np.int64]:
    """Assign each architecture to one of ``n_groups`` groups of ascending cost (0 = cheapest).

    With the architectures sorted by cost (stable) and ``p_i`` the 0-based position of the *first* architecture
    whose cost equals ``cost_i``, the group is ``g_i = floor(G · p_i / M)``. Groups therefore hold about M/G
    architectures each, and architectures of equal cost always share a group (NB201 params/FLOPs take few
    distinct values, so groups can be unequal and a group can be empty; empty groups are simply absent).

    Args:
        cost: Finite cost per architecture (1-D, M >= 1).
        n_groups: G >= 1.

    Returns:
        Int array of group ids in 0..G-1, aligned with ``cost``.

    Raises:
        AnalysisError: On non-finite cost or ``n_groups < 1``.

    Example:
        >>> complexity_groups([5, 1, 3, 3, 9, 7], n_groups=3).tolist()
        [1, 0, 0, 0, 2, 2]
    """
    if isinstance(n_groups, bool) or not isinstance(n_groups, (int, np.integer)) or n_groups < 1:
        raise AnalysisError(f"n_groups must be an int >= 1, got {n_groups!r}")
    arr = np.asarray(cost, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise AnalysisError(f"cost must be a non-empty 1-D vector, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise AnalysisError(f"cost holds {int((~np.isfinite(arr)).sum())} non-finite value(s)")
    sorted_cost = np.sort(arr, kind="stable")
    first_pos = np.searchsorted(sorted_cost, arr, side="left")
    return (int(n_groups) * first_pos // arr.size).astype(np.int64)


def group_bounds(cost: ArrayLike, groups: ArrayLike) -> dict[int, tuple[float, float]]:
    """``{group: (min cost, max cost)}`` for labelling plots and tables."""
    c = np.asarray(cost, dtype=np.float64)
    g = np.asarray(groups)
    return {int(k): (float(c[g == k].min()), float(c[g == k].max())) for k in np.unique(g)}
