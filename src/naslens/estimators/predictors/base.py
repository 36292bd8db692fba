"""The predictor interface (scikit-learn conventions) and the predictor registry.

A predictor learns the ranking of a search space from a few architectures whose ground truth is known. It follows
scikit-learn's estimator conventions, so ``get_params``/``set_params``/``sklearn.base.clone`` work and third-party
tools (grid search, pipelines over features) apply:

- ``__init__`` only stores its arguments (every one a hyperparameter with a default; ``space`` names the search
  space whose encodings it reads, ``random_state`` seeds everything it draws);
- ``fit(archs, y)`` returns ``self``; what it learns lives in attributes ending in ``_``;
- ``predict(archs)`` returns one float64 score per architecture, aligned with ``archs`` (higher = better, on the
  scale of ``y`` for a regression loss, an arbitrary monotone scale for a ranking loss).

``archs`` are architecture objects of the space or any text the space parses (its keys). Targets must be finite:
a predictor learns from measured architectures only, and refuses NaN/inf with the positions that hold them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from sklearn.base import BaseEstimator

from naslens.registry import Registry
from naslens.types import UserError

__all__ = [
    "PREDICTORS",
    "Predictor",
    "PredictorError",
    "PredictorInfo",
    "create_predictor",
    "list_predictors",
    "predictor_info",
    "register_predictor",
]


class PredictorError(UserError, ValueError):
    """Bad input to a predictor (misaligned or non-finite targets, too few architectures, not fitted)."""


@dataclass(frozen=True)
class PredictorInfo:
    """What a registered predictor is.

    Attributes:
        name: registry name.
        kind: ``neural`` (trained with one of :data:`naslens.estimators.predictors.training.LOSSES`) or ``tree``.
        encoding: the space encoding it reads (``codes``, ``onehot``, ``graph``) or ``features`` for a model on
            stored scores.
        description: one line.
    """

    name: str
    kind: str
    encoding: str
    description: str

    def __post_init__(self) -> None:
        if self.kind not in ("neural", "tree"):
            raise ValueError(f"predictor kind must be 'neural' or 'tree', got {self.kind!r}")

    @property
    def takes_loss(self) -> bool:
        """Whether runs of this predictor have a loss axis (``--loss``): ``neural`` ones are trained with a loss of
        :data:`naslens.estimators.predictors.training.LOSSES`, ``tree`` ones have none (loss ``none``).

        Example:
            >>> [PredictorInfo(n, kind, "onehot", "").takes_loss for n, kind in (("m", "neural"), ("t", "tree"))]
            [True, False]
        """
        return self.kind == "neural"


class Predictor(BaseEstimator):  # type: ignore[misc]
    """Base class: input checks and space access shared by every predictor.

    Subclasses define ``__init__`` listing every hyperparameter (scikit-learn reads the signature), ``_fit(archs,
    y)`` on checked inputs and ``_predict(archs)``.
    """

    space: Any
    info: PredictorInfo

    # ------------------------------------------------------------------ public API
    def fit(self, archs: Sequence[Any], y: Any) -> Predictor:
        """Learn from ``archs`` with measured targets ``y`` (finite floats, one per architecture)."""
        parsed = self._archs(archs, min_size=2)
        target = check_targets(y, len(parsed))
        self._fit(parsed, target)
        self.n_train_ = len(parsed)
        return self

    def predict(self, archs: Sequence[Any]) -> np.ndarray:
        """One float64 score per architecture, aligned with ``archs``."""
        if not hasattr(self, "n_train_"):
            raise PredictorError(f"{type(self).__name__} is not fitted yet: call fit(archs, y) first")
        parsed = self._archs(archs, min_size=0)
        if not parsed:
            return np.zeros(0, dtype=np.float64)
        out = np.asarray(self._predict(parsed), dtype=np.float64).reshape(-1)
        if out.shape[0] != len(parsed):
            raise RuntimeError(f"{type(self).__name__} returned {out.shape[0]} scores for {len(parsed)} architectures")
        return out

    # ------------------------------------------------------------------ for subclasses
    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        raise NotImplementedError

    def _predict(self, archs: list[Any]) -> np.ndarray:
        raise NotImplementedError

    def _space(self) -> Any:
        """The search space object (``space`` may be a registered name or a space object)."""
        from naslens.spaces import get_space

        return get_space(self.space)

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.random_state if getattr(self, "random_state", None) is not None else 0)

    def _archs(self, archs: Sequence[Any], *, min_size: int) -> list[Any]:
        if isinstance(archs, (str, bytes)):
            raise PredictorError("archs must be a sequence of architectures, not one string")
        space = self._space()
        out = [space.parse(a) if isinstance(a, str) else a for a in archs]
        if len(out) < min_size:
            raise PredictorError(f"{type(self).__name__} needs at least {min_size} architectures, got {len(out)}")
        return out


def check_targets(y: Any, n: int) -> np.ndarray:
    """``y`` as a float64 vector of length ``n``; NaN/inf refused with their positions.

    Example:
        >>> check_targets([1, float("nan"), 3], 3)
        Traceback (most recent call last):
        ...
        naslens.estimators.predictors.base.PredictorError: targets hold 1 non-finite value(s) (NaN/inf) at \
