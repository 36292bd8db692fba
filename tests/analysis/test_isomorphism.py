import numpy as np
import pandas as pd

from naslens.analysis import class_overrating, isomorphism_spread


def _frame():
    # 4 classes: sizes 3, 3, 2, 1
    cls = np.array([0, 0, 0, 1, 1, 1, 2, 2, 3])
    gt = np.array([1.0, 1.1, 0.9, 2.0, 2.1, 1.9, 3.0, 3.1, 4.0])
    return pd.DataFrame(
        {
            "arch": [f"a{i}" for i in range(9)],
            "class_id": cls,
            "class_size": np.bincount(cls)[cls],
            "ground_truth": gt,
            "class_mean": np.array([1.0, 2.0, 3.0, 4.0])[cls],  # identical score for isomorphic copies
            "noisy": gt + np.array([0, 5, -5, 0, 5, -5, 0, 5, 0]),
            "boost0": gt + 10.0 * (cls == 0),
        }
    )


def test_class_constant_scores_have_zero_within_spread():
    t = isomorphism_spread(_frame(), {"class_mean": True, "noisy": True}).set_index("estimator")
    assert t.loc["class_mean", "within_std"] == 0.0 and t.loc["class_mean", "within_rank_std"] == 0.0
    assert t.loc["class_mean", "rank_ratio"] == 0.0
    assert t.loc["noisy", "within_rank_std"] > t.loc["ground_truth", "within_rank_std"]
    assert t.loc["ground_truth", "n_multi_classes"] == 3 and t.loc["ground_truth", "n_classes"] == 4


def test_deiso_subset_has_nan_within_spread():
    f = _frame().drop_duplicates("class_id")
    t = isomorphism_spread(f, {"class_mean": True})
    assert t["within_std"].isna().all() and (t["n_multi_classes"] == 0).all()


def test_boosted_class_is_the_most_over_rated():
    t = class_overrating(_frame(), {"boost0": True, "class_mean": True}, top=None)
    boost = t[t["estimator"] == "boost0"]
    assert boost.iloc[0]["class_id"] == 0 and boost.iloc[0]["overrating"] > 0
    assert boost.iloc[0]["class_size"] == 3 and boost.iloc[0]["n_members"] == 3
    assert np.isclose((boost["overrating"] * boost["n_members"]).sum(), 0.0)  # member-weighted mean is 0
    # a perfect class-level estimator over-rates nobody by more than the within-class noise
    assert t[t["estimator"] == "class_mean"]["overrating"].abs().max() < 0.15
    assert len(class_overrating(_frame(), {"boost0": True}, top=2)) == 2
