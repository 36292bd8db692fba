"""Search algorithms: metadata, the search registry and the result every run returns.

A search algorithm takes a search space and an estimator (or a mixed-op supernet and a proxy, for the operation-
scoring searches) and returns a :class:`SearchResult`: the architecture it chose and its tidy trajectory (every
costed step, with the estimator configuration, seed and cost), kept in a score store through
:class:`~naslens.search.journal.SearchJournal` so that a rerun resumes. One algorithm per module of
:mod:`naslens.search`; each registers itself with :func:`register_search`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from naslens.registry import Registry
from naslens.types import UserError

SEARCH_KINDS = ("sampling", "evolution", "operation-scoring", "predictor-guided", "pruning")


class SearchError(UserError, ValueError):
    """A search was asked for something it cannot do (an unknown option or order, a space without what it needs)."""


@dataclass(frozen=True)
class SearchInfo:
    """What a search algorithm is and what it needs; code branches on these fields, never on names.

    Attributes:
        name: registry name.
        kind: one of :data:`SEARCH_KINDS`.
        description: one line.
        needs_mixed_supernet: it works on the space's mixed-op supernet (``space.supernet(mode="mixed")``).
        needs_enumerable: it needs ``space.enumerate()``.
        multi_objective: it returns a Pareto set rather than one architecture.
    """

    name: str
    kind: str
    description: str = ""
    needs_mixed_supernet: bool = False
    needs_enumerable: bool = False
    multi_objective: bool = False

    def __post_init__(self) -> None:
        if self.kind not in SEARCH_KINDS:
            raise ValueError(f"{self.name}: kind must be one of {SEARCH_KINDS}, got {self.kind!r}")


@dataclass
class SearchResult:
    """What one search run found and what it cost.

    Attributes:
        search: the algorithm's name.
        space: the space's name.
        seed: the run's seed.
        config: the run's full configuration (estimator configuration included).
        arch: key of the chosen architecture (for a multi-objective run, of the first Pareto member).
        value: the estimator's value of the chosen architecture.
        evaluations: estimator evaluations the run spent (cached ones included: the cost of the search itself).
        seconds: seconds those evaluations took (as first computed, also when replayed from the store).
        trajectory: one row per step (``naslens.search.journal.STEP_COLUMNS`` plus run and seed columns).
        pareto: keys of the Pareto set (multi-objective runs), else empty.
        extra: algorithm-specific details (JSON-serialisable).
    """

    search: str
    space: str
    seed: int
    config: dict[str, Any]
    arch: str
    value: float
    evaluations: int
    seconds: float
    trajectory: pd.DataFrame
    pareto: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The JSON-serialisable part (everything but the trajectory)."""
        return {
            "search": self.search,
            "space": self.space,
            "seed": self.seed,
            "arch": self.arch,
            "value": self.value,
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "pareto": list(self.pareto),
            "extra": dict(self.extra),
            "config": dict(self.config),
        }


SEARCHES: Registry[Callable[..., Any]] = Registry("search algorithm")
_INFOS: dict[str, SearchInfo] = {}

BUILTIN_SEARCH_MODULES: tuple[str, ...] = (
    "naslens.search.zc_pt",
    "naslens.search.naswot_sampling",
    "naslens.search.random_search",
    "naslens.search.evolution",
    "naslens.search.zc_evo",
    "naslens.search.predictor_guided",
)
"""Modules of naslens' own search algorithms; importing one registers its algorithm (imported on first use)."""


def register_search(info: SearchInfo) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register a search factory (usually a class) under ``info.name`` with its metadata."""

    def deco(factory: Callable[..., Any]) -> Callable[..., Any]:
        SEARCHES.add(info.name, factory)
        _INFOS[info.name] = info
        if isinstance(factory, type):
            factory.info = info  # type: ignore[attr-defined]
        return factory

    return deco


def load_builtin_searches() -> None:
    """Import naslens' own search modules (each registers itself; idempotent)."""
    for module in BUILTIN_SEARCH_MODULES:
        importlib.import_module(module)


def search_info(name: str) -> SearchInfo:
    """The metadata of a registered search (an unknown name raises a KeyError listing the known ones)."""
    load_builtin_searches()
    return _INFOS[SEARCHES.canonical(name)]


def list_searches(pattern: str = "*") -> dict[str, SearchInfo]:
    """``{name: SearchInfo}`` of the registered searches matching a shell-style pattern."""
    load_builtin_searches()
    return {n: _INFOS[n] for n in SEARCHES.list(pattern)}


def create_search(name: str, **options: Any) -> Any:
    """Build a registered search with its options (the factory refuses unknown ones)."""
    load_builtin_searches()
    return SEARCHES.create(name, **options)
