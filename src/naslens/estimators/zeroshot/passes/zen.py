"""``zen``: Zen-NAS' perturbation response of the pre-pooling feature map and its BatchNorm scale term."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from naslens.estimators.zeroshot._core import Batch, ProxyError
from naslens.estimators.zeroshot._state import model_device, preserved_state, scored_layers, train_float32
from naslens.estimators.zeroshot.passes._registry import register_pass
from naslens.estimators.zeroshot.passes._shapes import batch_shape


@dataclass
class ZenResult:
    """``delta = mean_n Σ |f(x) − f(x+αε)|`` and ``bn_log_scale = Σ_BN ½·log(mean_c σ²_c)``."""

    delta: float
    bn_log_scale: float
    n_bn: int


def pre_pool_features(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The feature map entering global pooling: ``model.features(x)`` when defined, else the input of the last
    ``nn.AdaptiveAvgPool2d`` module (captured by a hook)."""
    feats = getattr(model, "features", None)
    if callable(feats):
        return feats(x)  # type: ignore[no-any-return]
    pools = [m for m in model.modules() if isinstance(m, nn.AdaptiveAvgPool2d)]
    if not pools:
        raise ProxyError("zen needs model.features(x) or an nn.AdaptiveAvgPool2d module to find the pre-pooling map")
    seen: list[torch.Tensor] = []
    h = pools[-1].register_forward_pre_hook(lambda _m, inp: seen.append(inp[0]))
    try:
        model(x)
    finally:
        h.remove()
    if not seen:
        raise ProxyError("the global pooling hook did not fire")
    return seen[-1]


@register_pass("zen")
def zen_pass(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> ZenResult:
    """Zen-NAS: Conv/Linear weights re-drawn N(0,1) (biases 0) from ``seed``; x, ε ~ N(0,1) of the batch's shape;
    ``delta = mean_n Σ_{c,h,w} |f(x) − f(x + α ε)|`` with f the pre-pooling map (BN in train mode), and the BN term
    ``Σ_BN ½·log(mean_c σ²_c)`` where σ²_c is the *batch* variance each BN layer normalised by in the unperturbed
    forward (not the running average); BN layers whose input is identically zero (ops on dead paths, σ² = 0) carry
    no signal and are left out of the sum."""
    shape = batch_shape(batch)
    alpha = float(options.get("alpha", 0.01))
    gen = torch.Generator().manual_seed(int(seed))
    variances: list[torch.Tensor] = []

    def bn_hook(_m: nn.Module, inp: tuple[torch.Tensor, ...]) -> None:
        a = inp[0].detach()
        dims = [d for d in range(a.dim()) if d != 1]
        variances.append(a.double().var(dim=dims, unbiased=False).mean())

    with preserved_state(model), torch.no_grad():
        train_float32(model)
        for m in scored_layers(model):
            w = cast(torch.Tensor, m.weight)
            w.copy_(torch.randn(w.shape, generator=gen))
            bias = getattr(m, "bias", None)
            if isinstance(bias, torch.Tensor):
                bias.zero_()
        dev = model_device(model)
        x = torch.randn(shape, generator=gen).to(dev)
        eps = torch.randn(shape, generator=gen).to(dev)
        bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
        handles = [m.register_forward_pre_hook(bn_hook) for m in bns]
        try:
            f0 = pre_pool_features(model, x)
        finally:
            for h in handles:
                h.remove()
        f1 = pre_pool_features(model, x + alpha * eps)
        delta = float((f0 - f1).abs().reshape(f0.shape[0], -1).sum(1).mean().double())
    live = [float(v) for v in variances if float(v) > 0]  # zero variance: a BN on a dead (all-zero) path
    bn_term = sum(0.5 * math.log(v) for v in live)
    return ZenResult(delta, float(bn_term), len(live))
