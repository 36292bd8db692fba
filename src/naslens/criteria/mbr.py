"""mBR: mean best rank of the estimator's pick under a sequence of cost budgets (naslens; "seed 003" paper).

No other tool implements this criterion, so its conventions are stated here in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from naslens.criteria._validate import FloatVector, as_vector, validate_pair


@dataclass(frozen=True)
class BudgetPick:
    """The estimator's pick under one budget.

    Attributes:
        budget: The cost budget.
        n_within: M_s, the number of architectures with cost <= budget.
        index: Index (into the input vectors) of the picked architecture.
        true_rank: r_s, its 1-based true rank among the architectures within the budget (ties "min").
        relative_rank: r_s / M_s (lower is better; 1/M_s is the best possible).
        y: Its ground-truth value.
    """

    budget: float
    n_within: int
    index: int
    true_rank: int
    relative_rank: float
    y: float


@dataclass(frozen=True)
class MBRResult:
    """Result of ``mean_best_rank``.

    Attributes:
        mbr: Mean over budgets of r_s / M_s.
        picks: One ``BudgetPick`` per budget, in the order the budgets were given.
    """

    mbr: float
    picks: tuple[BudgetPick, ...]


def default_budgets(cost: ArrayLike, n: int = 5) -> FloatVector:
    """``n`` budgets spaced evenly from min(cost) to max(cost) inclusive (``np.linspace(min, max, n)``).

    The first budget admits exactly the cheapest architecture(s) and the last admits all of them.

    Raises:
        ValueError: If ``cost`` is invalid or ``n < 1``.

    Example:
        >>> default_budgets([1.0, 5.0, 3.0], n=3).tolist()
        [1.0, 3.0, 5.0]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    cost_arr = as_vector(cost, "cost")
    return np.linspace(cost_arr.min(), cost_arr.max(), int(n))


def mean_best_rank(
    y: ArrayLike,
    s: ArrayLike,
    cost: ArrayLike,
    budgets: Sequence[float] | ArrayLike,
    higher_is_better: bool = True,
) -> MBRResult:
    """Mean best rank (mBR) of the architecture the estimator would pick under each cost budget.

    For each budget b: W_b = {i : cost_i <= b}, M_s = |W_b|; the estimator picks
    ``i* = argmax_{i in W_b} s_i`` (score ties broken by the lowest index); its true rank among W_b is
    ``r_s = 1 + |{j in W_b : y_j > y_i*}|`` (ties "min": tied ground truths share the better rank). Then

    ``mBR = (1 / |B|) Σ_b r_s(b) / M_s(b)``.

    Lower is better; an oracle estimator (s = y) scores ``mean_b 1 / M_s(b)``.

    Args:
        y: Ground-truth performance (higher is better), 1-D, finite, M >= 2.
        s: Estimator scores aligned with ``y``.
        cost: Cost of each architecture (e.g. FLOPs or params), aligned with ``y``, finite.
        budgets: One or more finite budgets (see ``default_budgets``).
        higher_is_better: Whether a higher score means a better architecture.

    Returns:
        An ``MBRResult`` with the mean and one ``BudgetPick`` per budget.

    Raises:
        ValueError: On invalid or misaligned input, no budgets, or a budget that admits no architecture.

    Example:
        >>> res = mean_best_rank([0.6, 0.9, 0.7, 0.8], [1, 4, 2, 3], [1, 4, 2, 3], budgets=[2, 4])
        >>> res.mbr, [(p.index, p.true_rank, p.n_within) for p in res.picks]
        (0.375, [(2, 1, 2), (1, 1, 4)])
        >>> mean_best_rank([0.6, 0.9, 0.7, 0.8], [4, 1, 3, 2], [1, 4, 2, 3], budgets=[2, 4]).mbr
        1.0
    """
    y_arr, s_arr = validate_pair(y, s, higher_is_better)
    cost_arr = as_vector(cost, "cost", min_size=2)
    if cost_arr.size != y_arr.size:
        raise ValueError(f"cost must have the same length as y, got {cost_arr.size} and {y_arr.size}")
    budget_arr = as_vector(budgets, "budgets", min_size=1)
    picks: list[BudgetPick] = []
    for budget in budget_arr.tolist():
        within = np.flatnonzero(cost_arr <= budget)
        if within.size == 0:
            raise ValueError(f"budget {budget!r} admits no architecture (the cheapest costs {cost_arr.min()!r})")
        index = int(within[np.argmax(s_arr[within])])  # argmax returns the first (lowest index) maximum
        true_rank = 1 + int(np.count_nonzero(y_arr[within] > y_arr[index]))
        picks.append(
            BudgetPick(
                budget=float(budget),
                n_within=int(within.size),
                index=index,
                true_rank=true_rank,
                relative_rank=true_rank / within.size,
                y=float(y_arr[index]),
            )
        )
    mbr = float(np.mean([p.relative_rank for p in picks]))
    return MBRResult(mbr=mbr, picks=tuple(picks))
