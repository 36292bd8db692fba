import numpy as np
import pandas as pd
import pytest

from naslens.analysis import AnalysisError, pareto_best_levels, pareto_levels


def _brute_levels(cost, value):
    n = len(cost)
    levels = np.zeros(n, dtype=int)
    remaining = np.ones(n, dtype=bool)
    level = 0
    while remaining.any():
        level += 1
        idx = np.flatnonzero(remaining)
        dominated = [
            any(cost[j] <= cost[i] and value[j] >= value[i] and (cost[j] < cost[i] or value[j] > value[i]) for j in idx)
            for i in idx
        ]
        front = idx[~np.array(dominated)]
        levels[front] = level
        remaining[front] = False
    return levels


def test_matches_brute_force_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(100):
        n = int(rng.integers(1, 30))
        cost = rng.integers(0, 5, n).astype(float)
        value = rng.integers(0, 5, n).astype(float)
        assert pareto_levels(cost, value).tolist() == _brute_levels(cost, value).tolist()


def test_rejects_non_finite():
    with pytest.raises(AnalysisError):
        pareto_levels([1.0, 2.0], [np.nan, 1.0])


def test_best_of_each_group_levels():
    cost = np.array([1.0, 2, 3, 4, 5, 6])
    gt = np.array([1.0, 2, 3, 4, 5, 6])  # bigger is better: every point is on the true front
    f = pd.DataFrame({"arch": list("abcdef"), "ground_truth": gt, "params": cost, "inverse": -gt, "truth": gt})
    t = pareto_best_levels(f, {"inverse": True, "truth": True}, by="params", n_groups=3)
    truth = t[t["estimator"] == "truth"]
    assert truth["level"].tolist() == [1, 1, 1] and truth["best_arch"].tolist() == ["b", "d", "f"]
    inverse = t[t["estimator"] == "inverse"]
    # score falls with cost: only the cheapest point is non-dominated, point k sits on level k
    assert inverse["level"].tolist() == [2, 4, 6] and (inverse["n_levels"] == 6).all()
    assert (t[t["estimator"] == "ground_truth"]["level"] == 1).all()
