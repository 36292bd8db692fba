"""Passes that no cross-entropy backward can share: synflow, ReLU codes, Zen-NAS and the empirical NTK."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from naslens.estimators.zeroshot._proxy import Batch, ProxyError
from naslens.estimators.zeroshot._state import (
    model_device,
    preserved_state,
    scored_layers,
    scored_weights,
    train_float32,
    without_bn,
)


@dataclass
class SynflowResult:
    """Per-layer synaptic flow ``S_l = Σ |W_l| ⊙ ∂R/∂|W_l|`` (float64) and ``R``."""

    layer_scores: torch.Tensor
    R: float


@dataclass
class ReluCodesResult:
    """``K = Σ_relus c cᵀ + (1−c)(1−c)ᵀ`` (float64, n×n), the number of ReLU units and of hooks fired."""

    K: torch.Tensor
    n_units: int
    hooks_fired: int


@dataclass
class ZenResult:
    """``delta = mean_n Σ |f(x) − f(x+αε)|`` and ``bn_log_scale = Σ_BN ½·log(mean_c σ²_c)``."""

    delta: float
    bn_log_scale: float
    n_bn: int


@dataclass
class NTKResult:
    """Empirical NTK over (sample, output) pairs, float64, and the number of samples/outputs."""

    ntk: torch.Tensor
    n_samples: int
    n_outputs: int


def _batch_shape(batch: Batch | None) -> tuple[int, ...]:
    if batch is None:
        raise ProxyError("this pass needs a batch (at least its shape)")
    return tuple(batch.x.shape)


def synflow_pass(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> SynflowResult:
    """Synflow in float64 on a copy without BatchNorm: |θ| for every parameter and buffer, input ones[1, C, H, W],
    ``R = Σ outputs``, per-layer ``Σ |W| ⊙ ∂R/∂|W|``. The original model is never modified."""
    shape = _batch_shape(batch)
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


def random_crops(x: torch.Tensor, size: int, n: int, seed: int) -> torch.Tensor:
    """``n`` patches of ``size × size`` pixels from images ``x`` (N, C, H, W), seeded."""
    if x.dim() != 4 or size > min(x.shape[-2:]):
        raise ProxyError(f"cannot cut {size}x{size} crops from inputs of shape {tuple(x.shape)}")
    g = torch.Generator().manual_seed(int(seed))
    img = torch.randint(0, x.shape[0], (n,), generator=g).tolist()
    top = torch.randint(0, x.shape[-2] - size + 1, (n,), generator=g).tolist()
    left = torch.randint(0, x.shape[-1] - size + 1, (n,), generator=g).tolist()
    return torch.stack([x[i, :, t : t + size, lf : lf + size] for i, t, lf in zip(img, top, left, strict=True)])


def relu_codes_pass(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> ReluCodesResult:
    """Binary codes ``c = 1[input of ReLU > 0]`` of every ``nn.ReLU`` call, BN in train mode, accumulated into the
    kernel ``K`` in float64. Options ``crop`` and ``samples``: instead of the batch, feed ``samples`` random
    ``crop × crop`` patches of its images (image and position drawn from ``torch.Generator(seed)``)."""
    if batch is None:
        raise ProxyError("relu_codes needs a batch")
    if options.get("crop"):
        batch = Batch(random_crops(batch.x, int(options["crop"]), int(options.get("samples") or 1000), seed))
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    if not relus:
        raise ProxyError("the model has no nn.ReLU module; ReLU-code proxies need one (functional ReLUs are not seen)")
    n = batch.x.shape[0]
    K = torch.zeros((n, n), dtype=torch.float64)
    state = {"units": 0, "fired": 0}

    def hook(_m: nn.Module, inp: tuple[torch.Tensor, ...]) -> None:
        c = (inp[0].detach().reshape(inp[0].shape[0], -1) > 0).to(torch.float32)
        K.add_((c @ c.T + (1 - c) @ (1 - c).T).to(torch.float64).cpu())
        state["units"] += int(c.shape[1])
        state["fired"] += 1

    with preserved_state(model):
        train_float32(model)
        handles = [m.register_forward_pre_hook(hook) for m in relus]
        try:
            x = batch.x.to(device=model_device(model), dtype=torch.float32)
            with torch.no_grad():
                model(x)
        finally:
            for h in handles:
                h.remove()
    if state["fired"] == 0:
        raise ProxyError("no ReLU hook fired during the forward pass: no ReLU is on the model's forward path")
    return ReluCodesResult(K, state["units"], state["fired"])


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


def zen_pass(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> ZenResult:
    """Zen-NAS: Conv/Linear weights re-drawn N(0,1) (biases 0) from ``seed``; x, ε ~ N(0,1) of the batch's shape;
    ``delta = mean_n Σ_{c,h,w} |f(x) − f(x + α ε)|`` with f the pre-pooling map (BN in train mode), and the BN term
    ``Σ_BN ½·log(mean_c σ²_c)`` where σ²_c is the *batch* variance each BN layer normalised by in the unperturbed
    forward (not the running average); BN layers whose input is identically zero (ops on dead paths, σ² = 0) carry
    no signal and are left out of the sum."""
    shape = _batch_shape(batch)
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


def ntk_pass(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> NTKResult:
    """Empirical NTK ``Θ = G Gᵀ`` where row (i, c) of G is ∂y_ic/∂W over all Conv/Linear weights, on the first
    ``samples`` inputs of the batch (option, default all), BN in train mode (as TE-NAS), float32 gradients,
    float64 kernel. Rows are computed by batched vector-Jacobian products in chunks of ``chunk`` rows."""
    if batch is None:
        raise ProxyError("ntk needs a batch")
    m_samples = int(options.get("samples") or batch.x.shape[0])
    chunk = int(options.get("chunk", 10))
    with preserved_state(model):
        train_float32(model, grads=True)
        weights = scored_weights(model)
        x = batch.x[:m_samples].to(device=model_device(model), dtype=torch.float32)
        out = model(x)
        if out.dim() != 2:
            raise ProxyError(f"ntk expects (n, outputs) logits, got shape {tuple(out.shape)}")
        n, k = out.shape
        rows: list[torch.Tensor] = []
        eye = torch.eye(n * k, device=out.device, dtype=out.dtype).reshape(n * k, n, k)
        for start in range(0, n * k, chunk):
            cot = eye[start : start + chunk]
            grads = torch.autograd.grad(
                out, weights, grad_outputs=cot, retain_graph=True, is_grads_batched=True, allow_unused=True
            )
            r = cot.shape[0]
            flat = [
                torch.zeros((r, w.numel()), device=out.device) if g is None else g.reshape(r, -1)
                for w, g in zip(weights, grads, strict=True)
            ]
            rows.append(torch.cat(flat, dim=1).detach())
        G = torch.cat(rows, dim=0)
        ntk = torch.zeros((n * k, n * k), dtype=torch.float64, device=G.device)
        for s in range(0, G.shape[1], 65536):  # float64 accumulation without a float64 copy of all of G
            block = G[:, s : s + 65536].double()
            ntk += block @ block.T
        ntk = ntk.cpu()
    return NTKResult(ntk, n, k)
