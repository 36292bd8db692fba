"""Budgets: which architecture would the estimator pick under each cost budget, and how good is it (mBR)?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import GT, AnalysisError, column, estimator_names, oriented, require_columns
from naslens.criteria import default_budgets, mean_best_rank

ORACLE = "oracle"
COMPLEXITY_BASELINES = ("params", "flops")


def _cost(frame: pd.DataFrame, cost: str, space: Any, net: Mapping[str, Any] | None) -> np.ndarray:
    """The cost column of the table, or a cost column the space declares (e.g. NB201's ``depth``), computed from
    ``arch`` with the network settings ``net`` (default: the space's default network)."""
    if cost in frame.columns:
        return column(frame, cost)
    from naslens.spaces import get_space

    if space is None:
        raise AnalysisError(
            f"no cost column {cost!r} in the table (has {list(frame.columns)}); give the space to compute it"
        )

    sp: Any = get_space(space)
    if cost in sp.info.cost_columns:
        require_columns(frame, ["arch"], f"budgets on {cost}")
        table = sp.complexity([sp.parse(str(a)) for a in frame["arch"]], **sp.net_config(None, **dict(net or {})))
        return table[cost].to_numpy(dtype=np.float64)
    raise AnalysisError(
        f"no cost column {cost!r} in the table (has {list(frame.columns)}) nor among the cost columns of space "
        f"{sp.name!r} ({', '.join(sp.info.cost_columns)})"
    )


def budget_picks(
    frame: pd.DataFrame,
    orientation: Mapping[str, bool],
    cost: str = "flops",
    budgets: Sequence[float] | None = None,
    n_budgets: int = 5,
    space: Any = None,
    net: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Per estimator and budget: the picked architecture, its true rank within the budget and its accuracy.

    Only rows with a finite ground truth and cost take part (the same set for every estimator). For budget b,
    W_b = {i : cost_i <= b} and M_s = |W_b|; the estimator picks its best-scored architecture in W_b and
    r_s is that architecture's true rank within W_b (1 = best, ties "min"), via
    :func:`naslens.criteria.mean_best_rank`: ``mBR = mean_b r_s / M_s`` (lower is better). A non-finite score
    is treated as worse than every finite one (never picked while a finite score remains); the count is in
    ``n_nonfinite``; an estimator without any finite score gets NaN rows. Budgets default to ``n_budgets``
    values evenly spaced between the cheapest and the dearest architecture. Extra rows: ``oracle`` (scores =
    ground truth) and ``params`` / ``flops`` (bigger = better)
    when those columns exist and are not already estimators.

    Args:
        frame: Score frame with ``ground_truth``, the estimator columns and the cost column (a cost column of the
            space that the frame lacks, e.g. NB201's ``depth``, is computed from ``arch``).
        orientation: ``{estimator column: higher_is_better}``.
        cost: ``"flops"``, ``"params"``, any numeric column, or a cost column of the space (``depth`` on NB201).
        budgets: Explicit budgets (default: evenly spaced).
        n_budgets: Number of default budgets.
        space: The architectures' space (name or space), to compute a cost column the frame lacks from ``arch``.
        net: Network settings for that computation (the evaluation's ``complexity_network``; default: the
            space's default network).

    Returns:
        Table: estimator, cost, budget, n_within, arch, true_rank, relative_rank, ground_truth,
        best_ground_truth (the best accuracy within the budget), mbr, n_nonfinite.
    """
    names = estimator_names(frame, orientation)
    require_columns(frame, [GT], "budget_picks")
    y = column(frame, GT)
    c = _cost(frame, cost, space, net)
    rows_ok = np.isfinite(y) & np.isfinite(c)
    if rows_ok.sum() < 2:
        raise AnalysisError(f"budgets need at least 2 architectures with finite ground truth and {cost}")
    yk, ck = y[rows_ok], c[rows_ok]
    arch = frame["arch"].to_numpy()[rows_ok] if "arch" in frame.columns else np.flatnonzero(rows_ok)
    budget_arr = default_budgets(ck, n_budgets) if budgets is None else np.asarray(budgets, dtype=np.float64)
    candidates: dict[str, np.ndarray] = {ORACLE: yk}
    for base in COMPLEXITY_BASELINES:
        if base in frame.columns and base not in orientation:
            candidates[base] = column(frame, base)[rows_ok]
    for name in names:
        candidates[name] = oriented(frame, name, orientation)[rows_ok]
    rows = []
    for name, s in candidates.items():
        finite = np.isfinite(s)
        if not finite.any():  # nothing to pick from: say so with NaN rows instead of dropping the estimator
            rows += [
                {
                    "estimator": name,
                    "cost": cost,
                    "budget": float(b),
                    "n_within": int((ck <= b).sum()),
                    "arch": None,
                    "true_rank": np.nan,
                    "relative_rank": np.nan,
                    "ground_truth": np.nan,
                    "best_ground_truth": float(yk[ck <= b].max()) if (ck <= b).any() else np.nan,
                    "mbr": np.nan,
                    "n_nonfinite": int(s.size),
                }
                for b in budget_arr
            ]
            continue
        filled = np.where(finite, s, s[finite].min() - 1.0)
        result = mean_best_rank(yk, filled, ck, budget_arr)
        for pick in result.picks:
            within = ck <= pick.budget
            rows.append(
                {
                    "estimator": name,
                    "cost": cost,
                    "budget": pick.budget,
                    "n_within": pick.n_within,
                    "arch": arch[pick.index],
                    "true_rank": pick.true_rank,
                    "relative_rank": pick.relative_rank,
                    "ground_truth": pick.y,
                    "best_ground_truth": float(yk[within].max()),
                    "mbr": result.mbr,
                    "n_nonfinite": int((~finite).sum()),
                }
            )
    return pd.DataFrame(rows)


def mbr_table(picks: pd.DataFrame) -> pd.DataFrame:
    """One row per estimator: mBR, mean accuracy of the picks, and the relative rank per budget (wide)."""
    wide = picks.pivot(index="estimator", columns="budget", values="relative_rank")
    wide.columns = [f"r/M @ {b:.4g}" for b in wide.columns]
    summary = picks.groupby("estimator", sort=False).agg(
        cost=("cost", "first"),
        mbr=("mbr", "first"),
        mean_pick_accuracy=("ground_truth", "mean"),
        n_budgets=("budget", "size"),
        n_nonfinite=("n_nonfinite", "first"),
    )
    return summary.join(wide).reset_index()


def plot_budget_accuracy(picks: pd.DataFrame) -> Any:
    """Ground-truth accuracy of each estimator's pick against the budget (oracle = the best achievable)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    for name, sub in picks.groupby("estimator", sort=False):
        style: dict[str, Any] = {"color": "black", "lw": 2.0, "ls": "--"} if name == ORACLE else {}
        mbr = float(sub["mbr"].iloc[0])
        ax.plot(sub["budget"], sub["ground_truth"], marker="o", label=f"{name} (mBR {mbr:.3f})", **style)
    cost = str(picks["cost"].iloc[0]) if len(picks) else "cost"
    ax.set_xlabel(f"budget on {cost} (architectures with {cost} <= budget)")
    ax.set_ylabel("ground truth of the picked architecture")
    ax.set_title("Best pick per budget")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
