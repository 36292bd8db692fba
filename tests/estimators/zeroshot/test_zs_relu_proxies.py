"""nwot (relu_logdet) and linear_regions: hand-computed kernels, singular kernels, hooks that never fire."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from naslens.estimators.zeroshot import Batch, ProxyError, create_proxy
from naslens.estimators.zeroshot.linear_regions import count_patterns


class ReluOnInput(nn.Module):
    """ReLU applied straight to the input, then a fixed linear head: the ReLU codes are sign(x)."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.relu = nn.ReLU()
        self.head = nn.Linear(d, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.relu(x))


def test_nwot_kernel_by_hand():
    x = torch.tensor([[1.0, -1, 2, -3, 1], [-1, -1, 2, 3, 1], [1, 1, -2, 3, -1], [1, -1, -2, -3, -1]])
    c = (x > 0).double().numpy()
    K = c @ c.T + (1 - c) @ (1 - c).T
    assert np.allclose(K, 5 - (c[:, None, :] != c[None, :, :]).sum(-1))  # N_A − Hamming distance
    sign, logdet = np.linalg.slogdet(K)
    assert sign > 0
    assert create_proxy("nwot").compute(ReluOnInput(5), Batch(x)) == pytest.approx(logdet, rel=1e-10)


def test_nwot_identical_inputs_singular_reported():
    x = torch.randn(1, 5).repeat(4, 1)
    with pytest.raises(ProxyError, match="singular"):
        create_proxy("nwot").compute(ReluOnInput(5), Batch(x))


def test_nwot_fails_loudly_without_relu():
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    with pytest.raises(ProxyError, match="ReLU"):
        create_proxy("nwot").compute(net, Batch(torch.randn(3, 4)))


def test_nwot_fails_loudly_when_no_relu_runs():
    class Unused(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.relu = nn.ReLU()
            self.lin = nn.Linear(4, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.lin(x)

    with pytest.raises(ProxyError, match="no ReLU hook fired"):
        create_proxy("nwot").compute(Unused(), Batch(torch.randn(3, 4)))


def test_linear_regions_counts_distinct_patterns():
    x = torch.tensor([[1.0, -1], [2, -5], [-1, 1], [3, 4], [0.5, 0.5]])  # patterns 10,10,01,11,11 → 3 regions
    lr = create_proxy("linear_regions", crop=None)
    net = ReluOnInput(2)
    assert lr.compute(net, Batch(x)) == 3.0
    K = torch.tensor([[2.0, 2, 0], [2, 2, 0], [0, 0, 2]])
    assert count_patterns(K, 2) == 2


def test_linear_regions_option_validated_and_thin_network_declared():
    with pytest.raises(ValueError):
        create_proxy("linear_regions", crop=0)
    with pytest.raises(ValueError):
        create_proxy("linear_regions", samples=1)
    assert create_proxy("linear_regions").info.network == "thin"


def test_linear_regions_counts_crops():
    # ReLU on the input: a 1×1 crop of a 1-channel image has pattern 1[pixel > 0] → at most 2 regions
    x = torch.tensor([[[[1.0, -1.0], [2.0, -3.0]]]])
    lr = create_proxy("linear_regions", crop=1, samples=50)
    assert lr.compute(ReluOnInput(1), Batch(x)) == 2.0
