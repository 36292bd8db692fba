"""``relu_codes``: the binary ReLU activation codes of a batch, accumulated into the NASWOT kernel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from naslens.estimators.zeroshot._core import Batch, ProxyError
from naslens.estimators.zeroshot._state import model_device, preserved_state, train_float32
from naslens.estimators.zeroshot.passes._registry import register_pass


@dataclass
class ReluCodesResult:
    """``K = Σ_relus c cᵀ + (1−c)(1−c)ᵀ`` (float64, n×n), the number of ReLU units and of hooks fired."""

    K: torch.Tensor
    n_units: int
    hooks_fired: int


def random_crops(x: torch.Tensor, size: int, n: int, seed: int) -> torch.Tensor:
    """``n`` patches of ``size × size`` pixels from images ``x`` (N, C, H, W), seeded."""
    if x.dim() != 4 or size > min(x.shape[-2:]):
        raise ProxyError(f"cannot cut {size}x{size} crops from inputs of shape {tuple(x.shape)}")
    g = torch.Generator().manual_seed(int(seed))
    img = torch.randint(0, x.shape[0], (n,), generator=g).tolist()
    top = torch.randint(0, x.shape[-2] - size + 1, (n,), generator=g).tolist()
    left = torch.randint(0, x.shape[-1] - size + 1, (n,), generator=g).tolist()
    return torch.stack([x[i, :, t : t + size, lf : lf + size] for i, t, lf in zip(img, top, left, strict=True)])


@register_pass("relu_codes")
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
