"""Correlations against scipy on seeded inputs, with and without ties; signs kept."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from naslens.criteria import kendall_tau, pearson, spearman
from naslens.criteria.correlation import _count_inversions

Corr = Callable[..., float]


def _scipy_kendall(y: np.ndarray, s: np.ndarray) -> float:
    return float(stats.kendalltau(y, s, variant="b").statistic)


def _scipy_spearman(y: np.ndarray, s: np.ndarray) -> float:
    return float(stats.spearmanr(y, s).statistic)


def _scipy_pearson(y: np.ndarray, s: np.ndarray) -> float:
    return float(stats.pearsonr(y, s).statistic)


PAIRS: list[tuple[Corr, Callable[[np.ndarray, np.ndarray], float]]] = [
    (pearson, _scipy_pearson),
    (kendall_tau, _scipy_kendall),
    (spearman, _scipy_spearman),
]
IDS = ["pearson", "kendall", "spearman"]


def _inputs(kind: str, seed: int, m: int = 50) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=m)
    noise = rng.normal(size=m)
    if kind == "continuous":
        return y, y + noise
    if kind == "tied_scores":
        return y, np.round(y + noise)
    if kind == "tied_both":
        return rng.integers(0, 5, size=m).astype(float), rng.integers(0, 5, size=m).astype(float)
    if kind == "tied_correlated":
        yi = rng.integers(0, 5, size=m)
        return yi.astype(float), (yi + rng.integers(0, 3, size=m)).astype(float)
    raise AssertionError(kind)


@pytest.mark.parametrize(("ours", "ref"), PAIRS, ids=IDS)
@pytest.mark.parametrize("kind", ["continuous", "tied_scores", "tied_both", "tied_correlated"])
@pytest.mark.parametrize("seed", range(5))
def test_matches_scipy(ours: Corr, ref: Callable[[np.ndarray, np.ndarray], float], kind: str, seed: int) -> None:
    y, s = _inputs(kind, seed)
    assert ours(y, s) == pytest.approx(ref(y, s), abs=1e-12)


@pytest.mark.parametrize(("ours", "ref"), PAIRS, ids=IDS)
def test_matches_scipy_large_with_ties(ours: Corr, ref: Callable[[np.ndarray, np.ndarray], float]) -> None:
    rng = np.random.default_rng(123)
    y = np.round(rng.normal(size=6000), 2)
    s = np.round(y + rng.normal(size=6000), 1)
    assert ours(y, s) == pytest.approx(ref(y, s), abs=1e-12)


@pytest.mark.parametrize("ours", [p[0] for p in PAIRS], ids=IDS)
def test_sign_kept_for_reversed_scores(ours: Corr) -> None:
    y, s = _inputs("continuous", 7)
    assert ours(y, s) > 0.3
    assert ours(y, -s) == pytest.approx(-ours(y, s), abs=1e-12)
    assert ours(y, -y) == pytest.approx(-1.0, abs=1e-12)


@pytest.mark.parametrize("ours", [p[0] for p in PAIRS], ids=IDS)
@pytest.mark.parametrize("kind", ["continuous", "tied_both"])
def test_lower_is_better_equals_negating(ours: Corr, kind: str) -> None:
    y, s = _inputs(kind, 3)
    assert ours(y, s, higher_is_better=False) == ours(y, -s)
    assert ours(y, s, higher_is_better=False) == pytest.approx(-ours(y, s), abs=1e-12)


@pytest.mark.parametrize("ours", [p[0] for p in PAIRS], ids=IDS)
def test_constant_input_raises(ours: Corr) -> None:
    with pytest.raises(ValueError, match="constant input"):
        ours([1.0, 2.0, 3.0], [5.0, 5.0, 5.0])
    with pytest.raises(ValueError, match="constant input"):
        ours([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])


def test_kendall_hand_case_with_ties() -> None:
    # y = [1, 2, 2, 3], s = [1, 1, 2, 3]: 6 pairs; pair (0,1) tied in s, pair (1,2) tied in y;
    # the other 4 are concordant, none discordant: tau_b = 4 / sqrt(5 * 5) = 0.8.
    assert kendall_tau([1, 2, 2, 3], [1, 1, 2, 3]) == pytest.approx(0.8)


@pytest.mark.parametrize("seed", range(10))
def test_count_inversions_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, int(rng.integers(1, 40)), size=int(rng.integers(1, 80))).astype(np.int64)
    brute = sum(int(a[i] > a[j]) for i in range(a.size) for j in range(i + 1, a.size))
    assert _count_inversions(a) == brute
