"""The NB201 weight-sharing supernet: every architecture of the space is a path through one set of weights.

Each cell edge holds one module per candidate op. ``forward(x, arch)`` runs only the architecture's *live* edges:
an edge is live when its op is not ``none``, its source node is reachable from the cell input through live edges
and its target reaches the cell output. Skipped edges contribute zero, exactly what the benchmark network computes
for them when cell BatchNorm has no affine parameters (``ReLU(0) = 0``, ``conv(0) = 0``, ``BN(0) = 0``), so a
path computes what :func:`naslens.spaces.nb201.network.build_nb201` with ``bn_affine=False`` computes with the same
weights (see :meth:`NB201Supernet.to_standalone`). Architectures that differ only in ``none`` or dead edges run
the same modules and receive the same gradients. Other isomorphic architectures do not: an op moved along a
``skip_connect`` (``conv`` on 0→1 then ``skip`` 1→3, vs. ``conv`` on 0→3) computes the same function class with
another edge's module, so the two get different weights and scores (as in aw_nas). This is why de-isomorphic
sampling and post-de-isomorphism score averaging change one-shot results.

The macro skeleton is the benchmark's: stem Conv3×3 + BN, three stages of ``N`` cells with ResNet reduction blocks
in between, BN + ReLU, global average pooling, dropout (a supernet-training addition, 0.1 by default), Linear.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import torch
from torch import nn

from naslens.nn.supernet_args import check_supernet_args
from naslens.nn.weights import load_path_weights
from naslens.spaces.nb201.arch import EDGES, NUM_NODES, OPS, NB201Arch
from naslens.spaces.nb201.network import NB201Network, build_nb201
from naslens.spaces.nb201.ops import ResNetBasicBlock, make_op

LiveEdge = tuple[int, int, int, str]
"""(edge position in string order, source node, target node, op name) of one edge a path runs."""


@lru_cache(maxsize=32768)
def live_edges(arch: NB201Arch) -> tuple[LiveEdge, ...]:
    """The edges of ``arch`` on an input→output path through non-``none`` ops, in execution order.

    Example:
        >>> a = NB201Arch(("nor_conv_3x3", "none", "none", "none", "skip_connect", "nor_conv_1x1"))
        >>> [(s, d, op) for _, s, d, op in live_edges(a)]
        [(0, 1, 'nor_conv_3x3'), (1, 3, 'skip_connect')]
    """
    present = [(k, s, d, op) for k, ((s, d), op) in enumerate(zip(EDGES, arch.ops, strict=True)) if op != "none"]
    reach_in = {0}
    for _, s, d, _ in sorted(present, key=lambda e: (e[2], e[1])):
        if s in reach_in:
            reach_in.add(d)
    reach_out = {NUM_NODES - 1}
    for _, s, d, _ in sorted(present, key=lambda e: (-e[1], -e[2])):
        if d in reach_out:
            reach_out.add(s)
    live = [e for e in present if e[1] in reach_in and e[2] in reach_out]
    return tuple(sorted(live, key=lambda e: (e[2], e[1])))


class SupernetCell(nn.Module):
    """One cell holding every candidate op on every edge; ``forward(x, arch)`` runs the architecture's live edges."""

    def __init__(self, channels: int, ops: Sequence[str], *, bn_affine: bool) -> None:
        super().__init__()
        self.ops = tuple(ops)
        self.edges = nn.ModuleDict(
            {
                f"{s}->{d}": nn.ModuleDict({op: make_op(op, channels, bn_affine=bn_affine) for op in self.ops})
                for s, d in EDGES
            }
        )

    def forward(self, x: torch.Tensor, arch: NB201Arch) -> torch.Tensor:
        nodes: list[torch.Tensor | None] = [x] + [None] * (NUM_NODES - 1)
        for _, s, d, op in live_edges(arch):
            src = nodes[s]
            assert src is not None  # live edges start at reachable nodes, which precede them in execution order
            out = self.edges[f"{s}->{d}"][op](src)  # type: ignore[index]
            prev = nodes[d]
            nodes[d] = out if prev is None else prev + out
        result = nodes[-1]
        return torch.zeros_like(x) if result is None else result


