"""``SearchDriver``: the bookkeeping every estimator-driven search shares — valuing architectures through the
journal, counting cost, enforcing constraints, and building the :class:`~naslens.search.SearchResult`.

Cost at equal budget: ``evaluations`` is the number of *distinct* architectures the search asked to value (values
reused from the score store count: they are the cost of the search itself; asking again for an architecture already
valued in this run costs nothing), ``seconds`` the sum of their first-computed seconds (the estimator's
``Scores.seconds``, or the stored seconds of a reused score). Each distinct architecture is one journal step (item =
its key, value = the first objective's raw value, status, seconds; in multi-objective runs every objective's value is
in the step's ``extra``), so a rerun replays the stored steps without recomputing and continues where the first run
stopped. NaN, inf and failed values are counted (:meth:`SearchDriver.status_counts`), kept in the trajectory, and never
chosen as the best.

Multi-objective runs (two objectives) return the Pareto set of the evaluated architectures
(:func:`naslens.analysis.pareto.pareto_levels` on the signed values: level 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from naslens.progress import Tracker
from naslens.search._base import SearchError, SearchResult
from naslens.search.constraints import Constraints
from naslens.search.journal import SearchJournal, Step
from naslens.search.objective import Objective
from naslens.types import STATUS_OK


@dataclass
class Point:
    """One valued architecture: its journal step, key, architecture, raw values (one per objective), status (the
    first non-ok status of its objectives, else ``ok``), seconds, and the signed value searches maximise."""

    step: int
    key: str
    arch: Any
    values: tuple[float, ...]
    statuses: tuple[str, ...]
    seconds: float
    fitness: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return next((s for s in self.statuses if s != STATUS_OK), STATUS_OK)

    @property
    def value(self) -> float:
        return self.values[0]

    @property
    def usable(self) -> bool:
        return self.status == STATUS_OK and all(math.isfinite(v) for v in self.values)


def check_objectives(objectives: Sequence[Objective]) -> None:
    """At least one objective; at most two (the Pareto set is over two objectives); no label twice."""
    if not objectives:
        raise SearchError("a search needs an objective (an estimator or gt:NAME)")
    if len(objectives) > 2:
        raise SearchError(f"multi-objective search takes two objectives, got {len(objectives)}")
    labels = [o.label for o in objectives]
    if len(set(labels)) != len(labels):
        raise SearchError(f"objectives given twice: {labels}")


class SearchDriver:
    """Value, count and record the architectures of one search run (a context manager: shows progress).

    Args:
        search: the algorithm's registered name.
        space: the search space.
        objectives: the objective(s); the first drives single-objective choices.
        options: the algorithm's options (part of the run's key).
        seed: the run's seed (the journal's seed).
        store: the score store holding the journal (``None``: in memory).
        constraints: budget constraints (``None``: none).
        total: evaluations expected (for the progress display).
        progress: show progress.
        key_extra: more of the run's identity (e.g. the base seed of one of several NASWOT runs).
    """

    def __init__(
        self,
        search: str,
        space: Any,
        objectives: Sequence[Objective],
        options: dict[str, Any],
        *,
        seed: int,
        store: Any = None,
        constraints: Constraints | None = None,
        total: int | None = None,
        progress: bool = False,
        key_extra: dict[str, Any] | None = None,
    ) -> None:
        check_objectives(objectives)
        self.search = search
        self.space = space
        self.objectives = list(objectives)
        self.options = dict(options)
        self.seed = int(seed)
        self.constraints = constraints if constraints else None
        self._rejections0 = 0 if self.constraints is None else self.constraints.rejections
        self.config: dict[str, Any] = {
            "options": self.options,
            "objectives": [o.identity() for o in self.objectives],
            "constraints": self.constraints.describe() if self.constraints else {},
            **(key_extra or {}),
        }
        self.journal = SearchJournal(store, search, space.info.name, self.config, seed=self.seed)
        self.points: dict[str, Point] = {}
        self.order: list[str] = []
        self.replayed = 0
        self.computed = 0
        self._total = total
        self._progress = progress
        self._bar: Tracker | None = None

    def __enter__(self) -> SearchDriver:
        total = self._total if self._total is not None else len(self.journal)
        label = f"{self.search} seed {self.seed}"
        self._bar = Tracker(
            max(total - len(self.journal), 0),
            label,
            done=min(len(self.journal), total),
            enabled=self._progress,
            note=f"{self.objectives[0].label}",
        )
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None

    # ------------------------------------------------------------------ cost
    @property
    def evaluations(self) -> int:
        """Distinct architectures valued so far (the run's cost in estimator evaluations)."""
        return len(self.points)

    @property
    def seconds(self) -> float:
        """Sum of their first-computed seconds (unknown seconds of reused scores count as 0)."""
        return float(np.nansum([p.seconds for p in self.points.values()])) if self.points else 0.0

    def status_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.points.values():
            k = "failed" if p.status.startswith("failed") else p.status
            out[k] = out.get(k, 0) + 1
        return out

    # ------------------------------------------------------------------ constraints
    def admits(self, arch: Any) -> bool:
        """Whether ``arch`` satisfies the constraints (a refused one is counted)."""
        return self.constraints is None or self.constraints.admits(arch)

    @property
    def rejections(self) -> int:
        """Architectures the constraints refused during this run."""
        return 0 if self.constraints is None else self.constraints.rejections - self._rejections0

    def sample(self, rng: np.random.Generator, *, max_tries: int = 10_000) -> Any:
        """One architecture drawn with ``rng`` that satisfies the constraints (rejection sampling).

        Raises:
            SearchError: ``max_tries`` draws in a row violate the constraints.
        """
        for _ in range(max_tries):
            a = self.space.sample(rng)
            if self.admits(a):
                return a
        raise SearchError(
            f"{self.search}: {max_tries} sampled architectures in a row violate the constraints "
            f"{self.constraints.spec if self.constraints else ''}; loosen them"
        )

    # ------------------------------------------------------------------ valuing
    def evaluate(self, archs: Sequence[Any], extras: Sequence[dict[str, Any]] | None = None) -> list[Point]:
        """Points of ``archs`` (in order). An architecture new to the run is the next journal step: replayed when
        the journal holds it, else valued (every objective, in chunks) and recorded; one already valued in this
        run is returned as it is (no cost)."""
        keys = [self.space.key(a) for a in archs]
        extras = list(extras) if extras is not None else [{} for _ in archs]
        new: dict[str, tuple[Any, dict[str, Any]]] = {}
        for a, k, e in zip(archs, keys, extras, strict=True):
            if k not in self.points and k not in new:
                new[k] = (a, e)
        pending: list[tuple[int, str, Any, dict[str, Any]]] = []
        step = len(self.order)
        for k, (a, e) in new.items():
            stored = self.journal.get(step)
            if stored is not None and not pending:
                self._add(self._from_step(self.journal.replay(step, k, _never), a))
                self.replayed += 1
            else:
                pending.append((step, k, a, e))
            step += 1
        chunk = min(o.chunk for o in self.objectives)
        for start in range(0, len(pending), chunk):
            part = pending[start : start + chunk]
            per_obj = [o.evaluate([p[2] for p in part]) for o in self.objectives]
            for i, (st, k, a, e) in enumerate(part):
                vals = [per_obj[j][i] for j in range(len(self.objectives))]
                point = self._point(
                    st,
                    k,
                    a,
                    [v.value for v in vals],
                    [v.status for v in vals],
                    float(np.nansum([v.seconds for v in vals])),
                    e,
                )
                extra = dict(e)
                if len(self.objectives) > 1:
                    extra["values"] = [_json_float(v) for v in point.values]
                    extra["statuses"] = list(point.statuses)
                extra["sources"] = [v.source for v in vals]
                self.journal.record(st, k, point.values[0], seconds=point.seconds, status=point.status, extra=extra)
                point.extra = extra
                self._add(point)
                self.computed += 1
        return [self.points[k] for k in keys]

    def _point(
        self,
        step: int,
        key: str,
        arch: Any,
        values: list[float],
        statuses: list[str],
        seconds: float,
        extra: dict[str, Any],
    ) -> Point:
        o = self.objectives[0]
        return Point(step, key, arch, tuple(values), tuple(statuses), seconds, o.signed(values[0], statuses[0]), extra)

    def _from_step(self, s: Step, arch: Any) -> Point:
        if len(self.objectives) > 1:
            values = [math.nan if v is None else float(v) for v in s.extra["values"]]
            statuses = list(s.extra["statuses"])
        else:
            values, statuses = [s.value], [s.status]
        return self._point(s.step, s.item, arch, values, statuses, s.seconds, dict(s.extra))

    def _add(self, p: Point) -> None:
        self.points[p.key] = p
        self.order.append(p.key)
        if self._bar is not None:
            self._bar.advance()

    # ------------------------------------------------------------------ outcome
    def best(self, among: Sequence[Point] | None = None) -> Point | None:
        """The usable point of highest signed first-objective value (the earliest on ties); ``None`` if none."""
        pts = [p for p in (among if among is not None else [self.points[k] for k in self.order]) if p.usable]
        if not pts:
            return None
        return max(pts, key=lambda p: (p.fitness, -p.step))

    def pareto(self, among: Sequence[Point] | None = None) -> list[Point]:
        """Level-1 Pareto set of the usable points over the two objectives (signed: both maximised), by step."""
        pts = [p for p in (among if among is not None else [self.points[k] for k in self.order]) if p.usable]
        if len(self.objectives) < 2 or not pts:
            return []
        return [pts[i] for i in np.flatnonzero(pareto_level_of(self.objectives, pts) == 1)]

    def trajectory(self) -> pd.DataFrame:
        return self.journal.steps()

    def result(self, extra: dict[str, Any] | None = None) -> SearchResult:
        """The run's :class:`SearchResult` (recorded in the journal as its final result)."""
        best = self.best()
        front = self.pareto()
        chosen = front[0] if front else best
        info: dict[str, Any] = {
            "status_counts": self.status_counts(),
            "rejections": self.rejections,
            "replayed": self.replayed,
            "computed": self.computed,
            "objectives": [o.identity() for o in self.objectives],
            **(extra or {}),
        }
        if chosen is None:
            info["note"] = "no architecture got a usable value (see status_counts)"
        if front:
            info["pareto_values"] = [[_json_float(v) for v in p.values] for p in front]
        res = SearchResult(
            search=self.search,
            space=self.space.info.name,
            seed=self.seed,
            config=self.config,
            arch="" if chosen is None else chosen.key,
            value=math.nan if chosen is None else chosen.value,
            evaluations=self.evaluations,
            seconds=self.seconds,
            trajectory=self.trajectory(),
            pareto=[p.key for p in front],
            extra=info,
        )
        self.journal.finish(res.summary())
        return res


def pareto_level_of(objectives: Sequence[Objective], pts: Sequence[Point]) -> np.ndarray:
    """Pareto level (1 = non-dominated) of usable ``pts`` over two objectives, both read as signed (maximised)."""
    from naslens.analysis.pareto import pareto_levels

    first = np.array([objectives[0].signed(p.values[0], p.statuses[0]) for p in pts])
    second = np.array([objectives[1].signed(p.values[1], p.statuses[1]) for p in pts])
    return pareto_levels(-second, first)


def _json_float(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _never() -> tuple[float, float, dict[str, Any]]:
    raise AssertionError("a journal step that exists is replayed, never computed")
