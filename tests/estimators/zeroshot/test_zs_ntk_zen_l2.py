"""ntk / ntk_sumlogits, zen and l2_norm against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from naslens.estimators.zeroshot import Batch, ProxyError, create_proxy

from ._nets import TwoLayerLinear, batch, image_batch, small_nb201


def test_ntk_single_linear_layer_is_cond_of_gram():
    # y = W x: ∂y_ic/∂W = e_c x_iᵀ → Θ = I_K ⊗ X Xᵀ, same spectrum as X Xᵀ
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(6, 3, bias=False))
    x = torch.randn(4, 6)
    ev = np.linalg.eigvalsh((x @ x.T).double().numpy())
    v = create_proxy("ntk", samples=None).compute(net, Batch(x))
    assert v == pytest.approx(ev[-1] / ev[0], rel=1e-5)
    # summed logits: gradient of Σ_c y_ic = 1 xᵢᵀ → Θ^Σ = K · X Xᵀ, same condition number
    assert create_proxy("ntk_sumlogits", samples=None).compute(net, Batch(x)) == pytest.approx(ev[-1] / ev[0], rel=1e-5)
    assert create_proxy("ntk").info.higher_is_better is False


def test_ntk_uses_first_samples_and_detects_singular_kernel():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(3, 2, bias=False))
    x = torch.randn(5, 3)  # 5 samples in 3 dimensions: X Xᵀ has rank 3
    with pytest.raises(ProxyError, match="singular"):
        create_proxy("ntk", samples=None).compute(net, Batch(x))
    assert math.isfinite(create_proxy("ntk", samples=3).compute(net, Batch(x)))
    with pytest.raises(ValueError):
        create_proxy("ntk", samples=1)


def test_zen_closed_form_on_a_linear_feature_map():
    class LinearFeatures(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(4, 3)
            self.head = nn.Linear(3, 2)

        def features(self, x: torch.Tensor) -> torch.Tensor:
            return self.lin(x)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.features(x))

    net, shape, seed = LinearFeatures(), (5, 4), 3
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((3, 4), generator=g)  # re-initialised weights, in module order
    torch.randn((2, 3), generator=g)
    torch.randn(shape, generator=g)  # x
    eps = torch.randn(shape, generator=g)
    delta = (0.01 * eps @ W.T).abs().sum(1).mean()  # bias is zeroed, so f(x) − f(x+αε) = −α W ε
    v = create_proxy("zen").compute(net, Batch(torch.zeros(shape)), seed=seed)
    assert v == pytest.approx(math.log(float(delta)), rel=1e-5)


def test_zen_bn_term_uses_batch_variances_and_state_is_restored():
    net, b = small_nb201(), image_batch()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    v1 = create_proxy("zen").compute(net, b, seed=0)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    with torch.no_grad():  # stale running statistics must not matter
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_var.fill_(1e6)
    assert create_proxy("zen").compute(net, b, seed=0) == v1
    assert create_proxy("zen").compute(net, b, seed=1) != v1


def test_zen_without_features_or_pooling_fails():
    with pytest.raises(ProxyError, match="pre-pooling"):
        create_proxy("zen").compute(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), batch())


def test_l2_norm_exact():
    net = TwoLayerLinear()
    expected = float(net.l1.weight.detach().norm() + net.l2.weight.detach().norm())
    assert create_proxy("l2_norm").compute(net, None) == pytest.approx(expected, rel=1e-6)


def test_zen_skips_bn_on_dead_paths():
    # node 1 receives only `none`, so the conv on edge 1→2 sees zeros and its BN has zero batch variance
    net = small_nb201(ops=("none", "skip_connect", "nor_conv_3x3", "nor_conv_1x1", "none", "skip_connect"))
    v = create_proxy("zen").compute(net, image_batch(), seed=0)
    assert math.isfinite(v)
