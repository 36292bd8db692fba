"""Shared fixtures: tiny synthetic image splits and a tiny training configuration (fast on one CPU core)."""

from __future__ import annotations

import pytest
import torch

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.train_config import SupernetTrainConfig


def make_splits(n_train: int = 96, n_val: int = 64, size: int = 8, channels: int = 1, seed: int = 0) -> ImageSplits:
    """Random images whose label is the quadrant holding the brightest blob (learnable, 4 classes)."""
    g = torch.Generator().manual_seed(seed)

    def images(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, 4, (n,), generator=g)
        x = torch.randn(n, channels, size, size, generator=g) * 0.3
        h = size // 2
        for i, c in enumerate(y.tolist()):
            r, s = divmod(c, 2)
            x[i, :, r * h : (r + 1) * h, s * h : (s + 1) * h] += 1.0
        return x, y

    tx, ty = images(n_train)
    vx, vy = images(n_val)
    return ImageSplits(tx, ty, vx, vy, vx[:0], vy[:0], meta={"num_classes": 4})


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture
def splits() -> ImageSplits:
    return make_splits()


@pytest.fixture
def tiny_config() -> SupernetTrainConfig:
    return SupernetTrainConfig(
        net={"C": 4, "N": 1},
        input_size=8,
        channels=1,
        n_train=96,
        n_val=64,
        num_classes=4,
        epochs=3,
        batch_size=32,
        lr=0.05,
        patience=1,
        checkpoint_every=2,
    )
