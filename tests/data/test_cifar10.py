"""The shared CIFAR-10 subset reader with the benchmark normalisation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naslens.data.cifar10 import CIFAR10_MEAN, CIFAR10_STD, CIFAR10Error, load_cifar10_partial, normalize


def test_normalize_formula():
    img = np.zeros((1, 2, 2, 3), dtype=np.uint8)
    img[0, 0, 0] = (255, 128, 0)
    x = normalize(img)
    assert tuple(x.shape) == (1, 3, 2, 2)
    assert float(x[0, 0, 0, 0]) == pytest.approx((1.0 - CIFAR10_MEAN[0]) / CIFAR10_STD[0], rel=1e-6)
    assert float(x[0, 2, 1, 1]) == pytest.approx(-CIFAR10_MEAN[2] / CIFAR10_STD[2], rel=1e-6)
    with pytest.raises(CIFAR10Error):
        normalize(np.zeros((2, 2, 3), dtype=np.uint8))


def test_missing_file_is_explained(tmp_path):
    with pytest.raises(CIFAR10Error, match="NASLENS_DATA"):
        load_cifar10_partial(tmp_path)
    with pytest.raises(ValueError):
        load_cifar10_partial(tmp_path, split="val")


@pytest.mark.needs_shared_data
def test_reads_the_subset(shared_data):
    x, y, _meta = load_cifar10_partial(shared_data, split="train")
    assert tuple(x.shape) == (5085, 3, 32, 32) and x.dtype == torch.float32 and len(y) == 5085
    assert set(y.tolist()) == set(range(10))
    assert abs(float(x.mean())) < 0.3 and 0.7 < float(x.std()) < 1.3  # benchmark normalisation ≈ standardised
    _xt, yt, _ = load_cifar10_partial(shared_data, split="test")
    assert len(yt) == 1017
    xa, _, meta_all = load_cifar10_partial(shared_data, split="all")
    assert len(xa) == 5085 + 1017 and meta_all["split"] == "all"


@pytest.mark.needs_shared_data
def test_split_read_once_per_file_version_and_meta_not_shared():
    from naslens.data.cifar10 import _load, load_cifar10_partial

    _load.cache_clear()
    x1, _, m1 = load_cifar10_partial(split="test")
    m1["indices_sha256"] = "changed by a caller"
    x2, _, m2 = load_cifar10_partial(split="test")
    assert _load.cache_info().hits == 1 and x2 is x1
    assert "indices_sha256" not in m2
