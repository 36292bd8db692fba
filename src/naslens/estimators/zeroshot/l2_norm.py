"""``l2_norm``: the sum of the Frobenius norms of the Conv/Linear weights (no data)."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import WeightsResult


@register_proxy(
    ProxyInfo(
        name="l2_norm",
        higher_is_better=True,
        needs_data=False,
        needs_labels=False,
        bn_mode="n/a",
        precision="float32",
        pass_kind="weights",
        uses_batch=False,
        description="Σ_l ‖W_l‖₂ (Frobenius norm per Conv/Linear layer)",
    )
)
class L2Norm(Proxy):
    """``score = Σ_l ‖W_l‖_F`` over Conv/Linear weights at initialisation."""

    def reduce(self, result: WeightsResult) -> float:
        return float(sum(float(w.double().norm()) for w in result.weights))
