import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from naslens.analysis import kendall_matrix


def test_symmetric_oriented_and_matches_scipy():
    rng = np.random.default_rng(0)
    gt = rng.normal(size=50)
    f = pd.DataFrame({"ground_truth": gt, "a": gt + rng.normal(0, 1, 50), "loss": -gt, "const": 1.0})
    f.loc[0, "a"] = np.nan
    m = kendall_matrix(f, {"a": True, "loss": False, "const": True})
    assert list(m.index) == ["ground_truth", "a", "loss", "const"]
    assert np.allclose(m.to_numpy(), m.to_numpy().T, equal_nan=True)
    assert m.loc["ground_truth", "loss"] == pytest.approx(1.0)  # negated loss ranks exactly like the truth
    assert np.isclose(m.loc["ground_truth", "a"], kendalltau(gt[1:], f["a"].to_numpy()[1:]).statistic)
    assert np.isnan(m.loc["const", "a"]) and np.isnan(m.loc["const", "const"])
    assert m.loc["a", "a"] == pytest.approx(1.0)