class NB201Supernet(nn.Module):
    """Weight-sharing NB201 supernet.

    Args:
        C: channels of the first stage.
        N: cells per stage.
        num_classes: classifier outputs.
        in_channels: image channels of the stem.
        bn_affine: whether cell-op BatchNorms have learnable γ/β (default no, as one-shot NAS trains supernets).
        dropout: dropout probability before the classifier.
        ops: candidate ops on every edge (a subset of the NB201 ops, for pruned spaces); ``none`` needs no module
            but is listed when the space allows it.

    Example:
        >>> net = NB201Supernet(C=8, N=1)
        >>> arch = NB201Arch.from_index(9930)
        >>> net(torch.randn(2, 3, 16, 16), arch).shape
        torch.Size([2, 10])
    """

    def __init__(
        self,
        C: int = 16,
        N: int = 5,
        num_classes: int = 10,
        in_channels: int = 3,
        *,
        bn_affine: bool = False,
        dropout: float = 0.1,
        ops: Sequence[str] = OPS,
    ) -> None:
        super().__init__()
        self.ops = check_supernet_args(dropout, ops, OPS, C=C, N=N, num_classes=num_classes, in_channels=in_channels)
        self.config: dict[str, Any] = {
            "C": C,
            "N": N,
            "num_classes": num_classes,
            "in_channels": in_channels,
            "bn_affine": bn_affine,
            "dropout": dropout,
        }
        self.stem = nn.Sequential(nn.Conv2d(in_channels, C, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(C))
        layers: list[nn.Module] = []
        c = C
        for stage in range(3):
            if stage > 0:
                layers.append(ResNetBasicBlock(c, 2 * c))
                c *= 2
            layers.extend(SupernetCell(c, self.ops, bn_affine=bn_affine) for _ in range(N))
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(c, num_classes)

    def check_arch(self, arch: NB201Arch) -> None:
        """Raise ``ValueError`` if ``arch`` uses an op this supernet does not hold."""
        bad = sorted({o for o in arch.ops if o not in self.ops})
        if bad:
            raise ValueError(f"architecture {arch} uses op(s) {bad} that this supernet (ops {self.ops}) does not hold")

    def forward(self, x: torch.Tensor, arch: NB201Arch) -> torch.Tensor:
        self.check_arch(arch)
        out = self.stem(x)
        for layer in self.cells:
            out = layer(out, arch) if isinstance(layer, SupernetCell) else layer(out)
        out = self.global_pooling(self.lastact(out)).flatten(1)
        return self.classifier(self.dropout(out))  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ paths and weights
    def path_parameters(self, arch: NB201Arch) -> Iterator[tuple[str, nn.Parameter]]:
        """(name, parameter) of every parameter the path of ``arch`` uses (shared skeleton + live cell ops)."""
        live = {(f"{s}->{d}", op) for _, s, d, op in live_edges(arch)}
        for name, p in self.named_parameters():
            parts = name.split(".")
            if parts[0] == "cells" and len(parts) > 4 and parts[2] == "edges" and (parts[3], parts[4]) not in live:
                continue
            yield name, p

    def to_standalone(self, arch: NB201Arch) -> NB201Network:
        """The benchmark network of ``arch`` (cell BN configured like this supernet, no dropout) holding this
        supernet's weights and BatchNorm statistics for that path. Ops the path skips (``none`` and dead edges) keep
        the standalone's fresh tensors: their input is zero, so with fresh BN statistics they output zero in train
        and eval mode alike, as the supernet's skipping implies.

        Raises:
            ValueError: the architecture uses an op the supernet does not hold.
        """
        self.check_arch(arch)
        cfg = self.config
        net = build_nb201(
            arch,
            C=cfg["C"],
            N=cfg["N"],
            num_classes=cfg["num_classes"],
            in_channels=cfg["in_channels"],
            bn_affine=cfg["bn_affine"],
        )
        live = {(f"{s}->{d}", op) for _, s, d, op in live_edges(arch)}

        def rename(name: str) -> str | None:
            parts = name.split(".")
            if parts[0] == "cells" and len(parts) > 4 and parts[2] == "edges":
                return ".".join([*parts[:4], *parts[5:]]) if (parts[3], parts[4]) in live else None
            return name

        load_path_weights(net, self.state_dict(), rename)
        return net.to(next(self.parameters()).device)
