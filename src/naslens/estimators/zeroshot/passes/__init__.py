"""The shared computations ("passes") proxies reduce their scores from: one pass per file, a pass registry.

Built-in passes: ``ce_backward`` (cross-entropy forward/backward: weight and activation gradients, H·g, input
Jacobian), ``weights`` (the scored weights), ``synflow``, ``relu_codes`` (the NASWOT kernel), ``zen`` and ``ntk``.
Register another with :func:`register_pass`; a proxy names its pass in ``ProxyInfo.pass_kind``.

Imports point one way: this package imports only the zero-shot leaf modules (``_core``, ``_state``) and
:mod:`naslens.registry`; proxies import it, never the reverse.
"""

from naslens.estimators.zeroshot.passes import (  # noqa: F401  (each module registers its pass)
    ce_backward,
    ntk,
    relu_codes,
    synflow,
    weights,
    zen,
)
from naslens.estimators.zeroshot.passes._registry import (
    PASSES,
    PassFn,
    PassSpec,
    get_pass,
    list_passes,
    merged_options,
    register_pass,
    run_pass,
)
from naslens.estimators.zeroshot.passes.ce_backward import CE_REQUIREMENTS, CEBackwardResult, sum_products
from naslens.estimators.zeroshot.passes.ntk import NTKResult
from naslens.estimators.zeroshot.passes.relu_codes import ReluCodesResult, random_crops
from naslens.estimators.zeroshot.passes.synflow import SynflowResult
from naslens.estimators.zeroshot.passes.weights import WeightsResult
from naslens.estimators.zeroshot.passes.zen import ZenResult, pre_pool_features

__all__ = [
    "CE_REQUIREMENTS",
    "PASSES",
    "CEBackwardResult",
    "NTKResult",
    "PassFn",
    "PassSpec",
    "ReluCodesResult",
    "SynflowResult",
    "WeightsResult",
    "ZenResult",
    "get_pass",
    "list_passes",
    "merged_options",
    "pre_pool_features",
    "random_crops",
    "register_pass",
    "run_pass",
    "sum_products",
]
