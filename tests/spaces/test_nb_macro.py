"""NAS-Bench-Macro: encodings, isomorphism (3,969 classes), the benchmark network, params/FLOPs equal to the
benchmark file for all 6,561 architectures, and the supernet path equal to the standalone network."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from tests.conftest import reference

from naslens.spaces import get_space
from naslens.spaces.nb_macro import MacroArch
from naslens.spaces.nb_macro.network import MacroNetwork
from naslens.types import ArchFormatError, NetConfigError, SpaceCapabilityError

SPACE = get_space("nb-macro")
EXAMPLES = reference("nb_macro_examples.json")["architectures"]


def test_size_order_and_round_trips() -> None:
    table = SPACE.enumerate()
    assert len(table) == 6561 == SPACE.info.size
    assert [SPACE.key(a) for a in table[:4]] == ["00000000", "00000001", "00000002", "00000010"]
    for a in table[::97]:
        k = SPACE.key(a)
        assert SPACE.parse(k) == a == SPACE.parse(SPACE.index(a)) == SPACE.parse(list(a.codes)) == SPACE.parse(a.ops)
        assert SPACE.parse(",".join(map(str, a.codes))) == a
        assert table[SPACE.index(a)] == a


@pytest.mark.parametrize("bad", ["0201210", "020121003", "02012130", "abcdefgh", "", [0, 1, 2], [0] * 7 + [3], 6561])
def test_bad_encodings_are_refused(bad: object) -> None:
    with pytest.raises(ArchFormatError):
        SPACE.parse(bad)


def test_isomorphism_classes() -> None:
    classes = {SPACE.canonical(a) for a in SPACE.enumerate()}
    assert len(classes) == 3969 == len(SPACE.representatives()) == SPACE.info.num_classes
    # identities inside a stage are no-ops: moving them keeps the class; the first layer of a stage is not
    assert SPACE.canonical(SPACE.parse("10201000")) == SPACE.canonical(SPACE.parse("10210000"))
    assert SPACE.canonical(SPACE.parse("01000000")) != SPACE.canonical(SPACE.parse("10000000"))
    assert SPACE.canonical(SPACE.parse("00120000")) != SPACE.canonical(SPACE.parse("00210000"))
    # the normal form is itself a member of the class
    for a in SPACE.enumerate()[::131]:
        assert SPACE.canonical(SPACE.parse(SPACE.canonical(a))) == SPACE.canonical(a)


def test_isomorphic_networks_compute_the_same_function() -> None:
    a, b = SPACE.parse("10201000"), SPACE.parse("10210000")
    torch.manual_seed(0)
    na = SPACE.build(a, init_channels=4, head_channels=8).eval()
    nb = SPACE.build(b, init_channels=4, head_channels=8).eval()
    sa = na.state_dict()
    # same blocks in the same order once the no-op identity (layer 4) is skipped
    mapping = {"layers.3": "layers.4", "layers.4": "layers.3"}
    moved = {}
    for k, v in sa.items():
        parts = k.split(".")
        prefix = ".".join(parts[:2])
        moved[".".join([*mapping.get(prefix, prefix).split("."), *parts[2:]])] = v
    nb.load_state_dict(moved)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(na(x), nb(x), atol=1e-6)


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_reference_params_and_flops(key: str) -> None:
    a = SPACE.parse(key)
    row = SPACE.complexity([a]).iloc[0]
    assert round(row["params"] * 1e6) == EXAMPLES[key]["params"]
    assert round(row["flops"] * 1e6) == EXAMPLES[key]["flops"]
    assert sum(p.numel() for p in MacroNetwork(a).parameters()) == EXAMPLES[key]["params"]


def test_flops_equal_a_hook_count_of_the_built_module() -> None:
    a = SPACE.parse("12021102")
    net = SPACE.build(a, input_size=24)
    macs = [0]

    def hook(mod: torch.nn.Module, inp: tuple, out: torch.Tensor) -> None:
        if isinstance(mod, torch.nn.Conv2d):
            macs[0] += out.numel() * mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
        elif isinstance(mod, torch.nn.Linear):
            macs[0] += mod.in_features * mod.out_features

    handles = [m.register_forward_hook(hook) for m in net.modules()]
    net(torch.zeros(1, 3, 24, 24))
    for h in handles:
        h.remove()
    assert round(SPACE.complexity([a], input_size=24)["flops"].iloc[0] * 1e6) == macs[0]


def test_params_and_flops_equal_the_benchmark_for_every_architecture(nb_macro_json: Path) -> None:
    doc = json.loads(nb_macro_json.read_text())
    archs = [SPACE.parse(k) for k in doc]
    table = SPACE.complexity(archs)
    params = np.array([doc[k]["params"] for k in doc])
    flops = np.array([doc[k]["flops"] for k in doc])
    assert len(archs) == 6561
    assert (np.round(table["params"].to_numpy() * 1e6).astype(np.int64) == params).all()
    assert (np.round(table["flops"].to_numpy() * 1e6).astype(np.int64) == flops).all()


def test_classes_are_the_benchmark_trained_forms(nb_macro_json: Path) -> None:
    """The benchmark trained one normal form per class and copied its runs to every member: the class of every
    architecture carries exactly one set of runs, and there are as many distinct sets as classes."""
    doc = json.loads(nb_macro_json.read_text())
    runs: dict[str, set[tuple[float, ...]]] = {}
    for k, rec in doc.items():
        runs.setdefault(SPACE.canonical(SPACE.parse(k)), set()).add(tuple(rec["test_acc"]))
    assert len(runs) == 3969 and all(len(v) == 1 for v in runs.values())


def test_cost_columns_and_depth() -> None:
    t = SPACE.complexity([SPACE.parse("00000000"), SPACE.parse("12121212"), SPACE.parse("10110100")])
    assert list(t.columns) == list(SPACE.info.cost_columns)
    assert t["depth"].tolist() == [3, 8, 4]  # stage-first layers always compute (projection or block)
    assert t["n_identity"].tolist() == [8, 0, 4]


def test_net_config_and_errors() -> None:
    assert SPACE.net_config() == {
        "in_channels": 3, "init_channels": 32, "head_channels": 1280, "num_classes": 10, "input_size": 32
    }  # fmt: skip
    with pytest.raises(NetConfigError, match="C"):
        SPACE.net_config("cifar10", C=16)
    with pytest.raises(SpaceCapabilityError, match="cifar100"):
        SPACE.net_config("cifar100")
    with pytest.raises(NetConfigError):
        SPACE.build(SPACE.parse("00000000"), init_channels=0)
    with pytest.raises(SpaceCapabilityError):
        SPACE.encode(SPACE.parse("00000000"), "adjacency")


def test_graph_encoding_is_the_chain() -> None:
    adj, labels = SPACE.encode(SPACE.parse("02012100"), "graph")
    assert labels[0] == "input" and labels[-1] == "output" and labels[2] == "ir_5x5_t6"
    assert adj.sum() == 9 and all(adj[i, i + 1] == 1 for i in range(9))


def test_neighbors() -> None:
    nbrs = SPACE.neighbors(SPACE.parse("00000000"))
    assert len(nbrs) == 16 and len(set(nbrs)) == 16


def test_supernet_path_equals_standalone_after_a_training_step() -> None:
    torch.manual_seed(0)
    sn = SPACE.supernet(init_channels=4, head_channels=16, input_size=16, dropout=0.0)
    opt = torch.optim.SGD(sn.parameters(), lr=0.1)
    x, y = torch.randn(8, 3, 16, 16), torch.randint(0, 10, (8,))
    a = SPACE.parse("21012202")
    sn.train()
    loss = torch.nn.functional.cross_entropy(sn(x, a), y)
    loss.backward()
    opt.step()
    used = {n for n, _ in sn.path_parameters(a)}
    grads = {n for n, p in sn.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    assert grads <= used  # only the path's blocks are trained
    st = sn.to_standalone(a)
    sn.eval()
    st.eval()
    with torch.no_grad():
        assert torch.allclose(sn(x, a), st(x), atol=1e-5)
    with pytest.raises(ValueError, match="does not hold"):
        SPACE.supernet(ops=("id", "ir_3x3_t3"), init_channels=4, head_channels=8)(x, SPACE.parse("22222222"))


def test_arch_value_is_frozen_and_hashable() -> None:
    a = MacroArch((0, 1, 2, 0, 1, 2, 0, 1))
    assert hash(a) == hash(MacroArch.from_key("01201201"))
    with pytest.raises(AttributeError):
        a.codes = (0,) * 8  # type: ignore[misc]
