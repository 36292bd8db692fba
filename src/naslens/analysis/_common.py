"""Shared plumbing of the analyses: the score-frame convention, orientation and safe criteria.

Every analysis reads a *score frame*: a DataFrame with one row per architecture (the layout of an evaluation's
``scores.csv``) holding at least ``ground_truth`` and one column per estimator, plus an *orientation* mapping
``{estimator column: higher_is_better}`` that says which columns are estimators and how to read them. Scores are
*oriented* before use (negated when lower is better) so that "higher = predicted better" everywhere.
Which run a score column is (estimator, seed, checkpoint, store-level ensemble) comes from *runs*
(``{column: RunId}``, an evaluation's ``runs.csv`` / ``Evaluation.runs``); analyses that group columns (by
checkpoint, by seed) group by those fields. Without runs a column's label is read by
:meth:`naslens.types.RunId.from_label` (``<estimator>[@<ensemble>][@<checkpoint>][#seed<s>]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from naslens.criteria import kendall_tau
from naslens.types import RunId, UserError

GT = "ground_truth"
FloatArray = NDArray[np.float64]


class AnalysisError(UserError, ValueError):
    """An analysis got input it cannot use; the message says what is wrong."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ``AnalysisError`` naming the missing columns of ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{what} needs column(s) {missing}; the table has {list(frame.columns)}")


def estimator_names(frame: pd.DataFrame, orientation: Mapping[str, bool]) -> list[str]:
    """The estimator columns of ``frame`` listed in ``orientation`` (order of ``orientation``); checks presence."""
    names = list(orientation)
    if not names:
        raise AnalysisError("no estimator columns given (orientation is empty)")
    require_columns(frame, names, "this analysis")
    return names


def oriented(frame: pd.DataFrame, name: str, orientation: Mapping[str, bool]) -> FloatArray:
    """Scores of ``name`` as float64, negated when lower is better (so higher = predicted better)."""
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)
    return values if orientation[name] else -values


def column(frame: pd.DataFrame, name: str) -> FloatArray:
    """One column as float64 (non-numeric entries become NaN)."""
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)


def run_of(name: str, runs: Mapping[str, RunId] | None = None) -> RunId:
    """The run of score column ``name``: ``runs[name]`` when given, else read from the label; a column whose label
    is not a run label (e.g. ``ground_truth``) is a run of its own name."""
    if runs is not None and name in runs:
        return runs[name]
    try:
        return RunId.from_label(name)
    except ValueError:
        return RunId(name.replace("@", "_").replace("#", "_"))


def split_checkpoint(name: str, runs: Mapping[str, RunId] | None = None) -> tuple[str, str]:
    """``"oneshot@savg3@epoch10#seed1"`` → ``("oneshot@savg3#seed1", "epoch10")``: the series (estimator, ensemble
    and seed, as a display label) and the checkpoint; a column without a checkpoint has checkpoint ``""``."""
    r = run_of(name, runs)
    return RunId(r.estimator, r.seed, "", r.ensemble).label(), r.checkpoint


def split_seed(name: str, runs: Mapping[str, RunId] | None = None) -> tuple[str, str]:
    """``"oneshot@epoch10#seed1"`` → ``("oneshot@epoch10", "seed1")``; without a seed the seed is ``""``."""
    r = run_of(name, runs)
    return RunId(r.estimator, None, r.checkpoint, r.ensemble).label(), "" if r.seed is None else f"seed{r.seed}"


def checkpoint_sort_key(checkpoint: str) -> tuple[float, str]:
    """Order checkpoints by the last number in their name (``epoch9`` < ``epoch10``), then by name."""
    numbers = re.findall(r"\d+(?:\.\d+)?", checkpoint)
    return (float(numbers[-1]) if numbers else float("inf"), checkpoint)


def safe_kendall(y: FloatArray, s: FloatArray) -> float:
    """Kendall τ-b of the finite pairs, NaN when fewer than 2 remain or either side is constant."""
    ok = np.isfinite(y) & np.isfinite(s)
    if ok.sum() < 2 or np.ptp(y[ok]) == 0 or np.ptp(s[ok]) == 0:
        return float("nan")
    return kendall_tau(y[ok], s[ok])
