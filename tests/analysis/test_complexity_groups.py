import numpy as np
import pytest

from naslens.analysis import AnalysisError, complexity_groups
from naslens.analysis.complexity_groups import group_bounds


def test_equal_count_groups_without_ties():
    groups = complexity_groups(np.arange(10.0)[::-1], n_groups=5)
    assert groups.tolist() == [4, 4, 3, 3, 2, 2, 1, 1, 0, 0]


def test_equal_costs_share_a_group():
    cost = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 3.0])
    groups = complexity_groups(cost, n_groups=3)
    assert len(set(groups[:4].tolist())) == 1
    assert groups.tolist() == [0, 0, 0, 0, 2, 2]
    assert group_bounds(cost, groups) == {0: (1.0, 1.0), 2: (2.0, 3.0)}


def test_groups_are_monotone_in_cost():
    rng = np.random.default_rng(0)
    cost = rng.integers(0, 20, 500).astype(float)
    groups = complexity_groups(cost, 5)
    order = np.argsort(cost, kind="stable")
    assert np.all(np.diff(groups[order]) >= 0)
    assert groups.min() == 0 and groups.max() <= 4


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_rejects_bad_group_count(bad):
    with pytest.raises(AnalysisError, match="n_groups"):
        complexity_groups([1.0, 2.0], bad)


def test_rejects_non_finite_cost():
    with pytest.raises(AnalysisError, match="non-finite"):
        complexity_groups([1.0, np.nan], 2)
