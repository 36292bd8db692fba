"""The mixed-op (DARTS-style) supernets of NB201 and NAS-Bench-Macro: state semantics, removed ops not executed,
determinism per seed, and equality with the path supernet once every position is discretised."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

from naslens.spaces import MixedState, MixedSupernet, NetConfigError, get_space
from naslens.types import SpaceInfo

NETS: dict[str, dict[str, Any]] = {
    "nb201": {"C": 2, "N": 1, "input_size": 8},
    "nb-macro": {"init_channels": 2, "head_channels": 8, "input_size": 16},
}
ARCHS = {
    "nb201": [
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        "|none~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|",  # 1->2 dead
        "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|none~0|none~1|none~2|",  # all-zero cell
        "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|skip_connect~1|none~2|",  # 0->2 dead end
    ],
    "nb-macro": ["00000000", "02012100", "10201000", "22222222"],
}


def mixed(name: str, seed: int = 0, **kw: Any) -> Any:
    torch.manual_seed(seed)
    return get_space(name).supernet("mixed", **NETS[name], **kw).eval()


def batch(name: str, seed: int = 1) -> torch.Tensor:
    size = NETS[name]["input_size"]
    return torch.randn(3, 3, size, size, generator=torch.Generator().manual_seed(seed))


def perturb_bn(net: torch.nn.Module) -> None:
    """BatchNorm statistics away from their fresh values, as after training (eval-mode conv(0) is then not 0)."""
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.running_mean is not None:
                m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=g) - 0.5)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)


def discretise_to(sn: Any, space: Any, arch: Any) -> None:
    for p, c in enumerate(space.encode(arch, "codes").tolist()):
        sn.discretise(p, sn.choices[p].index(space.info.choices[p][c]))


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_protocol_shape_and_config(name: str) -> None:
    space = get_space(name)
    sn = mixed(name)
    assert isinstance(sn, MixedSupernet) and isinstance(sn, torch.nn.Module)
    assert sn.positions == space.info.positions and sn.choices == space.info.choices
    assert space.info.supernet_modes == ("path", "mixed")
    assert sn(batch(name)).shape == (3, 10)
    assert sn.config["mode"] == "mixed" and sn.config["dropout"] == 0.0
    torch.manual_seed(0)
    rebuilt = space.supernet(**sn.config, input_size=NETS[name]["input_size"])
    assert type(rebuilt) is type(sn) and torch.equal(rebuilt.alpha, sn.alpha)
    assert "alpha" in sn.state_dict() and "alpha" not in dict(sn.named_parameters())


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_deterministic_per_seed_and_alpha_scale(name: str) -> None:
    a, b, c = mixed(name, 3), mixed(name, 3), mixed(name, 4)
    x = batch(name)
    assert torch.equal(a.alpha, b.alpha) and torch.equal(a(x), b(x))
    assert not torch.equal(a.alpha, c.alpha)
    assert a.alpha.shape == (len(a.positions), len(a.choices[0]))
    assert 0 < a.alpha.abs().max().item() < 1e-2  # 1e-3 · randn
    probs = torch.softmax(a.alpha, -1).tolist()
    assert all(
        math.isclose(w, q, abs_tol=1e-7)
        for r, s in zip(a.arch_weights(), probs, strict=True)
        for w, q in zip(r, s, strict=True)
    )


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_arch_weights_removal_zeroes_without_renormalising_and_discretise_is_one_hot(name: str) -> None:
    sn = mixed(name)
    w0 = sn.arch_weights()
    assert all(math.isclose(sum(r), 1.0, rel_tol=1e-6) for r in w0)
    sn.remove(1, 0)
    sn.remove(1, 2)
    w1 = sn.arch_weights()
    assert w1[1][0] == 0.0 and w1[1][2] == 0.0 and w1[1][1] == w0[1][1]
    assert sum(w1[1]) < 0.9  # not renormalised (each weight stays ~1/K)
    assert w1[0] == w0[0]
    sn.discretise(0, 2)
    assert sn.arch_weights()[0] == [1.0 if i == 2 else 0.0 for i in range(len(w0[0]))]
    assert sn.state().decided[0] == 2 and sn.state().alive[0] == tuple(i == 2 for i in range(len(w0[0])))


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_remove_then_set_state_restores_outputs_and_key_round_trips(name: str) -> None:
    sn = mixed(name)
    x = batch(name)
    with torch.no_grad():
        full = sn(x)
        saved = sn.state()
        sn.remove(2, 1)
        sn.discretise(0, 1)
        changed = sn(x)
        key = sn.state().key()
        assert MixedState.parse(key) == sn.state()
        sn.set_state(saved)
        assert torch.equal(sn(x), full)
        assert not torch.equal(changed, full)
        sn.set_state(MixedState.parse(key))
        assert torch.equal(sn(x), changed)
    assert saved.key() == "|".join(["1" * len(sn.choices[0])] * len(sn.positions)) + ";" + ",".join(
        ["-"] * len(sn.positions)
    )


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_invalid_operations_raise(name: str) -> None:
    sn = mixed(name)
    k, n = len(sn.choices[0]), len(sn.positions)
    sn.remove(0, 1)
    for bad in ((0, 1), (n, 0), (0, k), (-1, 0), (0, True)):
        with pytest.raises(ValueError):
            sn.discretise(*bad)
    with pytest.raises(ValueError):
        sn.remove(0, 1)  # already removed
    sn.discretise(3, 0)
    with pytest.raises(ValueError, match="last alive"):
        sn.remove(3, 0)
    with pytest.raises(ValueError):
        sn.discretise(3, 1)  # removed by the discretisation
    with pytest.raises(ValueError, match="more than one alive"):
        sn.to_arch()
    before = sn.state()
    for bad_state in (MixedState.full([k] * (n - 1)), MixedState.full([k + 1] * n)):
        with pytest.raises(ValueError):
            sn.set_state(bad_state)
    assert sn.state() == before
    with pytest.raises(ValueError):
        MixedState(((True, False), (False, False)), (None, None))  # no alive op
    with pytest.raises(ValueError):
        MixedState(((True, True),), (0,))  # decided but another alive
    with pytest.raises(ValueError):
        MixedState.parse("11|1x;-,-")


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_removed_ops_are_not_executed(name: str) -> None:
    sn = mixed(name)
    calls: dict[tuple[int, int], int] = {}
    for p in range(len(sn.positions)):
        for o in range(len(sn.choices[p])):
            for m in sn.op_modules(p, o):
                m.register_forward_hook(lambda *_, k=(p, o): calls.__setitem__(k, calls.get(k, 0) + 1))
    with torch.no_grad():
        sn(batch(name))
    ran = set(calls)
    ops = sn.choices[0]
    never = {(p, o) for p in range(len(sn.positions)) for o, op in enumerate(ops) if op == "none"}
    assert ran == {(p, o) for p in range(len(sn.positions)) for o in range(len(ops))} - never
    target = (1, ops.index("skip_connect" if name == "nb201" else "ir_3x3_t3"))
    sn.remove(*target)
    calls.clear()
    with torch.no_grad():
        sn(batch(name))
    assert set(calls) == ran - {target}


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_discretised_mixed_equals_the_path_supernet_with_its_weights(name: str) -> None:
    space = get_space(name)
    torch.manual_seed(5)
    path = space.supernet("path", **NETS[name]).eval()
    perturb_bn(path)
    sn = mixed(name)
    sn.load_path_weights(path.state_dict())
    alpha = sn.alpha.clone()
    x = batch(name)
    full = sn.state()
    for key in ARCHS[name]:
        arch = space.parse(key)
        sn.set_state(full)
        discretise_to(sn, space, arch)
        assert sn.to_arch() == arch
        with torch.no_grad():
            assert torch.allclose(sn(x), path(x, arch), atol=1e-5, rtol=1e-4), key
    assert torch.equal(sn.alpha, alpha)


def test_nb201_zero_and_dead_nodes_run_nothing_in_eval_mode() -> None:
    """A cell whose output node gets only ``none`` is zero even with trained BN statistics, like the path's."""
    space = get_space("nb201")
    sn = mixed("nb201")
    perturb_bn(sn)
    calls: list[str] = []
    for name, m in sn.named_modules():
        if name.count(".") == 4 and ".edges." in name:
            m.register_forward_hook(lambda *_, n=name: calls.append(n))
    discretise_to(sn, space, space.parse(ARCHS["nb201"][3]))  # 0->1 conv, 1->3 skip; 0->2 conv1x1 dead end
    with torch.no_grad():
        sn(batch("nb201"))
    assert sorted({n.split(".", 3)[-1] for n in calls}) == ["0->1.nor_conv_3x3", "1->3.skip_connect"]


