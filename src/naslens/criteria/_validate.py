"""Input validation shared by every criterion.

Criteria refuse bad input instead of repairing it: callers are expected to filter NaN/inf scores themselves
and report how many they dropped, so a criterion never silently drops an element.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatVector = NDArray[np.float64]

RANK_TIES: Final = ("average", "min", "max", "ordinal")
SET_TIES: Final = ("expected", "ordinal")


def as_vector(values: ArrayLike, name: str, min_size: int = 1) -> FloatVector:
    """Convert ``values`` to a finite 1-D float64 array or raise ``ValueError``.

    Args:
        values: Anything ``numpy.asarray`` accepts.
        name: Name used in error messages (e.g. ``"y"`` or ``"scores"``).
        min_size: Smallest accepted length.

    Returns:
        A new float64 array (never a view of the caller's data).

    Raises:
        ValueError: If the input is not 1-D, is shorter than ``min_size`` or holds NaN/inf values.

    Example:
        >>> as_vector([1, 2, 3], "y")
        array([1., 2., 3.])
    """
    try:
        arr = np.array(values, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: cannot convert to a float64 vector ({exc})") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D vector, got an array with shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name}: needs at least {min_size} element(s), got {arr.size}")
    finite = np.isfinite(arr)
    if not finite.all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int((~finite).sum()) - n_nan
        raise ValueError(
            f"{name}: contains {n_nan} NaN and {n_inf} inf value(s) out of {arr.size}; "
            "filter non-finite values (and report them) before calling a criterion"
        )
    return arr


def validate_pair(y: ArrayLike, s: ArrayLike, higher_is_better: bool = True) -> tuple[FloatVector, FloatVector]:
    """Validate an aligned (ground truth, score) pair and orient the score so that higher is better.

    Args:
        y: Ground-truth performance, higher is better.
        s: Estimator scores aligned with ``y``.
        higher_is_better: Whether a higher score means a better architecture; if False the score is negated.

    Returns:
        ``(y, s)`` as float64 arrays, with ``s`` negated when ``higher_is_better`` is False.

    Raises:
        ValueError: If the vectors differ in length, are not 1-D, have fewer than 2 elements or hold NaN/inf.

    Example:
        >>> validate_pair([1, 2], [5, 3], higher_is_better=False)
        (array([1., 2.]), array([-5., -3.]))
    """
    y_arr = as_vector(y, "y (ground truth)", min_size=2)
    s_arr = as_vector(s, "s (scores)", min_size=2)
    if y_arr.size != s_arr.size:
        raise ValueError(f"y and s must have the same length, got {y_arr.size} and {s_arr.size}")
    if not higher_is_better:
        s_arr = -s_arr
    return y_arr, s_arr


def check_ties(ties: str, allowed: tuple[str, ...]) -> None:
    """Raise ``ValueError`` unless ``ties`` is one of ``allowed``."""
    if ties not in allowed:
        raise ValueError(f"ties must be one of {allowed}, got {ties!r}")
