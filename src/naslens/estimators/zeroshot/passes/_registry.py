"""The pass registry: every shared computation ("pass") proxies reduce their scores from, by name.

A pass is a function ``fn(model, batch, requires, seed, options) -> result``: it runs inside
:func:`~naslens.estimators.zeroshot._state.preserved_state`, sets the BatchNorm mode and precision its proxies
declare, leaves the model as it found it, and produces what ``requires`` asks for (a subset of the pass's
``produces``). Proxies name their pass in ``ProxyInfo.pass_kind``; the fused scorer runs each distinct pass once.
A user registers a new pass with :func:`register_pass` (before declaring a proxy that uses it).

Example:
    >>> from naslens.estimators.zeroshot.passes import list_passes
    >>> list_passes()
    ['ce_backward', 'ntk', 'relu_codes', 'synflow', 'weights', 'zen']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from naslens.estimators.zeroshot._core import Batch
from naslens.registry import Registry

PassFn = Callable[[nn.Module, "Batch | None", frozenset[str], int, dict[str, Any]], Any]


@dataclass(frozen=True)
class PassSpec:
    """A registered pass.

    Attributes:
        name: registry name (``ProxyInfo.pass_kind``).
        fn: the computation (see the module docstring).
        produces: what the pass can produce on request (``requires`` of its proxies); empty: one fixed result.
        description: one line.
    """

    name: str
    fn: PassFn
    produces: frozenset[str] = field(default_factory=frozenset)
    description: str = ""


PASSES: Registry[PassSpec] = Registry("zero-shot pass")


def register_pass(name: str, *, produces: Iterable[str] = (), description: str = "") -> Callable[[PassFn], PassFn]:
    """Function decorator: register ``fn`` as the pass ``name`` (a duplicate name raises ``ValueError``)."""

    def deco(fn: PassFn) -> PassFn:
        PASSES.add(name, PassSpec(name, fn, frozenset(produces), description or (fn.__doc__ or "").split("\n")[0]))
        return fn

    return deco


def list_passes(pattern: str = "*") -> list[str]:
    """Registered pass names matching a shell-style pattern."""
    return PASSES.list(pattern)


def get_pass(name: str) -> PassSpec:
    """The registered pass ``name``; an unknown name raises ``ValueError`` listing the known ones."""
    if name not in PASSES:
        raise ValueError(f"unknown pass kind {name!r}; known: {PASSES.list()}")
    return PASSES.get(name)


def merged_options(proxies: Sequence[Any]) -> dict[str, Any]:
    """The pass options of several proxies of one pass kind; they must agree where they overlap."""
    opts: dict[str, Any] = {}
    for p in proxies:
        for k, v in p.pass_options().items():
            if k in opts and opts[k] != v:
                raise ValueError(f"proxies disagree on pass option {k!r}: {opts[k]!r} vs {v!r}")
            opts[k] = v
    return opts


def run_pass(
    kind: str,
    model: nn.Module,
    batch: Batch | None,
    requires: frozenset[str],
    *,
    seed: int = 0,
    proxies: Sequence[Any] = (),
) -> Any:
    """Run the pass ``kind`` with the union of ``requires`` and the proxies' pass options.

    Raises:
        ValueError: an unknown pass, or a requirement the pass cannot produce.
    """
    spec = get_pass(kind)
    unknown = frozenset(requires) - spec.produces
    if unknown:
        raise ValueError(f"{kind} cannot produce {sorted(unknown)}; it produces {sorted(spec.produces)}")
    return spec.fn(model, batch, frozenset(requires), seed, merged_options(proxies))
