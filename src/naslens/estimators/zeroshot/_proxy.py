"""Zero-shot proxy metadata, the ``Proxy`` base class and the proxy registry.

A proxy scores one randomly initialised network on one batch. Every proxy names its *pass* (the registered
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

from torch import nn

from naslens.estimators.zeroshot._core import Batch, ProxyError
from naslens.estimators.zeroshot.passes import PASSES, run_pass
from naslens.registry import Registry

__all__ = ["BN_MODES", "NETWORKS", "PRECISIONS", "Batch", "Proxy", "ProxyError", "ProxyInfo", "ce_info"]

BN_MODES = ("train", "eval", "removed", "n/a")
PRECISIONS = ("float32", "float64")
NETWORKS = ("run", "thin")
"""The network a proxy is scored on: the run's (``run``) or the space's thin copy (``thin``: ``SpaceInfo.thin_net``)."""


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
        pass_kind: the registered pass it needs (``naslens.estimators.zeroshot.passes.list_passes()``).
        requires: what the pass must produce for it (a subset of the pass's ``produces``; for ``ce_backward``:
            ``weight_grad``, ``act_grad``, ``hessian_grad``, ``input_jacobian``).
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
        if self.pass_kind not in PASSES:
            raise ValueError(
                f"{self.name}: pass_kind must be a registered pass {PASSES.list()}, got {self.pass_kind!r}"
            )
        unknown = set(self.requires) - PASSES.get(self.pass_kind).produces
        if unknown:
            raise ValueError(f"{self.name}: the {self.pass_kind} pass cannot produce {sorted(unknown)}")
        if self.network not in NETWORKS:
            raise ValueError(f"{self.name}: network must be one of {NETWORKS}, got {self.network!r}")
        if self.needs_labels and not self.needs_data:
            raise ValueError(f"{self.name}: a proxy that needs labels needs data")


def ce_info(
    name: str, requires: set[str], description: str, *, needs_labels: bool = True, higher_is_better: bool = True
) -> ProxyInfo:
    """Metadata of a proxy reduced from the ``ce_backward`` pass (real data, BN in train mode, float32)."""
    return ProxyInfo(
        name=name,
        higher_is_better=higher_is_better,
        needs_data=True,
        needs_labels=needs_labels,
        bn_mode="train",
        precision="float32",
        pass_kind="ce_backward",
        requires=frozenset(requires),
        description=description,
    )


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
