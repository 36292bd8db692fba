"""Leaf types of the zero-shot layer (imported by passes and proxies alike; they import nothing of naslens)."""

from __future__ import annotations

from dataclasses import dataclass

import torch


class ProxyError(RuntimeError):
    """A proxy cannot produce a meaningful value (singular kernel, no hook fired, missing labels, ...)."""


@dataclass
class Batch:
    """Inputs ``x`` (n, C, H, W) and optional integer labels ``y`` (n,)."""

    x: torch.Tensor
    y: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.x, torch.Tensor) or self.x.dim() < 2:
            raise ValueError("Batch.x must be a tensor with a batch dimension")
        if self.y is not None and (self.y.dim() != 1 or self.y.shape[0] != self.x.shape[0]):
            raise ValueError(f"Batch.y must have shape ({self.x.shape[0]},), got {tuple(self.y.shape)}")
