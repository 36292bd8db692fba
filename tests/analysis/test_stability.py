import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from naslens.analysis import (
    AnalysisError,
    checkpoint_stability,
    relative_stability,
    seed_stability,
    split_checkpoint,
    stability_between,
)
from naslens.types import RunId


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


def _series_frame() -> tuple[pd.DataFrame, dict[str, RunId]]:
    """Plain seed-0 checkpoints next to the savg3 temporal ensemble of the same seed (labels as evaluate writes)."""
    rng = np.random.default_rng(5)
    base = rng.normal(size=60)
    cols = {
        "oneshot_acc@epoch-0020#seed0": base + rng.normal(0, 0.3, 60),
        "oneshot_acc@epoch-0040#seed0": base + rng.normal(0, 0.3, 60),
        "oneshot_acc@epoch-0060#seed0": base + rng.normal(0, 0.3, 60),
        "oneshot_acc@savg3@epoch-0060#seed0": -base,
        "oneshot_acc@savg3@epoch-0080#seed0": -base + rng.normal(0, 0.1, 60),
        "oneshot_acc@epoch-0060#seed1": base,
    }
    runs = {c: RunId.from_label(c) for c in cols}
    return pd.DataFrame(cols), runs


@pytest.mark.parametrize("with_runs", [True, False])
def test_temporal_ensemble_is_a_series_of_its_own(with_runs: bool) -> None:
    """Regression: split_checkpoint used to merge 'oneshot_acc@savg3@…#seed0' into the plain seed-0 series."""
    f, runs = _series_frame()
    t = checkpoint_stability(f, dict.fromkeys(f.columns, True), ks=[0.1], runs=runs if with_runs else None)
    assert t["series"].tolist() == ["oneshot_acc#seed0", "oneshot_acc#seed0", "oneshot_acc@savg3#seed0"]
    plain = t[t["ensemble"] == ""]
    assert plain["reference_checkpoint"].tolist() == ["epoch-0040", "epoch-0060"]
    assert plain["other_checkpoint"].tolist() == ["epoch-0020", "epoch-0040"]
    ens = t[t["ensemble"] == "savg3"]
    assert ens["reference"].tolist() == ["oneshot_acc@savg3@epoch-0080#seed0"]
    assert ens["other"].tolist() == ["oneshot_acc@savg3@epoch-0060#seed0"]
    assert (t["estimator"] == "oneshot_acc").all() and t["seed"].tolist() == [0, 0, 0]
    # no pair mixes a plain checkpoint with an ensemble one
    for ref, oth in zip(t["reference"], t["other"], strict=True):
        assert ("savg3" in ref) == ("savg3" in oth)


def test_seed_stability_groups_by_checkpoint_and_ensemble() -> None:
    f, runs = _series_frame()
    t = seed_stability(f, dict.fromkeys(f.columns, True), ks=[0.1], runs=runs)
    assert t["reference"].tolist() == ["oneshot_acc@epoch-0060#seed1"]
    assert t["other"].tolist() == ["oneshot_acc@epoch-0060#seed0"]
    assert t["checkpoint"].tolist() == ["epoch-0060"] and t["kendall_tau"].iloc[0] > 0.5


def test_split_checkpoint_keeps_the_ensemble_in_the_series() -> None:
    assert split_checkpoint("oneshot_acc@savg3@epoch-0060#seed0") == ("oneshot_acc@savg3#seed0", "epoch-0060")
    assert split_checkpoint("oneshot_acc@epoch-0060#seed0") == ("oneshot_acc#seed0", "epoch-0060")
    assert split_checkpoint("params") == ("params", "")
