"""The built-in proxies, listed and created by name (importing this module registers all of them).

Example:
    >>> "snip" in list_proxies("s*"), create_proxy("ntk", samples=4).options()
    (True, {'samples': 4})
"""

from __future__ import annotations

from typing import Any

from naslens.estimators.zeroshot import (  # noqa: F401  (each module registers its proxies)
    epe_nas,
    fisher,
    grad_norm,
    grasp,
    jacob_cov,
    l2_norm,
    linear_regions,
    ntk,
    plain,
    relu_logdet,
    snip,
    synflow,
    zen,
)
from naslens.estimators.zeroshot._proxy import PROXIES, Proxy


def list_proxies(pattern: str = "*") -> list[str]:
    """Registered proxy names matching a shell-style pattern (built-in and user-registered)."""
    return PROXIES.list(pattern)


def create_proxy(name: str, **options: Any) -> Proxy:
    """Build a registered proxy (or alias, e.g. ``relu_logdet``) with its options."""
    return PROXIES.create(name, **options)  # type: ignore[no-any-return]


def proxies_of_pass(pass_kind: str, names: list[str] | None = None) -> list[str]:
    """The proxies (of ``names``, default all registered) computed by the shared pass ``pass_kind``: commands pass
    the options of a pass (``--ntk-samples`` for the ``ntk`` pass) by this metadata, never by proxy name.

    Example:
        >>> proxies_of_pass("ntk")
        ['ntk', 'ntk_sumlogits']
    """
    return [n for n in (names if names is not None else list_proxies()) if PROXIES.get(n).info.pass_kind == pass_kind]  # type: ignore[attr-defined]
