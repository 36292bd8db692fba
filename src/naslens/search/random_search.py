"""Random search under a budget of estimator evaluations: the classic NAS baseline (Li & Talwalkar, 2019).

Architectures are drawn uniformly (``space.sample`` with ``numpy.random.default_rng(seed)``) until ``budget``
distinct ones have been valued; a draw of an architecture already valued costs nothing and is skipped, a draw that
violates the constraints is rejected (counted) and drawn again. The result is the best-valued architecture (or, with
two objectives, the Pareto set of the valued ones). With a ground-truth oracle objective (``gt:nb201-200ep``) this is
the benchmark's random search; with any estimator it is "random sampling ranked by the estimator".

Example:
    >>> from naslens.spaces import get_space
    >>> from naslens.search.objective import Objective
    >>> from naslens.types import ScoringContext
    >>> sp = get_space("nb201")
    >>> res = RandomSearch(budget=20).run(sp, Objective.create("params", sp, ScoringContext(dataset="cifar10")), seed=0)
    >>> res.evaluations, len(res.trajectory), bool(res.value == res.trajectory["value"].max())
    (20, 20, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from naslens.search._base import SearchInfo, SearchResult, register_search
from naslens.search.common import Search, as_objectives, check_enumerable_budget, positive
from naslens.search.constraints import Constraints
from naslens.search.driver import SearchDriver
from naslens.search.objective import Objective

INFO = SearchInfo("random-search", "sampling", "uniform random sampling until a budget of distinct evaluations")


@register_search(INFO)
class RandomSearch(Search):
    """Random search.

    Options:
        budget: distinct architectures to value (default 100).
        max_draws: give up (the result says so) after this many draws in all, ``0``: ``100 × budget + 1000``
            (a constraint or a small space may leave fewer than ``budget`` architectures to find).
    """

    NAME = INFO.name
    DEFAULTS: ClassVar[dict[str, Any]] = {"budget": 100, "max_draws": 0}

    def check(self) -> None:
        positive(self.NAME, self.options, "budget")
        positive(self.NAME, self.options, "max_draws", low=0)

    def run(
        self,
        space: Any,
        objectives: Objective | Sequence[Objective],
        *,
        seed: int = 0,
        store: Any = None,
        constraints: Constraints | None = None,
        progress: bool = False,
    ) -> SearchResult:
        budget = int(self.options["budget"])
        check_enumerable_budget(self.NAME, space, budget)
        objs = as_objectives(objectives)
        max_draws = self.options["max_draws"] or 100 * budget + 1000
        rng = np.random.default_rng(seed)
        draws = 0
        with SearchDriver(
            self.NAME,
            space,
            objs,
            self.options,
            seed=seed,
            store=store,
            constraints=constraints,
            total=budget,
            progress=progress,
        ) as drv:
            chunk = min(o.chunk for o in objs)
            while drv.evaluations < budget and draws < max_draws:
                batch: dict[str, Any] = {}
                while len(batch) < min(chunk, budget - drv.evaluations) and draws < max_draws:
                    a = drv.sample(rng)
                    draws += 1
                    k = space.key(a)
                    if k not in drv.points and k not in batch:
                        batch[k] = a
                drv.evaluate(list(batch.values()))
            extra: dict[str, Any] = {"draws": draws}
            if drv.evaluations < budget:
                extra["stopped"] = f"{max_draws} draws found only {drv.evaluations} distinct admissible architectures"
            return drv.result(extra)
