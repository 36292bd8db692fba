"""P@topK and P@bottomK: overlap between the true and the predicted best (or worst) K architectures."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from naslens.criteria._validate import SET_TIES, check_ties, validate_pair
from naslens.criteria.membership import bottom_membership, top_membership
from naslens.criteria.topk import KValue, resolve_k


def precision_at_top(
    y: ArrayLike, s: ArrayLike, k: KValue, higher_is_better: bool = True, ties: str = "expected"
) -> float:
    """P@topK: the fraction of the true best K architectures that the estimator also puts in its best K.

    ``P@topK = |{i : r_i <= K and n_i <= K}| / K`` with true ranks r, estimated ranks n (1 = best) and
    ``K = resolve_k(k, M)`` (an int is a count, a float in (0, 1] a ratio of M).

    Tie policy:

    * ``"expected"``: ``P = Σ_i p_i q_i / K`` where p and q are the ``top_membership`` probabilities of ``y``
      and ``s``. This is exactly the expected precision when ties in ``y`` and in ``s`` are broken uniformly
      at random and independently. Proof: for the random sets A (true top-K) and B (predicted top-K),
      ``E|A ∩ B| = Σ_i P(i ∈ A and i ∈ B) = Σ_i P(i ∈ A) P(i ∈ B) = Σ_i p_i q_i`` by independence of the two
      tie-breaks. Without ties p and q are 0/1 and this is the plain set formula.
    * ``"ordinal"``: both vectors' ties broken by position (the earlier element is better).

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        k: Count (int >= 1) or ratio (float in (0, 1]).
        higher_is_better: Whether a higher score means a better architecture.
        ties: ``"expected"`` or ``"ordinal"``.

    Returns:
        Precision in [0, 1]; 1 for a perfect estimator.

    Raises:
        ValueError: On invalid input, an empty or oversized top-K set or an unknown ``ties``.

    Example:
        >>> precision_at_top([0.9, 0.8, 0.7, 0.6], [4, 1, 3, 2], k=2)
        0.5
        >>> precision_at_top([0.9, 0.8, 0.7, 0.6], [1, 1, 1, 0], k=2)  # scores tie for the top 2 places
        0.6666666666666666
    """
    check_ties(ties, SET_TIES)
    y_arr, s_arr = validate_pair(y, s, higher_is_better)
    count = resolve_k(k, y_arr.size)
    p = top_membership(y_arr, count, ties=ties)
    q = top_membership(s_arr, count, ties=ties)
    return float(np.clip(float(p @ q) / count, 0.0, 1.0))


def precision_at_bottom(
    y: ArrayLike, s: ArrayLike, k: KValue, higher_is_better: bool = True, ties: str = "expected"
) -> float:
    """P@bottomK: the fraction of the true worst K architectures that the estimator also puts in its worst K.

    ``P@bottomK = |{i : r_i > M - K and n_i > M - K}| / K``, ``K = resolve_k(k, M)``. Ties as in
    ``precision_at_top`` but with ``bottom_membership``: ``"expected"`` is the exact expectation under
    independent uniform random tie-breaks; ``"ordinal"`` puts the later of tied elements into the bottom set.

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        k: Count (int >= 1) or ratio (float in (0, 1]).
        higher_is_better: Whether a higher score means a better architecture.
        ties: ``"expected"`` or ``"ordinal"``.

    Returns:
        Precision in [0, 1].

    Raises:
        ValueError: On invalid input, an empty or oversized bottom-K set or an unknown ``ties``.

    Example:
        >>> precision_at_bottom([0.9, 0.8, 0.7, 0.6], [4, 1, 3, 2], k=2)
        0.5
    """
    check_ties(ties, SET_TIES)
    y_arr, s_arr = validate_pair(y, s, higher_is_better)
    count = resolve_k(k, y_arr.size)
    p = bottom_membership(y_arr, count, ties=ties)
    q = bottom_membership(s_arr, count, ties=ties)
    return float(np.clip(float(p @ q) / count, 0.0, 1.0))
