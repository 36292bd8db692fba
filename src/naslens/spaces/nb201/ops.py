"""NB201 cell operations and the ResNet reduction block, as the benchmark's TinyNetwork defines them."""

from __future__ import annotations

import torch
from torch import nn


class ReLUConvBN(nn.Module):
    """ReLU → Conv2d (no bias) → BatchNorm2d."""

    def __init__(
        self,
        c_in: int,
        c_out: int,
        kernel_size: int,
        stride: int = 1,
        *,
        bn_affine: bool = True,
        bn_track_running_stats: bool = True,
    ) -> None:
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out, affine=bn_affine, track_running_stats=bn_track_running_stats),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.op(x)  # type: ignore[no-any-return]


class Zero(nn.Module):
    """The ``none`` op: zeros of the input's shape (run, so gradients flow as in the benchmark)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


class AvgPool3x3(nn.Module):
    """3×3 average pooling, stride 1, padding 1, padding not counted in the average."""

    def __init__(self) -> None:
        super().__init__()
        self.pool = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(x)  # type: ignore[no-any-return]


def make_op(name: str, channels: int, *, bn_affine: bool = True, bn_track_running_stats: bool = True) -> nn.Module:
    """Build one cell operation by its benchmark name."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, bn_affine=bn_affine, bn_track_running_stats=bn_track_running_stats)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, bn_affine=bn_affine, bn_track_running_stats=bn_track_running_stats)
    if name == "avg_pool_3x3":
        return AvgPool3x3()
    raise ValueError(f"unknown NB201 op {name!r}")


class ResNetBasicBlock(nn.Module):
    """Reduction block c → 2c: ReLU-Conv3×3(s2)-BN → ReLU-Conv3×3-BN, plus AvgPool(2,2) → Conv1×1 shortcut."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=2)
        self.conv_b = ReLUConvBN(c_out, c_out, 3)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(c_in, c_out, kernel_size=1, stride=1, padding=0, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_b(self.conv_a(x)) + self.downsample(x)  # type: ignore[no-any-return]
