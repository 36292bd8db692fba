"""``check_proxy``: the contract every registered proxy must satisfy (run by our tests over every proxy × every
registered space; third parties run it on their own proxies and networks).

The contract runs on any *model factory*: a callable ``factory(seed) -> ContractModel`` (a module, its input shape
``(C, H, W)`` and class count), or a ``(space, arch, net)`` triple (``space.build(arch, **space.net_config(None,
**net))``, see :func:`space_model_factory`). The default is :class:`TinyConvNet` (a conv-BN-ReLU network with global
pooling, 3×8×8 inputs, 5 classes), which belongs to no space. Checks:

1. metadata: a :class:`ProxyInfo` whose name is registered;
2. the score is a finite float and is identical when recomputed (deterministic given the seed);
3. the model is left exactly as found: parameters and buffers (values, dtype), ``training`` flags,
   ``requires_grad``, ``.grad``;
4. the declared BatchNorm mode is enforced: the score does not depend on the mode the model was handed in;
5. labels: a proxy that needs labels refuses a batch without them; one that does not accepts it;
6. a proxy that does not need data gives the same score on a different batch of the same shape;
7. fused with every other default proxy of its pass kind, it gives the same score as alone.

Example:
    >>> from naslens.estimators.zeroshot import create_proxy
    >>> check_proxy(create_proxy("snip"))  # on the default TinyConvNet
    >>> from naslens.spaces import get_space
    >>> sp = get_space("nb-macro")
    >>> check_proxy(create_proxy("synflow"), model_factory=(sp, sp.parse("12012012"), {"init_channels": 4,
    ...     "head_channels": 16, "input_size": 16}))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from naslens.estimators.zeroshot._proxy import PROXIES, Batch, Proxy, ProxyError, ProxyInfo
from naslens.estimators.zeroshot.fused import FusedScorer


@dataclass
class ContractModel:
    """What a model factory returns: the network, its input shape ``(C, H, W)`` and its number of classes."""

    model: nn.Module
    input_shape: tuple[int, int, int]
    num_classes: int


ModelFactory = Callable[[int], ContractModel]
"""``factory(seed)``: a freshly initialised network (seeded by ``seed``)."""


class TinyConvNet(nn.Module):
    """Conv3×3-BN-ReLU, Conv3×3(stride 2)-BN-ReLU, global average pooling, Linear: the default contract network."""

    def __init__(self, in_channels: int = 3, width: int = 8, num_classes: int = 5) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(2 * width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.body(x)).flatten(1))  # type: ignore[no-any-return]


def tiny_conv_factory(seed: int) -> ContractModel:
    """The default factory: :class:`TinyConvNet` on 3×8×8 inputs, 5 classes."""
    torch.manual_seed(seed)
    return ContractModel(TinyConvNet(), (3, 8, 8), 5)


def space_model_factory(space: Any, arch: Any, net: Mapping[str, Any] | None = None) -> ModelFactory:
    """A factory building ``arch`` of ``space`` with ``space.net_config(None, **net)`` (validated by the space);
    the input shape is ``(in_channels, input_size, input_size)``."""
    cfg = space.net_config(None, **dict(net or {}))
    shape = (int(cfg["in_channels"]), int(cfg["input_size"]), int(cfg["input_size"]))

    def factory(seed: int) -> ContractModel:
        torch.manual_seed(seed)
        return ContractModel(space.build(arch, **cfg), shape, int(cfg["num_classes"]))

    return factory


def _factory(model_factory: ModelFactory | tuple[Any, ...] | None) -> ModelFactory:
    if model_factory is None:
        return tiny_conv_factory
    if isinstance(model_factory, tuple):
        if len(model_factory) not in (2, 3):
            raise TypeError("model_factory as a tuple is (space, arch) or (space, arch, net)")
        return space_model_factory(*model_factory)
    if not callable(model_factory):
        raise TypeError(f"model_factory must be a callable or a (space, arch, net) triple, got {model_factory!r}")
    return model_factory


def _batch(seed: int, spec: ContractModel, labels: bool = True, n: int = 10) -> Batch:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((n, *spec.input_shape), generator=g)
    y = torch.arange(n) % spec.num_classes
    return Batch(x, y if labels else None)


def _unusual_state(model: nn.Module) -> None:
    """Eval mode with every other submodule in train mode, the first parameter frozen, a stale ``.grad``."""
    model.eval()
    for i, m in enumerate(model.modules()):
        if i % 2:
            m.training = True
    params = list(model.parameters())
    params[0].requires_grad_(False)
    params[-1].grad = torch.full_like(params[-1], 0.5)


def _snapshot(model: nn.Module) -> dict[str, object]:
    return {
        "state": {k: v.detach().clone() for k, v in model.state_dict(keep_vars=True).items()},
        "dtypes": {k: v.dtype for k, v in model.state_dict().items()},
        "training": {n: m.training for n, m in model.named_modules()},
        "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()},
        "grad": {n: (None if p.grad is None else p.grad.clone()) for n, p in model.named_parameters()},
    }


def _same_snapshot(a: dict[str, object], b: dict[str, object]) -> list[str]:
    problems = []
    sa, sb = a["state"], b["state"]
    assert isinstance(sa, dict) and isinstance(sb, dict)
    for k in sa:
        if not torch.equal(sa[k], sb[k]):
            problems.append(f"parameter/buffer {k} changed")
    for key in ("dtypes", "training", "requires_grad"):
        if a[key] != b[key]:
            problems.append(f"{key} changed")
    ga, gb = a["grad"], b["grad"]
    assert isinstance(ga, dict) and isinstance(gb, dict)
    for k in ga:
        if (ga[k] is None) != (gb[k] is None) or (ga[k] is not None and not torch.equal(ga[k], gb[k])):
            problems.append(f".grad of {k} changed")
    return problems


def _close(a: float, b: float, rtol: float = 1e-5) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    return a == b or abs(a - b) <= rtol * max(abs(a), abs(b), 1e-12)


def check_proxy(proxy: Proxy, *, model_factory: ModelFactory | tuple[Any, ...] | None = None, seed: int = 0) -> None:
    """Raise ``AssertionError`` listing every violated rule (see the module docstring).

    Args:
        proxy: the proxy to check.
        model_factory: ``factory(seed) -> ContractModel``, a ``(space, arch, net)`` triple, or ``None`` for
            :class:`TinyConvNet`.
        seed: seed of the network, the batches and the proxy.
    """
    problems: list[str] = []
    info = getattr(proxy, "info", None)
    if not isinstance(info, ProxyInfo):
        raise AssertionError(f"{proxy!r} has no ProxyInfo")
    if info.name not in PROXIES:
        problems.append(f"{info.name!r} is not registered")
    spec = _factory(model_factory)(seed)
    model = spec.model
    batch = _batch(seed, spec)
    _unusual_state(model)  # a state the proxy must preserve
    before = _snapshot(model)
    try:
        v1 = proxy.compute(model, batch, seed=seed)
    except ProxyError as e:
        raise AssertionError(f"{info.name}: failed on the contract network: {e}") from e
    problems += [f"state: {p}" for p in _same_snapshot(before, _snapshot(model))]
    if not isinstance(v1, float) or not math.isfinite(v1):
        problems.append(f"score is not a finite float: {v1!r}")
    v2 = proxy.compute(model, batch, seed=seed)
    if v1 != v2:
        problems.append(f"not deterministic: {v1!r} then {v2!r}")
    model.train()
    v3 = proxy.compute(model, batch, seed=seed)
    if info.bn_mode in ("train", "eval", "removed") and not _close(v1, v3):
        problems.append(f"BN mode {info.bn_mode!r} not enforced: {v1!r} (model in eval) vs {v3!r} (in train)")
    unlabeled = _batch(seed, spec, labels=False)
    if info.needs_labels:
        try:
            proxy.compute(model, unlabeled, seed=seed)
            problems.append("needs_labels=True but a batch without labels was accepted")
        except ProxyError:
            pass
    else:
        try:
            v4 = proxy.compute(model, unlabeled, seed=seed)
            if not _close(v1, v4):
                problems.append(f"score changed without labels although needs_labels=False: {v1!r} vs {v4!r}")
        except ProxyError as e:
            problems.append(f"needs_labels=False but a batch without labels was refused: {e}")
    if not info.needs_data:
        v5 = proxy.compute(model, _batch(seed + 1, spec), seed=seed)
        if not _close(v1, v5):
            problems.append(f"needs_data=False but the score depends on the batch: {v1!r} vs {v5!r}")
    peers = [PROXIES.create(n) for n in PROXIES.list() if n != info.name]
    peers = [p for p in peers if p.info.pass_kind == info.pass_kind and p.pass_options() == proxy.pass_options()]
    fused = FusedScorer([proxy, *peers]).score(model, [batch], seed=seed)[info.name]
    if fused.status != "ok" or not _close(v3, fused.value):
        problems.append(f"fused value {fused.value!r} ({fused.status}) differs from the value alone {v3!r}")
    if problems:
        raise AssertionError(f"{info.name}: " + "; ".join(problems))
