"""``check_predictor`` passes on every registered predictor and catches each kind of violation."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from naslens.estimators.predictors import PREDICTORS, PredictorError, create_predictor, list_predictors
from naslens.estimators.predictors.check import CHECKS, PredictorCheckError, check_predictor, synthetic_target
from naslens.estimators.predictors.trees import ForestPredictor, RandomForestPredictor
from naslens.spaces import get_space

SPACES = ("nb201", "nb-macro")
BUILTIN = sorted(n for n in list_predictors() if PREDICTORS.get(n).__module__.startswith("naslens."))
"""Every predictor naslens registers (test-only ones, such as tests/toy_predictors.py, have their own tests)."""


# ---------------------------------------------------------------------- every registered predictor
@pytest.mark.parametrize("space_name", SPACES)
@pytest.mark.parametrize("name", BUILTIN)
def test_every_registered_predictor_passes(name: str, space_name: str) -> None:
    predictor = create_predictor(name)
    before = predictor.get_params()
    report = check_predictor(predictor, space_name)
    assert report["checks"] == CHECKS and report["kendall_tau"] > 0.9
    assert predictor.get_params() == before and not hasattr(predictor, "n_train_")  # the argument is untouched


# ---------------------------------------------------------------------- the synthetic target
@pytest.mark.parametrize("space_name", SPACES)
def test_synthetic_target_is_a_fixed_linear_function_of_the_onehot_encoding(space_name: str) -> None:
    space = get_space(space_name)
    archs = [space.sample(np.random.default_rng(i)) for i in range(200)]
    y = synthetic_target(space, archs, seed=4)
    x = np.stack([np.asarray(space.encode(a, "onehot"), dtype=np.float64) for a in archs])
    w, *_ = np.linalg.lstsq(x, y, rcond=None)
    assert np.allclose(x @ w, y)
    assert np.array_equal(y, synthetic_target(space, archs, seed=4))
    assert not np.array_equal(y, synthetic_target(space, archs, seed=5))
    assert len(np.unique(y)) > 150  # few ties


# ---------------------------------------------------------------------- violations are caught
FAST = {"n_train": 60, "n_test": 60}


class IgnoresTheSeed(RandomForestPredictor):
    def _model(self) -> Any:
        return super()._model().set_params(random_state=None)


class SortsItsScores(RandomForestPredictor):
    def _predict(self, archs: list[Any]) -> np.ndarray:
        return np.sort(super()._predict(archs))


class StandardisesPerBatch(RandomForestPredictor):
    def _predict(self, archs: list[Any]) -> np.ndarray:
        s = super()._predict(archs)
        return (s - s.mean()) / (s.std() or 1.0)


class StoresALearnedAttributeInInit(RandomForestPredictor):
    def __init__(self, space: Any = "nb201", n_estimators: int = 10, random_state: int | None = 0) -> None:
        super().__init__(space=space, n_estimators=n_estimators, random_state=random_state)
        self.model_ = None


class StoresAPrivateAttribute(RandomForestPredictor):
    def __init__(
        self,
        space: Any = "nb201",
        n_estimators: int = 10,
        max_features: Any = 1.0,
        min_samples_leaf: int = 1,
        encoding: str = "codes",
        random_state: int | None = 0,
    ) -> None:
        super().__init__(space, n_estimators, max_features, min_samples_leaf, encoding, random_state)
        self._cache: dict[str, Any] = {}


class ConvertsAnArgument(ForestPredictor):
    def __init__(self, space: Any = "nb201", n_estimators: int = 10, max_features: Any = 1.0) -> None:
        self.space = space
        self.n_estimators = n_estimators
        self.max_features = float(max_features) + 0.0  # a new object: not the argument


class PredictsUnfitted(RandomForestPredictor):
    def predict(self, archs: Any) -> np.ndarray:
        return super().predict(archs) if hasattr(self, "n_train_") else np.zeros(len(archs))


class AcceptsNaN(RandomForestPredictor):
    def fit(self, archs: Any, y: Any) -> Any:
        return super().fit(archs, np.nan_to_num(np.asarray(y, dtype=np.float64)))


class ReturnsNothing(RandomForestPredictor):
    def fit(self, archs: Any, y: Any) -> Any:
        super().fit(archs, y)
        return None


class RefusesKeys(RandomForestPredictor):
    def predict(self, archs: Any) -> np.ndarray:
        if any(isinstance(a, str) for a in archs):
            raise TypeError("architecture objects only")
        return super().predict(archs)


class LearnsNoise(RandomForestPredictor):
    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        super()._fit(archs, np.random.default_rng(0).permutation(y))


class ConstantScores(RandomForestPredictor):
    def _predict(self, archs: list[Any]) -> np.ndarray:
        return np.ones(len(archs))


class SharesStateAcrossInstances(RandomForestPredictor):
    shared: ClassVar[dict[str, Any]] = {}

    def fit(self, archs: Any, y: Any) -> Any:
        super().fit(archs, y)
        self.shared["model"] = self.model_
        return self

    def predict(self, archs: Any) -> np.ndarray:
        if "model" not in self.shared:
            raise PredictorError("not fitted yet")
        parsed = self._archs(archs, min_size=0)
        if not parsed:
            return np.zeros(0)
        return np.asarray(self.shared["model"].predict(self._features(parsed)), dtype=np.float64)


class Float32Scores(BaseEstimator):  # type: ignore[misc]
    """A third-party predictor that does not derive from naslens' base class."""

    def __init__(self, space: str = "nb201") -> None:
        self.space = space

    def fit(self, archs: Any, y: Any) -> Any:
        if not np.all(np.isfinite(np.asarray(y, dtype=float))):
            raise PredictorError("NaN")
        self.fitted_ = True
        return self

    def predict(self, archs: Any) -> np.ndarray:
        if not hasattr(self, "fitted_"):
            raise PredictorError("not fitted")
        return np.zeros(len(archs), dtype=np.float32)


