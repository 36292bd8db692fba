"""Which network a proxy is scored on, resolved through the space's declared capabilities.

A proxy declares a *semantic* request (``ProxyInfo.network``): ``run`` (the run's network) or ``thin`` (the space's
thin copy of it, ``SpaceInfo.thin_net``: NB201 ``{"C": 1, "N": 1}``, NAS-Bench-Macro
``{"init_channels": 4, "head_channels": 16}``). A space that defines no thin network cannot run a ``thin`` proxy: the
request raises :class:`~naslens.types.SpaceCapabilityError` *before any work* (when the estimator is bound to the
space or a run is prepared), so a run never starts only to store one failure per architecture. Thin settings may
change widths and depths, never the input (``in_channels``, ``input_size``): all proxies of a run share its batches.

Example:
    >>> from naslens.spaces import get_space
    >>> from naslens.estimators.zeroshot import create_proxy
    >>> proxy_network(create_proxy("linear_regions"), get_space("nb201"))
    {'C': 1, 'N': 1}
    >>> proxy_network(create_proxy("snip"), get_space("nb-macro"))
    {}
"""

from __future__ import annotations

from typing import Any

from naslens.estimators.zeroshot._proxy import Proxy
from naslens.types import SpaceCapabilityError

INPUT_KEYS = ("in_channels", "input_size")
"""Network settings a proxy's network request may not change (they define the shared batches)."""


def proxy_network(proxy: Proxy, space: Any) -> dict[str, Any]:
    """The network overrides ``proxy`` asks for on ``space`` (empty: the run's network).

    Raises:
        SpaceCapabilityError: the proxy needs a thin network and the space defines none, or the space's thin
            settings would change the network's input.
    """
    request = proxy.info.network
    if request == "run":
        return {}
    thin = dict(space.info.thin_net)
    if not thin:
        raise SpaceCapabilityError(
            f"proxy {proxy.info.name!r} cannot apply to space {space.name!r}: it is scored on the space's thin "
            "network and the space defines none (SpaceInfo.thin_net is empty)"
        )
    changed = sorted(set(thin) & set(INPUT_KEYS))
    if changed:
        raise SpaceCapabilityError(
            f"space {space.name!r}: thin_net may not change the network input ({', '.join(changed)}); "
            f"proxy {proxy.info.name!r} shares the run's batches"
        )
    return thin
