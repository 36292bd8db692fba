"""The fused scorer: same values as each proxy alone, shared passes, failures recorded per proxy."""

from __future__ import annotations

import pytest
import torch

from naslens.estimators.zeroshot import Batch, FusedScorer, create_proxy, list_proxies

from ._nets import image_batch, small_nb201


def test_fused_equals_alone_for_every_proxy():
    torch.set_num_threads(1)
    net, batches = small_nb201(), [image_batch(seed=0), image_batch(seed=1)]
    names = list_proxies()
    fused = FusedScorer(names).score(net, batches, seed=0)
    for n in names:
        p = create_proxy(n)
        per_batch = [p.compute(net, b, seed=0) for b in (batches if p.info.uses_batch else batches[:1])]
        alone = sum(per_batch) / len(per_batch)
        assert fused[n].status == "ok", (n, fused[n].status)
        assert fused[n].value == pytest.approx(alone, rel=1e-5), n
        assert fused[n].seconds > 0


def test_gradient_proxies_share_one_pass():
    s = FusedScorer(["grad_norm", "snip", "grasp", "fisher", "jacob_cov", "plain", "synflow"])
    assert s.n_passes() == 2
    assert FusedScorer(["nwot", "linear_regions"]).n_passes() == 2  # different input resolution
    assert FusedScorer(["ntk", "ntk_sumlogits"]).n_passes() == 1
    with pytest.raises(ValueError, match="duplicate"):
        FusedScorer(["snip", "snip"])


def test_failures_are_recorded_not_raised():
    net = small_nb201()
    x = torch.randn(1, 3, 8, 8).repeat(6, 1, 1, 1)  # identical inputs: NASWOT kernel is singular
    out = FusedScorer(["nwot", "synflow"]).score(net, [Batch(x, torch.zeros(6, dtype=torch.long))])
    assert out["nwot"].status.startswith("failed: singular")
    assert out["synflow"].status == "ok"
    out = FusedScorer(["snip", "jacob_cov"]).score(net, [Batch(x[:, :, :4, :4].contiguous(), None)])
    assert out["snip"].status == "failed: this proxy needs labels but the batch has none"
    assert out["jacob_cov"].status == "ok"  # it needs no labels and still gets its pass
