"""``synflow`` and ``log_synflow``: synaptic flow of the absolute-valued network on an all-ones input."""

from __future__ import annotations

import math

import torch

from naslens.estimators.zeroshot._proxy import Proxy, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import SynflowResult

_INFO = dict(
    higher_is_better=True,
    needs_data=False,
    needs_labels=False,
    bn_mode="removed",
    precision="float64",
    pass_kind="synflow",
    uses_batch=False,
)


@register_proxy(
    ProxyInfo(name="synflow", description="Σ |W| ⊙ ∂R/∂|W|, R = Σ f_|θ|(1), BN removed, float64", **_INFO)  # type: ignore[arg-type]
)
class Synflow(Proxy):
    """``score = Σ_l Σ |W_l| ⊙ ∂R/∂|W_l|`` with ``R = 1ᵀ f(1; |θ|)``: every parameter and buffer replaced by its
    absolute value, BatchNorm removed, input ``ones[1, C, H, W]``, computed in float64 on a copy (the original
    model is untouched). Values reach 1e50 and beyond on NB201; ``log_synflow`` is its natural log.

    For a bias-free chain of L linear layers ``score = L · R`` (each layer's flow equals R).
    """

    def reduce(self, result: SynflowResult) -> float:
        return float(result.layer_scores.sum())


@register_proxy(
    ProxyInfo(name="log_synflow", description="ln(synflow), summed in log space (no overflow)", **_INFO)  # type: ignore[arg-type]
)
class LogSynflow(Proxy):
    """``score = ln Σ_l S_l`` computed as ``logsumexp(ln S_l)`` over layers with ``S_l > 0`` (−inf if none)."""

    def reduce(self, result: SynflowResult) -> float:
        s = result.layer_scores
        pos = s[s > 0]
        if pos.numel() == 0:
            return -math.inf
        return float(torch.logsumexp(pos.log(), dim=0))
