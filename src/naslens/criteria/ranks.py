"""Ranks with 1 = best and an explicit tie policy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from naslens.criteria._validate import RANK_TIES, FloatVector, as_vector, check_ties


def rank(values: ArrayLike, higher_is_better: bool = True, ties: str = "average") -> FloatVector:
    """Rank a vector so that rank 1 is the best element.

    With ``higher_is_better=True`` the largest value gets rank 1, i.e. ``rank(v)`` equals
    ``scipy.stats.rankdata(-v, method=ties)``; with ``higher_is_better=False`` the smallest value gets rank 1.

    Tie policy (a tie group of size g occupying the sorted positions p+1, ..., p+g):

    * ``"average"``: every member gets ``p + (g + 1) / 2`` (ranks sum to M(M+1)/2; used by Spearman).
    * ``"min"``: every member gets ``p + 1`` (tied elements share the better rank; "competition" ranking).
    * ``"max"``: every member gets ``p + g``.
    * ``"ordinal"``: members get ``p + 1, ..., p + g`` in order of their position in ``values``
      (the earlier element is treated as the better one; a stable tie-break).

    Args:
        values: 1-D vector of finite numbers (M >= 1).
        higher_is_better: Whether a larger value is better.
        ties: One of ``"average"``, ``"min"``, ``"max"``, ``"ordinal"``.

    Returns:
        Float64 array of 1-based ranks aligned with ``values``.

    Raises:
        ValueError: On a non-1-D or empty input, NaN/inf values or an unknown ``ties``.

    Example:
        >>> rank([0.3, 0.9, 0.3, 0.1]).tolist()
        [2.5, 1.0, 2.5, 4.0]
        >>> rank([0.3, 0.9, 0.3, 0.1], ties="min").tolist()
        [2.0, 1.0, 2.0, 4.0]
        >>> rank([0.3, 0.9, 0.3, 0.1], ties="ordinal").tolist()
        [2.0, 1.0, 3.0, 4.0]
        >>> rank([0.3, 0.9, 0.3, 0.1], higher_is_better=False).tolist()
        [2.5, 4.0, 2.5, 1.0]
    """
    check_ties(ties, RANK_TIES)
    arr = as_vector(values, "values")
    key = -arr if higher_is_better else arr
    order = np.argsort(key, kind="stable")
    m = key.size
    ranks = np.empty(m, dtype=np.float64)
    if ties == "ordinal":
        ranks[order] = np.arange(1, m + 1, dtype=np.float64)
        return ranks
    sorted_key = key[order]
    new_group = np.empty(m, dtype=bool)
    new_group[0] = True
    new_group[1:] = sorted_key[1:] != sorted_key[:-1]
    starts = np.flatnonzero(new_group)  # 0-based first sorted position of each tie group
    ends = np.append(starts[1:], m) - 1  # 0-based last sorted position of each tie group
    group_of = np.cumsum(new_group) - 1
    if ties == "min":
        per_group = starts + 1.0
    elif ties == "max":
        per_group = ends + 1.0
    else:
        per_group = (starts + ends) / 2.0 + 1.0
    ranks[order] = per_group[group_of]
    return ranks
