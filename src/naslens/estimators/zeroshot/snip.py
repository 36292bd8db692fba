"""``snip``: connection sensitivity, the sum of |weight × loss gradient| over Conv/Linear weights."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult


@register_proxy(
    ProxyInfo(
        name="snip",
        higher_is_better=True,
        needs_data=True,
        needs_labels=True,
        bn_mode="train",
        precision="float32",
        pass_kind="ce_backward",
        requires=frozenset({"weight_grad"}),
        description="Σ |∂L/∂W ⊙ W|",
    )
)
class Snip(Proxy):
    """``score = Σ_l Σ |∂L/∂W_l ⊙ W_l|`` over Conv/Linear weights; ``L`` = mean cross-entropy (SNIP saliency)."""

    def reduce(self, result: CEBackwardResult) -> float:
        return float(sum(float((g.double() * w.double()).abs().sum()) for g, w in zip(result.grads, result.weights,
                                                                                      strict=True)))
