"""The NB201 mixed-op (DARTS-style) supernet the operation-scoring searches prune and discretise.

Every cell computes the benchmark's cell, ``node_d = Σ_{s<d} edge_{s->d}(node_s)``, with each edge a *mixed* op:
``edge_p(x) = Σ_{o alive at p} w[p][o] · op_{p,o}(x)``, where ``w`` are :meth:`~NB201MixedSupernet.arch_weights`
(``softmax(alpha[p])``, one set of architecture weights shared by every cell, as in DARTS and Zero-Cost-PT; 0 for a
removed op, one-hot at a discretised edge). The macro skeleton and the module names are those of
:class:`~naslens.spaces.nb201.supernet.NB201Supernet` (``cells.{i}.edges.{s->d}.{op}``), so a trained path
supernet's ``state_dict()`` loads into it (:meth:`~NB201MixedSupernet.load_path_weights`); cell BN has no affine
parameters unless ``bn_affine=True``.

What runs: only what contributes to the logits, as for the path supernet.

- A removed op is not executed at all (no forward hooks fire for it, it costs nothing). The reference Zero-Cost-PT
  code instead sets its weight to 0 and still runs it on the edge's input, so its ReLUs add a constant block of codes
  to the NASWOT kernel; here a removed op contributes nothing to any score.
- ``none`` is never executed: it contributes zeros by definition (its module exists, without parameters, so the
  names match the path supernet's).
- An edge runs only when its source node carries a signal (some alive non-``none`` op reaches it from the cell input)
  and its target node reaches the cell output; other edges contribute zero (their input is zero, or their output is
  never used), exactly as :func:`~naslens.spaces.nb201.supernet.live_edges` skips them in a path. So once every edge
  is discretised, the mixed supernet computes what the path supernet computes for that architecture, also in eval
  mode with trained BatchNorm statistics (where ``conv(0)`` would not be 0).

Dropout before the classifier defaults to 0 here (the mixed supernet is scored, not trained, in naslens; dropout would
only make train-mode forwards random); give ``dropout=`` to match a path supernet's training setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from naslens.nn.supernet_args import check_supernet_args
from naslens.spaces.mixed_state import MixedStateMixin
from naslens.spaces.nb201.arch import EDGES, NUM_NODES, OPS, NB201Arch
from naslens.spaces.nb201.ops import ResNetBasicBlock, make_op

PlanEdge = tuple[int, int, int, tuple[tuple[int, str], ...], bool]
"""(position, source node, target node, the (choice, op) pairs it runs, whether the position is discretised)."""


def mixed_plan(
    choices: Sequence[Sequence[str]], alive: Sequence[Sequence[bool]], decided: Sequence[Any]
) -> tuple[PlanEdge, ...]:
    """The edges a mixed cell runs in a state, in execution order: those with an alive non-``none`` op whose source
    is reachable from the cell input and whose target reaches the output (through such edges).

    Example:
        >>> ops = [OPS] * 6
        >>> alive = [[o == "none" for o in OPS]] + [[True] * 5] * 5  # edge 0->1 can only be none
        >>> [(s, d) for _, s, d, _, _ in mixed_plan(ops, alive, [None] * 6)]
        [(0, 2), (0, 3), (2, 3)]
    """
    present = [
        tuple((o, op) for o, op in enumerate(choices[p]) if alive[p][o] and op != "none") for p in range(len(EDGES))
    ]
    reach_in = {0}
    for p, (s, d) in sorted(enumerate(EDGES), key=lambda e: (e[1][1], e[1][0])):
        if present[p] and s in reach_in:
            reach_in.add(d)
    reach_out = {NUM_NODES - 1}
    for p, (s, d) in sorted(enumerate(EDGES), key=lambda e: (-e[1][0], -e[1][1])):
        if present[p] and d in reach_out:
            reach_out.add(s)
    plan = [
        (p, s, d, present[p], decided[p] is not None)
        for p, (s, d) in enumerate(EDGES)
        if present[p] and s in reach_in and d in reach_out
    ]
    return tuple(sorted(plan, key=lambda e: (e[2], e[1])))


class MixedCell(nn.Module):
    """One cell holding every candidate op on every edge (the path supernet cell's modules); ``forward`` runs a plan."""

    def __init__(self, channels: int, ops: Sequence[str], *, bn_affine: bool) -> None:
        super().__init__()
        self.edges = nn.ModuleDict(
            {
                f"{s}->{d}": nn.ModuleDict({op: make_op(op, channels, bn_affine=bn_affine) for op in ops})
                for s, d in EDGES
            }
        )

    def forward(self, x: torch.Tensor, plan: tuple[PlanEdge, ...], weights: list[list[float]]) -> torch.Tensor:
        nodes: list[torch.Tensor | None] = [x] + [None] * (NUM_NODES - 1)
        for p, s, d, run, decided in plan:
            src = nodes[s]
            assert src is not None  # planned edges start at reachable nodes, which precede them in execution order
            edge = self.edges[f"{s}->{d}"]
            for o, op in run:
                out = edge[op](src) if decided else weights[p][o] * edge[op](src)  # type: ignore[index]
                prev = nodes[d]
                nodes[d] = out if prev is None else prev + out
        result = nodes[-1]
        return torch.zeros_like(x) if result is None else result


class NB201MixedSupernet(MixedStateMixin, nn.Module):
    """DARTS-style mixed-op NB201 supernet (a :class:`~naslens.spaces.MixedSupernet`; see the module docstring).

    Args:
        C, N, num_classes, in_channels, bn_affine: as for :class:`~naslens.spaces.nb201.supernet.NB201Supernet`.
        dropout: dropout probability before the classifier (0 by default: see the module docstring).
        ops: candidate ops on every edge (a subset of the NB201 ops; held in the benchmark's op order).

    Example:
        >>> _ = torch.manual_seed(0)
        >>> net = NB201MixedSupernet(C=4, N=1)
        >>> net(torch.randn(2, 3, 8, 8)).shape
        torch.Size([2, 10])
        >>> net.remove(0, 3); net.discretise(5, 1); net.state().key()
        '11101|11111|11111|11111|11111|01000;-,-,-,-,-,1'
        >>> [round(w, 3) for w in net.arch_weights()[0]]
        [0.2, 0.2, 0.2, 0.0, 0.2]
    """

    def __init__(
        self,
        C: int = 16,
        N: int = 5,
        num_classes: int = 10,
        in_channels: int = 3,
        *,
        bn_affine: bool = False,
        dropout: float = 0.0,
        ops: Sequence[str] = OPS,
    ) -> None:
        super().__init__()
        self.ops = check_supernet_args(dropout, ops, OPS, C=C, N=N, num_classes=num_classes, in_channels=in_channels)
        self.config: dict[str, Any] = {
            "mode": "mixed",
            "C": C,
            "N": N,
            "num_classes": num_classes,
            "in_channels": in_channels,
            "bn_affine": bn_affine,
            "dropout": dropout,
            "ops": list(self.ops),
        }
        self.positions = tuple(f"{s}->{d}" for s, d in EDGES)
        self.choices = (self.ops,) * len(EDGES)
        self.stem = nn.Sequential(nn.Conv2d(in_channels, C, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(C))
        layers: list[nn.Module] = []
        c = C
        for stage in range(3):
            if stage > 0:
                layers.append(ResNetBasicBlock(c, 2 * c))
                c *= 2
            layers.extend(MixedCell(c, self.ops, bn_affine=bn_affine) for _ in range(N))
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(c, num_classes)
        self.register_buffer("alpha", 1e-3 * torch.randn(len(EDGES), len(self.ops)))
        self._plan: tuple[PlanEdge, ...] = ()
        self._reset_mixed_state()

    def _state_changed(self) -> None:
        s = self._mixed_state
        self._plan = mixed_plan(self.choices, s.alive, s.decided)

    def _arch_of(self, names: tuple[str, ...]) -> NB201Arch:
        return NB201Arch(names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.arch_weights()
        out = self.stem(x)
        for layer in self.cells:
            out = layer(out, self._plan, weights) if isinstance(layer, MixedCell) else layer(out)
        out = self.global_pooling(self.lastact(out)).flatten(1)
        return self.classifier(self.dropout(out))  # type: ignore[no-any-return]

    def op_modules(self, position: int, choice: int) -> list[nn.Module]:
        """The module of op ``choice`` on edge ``position`` in every cell (``Zero`` modules for ``none``)."""
        p, o = self._mixed_state.check_index(position, choice)
        return [
            cell.edges[self.positions[p]][self.ops[o]]  # type: ignore[index]
            for cell in self.cells
            if isinstance(cell, MixedCell)
        ]
