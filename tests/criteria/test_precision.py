"""P@topK / P@bottomK: hand cases, brute force, exact and Monte Carlo expectation over tie-breaks."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from naslens.criteria import precision_at_bottom, precision_at_top


def _random_tiebreak_sets(v: np.ndarray, count: int, rng: np.random.Generator) -> tuple[set[int], set[int]]:
    order = np.lexsort((rng.permutation(v.size), -v))  # descending value, ties uniformly at random
    return set(order[:count].tolist()), set(order[v.size - count :].tolist())


def test_hand_case_without_ties() -> None:
    y = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    s = [5.0, 1.0, 6.0, 2.0, 4.0, 3.0]
    # true top-3 {0, 1, 2}; predicted top-3 {2, 0, 4}: overlap {0, 2} -> 2/3
    assert precision_at_top(y, s, 3) == pytest.approx(2 / 3)
    # true bottom-2 {4, 5}; predicted bottom-2 {1, 3}: overlap {} -> 0
    assert precision_at_bottom(y, s, 2) == 0.0
    # true bottom-3 {3, 4, 5}; predicted bottom-3 {1, 3, 5}: overlap {3, 5} -> 2/3
    assert precision_at_bottom(y, s, 3) == pytest.approx(2 / 3)
    # ratio 0.5 of M = 6 is K = 3
    assert precision_at_top(y, s, 0.5) == precision_at_top(y, s, 3)


def test_hand_case_with_ties() -> None:
    y = [4.0, 3.0, 2.0, 1.0]
    s = [1.0, 1.0, 1.0, 0.0]
    # true top-2 {0, 1}; scores: 3-way tie for 2 places -> q = 2/3 for 0, 1, 2.
    # E|A∩B| = 2/3 + 2/3 = 4/3, P = 2/3.
    assert precision_at_top(y, s, 2) == pytest.approx(2 / 3)
    # ordinal: predicted top-2 = {0, 1} -> 1.0
    assert precision_at_top(y, s, 2, ties="ordinal") == 1.0
    # bottom-1: true {3}, predicted {3} with certainty
    assert precision_at_bottom(y, s, 1) == 1.0
    # bottom-2: true {2, 3}; predicted {3} + one of {0, 1, 2} (prob 1/3 each) -> (1 + 1/3) / 2
    assert precision_at_bottom(y, s, 2) == pytest.approx(2 / 3)
    # ordinal bottom-2: the later tied element (index 2) joins {3} -> {2, 3}
    assert precision_at_bottom(y, s, 2, ties="ordinal") == 1.0


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ties", ["expected", "ordinal"])
def test_no_ties_equals_set_intersection(seed: int, ties: str) -> None:
    rng = np.random.default_rng(seed)
    m = 40
    y = rng.normal(size=m)
    s = y + rng.normal(size=m)
    for count in range(1, m + 1):
        true_top = set(np.argsort(-y)[:count].tolist())
        pred_top = set(np.argsort(-s)[:count].tolist())
        true_bottom = set(np.argsort(y)[:count].tolist())
        pred_bottom = set(np.argsort(s)[:count].tolist())
        assert precision_at_top(y, s, count, ties=ties) == pytest.approx(len(true_top & pred_top) / count)
        assert precision_at_bottom(y, s, count, ties=ties) == pytest.approx(len(true_bottom & pred_bottom) / count)


Y_TIED = np.array([3.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.0])
S_TIED = np.array([1.0, 1.0, 0.0, 2.0, 1.0, 0.0, 1.0])


def _set_distribution(v: np.ndarray, count: int, top: bool) -> Counter[frozenset[int]]:
    """Distribution of the top (or bottom) set over all M! equally likely tie-break orders."""
    dist: Counter[frozenset[int]] = Counter()
    for perm in itertools.permutations(range(v.size)):
        order = np.lexsort((np.array(perm), -v))  # descending value, ties by the permutation
        chosen = order[:count] if top else order[v.size - count :]
        dist[frozenset(chosen.tolist())] += 1
    return dist


@pytest.mark.parametrize("count", [1, 2, 3, 4])
@pytest.mark.parametrize("top", [True, False])
def test_expected_equals_exhaustive_tie_breaks(count: int, top: bool) -> None:
    # E[|A ∩ B|] / K over the joint distribution of independent tie-breaks of y (A) and s (B), by enumeration.
    dist_y = _set_distribution(Y_TIED, count, top)
    dist_s = _set_distribution(S_TIED, count, top)
    n_y = sum(dist_y.values())
    n_s = sum(dist_s.values())
    exact = sum((wa / n_y) * (wb / n_s) * len(a & b) for a, wa in dist_y.items() for b, wb in dist_s.items()) / count
    fn = precision_at_top if top else precision_at_bottom
    assert fn(Y_TIED, S_TIED, count) == pytest.approx(exact, abs=1e-12)


@pytest.mark.parametrize("count", [2, 3])
def test_expected_equals_monte_carlo_mean(count: int) -> None:
    rng = np.random.default_rng(2024)
    n_trials = 20_000
    top = np.empty(n_trials)
    bottom = np.empty(n_trials)
    for trial in range(n_trials):
        ty, by = _random_tiebreak_sets(Y_TIED, count, rng)
        ts, bs = _random_tiebreak_sets(S_TIED, count, rng)
        top[trial] = len(ty & ts) / count
        bottom[trial] = len(by & bs) / count
    for samples, value in (
        (top, precision_at_top(Y_TIED, S_TIED, count)),
        (bottom, precision_at_bottom(Y_TIED, S_TIED, count)),
    ):
        stderr = samples.std(ddof=1) / np.sqrt(n_trials)
        assert stderr > 0  # the case really has random tie-breaks
        assert abs(samples.mean() - value) < 4 * stderr


def test_ties_matter_in_the_fixture() -> None:
    # Guard for the two tests above: the expected value must differ from the ordinal one here.
    assert precision_at_top(Y_TIED, S_TIED, 2) != precision_at_top(Y_TIED, S_TIED, 2, ties="ordinal")


@pytest.mark.parametrize("ties", ["expected", "ordinal"])
def test_perfect_and_reversed(ties: str) -> None:
    rng = np.random.default_rng(5)
    y = rng.normal(size=30)
    for count in range(1, 16):
        assert precision_at_top(y, y, count, ties=ties) == 1.0
        assert precision_at_bottom(y, 3 * y + 1, count, ties=ties) == 1.0
        assert precision_at_top(y, -y, count, ties=ties) == 0.0
        assert precision_at_bottom(y, -y, count, ties=ties) == 0.0
        assert precision_at_top(y, -y, count, higher_is_better=False, ties=ties) == 1.0


def test_perfect_with_tied_ground_truth_is_one() -> None:
    y = np.array([2.0, 1.0, 1.0, 0.0])
    # y's top-2 = {0} + one of {1, 2}; using y as the score ties the same way, but the two tie-breaks are
    # independent, so the expectation is (1 + 1/2 * 1/2 * 2) / 2 = 3/4.
    assert precision_at_top(y, y, 2) == pytest.approx(0.75)
    assert precision_at_top(y, y, 2, ties="ordinal") == 1.0


def test_empty_top_set_raises() -> None:
    with pytest.raises(ValueError, match="K=0 < 1"):
        precision_at_top([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 0.1)
    with pytest.raises(ValueError, match="K=4 > M"):
        precision_at_bottom([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 4)
