"""Shared plumbing of the analyses: the score-frame convention, orientation and safe criteria.

Every analysis reads a *score frame*: a DataFrame with one row per architecture (the layout of an evaluation's
``scores.csv``) holding at least ``ground_truth`` and one column per estimator, plus an *orientation* mapping
``{estimator column: higher_is_better}`` that says which columns are estimators and how to read them. Scores are
*oriented* before use (negated when lower is better) so that "higher = predicted better" everywhere.
A score column named ``<estimator>@<checkpoint>`` is one checkpoint of a one-shot run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from naslens.criteria import kendall_tau

GT = "ground_truth"
FloatArray = NDArray[np.float64]


class AnalysisError(ValueError):
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


def split_checkpoint(name: str) -> tuple[str, str]:
    """``"oneshot@epoch10#seed1"`` → ``("oneshot#seed1", "epoch10")``: the run (estimator and seed) and the
    checkpoint; a name without ``@`` has checkpoint ``""``."""
    label, hash_sep, seed = name.partition("#")
    base, sep, ckpt = label.partition("@")
    run = base + (hash_sep + seed if hash_sep else "")
    return (run, ckpt) if sep else (name, "")


def split_seed(name: str) -> tuple[str, str]:
    """``"oneshot@epoch10#seed1"`` → ``("oneshot@epoch10", "seed1")``; without ``#`` the seed is ``""``."""
    label, sep, seed = name.partition("#")
    return (label, seed) if sep else (name, "")


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
