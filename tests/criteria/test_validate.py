"""Input validation shared by all criteria."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import naslens.criteria as crit
from naslens.criteria._validate import as_vector, validate_pair

PAIR_CRITERIA: list[Callable[..., Any]] = [
    crit.pearson,
    crit.spearman,
    crit.kendall_tau,
    lambda y, s: crit.precision_at_top(y, s, 1),
    lambda y, s: crit.precision_at_bottom(y, s, 1),
    lambda y, s: crit.best_ranking(y, s, 1),
    lambda y, s: crit.worst_ranking(y, s, 1),
    lambda y, s: crit.mean_best_rank(y, s, np.arange(len(y), dtype=float), [10.0]),
]


def test_as_vector_returns_float64_copy() -> None:
    src = np.array([1, 2, 3], dtype=np.int32)
    out = as_vector(src, "v")
    assert out.dtype == np.float64
    out[0] = 99
    assert src[0] == 1


def test_validate_pair_negates_scores_when_lower_is_better() -> None:
    y, s = validate_pair([1, 2, 3], [3, 1, 2], higher_is_better=False)
    np.testing.assert_array_equal(y, [1, 2, 3])
    np.testing.assert_array_equal(s, [-3, -1, -2])


@pytest.mark.parametrize("fn", PAIR_CRITERIA)
def test_nan_in_scores_refused_with_count(fn: Callable[..., Any]) -> None:
    y = np.array([0.1, 0.2, 0.3, 0.4])
    s = np.array([1.0, np.nan, np.nan, 2.0])
    with pytest.raises(ValueError, match="2 NaN and 0 inf"):
        fn(y, s)


@pytest.mark.parametrize("fn", PAIR_CRITERIA)
def test_inf_in_ground_truth_refused_with_count(fn: Callable[..., Any]) -> None:
    y = np.array([0.1, np.inf, -np.inf, 0.4])
    s = np.array([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="0 NaN and 2 inf"):
        fn(y, s)


@pytest.mark.parametrize("fn", PAIR_CRITERIA)
def test_length_mismatch_refused(fn: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="same length"):
        fn([0.1, 0.2, 0.3], [1.0, 2.0])


@pytest.mark.parametrize("fn", PAIR_CRITERIA)
def test_two_dimensional_refused(fn: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="1-D"):
        fn(np.ones((2, 2)), np.ones((2, 2)))


@pytest.mark.parametrize("fn", PAIR_CRITERIA)
def test_single_element_refused(fn: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        fn([0.5], [1.0])


def test_non_numeric_refused() -> None:
    with pytest.raises(ValueError, match="cannot convert"):
        as_vector(["a", "b"], "y")


def test_rank_and_membership_refuse_nan() -> None:
    with pytest.raises(ValueError, match="1 NaN"):
        crit.rank([1.0, np.nan])
    with pytest.raises(ValueError, match="1 NaN"):
        crit.top_membership([1.0, np.nan], 1)
    with pytest.raises(ValueError, match="1 NaN"):
        crit.default_budgets([1.0, np.nan])
