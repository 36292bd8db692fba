"""Regularized (aging) evolution (Real, Aggarwal, Huang & Le, "Regularized Evolution for Image Classifier
Architecture Search", AAAI 2019, Alg. 1), driven by any objective.

1. The initial population: ``population`` (P) architectures drawn at random (``space.sample``), each valued.
2. Each cycle: a tournament of ``sample`` (S) members drawn from the population (with replacement, as the paper's
   reference implementation and NASLib's ``RegularizedEvolution`` draw them; ``replace=false`` draws S distinct
   members, as the zero-cost NAS examples of Abdelfattah et al. 2021 do); the best-valued member is the parent; the
   child is one of ``space.neighbors(parent)`` chosen uniformly (one position's choice changed); it is valued and
   appended to the population, and the *oldest* member is removed (aging), whatever its value.
3. Until ``budget`` distinct architectures have been valued (a child already valued in this run joins the
   population at no cost).

Defaults: P = 10, S = 3, as NATS-Bench (Dong et al., TPAMI 2021) runs REA on NB201's topology space
(``exps/NATS-algos/run-all.sh``: ``--ea_population 10 --ea_sample_size 3``); Real et al. used P = 100, S = 25 on the
NASNet space and Abdelfattah et al. 2021 P = 64, S = 10 on NB201 (the defaults of :mod:`naslens.search.zc_evo`).

Budget constraints: the initial population is rejection-sampled; a mutation draws neighbours uniformly without
replacement until one satisfies the constraints (each refused one counted); a parent without an admissible
neighbour ends the cycle (counted in ``extra["dead_ends"]``). Multi-objective mode (two objectives): the tournament's
winner is the member of lowest Pareto level within the population (ties: higher first-objective value), and the
result is the Pareto set of everything valued.

``warmup`` (W ≥ P, default 0 = off): the initial population is the P best of W random architectures valued by the
objective (the "zero-cost warm-up" of Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021, there
ranked by a proxy; the W warm-up evaluations count in the budget).

Every step's ``extra`` records ``cycle`` and ``parent`` (children) or ``init`` (initial population); the result's
``extra["population"]`` is the final population, oldest first.

Example:
    >>> from naslens.spaces import get_space
    >>> from naslens.search.objective import Objective
    >>> from naslens.types import ScoringContext
    >>> sp = get_space("nb201")
    >>> res = RegularizedEvolution(budget=30).run(sp, Objective.create("params", sp, ScoringContext()), seed=0)
    >>> res.evaluations, len(res.extra["population"])
    (30, 10)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from naslens.search._base import SearchError, SearchInfo, SearchResult, register_search
from naslens.search.common import Search, as_objectives, check_enumerable_budget, positive
from naslens.search.constraints import Constraints
from naslens.search.driver import Point, SearchDriver, pareto_level_of
from naslens.search.objective import Objective

INFO = SearchInfo("evolution", "evolution", "regularized (aging) evolution: tournament, neighbour mutation, aging")


@register_search(INFO)
class RegularizedEvolution(Search):
    """Regularized evolution.

    Options:
        budget: distinct architectures to value (default 100).
        population: P (default 10). sample: S, the tournament size (default 3).
        replace: draw the tournament with replacement (default True, as Real et al.).
        warmup: W ≥ P random architectures valued for the initial population (its P best); 0: off.
        max_cycles: stop after this many cycles, 0: ``50 × budget`` (a small or constrained space may hold
            fewer new architectures than the budget).
    """

    NAME = INFO.name
    DEFAULTS: ClassVar[dict[str, Any]] = {
        "budget": 100,
        "population": 10,
        "sample": 3,
        "replace": True,
        "warmup": 0,
        "max_cycles": 0,
    }

    def check(self) -> None:
        o = self.options
        positive(self.NAME, o, "budget", "population", "sample")
        positive(self.NAME, o, "warmup", "max_cycles", low=0)
        if not o["replace"] and o["sample"] > o["population"]:
            raise SearchError(
                f"search {self.NAME!r}: sample {o['sample']} > population {o['population']} needs replace"
            )
        if o["warmup"] and o["warmup"] < o["population"]:
            raise SearchError(
                f"search {self.NAME!r}: warmup {o['warmup']} must be 0 or at least population {o['population']}"
            )
        if max(o["population"], o["warmup"]) > o["budget"]:
            raise SearchError(
                f"search {self.NAME!r}: budget {o['budget']} is smaller than the initial population / warm-up "
                f"({max(o['population'], o['warmup'])} evaluations)"
            )

    def check_objectives(self, objectives: Sequence[Objective]) -> None:
        """Subclasses restrict which objectives drive them."""

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
        o = self.options
        budget, p_size, s_size = int(o["budget"]), int(o["population"]), int(o["sample"])
        check_enumerable_budget(self.NAME, space, budget)
        objs = as_objectives(objectives)
        self.check_objectives(objs)
        rng = np.random.default_rng(seed)
        max_cycles = o["max_cycles"] or 50 * budget
        with SearchDriver(
            self.NAME, space, objs, o, seed=seed, store=store, constraints=constraints, total=budget, progress=progress
        ) as drv:
            n_init = int(o["warmup"]) or p_size
            init = [drv.sample(rng) for _ in range(n_init)]
            pts = drv.evaluate(init, [{"init": True} for _ in init])
            if o["warmup"]:
                order = sorted(range(len(pts)), key=lambda i: (-pts[i].fitness, i))[:p_size]
                pts = [pts[i] for i in sorted(order)]  # the P best, in the order they were drawn (oldest first)
            population: deque[Point] = deque(pts)
            cycles = dead_ends = 0
            while drv.evaluations < budget and cycles < max_cycles:
                cycles += 1
                idx = rng.choice(len(population), size=s_size, replace=bool(o["replace"]))
                parent = self._winner(drv, [population[int(i)] for i in idx])
                child = self._mutate(drv, parent.arch, rng)
                if child is None:
                    dead_ends += 1
                    continue
                (pt,) = drv.evaluate([child], [{"cycle": cycles, "parent": parent.key}])
                population.append(pt)
                population.popleft()  # aging: the oldest goes, whatever its value
            extra: dict[str, Any] = {
                "cycles": cycles,
                "dead_ends": dead_ends,
                "population": [p.key for p in population],
            }
            if drv.evaluations < budget:
                extra["stopped"] = f"{cycles} cycles found only {drv.evaluations} distinct architectures"
            return drv.result(extra)

    @staticmethod
    def _winner(drv: SearchDriver, members: list[Point]) -> Point:
        """The tournament's best member (the first drawn on ties); by Pareto level first with two objectives."""
        if len(drv.objectives) > 1:
            usable = [m for m in members if m.usable]
            if usable:
                levels = pareto_level_of(drv.objectives, usable)
                best = min(range(len(usable)), key=lambda i: (levels[i], -usable[i].fitness, i))
                return usable[best]
        return max(enumerate(members), key=lambda im: (im[1].fitness, -im[0]))[1]

    @staticmethod
    def _mutate(drv: SearchDriver, arch: Any, rng: np.random.Generator) -> Any:
        """One neighbour of ``arch`` chosen uniformly among those the constraints admit (``None``: none does)."""
        nbrs = drv.space.neighbors(arch)
        for i in rng.permutation(len(nbrs)):
            cand = nbrs[int(i)]
            if drv.admits(cand):
                return cand
        return None
