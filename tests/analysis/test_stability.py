import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from naslens.analysis import AnalysisError, checkpoint_stability, relative_stability, seed_stability, stability_between


def test_identical_and_reversed_scores():
    ref = np.arange(100.0)
    same = relative_stability(ref, ref * 3 + 1, ks=[0.1])
    assert same["kendall_tau"] == 1.0 and same["p_top@0.1"] == 1.0 and same["p_bottom@0.1"] == 1.0
    rev = relative_stability(ref, -ref, ks=[0.1])
    assert rev["kendall_tau"] == -1.0 and rev["p_top@0.1"] == 0.0


def test_matches_scipy_on_finite_pairs_and_counts_them():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=60), rng.normal(size=60)
    b[:5] = np.nan
    out = relative_stability(a, b, ks=[0.5])
    assert out["n_archs"] == 55
    assert np.isclose(out["kendall_tau"], kendalltau(a[5:], b[5:]).statistic)


def test_k_too_small_gives_nan():
    out = relative_stability(np.arange(5.0), np.arange(5.0), ks=[0.01])
    assert np.isnan(out["p_top@0.01"])


def test_checkpoints_are_compared_in_numeric_order_later_as_reference():
    rng = np.random.default_rng(2)
    base = rng.normal(size=80)
    f = pd.DataFrame(
        {
            "os@epoch10": base + rng.normal(0, 0.1, 80),
            "os@epoch9": -base,
            "os@epoch100": base,
            "single@epoch1": base,
            "other": base,
        }
    )
    t = checkpoint_stability(f, dict.fromkeys(f.columns, True), ks=[0.1])
    assert t["reference"].tolist() == ["os@epoch10", "os@epoch100"]
    assert t["other"].tolist() == ["os@epoch9", "os@epoch10"]
    assert t["kendall_tau"].iloc[0] < -0.8 and t["kendall_tau"].iloc[1] > 0.8
    assert set(t["estimator"]) == {"os"}


def test_no_checkpoints_gives_empty_table():
    f = pd.DataFrame({"a": [1.0, 2.0]})
    assert checkpoint_stability(f, {"a": True}).empty


def test_seed_stability_and_orientation():
    x = np.arange(30.0)
    f = pd.DataFrame({"loss#seed2": -x, "loss#seed1": -x, "acc#seed0": x})
    t = seed_stability(f, {"loss#seed2": False, "loss#seed1": False, "acc#seed0": True}, ks=[0.1])
    assert t["reference"].tolist() == ["loss#seed2"] and t["kendall_tau"].tolist() == [1.0]


def test_stability_between_needs_two_columns():
    with pytest.raises(AnalysisError, match="at least 2"):
        stability_between(pd.DataFrame({"a": [1.0]}), {"a": True}, ["a"])
