import numpy as np
import pandas as pd
import pytest

from naslens.analysis import AnalysisError, complexity_bias


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    flops = rng.permutation(n).astype(float)
    gt = flops + rng.normal(0, 30, n)
    return pd.DataFrame({"ground_truth": gt, "flops": flops, "params": flops / 10})


def test_perfect_estimator_has_zero_rd_and_unit_tau():
    f = _frame()
    f["perfect"] = f["ground_truth"]
    t = complexity_bias(f, {"perfect": True}, by="flops", n_groups=5)
    assert len(t) == 5
    assert np.allclose(t["mean_rd"], 0.0)
    assert np.allclose(t["kendall_tau"], 1.0)
    assert t["n_archs"].sum() == len(f)


def test_params_estimator_zero_rd_when_truth_is_monotone_in_params():
    f = _frame()
    f["ground_truth"] = 50 + f["params"] ** 0.5  # truth increases with params
    f["est"] = f["params"]
    t = complexity_bias(f, {"est": True}, by="params", n_groups=4)
    assert np.allclose(t["mean_rd"], 0.0)


def test_bonus_to_small_group_is_overestimation_and_rd_sums_to_zero():
    f = _frame()
    small = f["flops"] < 40
    f["biased"] = f["ground_truth"] + np.where(small, 1000.0, 0.0)
    t = complexity_bias(f, {"biased": True}, by="flops", n_groups=5)
    g0 = t[t["group"] == 0].iloc[0]
    assert g0["mean_rd"] > 0 and g0["mean_rd_rel"] > 0
    assert (t[t["group"] > 0]["mean_rd"] <= 0).all()
    assert np.isclose((t["mean_rd"] * t["n_archs"]).sum(), 0.0)
    assert np.allclose(t["kendall_tau"], 1.0)  # order inside each group is untouched


def test_hand_computed_rd():
    f = pd.DataFrame({"ground_truth": [4.0, 3, 2, 1], "flops": [1.0, 2, 3, 4], "s": [1.0, 2, 3, 4]})
    # true ranks r = [1,2,3,4], estimated ranks n = [4,3,2,1]; RD = [-3,-1,1,3]
    t = complexity_bias(f, {"s": True}, by="flops", n_groups=2)
    assert t["mean_rd"].tolist() == [-2.0, 2.0]
    assert t["mean_rd_rel"].tolist() == [-0.5, 0.5]
    assert t["kendall_tau"].tolist() == [-1.0, -1.0]


def test_lower_is_better_orientation_and_nan_scores():
    f = _frame(n=50)
    f["loss"] = -f["ground_truth"]
    f.loc[3, "loss"] = np.nan
    t = complexity_bias(f, {"loss": False}, n_groups=2)
    assert np.allclose(t["mean_rd"], 0.0)
    assert t["n_archs"].sum() == 49


def test_checkpoint_columns_are_split():
    f = _frame(n=30)
    f["os@epoch10"] = f["ground_truth"]
    t = complexity_bias(f, {"os@epoch10": True}, n_groups=2)
    assert set(t["base_estimator"]) == {"os"} and set(t["checkpoint"]) == {"epoch10"}


def test_missing_columns_raise():
    f = _frame(n=10)
    with pytest.raises(AnalysisError, match="nope"):
        complexity_bias(f, {"nope": True})
    with pytest.raises(AnalysisError, match="depth"):
        complexity_bias(f.assign(s=1.0), {"s": True}, by="depth")
