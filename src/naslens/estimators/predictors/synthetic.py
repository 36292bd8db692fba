"""Synthetic targets of the predictor contract (:func:`~naslens.estimators.predictors.check.check_predictor`).

Each is a fixed function of ``space.info``, the architecture and a seed, so a predictor that reads the matching
encoding can learn it to a high Kendall τ from a few hundred architectures:

- :func:`synthetic_target`: position-wise linear in the codes (what an encoding-based model sees);
- :func:`live_edge_target`: a sum of op values over the edges of the ``edge_graph`` encoding that lie on some
  input→output path (a graph encoder such as GATES never sees an op no path goes through: on NB201 an op feeding only
  ``none`` edges changes the benchmark's parameter count but not what the cell computes);
- :func:`cost_target`: the sum of the space's standardised cost columns (what a feature model on structure sees).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["cost_target", "default_target", "live_edge_target", "synthetic_target"]


def synthetic_target(space: Any, archs: Sequence[Any], *, seed: int = 0, decay: float = 0.3) -> np.ndarray:
    """A fixed random linear function of the one-hot encoding: ``y = Σ_p decay^{r_p} · π_p(code_p)``.

    Each position ``p`` gets a random permutation ``π_p`` of its choice indices (the levels ``0 … k-1``, evenly
    spaced) and a random rank ``r_p`` (a permutation of the positions), so every position matters, the leading ones
    more (``decay`` < 1). The geometric weights let an axis-aligned tree ensemble on a few hundred architectures
    resolve it as well as a neural model; it is a function of ``space.info`` and ``seed`` alone.

    Example:
        >>> from naslens.spaces import get_space
        >>> space = get_space("nb-macro")
        >>> y = synthetic_target(space, [space.parse("00000000"), space.parse("22222222")])
        >>> y.shape, bool(y[0] != y[1])
        ((2,), True)
    """
    cards = space.info.cardinalities
    g = np.random.default_rng(seed)
    levels = [g.permutation(k).astype(np.float64) for k in cards]
    scale = float(decay) ** g.permutation(len(cards)).astype(np.float64)
    codes = np.stack([np.asarray(space.encode(a, "codes"), dtype=np.int64).reshape(-1) for a in archs])
    return np.array([sum(scale[p] * levels[p][c] for p, c in enumerate(row)) for row in codes], dtype=np.float64)


def live_edges(n: int, ops: np.ndarray) -> np.ndarray:
    """Mask of the edges (``ops >= 0``) of an ``n``-node edge graph that lie on a path from node 0 to node ``n-1``."""
    adj = np.asarray(ops) >= 0
    reach_from_in = np.zeros(n, dtype=bool)
    reach_from_in[0] = True
    reach_to_out = np.zeros(n, dtype=bool)
    reach_to_out[n - 1] = True
    for _ in range(n):  # fixed point of the reachability (edge graphs are small DAGs)
        reach_from_in |= (adj & reach_from_in[:, None]).any(axis=0)
        reach_to_out |= (adj & reach_to_out[None, :]).any(axis=1)
    return adj & reach_from_in[:, None] & reach_to_out[None, :]


def live_edge_target(space: Any, archs: Sequence[Any], *, seed: int = 0, power: float = 1.5) -> np.ndarray:
    """``y = Σ_{live edges e} v(op_e)`` on ``space.encode(a, "edge_graph")``: every edge on an input→output path adds
    the value of its op, ``v = (1 + π)^power`` for a seeded permutation ``π`` of the op labels (edges off every path
    add nothing). Symmetric in the edge slots, as a message-passing encoder is; monotone in each live op's value.

    Example:
        >>> from naslens.spaces import get_space
        >>> space = get_space("nb201")
        >>> dead = space.parse("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")
        >>> alive = space.parse("|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")
        >>> y = live_edge_target(space, [dead, alive])
        >>> bool(y[0] == y[1])  # edge 0->1 feeds nothing that reaches the output
        True
    """
    graphs = [space.encode(a, "edge_graph") for a in archs]
    labels = graphs[0][2]
    value = (1.0 + np.random.default_rng(seed).permutation(len(labels)).astype(np.float64)) ** float(power)
    out = np.zeros(len(graphs), dtype=np.float64)
    for row, (num, ops, _labels) in enumerate(graphs):
        ops = np.asarray(ops)
        live = live_edges(int(num), ops)
        out[row] = float(value[ops[live]].sum())
    return out


def cost_target(space: Any, archs: Sequence[Any], *, seed: int = 0) -> np.ndarray:
    """The sum of the space's cost columns (``space.complexity`` with its default dataset's network), each
    standardised over ``archs``; ``seed`` is unused (the target is deterministic)."""
    table = space.complexity(list(archs), **space.net_config(space.info.default_dataset))
    cols = [c for c in space.info.cost_columns if c in table.columns]
    x = table[cols].to_numpy(dtype=np.float64)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    return ((x - x.mean(axis=0)) / sd).sum(axis=1)


def default_target(predictor: Any, seed: int = 0) -> Callable[[Any, Sequence[Any]], np.ndarray]:
    """The contract's target for ``predictor``, chosen by the encoding its :class:`PredictorInfo` declares
    (``edge_graph`` → :func:`live_edge_target`, ``features`` → :func:`cost_target`, else :func:`synthetic_target`)."""
    encoding = getattr(getattr(predictor, "info", None), "encoding", "codes")
    if encoding == "edge_graph":
        return lambda space, archs: live_edge_target(space, archs, seed=seed)
    if encoding == "features":
        return lambda space, archs: cost_target(space, archs, seed=seed)
    return lambda space, archs: synthetic_target(space, archs, seed=seed)
