"""``grasp``: gradient signal preservation, ``−Σ W ⊙ (H g)`` with a Hessian-gradient product."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ce_info, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult, sum_products


@register_proxy(
    ce_info(
        "grasp",
        {"hessian_grad"},
        "Σ −W ⊙ (H g), g = ∂L/∂W, H = ∂²L/∂W² (one Hessian-vector product, temperature 1)",
    )
)
class Grasp(Proxy):
    """``score = −Σ_l Σ W_l ⊙ (H g)_l`` where ``g = ∂L/∂W`` and ``H g = ∂/∂W (Σ stopgrad(g) ⊙ g)``.

    The sign follows zero-cost-nas (chosen there empirically): a larger score is read as a better architecture.
    """

    def reduce(self, result: CEBackwardResult) -> float:
        return -sum_products(result.hess_grads, result.weights)
