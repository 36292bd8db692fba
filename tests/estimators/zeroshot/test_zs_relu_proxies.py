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


def _two_product(xs: list[torch.Tensor]) -> torch.Tensor:
    """The NASWOT kernel computed per ReLU call with two products, as the original code does."""
    K = torch.zeros((xs[0].shape[0],) * 2, dtype=torch.float64)
    for x in xs:
        c = (x.reshape(x.shape[0], -1) > 0).double()
        K += c @ c.T + (1 - c) @ (1 - c).T
    return K


def test_code_kernel_equals_the_two_product_form_in_both_precisions(monkeypatch):
    from naslens.estimators.zeroshot.passes import relu_codes

    x = torch.randn(7, 3, 5, 5)
    assert torch.equal(relu_codes.code_kernel(x), _two_product([x]))
    monkeypatch.setattr(relu_codes, "_EXACT_FLOAT32", 10)  # force the float64 product
    assert torch.equal(relu_codes.code_kernel(x), _two_product([x]))


class SharedInputs(nn.Module):
    """Three ReLUs read one tensor (the second an in-place ReLU, which changes it for the third), a fourth another."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.c, self.d = nn.ReLU(), nn.ReLU(inplace=True), nn.ReLU(), nn.ReLU()
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x * 2 - 0.3
        self.seen = [h.clone()]
        out = self.a(h)
        self.seen.append(h.clone())
        out = out + self.b(h)  # in place: h is now relu(h)
        self.seen.append(h.clone())
        out = out + self.c(h)
        g = out - 0.5
        self.seen.append(g.clone())
        return self.d(g).sum(dim=1, keepdim=True)


def test_relu_codes_reuses_a_shared_input_and_stays_exact():
    """A tensor read by several ReLUs is coded once; an in-place change makes it a new input; K is the per-call K."""
    from naslens.estimators.zeroshot.passes import relu_codes

    net = SharedInputs()
    calls: list[torch.Tensor] = []
    real = relu_codes.code_kernel

    def counting(x: torch.Tensor) -> torch.Tensor:
        calls.append(x)
        return real(x)

    x = torch.randn(6, 4)
    import unittest.mock as um

    with um.patch.object(relu_codes, "code_kernel", counting):
        res = relu_codes.relu_codes_pass(net, Batch(x), frozenset(), 0, {})
    assert res.hooks_fired == 4 and res.n_units == 16
    assert len(calls) == 3  # a and b share h; c sees h after b's in-place change; d its own tensor
    assert torch.equal(res.K, _two_product(net.seen))
