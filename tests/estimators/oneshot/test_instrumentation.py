"""Forgetting values and gradient cosine similarity."""

from __future__ import annotations

import math

import torch

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.instrumentation import ForgettingTracker, gradient_cosine, path_accuracy
from naslens.spaces import get_space
from naslens.spaces.nb201 import NB201Arch
from naslens.spaces.nb201.supernet import NB201Supernet

A = NB201Arch(("nor_conv_3x3", "skip_connect", "nor_conv_1x1", "none", "avg_pool_3x3", "nor_conv_3x3"))
B = NB201Arch(("nor_conv_1x1", "none", "nor_conv_3x3", "skip_connect", "none", "nor_conv_3x3"))


def test_gradient_cosine(splits: ImageSplits) -> None:
    torch.manual_seed(0)
    net = NB201Supernet(C=4, N=1, num_classes=4, in_channels=1)
    x, y = splits.val_x[:32], splits.val_y[:32]
    same = gradient_cosine(net, A, A, x, y)
    assert all(math.isclose(v, 1.0, rel_tol=1e-9) for v in same.values() if not math.isnan(v))
    assert "classifier.weight" in same and not any(p.grad is not None for p in net.parameters())
    diff = gradient_cosine(net, A, B, x, y)
    assert set(diff) < set(same)  # only tensors both paths use
    assert any(".edges.2->3.nor_conv_3x3." in n for n in diff) and not any("nor_conv_1x1" in n for n in diff)
    assert all(-1.0 - 1e-9 <= v <= 1.0 + 1e-9 for v in diff.values() if not math.isnan(v))
    assert diff["classifier.weight"] < 1.0 - 1e-6


def test_forgetting_tracker(splits: ImageSplits) -> None:
    torch.manual_seed(0)
    net = NB201Supernet(C=4, N=1, num_classes=4, in_channels=1)
    tracker = ForgettingTracker(splits.val_x[:32], splits.val_y[:32], get_space("nb201"))
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    tracker.after_step(net, 0, [A])
    tracker.after_step(net, 1, [B])
    rows = tracker.end_epoch(net, epoch=1)
    assert [r["forgetting"] for r in rows] == [0.0, 0.0]  # nothing trained in between
    tracker.after_step(net, 0, [A])
    for _ in range(3):  # train B only: A's accuracy may change
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(splits.train_x[:32], B), splits.train_y[:32]).backward()
        opt.step()
    (row,) = tracker.end_epoch(net, epoch=2)
    assert row["acc_end_epoch"] == path_accuracy(net, A, splits.val_x[:32], splits.val_y[:32])
    assert row["forgetting"] == row["acc_after_step"] - row["acc_end_epoch"]
    assert tracker.records == []
