"""The estimator interface: metadata, scores with per-architecture status, and the registry.

An estimator gives every architecture a float score. Its :class:`EstimatorInfo` says how to read the score
(``higher_is_better``) and what computing it needs; its ``config()`` is the full configuration, whose stable hash
keys its results in the score store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from naslens.registry import Registry
from naslens.types import (
    FAMILIES,
    STATUS_OK,
    EstimatorInfo,
    Scores,
    ScoringContext,
    SpaceInfo,
    UserError,
    config_hash,
    status_of,
)

F = TypeVar("F", bound=Callable[..., Any])


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


__all__ = [
    "ESTIMATORS",
    "FAMILIES",
    "REQUIRED",
    "STATUS_OK",
    "Estimator",
    "EstimatorConfigError",
    "EstimatorEntry",
    "EstimatorInfo",
    "Scores",
    "ScoringContext",
    "add_estimator",
    "config_hash",
    "create_estimator",
    "estimator_entry",
    "list_estimators",
    "load_builtin_estimators",
    "register_estimator",
    "status_of",
]


@runtime_checkable
class Estimator(Protocol):
    """Anything with ``info``, ``config()`` and ``score(space, archs)``."""

    info: EstimatorInfo

    def config(self) -> dict[str, Any]: ...

    def score(self, space: Any, archs: Sequence[Any]) -> Scores: ...


ESTIMATORS: Registry[Callable[..., Estimator]] = Registry("estimator")
"""Factories by name (``ESTIMATORS.register(name)`` still works: an entry without metadata, see
:func:`register_estimator` for the registration that lists metadata without building anything)."""

REQUIRED: Any = _Required()
"""Schema default of an option that has no default (``create_estimator`` refuses to build without it)."""


class EstimatorConfigError(UserError, ValueError):
    """Options an estimator does not accept (unknown or missing keys); the message lists the valid ones."""


@dataclass(frozen=True)
class EstimatorEntry:
    """A registered estimator: its factory, the metadata it declares and the options it accepts.

    Attributes:
        name: registry name.
        factory: builds the estimator from the run settings it takes (``context``) and its options.
        info: the :class:`EstimatorInfo` of what it builds (``None`` for an entry registered the old way, without
            metadata: listing it must build it).
        schema: ``{option: default}`` of every option (``REQUIRED`` for one without a default); ``None`` for an
            old-style entry, whose options are not checked.
        context: the :class:`~naslens.types.ScoringContext` fields the factory takes as keyword arguments.
        cost_columns: cost columns a space must declare for the estimator to apply (``SpaceInfo.cost_columns``).
        needs_supernet: it applies only to spaces that offer a weight-sharing supernet.
    """

    name: str
    factory: Callable[..., Estimator]
    info: EstimatorInfo | None = None
    schema: Mapping[str, Any] | None = None
    context: tuple[str, ...] = ()
    cost_columns: tuple[str, ...] = ()
    needs_supernet: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.context) - set(ScoringContext.fields()))
        if unknown:
            raise ValueError(f"estimator {self.name!r}: {unknown} are not run settings {ScoringContext.fields()}")
        clash = sorted(set(self.schema or ()) & set(ScoringContext.fields()))
        if clash:
            raise ValueError(f"estimator {self.name!r}: options {clash} clash with run settings; take them as context")
        if self.schema is not None:
            object.__setattr__(self, "schema", dict(self.schema))
        object.__setattr__(self, "context", tuple(self.context))
        object.__setattr__(self, "cost_columns", tuple(self.cost_columns))

    def not_applicable(self, space: SpaceInfo) -> str | None:
        """Why the estimator does not apply to a space with this info (``None`` when it applies)."""
        missing = [c for c in self.cost_columns if c not in space.cost_columns]
        if missing:
            return f"space {space.name!r} declares no cost column {', '.join(missing)}"
        if self.needs_supernet and not space.has_supernet:
            return f"space {space.name!r} offers no weight-sharing supernet"
        return None

    def options(self) -> dict[str, Any]:
        """``{option: default}`` (``REQUIRED`` shown as such); empty for an old-style entry."""
        return dict(self.schema or {})

    def build(self, context: ScoringContext, options: Mapping[str, Any]) -> Estimator:
        """Call the factory with the run settings it takes and ``options`` (checked against the schema)."""
        if self.schema is None:  # old-style entry: every set run setting, options unchecked (as before)
            return self.factory(**context.given(), **options)
        unknown = sorted(set(options) - set(self.schema))
        if unknown:
            accepted = ", ".join(f"{k}={v!r}" for k, v in self.schema.items()) or "none"
            raise EstimatorConfigError(
                f"estimator {self.name!r} has no option(s) {unknown}; its options: {accepted}; "
                f"run settings (given through the context): {', '.join(ScoringContext.fields())}"
            )
        missing = [k for k, v in self.schema.items() if v is REQUIRED and k not in options]
        if missing:
            raise EstimatorConfigError(f"estimator {self.name!r} needs option(s) {missing}")
        return self.factory(**context.given(self.context), **options)


_ENTRIES: dict[str, EstimatorEntry] = {}


def add_estimator(
    name: str,
    factory: Callable[..., Estimator],
    *,
    info: EstimatorInfo,
    schema: Mapping[str, Any] | None = None,
    context: Sequence[str] = (),
    cost_columns: Sequence[str] = (),
    needs_supernet: bool = False,
) -> EstimatorEntry:
    """Register ``factory`` under ``name`` with its metadata (see :class:`EstimatorEntry`); a duplicate raises.

    ``schema=None`` means the estimator takes no options (an empty schema): every option is then an error.
    """
    if info.name != name:
        raise ValueError(f"estimator {name!r} registered with the info of {info.name!r}")
    entry = EstimatorEntry(name, factory, info, dict(schema or {}), tuple(context), tuple(cost_columns), needs_supernet)
    ESTIMATORS.add(name, factory)
    _ENTRIES[name] = entry
    return entry


def register_estimator(
    name: str,
    *,
    info: EstimatorInfo,
    schema: Mapping[str, Any] | None = None,
    context: Sequence[str] = (),
    cost_columns: Sequence[str] = (),
    needs_supernet: bool = False,
) -> Callable[[F], F]:
    """Decorator form of :func:`add_estimator`.

    Example (how ``params`` is registered; a mistyped option is an error)::

        @register_estimator("params", info=EstimatorInfo("params", "structural"), context=("dataset", "net"))
        def params(dataset: str = "cifar10", net: dict | None = None) -> ComplexityEstimator: ...

        >>> create_estimator("params", datset="cifar100")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        naslens.estimators.base.EstimatorConfigError: estimator 'params' has no option(s) ['datset']; ...
    """

    def deco(factory: F) -> F:
        add_estimator(
            name,
            factory,
            info=info,
            schema=schema,
            context=context,
            cost_columns=cost_columns,
            needs_supernet=needs_supernet,
        )
        return factory

    return deco


BUILTIN_MODULES = (
    "naslens.estimators.structural",
    "naslens.estimators.ensemble",
    "naslens.estimators.zeroshot",
    "naslens.estimators.oneshot",
)
"""Modules whose import registers the built-in estimators, imported on first use in this order and only as far
as needed to find a name (so that structural estimators never import torch)."""


def load_builtin_estimators(until: str | None = None) -> None:
    """Register the built-in estimators (idempotent); with ``until``, stop as soon as that name is registered."""
    import importlib

    for module in BUILTIN_MODULES:
        if until is not None and until in ESTIMATORS:
            return
        importlib.import_module(module)


def estimator_entry(name: str) -> EstimatorEntry:
    """The registered entry of ``name`` (or of the estimator it aliases); unknown names raise ``KeyError``."""
    load_builtin_estimators(until=name)
    canonical = ESTIMATORS.canonical(name)
    return _ENTRIES.get(canonical) or EstimatorEntry(canonical, ESTIMATORS.get(canonical))


def create_estimator(name: str, context: ScoringContext | None = None, **kwargs: Any) -> Estimator:
    """Build a registered estimator.

    Args:
        name: registered name or alias.
        context: the run settings shared by every estimator of a run (dataset, seed, net, data, …); each
            estimator gets the fields it declares.
        **kwargs: the estimator's options (see ``estimator_entry(name).options()``); run-setting names
            (``dataset=``, ``seed=`` …) are accepted here too and override ``context``.

    Raises:
        EstimatorConfigError: an option the estimator does not accept (a typo), or a required one missing.
        KeyError: unknown estimator (the message lists the known ones).
    """
    shared = {k: kwargs.pop(k) for k in list(kwargs) if k in ScoringContext.fields()}
    ctx = (context or ScoringContext()).replace(**shared)
    return estimator_entry(name).build(ctx, kwargs)


def list_estimators(pattern: str = "*") -> dict[str, EstimatorEntry]:
    """``{name: EstimatorEntry}`` of the registered estimators matching a shell-style pattern (nothing is built)."""
    load_builtin_estimators()
    return {n: estimator_entry(n) for n in ESTIMATORS.list(pattern)}
