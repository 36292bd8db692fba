"""Model-state helpers: scored layers, BatchNorm modes, and the context manager that restores a model exactly.

Every proxy pass runs inside :func:`preserved_state`, which snapshots the parameters and buffers (values and dtype),
each module's ``training`` flag, each parameter's ``requires_grad`` and ``.grad``, and puts them all back on exit,
whatever the pass did (including when it raised).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd


def scored_layers(model: nn.Module) -> list[nn.Module]:
    """Conv and Linear modules whose ``weight`` the gradient proxies sum over (biases and BN excluded)."""
    return [m for m in model.modules() if isinstance(m, (_ConvNd, nn.Linear))]


def scored_weights(model: nn.Module) -> list[torch.Tensor]:
    """The ``weight`` tensors of :func:`scored_layers`, in module order."""
    return [cast(torch.Tensor, m.weight) for m in scored_layers(model)]


def bn_layers(model: nn.Module) -> list[_BatchNorm]:
    return [m for m in model.modules() if isinstance(m, _BatchNorm)]


def set_bn_mode(model: nn.Module, mode: str) -> None:
    """``train``: the whole model in train mode (BN uses batch statistics); ``eval``: eval mode."""
    if mode == "train":
        model.train()
    elif mode == "eval":
        model.eval()
    else:
        raise ValueError(f"set_bn_mode takes 'train' or 'eval', got {mode!r} (use without_bn for 'removed')")


def train_float32(model: nn.Module, *, grads: bool = False) -> None:
    """The state most passes run in (inside :func:`preserved_state`): float32, BN on batch statistics, and with
    ``grads`` every parameter requiring a gradient."""
    model.float()
    set_bn_mode(model, "train")
    if grads:
        for p in model.parameters():
            p.requires_grad_(True)


def without_bn(model: nn.Module) -> nn.Module:
    """A deep copy of ``model`` with every BatchNorm module replaced by ``nn.Identity``."""
    clone = copy.deepcopy(model)
    targets = [name for name, m in clone.named_modules() if isinstance(m, _BatchNorm)]
    for name in targets:
        parent_name, _, child = name.rpartition(".")
        parent = clone.get_submodule(parent_name) if parent_name else clone
        setattr(parent, child, nn.Identity())
    return clone


def model_dtype(model: nn.Module) -> torch.dtype:
    for p in model.parameters():
        return p.dtype
    return torch.float32


def model_device(model: nn.Module) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _owned_tensors(model: nn.Module, kind: str) -> list[tuple[nn.Module, str, torch.Tensor]]:
    """``(owning module, attribute name, tensor)`` for every parameter (``kind="p"``) or buffer (``"b"``)."""
    out = []
    for _, mod in model.named_modules(remove_duplicate=True):
        table = mod._parameters if kind == "p" else mod._buffers
        for leaf, t in table.items():
            if t is not None:
                out.append((mod, leaf, t))
    return out


@contextmanager
def preserved_state(model: nn.Module) -> Iterator[nn.Module]:
    """Run the body on ``model`` and restore it exactly afterwards.

    Restored: every parameter's and buffer's values, dtype and identity (BN running statistics included; a
    ``model.float()`` inside the body replaces buffer tensors, and the originals are put back), every module's
    ``training`` flag, every parameter's ``requires_grad`` and ``.grad``.
    """
    params = _owned_tensors(model, "p")
    buffers = _owned_tensors(model, "b")
    saved_p = [p.detach().clone() for _, _, p in params]
    saved_b = [b.detach().clone() for _, _, b in buffers]
    saved_grad = [None if p.grad is None else p.grad.detach().clone() for _, _, p in params]
    saved_req = [p.requires_grad for _, _, p in params]
    saved_train = {name: m.training for name, m in model.named_modules()}
    try:
        yield model
    finally:
        with torch.no_grad():
            for (mod, leaf, p), value, grad, req in zip(params, saved_p, saved_grad, saved_req, strict=True):
                if p.dtype != value.dtype or p.shape != value.shape:
                    p.data = value.clone()
                else:
                    p.copy_(value)
                p.requires_grad_(req)
                p.grad = grad
                mod._parameters[leaf] = cast(nn.Parameter, p)
            for (mod, leaf, b), value in zip(buffers, saved_b, strict=True):
                if b.dtype != value.dtype or b.shape != value.shape:
                    b.data = value.clone()
                else:
                    b.copy_(value)
                mod._buffers[leaf] = b
        for name, m in model.named_modules():
            m.training = saved_train[name]