BROKEN = [
    (StoresALearnedAttributeInInit(), "init", r"learned attributes \['model_'\] exist before fit"),
    (ConvertsAnArgument(), "init", "raised RuntimeError: Cannot clone .* modifies parameter max_features"),
    (StoresAPrivateAttribute(), "init", r"store exactly its arguments: extra attributes \['_cache'\], unset \[\]"),
    (PredictsUnfitted(n_estimators=10), "unfitted", "predict before fit did not raise PredictorError"),
    (AcceptsNaN(n_estimators=10), "nan_targets", "fit with a NaN target did not raise PredictorError"),
    (ReturnsNothing(n_estimators=10), "fit", "fit must return the predictor itself"),
    (Float32Scores(), "predict", r"float64 ndarray of shape \(60,\), got ndarray \(60,\) float32"),
    (SortsItsScores(n_estimators=10), "aligned", "predicting a permuted list did not permute the scores"),
    (StandardisesPerBatch(n_estimators=10), "aligned", "predicting a prefix of the list changed its scores"),
    (IgnoresTheSeed(n_estimators=10), "deterministic", "two fits with the same random_state differ"),
    (RefusesKeys(n_estimators=10), "keys", "raised TypeError: architecture objects only"),
    (SharesStateAcrossInstances(n_estimators=10), "clone_fitted", "clone of a fitted predictor did not raise"),
    (LearnsNoise(n_estimators=10), "learns", r"Kendall tau -?0\.\d+ <= 0.9 on 60 held-out archs"),
    (ConstantScores(n_estimators=10), "learns", "predictions of 60 held-out archs are all equal"),
]


@pytest.mark.parametrize(("predictor", "check", "match"), BROKEN, ids=[type(b[0]).__name__ for b in BROKEN])
def test_a_violation_fails_the_contract(predictor: Any, check: str, match: str) -> None:
    with pytest.raises(PredictorCheckError, match=match) as e:
        check_predictor(predictor, "nb-macro", **FAST)
    SharesStateAcrossInstances.shared.clear()
    assert isinstance(e.value, AssertionError)
    assert f"on nb-macro) {check}: " in str(e.value)


def test_the_message_names_the_registered_predictor() -> None:
    with pytest.raises(PredictorCheckError, match=r"^check_predictor\(random_forest on nb201\) learns: Kendall"):
        check_predictor(create_predictor("random_forest", n_estimators=5), "nb201", n_train=20, n_test=40)


def test_a_missing_get_params_fails_the_first_check() -> None:
    class NoParams:
        def fit(self, archs: Any, y: Any) -> Any:
            return self

    with pytest.raises(PredictorCheckError, match=r"\(NoParams on nb201\) init: raised AttributeError"):
        check_predictor(NoParams())


def test_quick_mode_caps_epochs_through_set_params() -> None:
    seen: list[int] = []

    class Recording(type(create_predictor("mlp"))):  # type: ignore[misc]
        def _fit(self, archs: list[Any], y: np.ndarray) -> None:
            seen.append(self.epochs)
            super()._fit(archs, y)

    check_predictor(Recording(hidden=32, layers=2, epochs=300), "nb-macro", n_train=200, n_test=100, quick_epochs=80)
    assert seen[-1] == 80 and set(seen[:-1]) == {5}
