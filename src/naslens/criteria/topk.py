"""K for top-K criteria: a ratio of M or an absolute count, resolved, parsed and labelled in one place.

Tools disagree here (aw_nas: K = int(M·ratio); NASLib: K is a count), so naslens accepts both and keeps them
apart by *type*: a Python/numpy integer is a count, a float in (0, 1] is a ratio.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final

import numpy as np

KValue = int | float
"""A count (int, >= 1) or a ratio (float in (0, 1])."""

DEFAULT_K_RATIOS: Final[tuple[float, ...]] = (0.005, 0.01, 0.05, 0.1, 0.2, 0.5)
"""Default top-K ratios reported by naslens."""


def _classify(k: object) -> KValue:
    """Return ``k`` as a Python int (count) or float (ratio), or raise for anything else."""
    if isinstance(k, (bool, np.bool_)):
        raise ValueError(f"k must be an int (count) or a float in (0, 1] (ratio), got the bool {k!r}")
    if isinstance(k, (int, np.integer)):
        count = int(k)
        if count < 1:
            raise ValueError(f"k as a count must be >= 1, got {count}")
        return count
    if isinstance(k, (float, np.floating)):
        ratio = float(k)
        if not (0.0 < ratio <= 1.0):  # also rejects NaN
            raise ValueError(
                f"k as a ratio must be a float in (0, 1], got {ratio!r}; pass an int for an absolute count"
            )
        return ratio
    raise ValueError(f"k must be an int (count) or a float in (0, 1] (ratio), got {type(k).__name__} {k!r}")


def resolve_k(k: KValue, m: int) -> int:
    """Turn ``k`` into the number K of architectures in the top-K set of M architectures.

    * int (or numpy integer) ``k >= 1``: an absolute count, ``K = k``.
    * float ``k`` in (0, 1]: a ratio, ``K = floor(M · k)`` (as aw_nas's ``int(M * ratio)``). The product is
      taken with the decimal value of ``k`` (``Fraction(repr(k))``) so that e.g. ``resolve_k(0.29, 100)`` is
      29; plain float arithmetic gives 28 there. For the ratios aw_nas and naslens use by default both agree
      for every M up to 100,000.
    * bool is rejected (it is an int subclass but never meant as a count).

    Args:
        k: Count or ratio.
        m: Number of architectures M (>= 1).

    Returns:
        K with 1 <= K <= M.

    Raises:
        ValueError: If ``k`` has the wrong type or range, or if K < 1 (an empty top-K set, e.g. a small ratio
            of a small M) or K > M. The message names k, M and the count.

    Example:
        >>> resolve_k(0.05, 15625)
        781
        >>> resolve_k(50, 15625)
        50
        >>> resolve_k(1.0, 7)
        7
    """
    if isinstance(m, (bool, np.bool_)) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"M must be an int >= 1, got {m!r}")
    value = _classify(k)
    count = math.floor(int(m) * Fraction(repr(value))) if isinstance(value, float) else value
    if count < 1:
        raise ValueError(f"k={value!r} with M={int(m)} gives K={count} < 1: the top-K set would be empty")
    if count > m:
        raise ValueError(f"k={value!r} with M={int(m)} gives K={count} > M")
    return int(count)


def parse_k(text: str) -> KValue:
    """Parse K from text (a CLI flag or a config value).

    * ``"5%"`` is a ratio (0.05), as is any number written with ``.`` or an exponent (``"0.05"``, ``"1e-3"``,
      ``"1.0"``).
    * ``"50"`` (digits only) and ``"n=50"`` (the form ``k_label`` writes) are counts.

    Args:
        text: The text to parse; surrounding whitespace is ignored.

    Returns:
        An int count or a float ratio, validated as by ``resolve_k`` (but without M).

    Raises:
        ValueError: On unparsable text, a count < 1 or a ratio outside (0, 1].

    Example:
        >>> parse_k("5%"), parse_k("0.05"), parse_k("50"), parse_k("n=50")
        (0.05, 0.05, 50, 50)
    """
    raw = text.strip()
    lowered = raw.lower()
    try:
        if lowered.startswith("n="):
            body = lowered[2:].strip()
            if not body.lstrip("+-").isdigit():
                raise ValueError("not an integer")
            value: KValue = int(body)
        elif lowered.endswith("%"):
            value = float(Fraction(lowered[:-1].strip()) / 100)
        elif "." in lowered or "e" in lowered:
            value = float(lowered)
        else:
            value = int(lowered)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:  # OverflowError: e.g. '1e400%'
        raise ValueError(f"cannot parse k from {text!r}: expected e.g. '0.05', '5%', '50' or 'n=50'") from exc
    try:
        return _classify(value)
    except ValueError as exc:
        raise ValueError(f"k parsed from {text!r}: {exc}") from exc


def k_label(k: KValue) -> str:
    """Return a stable text key for ``k``: a ratio by its shortest float repr, a count as ``"n=<count>"``.

    E.g. ``"0.05"`` for the ratio 0.05 and ``"n=50"`` for the count 50.

    ``parse_k(k_label(k)) == k`` for every valid ``k``.

    Raises:
        ValueError: If ``k`` is not a valid count or ratio.

    Example:
        >>> k_label(0.05), k_label(50), k_label(1.0)
        ('0.05', 'n=50', '1.0')
    """
    value = _classify(k)
    if isinstance(value, float):
        return repr(value)
    return f"n={value}"
