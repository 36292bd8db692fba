"""The NAS-Bench-201 network (the benchmark's TinyNetwork) for one architecture."""

from __future__ import annotations

import torch
from torch import nn

from naslens.spaces.nb201.arch import EDGES, NUM_NODES, NB201Arch
from naslens.spaces.nb201.ops import ResNetBasicBlock, make_op


class NB201Cell(nn.Module):
    """node_i = Σ_{j<i} op_ji(node_j); the output is node 3. Every op is built and run, ``none`` and dead paths
    included, exactly as the benchmark does (so gradients and parameter counts agree with it)."""

    def __init__(self, arch: NB201Arch, channels: int, *, bn_affine: bool = True) -> None:
        super().__init__()
        self.arch = arch
        self.edges = nn.ModuleDict(
            {
                f"{s}->{d}": make_op(op, channels, bn_affine=bn_affine)
                for (s, d), op in zip(EDGES, arch.ops, strict=True)
            }
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for dst in range(1, NUM_NODES):
            nodes.append(sum(self.edges[f"{src}->{dst}"](nodes[src]) for src in range(dst)))  # type: ignore[arg-type]
        return nodes[-1]


class NB201Network(nn.Module):
    """Stem → N cells (C) → reduction → N cells (2C) → reduction → N cells (4C) → BN-ReLU → GAP → Linear."""

    def __init__(
        self,
        arch: NB201Arch,
        C: int = 16,
        N: int = 5,
        num_classes: int = 10,
        in_channels: int = 3,
        *,
        bn_affine: bool = True,
    ) -> None:
        super().__init__()
        for name, v in (("C", C), ("N", N), ("num_classes", num_classes), ("in_channels", in_channels)):
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        self.arch = arch
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, C, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(C),
        )
        layers: list[nn.Module] = []
        c = C
        for stage in range(3):
            if stage > 0:
                layers.append(ResNetBasicBlock(c, 2 * c))
                c *= 2
            layers.extend(NB201Cell(arch, c, bn_affine=bn_affine) for _ in range(N))
        self.cells = nn.Sequential(*layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The feature map entering global average pooling (used by Zen-NAS)."""
        return self.lastact(self.cells(self.stem(x)))  # type: ignore[no-any-return]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.global_pooling(self.features(x)).flatten(1)
        return self.classifier(out)  # type: ignore[no-any-return]


def build_nb201(
    arch: NB201Arch, C: int = 16, N: int = 5, num_classes: int = 10, in_channels: int = 3, *, bn_affine: bool = True
) -> NB201Network:
    """The benchmark network of ``arch`` with PyTorch's default initialisation (seed torch before calling).

    Example:
        >>> from naslens.spaces.nb201.arch import NB201Arch
        >>> net = build_nb201(NB201Arch.from_index(284), num_classes=100)
        >>> sum(p.numel() for p in net.parameters())
        107156
    """
    return NB201Network(arch, C=C, N=N, num_classes=num_classes, in_channels=in_channels, bn_affine=bn_affine)
