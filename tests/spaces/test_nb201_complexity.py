"""Params/FLOPs of NB201 networks: exact benchmark values, the NAS-Bench-Suite-Zero files, and the built module."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from tests.conftest import reference

from naslens.spaces import get_space
from naslens.spaces.nb201 import NB201Arch
from naslens.spaces.nb201.complexity import NetConfig, complexity

SPACE = get_space("nb201")
FACTS = reference("nb201_facts.json")
ARCH_284 = FACTS["index_284"]["string"]


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100", "ImageNet16-120"])
def test_index_284_exact(dataset: str) -> None:
    a = NB201Arch.from_index(284)
    assert a.to_string() == ARCH_284
    row = SPACE.complexity([a], **SPACE.net_config(dataset)).iloc[0]
    assert round(row["params"], 6) == FACTS["index_284"][dataset]["params"]
    assert round(row["flops"], 6) == FACTS["index_284"][dataset]["flops"]


def test_whole_space_is_vectorised_and_counts_ops() -> None:
    df = SPACE.complexity()
    assert len(df) == 15625
    codes = SPACE.codes_array()
    assert (df["n_conv3x3"] == (codes == 3).sum(1)).all() and (df["relu"] == df["n_conv1x1"] + df["n_conv3x3"]).all()
    assert (df[["n_none", "n_skip", "n_conv1x1", "n_conv3x3", "n_avg_pool"]].sum(axis=1) == 6).all()
    # params depend only on the conv counts: equal counts -> equal params
    g = df.groupby(["n_conv1x1", "n_conv3x3"])["params"].nunique()
    assert (g == 1).all()
    # a conv-free cell is the smallest, the all-conv3x3 cell (index 1462) the largest
    assert df["params"].iloc[NB201Arch(("none",) * 6).index] == df["params"].min()
    assert df["flops"].idxmax() == 1462 and df["params"].idxmax() == 1462


@pytest.mark.needs_shared_data
@pytest.mark.parametrize(
    ("raw", "dataset"), [("cifar10", "cifar10"), ("cifar100", "cifar100"), ("ImageNet16-120", "imagenet16-120")]
)
def test_matches_nas_bench_suite_zero_exactly(naslib_zc, raw: str, dataset: str) -> None:
    doc = json.loads(naslib_zc.read_text())["nasbench201"][raw]
    archs = [NB201Arch.from_naslib(k) for k in doc]
    df = complexity(archs, dataset=dataset)
    ref_params = np.array([v["params"] for v in doc.values()])
    ref_flops = np.array([v["flops"] for v in doc.values()])
    assert len(archs) > 400
    assert np.array_equal(df["params"].round(6).to_numpy(), ref_params)
    assert np.array_equal(df["flops_all_ops"].round(6).to_numpy(), ref_flops)
    # the benchmark's FLOPs are a different, smaller count
    assert (df["flops"].to_numpy() < ref_flops).all()


def test_readme_check_values_for_cifar100() -> None:
    df = complexity(
        [NB201Arch.from_naslib((4, 3, 3, 3, 2, 3)), NB201Arch.from_naslib((0, 0, 4, 1, 4, 4))], dataset="cifar100"
    )
    assert df["params"].round(6).tolist() == [0.434196, 0.079156]


def _module_params(arch: NB201Arch, **cfg: int) -> int:
    return sum(p.numel() for p in SPACE.build(arch, **cfg).parameters())


@pytest.mark.parametrize("index", [0, 284, 1462, 9930, 14822])
@pytest.mark.parametrize(
    ("cfg", "input_size"),
    [
        ({}, 32),
        ({"num_classes": 100}, 32),
        ({"num_classes": 120}, 16),
        ({"C": 8, "N": 1, "num_classes": 10, "in_channels": 1}, 28),
    ],
)
def test_built_module_params_equal_analytic(index: int, cfg: dict[str, int], input_size: int) -> None:
    a = NB201Arch.from_index(index)
    analytic = complexity([a], input_size=input_size, **cfg)["params"].iloc[0]
    assert _module_params(a, **cfg) == round(analytic * 1e6)


def test_built_module_flops_equal_analytic_by_hooks() -> None:
    """Count conv/linear MACs with forward hooks on a real forward pass and compare."""
    a = NB201Arch.from_index(9930)
    net = SPACE.build(a, C=8, N=2, num_classes=10)
    total = 0

    def hook(mod: torch.nn.Module, inp: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        nonlocal total
        if isinstance(mod, torch.nn.Conv2d):
            total += out[0].numel() * mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
        elif isinstance(mod, torch.nn.Linear):
            total += mod.in_features * mod.out_features + mod.out_features

    for m in net.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.register_forward_hook(hook)
    net(torch.zeros(1, 3, 32, 32))
    analytic = complexity([a], C=8, N=2, num_classes=10, input_size=32)["flops"].iloc[0]
    assert total == round(analytic * 1e6)


def test_network_forward_shapes_and_ops() -> None:
    torch.manual_seed(0)
    net = SPACE.build(NB201Arch.from_index(0), num_classes=120)
    assert net(torch.randn(2, 3, 16, 16)).shape == (2, 120)
    assert net.features(torch.randn(2, 3, 32, 32)).shape == (2, 64, 8, 8)
    # average pooling does not count padding: a constant map stays constant at the borders
    from naslens.spaces.nb201.ops import AvgPool3x3, Zero

    x = torch.ones(1, 2, 5, 5)
    assert torch.equal(AvgPool3x3()(x), x)
    assert torch.equal(Zero()(x), torch.zeros_like(x))


def test_bad_configs_raise() -> None:
    with pytest.raises(ValueError, match="divisible by 4"):
        NetConfig(input_size=30)
    with pytest.raises(ValueError, match="unknown NB201 dataset"):
        complexity([NB201Arch.from_index(0)], dataset="mnist")
    with pytest.raises(ValueError, match="positive integer"):
        SPACE.build(NB201Arch.from_index(0), C=0)
