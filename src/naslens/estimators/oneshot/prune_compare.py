"""Comparison tables of the pruning workflows: a pruned and an unpruned supernet, scored on the same architectures,
against the same ground truth.

Every row says which supernet (checkpoint, training-configuration hash, seed, epoch, what it trained on), which
architectures (their count, how they were chosen), which score (``oneshot_acc`` or ``oneshot_loss``, the evaluation
settings) and which ground truth; the criteria are Kendall τ (KD), Spearman ρ and P@topK of the scores against the
ground truth on those architectures. Architectures whose score is not finite are left out of the criteria and
counted in ``n_nan``. Scores are computed once and kept in a :class:`~naslens.store.ScoreStore` (a rerun reads them).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.criteria import KValue, k_label, kendall_tau, precision_at_top, spearman
from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.base import config_hash
from naslens.estimators.oneshot.checkpoint import CheckpointRef, load_checkpoint
from naslens.estimators.oneshot.score_checkpoints import score_checkpoints, store_config
from naslens.estimators.oneshot.scoring import METRICS, ScoreConfig
from naslens.estimators.oneshot.subspace import SamplerError
from naslens.estimators.oneshot.train_config import SupernetTrainConfig
from naslens.store import ScoreStore

__all__ = [
    "COLUMNS",
    "PruneError",
    "PruneEval",
    "Supernet",
    "Truth",
    "compare_rows",
    "score_on",
    "truth_from_ground_truth",
]


class PruneError(SamplerError):
    """An invalid pruning-workflow setting (a user error; the message names it)."""


COLUMNS = (
    "workflow",
    "setting",
    "archs",
    "n_archs",
    "supernet",
    "trained_on",
    "estimator",
    "n_nan",
    "kendall_tau",
    "spearman",
    "p_at_top",
    "k",
    "truth",
    "checkpoint",
    "config_hash",
    "seed",
    "epoch",
)


@dataclass(frozen=True)
class Truth:
    """Ground-truth values by architecture key (``values``) and what they are (``label``, e.g.
    ``nb201-fmnist:fashion-mnist``)."""

    values: pd.Series
    label: str


def truth_from_ground_truth(spec: str, dataset: str | None = None, metric: str | None = None) -> Truth:
    """A :class:`Truth` from a ground truth (name or file) and its dataset / metric (architectures without a value
    are dropped)."""
    from naslens.benchmarks import load_ground_truth

    gt = load_ground_truth(spec)
    col = gt.metric_for(dataset=dataset, metric=metric)
    return Truth(gt.series(col).dropna().astype(float), f"{spec}:{col}")


@dataclass(frozen=True)
class PruneEval:
    """How supernets are compared: the ground truth, the path-score settings, the score used and K of P@topK.

    Attributes:
        truth: the ground truth.
        score: evaluation settings of the path scores.
        metric: ``acc`` (one-shot accuracy, higher is better) or ``loss``.
        k: P@topK's K, a count or a ratio of the compared architectures.
    """

    truth: Truth
    score: ScoreConfig = field(default_factory=lambda: ScoreConfig(n_batches=4, batch_size=256))
    metric: str = "acc"
    k: KValue = 0.1

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise PruneError(f"metric must be one of {METRICS}, got {self.metric!r}")

    @property
    def estimator(self) -> str:
        return f"oneshot_{self.metric}"


@dataclass(frozen=True)
class Supernet:
    """A checkpoint taking part in a comparison, its role (``unpruned``, ``pruned``, ``control``) and a description
    of what it was trained on."""

    role: str
    path: Path
    trained_on: str

    def load(self) -> tuple[SupernetTrainConfig, int]:
        ck = load_checkpoint(self.path, map_location="cpu")
        return SupernetTrainConfig.from_dict(ck["config"]), int(ck["epoch"])


def score_on(
    net: Supernet,
    archs: Sequence[Any],
    store: ScoreStore,
    ev: PruneEval,
    *,
    device: Any = None,
    data: ImageSplits | None = None,
    progress: bool = False,
) -> np.ndarray:
    """The ``ev.metric`` scores of ``archs`` with ``net`` (computed into ``store`` unless already there), aligned."""
    cfg, epoch = net.load()
    space = cfg.search_space()
    ref = CheckpointRef(net.path, epoch)
    score_checkpoints([ref], archs, store, ev.score, space=space, device=device, data=data, progress=progress)
    h = config_hash(store_config(cfg, ev.score, ev.metric, 1))
    keys = [space.key(a) for a in archs]
    got = store.scores(space.name, ev.estimator, keys, config_hash_=h, seed=cfg.seed, checkpoint=ref.label)
    return np.asarray(got.values, dtype=np.float64)


def _criteria(y: np.ndarray, s: np.ndarray, higher: bool, k: KValue) -> tuple[int, float, float, float]:
    ok = np.isfinite(s) & np.isfinite(y)
    n_nan = int((~np.isfinite(s)).sum())
    if ok.sum() < 2 or np.ptp(s[ok]) == 0 or np.ptp(y[ok]) == 0:
        return n_nan, math.nan, math.nan, math.nan
    yy, ss = y[ok], s[ok]
    try:
        p = precision_at_top(yy, ss, k, higher_is_better=higher)
    except ValueError:  # K larger than the finite architectures
        p = math.nan
    return n_nan, kendall_tau(yy, ss, higher), spearman(yy, ss, higher), p


def compare_rows(
    workflow: str,
    setting: str,
    archs_label: str,
    keys: Sequence[str],
    scores: Sequence[tuple[Supernet, np.ndarray]],
    ev: PruneEval,
) -> list[dict[str, Any]]:
    """One row per supernet: its criteria against ``ev.truth`` on the architectures ``keys`` (``scores`` aligned
    with them)."""
    y = ev.truth.values.reindex(list(keys)).to_numpy(dtype=np.float64)
    rows = []
    for net, s in scores:
        cfg, epoch = net.load()
        n_nan, kd, sp, p = _criteria(y, np.asarray(s, dtype=np.float64), ev.metric == "acc", ev.k)
        rows.append(
            {
                "workflow": workflow,
                "setting": setting,
                "archs": archs_label,
                "n_archs": len(keys),
                "supernet": net.role,
                "trained_on": net.trained_on,
                "estimator": ev.estimator,
                "n_nan": n_nan,
                "kendall_tau": kd,
                "spearman": sp,
                "p_at_top": p,
                "k": k_label(ev.k),
                "truth": ev.truth.label,
                "checkpoint": str(net.path),
                "config_hash": cfg.hash,
                "seed": cfg.seed,
                "epoch": epoch,
            }
        )
    return rows


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write the comparison rows to ``path`` (CSV, atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
    return path
