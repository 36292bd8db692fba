"""grad_norm, plain, snip, grasp and fisher on a 2-layer linear net, against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naslens.estimators.zeroshot import ProxyError, create_proxy

from ._nets import TwoLayerLinear, batch


def _by_hand(net: TwoLayerLinear, b) -> dict[str, object]:
    """Cross-entropy gradients of y = W2 W1 x written out with numpy."""
    W1 = net.l1.weight.detach().double().numpy()
    W2 = net.l2.weight.detach().double().numpy()
    X = b.x.double().numpy()
    n = X.shape[0]
    H = X @ W1.T  # (n, h)
    Z = H @ W2.T  # (n, K)
    P = np.exp(Z - Z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    T = np.eye(Z.shape[1])[b.y.numpy()]
    dZ = (P - T) / n  # ∂L/∂Z for L = mean CE
    dW2 = dZ.T @ H
    dH = dZ @ W2
    dW1 = dH.T @ X
    return {"W1": W1, "W2": W2, "dW1": dW1, "dW2": dW2, "H": H, "Z": Z, "dH": dH, "dZ": dZ}


@pytest.fixture
def setup():
    net = TwoLayerLinear()
    b = batch()
    return net, b, _by_hand(net, b)


def test_grad_norm_exact(setup):
    net, b, h = setup
    expected = np.linalg.norm(h["dW1"]) + np.linalg.norm(h["dW2"])
    assert create_proxy("grad_norm").compute(net, b) == pytest.approx(expected, rel=1e-5)


def test_plain_is_signed_and_snip_is_absolute(setup):
    net, b, h = setup
    plain = (h["dW1"] * h["W1"]).sum() + (h["dW2"] * h["W2"]).sum()
    snip = np.abs(h["dW1"] * h["W1"]).sum() + np.abs(h["dW2"] * h["W2"]).sum()
    assert create_proxy("plain").compute(net, b) == pytest.approx(plain, rel=1e-4, abs=1e-7)
    assert create_proxy("snip").compute(net, b) == pytest.approx(snip, rel=1e-5)
    assert snip >= abs(plain)


def test_grasp_matches_full_hessian(setup):
    net, b, _ = setup
    W1 = net.l1.weight.detach().double()
    W2 = net.l2.weight.detach().double()
    x, y = b.x.double(), b.y
    sizes = (W1.numel(), W2.numel())

    def loss(theta: torch.Tensor) -> torch.Tensor:
        a, c = theta[: sizes[0]].view_as(W1), theta[sizes[0] :].view_as(W2)
        return torch.nn.functional.cross_entropy(x @ a.T @ c.T, y)

    theta = torch.cat([W1.flatten(), W2.flatten()])
    g = torch.autograd.functional.jacobian(loss, theta)
    H = torch.autograd.functional.hessian(loss, theta)
    expected = float(-(theta * (H @ g)).sum())
    assert create_proxy("grasp").compute(net, b) == pytest.approx(expected, rel=1e-4)


def test_fisher_exact_and_weighted_convention(setup):
    net, b, h = setup
    # per layer output a (no spatial dims): g_nk = a_nk · ∂L/∂a_nk ; F_k = ½ mean_n g_nk²
    f1 = 0.5 * ((h["H"] * h["dH"]) ** 2).mean(0)
    f2 = 0.5 * ((h["Z"] * h["dZ"]) ** 2).mean(0)
    assert create_proxy("fisher").compute(net, b) == pytest.approx(f1.sum() + f2.sum(), rel=1e-4)
    fan1, fan2 = h["W1"].shape[1], h["W2"].shape[1]
    weighted = fan1 * f1.sum() + fan2 * f2.sum()
    assert create_proxy("fisher_weighted").compute(net, b) == pytest.approx(weighted, rel=1e-4)


@pytest.mark.parametrize("name", ["grad_norm", "plain", "snip", "grasp", "fisher"])
def test_labels_required(name, setup):
    net, b, _ = setup
    b.y = None
    with pytest.raises(ProxyError, match="labels"):
        create_proxy(name).compute(net, b)


def test_grad_proxies_use_train_mode_bn():
    from ._nets import image_batch, small_nb201

    net, b = small_nb201(), image_batch()
    net.eval()
    v_eval_handed = create_proxy("snip").compute(net, b)
    net.train()
    assert create_proxy("snip").compute(net, b) == v_eval_handed
