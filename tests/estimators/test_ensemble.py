"""vote and hybrid ensembles: hand examples with ties and NaN, orientation, parsing, estimator wiring."""

from __future__ import annotations

import numpy as np
import pytest

from naslens.estimators import create_estimator
from naslens.estimators.ensemble import HybridEstimator, VoteEstimator, pairwise_vote, parse_ensemble, rank_sum
from naslens.spaces import get_space


def test_parse_ensemble():
    assert parse_ensemble("hybrid:zen+flops") == ("hybrid", ["zen", "flops"], [1.0, 1.0])
    assert parse_ensemble("hybrid:synflow*2+params") == ("hybrid", ["synflow", "params"], [2.0, 1.0])
    assert parse_ensemble("vote:a,b,c")[1] == ["a", "b", "c"]
    for bad in ("zen+flops", "mix:a+b", "hybrid:", "hybrid:a+a", "hybrid:a*x+b"):
        with pytest.raises(ValueError):
            parse_ensemble(bad)


def test_rank_sum_with_ties_weights_and_nan():
    a = np.array([1.0, 2.0, 2.0, 4.0])
    b = np.array([4.0, 3.0, 2.0, 1.0])
    assert rank_sum([a, b]).tolist() == [5.0, 5.5, 4.5, 5.0]
    assert rank_sum([a, b], [2, 1]).tolist() == [6.0, 8.0, 7.0, 9.0]
    out = rank_sum([np.array([1.0, np.nan, 3.0]), np.array([1.0, 2.0, 3.0])])
    assert np.isnan(out[1]) and out[[0, 2]].tolist() == [2.0, 4.0]


def test_pairwise_vote_majority_and_ties():
    # experts: e1 = [1,2,3], e2 = [1,3,2], e3 = [3,2,1]
    # pair (0,1): e1 1<2, e2 1<3, e3 3>2 → 1 wins 2:1 ; (0,2): 2 wins 2:1 ; (1,2): e1 2<3, e2 3>2, e3 2>1 → 1 wins
    out = pairwise_vote([np.array([1.0, 2, 3]), np.array([1.0, 3, 2]), np.array([3.0, 2, 1])])
    assert out.tolist() == [0.0, 2.0, 1.0]
    tie = pairwise_vote([np.array([1.0, 2.0]), np.array([2.0, 1.0])])
    assert tie.tolist() == [0.5, 0.5]
    with_nan = pairwise_vote([np.array([1.0, np.nan, 3.0]), np.array([1.0, 2.0, 3.0])], chunk=1)
    assert np.isnan(with_nan[1]) and with_nan[[0, 2]].tolist() == [0.0, 1.0]


def test_single_expert_vote_reproduces_its_ranking():
    rng = np.random.default_rng(0)
    s = rng.normal(size=50)
    assert np.argsort(pairwise_vote([s, s, s], chunk=7)).tolist() == np.argsort(s).tolist()


def test_hybrid_estimator_orients_members():
    space = get_space("nb201")
    archs = [space.parse(i) for i in range(20)]
    h = create_estimator("hybrid", members="params+flops")
    sc = h.score(space, archs)
    assert h.info.family == "ensemble" and h.info.higher_is_better and sc.status == ["ok"] * 20
    params = space.complexity(archs)["params"].to_numpy()
    assert np.corrcoef(sc.values, params)[0, 1] > 0.9
    assert isinstance(create_estimator("vote", members=["params", "flops", "relu"]), VoteEstimator)
    assert HybridEstimator(["a", "b"], [2, 1]).name == "hybrid:a*2+b"
    with pytest.raises(ValueError):
        HybridEstimator(["a"])
    with pytest.raises(ValueError):
        HybridEstimator(None)
