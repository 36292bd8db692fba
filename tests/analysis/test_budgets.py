import numpy as np
import pandas as pd
import pytest

from naslens.analysis import AnalysisError, budget_picks, mbr_table
from naslens.spaces import get_space
from naslens.spaces.nb201.depth import nb201_cell_depth
from naslens.types import ArchFormatError


def _toy():
    # cost 1..4, truth peaks at cost 3; the estimator prefers cheap architectures
    return pd.DataFrame(
        {
            "arch": ["a", "b", "c", "d"],
            "ground_truth": [0.6, 0.7, 0.9, 0.8],
            "flops": [1.0, 2.0, 3.0, 4.0],
            "params": [1.0, 2.0, 3.0, 4.0],
            "cheap": [4.0, 3.0, 2.0, 1.0],
        }
    )


def test_hand_computed_mbr():
    picks = budget_picks(_toy(), {"cheap": True}, cost="flops", budgets=[2.0, 4.0])
    cheap = picks[picks["estimator"] == "cheap"]
    # budget 2: {a, b}, picks a (true rank 2 of 2); budget 4: all, picks a (true rank 4 of 4)
    assert cheap["arch"].tolist() == ["a", "a"]
    assert cheap["true_rank"].tolist() == [2, 4] and cheap["n_within"].tolist() == [2, 4]
    assert cheap["mbr"].iloc[0] == pytest.approx((2 / 2 + 4 / 4) / 2)
    oracle = picks[picks["estimator"] == "oracle"]
    assert oracle["arch"].tolist() == ["b", "c"] and oracle["mbr"].iloc[0] == pytest.approx((1 / 2 + 1 / 4) / 2)
    params = picks[picks["estimator"] == "params"]  # biggest model within the budget
    assert params["arch"].tolist() == ["b", "d"] and params["true_rank"].tolist() == [1, 2]
    assert oracle["best_ground_truth"].tolist() == [0.7, 0.9]
    table = mbr_table(picks).set_index("estimator")
    assert table.loc["cheap", "mbr"] == pytest.approx(1.0)
    assert table.loc["oracle", "mean_pick_accuracy"] == pytest.approx(0.8)


def test_default_budgets_span_min_to_max_and_nonfinite_scores_are_never_picked():
    f = _toy()
    f["cheap"] = [np.nan, 3.0, 2.0, 1.0]
    picks = budget_picks(f, {"cheap": True}, cost="params", n_budgets=4)
    cheap = picks[picks["estimator"] == "cheap"]
    assert cheap["budget"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert cheap["arch"].tolist() == ["a", "b", "b", "b"]  # "a" only when nothing else is within the budget
    assert (cheap["n_nonfinite"] == 1).all()


def test_estimator_without_finite_scores_gets_nan_rows():
    f = _toy().assign(dead=np.nan)
    picks = budget_picks(f, {"dead": True}, budgets=[2.0, 4.0])
    dead = picks[picks["estimator"] == "dead"]
    assert len(dead) == 2 and dead["mbr"].isna().all() and (dead["n_nonfinite"] == 4).all()
    assert dead["n_within"].tolist() == [2, 4]


def test_depth_budgets_on_nb201():
    space = get_space("nb201")
    archs = space.enumerate()[:400]
    codes = space.codes_array(archs)
    f = pd.DataFrame(
        {
            "arch": [space.key(a) for a in archs],
            "ground_truth": (codes == 3).sum(1) + 0.0,
            "s": (codes == 3).sum(1) + 0.0,
        }
    )
    picks = budget_picks(f, {"s": True}, cost="depth", n_budgets=3, space="nb201")
    assert picks["budget"].max() == nb201_cell_depth(codes).max()


def test_unknown_cost_is_refused():
    with pytest.raises(AnalysisError, match="latency"):
        budget_picks(_toy(), {"cheap": True}, cost="latency")


def test_cell_depth_by_hand():
    #             e01 e02 e12 e03 e13 e23
    chain = [3, 0, 3, 0, 0, 3]  # 0 -conv-> 1 -conv-> 2 -conv-> 3
    direct = [0, 0, 0, 2, 0, 0]  # 0 -conv1x1-> 3
    skips = [1, 1, 1, 1, 1, 1]  # skip everywhere: no op on any path
    cut = [3, 0, 0, 0, 0, 3]  # node 2 unreachable: output not connected
    mixed = [1, 0, 4, 0, 0, 4]  # 0 -skip-> 1 -pool-> 2 -pool-> 3
    assert nb201_cell_depth([chain, direct, skips, cut, mixed]).tolist() == [3, 1, 0, 0, 2]
    with pytest.raises(ArchFormatError):
        nb201_cell_depth([[0, 1]])
