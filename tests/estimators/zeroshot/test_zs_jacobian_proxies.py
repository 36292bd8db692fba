"""jacob_cov and epe_nas: exact values when every input Jacobian is the same vector (a linear network)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from naslens.estimators.zeroshot import Batch, ProxyError, create_proxy
from naslens.estimators.zeroshot.epe_nas import epe_score

from ._nets import TwoLayerLinear, batch, image_batch, small_nb201

K = 1e-5


def test_jacob_cov_linear_net_exact():
    # J_n = 1ᵀ W2 W1 for every n → correlation matrix of ones → eigenvalues (n, 0, ..., 0)
    n = 6
    expected = -((n - 1) * (math.log(K) + 1 / K) + math.log(n + K) + 1 / (n + K))
    v = create_proxy("jacob_cov").compute(TwoLayerLinear(), batch(n=n))
    assert v == pytest.approx(expected, rel=1e-6)


def test_jacob_cov_needs_no_labels_and_is_higher_for_decorrelated_jacobians():
    net, b = small_nb201(), image_batch()
    v = create_proxy("jacob_cov").compute(net, Batch(b.x, None))
    assert math.isfinite(v)
    lin = create_proxy("jacob_cov").compute(TwoLayerLinear(d_in=192), Batch(b.x.reshape(10, -1)))
    assert v > lin  # a ReLU network separates inputs; a linear one gives perfectly correlated Jacobians


def test_jacob_cov_constant_output_fails_loudly():
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3, bias=False))
    with torch.no_grad():
        net[1].weight.zero_()
    with pytest.raises(ProxyError, match="constant"):
        create_proxy("jacob_cov").compute(net, batch())


def test_epe_nas_exact_for_identical_jacobians():
    n, classes = 6, 3  # labels 0,1,2,0,1,2: two samples per class, all correlations 1
    s_c = 4 * math.log(1 + K)
    v = create_proxy("epe_nas").compute(TwoLayerLinear(), batch(n=n, classes=classes))
    assert v == pytest.approx(classes * abs(s_c), rel=1e-6)


def test_epe_score_many_classes_uses_pairwise_differences():
    rng = np.random.default_rng(0)
    J = rng.normal(size=(6, 10))
    labels = np.array([0, 0, 1, 1, 1, 2])
    s = []
    for c in (0, 1, 2):
        Jc = J[labels == c]
        corr = np.corrcoef(Jc) if len(Jc) > 1 else np.ones((1, 1))
        s.append(np.log(np.abs(corr) + K).sum() / corr.shape[0])
    s = np.array(s)
    expected = np.abs(s[:, None] - s[None, :]).sum() / 3
    assert epe_score(J, labels, n_classes=120) == pytest.approx(expected)
    s_small = [np.log(np.abs(np.corrcoef(J[labels == c]) if c < 2 else np.ones((1, 1))) + K).sum() for c in (0, 1, 2)]
    assert epe_score(J, labels, n_classes=10) == pytest.approx(np.abs(s_small).sum())
