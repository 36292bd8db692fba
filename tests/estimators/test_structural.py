"""Structural baselines behind the estimator interface."""

from __future__ import annotations

import numpy as np
import pytest

from naslens.estimators import ESTIMATORS, EstimatorInfo, create_estimator, list_estimators
from naslens.spaces import get_space

SPACE = get_space("nb201")


def test_registry_lists_and_rejects_duplicates() -> None:
    assert {"params", "flops", "flops_all_ops", "relu", "random"} <= set(list_estimators())
    assert list(list_estimators("fl*"))[:2] == ["flops", "flops_all_ops"]
    with pytest.raises(ValueError, match="already registered"):
        ESTIMATORS.add("params", lambda **_: None)
    with pytest.raises(KeyError, match="unknown estimator 'nope'"):
        create_estimator("nope")


def test_complexity_estimators_equal_the_analytic_table() -> None:
    archs = SPACE.enumerate()[:200]
    table = SPACE.complexity(archs, **SPACE.net_config("cifar100"))
    for name in ("params", "flops", "flops_all_ops", "relu"):
        sc = create_estimator(name, dataset="cifar100").score(SPACE, archs)
        assert np.array_equal(sc.values, table[name].to_numpy())
        assert sc.keys == [a.to_string() for a in archs] and sc.status_counts() == {"ok": 200}
        assert sc.info.family == "structural" and sc.config["dataset"] == "cifar100"


def test_random_is_seeded_and_order_independent() -> None:
    archs = list(SPACE.enumerate()[:500])
    a = create_estimator("random", seed=3).score(SPACE, archs)
    b = create_estimator("random", seed=3).score(SPACE, archs[::-1])
    c = create_estimator("random", seed=4).score(SPACE, archs)
    assert np.array_equal(a.values, b.values[::-1])
    assert not np.array_equal(a.values, c.values)
    assert a.values.min() >= 0 and a.values.max() < 1 and abs(a.values.mean() - 0.5) < 0.05
    assert a.config_hash != c.config_hash


def test_info_validation() -> None:
    with pytest.raises(ValueError, match="family"):
        EstimatorInfo("x", "magic")
    with pytest.raises(ValueError, match="bn_mode"):
        EstimatorInfo("x", "zeroshot", bn_mode="frozen")
