"""One-shot scores: accuracy and loss of each architecture's supernet path on fixed validation batches.

Score of an architecture = mean top-1 accuracy (%) or mean cross-entropy over the first ``n_batches`` validation
batches of ``batch_size`` images (fixed order, no augmentation, dropout off). BatchNorm either normalises each
batch with its own statistics (``bn_mode="train"``, aw_nas' default) or uses running statistics re-estimated on
the first ``calib_batches`` training batches for that path (``"recalibrate"``). The supernet is left unchanged,
so scores do not depend on which or how many architectures are scored, nor in which order.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from naslens.estimators.base import EstimatorInfo
from naslens.estimators.oneshot.bn_modes import BN_MODES, bn_recalibrated, bn_train_mode
from naslens.estimators.oneshot.supernet_module import SupernetModule, as_module
from naslens.estimators.oneshot.train_config import TRAIN_DATASET

METRICS = ("acc", "loss")


@dataclass(frozen=True)
class ScoreConfig:
    """How paths are evaluated.

    Attributes:
        n_batches: validation batches per architecture.
        batch_size: images per validation batch.
        bn_mode: ``train`` (per-batch statistics) or ``recalibrate`` (running statistics from training batches).
        calib_batches: training batches used for recalibration (``recalibrate`` only).
    """

    n_batches: int = 5
    batch_size: int = 256
    bn_mode: str = "train"
    calib_batches: int = 4

    def __post_init__(self) -> None:
        for name in ("n_batches", "batch_size", "calib_batches"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.batch_size < 2:
            raise ValueError("batch_size must be ≥ 2 (BatchNorm in train mode needs two images)")
        if self.bn_mode not in BN_MODES:
            raise ValueError(f"bn_mode must be one of {BN_MODES}, got {self.bn_mode!r}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.bn_mode == "train":
            d.pop("calib_batches")
        return d


def metric_info(metric: str, score: ScoreConfig, name: str | None = None) -> EstimatorInfo:
    """Metadata of the one-shot accuracy or loss estimator."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    what = "accuracy (%)" if metric == "acc" else "cross-entropy loss"
    return EstimatorInfo(
        name=name or f"oneshot_{metric}",
        family="oneshot",
        higher_is_better=metric == "acc",
        needs_data=True,
        needs_labels=True,
        needs_training=True,
        bn_mode="train" if score.bn_mode == "train" else "eval",
        precision="float32",
        description=f"supernet path {what} on {score.n_batches} validation batches of {score.batch_size}, "
        f"BN {'per-batch statistics' if score.bn_mode == 'train' else 'recalibrated on training batches'}",
        dataset=TRAIN_DATASET,
    )


def _chunks(x: torch.Tensor, y: torch.Tensor | None, n: int, size: int, what: str) -> list[tuple[torch.Tensor, Any]]:
    if len(x) < n * size:
        raise ValueError(f"{what} has {len(x)} images; {n} batches of {size} need {n * size}")
    return [(x[i * size : (i + 1) * size], None if y is None else y[i * size : (i + 1) * size]) for i in range(n)]


@torch.no_grad()
def score_paths(
    model: SupernetModule,
    archs: Sequence[Any],
    val_x: torch.Tensor,
    val_y: torch.Tensor,
    config: ScoreConfig,
    *,
    calib_x: torch.Tensor | None = None,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accuracy (%), loss and seconds of every architecture's path.

    Args:
        model: the trained supernet (left unchanged).
        archs: architectures to score.
        val_x: validation images (the first ``n_batches * batch_size`` are used).
        val_y: their labels.
        config: evaluation settings.
        calib_x: training images for BN recalibration (required with ``bn_mode="recalibrate"``).
        progress: show a progress bar.

    Returns:
        ``(acc, loss, seconds)`` arrays aligned with ``archs``. A path whose logits are not all finite gets NaN
        accuracy (and the loss it produces, usually NaN), so the store records it as failed instead of ranking it.
    """
    dev = next(model.parameters()).device
    batches = [
        (x.to(dev), y.to(dev))
        for x, y in _chunks(val_x, val_y, config.n_batches, config.batch_size, "validation split")
    ]
    calib: list[torch.Tensor] = []
    if config.bn_mode == "recalibrate":
        if calib_x is None:
            raise ValueError("bn_mode='recalibrate' needs calib_x (training images)")
        calib = [
            x.to(dev) for x, _ in _chunks(calib_x, None, config.calib_batches, config.batch_size, "calibration set")
        ]
    acc = np.empty(len(archs))
    loss = np.empty(len(archs))
    secs = np.empty(len(archs))
    with Progress(
        TextColumn("scoring paths"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), disable=not progress
    ) as bar:
        task = bar.add_task("score", total=len(archs))
        for i, arch in enumerate(archs):
            model.check_arch(arch)
            t0 = time.perf_counter()
            if config.bn_mode == "train":
                ctx = bn_train_mode(as_module(model))
            else:
                ctx = bn_recalibrated(as_module(model), lambda x, a=arch: model(x, a), calib)  # type: ignore[misc]
            correct = 0.0
            total_loss = 0.0
            finite = True
            with ctx:
                for x, y in batches:
                    logits = model(x, arch)
                    finite = finite and bool(torch.isfinite(logits).all())
                    total_loss += float(F.cross_entropy(logits, y, reduction="mean"))
                    correct += float((logits.argmax(1) == y).float().mean())
            # argmax ranks NaN highest, so a diverged path would get a finite accuracy: report it as NaN instead
            acc[i] = 100.0 * correct / len(batches) if finite else float("nan")
            loss[i] = total_loss / len(batches)
            secs[i] = time.perf_counter() - t0
            bar.update(task, advance=1)
    return acc, loss, secs
