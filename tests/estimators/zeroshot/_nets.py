"""Tiny networks whose proxy values can be worked out by hand."""

from __future__ import annotations

import torch
from torch import nn

from naslens.estimators.zeroshot import Batch


class TwoLayerLinear(nn.Module):
    """y = W2 W1 x (no bias, no nonlinearity); ``features`` is W1 x."""

    def __init__(self, d_in: int = 4, hidden: int = 3, out: int = 3, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.flat = nn.Flatten()
        self.l1 = nn.Linear(d_in, hidden, bias=False)
        self.l2 = nn.Linear(hidden, out, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.l2(self.l1(self.flat(x)))


def batch(n: int = 6, d: int = 4, classes: int = 3, seed: int = 1) -> Batch:
    g = torch.Generator().manual_seed(seed)
    return Batch(torch.randn((n, d), generator=g), torch.arange(n) % classes)


def small_nb201(seed: int = 0, ops: tuple[str, ...] | None = None) -> nn.Module:
    from naslens.spaces.nb201 import NB201Arch
    from naslens.spaces.nb201.network import build_nb201

    torch.manual_seed(seed)
    ops = ops or ("nor_conv_3x3", "nor_conv_1x1", "skip_connect", "avg_pool_3x3", "nor_conv_3x3", "none")
    return build_nb201(NB201Arch(ops), C=4, N=1, num_classes=5)


def image_batch(n: int = 10, size: int = 8, classes: int = 5, seed: int = 0) -> Batch:
    g = torch.Generator().manual_seed(seed)
    return Batch(torch.randn((n, 3, size, size), generator=g), torch.arange(n) % classes)
