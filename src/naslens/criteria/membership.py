"""Tie policy for set-based criteria: the probability that each element belongs to the top/bottom-K set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from naslens.criteria._validate import SET_TIES, FloatVector, as_vector, check_ties
from naslens.criteria.ranks import rank


@dataclass(frozen=True)
class TopSplit:
    """The top-``count`` set of a vector, split at its boundary value.

    Attributes:
        sure: Mask of elements strictly better than the boundary value (always in the set).
        boundary: Mask of the tie group holding the boundary value (size g).
        slots: Number t of places (1 <= t <= g) the boundary group fills; a uniformly random t-subset of it
            joins ``sure`` under random tie-breaking.
    """

    sure: NDArray[np.bool_]
    boundary: NDArray[np.bool_]
    slots: int


def _check_count(count: int, m: int) -> int:
    if isinstance(count, (bool, np.bool_)) or not isinstance(count, (int, np.integer)):
        raise ValueError(f"count must be an int, got {type(count).__name__} {count!r}")
    if not 1 <= count <= m:
        raise ValueError(f"count must satisfy 1 <= count <= M={m}, got {count}")
    return int(count)


def top_split(key: FloatVector, count: int) -> TopSplit:
    """Split the ``count`` largest elements of ``key`` (higher = better) into sure members and a tie group.

    The boundary value v is the ``count``-th largest value; ``sure = key > v``, ``boundary = key == v`` and
    ``slots = count - |sure|``.

    Example:
        >>> split = top_split(np.array([3.0, 2.0, 2.0, 2.0, 1.0]), 2)
        >>> split.sure.tolist(), split.boundary.tolist(), split.slots
        ([True, False, False, False, False], [False, True, True, True, False], 1)
    """
    count = _check_count(count, key.size)
    threshold = np.partition(key, key.size - count)[key.size - count]
    sure = key > threshold
    boundary = key == threshold
    return TopSplit(sure=sure, boundary=boundary, slots=count - int(sure.sum()))


def _orient(values: ArrayLike, higher_is_better: bool) -> FloatVector:
    arr = as_vector(values, "values")
    return arr if higher_is_better else -arr


def top_membership(values: ArrayLike, count: int, higher_is_better: bool = True, ties: str = "expected") -> FloatVector:
    """Probability that each element belongs to the best-``count`` set.

    Tie policy:

    * ``"expected"``: elements strictly better than the boundary value (the ``count``-th best) get 1, the
      boundary tie group of size g filling the t remaining places gets t/g each, all others 0. This is the
      membership probability when ties are broken uniformly at random.
    * ``"ordinal"``: 0/1 membership with ties broken by position (the earlier element is better), i.e.
      ``rank(values, ties="ordinal") <= count``.

    The memberships sum to ``count`` (exactly in exact arithmetic; to rounding in float64).

    Args:
        values: 1-D finite vector.
        count: Size of the set, 1 <= count <= M.
        higher_is_better: Whether a larger value is better.
        ties: ``"expected"`` or ``"ordinal"``.

    Returns:
        Float64 array of probabilities in [0, 1] aligned with ``values``.

    Raises:
        ValueError: On invalid values, count outside [1, M] or an unknown ``ties``.

    Example:
        >>> top_membership([3, 2, 2, 2, 1], 2).round(4).tolist()
        [1.0, 0.3333, 0.3333, 0.3333, 0.0]
        >>> top_membership([3, 2, 2, 2, 1], 2, ties="ordinal").tolist()
        [1.0, 1.0, 0.0, 0.0, 0.0]
    """
    check_ties(ties, SET_TIES)
    key = _orient(values, higher_is_better)
    count = _check_count(count, key.size)
    if ties == "ordinal":
        return (rank(key, ties="ordinal") <= count).astype(np.float64)
    split = top_split(key, count)
    out = split.sure.astype(np.float64)
    out[split.boundary] = split.slots / int(split.boundary.sum())
    return out


def bottom_membership(
    values: ArrayLike, count: int, higher_is_better: bool = True, ties: str = "expected"
) -> FloatVector:
    """Probability that each element belongs to the worst-``count`` set.

    Tie policy:

    * ``"expected"``: elements strictly worse than the boundary value (the ``count``-th worst) get 1, the
      boundary tie group of size g filling the t remaining places gets t/g each, all others 0.
    * ``"ordinal"``: 0/1 with the same positional tie-break as ``top_membership`` (the earlier element is
      better), i.e. ``rank(values, ties="ordinal") > M - count``; so among tied elements the *later* ones fall
      into the bottom set.

    With either policy ``top_membership(v, c) + bottom_membership(v, M - c) == 1`` for 1 <= c < M.

    Example:
        >>> bottom_membership([3, 1, 1, 2], 1).tolist()
        [0.0, 0.5, 0.5, 0.0]
        >>> bottom_membership([3, 1, 1, 2], 1, ties="ordinal").tolist()
        [0.0, 0.0, 1.0, 0.0]
    """
    check_ties(ties, SET_TIES)
    key = _orient(values, higher_is_better)
    count = _check_count(count, key.size)
    if ties == "ordinal":
        return (rank(key, ties="ordinal") > key.size - count).astype(np.float64)
    return top_membership(-key, count, higher_is_better=True, ties="expected")
