"""``check_proxy``: the contract every registered proxy must satisfy (run by our tests over the whole registry;
third parties run it on their own proxies).

Checks, on a tiny NB201 network (C=4, N=1, 8×8 inputs):

1. metadata: a :class:`ProxyInfo` whose name is registered;
2. the score is a finite float and is identical when recomputed (deterministic given the seed);
3. the model is left exactly as found: parameters and buffers (values, dtype), ``training`` flags,
   ``requires_grad``, ``.grad``;
4. the declared BatchNorm mode is enforced: the score does not depend on the mode the model was handed in;
5. labels: a proxy that needs labels refuses a batch without them; one that does not accepts it;
6. a proxy that does not need data gives the same score on a different batch of the same shape;
7. fused with every other default proxy of its pass kind, it gives the same score as alone.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from naslens.estimators.zeroshot._proxy import PROXIES, Batch, Proxy, ProxyError, ProxyInfo
from naslens.estimators.zeroshot.fused import FusedScorer


def _tiny_model(seed: int) -> nn.Module:
    from naslens.spaces.nb201 import NB201Arch

    torch.manual_seed(seed)
    arch = NB201Arch(("nor_conv_3x3", "nor_conv_1x1", "skip_connect", "avg_pool_3x3", "nor_conv_3x3", "none"))
    from naslens.spaces.nb201.network import build_nb201

    return build_nb201(arch, C=4, N=1, num_classes=5)


def _batch(seed: int, labels: bool = True) -> Batch:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((10, 3, 8, 8), generator=g)
    y = torch.arange(10) % 5
    return Batch(x, y if labels else None)


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


def check_proxy(proxy: Proxy, *, seed: int = 0) -> None:
    """Raise ``AssertionError`` listing every violated rule (see the module docstring)."""
    problems: list[str] = []
    info = getattr(proxy, "info", None)
    if not isinstance(info, ProxyInfo):
        raise AssertionError(f"{proxy!r} has no ProxyInfo")
    if info.name not in PROXIES:
        problems.append(f"{info.name!r} is not registered")
    model = _tiny_model(seed)
    batch = _batch(seed)
    # put the model in an unusual state that the proxy must preserve
    model.eval()
    model.cells.train()  # type: ignore[union-attr]
    first = next(model.parameters())
    first.requires_grad_(False)
    last = list(model.parameters())[-1]
    last.grad = torch.full_like(last, 0.5)
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
    unlabeled = _batch(seed, labels=False)
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
        v5 = proxy.compute(model, _batch(seed + 1), seed=seed)
        if not _close(v1, v5):
            problems.append(f"needs_data=False but the score depends on the batch: {v1!r} vs {v5!r}")
    peers = [PROXIES.create(n) for n in PROXIES.list() if n != info.name]
    peers = [p for p in peers if p.info.pass_kind == info.pass_kind and p.pass_options() == proxy.pass_options()]
    fused = FusedScorer([proxy, *peers]).score(model, [batch], seed=seed)[info.name]
    if fused.status != "ok" or not _close(v3, fused.value):
        problems.append(f"fused value {fused.value!r} ({fused.status}) differs from the value alone {v3!r}")
    if problems:
        raise AssertionError(f"{info.name}: " + "; ".join(problems))
