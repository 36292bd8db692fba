"""``preserved_state`` restores values, dtypes and tensor identity, also when the body converts the model."""

from __future__ import annotations

import pytest
import torch

from naslens.estimators.zeroshot import create_proxy
from naslens.estimators.zeroshot._state import preserved_state

from ._nets import image_batch, small_nb201


def _state(model):
    return {k: (v.dtype, v.detach().clone()) for k, v in model.state_dict(keep_vars=True).items()}


def test_float64_model_converted_inside_is_restored_with_its_buffer_objects():
    model = small_nb201().double()
    model(torch.randn(4, 3, 8, 8, dtype=torch.float64))  # non-trivial running statistics
    before = _state(model)
    ids = {k: id(v) for k, v in model.state_dict(keep_vars=True).items()}
    with preserved_state(model):
        model.float()
        model.train()
        model(torch.randn(4, 3, 8, 8))  # updates the (new, float32) running statistics
        with torch.no_grad():
            next(model.parameters()).add_(1.0)
    after = model.state_dict(keep_vars=True)
    assert {k: id(v) for k, v in after.items()} == ids
    for k, (dtype, value) in before.items():
        assert after[k].dtype == dtype, k
        assert torch.equal(after[k].detach(), value), k


@pytest.mark.parametrize("name", ["grad_norm", "fisher", "jacob_cov", "nwot", "zen"])
def test_proxies_leave_a_float64_model_as_they_found_it(name):
    torch.set_num_threads(1)
    model = small_nb201().double()
    model.eval()
    before = _state(model)
    b = image_batch()
    create_proxy(name).compute(model, b, seed=0)
    after = model.state_dict(keep_vars=True)
    assert not model.training
    for k, (dtype, value) in before.items():
        assert after[k].dtype == dtype and torch.equal(after[k].detach(), value), (name, k)
