"""The NAS-Bench-Macro network, as the benchmark's ``train/model.py`` defines it.

Stem Conv3×3 (no bias) + BN + ReLU to ``init_channels`` (32); 8 layers in stages of 2, 3, 3 whose first layer has
stride 2 and doubles the width; head Conv1×1 to ``head_channels`` (1280) + BN + ReLU, global average pooling,
Linear. Blocks:

- identity: returns its input; the first layer of a stage (stride 2, width doubled) projects with Conv1×1 (stride 2,
  no bias) + BN instead;
- inverted residual (expansion t, kernel k): Conv1×1 to t·c + BN + ReLU, depthwise Conv k×k (stride s,
  padding k//2) + BN + ReLU, Conv1×1 + BN; plus the input when stride is 1 and the widths agree.
"""

from __future__ import annotations

import torch
from torch import nn

from naslens.spaces.nb_macro.arch import CHOICES, FIRST_OF_STAGE, MacroArch

EXPANSION_KERNEL: dict[str, tuple[int, int]] = {"ir_3x3_t3": (3, 3), "ir_5x5_t6": (6, 5)}
"""Choice label → (expansion t, kernel k) of the inverted-residual choices."""


class MacroIdentity(nn.Module):
    """Identity; a projection (Conv1×1 + BN) when the stride or the width changes."""

    def __init__(self, c_in: int, c_out: int, stride: int, *, bn_affine: bool = True) -> None:
        super().__init__()
        self.downsample: nn.Module | None = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out, affine=bn_affine)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.downsample is None else self.downsample(x)  # type: ignore[no-any-return]


class InvertedResidual(nn.Module):
    """MobileNetV2 inverted residual: expand (1×1), depthwise k×k, project (1×1); residual when shapes agree."""

    def __init__(self, c_in: int, c_out: int, stride: int, t: int, k: int, *, bn_affine: bool = True) -> None:
        super().__init__()
        hidden = c_in * t
        self.conv = nn.Sequential(
            nn.Conv2d(c_in, hidden, 1, bias=False),
            nn.BatchNorm2d(hidden, affine=bn_affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(hidden, hidden, k, stride=stride, padding=k // 2, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden, affine=bn_affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(hidden, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=bn_affine),
        )
        self.use_shortcut = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        return out + x if self.use_shortcut else out  # type: ignore[no-any-return]


def make_block(choice: str, c_in: int, c_out: int, stride: int, *, bn_affine: bool = True) -> nn.Module:
    """One layer's block by its choice label."""
    if choice == "id":
        return MacroIdentity(c_in, c_out, stride, bn_affine=bn_affine)
    if choice in EXPANSION_KERNEL:
        t, k = EXPANSION_KERNEL[choice]
        return InvertedResidual(c_in, c_out, stride, t, k, bn_affine=bn_affine)
    raise ValueError(f"unknown NAS-Bench-Macro choice {choice!r}; known: {', '.join(CHOICES)}")


def layer_shapes(init_channels: int) -> list[tuple[int, int, int]]:
    """(input width, output width, stride) of each of the 8 layers."""
    shapes = []
    c = init_channels
    for first in FIRST_OF_STAGE:
        if first:
            shapes.append((c, 2 * c, 2))
            c *= 2
        else:
            shapes.append((c, c, 1))
    return shapes


def _stem(in_channels: int, c: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=False))


def _head(c: int, head_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c, head_channels, 1, bias=False), nn.BatchNorm2d(head_channels), nn.ReLU(inplace=False)
    )


class MacroNetwork(nn.Module):
    """Stem → 8 chosen blocks → head → global average pooling → Linear (the benchmark network).

    Example:
        >>> net = MacroNetwork(MacroArch.from_key("02012100"))
        >>> sum(p.numel() for p in net.parameters())
        890666
    """

    def __init__(
        self,
        arch: MacroArch,
        num_classes: int = 10,
        in_channels: int = 3,
        init_channels: int = 32,
        head_channels: int = 1280,
    ) -> None:
        super().__init__()
        self.arch = arch
        self.stem = _stem(in_channels, init_channels)
        self.layers = nn.Sequential(
            *(make_block(op, ci, co, s) for op, (ci, co, s) in zip(arch.ops, layer_shapes(init_channels), strict=True))
        )
        c_last = layer_shapes(init_channels)[-1][1]
        self.head = _head(c_last, head_channels)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(head_channels, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The feature map entering global average pooling (used by Zen-NAS)."""
        return self.head(self.layers(self.stem(x)))  # type: ignore[no-any-return]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.global_pooling(self.features(x)).flatten(1))  # type: ignore[no-any-return]
