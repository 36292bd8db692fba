"""Predictors defined outside naslens, registered only by the tests: the proof that a predictor someone adds joins
fit-eval, multistage and the CLI with no change to them (they go through the registry and ``PredictorInfo.kind``).

- ``toy_tree`` (kind ``tree``: no loss): a scikit-learn decision tree on the one-hot encoding; ``nan_every=k``
  makes every k-th prediction NaN (to test that non-finite predictions are counted, never dropped).
- ``toy_linear`` (kind ``tree``, i.e. no loss axis): least squares on the one-hot encoding, which learns an
  additive target exactly from enough architectures (to test multistage against a known-perfect predictor).

Also: :func:`synthetic_ground_truth`, a ground truth of any space whose value is additive in the codes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeRegressor

from naslens.benchmarks.ground_truth import GroundTruth, MetricInfo, Source
from naslens.estimators.predictors import PREDICTORS, Predictor, PredictorInfo, register_predictor


def _onehot(space: Any, archs: list[Any]) -> np.ndarray:
    return np.stack([np.asarray(space.encode(a, "onehot"), dtype=np.float64).reshape(-1) for a in archs])


class ToyTree(Predictor):
    def __init__(self, space: Any = "nb201", max_depth: int = 4, nan_every: int = 0, random_state: int | None = 0):
        self.space = space
        self.max_depth = max_depth
        self.nan_every = nan_every
        self.random_state = random_state

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        self.tree_ = DecisionTreeRegressor(max_depth=self.max_depth, random_state=self.random_state)
        self.tree_.fit(_onehot(self._space(), archs), y)

    def _predict(self, archs: list[Any]) -> np.ndarray:
        out = self.tree_.predict(_onehot(self._space(), archs))
        if self.nan_every:
            out[:: self.nan_every] = np.nan
        return out


class ToyLinear(Predictor):
    def __init__(self, space: Any = "nb201", random_state: int | None = 0):
        self.space = space
        self.random_state = random_state

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        x = _onehot(self._space(), archs)
        self.coef_, *_ = np.linalg.lstsq(x, y, rcond=None)

    def _predict(self, archs: list[Any]) -> np.ndarray:
        return _onehot(self._space(), archs) @ self.coef_


def register() -> None:
    """Register the toy predictors once per process."""
    if "toy_tree" not in PREDICTORS:
        register_predictor(PredictorInfo("toy_tree", "tree", "onehot", "test-only decision tree"))(ToyTree)
    if "toy_linear" not in PREDICTORS:
        register_predictor(PredictorInfo("toy_linear", "tree", "onehot", "test-only least squares"))(ToyLinear)


register()


def synthetic_ground_truth(space: Any, n: int, seed: int = 0, noise: float = 0.0) -> GroundTruth:
    """``n`` distinct sampled architectures of ``space`` whose value is additive in the codes (weights fixed by
    ``seed``) plus optional noise."""
    rng = np.random.default_rng(seed)
    archs: dict[str, Any] = {}
    while len(archs) < n:
        a = space.sample(rng)
        archs.setdefault(space.key(a), a)
    w = rng.normal(size=len(np.asarray(space.encode(next(iter(archs.values())), "onehot")).reshape(-1)))
    keys = sorted(archs)
    vals = np.array(
        [float(np.asarray(space.encode(archs[k], "onehot"), dtype=np.float64).reshape(-1) @ w) for k in keys]
    )
    vals = 80 + vals + noise * rng.normal(size=n)
    values = pd.DataFrame({"acc": vals}, index=pd.Index(keys, name="arch"))
    metrics = {"acc": MetricInfo("toy10", "test", 10, "one seed")}
    return GroundTruth(space.info.name, values, metrics, Source(f"synthetic-{space.info.name}", "0" * 64, "test"))
