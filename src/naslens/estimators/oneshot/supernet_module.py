"""``SupernetModule``: what the one-shot layer needs of a space's supernet, and :func:`build_supernet`.

A space's ``supernet(**net, ops=..., dropout=...)`` returns a :class:`~naslens.spaces.Supernet` that is also a
``torch.nn.Module``; the trainer, the scorer and the instrumentation use both sides (paths, parameters, state).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from torch import nn

from naslens.spaces import Supernet

if TYPE_CHECKING:
    import torch

    from naslens.estimators.oneshot.train_config import SupernetTrainConfig


class SupernetModule(Supernet, Protocol):
    """A :class:`~naslens.spaces.Supernet` with the ``torch.nn.Module`` methods the one-shot layer calls."""

    training: bool

    def __call__(self, x: torch.Tensor, arch: Any) -> torch.Tensor: ...

    def parameters(self) -> Iterator[nn.Parameter]: ...

    def named_parameters(self) -> Iterator[tuple[str, nn.Parameter]]: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> Any: ...

    def to(self, device: Any) -> Any: ...

    def train(self, mode: bool = True) -> Any: ...

    def eval(self) -> Any: ...


def as_module(model: SupernetModule) -> nn.Module:
    """``model`` as the ``torch.nn.Module`` it is (for BatchNorm handling and optimisers)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"a supernet must be a torch.nn.Module, got {type(model).__name__}")
    return model


def build_supernet(config: SupernetTrainConfig) -> SupernetModule:
    """An untrained supernet of the configuration's space and network (seed torch first for a given init).

    Raises:
        TypeError: the space's supernet is not a ``torch.nn.Module`` implementing :class:`~naslens.spaces.Supernet`.
    """
    space = config.search_space()
    model = space.supernet(**config.network(), ops=config.ops, dropout=config.dropout)
    if not isinstance(model, nn.Module) or not isinstance(model, Supernet):
        raise TypeError(
            f"space {space.name!r}: supernet() must return a torch.nn.Module with forward(x, arch), check_arch, "
            f"path_parameters and to_standalone, got {type(model).__name__}"
        )
    return cast(SupernetModule, model)
