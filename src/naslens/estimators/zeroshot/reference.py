"""Reference procedures: each proxy computed the way the common tools compute it, one network copy per proxy.

These functions follow the *procedure* of zero-cost-nas / NAS-Bench-Suite-Zero for each proxy (independent of
naslens' passes and fused scorer): their own forward and ``backward()`` into ``.grad``, GraSP's two phases (a first
gradient without graph, then a second forward whose create-graph gradient is dotted with it and differentiated),
jacob_cov's ``y.backward(ones)`` that also accumulates every weight's gradient, synflow on a BatchNorm-free float64
copy with ``|θ|``. They serve two purposes:

* a cross-check: each must agree with the naslens proxy of the same name (tested on small NB201 networks);
* the "separate" baseline of ``bench/zeroshot_speed.py``: what one pays when each proxy is computed on its own as
  those tools do, against which the fused scorer is measured.

Every function deep-copies the network (as the tools do per measure) and leaves the argument unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from naslens.estimators.zeroshot._core import Batch
from naslens.estimators.zeroshot._state import scored_layers, scored_weights, without_bn


def _copy_train(net: nn.Module) -> nn.Module:
    c = copy.deepcopy(net).float()
    c.train()
    for p in c.parameters():
        p.requires_grad_(True)
        p.grad = None
    return c


def _ce_backward(net: nn.Module, b: Batch) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``loss.backward()`` into ``.grad``; (weight, grad) of every scored layer that received a gradient."""
    assert b.y is not None, "reference procedures with a loss need labels"
    F.cross_entropy(net(b.x), b.y).backward()
    return _with_grads(net)


def _with_grads(net: nn.Module) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(w.detach(), w.grad) for w in scored_weights(net) if w.grad is not None]


def _total(values: list[torch.Tensor]) -> float:
    return float(sum(float(v.double().sum()) for v in values))


def grad_norm(net: nn.Module, b: Batch) -> float:
    return float(sum(float(g.double().norm()) for _, g in _ce_backward(_copy_train(net), b)))


def snip(net: nn.Module, b: Batch) -> float:
    return _total([(g * w).abs() for w, g in _ce_backward(_copy_train(net), b)])


def plain(net: nn.Module, b: Batch) -> float:
    return _total([g * w for w, g in _ce_backward(_copy_train(net), b)])


def grasp(net: nn.Module, b: Batch) -> float:
    assert b.y is not None
    c = _copy_train(net)
    weights = scored_weights(c)
    grad_w = torch.autograd.grad(F.cross_entropy(c(b.x), b.y), weights, allow_unused=True)  # phase 1
    grad_f = torch.autograd.grad(F.cross_entropy(c(b.x), b.y), weights, create_graph=True, allow_unused=True)
    z = sum((gw.detach() * gf).sum() for gw, gf in zip(grad_w, grad_f, strict=True) if gw is not None)
    assert isinstance(z, torch.Tensor)
    z.backward()  # phase 2: weight.grad = H g
    return -_total([hg * w for w, hg in _with_grads(c)])


def fisher(net: nn.Module, b: Batch) -> float:
    c = _copy_train(net)
    acts: list[torch.Tensor] = []

    def keep(_m: nn.Module, _i: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        out.retain_grad()
        acts.append(out)

    handles = [m.register_forward_hook(keep) for m in scored_layers(c)]
    try:
        _ce_backward(c, b)
    finally:
        for h in handles:
            h.remove()
    total = 0.0
    for a in acts:
        if a.grad is None:
            continue
        g_nk = (a.detach() * a.grad).reshape(a.shape[0], a.shape[1], -1).sum(-1) if a.dim() > 2 else a.detach() * a.grad
        total += float(0.5 * g_nk.double().pow(2).mean(0).sum())
    return total


def jacob_cov(net: nn.Module, b: Batch) -> float:
    c = _copy_train(net)
    x = b.x.clone().requires_grad_(True)
    y = c(x)
    y.backward(torch.ones_like(y))  # as the tools do: every weight's .grad is filled too
    assert x.grad is not None
    J = x.grad.reshape(x.shape[0], -1).double().numpy()
    v = np.linalg.eigvalsh(np.corrcoef(J))
    return float(-np.sum(np.log(v + 1e-5) + 1.0 / (v + 1e-5)))


def synflow(net: nn.Module, b: Batch) -> float:
    c = without_bn(net).double()
    c.eval()
    with torch.no_grad():
        for t in c.state_dict().values():
            if t.is_floating_point():
                t.abs_()
    for p in c.parameters():
        p.requires_grad_(True)
    c(torch.ones((1, *b.x.shape[1:]), dtype=torch.float64)).sum().backward()
    return _total([(w * g).abs() for w, g in _with_grads(c)])


REFERENCE: dict[str, Callable[[nn.Module, Batch], float]] = {
    "grad_norm": grad_norm,
    "snip": snip,
    "plain": plain,
    "grasp": grasp,
    "fisher": fisher,
    "jacob_cov": jacob_cov,
    "synflow": synflow,
}
"""Proxy name → reference procedure."""
