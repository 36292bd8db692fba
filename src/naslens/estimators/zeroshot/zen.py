"""``zen`` (Zen-NAS, Lin et al. 2021): log of the expected response of the pre-pooling features to an input
perturbation, rescaled by the BatchNorm variances."""

from __future__ import annotations

import math
from typing import Any

from naslens.estimators.zeroshot._proxy import Proxy, ProxyError, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import ZenResult


@register_proxy(
    ProxyInfo(
        name="zen",
        higher_is_better=True,
        needs_data=False,
        needs_labels=False,
        bn_mode="train",
        precision="float32",
        pass_kind="zen",
        uses_batch=False,
        description="ln mean_n Σ|f(x)−f(x+αε)| + Σ_BN ½ ln mean_c σ²_c (batch variances, unperturbed forward)",
    )
)
class Zen(Proxy):
    """``score = ln Δ + Σ_BN ½ ln(mean_c σ²_c)``.

    Conv/Linear weights are re-drawn from N(0, 1) (biases 0) with the run's seed; ``x, ε ~ N(0, 1)`` with the
    batch's shape; ``Δ = mean_n Σ_{c,h,w} |f(x) − f(x + α ε)|`` with ``f`` the feature map entering global
    pooling and ``α = 0.01``; σ²_c is the per-channel *batch* variance (biased) each BN layer normalised its input
    by in the unperturbed forward, in train mode. This replaces NASLib's use of the running averages left after
    two forwards (a mixture of stale statistics and the perturbed batch). BN layers with σ² = 0 (their input is
    identically zero: ops on dead paths) are skipped. Only the input shape is used.

    Args:
        alpha: perturbation size α.
    """

    def __init__(self, alpha: float = 0.01) -> None:
        if not alpha > 0:
            raise ValueError(f"alpha must be positive, got {alpha!r}")
        self.alpha = float(alpha)

    def options(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "bn_stats": "batch variance of the clean forward, zero-variance BN skipped"}

    def pass_options(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def reduce(self, result: ZenResult) -> float:
        if not result.delta > 0:
            raise ProxyError(f"zen: the features do not respond to the perturbation (Δ = {result.delta})")
        return math.log(result.delta) + result.bn_log_scale
