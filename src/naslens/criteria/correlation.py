"""Correlation criteria: Pearson's r, Kendall's tau-b and Spearman's rho (signs kept, never abs())."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from naslens.criteria._validate import FloatVector, validate_pair
from naslens.criteria.ranks import rank


def _require_not_constant(values: FloatVector, name: str) -> None:
    if bool(np.all(values == values[0])):
        raise ValueError(
            f"constant input: every element of {name} equals {values[0]!r}; a constant vector has no "
            "ranking, so its correlation is undefined"
        )


def _pearson_core(y: FloatVector, s: FloatVector) -> float:
    # Scale first so that centring and the sums of squares cannot overflow for huge finite inputs.
    y = y / np.max(np.abs(y))
    s = s / np.max(np.abs(s))
    yc = y - y.mean()
    sc = s - s.mean()
    denom = math.sqrt(float(yc @ yc)) * math.sqrt(float(sc @ sc))
    if denom == 0.0:  # only reachable through rounding of a (numerically) constant vector
        raise ValueError("constant input: a vector has zero variance after centring")
    return float(np.clip(float(yc @ sc) / denom, -1.0, 1.0))


def pearson(y: ArrayLike, s: ArrayLike, higher_is_better: bool = True) -> float:
    """Pearson's linear correlation coefficient between ground truth and scores.

    ``r = Σ (y_i - ȳ)(s_i - s̄) / sqrt(Σ (y_i - ȳ)² · Σ (s_i - s̄)²)``, with ``s`` negated first when
    ``higher_is_better`` is False. The sign is kept: an estimator ranking architectures backwards gives r < 0.

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        higher_is_better: Whether a higher score means a better architecture.

    Returns:
        r in [-1, 1].

    Raises:
        ValueError: On invalid input (see ``validate_pair``) or if ``y`` or ``s`` is constant: a constant
            estimator has no ranking, so instead of returning NaN the criterion refuses it.

    Example:
        >>> round(pearson([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0]), 6)
        0.8
        >>> round(pearson([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0], higher_is_better=False), 6)
        -0.8
    """
    y_arr, s_arr = validate_pair(y, s, higher_is_better)
    _require_not_constant(y_arr, "y (ground truth)")
    _require_not_constant(s_arr, "s (scores)")
    return _pearson_core(y_arr, s_arr)


def spearman(y: ArrayLike, s: ArrayLike, higher_is_better: bool = True) -> float:
    """Spearman's rank correlation: Pearson's r between the average ranks of ``y`` and ``s``.

    ``rho = pearson(rank(y, ties="average"), rank(s, ties="average"))``. Tied values share their average rank,
    as in ``scipy.stats.spearmanr``; the sign is kept.

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        higher_is_better: Whether a higher score means a better architecture.

    Returns:
        rho in [-1, 1].

    Raises:
        ValueError: On invalid input or a constant ``y`` or ``s``.

    Example:
        >>> round(spearman([0.1, 0.5, 0.3, 0.9], [10, 30, 20, 25]), 6)
        0.8
        >>> round(spearman([0.1, 0.5, 0.3, 0.9], [10, 30, 20, 25], higher_is_better=False), 6)
        -0.8
    """
    y_arr, s_arr = validate_pair(y, s, higher_is_better)
    _require_not_constant(y_arr, "y (ground truth)")
    _require_not_constant(s_arr, "s (scores)")
    return _pearson_core(rank(y_arr, ties="average"), rank(s_arr, ties="average"))


def _tied_pairs(values: NDArray[np.int64]) -> int:
    """Count the unordered pairs with equal value: Σ_groups g(g - 1)/2."""
    counts = np.unique(values, return_counts=True)[1].astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def _count_inversions(a: NDArray[np.int64]) -> int:
    """Count the pairs i < j with a[i] > a[j] (strict) for non-negative integer codes, in O(M log² M).

    Each inverted pair is counted once, at the highest bit where a[i] and a[j] differ: there both share the
    higher bits (``a >> (b + 1)``), a[i] has bit b set and a[j] has it clear. Per bit level, a stable sort by
    the shared prefix keeps the original order inside each prefix group, and a running count of set bits
    gives, for every element with the bit clear, the number of earlier elements of its group with the bit set.
    """
    total = 0
    n_bits = max(1, int(a.max()).bit_length())
    for b in range(n_bits):
        prefix = a >> (b + 1)
        order = np.argsort(prefix, kind="stable")
        p = prefix[order]
        bit = (a[order] >> b) & 1
        ones_before = np.cumsum(bit) - bit  # set bits strictly before each position (whole array)
        new_group = np.empty(p.size, dtype=bool)
        new_group[0] = True
        new_group[1:] = p[1:] != p[:-1]
        group_start = np.flatnonzero(new_group)[np.cumsum(new_group) - 1]
        within = ones_before - ones_before[group_start]
        total += int(within[bit == 0].sum())
    return total


def kendall_tau(y: ArrayLike, s: ArrayLike, higher_is_better: bool = True) -> float:
    """Kendall's tau-b between ground truth and scores, with ties handled as in ``scipy.stats.kendalltau``.

    Over the n0 = M(M - 1)/2 pairs: C concordant, D discordant, n1 pairs tied in ``y``, n2 tied in ``s`` and
    n3 tied in both. ``tau_b = (C - D) / sqrt((n0 - n1)(n0 - n2))`` with ``C - D = n0 - n1 - n2 + n3 - 2D``.
    D is counted in O(M log² M) (Knight's method: sort by (y, s), then count strict inversions of ``s``),
    so M = 15,625 takes milliseconds. The sign is kept.

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        higher_is_better: Whether a higher score means a better architecture.

    Returns:
        tau_b in [-1, 1].

    Raises:
        ValueError: On invalid input or a constant ``y`` or ``s``.

    Example:
        >>> round(kendall_tau([1, 2, 3, 4], [1, 3, 2, 4]), 6)
        0.666667
        >>> round(kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]), 6)
        -1.0
        >>> round(kendall_tau([1, 2, 2, 3], [1, 1, 2, 3]), 6)
        0.8
    """
    y_arr, s_arr = validate_pair(y, s, higher_is_better)
    _require_not_constant(y_arr, "y (ground truth)")
    _require_not_constant(s_arr, "s (scores)")
    y_codes = np.unique(y_arr, return_inverse=True)[1].astype(np.int64).ravel()
    s_codes = np.unique(s_arr, return_inverse=True)[1].astype(np.int64).ravel()
    m = y_codes.size
    n0 = m * (m - 1) // 2
    n1 = _tied_pairs(y_codes)
    n2 = _tied_pairs(s_codes)
    n_s_levels = int(s_codes.max()) + 1
    n3 = _tied_pairs(y_codes * n_s_levels + s_codes)
    order = np.lexsort((s_codes, y_codes))  # by y, then by s: no inversions inside a y tie group
    discordant = _count_inversions(s_codes[order])
    numerator = n0 - n1 - n2 + n3 - 2 * discordant
    tau = numerator / (math.sqrt(n0 - n1) * math.sqrt(n0 - n2))
    return float(np.clip(tau, -1.0, 1.0))
