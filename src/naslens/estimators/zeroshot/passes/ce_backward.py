"""``ce_backward`` (BN in train mode, float32): the pass most proxies share.

One forward of the batch; optionally the input Jacobian ``J_i = ∂(Σ_c y_ic)/∂x_i`` by a backward of ``Σ y``
(``input_jacobian``); then the cross-entropy loss ``L = mean_n CE(y_n, t_n)`` and one backward giving ``∂L/∂W`` of
every Conv/Linear weight (``weight_grad``) and ``∂L/∂a`` of every Conv/Linear output ``a`` (``act_grad``); with
``hessian_grad`` that backward keeps its graph and a second backward of ``z = Σ_l Σ stopgrad(g_l) ⊙ g_l`` gives the
Hessian-gradient product ``H g``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import nn

from naslens.estimators.zeroshot._core import Batch, ProxyError
from naslens.estimators.zeroshot._state import (
    model_device,
    preserved_state,
    scored_layers,
    scored_weights,
    train_float32,
)
from naslens.estimators.zeroshot.passes._registry import register_pass

CE_REQUIREMENTS = frozenset({"weight_grad", "act_grad", "hessian_grad", "input_jacobian"})
_LABEL_REQUIREMENTS = frozenset({"weight_grad", "act_grad", "hessian_grad"})


def sum_products(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor], *, absolute: bool = False) -> float:
    """``Σ_l Σ a_l ⊙ b_l`` (or of ``|a_l ⊙ b_l|``) over aligned per-layer tensors, accumulated in float64."""
    total = 0.0
    for x, y in zip(a, b, strict=True):
        prod = x.double() * y.double()
        total += float((prod.abs() if absolute else prod).sum())
    return total


@dataclass
class CEBackwardResult:
    """Result of the ``ce_backward`` pass (lists are aligned with :func:`scored_layers`)."""

    weights: list[torch.Tensor]
    grads: list[torch.Tensor] = field(default_factory=list)
    hess_grads: list[torch.Tensor] = field(default_factory=list)
    act_stats: list[torch.Tensor] = field(default_factory=list)
    layer_fan_in: list[int] = field(default_factory=list)
    input_jacobian: torch.Tensor | None = None
    labels: torch.Tensor | None = None
    n_outputs: int = 0
    loss: float = float("nan")


def _fan_in(m: nn.Module) -> int:
    w = cast(torch.Tensor, m.weight)
    return int(w[0].numel())  # C_in/groups · k_h · k_w for conv, C_in for linear


def _prepare_input(model: nn.Module, batch: Batch | None, dtype: torch.dtype) -> torch.Tensor:
    if batch is None:
        raise ProxyError("this pass needs a batch of inputs")
    return batch.x.to(device=model_device(model), dtype=dtype)


@register_pass("ce_backward", produces=CE_REQUIREMENTS)
def ce_backward(
    model: nn.Module, batch: Batch | None, requires: frozenset[str], seed: int, options: dict[str, Any]
) -> CEBackwardResult:
    """The shared cross-entropy forward/backward pass (see the module docstring)."""
    needs_labels = bool(requires & _LABEL_REQUIREMENTS)
    if batch is None:
        raise ProxyError("the ce_backward pass needs a batch")
    if needs_labels and batch.y is None:
        raise ProxyError("this proxy needs labels but the batch has none")
    with preserved_state(model):
        train_float32(model, grads=True)
        layers = scored_layers(model)
        weights = scored_weights(model)
        res = CEBackwardResult(weights=[w.detach().clone() for w in weights], labels=batch.y)
        outputs: dict[int, list[torch.Tensor]] = {}
        handles = []
        if "act_grad" in requires:
            for i, m in enumerate(layers):
                handles.append(m.register_forward_hook(lambda _m, _i, out, i=i: outputs.setdefault(i, []).append(out)))
        try:
            x = _prepare_input(model, batch, torch.float32)
            if "input_jacobian" in requires:
                x = x.clone().requires_grad_(True)
            out = model(x)
        finally:
            for h in handles:
                h.remove()
        if out.dim() != 2:
            raise ProxyError(f"ce_backward expects (n, classes) logits, the model returned shape {tuple(out.shape)}")
        res.n_outputs = int(out.shape[1])
        if "input_jacobian" in requires:
            (jac,) = torch.autograd.grad(out.sum(), x, retain_graph=needs_labels)
            res.input_jacobian = jac.detach().reshape(jac.shape[0], -1)
        if not needs_labels:
            return res
        assert batch.y is not None
        loss = F.cross_entropy(out, batch.y.to(out.device))
        res.loss = float(loss.detach())
        want_w = bool(requires & {"weight_grad", "hessian_grad"})
        act_list = [(i, a) for i in sorted(outputs) for a in outputs[i]] if "act_grad" in requires else []
        if "act_grad" in requires and not act_list:
            raise ProxyError("no Conv/Linear forward hook fired: the model has no scored layer on its forward path")
        inputs: list[torch.Tensor] = (list(weights) if want_w else []) + [a for _, a in act_list]
        create_graph = "hessian_grad" in requires
        grads = torch.autograd.grad(loss, inputs, create_graph=create_graph, allow_unused=True)
        nw = len(weights) if want_w else 0
        wgrads = [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads[:nw], strict=False)]
        if want_w:
            res.grads = [g.detach() for g in wgrads]
        if "act_grad" in requires:
            stats: dict[int, torch.Tensor] = {}
            for (i, a), ga in zip(act_list, grads[nw:], strict=True):
                ga = torch.zeros_like(a) if ga is None else ga
                g_nk = (a.detach() * ga.detach()).reshape(a.shape[0], a.shape[1], -1).sum(-1)
                stats[i] = stats[i] + g_nk if i in stats else g_nk
            res.act_stats = [stats[i] for i in sorted(stats)]
            res.layer_fan_in = [_fan_in(layers[i]) for i in sorted(stats)]
        if create_graph:
            z = sum((g.detach() * g).sum() for g in wgrads if g.requires_grad)
            if not isinstance(z, torch.Tensor):
                raise ProxyError("the loss does not depend on any scored weight; H·g is undefined")
            hg = torch.autograd.grad(z, weights, allow_unused=True)
            res.hess_grads = [
                torch.zeros_like(w) if h is None else h.detach() for w, h in zip(weights, hg, strict=True)
            ]
    return res
