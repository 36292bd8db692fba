"""BR@K and WR@K: the best and worst true rank among the estimator's top-K architectures, relative to M."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from naslens.criteria._validate import SET_TIES, FloatVector, check_ties, validate_pair
from naslens.criteria.membership import top_split
from naslens.criteria.ranks import rank
from naslens.criteria.topk import KValue, resolve_k


def expected_first_of_subset(ordered: FloatVector, t: int) -> float:
    """Return the expected value of the first-listed element of a uniformly random t-subset of ``ordered``.

    If ``ordered`` is sorted ascending this is the expected minimum of the subset, if sorted descending the
    expected maximum. With g = len(ordered), the j-th element (1-based) comes first in the subset with
    probability ``P_j = C(g - j, t - 1) / C(g, t)``, computed overflow-free by the ratio recurrence
    ``P_1 = t / g``, ``P_{j+1} = P_j · (g - j - t + 1) / (g - j)`` (all factors are <= 1, so only harmless
    underflow to 0 can happen; g = 15,625 is fine).

    Example:
        >>> expected_first_of_subset(np.array([1.0, 2.0, 3.0]), 2)  # subsets {1,2},{1,3},{2,3}
        1.3333333333333333
    """
    g = ordered.size
    if not 1 <= t <= g:
        raise ValueError(f"subset size t must satisfy 1 <= t <= g={g}, got {t}")
    j = np.arange(1, g, dtype=np.float64)
    factors = np.maximum(g - j - t + 1, 0.0) / (g - j)
    probs = (t / g) * np.concatenate(([1.0], np.cumprod(factors)))
    return float(probs @ ordered)


def _extreme_true_rank(y: ArrayLike, s: ArrayLike, k: KValue, higher_is_better: bool, ties: str, best: bool) -> float:
    check_ties(ties, SET_TIES)
    y_arr, s_arr = validate_pair(y, s, higher_is_better)
    m = y_arr.size
    count = resolve_k(k, m)
    true_rank = rank(y_arr, ties="min")
    if ties == "ordinal":
        chosen = true_rank[rank(s_arr, ties="ordinal") <= count]
        return float(chosen.min() if best else chosen.max()) / m
    split = top_split(s_arr, count)
    group = np.sort(true_rank[split.boundary])
    sure = true_rank[split.sure]
    if best:
        bound = float(sure.min()) if sure.size else np.inf
        ordered = np.minimum(group, bound)  # still ascending: first element of a subset = its minimum
    else:
        bound = float(sure.max()) if sure.size else -np.inf
        ordered = np.maximum(group[::-1], bound)  # descending: first element of a subset = its maximum
    return expected_first_of_subset(ordered, split.slots) / m


def best_ranking(y: ArrayLike, s: ArrayLike, k: KValue, higher_is_better: bool = True, ties: str = "expected") -> float:
    """BR@K: the best (smallest) true rank among the estimator's top-K architectures, divided by M.

    ``BR@K = min_{i : n_i <= K} r_i / M`` with ``K = resolve_k(k, M)``. Lower is better; the best value is
    1/M (the estimator's top-K contains the true best architecture) and the worst is (M - K + 1)/M.

    True ranks use ``rank(y, ties="min")``: tied ground truths share the better rank, so any architecture
    tied with the true best counts as rank 1.

    Tie policy for the scores:

    * ``"expected"``: the predicted top-K set is the sure members S (score strictly above the boundary value)
      plus a uniformly random t-subset of the boundary tie group G (size g). The result is the exact
      expectation of ``min(r_i)`` over that random set, ``E = Σ_j P_j · min(min_S r, a_j)`` with G's true
      ranks sorted ascending a_1 <= ... <= a_g and ``P_j = C(g - j, t - 1) / C(g, t)`` (no Monte Carlo).
    * ``"ordinal"``: score ties broken by position (the earlier element is better).

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        k: Count (int >= 1) or ratio (float in (0, 1]).
        higher_is_better: Whether a higher score means a better architecture.
        ties: ``"expected"`` or ``"ordinal"``.

    Returns:
        BR@K in [1/M, 1].

    Raises:
        ValueError: On invalid input, an empty or oversized top-K set or an unknown ``ties``.

    Example:
        >>> best_ranking([0.9, 0.8, 0.7, 0.6], [1, 4, 3, 2], k=2)  # picks true ranks {2, 3}
        0.5
        >>> best_ranking([0.9, 0.8, 0.7, 0.6], [0, 0, 0, 0], k=1)  # E[rank of a random pick] = 2.5
        0.625
    """
    return _extreme_true_rank(y, s, k, higher_is_better, ties, best=True)


def worst_ranking(
    y: ArrayLike, s: ArrayLike, k: KValue, higher_is_better: bool = True, ties: str = "expected"
) -> float:
    """WR@K: the worst (largest) true rank among the estimator's top-K architectures, divided by M.

    ``WR@K = max_{i : n_i <= K} r_i / M`` with ``K = resolve_k(k, M)``; lower is better (best value K/M when
    there are no ground-truth ties). True ranks use ``rank(y, ties="min")`` as in ``best_ranking``.

    Tie policy for the scores: ``"expected"`` returns the exact expectation of ``max(r_i)`` over the predicted
    top-K set when its boundary tie group (size g, t places) is broken uniformly at random:
    ``E = Σ_j P_j · max(max_S r, b_j)`` with G's true ranks sorted descending b_1 >= ... >= b_g and
    ``P_j = C(g - j, t - 1) / C(g, t)``. ``"ordinal"`` breaks score ties by position.

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        k: Count (int >= 1) or ratio (float in (0, 1]).
        higher_is_better: Whether a higher score means a better architecture.
        ties: ``"expected"`` or ``"ordinal"``.

    Returns:
        WR@K in [1/M, 1].

    Raises:
        ValueError: On invalid input, an empty or oversized top-K set or an unknown ``ties``.

    Example:
        >>> worst_ranking([0.9, 0.8, 0.7, 0.6], [1, 4, 3, 2], k=2)  # picks true ranks {2, 3}
        0.75
    """
    return _extreme_true_rank(y, s, k, higher_is_better, ties, best=False)
