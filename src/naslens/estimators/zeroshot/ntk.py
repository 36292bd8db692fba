"""``ntk`` and ``ntk_sumlogits`` (TE-NAS, Chen et al. 2021): condition number of the empirical NTK."""

from __future__ import annotations

from typing import Any

import torch

from naslens.estimators.zeroshot._proxy import Proxy, ProxyError, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import NTKResult

_INFO = dict(
    higher_is_better=False,
    needs_data=True,
    needs_labels=False,
    bn_mode="train",
    precision="float32",
    pass_kind="ntk",
)


SINGULAR_RTOL = 1e-12


def condition_number(theta: torch.Tensor) -> float:
    """``λ_max / λ_min`` of a symmetric PSD matrix (``eigvalsh``, float64); raises when the kernel is singular,
    ``λ_min ≤ 1e-12 · n · λ_max`` (rank-deficient up to float64 rounding)."""
    ev = torch.linalg.eigvalsh(theta.double())
    lo, hi = float(ev[0]), float(ev[-1])
    if lo <= SINGULAR_RTOL * theta.shape[0] * hi:
        raise ProxyError(f"singular empirical NTK (λ_min = {lo:.3g}, λ_max = {hi:.3g})")
    return hi / lo


class _NTKBase(Proxy):
    def __init__(self, samples: int | None = 8, chunk: int = 10) -> None:
        if samples is not None and (not isinstance(samples, int) or samples < 2):
            raise ValueError(f"samples must be an integer ≥ 2 or None (whole batch), got {samples!r}")
        if not isinstance(chunk, int) or chunk < 1:
            raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
        self.samples = samples
        self.chunk = chunk

    def options(self) -> dict[str, Any]:
        return {"samples": self.samples}

    def pass_options(self) -> dict[str, Any]:
        return {"samples": self.samples, "chunk": self.chunk}


@register_proxy(
    ProxyInfo(name="ntk", description="λ_max/λ_min of Θ = G Gᵀ, G rows = ∂y_ic/∂W per sample and output", **_INFO)  # type: ignore[arg-type]
)
class NTK(_NTKBase):
    """``score = λ_max(Θ) / λ_min(Θ)`` (lower is better) with the per-output empirical NTK
    ``Θ_(i,c),(j,d) = ⟨∂y_ic/∂W, ∂y_jd/∂W⟩`` over Conv/Linear weights, on the first ``samples`` inputs of the
    batch (BN in train mode on that sub-batch). Cost: samples × outputs vector-Jacobian products.

    Args:
        samples: number of inputs (``None``: the whole batch).
        chunk: rows computed per batched backward (memory/speed trade-off, does not change the value).
    """

    def reduce(self, result: NTKResult) -> float:
        return condition_number(result.ntk)


@register_proxy(
    ProxyInfo(name="ntk_sumlogits", description="TE-NAS original: NTK of the per-sample summed logits", **_INFO)  # type: ignore[arg-type]
)
class NTKSumLogits(_NTKBase):
    """TE-NAS's original kernel ``Θ^Σ_ij = ⟨∂(Σ_c y_ic)/∂W, ∂(Σ_d y_jd)/∂W⟩ = Σ_{c,d} Θ_(i,c),(j,d)``, derived exactly
    from the per-output kernel; ``score = λ_max/λ_min`` (lower is better)."""

    def reduce(self, result: NTKResult) -> float:
        n, k = result.n_samples, result.n_outputs
        return condition_number(result.ntk.reshape(n, k, n, k).sum(dim=(1, 3)))
