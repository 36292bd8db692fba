"""``plain``: the signed sum of weight times loss gradient over Conv/Linear weights."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult


@register_proxy(
    ProxyInfo(
        name="plain",
        higher_is_better=True,
        needs_data=True,
        needs_labels=True,
        bn_mode="train",
        precision="float32",
        pass_kind="ce_backward",
        requires=frozenset({"weight_grad"}),
        description="Σ ∂L/∂W ⊙ W (signed, no abs)",
    )
)
class Plain(Proxy):
    """``score = Σ_l Σ (∂L/∂W_l ⊙ W_l)`` (signed) over Conv/Linear weights; ``L`` = mean cross-entropy."""

    def reduce(self, result: CEBackwardResult) -> float:
        return float(sum(float((g.double() * w.double()).sum()) for g, w in zip(result.grads, result.weights,
                                                                                strict=True)))
