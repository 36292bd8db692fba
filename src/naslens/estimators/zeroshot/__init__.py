"""Zero-shot proxies: one file per proxy, a registry with metadata, shared passes (``passes/``: one pass per file,
a pass registry) and a fused scorer.

Registered proxies (``list_proxies()``): grad_norm, plain, snip, grasp, fisher, fisher_weighted, synflow,
log_synflow, jacob_cov, epe_nas, nwot (alias ``relu_logdet``), linear_regions, zen, ntk, ntk_sumlogits, l2_norm.
Each is also registered as an estimator
(``create_estimator("snip", data="cifar10", batch_size=128, n_batches=3, seed=0)``).
"""

from __future__ import annotations

from typing import Any

from naslens.estimators.base import ESTIMATORS, add_estimator
from naslens.estimators.zeroshot._proxy import PROXIES, Batch, Proxy, ProxyError, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.catalog import create_proxy, list_proxies
from naslens.estimators.zeroshot.contract import check_proxy
from naslens.estimators.zeroshot.estimator import RunContext, ZeroShotEstimator, info_of
from naslens.estimators.zeroshot.fused import FusedScorer, ProxyOutcome
from naslens.estimators.zeroshot.passes import PASSES, list_passes, register_pass
from naslens.types import EstimatorInfo

OPTIONS = {"proxy_options": None, "space": None, "checkpoint": None}
"""Options of every zero-shot estimator (run settings such as dataset, seed, net, data come from the run context)."""
CONTEXT = ("dataset", "seed", "net", "data", "data_root", "device", "batch_size", "n_batches")
"""Run settings the zero-shot estimators take (batch_size / n_batches default to 128 × 3)."""


def _info(name: str) -> EstimatorInfo:
    """The estimator metadata of a proxy, read from its registered ``ProxyInfo`` (nothing is built)."""
    return info_of(PROXIES.get(name).info)  # type: ignore[attr-defined]


def _factory(name: str) -> Any:
    def make(proxy_options: dict[str, Any] | None = None, **context: Any) -> ZeroShotEstimator:
        return ZeroShotEstimator(name, proxy_options=proxy_options, **context)

    make.__name__ = f"zeroshot_{name}"
    make.zeroshot_proxy = name  # type: ignore[attr-defined]
    make.__doc__ = f"The zero-shot proxy {name!r} as an estimator (see ZeroShotEstimator)."
    return make


for _name in PROXIES.list():
    # a second execution of this module (e.g. doctest collection) finds its own factories: keep them
    if _name in ESTIMATORS and getattr(ESTIMATORS.get(_name), "zeroshot_proxy", None) == _name:
        continue
    add_estimator(_name, _factory(_name), info=_info(_name), schema=OPTIONS, context=CONTEXT)
for _alias, _target in PROXIES.aliases().items():
    if _alias not in ESTIMATORS:
        ESTIMATORS.alias(_alias, _target)

from naslens.estimators import ensemble  # noqa: E402, F401  (registers vote and hybrid)

__all__ = [
    "PASSES",
    "PROXIES",
    "Batch",
    "FusedScorer",
    "Proxy",
    "ProxyError",
    "ProxyInfo",
    "ProxyOutcome",
    "RunContext",
    "ZeroShotEstimator",
    "check_proxy",
    "create_proxy",
    "list_passes",
    "list_proxies",
    "register_pass",
    "register_proxy",
]
