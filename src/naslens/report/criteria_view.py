"""Criteria of every estimator as a flat table, and their trend over one-shot checkpoints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis._common import checkpoint_sort_key
from naslens.criteria import resolve_criteria
from naslens.report.evaluation_data import run_of_entry
from naslens.types import RunId

SET_CRITERIA = ("precision_at_top", "precision_at_bottom", "best_ranking", "worst_ranking")
SHORT = {"precision_at_top": "P@top", "precision_at_bottom": "P@bottom", "best_ranking": "BR", "worst_ranking": "WR"}
STATUSES = ("ok", "nan", "inf", "failed", "not_scored")


def _number(value: Any) -> float:
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def criteria_table(results: dict[str, Any], criteria: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per result of ``evaluation.json``: correlations, set criteria per K, status counts, configuration.

    Column names say the criterion and K (``P@top 0.05`` = precision among the top 5 %). ``n_<status>`` columns
    count the architectures whose score was ok / NaN / inf / failed; criteria use the ``ok`` ones only.
    ``criteria`` chooses them by name (default :data:`naslens.criteria.DEFAULT_CRITERIA`).
    """
    chosen = resolve_criteria(criteria)
    rows = []
    for key, entry in results.items():
        est = entry.get("estimator", {})
        info = est.get("info", {})
        row: dict[str, Any] = {
            "label": key,
            **run_of_entry(key, entry).as_dict(),
            "family": info.get("family", ""),
            "higher_is_better": info.get("higher_is_better", ""),
            "n_archs": entry.get("n_archs", ""),
        }
        for c in chosen:
            if c.info.needs_k:
                for k, v in (entry.get(c.info.name) or {}).items():
                    row[f"{c.info.short} {k}"] = _number(v)
            else:
                row[c.info.name] = _number(entry.get(c.info.name))
        counts = entry.get("status_counts", {}) or {}
        for s in STATUSES:
            row[f"n_{s}"] = int(counts.get(s, 0))
        other = {s: n for s, n in counts.items() if s not in STATUSES}
        if other:
            row["other_status"] = json.dumps(other)
        row["config_hash"] = est.get("config_hash", "")
        rows.append(row)
    return _int_seeds(pd.DataFrame(rows))


def _int_seeds(df: pd.DataFrame) -> pd.DataFrame:
    if "seed" in df.columns:
        df["seed"] = df["seed"].astype("Int64")
    return df


def estimator_table(results: dict[str, Any]) -> pd.DataFrame:
    """Which configuration produced each score column: family, orientation, BN mode, precision and full config."""
    rows = []
    for key, entry in results.items():
        est = entry.get("estimator", {})
        info = est.get("info", {})
        rows.append(
            {
                "label": key,
                **run_of_entry(key, entry).as_dict(),
                "family": info.get("family", ""),
                "higher_is_better": info.get("higher_is_better", ""),
                "bn_mode": info.get("bn_mode", ""),
                "precision": info.get("precision", ""),
                "config_hash": est.get("config_hash", ""),
                "config": json.dumps(est.get("config", {}), sort_keys=True),
            }
        )
    return _int_seeds(pd.DataFrame(rows))


def checkpoint_trends(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``criteria_table`` that belong to a series (same estimator, ensemble and seed) with two or more
    checkpoints, in checkpoint order; ``base_estimator`` names the series (``oneshot_acc@savg3#seed0``)."""
    if table.empty:
        return table
    ckpt = table["checkpoint"].fillna("").astype(str)
    series = [
        RunId(str(e), None if pd.isna(s) else int(s), "", str(ens or "")).label()
        for e, s, ens in zip(table["estimator"], table["seed"], table["ensemble"].fillna(""), strict=True)
    ]
    base = pd.Series(series, index=table.index)
    has = ckpt != ""
    counts = base[has].value_counts()
    keep = has & base.map(lambda b: counts.get(b, 0) >= 2)
    out = table[keep].assign(base_estimator=base[keep])
    order = out["checkpoint"].map(lambda c: checkpoint_sort_key(str(c)))
    return out.assign(_order=order).sort_values(["base_estimator", "_order"]).drop(columns="_order")


def plot_checkpoint_trends(trends: pd.DataFrame) -> Any:
    """Kendall τ, Spearman and every P@top K against the checkpoint, one panel per one-shot estimator."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bases = list(dict.fromkeys(trends["base_estimator"]))
    fig, axes = plt.subplots(1, len(bases), figsize=(5.5 * len(bases), 3.8), squeeze=False)
    top_cols = [c for c in trends.columns if c.startswith("P@top ")]
    for ax, base in zip(axes[0], bases, strict=True):
        sub = trends[trends["base_estimator"] == base]
        x = np.arange(len(sub))
        for c in ["kendall_tau", "spearman", *top_cols]:
            ax.plot(x, sub[c].to_numpy(dtype=float), marker="o", ms=3, label=c)
        ax.set_xticks(x, [str(c) for c in sub["checkpoint"]], rotation=30, fontsize=8)
        ax.set_title(str(base), fontsize=10)
        ax.set_xlabel("checkpoint")
        ax.set_ylim(-1.05, 1.05)
        ax.axhline(0, color="black", lw=0.6)
        ax.legend(fontsize=7)
    fig.suptitle("Criteria over checkpoints (against the ground truth)", fontsize=10)
    fig.tight_layout()
    return fig
