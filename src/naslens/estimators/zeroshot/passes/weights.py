"""``weights``: the scored (Conv/Linear) weights of the model, detached; no data, no forward."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from naslens.estimators.zeroshot._core import Batch
from naslens.estimators.zeroshot._state import scored_weights
from naslens.estimators.zeroshot.passes._registry import register_pass


@dataclass
class WeightsResult:
    """Result of the ``weights`` pass: the scored weights, detached."""

    weights: list[torch.Tensor]


@register_pass("weights")
def weights_pass(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> WeightsResult:
    """The scored weights of the model, detached (no data)."""
    return WeightsResult([w.detach().clone() for w in scored_weights(model)])
