"""Which network a proxy is scored on: the run's network, with the proxy's declared overrides applied."""

from __future__ import annotations

from typing import Any

from naslens.estimators.zeroshot._proxy import Proxy


def proxy_network(proxy: Proxy, space: Any) -> dict[str, Any]:
    """The network overrides ``proxy`` asks for on ``space`` (empty: the run's network)."""
    return dict(proxy.info.network)
