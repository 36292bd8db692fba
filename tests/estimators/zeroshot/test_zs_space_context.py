"""The zero-shot run context goes through the space protocol: any registered space, its network settings validated
by the space, a naslens-built ground truth's network, and NB201 configuration hashes unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from naslens.estimators import create_estimator
from naslens.estimators.base import config_hash
from naslens.estimators.zeroshot import create_proxy
from naslens.estimators.zeroshot.estimator import BatchCache, RunContext, estimator_config
from naslens.spaces import get_space
from naslens.types import NetConfigError, SpaceCapabilityError

# Hashes computed with the code before the space protocol (RunContext with dataset/C/N fields, commit f9b8604):
# existing NB201 score stores must keep finding their scores.
OLD_HASHES_NOISE = [
    ("snip", {}, {"dataset": "cifar10", "data": "noise", "batch_size": 8, "n_batches": 1, "seed": 0}, "3ec4b7157b2c"),
    (
        "synflow",
        {},
        {"dataset": "ImageNet16-120", "data": "noise", "batch_size": 6, "n_batches": 2, "net": {"C": 4, "N": 1}},
        "dcd7fe29ec08",
    ),
    (
        "linear_regions",
        {},
        {"dataset": "cifar10", "data": "noise", "batch_size": 8, "n_batches": 1, "seed": 3},
        "fb3a3a05bc62",
    ),
    (
        "ntk",
        {"samples": 8},
        {"dataset": "cifar100", "data": "uniform", "batch_size": 16, "n_batches": 1, "seed": 1},
        "c6f1e5697d39",
    ),
]
# The settings of the committed NB201 evidence (docs/results/zeroshot-nb201.md: CIFAR-10 subset, 1 batch of 64).
OLD_HASHES_CIFAR = [
    ("nwot", {}, "c6d713298b61"),
    ("linear_regions", {}, "df981030dac9"),
    ("ntk", {"samples": 8}, "ae3fe8439fb6"),
]
OLD_HASH_FMNIST = "34bf6a1454d7"  # snip, cifar10 network, Fashion-MNIST batches (16 images, seed 0)


def _hash(name: str, options: dict, **ctx) -> str:
    sp = get_space("nb201")
    c = RunContext(space="nb201", **ctx)
    return config_hash(estimator_config(create_proxy(name, **options), c, sp, BatchCache(c, sp).provenance()))


@pytest.mark.parametrize(("name", "options", "ctx", "expected"), OLD_HASHES_NOISE)
def test_old_nb201_hashes_stay_valid(name, options, ctx, expected):
    assert _hash(name, options, **ctx) == expected


@pytest.mark.parametrize(("name", "options", "expected"), OLD_HASHES_CIFAR)
def test_old_nb201_hashes_of_the_committed_evidence(name, options, expected, shared_data: Path):
    ctx = {"dataset": "cifar10", "data": "cifar10", "batch_size": 64, "n_batches": 1, "seed": 0}
    assert _hash(name, options, data_root=str(shared_data), **ctx) == expected


def test_old_nb201_hash_with_fashion_mnist_batches():
    from naslens.data.fashion_mnist import FashionMNISTError

    try:
        h = _hash("snip", {}, dataset="cifar10", data="fashion-mnist", batch_size=16, n_batches=1, seed=0)
    except FashionMNISTError as e:
        pytest.skip(f"Fashion-MNIST files not available: {e}")
    assert h == OLD_HASH_FMNIST


def test_estimator_on_nb_macro_records_the_space_network():
    sp = get_space("nb-macro")
    est = create_estimator(
        "synflow",
        space="nb-macro",
        data="noise",
        batch_size=2,
        n_batches=1,
        net={"init_channels": 4, "head_channels": 16},
    )
    cfg = est.config()
    assert cfg["net"] == {"in_channels": 3, "init_channels": 4, "head_channels": 16, "num_classes": 10}
    assert cfg["dataset"] == "cifar10" and cfg["data"]["shape"] == [3, 32, 32]
    sc = est.score(sp, [sp.parse("02012100"), sp.parse("11111221")])
    assert sc.status == ["ok", "ok"] and sc.values[0] != sc.values[1]


def test_naslens_built_ground_truth_network_and_data():
    """The network of ``nb201-fmnist`` (its recipe) with Fashion-MNIST batches, as evaluation passes them."""
    from naslens.data.fashion_mnist import FashionMNISTError

    net = {"C": 8, "N": 2, "in_channels": 1, "input_size": 16, "num_classes": 10}
    est = create_estimator("nwot", dataset="fashion-mnist", net=net, seed=0, batch_size=8, n_batches=1)
    sp = get_space("nb201")
    try:
        sc = est.score(sp, [sp.parse(0), sp.parse(100)])
    except FashionMNISTError as e:
        pytest.skip(f"Fashion-MNIST files not available: {e}")
    cfg = est.config()
    assert sc.status == ["ok", "ok"]
    assert cfg["dataset"] == "fashion-mnist" and cfg["net"] == {"C": 8, "N": 2, "in_channels": 1, "num_classes": 10}
    assert cfg["data"]["source"] == "fashion-mnist" and cfg["data"]["shape"] == [1, 16, 16]


def test_context_errors_are_clear():
    with pytest.raises(ValueError, match=r"has no option\(s\) \[.C.\]"):
        create_estimator("snip", C=4)
    with pytest.raises(NetConfigError, match="no network setting"):
        RunContext(space="nb-macro", net={"C": 4})
    with pytest.raises(SpaceCapabilityError, match="no network settings for dataset 'cifar100'"):
        RunContext(space="nb-macro", dataset="cifar100")
    with pytest.raises(ValueError, match="unknown search space"):
        RunContext(space="nope")
    with pytest.raises(ValueError, match="data source"):
        RunContext(data="imagenet")
    est = create_estimator("snip", space="nb201", data="noise")
    with pytest.raises(ValueError, match="set up for space 'nb201'"):
        est.score(get_space("nb-macro"), [get_space("nb-macro").parse(0)])
    with pytest.raises(ValueError, match="depends on the space"):
        create_estimator("snip").config()


def test_thin_network_comes_from_the_space():
    from dataclasses import replace

    from naslens.estimators.zeroshot.networks import proxy_network

    lr = create_proxy("linear_regions")
    assert proxy_network(lr, get_space("nb201")) == {"C": 1, "N": 1}
    assert proxy_network(lr, get_space("nb-macro")) == {"init_channels": 4, "head_channels": 16}
    sp = get_space("nb-macro")
    est = create_estimator("linear_regions", space="nb-macro", data="noise", batch_size=4, n_batches=1)
    assert est.config()["net"] == {"in_channels": 3, "init_channels": 4, "head_channels": 16, "num_classes": 10}
    sc = est.score(sp, [sp.parse("00000000"), sp.parse("22222222")])
    assert sc.status == ["ok", "ok"] and 1 <= sc.values.min() <= sc.values.max() <= 1000

    class NoThin(type(sp)):  # type: ignore[misc]
        """nb-macro declaring no thin network (an unregistered user space)."""

        info = replace(sp.info, name="no-thin", thin_net={})

    with pytest.raises(SpaceCapabilityError, match=r"cannot apply to space 'no-thin'.*defines none"):
        proxy_network(lr, NoThin())
    assert proxy_network(create_proxy("snip"), NoThin()) == {}

    class InputThin(NoThin):
        info = replace(sp.info, name="no-thin", thin_net={"input_size": 8})

    with pytest.raises(SpaceCapabilityError, match="may not change the network input"):
        proxy_network(lr, InputThin())


def test_a_proxy_that_cannot_apply_fails_before_any_work():
    from dataclasses import replace

    from naslens.estimators.zeroshot.runner import prepare_run

    sp = get_space("nb-macro")

    class NoThin(type(sp)):  # type: ignore[misc]
        info = replace(sp.info, name="no-thin", thin_net={})

    with pytest.raises(SpaceCapabilityError, match="linear_regions"):
        prepare_run(NoThin(), ["snip", "linear_regions"], RunContext(data="noise"))
