"""BatchNorm handling when evaluating supernet paths: train-mode statistics or recalibrated running statistics.

Both leave the supernet exactly as they found it (module modes and every BatchNorm buffer are restored), so
evaluation never changes training and scores do not depend on the order architectures are scored in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

BN_MODES = ("train", "recalibrate")


def _batchnorms(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@contextmanager
def preserved_state(model: nn.Module) -> Iterator[None]:
    """Restore every module's train/eval flag, every BatchNorm buffer and BN momentum on exit."""
    flags = [(m, m.training) for m in model.modules()]
    bns = _batchnorms(model)
    saved = [(bn, bn.momentum, {k: v.detach().clone() for k, v in bn.named_buffers(recurse=False)}) for bn in bns]
    try:
        yield
    finally:
        for m, flag in flags:
            m.training = flag
        for bn, momentum, bufs in saved:
            bn.momentum = momentum
            for k, v in bufs.items():
                getattr(bn, k).copy_(v)


@contextmanager
def bn_train_mode(model: nn.Module) -> Iterator[None]:
    """Dropout off, BatchNorm normalising with each batch's own statistics; buffers restored on exit."""
    with preserved_state(model):
        model.eval()
        for bn in _batchnorms(model):
            bn.train()
        yield


@contextmanager
def bn_recalibrated(
    model: nn.Module, forward: Callable[[torch.Tensor], torch.Tensor], batches: list[torch.Tensor]
) -> Iterator[None]:
    """Reset the running statistics, re-estimate them as the plain average over ``batches`` (forwarded with
    ``forward``, BN in train mode), then evaluate in eval mode; everything is restored on exit.

    Raises:
        ValueError: no calibration batch was given.
    """
    if not batches:
        raise ValueError("BN recalibration needs at least one batch")
    with preserved_state(model):
        model.eval()
        for bn in _batchnorms(model):
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batches
            bn.train()
        with torch.no_grad():
            for x in batches:
                forward(x)
        model.eval()
        yield
