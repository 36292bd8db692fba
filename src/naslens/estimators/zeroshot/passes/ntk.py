"""``ntk``: the empirical neural tangent kernel over (sample, output) pairs, by batched vector-Jacobian products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from naslens.estimators.zeroshot._core import Batch, ProxyError
from naslens.estimators.zeroshot._state import model_device, preserved_state, scored_weights, train_float32
from naslens.estimators.zeroshot.passes._registry import register_pass


@dataclass
class NTKResult:
    """Empirical NTK over (sample, output) pairs, float64, and the number of samples/outputs."""

    ntk: torch.Tensor
    n_samples: int
    n_outputs: int


@register_pass("ntk")
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
