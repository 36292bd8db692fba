"""The common contract over every registered proxy, and proof that the contract catches bad proxies."""

from __future__ import annotations

import pytest
import torch

from naslens.estimators.zeroshot import Proxy, ProxyInfo, check_proxy, create_proxy, list_proxies
from naslens.estimators.zeroshot.passes import CEBackwardResult


@pytest.mark.parametrize("name", list_proxies())
def test_every_registered_proxy_satisfies_the_contract(name):
    torch.set_num_threads(1)
    check_proxy(create_proxy(name))


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
