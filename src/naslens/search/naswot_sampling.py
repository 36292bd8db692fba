"""NASWOT-style sampling (Mellor et al., "Neural Architecture Search without Training", ICML 2021, Alg. 1): draw N
architectures at random, value each with the estimator, keep the best.

The paper's protocol repeats this for many independent runs (500 runs of N = 10, 100, 1000 on NB201) and reports the
mean ± std of the chosen architectures' test accuracy. Here ``budget`` is N and ``runs`` the number of independent
runs of one seed: run ``r`` of seed ``s`` draws with ``numpy.random.default_rng([s, r])`` (``space.sample``, with
replacement as the paper's sampler; a repeated draw costs nothing) and has its own journal (journal seed ``r``, the
base seed in its configuration), so a long protocol resumes run by run. A draw violating the constraints is rejected
(counted) and drawn again. The result's ``arch``/``value`` are run 0's choice; ``extra["runs"]`` holds every run's
(run, arch, value, evaluations, seconds); ``evaluations``/``seconds`` are totals over the runs (each run's own cost in
its entry). Scores reused from the store count as evaluations of every run that asks for them (the cost the
protocol has), so the total is runs × (distinct draws per run).

Example:
    >>> from naslens.spaces import get_space
    >>> from naslens.search.objective import Objective
    >>> from naslens.types import ScoringContext
    >>> sp = get_space("nb201")
    >>> obj = Objective.create("flops", sp, ScoringContext(dataset="cifar10"))
    >>> res = NaswotSampling(budget=10, runs=3).run(sp, obj, seed=0)
    >>> len(res.extra["runs"]), res.evaluations == sum(r["evaluations"] for r in res.extra["runs"])
    (3, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from naslens.search._base import SearchInfo, SearchResult, register_search
from naslens.search.common import Search, as_objectives, positive
from naslens.search.constraints import Constraints
from naslens.search.driver import SearchDriver
from naslens.search.objective import Objective

INFO = SearchInfo("naswot-sampling", "sampling", "best of N random architectures, over many independent runs")


@register_search(INFO)
class NaswotSampling(Search):
    """NASWOT sampling.

    Options:
        budget: N, the architectures drawn per run (default 100).
        runs: independent runs per seed (default 1; the paper: 500).
    """

    NAME = INFO.name
    DEFAULTS: ClassVar[dict[str, Any]] = {"budget": 100, "runs": 1}

    def check(self) -> None:
        positive(self.NAME, self.options, "budget", "runs")

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
        objs = as_objectives(objectives)
        n = int(self.options["budget"])
        per_run = {k: v for k, v in self.options.items() if k != "runs"}  # more runs later: earlier ones resume
        results: list[SearchResult] = []
        for r in range(int(self.options["runs"])):
            rng = np.random.default_rng([int(seed), r])
            with SearchDriver(
                self.NAME,
                space,
                objs,
                per_run,
                seed=r,
                store=store,
                constraints=constraints,
                total=n,
                progress=progress,
                key_extra={"base_seed": int(seed)},
            ) as drv:
                drawn = [drv.sample(rng) for _ in range(n)]
                drv.evaluate(drawn)
                results.append(drv.result({"run": r, "base_seed": int(seed), "draws": n}))
        first = results[0]
        runs = [
            {
                "run": i,
                "arch": res.arch,
                "value": res.value,
                "evaluations": res.evaluations,
                "seconds": res.seconds,
                "pareto": res.pareto,
                "rejections": res.extra["rejections"],
            }
            for i, res in enumerate(results)
        ]
        traj = pd.concat([res.trajectory.assign(run=i) for i, res in enumerate(results)], ignore_index=True)
        traj["seed"] = int(seed)
        extra = {**first.extra, "runs": runs, "rejections": sum(r["rejections"] for r in runs)}
        extra.pop("run", None)
        return SearchResult(
            search=self.NAME,
            space=space.info.name,
            seed=int(seed),
            config={**first.config, "runs": int(self.options["runs"])},
            arch=first.arch,
            value=first.value,
            evaluations=sum(r["evaluations"] for r in runs),
            seconds=float(sum(r["seconds"] for r in runs)),
            trajectory=traj,
            pareto=first.pareto,
            extra=extra,
        )
