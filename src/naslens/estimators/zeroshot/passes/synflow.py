"""``synflow``: synaptic flow in float64 on a BN-free copy with absolute weights and an all-ones input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from naslens.estimators.zeroshot._core import Batch
from naslens.estimators.zeroshot._state import model_device, preserved_state, scored_weights, without_bn
from naslens.estimators.zeroshot.passes._registry import register_pass
from naslens.estimators.zeroshot.passes._shapes import batch_shape


@dataclass
class SynflowResult:
    """Per-layer synaptic flow ``S_l = Σ |W_l| ⊙ ∂R/∂|W_l|`` (float64) and ``R``."""

    layer_scores: torch.Tensor
    R: float


@register_pass("synflow")
def synflow_pass(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> SynflowResult:
    """Synflow in float64 on a copy without BatchNorm: |θ| for every parameter and buffer, input ones[1, C, H, W],
    ``R = Σ outputs``, per-layer ``Σ |W| ⊙ ∂R/∂|W|``. The original model is never modified."""
    shape = batch_shape(batch)
    with preserved_state(model):
        net = without_bn(model).double()
        net.eval()  # BN is gone; eval only switches off dropout-like randomness
        with torch.no_grad():
            for t in list(net.parameters()) + [b for b in net.buffers() if b.is_floating_point()]:
                t.abs_()
        for p in net.parameters():
            p.requires_grad_(True)
        weights = scored_weights(net)
        x = torch.ones((1, *shape[1:]), dtype=torch.float64, device=model_device(model))
        R = net(x).sum()
        grads = torch.autograd.grad(R, weights, allow_unused=True)
        scores = torch.stack(
            [(w.detach() * g).sum() if g is not None else w.new_zeros(()) for w, g in zip(weights, grads, strict=True)]
        )
        del net
    return SynflowResult(scores.cpu(), float(R.detach()))
