"""Mean best rank under cost budgets."""

from __future__ import annotations

import numpy as np
import pytest

from naslens.criteria import default_budgets, mean_best_rank

# Toy table, 6 architectures:
#   index   y     s     cost
#   0       0.60  0.9   1
#   1       0.70  0.2   2
#   2       0.90  0.5   3
#   3       0.80  0.8   4
#   4       0.95  0.1   5
#   5       0.50  0.7   6
# Budget 3: within = {0, 1, 2} (M_s = 3); estimator picks 0 (s = 0.9); y = 0.60 is beaten by 0.70 and 0.90
#           -> r_s = 3, r_s / M_s = 1.
# Budget 6: within = all (M_s = 6); pick 0 again; beaten by 0.70, 0.90, 0.80, 0.95 -> r_s = 5, 5/6.
# mBR = (1 + 5/6) / 2 = 11/12.
Y = [0.60, 0.70, 0.90, 0.80, 0.95, 0.50]
S = [0.9, 0.2, 0.5, 0.8, 0.1, 0.7]
COST = [1, 2, 3, 4, 5, 6]


def test_toy_table() -> None:
    res = mean_best_rank(Y, S, COST, budgets=[3, 6])
    assert res.mbr == pytest.approx(11 / 12)
    first, second = res.picks
    assert (first.budget, first.n_within, first.index, first.true_rank, first.y) == (3.0, 3, 0, 3, 0.60)
    assert first.relative_rank == pytest.approx(1.0)
    assert (second.budget, second.n_within, second.index, second.true_rank, second.y) == (6.0, 6, 0, 5, 0.60)
    assert second.relative_rank == pytest.approx(5 / 6)


def test_lower_is_better_scores() -> None:
    # Negated scores: budget 3 picks index 1 (s = 0.2 is the lowest) -> r_s = 2 of 3;
    # budget 6 picks index 4 (s = 0.1) -> r_s = 1 of 6.
    res = mean_best_rank(Y, S, COST, budgets=[3, 6], higher_is_better=False)
    assert [p.index for p in res.picks] == [1, 4]
    assert res.mbr == pytest.approx((2 / 3 + 1 / 6) / 2)


def test_oracle_has_rank_one_everywhere() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    cost = rng.uniform(1, 10, size=200)
    budgets = default_budgets(cost, n=7)
    res = mean_best_rank(y, y, cost, budgets)
    assert all(p.true_rank == 1 for p in res.picks)
    assert res.mbr == pytest.approx(np.mean([1 / p.n_within for p in res.picks]))
    assert res.picks[0].n_within == 1 and res.picks[-1].n_within == 200


def test_score_ties_broken_by_lowest_index_and_ground_truth_ties_min() -> None:
    y = [0.5, 0.9, 0.9, 0.1]
    s = [1.0, 3.0, 3.0, 0.0]
    res = mean_best_rank(y, s, [1, 1, 1, 1], budgets=[1])
    assert res.picks[0].index == 1
    assert res.picks[0].true_rank == 1  # tied with index 2 for the best y
    res = mean_best_rank([0.5, 0.2, 0.9, 0.2], [0.0, 3.0, 0.0, 3.0], [1, 1, 1, 1], budgets=[1])
    assert res.picks[0].index == 1
    assert res.picks[0].true_rank == 3  # 0.9 and 0.5 are strictly better; the tied 0.2 (index 3) is not


def test_budget_admitting_nothing_raises() -> None:
    with pytest.raises(ValueError, match=r"budget 0\.5 admits no architecture"):
        mean_best_rank(Y, S, COST, budgets=[3, 0.5])


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="cost must have the same length"):
        mean_best_rank(Y, S, COST[:5], budgets=[3])
    with pytest.raises(ValueError, match="budgets: needs at least 1"):
        mean_best_rank(Y, S, COST, budgets=[])
    with pytest.raises(ValueError, match="cost: contains 1 NaN"):
        mean_best_rank(Y, S, [1, 2, float("nan"), 4, 5, 6], budgets=[3])


def test_default_budgets() -> None:
    budgets = default_budgets([4.0, 2.0, 10.0, 6.0], n=5)
    np.testing.assert_allclose(budgets, [2.0, 4.0, 6.0, 8.0, 10.0])
    assert budgets[0] == 2.0 and budgets[-1] == 10.0
    with pytest.raises(ValueError, match="n must be an int"):
        default_budgets([1.0, 2.0], n=0)