positions [1]; a predictor learns from measured architectures only: drop them (or fix the ground truth)
    """
    try:
        target = np.asarray(y, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as e:
        raise PredictorError(f"targets must be numbers: {e}") from None
    if target.shape[0] != n:
        raise PredictorError(f"{target.shape[0]} targets for {n} architectures")
    bad = np.flatnonzero(~np.isfinite(target))
    if bad.size:
        raise PredictorError(
            f"targets hold {bad.size} non-finite value(s) (NaN/inf) at positions {bad[:10].tolist()}"
            f"{' …' if bad.size > 10 else ''}; a predictor learns from measured architectures only: drop them "
            "(or fix the ground truth)"
        )
    return target


# ---------------------------------------------------------------------- registry
PREDICTORS: Registry[type[Predictor]] = Registry("predictor")
"""Predictor classes by name (filled by :func:`register_predictor`)."""

P = TypeVar("P", bound=type[Predictor])


def register_predictor(info: PredictorInfo) -> Callable[[P], P]:
    """Class decorator: register a :class:`Predictor` subclass under ``info.name`` (sets ``cls.info``)."""

    def deco(cls: P) -> P:
        cls.info = info
        PREDICTORS.add(info.name, cls)
        return cls

    return deco


_BUILTIN = (
    "naslens.estimators.predictors.mlp",
    "naslens.estimators.predictors.lstm",
    "naslens.estimators.predictors.trees",
    "naslens.estimators.predictors.gates",
    "naslens.estimators.predictors.zc_features",
)


def load_builtin_predictors() -> None:
    """Import the built-in predictor modules (each registers itself once)."""
    import importlib

    for module in _BUILTIN:
        importlib.import_module(module)


def list_predictors(pattern: str = "*") -> dict[str, PredictorInfo]:
    """``{name: PredictorInfo}`` of the registered predictors matching a shell-style pattern."""
    load_builtin_predictors()
    return {n: PREDICTORS.get(n).info for n in PREDICTORS.list(pattern)}


def predictor_info(name: str) -> PredictorInfo:
    load_builtin_predictors()
    return PREDICTORS.get(name).info


def create_predictor(name: str, **params: Any) -> Predictor:
    """Build the registered predictor ``name`` with hyperparameters ``params`` (unknown ones raise, listing the
    valid ones)."""
    load_builtin_predictors()
    cls = PREDICTORS.get(name)
    valid = sorted(cls._get_param_names())
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise PredictorError(f"predictor {name!r} has no hyperparameter(s) {unknown}; valid: {', '.join(valid)}")
    return cls(**params)
