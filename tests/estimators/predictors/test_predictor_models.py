"""The lstm predictor and the tree ensembles on both built-in spaces."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor

from naslens.criteria import kendall_tau
from naslens.estimators.predictors import PredictorError, create_predictor, list_predictors
from naslens.estimators.predictors.check import contract_archs, synthetic_target
from naslens.estimators.predictors.lstm import LSTMPredictor, label_vocabulary
from naslens.estimators.predictors.trees import TreePredictor
from naslens.spaces import get_space

SPACES = ("nb201", "nb-macro")


def _data(space_name: str, n: int = 120, seed: int = 0) -> tuple[list, np.ndarray]:
    space = get_space(space_name)
    archs = contract_archs(space, n, seed)
    return archs, synthetic_target(space, archs, seed=seed)


# ---------------------------------------------------------------------- lstm
def test_label_vocabulary_is_shared_across_positions() -> None:
    fake = SimpleNamespace(info=SimpleNamespace(choices=(("a", "b"), ("b", "c", "d"))))
    labels, table = label_vocabulary(fake)
    assert labels == ("a", "b", "c", "d")
    assert table.tolist() == [[0, 1, -1], [1, 2, 3]]


@pytest.mark.parametrize(("space_name", "n_labels", "n_positions"), [("nb201", 5, 6), ("nb-macro", 3, 8)])
def test_lstm_tokens_and_default_sizes(space_name: str, n_labels: int, n_positions: int) -> None:
    space = get_space(space_name)
    archs, y = _data(space_name, 20)
    p = LSTMPredictor(space=space_name, epochs=1).fit(archs, y)
    (tokens,) = p._inputs(space, archs[:3])
    # on both spaces every position offers the same labels in the same order: a token is the code
    assert tokens.shape == (3, n_positions)
    assert tokens.tolist() == [list(space.encode(a, "codes")) for a in archs[:3]]
    m = p.module_
    assert tuple(m.label.weight.shape) == (n_labels, 48) and tuple(m.position.weight.shape) == (n_positions, 48)
    assert m.lstm.hidden_size == 100 and m.lstm.num_layers == 1 and m.head.in_features == 100


def test_lstm_sees_where_an_op_sits() -> None:
    # the same multiset of ops at other positions: a bag-of-ops model cannot tell these apart, the LSTM must
    space = get_space("nb-macro")
    archs = [space.parse(k) for k in ("22110000", "00001122", "12000012", "21000021")]
    y = np.array([4.0, 1.0, 3.0, 2.0])
    p = LSTMPredictor(space="nb-macro", hidden=16, embedding=8, epochs=150, batch_size=4).fit(archs, y)
    assert kendall_tau(y, p.predict(archs)) == 1.0


@pytest.mark.parametrize("readout", ["last", "mean"])
def test_lstm_readouts_learn(readout: str) -> None:
    archs, y = _data("nb-macro", 160)
    p = LSTMPredictor(space="nb-macro", readout=readout, hidden=32, epochs=40, batch_size=32).fit(archs[:100], y[:100])
    assert kendall_tau(y[100:], p.predict(archs[100:])) > 0.8


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"readout": "max"}, "unknown readout 'max'; choose one of last, mean"),
        ({"hidden": 0}, "hidden must be a positive integer, got 0"),
        ({"embedding": 2.5}, "embedding must be a positive integer, got 2.5"),
    ],
)
def test_lstm_refuses_bad_hyperparameters(params: dict, match: str) -> None:
    archs, y = _data("nb201", 10)
    with pytest.raises(PredictorError, match=match):
        LSTMPredictor(epochs=1, **params).fit(archs, y)


# ---------------------------------------------------------------------- trees
TREES = {
    "random_forest": RandomForestRegressor,
    "extra_trees": ExtraTreesRegressor,
    "gradient_boosting": GradientBoostingRegressor,
}


def test_tree_predictors_are_registered_as_trees() -> None:
    listed = list_predictors()
    for name in TREES:
        assert listed[name].kind == "tree" and listed[name].encoding == "codes"
        assert isinstance(create_predictor(name), TreePredictor)


@pytest.mark.parametrize("name", sorted(TREES))
@pytest.mark.parametrize("space_name", SPACES)
def test_trees_pass_their_hyperparameters_through(name: str, space_name: str) -> None:
    archs, y = _data(space_name, 60)
    p = create_predictor(name, space=space_name, n_estimators=12, min_samples_leaf=2, random_state=7).fit(archs, y)
    model = p.model_
    assert type(model) is TREES[name]
    assert (model.n_estimators, model.min_samples_leaf, model.random_state) == (12, 2, 7)
    assert model.n_features_in_ == len(get_space(space_name).info.positions)  # one column per position


def test_the_defaults_are_the_papers() -> None:
    rf = create_predictor("random_forest").get_params()
    assert (rf["n_estimators"], rf["max_features"], rf["min_samples_leaf"], rf["encoding"]) == (100, 1.0, 1, "codes")
    gb = create_predictor("gradient_boosting").get_params()
    assert (gb["n_estimators"], gb["learning_rate"], gb["max_depth"], gb["subsample"]) == (100, 0.1, 3, 1.0)


@pytest.mark.parametrize("space_name", SPACES)
def test_onehot_encoding(space_name: str) -> None:
    space = get_space(space_name)
    archs, y = _data(space_name, 60)
    p = create_predictor("random_forest", space=space_name, encoding="onehot", n_estimators=5).fit(archs, y)
    assert p.model_.n_features_in_ == sum(space.info.cardinalities)
    codes = create_predictor("random_forest", space=space_name, n_estimators=5).fit(archs, y)
    assert not np.array_equal(p.predict(archs), codes.predict(archs))


def test_random_state_reaches_the_forest() -> None:
    archs, y = _data("nb201", 60)
    same = [create_predictor("random_forest", n_estimators=10, random_state=3).fit(archs, y) for _ in range(2)]
    other = create_predictor("random_forest", n_estimators=10, random_state=4).fit(archs, y)
    assert np.array_equal(same[0].predict(archs), same[1].predict(archs))
    assert not np.array_equal(same[0].predict(archs), other.predict(archs))


def test_stochastic_gradient_boosting_follows_the_seed() -> None:
    archs, y = _data("nb-macro", 60)

    def scores(seed: int) -> np.ndarray:
        p = create_predictor("gradient_boosting", space="nb-macro", subsample=0.5, random_state=seed)
        return p.fit(archs, y).predict(archs)

    assert np.array_equal(scores(1), scores(1)) and not np.array_equal(scores(1), scores(2))


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("random_forest", {"encoding": "graph"}, "unknown encoding 'graph'; choose one of codes, onehot"),
        ("random_forest", {"n_estimators": 0}, "RandomForestPredictor: The 'n_estimators' parameter"),
        ("extra_trees", {"max_features": "most"}, "ExtraTreesPredictor: The 'max_features' parameter"),
        ("gradient_boosting", {"learning_rate": -1.0}, "GradientBoostingPredictor: The 'learning_rate' parameter"),
    ],
)
def test_trees_refuse_bad_hyperparameters(name: str, params: dict, match: str) -> None:
    archs, y = _data("nb201", 10)
    with pytest.raises(PredictorError, match=match):
        create_predictor(name, **params).fit(archs, y)


@pytest.mark.parametrize("name", sorted(TREES))
def test_trees_rank_a_held_out_set(name: str) -> None:
    archs, y = _data("nb-macro", 400)
    p = create_predictor(name, space="nb-macro").fit(archs[:200], y[:200])
    assert kendall_tau(y[200:], p.predict(archs[200:])) > 0.9
