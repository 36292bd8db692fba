"""The estimator interface: metadata, scores with per-architecture status, and the registry.

An estimator gives every architecture a float score. Its :class:`EstimatorInfo` says how to read the score
(``higher_is_better``) and what computing it needs; its ``config()`` is the full configuration, whose stable hash
keys its results in the score store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from naslens.registry import Registry
from naslens.types import FAMILIES, STATUS_OK, EstimatorInfo, Scores, config_hash, status_of

__all__ = [
    "ESTIMATORS",
    "FAMILIES",
    "STATUS_OK",
    "Estimator",
    "EstimatorInfo",
    "Scores",
    "config_hash",
    "create_estimator",
    "list_estimators",
    "load_builtin_estimators",
    "status_of",
]


@runtime_checkable
class Estimator(Protocol):
    """Anything with ``info``, ``config()`` and ``score(space, archs)``."""

    info: EstimatorInfo

    def config(self) -> dict[str, Any]: ...

    def score(self, space: Any, archs: Sequence[Any]) -> Scores: ...


ESTIMATORS: Registry[Callable[..., Estimator]] = Registry("estimator")


BUILTIN_MODULES = (
    "naslens.estimators.structural",
    "naslens.estimators.zeroshot",
    "naslens.estimators.oneshot",
)
"""Modules whose import registers the built-in estimators (imported on first use, so that importing
``naslens.estimators`` or ``naslens.store`` stays light and free of import cycles)."""


def load_builtin_estimators() -> None:
    """Register the built-in estimators (idempotent)."""
    import importlib

    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def create_estimator(name: str, **context: Any) -> Estimator:
    """Build a registered estimator. ``context`` carries run settings (``dataset``, ``seed``, …); each factory
    takes what it needs and ignores the rest."""
    load_builtin_estimators()
    return ESTIMATORS.get(name)(**context)


def list_estimators(pattern: str = "*") -> list[str]:
    load_builtin_estimators()
    return ESTIMATORS.list(pattern)
