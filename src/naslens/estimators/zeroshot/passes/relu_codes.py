"""``relu_codes``: the binary ReLU activation codes of a batch, accumulated into the NASWOT kernel."""

from __future__ import annotations

import weakref
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


_EXACT_FLOAT32 = 2**24
"""Integers up to this size are exact in float32: a code Gram matrix of fewer units is computed exactly in float32."""


def code_kernel(x: torch.Tensor) -> torch.Tensor:
    """``c cᵀ + (1−c)(1−c)ᵀ`` (float64, on the CPU) for the binary codes ``c = 1[x > 0]`` of the rows of ``x``.

    Computed with one matrix product, ``2 c cᵀ − s 1ᵀ − 1 sᵀ + D`` (``s`` the row sums, ``D`` the number of units):
    every entry is an integer, so the result is exactly the two-product form (in float32 while ``D < 2²⁴``)."""
    c = x.detach().reshape(x.shape[0], -1) > 0
    units = int(c.shape[1])
    dtype = torch.float32 if units < _EXACT_FLOAT32 else torch.float64
    cf = c.to(dtype)
    gram = (cf @ cf.T).to(device="cpu", dtype=torch.float64)
    s = cf.sum(dim=1).to(device="cpu", dtype=torch.float64)
    return 2.0 * gram - s[:, None] - s[None, :] + float(units)


class _SeenInputs:
    """The code kernel of each distinct tensor fed to a ReLU during one forward pass.

    Several ReLUs often read one tensor (every op on the edges leaving an NB201 node starts with a ReLU of the node's
    output; a mixed-op supernet runs several such ops per edge): its codes are computed once and its kernel is added
    once per ReLU call, which is the kernel of the per-call computation exactly. A tensor is recognised by identity and
    version counter (an in-place change between two calls is a new input); entries go when their tensor is freed."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[weakref.ref[torch.Tensor], int, torch.Tensor]] = {}

    def kernel(self, x: torch.Tensor) -> torch.Tensor:
        key = id(x)
        hit = self._seen.get(key)
        if hit is not None and hit[0]() is x and hit[1] == x._version:
            return hit[2]
        k = code_kernel(x)
        seen = self._seen

        def forget(ref: weakref.ref[torch.Tensor], key: int = key) -> None:
            entry = seen.get(key)
            if entry is not None and entry[0] is ref:
                del seen[key]

        self._seen[key] = (weakref.ref(x, forget), x._version, k)
        return k


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
    seen = _SeenInputs()

    def hook(_m: nn.Module, inp: tuple[torch.Tensor, ...]) -> None:
        K.add_(seen.kernel(inp[0]))
        state["units"] += int(inp[0][0].numel())
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
