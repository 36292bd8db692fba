"""BR@K / WR@K: hand cases, exact expectation by enumeration, closed forms for large tie groups."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from naslens.criteria import best_ranking, worst_ranking
from naslens.criteria.ranking import expected_first_of_subset


def test_hand_case_without_ties() -> None:
    y = [0.9, 0.8, 0.7, 0.6, 0.5]  # true ranks 1..5
    s = [0.1, 0.5, 0.4, 0.9, 0.2]  # predicted order: 3, 1, 2, 4, 0
    assert best_ranking(y, s, 1) == pytest.approx(4 / 5)  # pick index 3 -> rank 4
    assert best_ranking(y, s, 2) == pytest.approx(2 / 5)  # {3, 1} -> ranks {4, 2}
    assert worst_ranking(y, s, 2) == pytest.approx(4 / 5)
    assert best_ranking(y, s, 3) == pytest.approx(2 / 5)  # {3, 1, 2} -> ranks {4, 2, 3}
    assert worst_ranking(y, s, 3) == pytest.approx(4 / 5)
    assert worst_ranking(y, s, 5) == pytest.approx(1.0)
    assert best_ranking(y, s, 0.4) == best_ranking(y, s, 2)


def test_ground_truth_ties_use_min_rank() -> None:
    y = [0.9, 0.9, 0.5, 0.5, 0.1]  # ranks with ties="min": 1, 1, 3, 3, 5
    s = [0.0, 1.0, 0.5, 0.9, 0.2]  # predicted order: 1, 3, 2, 4, 0
    assert best_ranking(y, s, 1) == pytest.approx(1 / 5)  # index 1 is tied with the true best
    assert worst_ranking(y, s, 2) == pytest.approx(3 / 5)
    assert worst_ranking(y, s, 4) == pytest.approx(5 / 5)


def test_score_ties_hand_case() -> None:
    y = [0.9, 0.8, 0.7, 0.6]  # ranks 1..4
    s = [1.0, 2.0, 1.0, 1.0]  # index 1 sure; one of {0, 2, 3} joins for K = 2
    # BR: min(2, r) for r in {1, 3, 4} -> (1 + 2 + 2) / 3; WR: max(2, r) -> (2 + 3 + 4) / 3
    assert best_ranking(y, s, 2) == pytest.approx(5 / 3 / 4)
    assert worst_ranking(y, s, 2) == pytest.approx(3 / 4)
    # ordinal: index 0 joins -> ranks {2, 1}
    assert best_ranking(y, s, 2, ties="ordinal") == pytest.approx(1 / 4)
    assert worst_ranking(y, s, 2, ties="ordinal") == pytest.approx(2 / 4)


@pytest.mark.parametrize("ties", ["expected", "ordinal"])
def test_perfect_estimator(ties: str) -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=100)
    for k in (1, 5, 0.2, 1.0):
        assert best_ranking(y, y, k, ties=ties) == pytest.approx(1 / 100)
        assert best_ranking(y, -y, k, higher_is_better=False, ties=ties) == pytest.approx(1 / 100)
    assert worst_ranking(y, y, 7, ties=ties) == pytest.approx(7 / 100)
    assert best_ranking(y, -y, 7, ties=ties) == pytest.approx(94 / 100)  # worst possible: (M - K + 1) / M
    assert worst_ranking(y, -y, 1, ties=ties) == pytest.approx(1.0)


def _enumerate(y: np.ndarray, s: np.ndarray, count: int) -> tuple[float, float]:
    """Exact E[min r] and E[max r] over the predicted top-K, enumerating all subsets of the boundary group."""
    r = np.array([1 + np.sum(y > v) for v in y], dtype=float)  # ties "min"
    boundary_value = np.sort(s)[::-1][count - 1]
    sure = np.flatnonzero(s > boundary_value)
    group = np.flatnonzero(s == boundary_value)
    t = count - sure.size
    mins, maxs = [], []
    for subset in itertools.combinations(group.tolist(), t):
        chosen = r[np.concatenate([sure, np.array(subset, dtype=int)])]
        mins.append(chosen.min())
        maxs.append(chosen.max())
    return float(np.mean(mins)) / y.size, float(np.mean(maxs)) / y.size


@pytest.mark.parametrize("seed", range(6))
def test_expected_equals_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = 12
    y = rng.integers(0, 8, size=m).astype(float)  # ties in the ground truth too
    s = rng.integers(0, 3, size=m).astype(float)  # large score tie groups
    n_random = 0
    for count in range(1, m + 1):
        exp_min, exp_max = _enumerate(y, s, count)
        assert best_ranking(y, s, count) == pytest.approx(exp_min, abs=1e-12)
        assert worst_ranking(y, s, count) == pytest.approx(exp_max, abs=1e-12)
        n_random += best_ranking(y, s, count) != best_ranking(y, s, count, ties="ordinal")
    assert n_random > 0  # the fixture really exercises random tie-breaks


@pytest.mark.parametrize(("g", "t"), [(5000, 1), (5000, 1000), (5000, 4999), (5000, 5000), (15625, 781)])
def test_large_tie_group_closed_form(g: int, t: int) -> None:
    # All scores tied, distinct ground truth: the true ranks of a random t-subset of {1..g} have
    # E[min] = (g + 1) / (t + 1) and E[max] = t (g + 1) / (t + 1).
    y = np.arange(g, dtype=float)
    s = np.zeros(g)
    assert best_ranking(y, s, t) == pytest.approx((g + 1) / (t + 1) / g, rel=1e-9)
    assert worst_ranking(y, s, t) == pytest.approx(t * (g + 1) / (t + 1) / g, rel=1e-9)


def test_large_tie_group_with_sure_members() -> None:
    g = 5000
    rng = np.random.default_rng(1)
    y = rng.permutation(g + 3).astype(float)
    s = np.zeros(g + 3)
    s[:3] = 1.0  # three sure members
    value = best_ranking(y, s, 10)
    assert np.isfinite(value)
    r_sure = (g + 3) - y[:3]  # ranks of the sure members (y is a permutation of 0..g+2)
    assert value <= r_sure.min() / (g + 3)
    assert worst_ranking(y, s, 10) >= r_sure.max() / (g + 3)


def test_expected_first_of_subset_probabilities_sum_to_one() -> None:
    for g in (1, 2, 7, 300):
        for t in {1, max(1, g // 2), g}:
            assert expected_first_of_subset(np.ones(g), t) == pytest.approx(1.0, rel=1e-12)


def test_expected_first_of_subset_bad_t() -> None:
    with pytest.raises(ValueError, match="subset size"):
        expected_first_of_subset(np.ones(3), 4)


def test_empty_top_set_raises() -> None:
    with pytest.raises(ValueError, match="K=0 < 1"):
        best_ranking([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 0.001)
