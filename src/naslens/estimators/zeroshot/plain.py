"""``plain``: the signed sum of weight times loss gradient over Conv/Linear weights."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ce_info, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult, sum_products


@register_proxy(ce_info("plain", {"weight_grad"}, "Σ ∂L/∂W ⊙ W (signed, no abs)"))
class Plain(Proxy):
    """``score = Σ_l Σ (∂L/∂W_l ⊙ W_l)`` (signed) over Conv/Linear weights; ``L`` = mean cross-entropy."""

    def reduce(self, result: CEBackwardResult) -> float:
        return sum_products(result.grads, result.weights)
