"""The common tools' per-proxy procedures (naslens.estimators.zeroshot.reference) agree with naslens' proxies."""

from __future__ import annotations

import pytest
import torch

from naslens.estimators.zeroshot import FusedScorer, create_proxy
from naslens.estimators.zeroshot.reference import REFERENCE

from ._nets import image_batch, small_nb201


@pytest.mark.parametrize("seed", [0, 1])
def test_reference_procedures_agree_with_proxies_alone_and_fused(seed):
    torch.set_num_threads(1)
    net = small_nb201(seed=seed)
    b = image_batch(n=10, seed=seed)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    fused = FusedScorer(list(REFERENCE)).score(net, [b])
    for name, ref in REFERENCE.items():
        r = ref(net, b)
        alone = create_proxy(name).compute(net, b, seed=0)
        assert fused[name].status == "ok"
        assert alone == pytest.approx(r, rel=1e-4, abs=1e-9), name
        assert fused[name].value == pytest.approx(r, rel=1e-4, abs=1e-9), name
    assert all(torch.equal(v, net.state_dict()[k]) for k, v in before.items())  # the references copy the net
