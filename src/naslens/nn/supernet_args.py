"""Argument checks every space's supernets share (path and mixed): positive integer sizes, the dropout range, and
the candidate ops as a distinct subset of the space's labels (returned in the space's order)."""

from __future__ import annotations

from collections.abc import Sequence


def check_supernet_args(dropout: float, ops: Sequence[str], all_ops: Sequence[str], **sizes: int) -> tuple[str, ...]:
    """Validate a supernet's arguments; the held ops in ``all_ops`` order.

    Raises:
        ValueError: a size that is not a positive integer, ``dropout`` outside [0, 1), or ``ops`` empty, with an
            unknown label or a repeated one.

    Example:
        >>> check_supernet_args(0.1, ["b", "a"], ("a", "b", "c"), C=4)
        ('a', 'b')
    """
    for name, v in sizes.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    unknown = [o for o in ops if o not in all_ops]
    if unknown or not ops or len(set(ops)) != len(ops):
        raise ValueError(f"ops must be distinct names from {tuple(all_ops)}, got {list(ops)!r}")
    return tuple(o for o in all_ops if o in ops)
