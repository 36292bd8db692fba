"""Predictor-guided search: the multi-stage predictor search of :mod:`naslens.predictor_multistage` as a search.

Stage 1 fits ``predictor`` on ``per_stage`` random architectures valued by the objective; after each stage's fit the
predictor scores every architecture and the ``per_stage`` best-predicted ones not yet valued are valued next, and the
predictor is refitted on everything valued (see that module: it is run as it is, its files kept beside the journal
under ``STORE/predictor-guided/<run hash>/`` so that it resumes per stage). ``budget`` is the number of
architectures valued: ``stages = budget // per_stage`` stages, ``stages × per_stage`` evaluations.

The objective must be a ground-truth oracle (``gt:NAME``: e.g. the 12-epoch NB201 table as the cheap "train briefly"
signal, or the 200-epoch one), since the multi-stage search reads the values it reveals from a table, and the space
must be enumerable (the predictor scores all of it). Budget constraints restrict the architectures it may reveal to
those they admit (every refused architecture of the space counted once). Single-objective only.

Example:
    >>> PredictorGuided(budget=40, per_stage=10).stages
    4
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from naslens.search._base import SearchError, SearchInfo, SearchResult, register_search
from naslens.search.common import Search, as_objectives, check_enumerable_budget, positive
from naslens.search.constraints import Constraints
from naslens.search.driver import SearchDriver
from naslens.search.objective import Objective

INFO = SearchInfo(
    "predictor-guided",
    "predictor-guided",
    "multi-stage predictor search: fit, reveal the predicted best, refit (ground-truth objective)",
    needs_enumerable=True,
)


@register_search(INFO)
class PredictorGuided(Search):
    """Predictor-guided search.

    Options:
        budget: architectures valued (default 390 = 5 stages × 78).
        per_stage: architectures revealed per stage (default 78).
        predictor: a registered predictor (default ``random_forest``).
        loss: training loss of a neural predictor (default ``ranking``).
    """

    NAME = INFO.name
    DEFAULTS: ClassVar[dict[str, Any]] = {
        "budget": 390,
        "per_stage": 78,
        "predictor": "random_forest",
        "loss": "ranking",
    }

    def check(self) -> None:
        positive(self.NAME, self.options, "budget")
        positive(self.NAME, self.options, "per_stage", low=2)
        if self.stages < 1:
            raise SearchError(
                f"search {self.NAME!r}: budget {self.options['budget']} is less than one stage of "
                f"{self.options['per_stage']} architectures"
            )

    @property
    def stages(self) -> int:
        return int(self.options["budget"]) // int(self.options["per_stage"])

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
        from naslens.predictor_data import PredictorRunError, Truth
        from naslens.predictor_multistage import multistage
        from naslens.predictor_runlog import RunLog

        objs = as_objectives(objectives)
        if len(objs) != 1:
            raise SearchError(f"search {self.NAME!r} is single-objective; got {len(objs)} objectives")
        obj = objs[0]
        if obj.oracle is None:
            raise SearchError(
                f"search {self.NAME!r} reveals values from a ground-truth table: its objective must be gt:NAME, "
                f"not {obj.label!r}"
            )
        if not space.info.enumerable:
            raise SearchError(f"search {self.NAME!r} needs an enumerable space; {space.info.name!r} is not")
        per_stage, stages = int(self.options["per_stage"]), self.stages
        check_enumerable_budget(self.NAME, space, stages * per_stage)
        gt, metric = obj.oracle
        with SearchDriver(
            self.NAME,
            space,
            objs,
            self.options,
            seed=seed,
            store=store,
            constraints=constraints,
            total=stages * per_stage,
            progress=progress,
        ) as drv:
            series = gt.values[metric]
            keys = sorted(k for k in map(str, series.index) if np.isfinite(series[k]))
            if drv.constraints is not None:
                ok = drv.constraints.admits_many([space.parse(k) for k in keys])
                keys = [k for k, good in zip(keys, ok, strict=True) if good]
            signed = np.array([obj.signed(float(series[k])) for k in keys])
            prov = {**gt.provenance(metric), "name": obj.label}
            truth = Truth(space.info.name, obj.label, metric, keys, signed, prov)
            tmp = None
            if store is not None:
                out = Path(store.path) / "predictor-guided" / drv.journal.run_hash / f"seed-{seed}"
            else:
                tmp = tempfile.TemporaryDirectory(prefix="naslens-pg-")
                out = Path(tmp.name)
            try:
                ms = multistage(
                    space.info.name,
                    gt,
                    self.options["predictor"],
                    stages,
                    per_stage,
                    int(seed),
                    out=out,
                    loss=self.options["loss"],
                    truth=truth,
                    progress=False,
                )
                recs = sorted(
                    (
                        r
                        for r in RunLog(out / "multistage.jsonl")
                        if r["predictor"] == self.options["predictor"] and r["seed"] == int(seed)
                    ),
                    key=lambda r: r["stage"],
                )[:stages]
            except PredictorRunError as e:
                raise SearchError(f"search {self.NAME!r}: {e}") from None
            finally:
                if tmp is not None:
                    tmp.cleanup()
            waves = [recs[0]["known"], *(r["revealed"] for r in recs[:-1])]
            for stage, wave in enumerate(waves, start=1):
                drv.evaluate([space.parse(k) for k in wave], [{"stage": stage} for _ in wave])
            extra = {
                "stages": [{k: v for k, v in s.items()} for s in ms.stages],
                "fit_seconds": float(sum(s.get("fit_seconds", 0.0) for s in ms.stages)),
                "multistage_out": str(out) if store is not None else "",
            }
            return drv.result(extra)
