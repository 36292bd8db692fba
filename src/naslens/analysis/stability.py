"""Ranking stability between checkpoints, supernets or seeds, relative to the later (reference) one."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import (
    AnalysisError,
    checkpoint_sort_key,
    estimator_names,
    oriented,
    run_of,
    safe_kendall,
)
from naslens.criteria import DEFAULT_K_RATIOS, KValue, k_label, precision_at_bottom, precision_at_top, resolve_k
from naslens.types import RunId


def _precision_or_nan(fn: Any, ref: np.ndarray, other: np.ndarray, k: KValue) -> float:
    try:
        resolve_k(k, ref.size)
    except ValueError:
        return float("nan")
    if np.ptp(ref) == 0:
        return float("nan")
    return float(fn(ref, other, k))


def relative_stability(
    reference: np.ndarray, other: np.ndarray, ks: Sequence[KValue] = DEFAULT_K_RATIOS
) -> dict[str, float]:
    """Criteria of ``other`` scores measured against ``reference`` scores instead of the ground truth.

    Both vectors are oriented (higher = better). On the architectures where both are finite:
    relative ``kendall_tau`` = τ-b(reference, other), relative ``p_top@K`` = P@topK(reference, other, K) and
    ``p_bottom@K`` likewise (expected tie policy of :func:`naslens.criteria.precision_at_top`). K values that give
    an empty set, and a constant reference, yield NaN.

    Example:
        >>> relative_stability(np.array([1., 2, 3, 4]), np.array([1., 2, 4, 3]), ks=[0.5])["p_top@0.5"]
        1.0
    """
    ok = np.isfinite(reference) & np.isfinite(other)
    ref, oth = reference[ok], other[ok]
    out: dict[str, float] = {"n_archs": float(ok.sum()), "kendall_tau": safe_kendall(ref, oth)}
    for k in ks:
        enough = ref.size >= 2
        out[f"p_top@{k_label(k)}"] = _precision_or_nan(precision_at_top, ref, oth, k) if enough else float("nan")
        out[f"p_bottom@{k_label(k)}"] = _precision_or_nan(precision_at_bottom, ref, oth, k) if enough else float("nan")
    return out


def stability_between(
    frame: pd.DataFrame,
    orientation: Mapping[str, bool],
    sequence: Sequence[str],
    ks: Sequence[KValue] = DEFAULT_K_RATIOS,
) -> pd.DataFrame:
    """Relative criteria of each consecutive pair of ``sequence`` (e.g. seeds or supernets), the later as reference.

    Returns:
        One row per pair: reference, other, n_archs, kendall_tau, p_top@K…, p_bottom@K….
    """
    if len(sequence) < 2:
        raise AnalysisError(f"stability needs at least 2 score columns, got {list(sequence)}")
    sub = {name: orientation[name] for name in sequence}
    estimator_names(frame, sub)
    rows = []
    for earlier, later in itertools.pairwise(sequence):
        stats = relative_stability(oriented(frame, later, sub), oriented(frame, earlier, sub), ks)
        rows.append({"reference": later, "other": earlier, **stats})
    out = pd.DataFrame(rows)
    out["n_archs"] = out["n_archs"].astype(int)
    return out


def checkpoint_stability(
    frame: pd.DataFrame,
    orientation: Mapping[str, bool],
    ks: Sequence[KValue] = DEFAULT_K_RATIOS,
    runs: Mapping[str, RunId] | None = None,
) -> pd.DataFrame:
    """Stability between consecutive checkpoints of every series of runs (same estimator, ensemble and seed).

    ``runs`` says which run each column is (``{column: RunId}``; default: read from the labels,
    ``<estimator>[@<ensemble>]@<checkpoint>[#seed<s>]``). A temporal ensemble (``savg3``) or a seed average is
    a series of its own, never merged into a plain seed's. Checkpoints are ordered by the last number in their name
    (``epoch9`` before ``epoch10``). Series with fewer than two checkpoints contribute no rows; the result is empty
    when there are none.

    Returns:
        Tidy table: series (display label), estimator, ensemble, seed, reference, other, reference_checkpoint,
        other_checkpoint, n_archs, kendall_tau, p_top@K…, p_bottom@K….
    """
    return _grouped_stability(frame, orientation, ks, runs, by="checkpoint")


def seed_stability(
    frame: pd.DataFrame,
    orientation: Mapping[str, bool],
    ks: Sequence[KValue] = DEFAULT_K_RATIOS,
    runs: Mapping[str, RunId] | None = None,
) -> pd.DataFrame:
    """Stability between seeds (or supernets) of the same estimator, ensemble and checkpoint.

    Seeds are ordered numerically; each consecutive pair is compared with the later seed as reference. Groups
    with a single seed contribute no rows.

    Returns:
        Tidy table: series (display label without the seed), estimator, ensemble, checkpoint, reference, other,
        reference_seed, other_seed, n_archs, kendall_tau, p_top@K…, ….
    """
    return _grouped_stability(frame, orientation, ks, runs, by="seed")


def _grouped_stability(
    frame: pd.DataFrame,
    orientation: Mapping[str, bool],
    ks: Sequence[KValue],
    runs: Mapping[str, RunId] | None,
    by: str,
) -> pd.DataFrame:
    """Group the estimator columns whose run has a ``by`` (checkpoint or seed) by the run's other fields, order
    each group by ``by`` and compare consecutive members (later = reference)."""
    of = {name: run_of(name, runs) for name in estimator_names(frame, orientation)}
    groups: dict[RunId, list[str]] = {}
    for name, r in of.items():
        if by == "checkpoint" and r.checkpoint:
            groups.setdefault(RunId(r.estimator, r.seed, "", r.ensemble), []).append(name)
        elif by == "seed" and r.seed is not None:
            groups.setdefault(RunId(r.estimator, None, r.checkpoint, r.ensemble), []).append(name)

    def member(c: str) -> tuple[float, str]:
        r = of[c]
        return checkpoint_sort_key(r.checkpoint) if by == "checkpoint" else (float(r.seed or 0), "")

    other = "seed" if by == "checkpoint" else "checkpoint"
    tables = []
    for group, cols in groups.items():
        if len(cols) < 2:
            continue
        table = stability_between(frame, orientation, sorted(cols, key=member), ks)
        for i, (k, v) in enumerate(
            {"series": group.label(), "estimator": group.estimator, "ensemble": group.ensemble}.items()
        ):
            table.insert(i, k, v)
        table.insert(3, other, getattr(group, other))
        table.insert(6, f"reference_{by}", [getattr(of[c], by) for c in table["reference"]])
        table.insert(7, f"other_{by}", [getattr(of[c], by) for c in table["other"]])
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=["series", "estimator", "ensemble", other, "reference", "other", "n_archs"])
    out = pd.concat(tables, ignore_index=True)
    for col in ("seed", "reference_seed", "other_seed"):
        if col in out.columns:
            out[col] = out[col].astype("Int64")
    return out


def plot_stability(table: pd.DataFrame) -> Any:
    """Relative Kendall τ and P@top/bottom at the largest K between consecutive checkpoints, per estimator."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    top_cols = [c for c in table.columns if c.startswith("p_top@")]
    for base, sub in table.groupby("series", sort=False):
        labels = [str(c) for c in sub["reference_checkpoint"]]
        x = np.arange(len(labels))
        ax.plot(x, sub["kendall_tau"], marker="o", label=f"{base}: relative τ")
        if top_cols:
            ax.plot(x, sub[top_cols[-1]], marker="s", ls="--", label=f"{base}: relative {top_cols[-1]}")
        ax.set_xticks(x, labels, rotation=30, fontsize=8)
    ax.set_xlabel("reference checkpoint (compared with the previous one)")
    ax.set_ylabel("agreement with the later checkpoint")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0.0, color="black", lw=0.6)
    ax.legend(fontsize=8)
    ax.set_title("Ranking stability between consecutive checkpoints")
    fig.tight_layout()
    return fig
