"""Depth of an NB201 cell: a cost axis for budgets besides params and FLOPs."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from naslens.types import ArchFormatError

_EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))  # benchmark string order
_NONE, _SKIP = 0, 1


def nb201_cell_depth(codes: ArrayLike) -> NDArray[np.int64]:
    """Longest input→output path of each NB201 cell, counting only parametric / pooling ops.

    Edges with op ``none`` (code 0) are absent; ``skip_connect`` (code 1) edges connect but add 0; every other op
    (conv 1×1, conv 3×3, avg pool) adds 1. ``depth = max over paths 0 → 3 of Σ weights``; a cell whose output is not
    reachable from its input has depth 0 (as has an all-skip cell).

    Args:
        codes: (M, 6) benchmark op codes in string edge order (``NB201Space.codes_array``).

    Returns:
        Int array of depths in 0..3.

    Example:
        >>> nb201_cell_depth([[3, 0, 3, 0, 0, 3], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]]).tolist()
        [3, 0, 0]
    """
    arr = np.asarray(codes, dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != len(_EDGES):
        raise ArchFormatError(f"codes must have shape (M, {len(_EDGES)}), got {arr.shape}")
    unreachable = -(10**6)
    best = np.full((arr.shape[0], 4), unreachable, dtype=np.int64)
    best[:, 0] = 0
    for node in (1, 2, 3):
        for pos, (src, dst) in enumerate(_EDGES):
            if dst != node:
                continue
            op = arr[:, pos]
            weight = np.where(op == _SKIP, 0, 1)
            candidate = np.where((op != _NONE) & (best[:, src] > unreachable), best[:, src] + weight, unreachable)
            best[:, node] = np.maximum(best[:, node], candidate)
    return np.maximum(best[:, 3], 0)
