"""What the estimator-driven searches share: option checking and the interface every one of them implements.

Each search is a class registered with :func:`~naslens.search.register_search`; ``create_search(name, **options)``
builds it (an unknown option, or one of the wrong type, is a :class:`~naslens.search.SearchError` listing the valid
ones) and ``search.run(space, objectives, seed=, store=, constraints=, progress=)`` returns a
:class:`~naslens.search.SearchResult`. ``objectives`` is one :class:`~naslens.search.objective.Objective` or a list
of two (multi-objective mode: the result holds the Pareto set of what was evaluated).

Example:
    >>> parse_options("demo", {"budget": 100, "replace": True}, {"budget": 20})
    {'budget': 20, 'replace': True}
    >>> parse_options("demo", {"budget": 100}, {"budgte": 20})
    Traceback (most recent call last):
    ...
    naslens.search._base.SearchError: search 'demo' has no option(s) ['budgte']; its options: budget=100
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from naslens.search._base import SearchError, SearchResult
from naslens.search.constraints import Constraints
from naslens.search.objective import Objective


def parse_options(name: str, defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``defaults`` updated with ``given``, every value of the default's type (ints for ints, bools for bools,
    numbers for floats; a ``None`` default takes anything).

    Raises:
        SearchError: an unknown option or a value of the wrong type.
    """
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        valid = ", ".join(f"{k}={v!r}" for k, v in defaults.items())
        raise SearchError(f"search {name!r} has no option(s) {unknown}; its options: {valid}")
    out = dict(defaults)
    for k, v in given.items():
        d = defaults[k]
        ok = (
            d is None
            or (isinstance(d, bool) and isinstance(v, bool))
            or (isinstance(d, int) and not isinstance(d, bool) and isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(d, float) and isinstance(v, (int, float)) and not isinstance(v, bool))
            or (isinstance(d, str) and isinstance(v, str))
        )
        if not ok:
            raise SearchError(f"search {name!r}: option {k} must be a {type(d).__name__}, got {v!r}")
        out[k] = float(v) if isinstance(d, float) else v
    return out


def positive(name: str, options: Mapping[str, Any], *keys: str, low: int = 1) -> None:
    """Each of ``keys`` is an integer ≥ ``low``."""
    for k in keys:
        if options[k] < low:
            raise SearchError(f"search {name!r}: option {k} must be at least {low}, got {options[k]}")


def as_objectives(objectives: Objective | Sequence[Objective]) -> list[Objective]:
    return [objectives] if isinstance(objectives, Objective) else list(objectives)


def check_enumerable_budget(name: str, space: Any, budget: int) -> None:
    """A budget of distinct evaluations cannot exceed the size of an enumerable space."""
    if space.info.enumerable and space.info.size is not None and budget > space.info.size:
        raise SearchError(
            f"search {name!r}: budget {budget} exceeds the {space.info.size} architectures of space {space.info.name!r}"
        )


class Search(ABC):
    """Base of the estimator-driven searches: ``NAME``, ``DEFAULTS`` (options and their defaults), ``run``."""

    NAME = ""
    DEFAULTS: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, **options: Any) -> None:
        self.options = parse_options(self.NAME, self.DEFAULTS, options)
        self.check()

    def check(self) -> None:  # noqa: B027 (optional hook)
        """Validate the options (subclasses)."""

    @abstractmethod
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
        """Run (or resume, through the journal in ``store``) the search for ``seed``."""
