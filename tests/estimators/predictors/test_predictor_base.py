"""The predictor base class: target checks, input checks, the registry, scikit-learn cloning."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from naslens.estimators.predictors import (
    PREDICTORS,
    PredictorError,
    PredictorInfo,
    create_predictor,
    list_predictors,
    predictor_info,
    register_predictor,
)
from naslens.estimators.predictors.base import Predictor, check_targets
from naslens.estimators.predictors.trees import RandomForestPredictor
from naslens.spaces import get_space

SPACE = get_space("nb-macro")
ARCHS = [SPACE.parse(k) for k in ("00000000", "11111111", "22222222", "01201201")]


# ---------------------------------------------------------------------- targets
def test_check_targets_gives_a_float64_vector() -> None:
    out = check_targets([[1], [2], [3]], 3)
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("y", "n", "match"),
    [
        ([1.0, np.nan, 2.0, np.nan], 4, r"2 non-finite value\(s\) \(NaN/inf\) at positions \[1, 3\]"),
        ([np.inf, 1.0], 2, r"at positions \[0\]"),
        ([1.0, 2.0], 3, "2 targets for 3 architectures"),
        (["a", "b"], 2, "targets must be numbers"),
    ],
)
def test_check_targets_refuses(y: list, n: int, match: str) -> None:
    with pytest.raises(PredictorError, match=match):
        check_targets(y, n)


def test_many_bad_targets_are_elided() -> None:
    with pytest.raises(PredictorError, match=r"12 non-finite .*\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9\] …"):
        check_targets([np.nan] * 12, 12)


def test_fit_refuses_nan_targets_and_bad_inputs() -> None:
    p = RandomForestPredictor(space="nb-macro", n_estimators=5)
    with pytest.raises(PredictorError, match=r"positions \[2\]"):
        p.fit(ARCHS, [1.0, 2.0, np.nan, 3.0])
    assert not hasattr(p, "n_train_")
    with pytest.raises(PredictorError, match="at least 2 architectures, got 1"):
        p.fit(ARCHS[:1], [1.0])
    with pytest.raises(PredictorError, match="not one string"):
        p.fit("00000000", [1.0])


def test_predict_before_fit_and_after() -> None:
    p = RandomForestPredictor(space="nb-macro", n_estimators=5)
    with pytest.raises(PredictorError, match="RandomForestPredictor is not fitted yet"):
        p.predict(ARCHS)
    p.fit(ARCHS, [1.0, 2.0, 3.0, 4.0])
    assert p.n_train_ == 4
    assert p.predict([]).shape == (0,) and p.predict([]).dtype == np.float64
    assert np.array_equal(p.predict(["22222222"]), p.predict(ARCHS[2:3]))
    with pytest.raises(PredictorError, match="not one string"):
        p.predict("00000000")


def test_space_param_takes_a_name_or_a_space_object() -> None:
    y = [1.0, 2.0, 3.0, 4.0]
    by_name = RandomForestPredictor(space="nb-macro", n_estimators=5).fit(ARCHS, y).predict(ARCHS)
    by_obj = RandomForestPredictor(space=SPACE, n_estimators=5).fit(ARCHS, y).predict(ARCHS)
    assert np.array_equal(by_name, by_obj)


# ---------------------------------------------------------------------- registry
def test_builtins_are_listed_with_their_info() -> None:
    listed = list_predictors()
    assert {"mlp", "lstm", "random_forest", "extra_trees", "gradient_boosting"} <= set(listed)
    assert listed["lstm"] == PredictorInfo("lstm", "neural", "codes", listed["lstm"].description)
    assert listed["random_forest"].kind == "tree" and listed["mlp"].encoding == "onehot"
    assert "extra_trees" in list_predictors("*_tree*") and "random_forest" not in list_predictors("*_tree*")
    assert predictor_info("gradient_boosting") is PREDICTORS.get("gradient_boosting").info
    assert PREDICTORS.get("random_forest") is RandomForestPredictor


def test_a_duplicate_name_is_refused() -> None:
    list_predictors()
    with pytest.raises(ValueError, match="predictor 'mlp' is already registered"):

        @register_predictor(PredictorInfo("mlp", "tree", "codes", "a second mlp"))
        class Again(RandomForestPredictor):
            pass

    assert PREDICTORS.get("mlp").__name__ == "MLPPredictor"


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown predictor 'nope'; known: .*lstm.*random_forest"):
        create_predictor("nope")
    with pytest.raises(KeyError, match="unknown predictor 'nope'"):
        predictor_info("nope")


def test_info_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="kind must be 'neural' or 'tree'"):
        PredictorInfo("x", "linear", "codes", "?")


def test_create_predictor_refuses_unknown_hyperparameters_listing_valid_ones() -> None:
    with pytest.raises(PredictorError, match=r"'random_forest' has no hyperparameter\(s\) \['depth', 'trees'\]") as e:
        create_predictor("random_forest", trees=10, depth=3)
    assert "valid: encoding, max_features, min_samples_leaf, n_estimators, random_state, space" in str(e.value)
    p = create_predictor("random_forest", n_estimators=7, space="nb-macro")
    assert isinstance(p, RandomForestPredictor) and p.n_estimators == 7 and p.space == "nb-macro"


# ---------------------------------------------------------------------- scikit-learn conventions
def test_clone_gives_an_unfitted_copy_with_equal_params() -> None:
    p = create_predictor("lstm", space="nb-macro", hidden=7, epochs=2).fit(ARCHS, [1.0, 2.0, 3.0, 4.0])
    c = clone(p)
    assert c is not p and type(c) is type(p) and c.get_params() == p.get_params()
    assert not hasattr(c, "module_") and not hasattr(c, "n_train_")
    with pytest.raises(PredictorError, match="not fitted"):
        c.predict(ARCHS)


def test_set_params_and_unknown_params() -> None:
    p = create_predictor("mlp")
    assert p.set_params(hidden=9, loss="bce") is p and p.get_params()["hidden"] == 9 and p.loss == "bce"
    with pytest.raises(ValueError, match="Invalid parameter"):
        p.set_params(width=3)


def test_base_class_methods_must_be_implemented() -> None:
    class Bare(Predictor):
        def __init__(self, space: str = "nb-macro") -> None:
            self.space = space

    with pytest.raises(NotImplementedError):
        Bare().fit(ARCHS, [1.0, 2.0, 3.0, 4.0])
