"""``mlp``: a multi-layer perceptron on the space's one-hot encoding (the encoding-based baseline of the predictor
studies)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from naslens.estimators.predictors.base import PredictorInfo, register_predictor
from naslens.estimators.predictors.training import NeuralPredictor


def encode_matrix(space: Any, archs: Sequence[Any], kind: str) -> np.ndarray:
    """``space.encode(a, kind)`` of every architecture as one float32 matrix (one row each)."""
    return np.stack([np.asarray(space.encode(a, kind), dtype=np.float32).reshape(-1) for a in archs])


@register_predictor(PredictorInfo("mlp", "neural", "onehot", "MLP on the one-hot encoding"))
class MLPPredictor(NeuralPredictor):
    """MLP on ``space.encode(arch, "onehot")``: ``layers`` hidden layers of ``hidden`` units, ReLU, dropout.

    Example:
        >>> from naslens.spaces import get_space
        >>> space = get_space("nb201")
        >>> archs = [space.sample(np.random.default_rng(i)) for i in range(20)]
        >>> y = [float((space.encode(a, "codes") == 3).sum()) for a in archs]  # number of conv3x3 edges
        >>> p = MLPPredictor(epochs=30, random_state=0).fit(archs, y)
        >>> p.predict(archs[:3]).shape
        (3,)
    """

    def __init__(
        self,
        space: Any = "nb201",
        hidden: int = 200,
        layers: int = 3,
        dropout: float = 0.0,
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
        self.hidden = hidden
        self.layers = layers
        self.dropout = dropout
        self._store_training(loss, margin, epochs, batch_size, lr, weight_decay, max_pairs_factor, random_state)

    def _inputs(self, space: Any, archs: Sequence[Any]) -> tuple[torch.Tensor, ...]:
        return (torch.from_numpy(encode_matrix(space, archs, "onehot")),)

    def _module(self, space: Any) -> nn.Module:
        width = int(np.asarray(space.encode(space.sample(np.random.default_rng(0)), "onehot")).size)
        blocks: list[nn.Module] = []
        for _ in range(int(self.layers)):
            blocks += [nn.Linear(width, int(self.hidden)), nn.ReLU(), nn.Dropout(float(self.dropout))]
            width = int(self.hidden)
        blocks.append(nn.Linear(width, 1))
        return nn.Sequential(*blocks)
