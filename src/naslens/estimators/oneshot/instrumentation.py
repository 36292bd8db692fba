"""Instrumentation for the analyses of weight sharing: forgetting within an epoch and gradient conflicts.

- *Forgetting value* of an architecture trained in an epoch: its validation accuracy right after its own training
  step minus its accuracy after the whole epoch (positive = the later steps of other paths erased what it learned).
- *Gradient cosine similarity* of two architectures on one batch, per parameter tensor both paths use.

Accuracies here are measured with BatchNorm in train mode on fixed validation images and leave the supernet
untouched (see :mod:`naslens.estimators.oneshot.bn_modes`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from naslens.estimators.oneshot.bn_modes import bn_train_mode
from naslens.estimators.oneshot.supernet_module import SupernetModule, as_module
from naslens.spaces import SearchSpace


@torch.no_grad()
def path_accuracy(model: SupernetModule, arch: Any, x: torch.Tensor, y: torch.Tensor) -> float:
    """Top-1 accuracy (fraction) of ``arch``'s path on one batch, BatchNorm in train mode, supernet unchanged."""
    with bn_train_mode(as_module(model)):
        pred = model(x, arch).argmax(1)
    return float((pred == y).float().mean())


@dataclass
class ForgettingTracker:
    """Collects the forgetting value of every architecture trained during one epoch.

    Call :meth:`after_step` after each optimizer step with the architectures just trained, and :meth:`end_epoch`
    after the epoch; it returns one record per (step, architecture).

    Args:
        x: fixed validation images used for every measurement.
        y: their labels.
        space: the search space of the architectures (records name them by ``space.key``).
    """

    x: torch.Tensor
    y: torch.Tensor
    space: SearchSpace
    records: list[dict[str, Any]] = field(default_factory=list)
    _archs: dict[str, Any] = field(default_factory=dict, repr=False)

    def after_step(self, model: SupernetModule, step: int, archs: list[Any]) -> None:
        for a in archs:
            key = self.space.key(a)
            self._archs.setdefault(key, a)
            self.records.append({"step": step, "arch": key, "acc_after_step": path_accuracy(model, a, self.x, self.y)})

    def end_epoch(self, model: SupernetModule, epoch: int) -> list[dict[str, Any]]:
        """Measure every architecture again and return the epoch's records (then start afresh)."""
        cache: dict[str, float] = {}
        out = []
        for r in self.records:
            key = str(r["arch"])
            if key not in cache:
                cache[key] = path_accuracy(model, self._archs[key], self.x, self.y)
            end = cache[key]
            after = float(r["acc_after_step"])
            out.append({**r, "epoch": epoch, "acc_end_epoch": end, "forgetting": after - end})
        self.records = []
        self._archs = {}
        return out


def gradient_cosine(
    model: SupernetModule, arch_a: Any, arch_b: Any, x: torch.Tensor, y: torch.Tensor
) -> dict[str, float]:
    """Cosine similarity of the two paths' loss gradients on the same batch, per parameter tensor used by both.

    Gradients are taken with BatchNorm in train mode and dropout off; existing ``.grad`` fields and BN buffers
    are restored. A tensor with a zero gradient in either path gets NaN.

    Returns:
        ``{parameter name: cosine}`` for the parameters on both paths (shared skeleton and common live ops).
    """
    used_a = dict(model.path_parameters(arch_a))
    used_b = dict(model.path_parameters(arch_b))
    common = [n for n in used_a if n in used_b]
    saved = {n: (None if p.grad is None else p.grad.detach().clone()) for n, p in model.named_parameters()}
    grads: list[dict[str, torch.Tensor]] = []
    try:
        with bn_train_mode(as_module(model)):
            for arch, used in ((arch_a, used_a), (arch_b, used_b)):
                params = [used[n] for n in common]
                loss = F.cross_entropy(model(x, arch), y)
                gs = torch.autograd.grad(loss, params, allow_unused=True)
                grads.append(
                    {n: (torch.zeros_like(p) if g is None else g) for n, p, g in zip(common, params, gs, strict=True)}
                )
    finally:
        for n, p in model.named_parameters():
            p.grad = saved[n]
    out = {}
    for n in common:
        ga, gb = grads[0][n].flatten().double(), grads[1][n].flatten().double()
        na, nb = float(ga.norm()), float(gb.norm())
        out[n] = float(ga @ gb) / (na * nb) if na > 0 and nb > 0 else math.nan
    return out
