import numpy as np
import pandas as pd
import pytest

from naslens.analysis import AnalysisError, top_ranked


def test_perfect_estimator_lists_true_ranks_and_nan_is_never_listed():
    gt = np.array([5.0, 1, 4, 2, 3])
    f = pd.DataFrame(
        {
            "arch": list("abcde"),
            "ground_truth": gt,
            "params": gt / 10,
            "perfect": gt,
            "loss": -gt,
            "nanny": [np.nan, 1, 2, 3, 4],
        }
    )
    t = top_ranked(f, {"perfect": True, "loss": False, "nanny": True}, k=3)
    per = t[t["estimator"] == "perfect"]
    assert per["true_rank"].tolist() == [1, 2, 3] and per["arch"].tolist() == ["a", "c", "e"]
    assert t[t["estimator"] == "loss"]["arch"].tolist() == ["a", "c", "e"]
    assert t[t["estimator"] == "oracle"]["arch"].tolist() == ["a", "c", "e"]
    assert "a" not in t[t["estimator"] == "nanny"]["arch"].tolist()
    assert "params" in t.columns


def test_k_must_be_positive():
    with pytest.raises(AnalysisError):
        top_ranked(pd.DataFrame({"ground_truth": [1.0], "s": [1.0]}), {"s": True}, k=0)
