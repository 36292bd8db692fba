"""``grasp``: gradient signal preservation, ``−Σ W ⊙ (H g)`` with a Hessian-gradient product."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult


@register_proxy(
    ProxyInfo(
        name="grasp",
        higher_is_better=True,
        needs_data=True,
        needs_labels=True,
        bn_mode="train",
        precision="float32",
        pass_kind="ce_backward",
        requires=frozenset({"hessian_grad"}),
        description="Σ −W ⊙ (H g), g = ∂L/∂W, H = ∂²L/∂W² (one Hessian-vector product, temperature 1)",
    )
)
class Grasp(Proxy):
    """``score = −Σ_l Σ W_l ⊙ (H g)_l`` where ``g = ∂L/∂W`` and ``H g = ∂/∂W (Σ stopgrad(g) ⊙ g)``.

    The sign follows zero-cost-nas (chosen there empirically): a larger score is read as a better architecture.
    """

    def reduce(self, result: CEBackwardResult) -> float:
        return float(-sum(float((h.double() * w.double()).sum()) for h, w in zip(result.hess_grads, result.weights,
                                                                                 strict=True)))