def test_ops_subset_and_path_weights_of_other_settings_are_refused() -> None:
    space = get_space("nb201")
    sub = space.supernet("mixed", ops=("skip_connect", "nor_conv_3x3"), **NETS["nb201"])
    assert sub.choices == (("skip_connect", "nor_conv_3x3"),) * 6 and sub.alpha.shape == (6, 2)
    for p in range(6):
        sub.discretise(p, 1)
    assert sub.to_arch() == space.parse(ARCHS["nb201"][0].replace("skip_connect", "nor_conv_3x3"))
    with pytest.raises(ValueError, match="not a path supernet state dict"):
        sub.load_path_weights(space.supernet("path", **NETS["nb201"]).state_dict())
    with pytest.raises(ValueError, match="not a path supernet state dict"):
        sub.load_path_weights(sub.state_dict())  # a mixed state dict holds alpha


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_unknown_mode_is_a_net_config_error(name: str) -> None:
    with pytest.raises(NetConfigError, match="path, mixed"):
        get_space(name).supernet("darts", **NETS[name])
    assert type(get_space(name).supernet(**NETS[name])).__name__.endswith("Supernet")  # path is the default


def test_nb201_forward_is_the_weighted_cell_sum() -> None:
    """Every node sums w·op(node) over its in-edges and alive ops (``none`` adds zero), cells sharing the weights."""
    sn = mixed("nb201")
    sn.remove(4, 3)
    x = batch("nb201")
    w = sn.arch_weights()
    edges = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
    with torch.no_grad():
        h = sn.stem(x)
        for layer in sn.cells:
            if not hasattr(layer, "edges"):
                h = layer(h)
                continue
            nodes = [h]
            for d in range(1, 4):
                acc = torch.zeros_like(h)
                for p, (s, t) in enumerate(edges):
                    if t == d:
                        for o, op in enumerate(sn.choices[p]):
                            if w[p][o] and op != "none":
                                acc = acc + w[p][o] * layer.edges[f"{s}->{t}"][op](nodes[s])
                nodes.append(acc)
            h = nodes[3]
        expect = sn.classifier(sn.global_pooling(sn.lastact(h)).flatten(1))
        assert torch.allclose(sn(x), expect, atol=1e-6)


