"""Zero-shot proxy metadata, the ``Proxy`` base class and the proxy registry.

A proxy scores one randomly initialised network on one batch. Every proxy belongs to a *pass kind* (the
forward/backward computation it needs, see :mod:`naslens.estimators.zeroshot.passes`) and turns that pass's result
into one float with :meth:`Proxy.reduce`. Proxies that share a pass kind are computed together by the fused scorer;
a proxy computed alone runs its pass with only its own requirements.

Example:
    >>> from naslens.estimators.zeroshot import list_proxies, create_proxy
    >>> "snip" in list_proxies("s*")
    True
    >>> create_proxy("ntk").info.higher_is_better
    False
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from naslens.registry import Registry

BN_MODES = ("train", "eval", "removed", "n/a")
PRECISIONS = ("float32", "float64")
PASS_KINDS = ("ce_backward", "synflow", "relu_codes", "zen", "ntk", "weights")
NETWORKS = ("run", "thin")
"""The network a proxy is scored on: the run's (``run``) or the space's thin copy (``thin``: ``SpaceInfo.thin_net``)."""


class ProxyError(RuntimeError):
    """A proxy cannot produce a meaningful value (singular kernel, no hook fired, missing labels, ...)."""


@dataclass(frozen=True)
class ProxyInfo:
    """Metadata every proxy declares; code (the fused scorer, the contract check) branches on these fields.

    Attributes:
        name: registry name.
        higher_is_better: whether a higher score predicts a better architecture.
        needs_data: whether real inputs matter (False: only the input *shape* is used).
        needs_labels: whether the batch must carry labels.
        bn_mode: BatchNorm mode the proxy runs in: ``train`` (batch statistics), ``eval`` or ``removed``.
        precision: ``float32`` or ``float64``.
        pass_kind: the computation it needs (one of ``PASS_KINDS``).
        requires: what the ``ce_backward`` pass must produce for it (``weight_grad``, ``act_grad``,
            ``hessian_grad``, ``input_jacobian``).
        uses_batch: False when the value does not depend on the batch contents (computed once, not averaged).
        description: one line, with the formula.
        network: which network the estimator scores: ``run`` (the run's network) or ``thin`` (the space's thin copy,
            its ``SpaceInfo.thin_net`` overrides, e.g. NB201's C=1, N=1 for TE-NAS's linear-region count; a space
            without one cannot run the proxy, see :func:`naslens.estimators.zeroshot.networks.proxy_network`).
    """

    name: str
    higher_is_better: bool
    needs_data: bool
    needs_labels: bool
    bn_mode: str
    precision: str
    pass_kind: str
    requires: frozenset[str] = field(default_factory=frozenset)
    uses_batch: bool = True
    description: str = ""
    network: str = "run"

    def __post_init__(self) -> None:
        if self.bn_mode not in BN_MODES:
            raise ValueError(f"{self.name}: bn_mode must be one of {BN_MODES}, got {self.bn_mode!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"{self.name}: precision must be one of {PRECISIONS}, got {self.precision!r}")
        if self.pass_kind not in PASS_KINDS:
            raise ValueError(f"{self.name}: pass_kind must be one of {PASS_KINDS}, got {self.pass_kind!r}")
        if self.network not in NETWORKS:
            raise ValueError(f"{self.name}: network must be one of {NETWORKS}, got {self.network!r}")
        if self.needs_labels and not self.needs_data:
            raise ValueError(f"{self.name}: a proxy that needs labels needs data")


@dataclass
class Batch:
    """Inputs ``x`` (n, C, H, W) and optional integer labels ``y`` (n,)."""

    x: torch.Tensor
    y: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.x, torch.Tensor) or self.x.dim() < 2:
            raise ValueError("Batch.x must be a tensor with a batch dimension")
        if self.y is not None and (self.y.dim() != 1 or self.y.shape[0] != self.x.shape[0]):
            raise ValueError(f"Batch.y must have shape ({self.x.shape[0]},), got {tuple(self.y.shape)}")


class Proxy:
    """Base class: subclasses set ``info`` and implement :meth:`reduce` (and may take options in ``__init__``).

    ``options()`` returns the proxy's own settings; they enter the estimator configuration (and its hash).
    """

    info: ProxyInfo

    def options(self) -> dict[str, Any]:
        return {}

    def pass_options(self) -> dict[str, Any]:
        """Options that change the pass itself (proxies share a pass only when these agree)."""
        return {}

    def reduce(self, result: Any) -> float:
        """Turn the pass result into the score."""
        raise NotImplementedError

    def compute(self, model: nn.Module, batch: Batch | None, *, seed: int = 0) -> float:
        """Score ``model`` on ``batch`` alone (its pass with only its own requirements); the model is restored.

        Args:
            model: a randomly initialised network.
            batch: inputs (and labels when ``info.needs_labels``); for data-free proxies only its shape is used.
            seed: seed of any randomness inside the pass (zen's re-initialisation and noise).
        """
        from naslens.estimators.zeroshot.passes import run_pass

        result = run_pass(self.info.pass_kind, model, batch, self.info.requires, seed=seed, proxies=[self])
        return float(self.reduce(result))

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({opts})"


PROXIES: Registry[Callable[..., Proxy]] = Registry("zero-shot proxy")


def register_proxy(info: ProxyInfo) -> Callable[[type[Proxy]], type[Proxy]]:
    """Class decorator: attach ``info`` to the class and register it under ``info.name``."""

    def deco(cls: type[Proxy]) -> type[Proxy]:
        cls.info = info
        PROXIES.add(info.name, cls)
        return cls

    return deco


def list_proxies(pattern: str = "*") -> list[str]:
    """Registered proxy names matching a shell-style pattern."""
    import naslens.estimators.zeroshot  # noqa: F401  (registers the built-in proxies)

    return PROXIES.list(pattern)


def create_proxy(name: str, **options: Any) -> Proxy:
    """Build a registered proxy with its options."""
    import naslens.estimators.zeroshot  # noqa: F401

    return PROXIES.create(name, **options)  # type: ignore[no-any-return]
