"""Top/bottom membership probabilities (the tie policy of set-based criteria)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from naslens.criteria import bottom_membership, top_membership


def test_top_hand_case_with_ties() -> None:
    np.testing.assert_allclose(top_membership([3, 2, 2, 2, 1], 2), [1, 1 / 3, 1 / 3, 1 / 3, 0])
    np.testing.assert_allclose(top_membership([3, 2, 2, 2, 1], 3), [1, 2 / 3, 2 / 3, 2 / 3, 0])
    np.testing.assert_allclose(top_membership([3, 2, 2, 2, 1], 4), [1, 1, 1, 1, 0])
    np.testing.assert_allclose(top_membership([3, 2, 2, 2, 1], 1), [1, 0, 0, 0, 0])


def test_top_ordinal_breaks_ties_by_position() -> None:
    assert top_membership([2, 3, 2, 2, 1], 2, ties="ordinal").tolist() == [1, 1, 0, 0, 0]
    assert top_membership([2, 3, 2, 2, 1], 3, ties="ordinal").tolist() == [1, 1, 1, 0, 0]


def test_lower_is_better() -> None:
    np.testing.assert_allclose(top_membership([1, 2, 2, 3], 2, higher_is_better=False), [1, 0.5, 0.5, 0])
    np.testing.assert_allclose(bottom_membership([1, 2, 2, 3], 1, higher_is_better=False), [0, 0, 0, 1])


def test_bottom_hand_cases() -> None:
    np.testing.assert_allclose(bottom_membership([3, 2, 2, 2, 1], 2), [0, 1 / 3, 1 / 3, 1 / 3, 1])
    assert bottom_membership([3, 2, 2, 2, 1], 2, ties="ordinal").tolist() == [0, 0, 0, 1, 1]
    assert bottom_membership([1, 1, 1], 2, ties="ordinal").tolist() == [0, 1, 1]


def test_all_tied() -> None:
    np.testing.assert_allclose(top_membership([5.0] * 4, 3), [0.75] * 4)
    np.testing.assert_allclose(bottom_membership([5.0] * 4, 1), [0.25] * 4)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ties", ["expected", "ordinal"])
def test_sums_and_complement(seed: int, ties: str) -> None:
    rng = np.random.default_rng(seed)
    v = rng.integers(0, 4, size=23).astype(float)
    for count in range(1, v.size + 1):
        top = top_membership(v, count, ties=ties)
        bottom = bottom_membership(v, count, ties=ties)
        assert top.sum() == pytest.approx(count, rel=1e-12)
        assert bottom.sum() == pytest.approx(count, rel=1e-12)
        assert np.all((top >= 0) & (top <= 1))
        if count < v.size:
            np.testing.assert_allclose(top + bottom_membership(v, v.size - count, ties=ties), 1.0)


def test_expected_equals_enumerated_tie_breaks() -> None:
    # Average the 0/1 top-3 indicator over every order of the tied elements.
    v = np.array([2.0, 1.0, 1.0, 3.0, 1.0, 0.0])
    freq = np.zeros(v.size)
    perms = list(itertools.permutations(range(v.size)))
    for perm in perms:
        order = np.lexsort((np.array(perm), -v))  # by value (descending), ties by the random permutation
        freq[order[:3]] += 1
    np.testing.assert_allclose(top_membership(v, 3), freq / len(perms))


@pytest.mark.parametrize("count", [0, 6, True, 2.0])
def test_bad_count(count: object) -> None:
    with pytest.raises(ValueError, match="count"):
        top_membership([1, 2, 3, 4, 5], count)  # type: ignore[arg-type]


def test_bad_ties() -> None:
    with pytest.raises(ValueError, match="ties must be one of"):
        top_membership([1, 2], 1, ties="average")
