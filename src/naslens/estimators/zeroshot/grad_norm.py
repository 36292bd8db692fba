"""``grad_norm``: the sum over Conv/Linear layers of the Frobenius norm of the loss gradient of their weights."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ce_info, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult


@register_proxy(
    ce_info("grad_norm", {"weight_grad"}, "Σ_l ‖∂L/∂W_l‖₂ (Frobenius norm per layer, not squared), cross-entropy L")
)
class GradNorm(Proxy):
    """``score = Σ_l ‖∂L/∂W_l‖_F`` over Conv/Linear weights ``W_l``; ``L`` = mean cross-entropy on the batch.

    Example:
        >>> import torch
        >>> from naslens.estimators.zeroshot import create_proxy
        >>> from naslens.estimators.zeroshot._proxy import Batch
        >>> torch.manual_seed(0) and None
        >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3))
        >>> b = Batch(torch.randn(5, 4), torch.tensor([0, 1, 2, 0, 1]))
        >>> create_proxy("grad_norm").compute(net, b) > 0
        True
    """

    def reduce(self, result: CEBackwardResult) -> float:
        return float(sum(float(g.double().norm()) for g in result.grads))
