"""Graph features of architectures: GRAF-style features (Kadlecova et al.) of a space's operation-on-node DAG.

Computed for spaces whose ``info.encodings`` has ``graph``: ``encode(a, "graph")`` = (adjacency, node labels).
Input nodes are the nodes without predecessors, outputs those without successors, op nodes the rest. For the
graph as given and for the graph with every node of one op label removed (suffix ``[-<label>]``, for each label of
``info.choices``) the ``graph:…`` columns are:
``paths`` (number of input→output paths), ``min_len`` / ``max_len`` (fewest / most op nodes on such a path),
``out_degree_input`` / ``in_degree_output`` (successors of the inputs / predecessors of the outputs that lie on
such a path), and per op label ``on_path[<op>]`` (nodes of that label lying on some input→output path: ops off
every path do not count) and ``max_on_path[<op>]`` (most nodes of that label on one path, the op's depth).
Without any path, lengths and counts are 0 except ``min_len``, which is the number of op nodes + 1.

*No-op labels.* The space protocol declares no "no operation" label (``SpaceInfo`` has no such field) and a space's
graph encoding may keep such ops as nodes (NB201 keeps ``none`` nodes so that every graph has one shape). So no
label is assumed absent: the graph is read exactly as the space gives it, and the removed-label variants are
computed for *every* label alike (GRAF's banned-op features). On NB201 the ``[-none]`` columns are the effective
cell (``none`` breaks paths there); on a chain space such as NAS-Bench-Macro ``paths[-id]`` says whether the
chain holds no identity layer. The learner picks what matters; no label name appears in this code.

They are part of the structural features (:func:`~naslens.estimators.predictors.features.structural_features`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.estimators.predictors.base import PredictorError

__all__ = ["graph_features", "op_labels"]


def op_labels(space: Any) -> list[str]:
    """The distinct choice labels of the space, in order of first appearance in ``info.choices``."""
    return list(dict.fromkeys(label for choices in space.info.choices for label in choices))


def graph_features(space: Any, archs: Sequence[Any]) -> dict[str, np.ndarray]:
    """The ``graph:…`` columns of ``archs`` (see the module docstring), computed per group of architectures that
    share one adjacency matrix, vectorised over each group."""
    labels = op_labels(space)
    code = {label: i for i, label in enumerate(labels)}
    graphs = [space.encode(a, "graph") for a in archs]
    groups: dict[bytes, list[int]] = {}
    for i, (adj, _) in enumerate(graphs):
        a = np.asarray(adj)
        groups.setdefault(a.shape[0].to_bytes(4, "little") + (a != 0).tobytes(), []).append(i)
    out: dict[str, np.ndarray] = {}
    for rows in groups.values():
        adj = np.asarray(graphs[rows[0]][0]) != 0
        node_ops = np.array([[code.get(str(lb), -1) for lb in graphs[i][1]] for i in rows], dtype=np.int64)
        for name, col in _group_features(adj, node_ops, labels).items():
            out.setdefault(name, np.zeros(len(archs), dtype=np.float64))[rows] = col
    return out


def _topological(adj: np.ndarray) -> list[int]:
    indeg = adj.sum(axis=0).astype(int)
    order, ready = [], [v for v in range(adj.shape[0]) if indeg[v] == 0]
    while ready:
        v = ready.pop(0)
        order.append(v)
        for w in np.flatnonzero(adj[v]):
            indeg[w] -= 1
            if indeg[w] == 0:
                ready.append(int(w))
    if len(order) != adj.shape[0]:
        raise PredictorError("the space's graph encoding has a cycle; graph features need a DAG")
    return order


def _group_features(adj: np.ndarray, node_ops: np.ndarray, labels: list[str]) -> dict[str, np.ndarray]:
    n, size = node_ops.shape
    order = _topological(adj)
    preds = [np.flatnonzero(adj[:, v]) for v in range(size)]
    succs = [np.flatnonzero(adj[v]) for v in range(size)]
    sources = [v for v in range(size) if preds[v].size == 0]
    sinks = [v for v in range(size) if succs[v].size == 0]
    inner = np.array([bool(preds[v].size and succs[v].size) for v in range(size)])

    def sweep(alive: np.ndarray, weight: np.ndarray, how: str, backward: bool = False) -> np.ndarray:
        """Per node: number of paths from an input (``sum``) or fewest/most weight along one (``min``/``max``)."""
        empty = {"sum": 0.0, "min": np.inf, "max": -np.inf}[how]
        val = np.full((n, size), empty)
        for v in reversed(order) if backward else order:
            nb = succs[v] if backward else preds[v]
            if nb.size == 0:
                val[:, v] = 1.0 if how == "sum" else weight[:, v]
            elif how == "sum":
                val[:, v] = val[:, nb].sum(axis=1)
            else:
                val[:, v] = (val[:, nb].min(axis=1) if how == "min" else val[:, nb].max(axis=1)) + weight[:, v]
            val[~alive[:, v], v] = empty
        return val

    out: dict[str, np.ndarray] = {}
    zero = np.zeros((n, size))
    inner_w = np.broadcast_to(inner.astype(np.float64), (n, size))
    for banned in [None, *range(len(labels))]:
        sfx = "" if banned is None else f"[-{labels[banned]}]"
        alive = np.ones((n, size), dtype=bool) if banned is None else node_ops != banned
        fwd, bwd = sweep(alive, zero, "sum"), sweep(alive, zero, "sum", backward=True)
        on = (fwd > 0) & (bwd > 0)
        paths = fwd[:, sinks].sum(axis=1)
        has = paths > 0
        out[f"graph:paths{sfx}"] = paths
        shortest = sweep(alive, inner_w, "min")[:, sinks].min(axis=1)
        out[f"graph:min_len{sfx}"] = np.where(has, shortest, inner.sum() + 1.0)
        out[f"graph:max_len{sfx}"] = np.where(has, sweep(alive, inner_w, "max")[:, sinks].max(axis=1), 0.0)
        out[f"graph:out_degree_input{sfx}"] = sum((on[:, succs[s]].sum(axis=1) for s in sources), zero[:, 0])
        out[f"graph:in_degree_output{sfx}"] = sum((on[:, preds[t]].sum(axis=1) for t in sinks), zero[:, 0])
        for k, label in enumerate(labels):
            if k == banned:
                continue
            is_op = node_ops == k
            out[f"graph:on_path[{label}]{sfx}"] = (on & is_op).sum(axis=1).astype(np.float64)
            most = sweep(alive, is_op.astype(np.float64), "max")[:, sinks].max(axis=1)
            out[f"graph:max_on_path[{label}]{sfx}"] = np.where(has, most, 0.0)
    return out
