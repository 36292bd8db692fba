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


@contextmanager
def preserved_state(model: nn.Module) -> Iterator[nn.Module]:
    """Run the body on ``model`` and restore it exactly afterwards.

    Restored: every parameter's and buffer's values and dtype (BN running statistics included), every module's
    ``training`` flag, every parameter's ``requires_grad`` and ``.grad``.
    """
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    saved_p = {k: p.detach().clone() for k, p in params.items()}
    saved_b = {k: b.detach().clone() for k, b in buffers.items()}
    saved_grad = {k: (None if p.grad is None else p.grad.detach().clone()) for k, p in params.items()}
    saved_req = {k: p.requires_grad for k, p in params.items()}
    saved_train = {name: m.training for name, m in model.named_modules()}
    try:
        yield model
    finally:
        with torch.no_grad():
            for k, p in params.items():
                if p.dtype != saved_p[k].dtype:
                    p.data = p.data.to(saved_p[k].dtype)
                p.copy_(saved_p[k])
                p.requires_grad_(saved_req[k])
                p.grad = saved_grad[k]
            for k, b in buffers.items():
                if b.dtype != saved_b[k].dtype:
                    b.data = b.data.to(saved_b[k].dtype)
                b.copy_(saved_b[k])
        for name, m in model.named_modules():
            m.training = saved_train[name]
