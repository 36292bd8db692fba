"""Copying a supernet path's weights into a standalone network (every space's ``Supernet.to_standalone``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn


def load_path_weights(
    net: nn.Module,
    source: Mapping[str, torch.Tensor],
    rename: Callable[[str], str | None],
    *,
    require_all: bool = False,
) -> nn.Module:
    """Load into ``net`` the supernet tensors of one path: ``rename(name)`` gives the standalone name of a
    supernet tensor, or ``None`` for tensors the path does not use. Tensors are copied (detached).

    Args:
        require_all: every tensor of ``net`` must receive a supernet tensor (else the ones it does not get keep
            their fresh values, e.g. ops a path skips).

    Raises:
        RuntimeError: a path tensor has no counterpart in ``net``, or (``require_all``) ``net`` has tensors no path
            tensor fills.

    Example:
        >>> big = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Linear(2, 2)})
        >>> small = nn.ModuleDict({"x": nn.Linear(2, 2)})
        >>> _ = load_path_weights(small, big.state_dict(), lambda n: n.replace("a.", "x.") if n[0] == "a" else None)
        >>> bool(torch.equal(small["x"].weight, big["a"].weight))
        True
    """
    target = net.state_dict()
    new: dict[str, torch.Tensor] = {}
    for name, tensor in source.items():
        tname = rename(name)
        if tname is None:
            continue
        if tname not in target:
            raise RuntimeError(f"supernet tensor {name} has no counterpart {tname} in the standalone network")
        new[tname] = tensor.detach().clone()
    if require_all:
        missing = sorted(set(target) - set(new))
        if missing:
            raise RuntimeError(f"standalone tensors without a supernet counterpart: {missing[:5]}")
    target.update(new)
    net.load_state_dict(target)
    return net
