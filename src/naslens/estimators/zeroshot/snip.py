"""``snip``: connection sensitivity, the sum of |weight × loss gradient| over Conv/Linear weights."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ce_info, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult, sum_products


@register_proxy(ce_info("snip", {"weight_grad"}, "Σ |∂L/∂W ⊙ W|"))
class Snip(Proxy):
    """``score = Σ_l Σ |∂L/∂W_l ⊙ W_l|`` over Conv/Linear weights; ``L`` = mean cross-entropy (SNIP saliency)."""

    def reduce(self, result: CEBackwardResult) -> float:
        return sum_products(result.grads, result.weights, absolute=True)
