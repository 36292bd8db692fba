"""The supernet: a sampled path computes exactly what the standalone network with the same weights computes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naslens.spaces.nb201 import NB201Arch, NB201Space, canonical
from naslens.spaces.nb201.supernet import NB201Supernet, live_edges


def _archs(n: int = 40) -> list[NB201Arch]:
    rng = np.random.default_rng(1)
    space = NB201Space()
    special = [
        NB201Arch(("none",) * 6),  # no live edge: output node is zero
        NB201Arch(("nor_conv_3x3", "none", "none", "none", "none", "none")),  # node 1 dead-ends
        NB201Arch(("none", "nor_conv_3x3", "nor_conv_1x1", "none", "nor_conv_3x3", "avg_pool_3x3")),  # dead node 1
        NB201Arch(("nor_conv_3x3",) * 6),
    ]
    return special + [space.sample(rng) for _ in range(n)]


def test_live_edges_reachability() -> None:
    a = NB201Arch(("none", "nor_conv_3x3", "nor_conv_1x1", "none", "nor_conv_3x3", "avg_pool_3x3"))
    # node 1 has no live input, so edges 1->2 and 1->3 are dead; 0->2->3 is the only path
    assert [(s, d) for _, s, d, _ in live_edges(a)] == [(0, 2), (2, 3)]
    assert live_edges(NB201Arch(("none",) * 6)) == ()
    b = NB201Arch(("skip_connect", "none", "nor_conv_1x1", "none", "none", "none"))  # node 2 never reaches 3
    assert live_edges(b) == ()


@pytest.mark.parametrize("bn_affine", [False, True])
def test_path_equals_standalone(bn_affine: bool) -> None:
    torch.manual_seed(0)
    net = NB201Supernet(C=4, N=2, num_classes=7, in_channels=1, bn_affine=bn_affine, dropout=0.0)
    with torch.no_grad():  # non-trivial BN statistics and affine parameters
        for p in net.parameters():
            if p.dim() == 1:
                p.uniform_(0.5, 1.5)
    x = torch.randn(6, 1, 8, 8)
    archs = _archs() if not bn_affine else [NB201Arch(("nor_conv_3x3",) * 6), NB201Arch.from_index(9930)]
    for arch in archs:
        net.train()
        net(x, arch)  # update running statistics of the path
        net.eval()
        standalone = net.to_standalone(arch).eval()
        assert torch.equal(net(x, arch), standalone(x)), arch
        net.train()
        standalone.train()
        assert torch.equal(net(x, arch), standalone(x)), arch


def test_bn_affine_switch() -> None:
    off = NB201Supernet(C=4, N=1, bn_affine=False)
    on = NB201Supernet(C=4, N=1, bn_affine=True)
    cell_bns = [m for n, m in off.named_modules() if isinstance(m, torch.nn.BatchNorm2d) and ".edges." in n]
    assert cell_bns and all(not m.affine for m in cell_bns)
    assert all(m.affine for n, m in on.named_modules() if isinstance(m, torch.nn.BatchNorm2d))
    n_off = sum(p.numel() for p in off.parameters())
    n_on = sum(p.numel() for p in on.parameters())
    # 6 edges x 2 conv ops x (gamma + beta) per channel, in 3 stages of widths 4, 8, 16
    assert n_on - n_off == 6 * 2 * 2 * (4 + 8 + 16)


def test_skipped_ops_get_no_gradient_and_dead_edge_isomorphs_share() -> None:
    torch.manual_seed(0)
    net = NB201Supernet(C=4, N=1, in_channels=1, dropout=0.0)
    x, y = torch.randn(4, 1, 8, 8), torch.tensor([0, 1, 2, 3])
    a = NB201Arch(("nor_conv_3x3", "none", "none", "none", "skip_connect", "none"))
    b = NB201Arch(("nor_conv_3x3", "none", "avg_pool_3x3", "none", "skip_connect", "none"))  # 1->2 dead-ends
    torch.nn.functional.cross_entropy(net(x, a), y).backward()
    grads_a = {n: p.grad.clone() for n, p in net.named_parameters() if p.grad is not None}
    used = {n for n, _ in net.path_parameters(a)}
    assert set(grads_a) == used
    assert not any("nor_conv_1x1" in n for n in used)
    net.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(net(x, b), y).backward()
    grads_b = {n: p.grad for n, p in net.named_parameters() if p.grad is not None}
    assert grads_a.keys() == grads_b.keys()
    assert all(torch.equal(grads_a[n], grads_b[n]) for n in grads_a)
    # an isomorph that moves the conv along the skip (0->1 + skip 1->3 vs 0->3) uses another edge's module
    c = NB201Arch(("none", "none", "none", "nor_conv_3x3", "none", "none"))
    assert canonical(c) == canonical(a)
    conv = {n for n, _ in net.path_parameters(c) if ".edges." in n}
    assert conv and all(".edges.0->3.nor_conv_3x3." in n for n in conv)
    assert not conv & {n for n, _ in net.path_parameters(a)}


def test_restricted_ops_and_bad_arguments() -> None:
    net = NB201Supernet(C=4, N=1, ops=("none", "skip_connect", "nor_conv_3x3"))
    assert not any("nor_conv_1x1" in n for n, _ in net.named_parameters())
    with pytest.raises(ValueError, match="does not hold"):
        net(torch.randn(2, 3, 8, 8), NB201Arch(("nor_conv_1x1",) * 6))
    with pytest.raises(ValueError, match="ops must be"):
        NB201Supernet(ops=("conv5x5",))
    with pytest.raises(ValueError, match="C must be"):
        NB201Supernet(C=0)
    with pytest.raises(ValueError, match="dropout"):
        NB201Supernet(dropout=1.0)
