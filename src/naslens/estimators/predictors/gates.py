"""``gates``: the graph encoder of GATES (Ning et al. 2020, "A Generic Graph-based Neural Architecture Encoding
Scheme for Predictor-based NAS") on the space's operation-on-edge graph, with an MLP head.

The encoder is the one of aw_nas' ``NasBench201FlowArchEmbedder`` with ``DenseGraphSimpleOpEdgeFlow`` layers, the
configuration of the paper's NAS-Bench-201 experiments (``gcn_out_dims`` 5 × 128, ``residual_only`` 1,
``use_final_only``, ``hid_dim`` 96, node and op embeddings 48; ``PointwiseComparator`` head 5 × 300, dropout 0.1):

- the architecture is ``space.encode(arch, "edge_graph")``: N nodes in topological order (node 0 the input, node
  N-1 the output) and the op index of every edge src→dst (``-1``: no edge; NB201's ``none`` is no edge);
- node features: a learned embedding for the input node, a fixed zero vector for every other node, both mapped by
  one linear layer (with bias) to ``hidden`` (96) features: ``H⁰ = Linear(node embedding)``;
- each of the ``gcn_layers`` layers of ``gcn_width`` features computes, with ``W`` (no bias) and a gate layer
  ``Linear`` (with bias) of its own and ``e_op`` the learned op embeddings (48),

  ``Hᵗ⁺¹_i = Σ_{j→i an edge} σ(Linear(e_op(j→i))) ⊙ (Hᵗ W)_j  +  [i < residual_only] (Hᵗ W)_i``

  with ReLU between layers (not after the last). ``residual_only = k`` is aw_nas' meaning: the residual (self)
  term is added for the first ``k`` nodes only, the nodes without inputs, whose information would otherwise be lost
  (with ``k = 1`` only the input node keeps its own state; every other node is the gated sum of its inputs);
  ``residual_only=None`` adds it for every node;
- depth: with ``residual_only=1`` a node after ``L`` layers is a sum over the walks of exactly ``L`` edges that end
  at it (the input node may wait on itself), so the output node sees the input only through paths of at most ``L``
  edges. ``gcn_layers=None`` (the default) takes ``max(5, N - 1)`` layers: the paper's 5 on NB201 (N = 4, paths of
  at most 3 edges) and 8 on NAS-Bench-Macro's chain of 9 nodes, where 5 layers would leave the output blind to
  the first three layers of the network;
- readout: the output node's features (``readout="output"``, aw_nas ``use_final_only``) or the mean over the
  non-input nodes (``readout="mean"``);
- head: ``mlp_layers`` × (Linear ``mlp_hidden`` + ReLU + Dropout ``dropout``), then Linear → 1 score.

The gates depend only on the op, so each layer evaluates ``σ(Linear(e_op))`` once per op; a batch of dense
``(B, N, N)`` op-index matrices becomes a per-op adjacency ``(B, K, N, N)``, and a layer is one batched matrix
product per op plus the gating: scoring a whole space takes seconds on one core.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from naslens.estimators.predictors.base import PredictorError, PredictorInfo, register_predictor
from naslens.estimators.predictors.training import NeuralPredictor

ENCODING = "edge_graph"
READOUTS = ("output", "mean")


def edge_graph_batch(space: Any, archs: Sequence[Any]) -> tuple[torch.Tensor, tuple[str, ...]]:
    """The ``edge_graph`` encodings of ``archs`` as one ``(B, N, N)`` int64 tensor of op indices (``-1``: no edge)
    and the op labels the indices refer to.

    Raises:
        PredictorError: the space has no ``edge_graph`` encoding, or its graphs differ in size or labels (a dense
            batch needs one node count and one op vocabulary).
    """
    if ENCODING not in space.info.encodings:
        raise PredictorError(
            f"gates needs the space's {ENCODING!r} encoding (ops on the edges of a DAG); space {space.info.name!r} "
            f"has only {list(space.info.encodings)}"
        )
    if not archs:
        raise PredictorError("gates needs at least one architecture to encode")
    mats: list[np.ndarray] = []
    n0, labels0 = -1, ()
    for a in archs:
        n, m, labels = space.encode(a, ENCODING)
        if not mats:
            n0, labels0 = int(n), tuple(labels)
        elif int(n) != n0 or tuple(labels) != labels0:
            raise PredictorError(
                f"gates batches graphs of one size and op vocabulary; {space.key(a)} has {n} nodes and ops "
                f"{tuple(labels)}, the first architecture {n0} nodes and ops {labels0}"
            )
        mats.append(np.asarray(m, dtype=np.int64))
    return torch.from_numpy(np.stack(mats)), labels0


class GatesLayer(nn.Module):
    """One GATES layer on op-on-edge graphs (see the module docstring for the formula).

    ``forward(h, adj, op_emb)``: node features ``h`` ``(B, N, in_dim)``, the per-op adjacency ``adj`` ``(B, K, N,
    N)`` (``adj[b, k, dst, src] = 1`` when edge src→dst carries op ``k``, see :func:`op_adjacency`) and the op
    embedding table ``op_emb`` ``(K, op_dim)``; returns ``(B, N, out_dim)``.
    """

    def __init__(self, in_dim: int, out_dim: int, op_dim: int, residual_only: int | None) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_dim, out_dim))
        self.gate = nn.Linear(op_dim, out_dim)
        self.residual_only = residual_only
        bound = 1.0 / math.sqrt(out_dim)  # aw_nas' initialisation of W: U(-1/√out, 1/√out)
        nn.init.uniform_(self.weight, -bound, bound)

    def forward(self, h: torch.Tensor, adj: torch.Tensor, op_emb: torch.Tensor) -> torch.Tensor:
        support = h @ self.weight  # (B, N, out): (H W)_j
        gates = torch.sigmoid(self.gate(op_emb))  # (K, out): σ(Linear(e_op)), one row per op
        b, k_ops, n = adj.shape[0], adj.shape[1], adj.shape[2]
        per_op = torch.bmm(adj.reshape(b, k_ops * n, n), support).view(b, k_ops, n, -1)  # Σ over op-k edges into dst
        msg = (per_op * gates.unsqueeze(1)).sum(dim=1)  # Σ_k gate_k ⊙ that sum
        k = n if self.residual_only is None else min(int(self.residual_only), n)
        keep = (torch.arange(n, device=h.device) < k).to(h.dtype).unsqueeze(-1)  # (N, 1)
        return msg + keep * support


def op_adjacency(edges: torch.Tensor, num_ops: int) -> torch.Tensor:
    """``(B, N, N)`` op indices (``-1``: no edge) as the contiguous ``(B, K, N, N)`` float per-op adjacency
    ``A[b, k, dst, src] = [edges[b, src, dst] == k]`` (destination-major, the layout a batched product wants).

    Example:
        >>> op_adjacency(torch.tensor([[[-1, 1], [-1, -1]]]), 2)[0].tolist()  # one edge 0->1 with op 1
        [[[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [1.0, 0.0]]]
    """
    if edges.numel() and (int(edges.min()) < -1 or int(edges.max()) >= num_ops):
        raise PredictorError(f"edge op indices must be -1 (no edge) or 0..{num_ops - 1}")
    onehot = nn.functional.one_hot(torch.where(edges < 0, num_ops, edges), num_ops + 1)[..., :num_ops]
    return onehot.permute(0, 3, 2, 1).to(torch.float32).contiguous()


class GatesNet(nn.Module):
    """The GATES encoder plus the MLP head: ``forward(edges)`` maps ``(B, N, N)`` op indices to ``(B,)`` scores."""

    other_emb: torch.Tensor

    def __init__(
        self,
        num_ops: int,
        *,
        op_dim: int,
        node_dim: int,
        hidden: int,
        gcn_dims: Sequence[int],
        residual_only: int | None,
        readout: str,
        mlp_hidden: int,
        mlp_layers: int,
        dropout: float,
    ) -> None:
        super().__init__()
        self.op_emb = nn.Embedding(num_ops, op_dim)
        self.input_emb = nn.Parameter(torch.randn(1, node_dim))  # learned (an nn.Embedding row in aw_nas)
        self.register_buffer("other_emb", torch.zeros(1, node_dim))  # fixed zeros for every other node
        self.x_hidden = nn.Linear(node_dim, hidden)
        dims = [hidden, *(int(d) for d in gcn_dims)]
        self.layers = nn.ModuleList(GatesLayer(a, b, op_dim, residual_only) for a, b in itertools.pairwise(dims))
        self.readout = readout
        head: list[nn.Module] = []
        width = dims[-1]
        for _ in range(mlp_layers):
            head += [nn.Linear(width, mlp_hidden), nn.ReLU(), nn.Dropout(dropout)]
            width = mlp_hidden
        head.append(nn.Linear(width, 1))
        self.head = nn.Sequential(*head)

    def embed(self, edges: torch.Tensor) -> torch.Tensor:
        """The ``(B, gcn_dims[-1])`` architecture embedding (readout of the last layer)."""
        b, n = edges.shape[0], edges.shape[1]
        adj = op_adjacency(edges, self.op_emb.num_embeddings)
        nodes = torch.cat((self.input_emb, self.other_emb.expand(n - 1, -1)))  # (N, node_dim)
        h = self.x_hidden(nodes).expand(b, n, -1)
        for i, layer in enumerate(self.layers):
            h = layer(h, adj, self.op_emb.weight)
            if i < len(self.layers) - 1:
                h = torch.relu(h)
        return h[:, -1] if self.readout == "output" else h[:, 1:].mean(dim=1)

    def forward(self, edges: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(edges)).squeeze(-1)


@register_predictor(
    PredictorInfo("gates", "neural", ENCODING, "GATES graph encoder (op-gated flow on the edge graph) + MLP head")
)
class GatesPredictor(NeuralPredictor):
    """GATES on ``space.encode(arch, "edge_graph")`` (see the module docstring); defaults are the paper's NB201
    configuration. On a chain space (NAS-Bench-Macro) the graph is the chain of layers, each edge one layer's choice.

    Learned attributes (besides :class:`NeuralPredictor`'s): ``labels_`` (the op labels of the edge graphs),
    ``num_nodes_``, ``gcn_layers_`` (the number of GATES layers used).

    Example:
        >>> from naslens.spaces import get_space
        >>> space = get_space("nb201")
        >>> archs = [space.sample(np.random.default_rng(i)) for i in range(20)]
        >>> y = [float((space.encode(a, "codes") == 3).sum()) for a in archs]  # number of conv3x3 edges
        >>> p = GatesPredictor(gcn_layers=2, gcn_width=16, mlp_layers=1, mlp_hidden=16, epochs=5).fit(archs, y)
        >>> p.predict(archs[:3]).shape
        (3,)
    """

    labels_: tuple[str, ...]
    num_nodes_: int
    gcn_layers_: int

    def __init__(
        self,
        space: Any = "nb201",
        op_dim: int = 48,
        node_dim: int = 48,
        hidden: int = 96,
        gcn_layers: int | None = None,
        gcn_width: int = 128,
        residual_only: int | None = 1,
        readout: str = "output",
        mlp_layers: int = 5,
        mlp_hidden: int = 300,
        dropout: float = 0.1,
        loss: str = "ranking",
        margin: float = 0.1,
        epochs: int = 200,
        batch_size: int = 512,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        max_pairs_factor: int = 4,
        random_state: int | None = 0,
    ) -> None:
        self.space = space
        self.op_dim = op_dim
        self.node_dim = node_dim
        self.hidden = hidden
        self.gcn_layers = gcn_layers
        self.gcn_width = gcn_width
        self.residual_only = residual_only
        self.readout = readout
        self.mlp_layers = mlp_layers
        self.mlp_hidden = mlp_hidden
        self.dropout = dropout
        self._store_training(loss, margin, epochs, batch_size, lr, weight_decay, max_pairs_factor, random_state)

    def _check_architecture(self) -> None:
        for name in ("op_dim", "node_dim", "hidden", "gcn_layers", "gcn_width", "mlp_hidden"):
            value = getattr(self, name)
            if name == "gcn_layers" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise PredictorError(
                    f"gates: {name} must be a positive integer{' or None' * (name == 'gcn_layers')}, got {value!r}"
                )
        m = self.mlp_layers
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 0:
            raise PredictorError(f"gates: mlp_layers must be an integer >= 0, got {m!r}")
        r = self.residual_only
        if r is not None and (isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0):
            raise PredictorError(f"gates: residual_only must be None (every node) or an integer >= 0, got {r!r}")
        if self.readout not in READOUTS:
            raise PredictorError(f"gates: readout must be one of {', '.join(READOUTS)}, got {self.readout!r}")
        if not 0.0 <= float(self.dropout) < 1.0:
            raise PredictorError(f"gates: dropout must be in [0, 1), got {self.dropout!r}")

    def _inputs(self, space: Any, archs: Sequence[Any]) -> tuple[torch.Tensor, ...]:
        edges, labels = edge_graph_batch(space, archs)
        known = getattr(self, "labels_", None)
        if known is not None and (labels != known or edges.shape[1] != self.num_nodes_):
            raise PredictorError(
                f"gates was fitted on graphs of {self.num_nodes_} nodes with ops {known}; these architectures have "
                f"{edges.shape[1]} nodes and ops {labels}"
            )
        self.labels_, self.num_nodes_ = labels, int(edges.shape[1])
        return (edges,)

    def _module(self, space: Any) -> nn.Module:
        self._check_architecture()
        if getattr(self, "labels_", None) is None:  # the space's graphs: one sampled architecture tells their shape
            self._inputs(space, [space.sample(np.random.default_rng(0))])
        labels, n = self.labels_, self.num_nodes_
        self.gcn_layers_ = max(5, n - 1) if self.gcn_layers is None else int(self.gcn_layers)
        return GatesNet(
            len(labels),
            op_dim=int(self.op_dim),
            node_dim=int(self.node_dim),
            hidden=int(self.hidden),
            gcn_dims=[int(self.gcn_width)] * self.gcn_layers_,
            residual_only=None if self.residual_only is None else int(self.residual_only),
            readout=self.readout,
            mlp_hidden=int(self.mlp_hidden),
            mlp_layers=int(self.mlp_layers),
            dropout=float(self.dropout),
        )

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        for name in ("labels_", "num_nodes_", "gcn_layers_"):  # a refit learns the graph shape again
            self.__dict__.pop(name, None)
        self._check_architecture()
        super()._fit(archs, y)
