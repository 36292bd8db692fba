"""Edge discretisation orders of Zero-Cost-PT (Xiang et al., "Zero-Cost Operation Scoring in Differentiable
Architecture Search"): in which order the positions of a mixed supernet are discretised, and to which op.

An order is driven by a *round* callback: ``score_round(positions)`` returns, for each given position, the
importance of each of its choices on the current supernet state (higher = keep; NaN where a choice is not alive or
its score is NaN), computed in one round on one fresh batch; ``decide(position, choice)`` discretises. With |E|
positions of |O| choices each:

- ``fixed``: positions in the space's order (input → output); one round per position. |E|·|O| perturbations.
- ``random``: positions in a seeded random order (DARTS-PT's default); |E|·|O|.
- ``global-op-iter``: every step scores all ops of all undecided positions and decides the (position, op) of
  highest importance; |O|·|E|(|E|+1)/2.
- ``global-edge-iter``: every step scores all undecided positions and decides the one of highest mean importance,
  to its best op (the scores of that round); |O|·|E|(|E|+1)/2.
- ``global-op-once``: one round up front scores every op; positions are then ordered once by their best op's
  importance (most important first) and decided in that order, each re-scored on the current state except the first
  (the up-front round scored it on that very state); |E|·|O| + (|E|−1)·|O|.
- ``global-edge-once``: the same ordered by mean importance; |E|·|O| + (|E|−1)·|O|.

On NB201 (6 × 5): 30, 30, 105, 105, 55, 55. The reference code's ``-once`` orders pop the edges from a dictionary
keyed by edge in insertion order, so the scores never order anything; here the scores do (sorted descending, ties
by position index). Ties between ops go to the lowest choice index; a position whose every importance is NaN is
decided to its first alive choice and reported (``all_nan``).

Example:
    >>> perturbations_per_proposal("global-op-once", [5] * 6), perturbations_per_proposal("global-op-iter", [5] * 6)
    (55, 105)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from naslens.search._base import SearchError
from naslens.search.mixed import nan_argmax

ORDERS = ("fixed", "random", "global-op-iter", "global-op-once", "global-edge-iter", "global-edge-once")


@dataclass
class OrderTrace:
    """What one proposal did: positions in the order decided, the choice of each, rounds and perturbations."""

    decisions: list[tuple[int, int]] = field(default_factory=list)
    rounds: int = 0
    perturbations: int = 0
    all_nan: list[int] = field(default_factory=list)


def check_order(order: str) -> str:
    if order not in ORDERS:
        raise SearchError(f"unknown edge order {order!r}; valid orders: {', '.join(ORDERS)}")
    return order


def perturbations_per_proposal(order: str, n_choices: Sequence[int]) -> int | None:
    """Perturbations one proposal evaluates, from the number of alive choices of each undecided position; ``None``
    when the count depends on the decisions (an ``-iter`` or ``-once`` order over positions of unequal sizes).

    Example:
        >>> [perturbations_per_proposal(o, [5] * 6) for o in ORDERS]
        [30, 30, 105, 55, 105, 55]
        >>> perturbations_per_proposal("fixed", [2, 3]), perturbations_per_proposal("global-op-iter", [2, 3])
        (5, None)
    """
    check_order(order)
    n, total = list(n_choices), sum(n_choices)
    if order in ("fixed", "random") or not n:
        return total
    if len(set(n)) > 1:
        return None
    k, e = n[0], len(n)
    return k * e * (e + 1) // 2 if order.endswith("-iter") else total + (e - 1) * k


def _pick_op(imp: Sequence[float]) -> int | None:
    return nan_argmax(imp)


def _mean(imp: Sequence[float]) -> float:
    vals = [v for v in imp if v == v]
    return -math.inf if not vals else float(np.mean(vals))


def _best(imp: Sequence[float]) -> float:
    vals = [v for v in imp if v == v]
    return -math.inf if not vals else max(vals)


def run_order(
    order: str,
    positions: Sequence[int],
    alive: Callable[[int], list[int]],
    score_round: Callable[[Sequence[int]], dict[int, list[float]]],
    decide: Callable[[int, int], None],
    rng: np.random.Generator,
) -> OrderTrace:
    """Discretise ``positions`` (the undecided ones) in ``order``.

    Args:
        order: one of :data:`ORDERS`.
        positions: the positions to decide.
        alive: the alive choices of a position on the current state.
        score_round: importances of the given positions on the current state (one round, one batch).
        decide: discretise a position to a choice.
        rng: draws the ``random`` order.

    Returns:
        the trace (decisions in order, rounds, perturbations, positions whose importances were all NaN).
    """
    check_order(order)
    trace = OrderTrace()
    left = list(positions)

    def scored(ps: Sequence[int]) -> dict[int, list[float]]:
        out = score_round(ps)
        trace.rounds += 1
        trace.perturbations += sum(len(alive(p)) for p in ps)
        return out

    def commit(p: int, imp: Sequence[float]) -> None:
        o = _pick_op(imp)
        if o is None:
            o = alive(p)[0]
            trace.all_nan.append(p)
        decide(p, o)
        trace.decisions.append((p, o))
        left.remove(p)

    if order in ("fixed", "random"):
        seq = list(left) if order == "fixed" else [left[i] for i in rng.permutation(len(left))]
        for p in seq:
            commit(p, scored([p])[p])
    elif order.endswith("-iter"):
        while left:
            imps = scored(list(left))
            if order == "global-op-iter":
                # the (position, op) of highest importance; NaN never wins, ties go to the first position then op
                best_p, best_v = left[0], -math.inf
                for p in left:
                    v = _best(imps[p])
                    if v > best_v:
                        best_p, best_v = p, v
            else:
                best_p = max(left, key=lambda p: (_mean(imps[p]), -p))
            commit(best_p, imps[best_p])
    else:
        imps = scored(list(left))
        key = _best if order == "global-op-once" else _mean
        seq = sorted(left, key=lambda p: (-key(imps[p]), p))
        first = seq[0]
        commit(first, imps[first])
        for p in seq[1:]:
            commit(p, scored([p])[p])
    return trace
