"""The architectures each estimator ranks highest, with their ground truth, complexity and class size."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from naslens.analysis._common import GT, AnalysisError, column, estimator_names, oriented, require_columns
from naslens.criteria import rank

EXTRA_COLUMNS = ("arch", "index", "params", "flops", "class_id", "class_size")


def top_ranked(frame: pd.DataFrame, orientation: Mapping[str, bool], k: int = 10) -> pd.DataFrame:
    """The ``k`` best architectures of every estimator (oriented score, ties broken by row order).

    ``true_rank`` is the architecture's rank by ground truth among all rows with a finite ground truth
    (1 = best, ties "min"), so a perfect estimator lists true ranks 1..k. Rows with a non-finite score are never
    listed. Row ``oracle`` lists the true best architectures for comparison.

    Returns:
        Table: estimator, position (1..k), score, ground_truth, true_rank, then whichever of arch, index, params,
        flops, class_id, class_size the frame has.

    Raises:
        AnalysisError: If ``k < 1``.
    """
    if k < 1:
        raise AnalysisError(f"k must be >= 1, got {k}")
    names = estimator_names(frame, orientation)
    require_columns(frame, [GT], "top_ranked")
    y = column(frame, GT)
    true_rank = np.full(y.size, np.nan)
    finite_y = np.isfinite(y)
    true_rank[finite_y] = rank(y[finite_y], ties="min")
    extras = [c for c in EXTRA_COLUMNS if c in frame.columns]
    tables = []
    for name in ["oracle", *names]:
        s = y if name == "oracle" else oriented(frame, name, orientation)
        raw = y if name == "oracle" else column(frame, name)
        ok = np.flatnonzero(np.isfinite(s))
        order = ok[np.argsort(-s[ok], kind="stable")][:k]
        table = pd.DataFrame(
            {
                "estimator": name,
                "position": np.arange(1, order.size + 1),
                "score": raw[order],
                "ground_truth": y[order],
                "true_rank": true_rank[order],
            }
        )
        for c in extras:
            table[c] = frame[c].to_numpy()[order]
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
