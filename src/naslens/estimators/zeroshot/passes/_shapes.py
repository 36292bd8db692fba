"""Helpers shared by the passes that use only the batch's shape."""

from __future__ import annotations

from naslens.estimators.zeroshot._core import Batch, ProxyError


def batch_shape(batch: Batch | None) -> tuple[int, ...]:
    if batch is None:
        raise ProxyError("this pass needs a batch (at least its shape)")
    return tuple(batch.x.shape)
