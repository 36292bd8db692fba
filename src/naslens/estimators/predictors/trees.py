"""Tree-ensemble predictors (scikit-learn) on a fixed-length encoding of the architecture.

- ``random_forest``: ``RandomForestRegressor`` (100 trees), the tree baseline of the predictor studies;
- ``extra_trees``: ``ExtraTreesRegressor`` (100 trees, random split thresholds: smoother on few architectures);
- ``gradient_boosting``: ``GradientBoostingRegressor`` (100 stages of depth-3 trees, learning rate 0.1).

All regress the measured target on ``space.encode(arch, encoding)``: ``codes`` (default, one integer column per
position: the choice index, which trees split on like any number) or ``onehot``. One base class,
:class:`TreePredictor`, does the work; a subclass names its scikit-learn class and lists its hyperparameters, which
are passed through by name (``space`` and ``encoding`` excepted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor

from naslens.estimators.predictors.base import Predictor, PredictorError, PredictorInfo, register_predictor

TREE_ENCODINGS = ("codes", "onehot")
"""Encodings a tree predictor reads."""


class TreePredictor(Predictor):
    """A scikit-learn regressor on ``space.encode(arch, self.encoding)``.

    Subclasses set ``model_class`` and list ``space``, ``encoding``, ``random_state`` and the regressor's
    hyperparameters (same names) in ``__init__``. Learned attributes: ``model_`` (the fitted regressor).
    """

    model_class: ClassVar[type[Any]]
    _own_params: ClassVar[tuple[str, ...]] = ("space", "encoding")
    encoding: str

    def _features(self, archs: Sequence[Any]) -> np.ndarray:
        if self.encoding not in TREE_ENCODINGS:
            raise PredictorError(f"unknown encoding {self.encoding!r}; choose one of {', '.join(TREE_ENCODINGS)}")
        space = self._space()
        return np.stack([np.asarray(space.encode(a, self.encoding), dtype=np.float64).reshape(-1) for a in archs])

    def _model(self) -> Any:
        params = {k: v for k, v in self.get_params(deep=False).items() if k not in self._own_params}
        return self.model_class(**params)

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        x = self._features(archs)
        model = self._model()
        try:
            model.fit(x, y)
        except ValueError as e:  # scikit-learn's parameter validation (InvalidParameterError is a ValueError)
            raise PredictorError(f"{type(self).__name__}: {e}") from None
        self.model_ = model

    def _predict(self, archs: list[Any]) -> np.ndarray:
        return np.asarray(self.model_.predict(self._features(archs)), dtype=np.float64)


class ForestPredictor(TreePredictor):
    """A forest of ``n_estimators`` independent trees on the codes (or one-hot) encoding.

    Args:
        space: registered space name or space object.
        n_estimators: number of trees (100).
        max_features: features tried per split (scikit-learn's: a fraction, an int, ``"sqrt"``; 1.0 = all).
        min_samples_leaf: minimum architectures per leaf (1).
        encoding: ``codes`` (default) or ``onehot``.
        random_state: seeds the bootstrap and the feature / threshold draws.
    """

    def __init__(
        self,
        space: Any = "nb201",
        n_estimators: int = 100,
        max_features: float | int | str | None = 1.0,
        min_samples_leaf: int = 1,
        encoding: str = "codes",
        random_state: int | None = 0,
    ) -> None:
        self.space = space
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.encoding = encoding
        self.random_state = random_state


@register_predictor(PredictorInfo("random_forest", "tree", "codes", "random forest (100 trees) on the codes"))
class RandomForestPredictor(ForestPredictor):
    """``RandomForestRegressor`` (bootstrap) with the hyperparameters of :class:`ForestPredictor`.

    Example:
        >>> from naslens.spaces import get_space
        >>> space = get_space("nb201")
        >>> archs = [space.sample(np.random.default_rng(i)) for i in range(30)]
        >>> y = [float((space.encode(a, "codes") == 3).sum()) for a in archs]
        >>> RandomForestPredictor(n_estimators=10).fit(archs, y).predict(archs[:2]).shape
        (2,)
    """

    model_class = RandomForestRegressor


@register_predictor(PredictorInfo("extra_trees", "tree", "codes", "extremely randomised trees (100) on the codes"))
class ExtraTreesPredictor(ForestPredictor):
    """``ExtraTreesRegressor`` (random split thresholds, no bootstrap) with the hyperparameters of
    :class:`ForestPredictor`."""

    model_class = ExtraTreesRegressor


@register_predictor(
    PredictorInfo("gradient_boosting", "tree", "codes", "gradient-boosted trees (100 x depth 3) on the codes")
)
class GradientBoostingPredictor(TreePredictor):
    """``GradientBoostingRegressor`` (squared error) on the codes (or one-hot) encoding.

    Args:
        space: registered space name or space object.
        n_estimators: boosting stages (100).
        learning_rate: shrinkage per stage (0.1).
        max_depth: depth of each tree (3).
        subsample: fraction of the architectures each stage sees (1.0; below 1 makes it stochastic).
        max_features: features tried per split (``None`` = all).
        min_samples_leaf: minimum architectures per leaf (1).
        encoding: ``codes`` (default) or ``onehot``.
        random_state: seeds subsampling and feature draws.
    """

    model_class = GradientBoostingRegressor

    def __init__(
        self,
        space: Any = "nb201",
        n_estimators: int = 100,
        learning_rate: float = 0.1,
        max_depth: int = 3,
        subsample: float = 1.0,
        max_features: float | int | str | None = None,
        min_samples_leaf: int = 1,
        encoding: str = "codes",
        random_state: int | None = 0,
    ) -> None:
        self.space = space
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.encoding = encoding
        self.random_state = random_state
