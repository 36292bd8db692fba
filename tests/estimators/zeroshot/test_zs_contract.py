"""The common contract over every registered proxy, and proof that the contract catches bad proxies."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naslens.estimators.zeroshot import Proxy, ProxyInfo, check_proxy, create_proxy, list_proxies
from naslens.estimators.zeroshot.contract import ContractModel
from naslens.estimators.zeroshot.passes import CEBackwardResult
from naslens.spaces import get_space, list_spaces

# small networks per space (unknown spaces: their default network and a seeded sample)
CONTRACT = {
    "nb201": (
        "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|",
        {"C": 4, "N": 1, "input_size": 8, "num_classes": 5},
    ),
    "nb-macro": ("12012012", {"init_channels": 4, "head_channels": 16, "input_size": 16, "num_classes": 5}),
}


def _triple(space_name: str):
    sp = get_space(space_name)
    if space_name in CONTRACT:
        key, net = CONTRACT[space_name]
        return sp, sp.parse(key), net
    return sp, sp.sample(np.random.default_rng(0)), {}


@pytest.mark.parametrize("space_name", sorted(list_spaces()))
@pytest.mark.parametrize("name", list_proxies())
def test_every_registered_proxy_satisfies_the_contract_on_every_space(name, space_name):
    torch.set_num_threads(1)
    check_proxy(create_proxy(name), model_factory=_triple(space_name))


@pytest.mark.parametrize("name", list_proxies())
def test_every_registered_proxy_satisfies_the_contract_on_the_default_network(name):
    torch.set_num_threads(1)
    check_proxy(create_proxy(name))


def test_contract_takes_any_factory():
    calls = []

    def factory(seed):
        calls.append(seed)
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3))
        return ContractModel(net, (3, 2, 2), 3)

    check_proxy(create_proxy("snip"), model_factory=factory, seed=4)
    assert calls == [4]
    with pytest.raises(TypeError, match="model_factory"):
        check_proxy(create_proxy("snip"), model_factory=42)


def test_registry_metadata():
    assert {
        "grad_norm",
        "plain",
        "snip",
        "grasp",
        "fisher",
        "synflow",
        "jacob_cov",
        "nwot",
        "zen",
        "ntk",
        "linear_regions",
        "epe_nas",
        "l2_norm",
    } <= set(list_proxies())
    assert list_proxies("grad*") == ["grad_norm"]
    assert create_proxy("ntk").info.higher_is_better is False
    assert create_proxy("synflow").info.bn_mode == "removed" and create_proxy("synflow").info.precision == "float64"
    with pytest.raises(KeyError, match="unknown"):
        create_proxy("nope")
    with pytest.raises(ValueError):
        ProxyInfo("x", True, False, True, "train", "float32", "ce_backward")  # labels without data


class _Mutating(Proxy):
    """Changes the weights it is given: the contract must notice."""

    info = ProxyInfo("mutating", True, False, False, "n/a", "float32", "weights", uses_batch=False)

    def reduce(self, result):  # pragma: no cover - never reached
        return 0.0

    def compute(self, model, batch, *, seed=0):
        with torch.no_grad():
            next(model.parameters()).add_(1.0)
        return 1.0


class _LabelsLiar(Proxy):
    """Uses labels but declares it does not."""

    info = ProxyInfo("liar", True, True, False, "train", "float32", "ce_backward", frozenset({"weight_grad"}))

    def reduce(self, result: CEBackwardResult) -> float:
        return float(sum(float(g.abs().sum()) for g in result.grads))


def test_contract_catches_state_changes():
    with pytest.raises(AssertionError, match="changed"):
        check_proxy(_Mutating())


def test_contract_catches_undeclared_label_use():
    with pytest.raises(AssertionError, match="without labels was refused"):
        check_proxy(_LabelsLiar())
