"""Zero-Cost-EVO: regularized evolution (:mod:`naslens.search.evolution`) driven by a zero-shot proxy.

The objective must be a zero-shot estimator (``EstimatorInfo.family == "zeroshot"``: ``nwot``, ``synflow``, …): its
scores are what the tournament compares. Defaults follow the zero-cost NAS examples of Abdelfattah et al.
("Zero-Cost Proxies for Lightweight NAS", ICLR 2021; the ``run_evolution_search`` of their public notebook): population
P = 64, tournament S = 10 distinct members (``replace=false``), mutation of one position.

Zero-cost warm-up (``warmup=W``, their ``zero_cost_warmup``, 3000 in the paper's NB201 examples): W random
architectures are scored with the proxy and the initial population is the P best of them. In the paper the warm-up
proxy ranks architectures whose *accuracy* then drives the evolution; here the proxy is the objective throughout, so
the warm-up is P-of-W selection on the proxy and its W evaluations count in the budget. The paper's combination —
proxy warm-up, then evolution on trained accuracy — is not this search: run ``evolution`` with a ground-truth
objective for the accuracy-driven part.

Example:
    >>> ZcEvo(budget=100).options["population"], ZcEvo(budget=100).options["sample"]
    (64, 10)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from naslens.search._base import SearchError, SearchInfo, register_search
from naslens.search.evolution import RegularizedEvolution
from naslens.search.objective import Objective

INFO = SearchInfo("zc-evo", "evolution", "Zero-Cost-EVO: regularized evolution on a zero-shot proxy (opt. warm-up)")


@register_search(INFO)
class ZcEvo(RegularizedEvolution):
    """Zero-Cost-EVO (options as :class:`~naslens.search.evolution.RegularizedEvolution`, other defaults)."""

    NAME = INFO.name
    DEFAULTS: ClassVar[dict[str, Any]] = {
        **RegularizedEvolution.DEFAULTS,
        "budget": 1000,
        "population": 64,
        "sample": 10,
        "replace": False,
    }

    def check_objectives(self, objectives: Sequence[Objective]) -> None:
        first = objectives[0]
        if first.info.family != "zeroshot":
            raise SearchError(
                f"search {self.NAME!r} is driven by a zero-shot proxy; objective {first.label!r} is a "
                f"{first.info.family} estimator (use 'evolution' for any estimator)"
            )
