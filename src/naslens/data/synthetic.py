"""Synthetic inputs for running proxies with no dataset: seeded Gaussian or uniform noise with random labels."""

from __future__ import annotations

import math

import torch

KINDS = ("noise", "uniform")


def synthetic_images(
    n: int, shape: tuple[int, int, int], num_classes: int, *, seed: int = 0, kind: str = "noise"
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` images of ``shape`` (C, H, W) and labels uniform in ``0..num_classes−1``, from ``torch.Generator(seed)``.

    ``noise``: x ~ N(0, 1); ``uniform``: x ~ U(−√3, √3) (zero mean, unit variance, like normalised images).

    Example:
        >>> x, y = synthetic_images(4, (3, 8, 8), 10, seed=1)
        >>> tuple(x.shape), int(y.max()) < 10
        ((4, 3, 8, 8), True)
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if n < 1 or num_classes < 1 or len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"invalid request: n={n}, shape={shape}, num_classes={num_classes}")
    gen = torch.Generator().manual_seed(int(seed))
    if kind == "noise":
        x = torch.randn((n, *shape), generator=gen)
    else:
        x = (torch.rand((n, *shape), generator=gen) * 2 - 1) * math.sqrt(3.0)
    y = torch.randint(0, num_classes, (n,), generator=gen)
    return x, y
