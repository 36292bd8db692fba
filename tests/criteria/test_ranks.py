"""rank() against scipy.stats.rankdata (with the direction flip: 1 = best)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata

from naslens.criteria import rank

METHODS = ["average", "min", "max", "ordinal"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("tied", [False, True])
def test_rank_matches_scipy(method: str, seed: int, tied: bool) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 5, size=50).astype(float) if tied else rng.normal(size=50)
    np.testing.assert_array_equal(rank(values, ties=method), rankdata(-values, method=method))
    np.testing.assert_array_equal(rank(values, higher_is_better=False, ties=method), rankdata(values, method=method))


def test_rank_hand_case() -> None:
    v = [0.5, 0.9, 0.5, 0.5, 0.1]
    assert rank(v).tolist() == [3.0, 1.0, 3.0, 3.0, 5.0]
    assert rank(v, ties="min").tolist() == [2.0, 1.0, 2.0, 2.0, 5.0]
    assert rank(v, ties="max").tolist() == [4.0, 1.0, 4.0, 4.0, 5.0]
    assert rank(v, ties="ordinal").tolist() == [2.0, 1.0, 3.0, 4.0, 5.0]
    assert rank(v, higher_is_better=False, ties="ordinal").tolist() == [2.0, 5.0, 3.0, 4.0, 1.0]


def test_rank_single_element() -> None:
    assert rank([3.0]).tolist() == [1.0]


def test_rank_unknown_ties() -> None:
    with pytest.raises(ValueError, match="ties must be one of"):
        rank([1.0, 2.0], ties="dense")


def test_rank_empty_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        rank([])
