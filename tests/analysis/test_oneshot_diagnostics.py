import numpy as np
import pandas as pd
import pytest

from naslens.analysis import AnalysisError, forgetting_summary, forgetting_values, gradient_similarity_summary


def test_forgetting_known_values_and_trainer_column_names():
    t = pd.DataFrame(
        {
            "arch": ["a", "b", "c", "a"],
            "epoch": [1, 1, 1, 2],
            "acc_after_own_step": [0.5, 0.4, 0.3, 0.6],
            "acc_after_epoch": [0.3, 0.4, 0.4, 0.6],
        }
    )
    s = forgetting_summary(t).set_index("epoch")
    assert s.loc[1, "mean_forgetting"] == pytest.approx((0.2 + 0.0 - 0.1) / 3)
    assert s.loc[1, "frac_forgotten"] == pytest.approx(1 / 3) and s.loc[2, "n_archs"] == 1
    trainer = t.rename(columns={"acc_after_own_step": "acc_after_step", "acc_after_epoch": "acc_end_epoch"})
    assert forgetting_values(trainer)["forgetting"].tolist() == pytest.approx([0.2, 0.0, -0.1, 0.0])


def test_forgetting_missing_column():
    with pytest.raises(AnalysisError, match="acc_after_epoch"):
        forgetting_values(pd.DataFrame({"arch": ["a"], "epoch": [1], "acc_after_own_step": [0.1]}))


def test_gradient_similarity_per_layer_in_first_seen_order():
    t = pd.DataFrame(
        {
            "arch_a": ["a"] * 5,
            "arch_b": ["b", "c", "b", "c", "d"],
            "layer": ["stem", "stem", "cell0", "cell0", "cell0"],
            "cosine": [1.0, 0.5, -0.5, 0.5, np.nan],
        }
    )
    s = gradient_similarity_summary(t)
    assert s["layer"].tolist() == ["stem", "cell0"]
    assert s["mean_cosine"].tolist() == pytest.approx([0.75, 0.0])
    assert s["frac_negative"].tolist() == pytest.approx([0.0, 0.5]) and s["n_pairs"].tolist() == [2, 2]


def test_gradient_similarity_rejects_impossible_cosines():
    t = pd.DataFrame({"arch_a": ["a"], "arch_b": ["b"], "layer": ["x"], "cosine": [1.5]})
    with pytest.raises(AnalysisError, match="outside"):
        gradient_similarity_summary(t)