def test_nb_macro_forward_is_the_weighted_block_sum() -> None:
    """Each layer sums w·block(x) over its alive blocks; the stride-2 identity is the projection, the others x."""
    sn = mixed("nb-macro")
    sn.remove(0, 1)
    sn.remove(3, 2)
    sn.discretise(6, 2)
    x = batch("nb-macro")
    w = sn.arch_weights()
    assert sn.layers[0]["id"].downsample is not None and sn.layers[3]["id"].downsample is None
    with torch.no_grad():
        h = sn.stem(x)
        for p, layer in enumerate(sn.layers):
            h = sum(w[p][o] * layer[op](h) for o, op in enumerate(sn.choices[p]) if w[p][o])
        expect = sn.classifier(sn.global_pooling(sn.head(h)).flatten(1))
        assert torch.allclose(sn(x), expect, atol=1e-6)


def test_toy_space_declares_no_supernet_modes() -> None:
    info = get_space("toy-chain").info
    assert isinstance(info, SpaceInfo) and info.supernet_modes == () and not info.has_supernet


def test_check_space_reports_a_mixed_supernet_whose_removals_leak() -> None:
    from naslens.spaces import check_space
    from naslens.spaces.check import SpaceCheckError

    class Leaky:
        """nb-macro whose mixed supernet ignores removals (removed blocks keep running with their weights)."""

        def __init__(self) -> None:
            self._inner = get_space("nb-macro")

        def __getattr__(self, item: str) -> Any:
            return getattr(self._inner, item)

        def supernet(self, mode: str = "path", **net: Any) -> Any:
            sn = self._inner.supernet(mode, **net)
            if mode == "mixed":
                sn.remove = lambda position, choice: None
            return sn

    with pytest.raises(SpaceCheckError, match=r"mixed_supernet: .*removed op"):
        check_space(Leaky(), n_archs=2, build_archs=1, net={"init_channels": 2, "head_channels": 8})
