"""synflow / log_synflow: exact value on a linear chain, width monotonicity, float64, BN removed, restoration."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from naslens.estimators.zeroshot import Batch, create_proxy

from ._nets import TwoLayerLinear, batch, image_batch, small_nb201


def test_linear_chain_equals_depth_times_R():
    net = TwoLayerLinear(d_in=5, hidden=4, out=3)
    W1, W2 = net.l1.weight.detach().double().abs(), net.l2.weight.detach().double().abs()
    R = float(torch.ones(3, dtype=torch.float64) @ W2 @ W1 @ torch.ones(5, dtype=torch.float64))
    b = batch(d=5)
    assert create_proxy("synflow").compute(net, b) == pytest.approx(2 * R, rel=1e-12)
    assert create_proxy("log_synflow").compute(net, b) == pytest.approx(math.log(2 * R), rel=1e-12)


def test_wider_copy_has_larger_synflow():
    torch.manual_seed(0)
    narrow = nn.Sequential(nn.Flatten(), nn.Linear(4, 3, bias=False), nn.ReLU(), nn.Linear(3, 2, bias=False))
    wide = nn.Sequential(nn.Flatten(), nn.Linear(4, 6, bias=False), nn.ReLU(), nn.Linear(6, 2, bias=False))
    with torch.no_grad():  # the wide net contains the narrow one plus extra positive-flow units
        wide[1].weight[:3] = narrow[1].weight
        wide[3].weight[:, :3] = narrow[3].weight
    b = batch(d=4)
    assert create_proxy("synflow").compute(wide, b) > create_proxy("synflow").compute(narrow, b)


def test_ignores_bn_and_data_and_restores_weights():
    net, b = small_nb201(), image_batch()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    v1 = create_proxy("synflow").compute(net, b)
    v2 = create_proxy("synflow").compute(net, Batch(b.x * 7 + 3, None))
    assert v1 == v2 and v1 > 0
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert next(net.parameters()).dtype == torch.float32


def test_full_nb201_reaches_huge_values_without_overflow():
    from naslens.spaces.nb201 import NB201Arch
    from naslens.spaces.nb201.network import build_nb201

    torch.manual_seed(0)
    net = build_nb201(NB201Arch(("nor_conv_3x3",) * 6))
    v = create_proxy("synflow").compute(net, Batch(torch.zeros(2, 3, 32, 32)))
    assert math.isfinite(v) and v > 1e30
    assert create_proxy("log_synflow").compute(net, Batch(torch.zeros(2, 3, 32, 32))) == pytest.approx(math.log(v))
