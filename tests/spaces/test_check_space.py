"""The public space contract over every registered space (the built-in ones and the tests' toy space)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from naslens.spaces import SpaceInfo, check_space, get_space, list_spaces
from naslens.spaces.check import SpaceCheckError

SMALL = {"nb201": {"C": 4, "N": 1, "input_size": 16}, "nb-macro": {"init_channels": 4, "head_channels": 16}}


def test_registered_spaces() -> None:
    names = list(list_spaces())
    assert {"nb201", "nb-macro", "toy-chain"} <= set(names)
    assert all(isinstance(i, SpaceInfo) for i in list_spaces().values())


@pytest.mark.parametrize("name", sorted(list_spaces()))
def test_every_registered_space_passes_the_contract(name: str) -> None:
    passed = check_space(name, n_archs=6, net=SMALL.get(name, {}))
    assert {"round_trip", "build", "complexity", "canonical", "supernet"} <= set(passed)


@pytest.mark.parametrize("name", ["nb201", "nb-macro"])
def test_contract_also_holds_at_the_benchmark_width(name: str) -> None:
    check_space(name, n_archs=2, build_archs=1)


def test_a_broken_space_is_reported_with_every_failure() -> None:
    class Broken:
        """nb-macro with a wrong parameter count and a non-deterministic sampler."""

        def __init__(self) -> None:
            self._inner = get_space("nb-macro")
            self._calls = 0

        def __getattr__(self, item: str) -> Any:
            return getattr(self._inner, item)

        def sample(self, rng: np.random.Generator) -> Any:
            self._calls += 1
            return self._inner.enumerate()[self._calls % 7]

        def complexity(self, archs: Any = None, **net: Any) -> Any:
            t = self._inner.complexity(archs, **net)
            t["params"] = t["params"] + 1
            return t

    with pytest.raises(SpaceCheckError) as err:
        check_space(Broken(), n_archs=3, build_archs=1, net=SMALL["nb-macro"])
    msg = str(err.value)
    assert "sample" in msg and "complexity params" in msg


def test_space_info_validates_itself() -> None:
    base = dict(
        name="x", description="", size=2, enumerable=True, has_isomorphism=False, datasets=("d",),
        default_dataset="d", cost_columns=("params", "flops"), positions=("p",), choices=(("a", "b"),),
    )  # fmt: skip
    SpaceInfo(**base)
    for bad in (
        {"size": None},
        {"cost_columns": ("flops", "params")},
        {"default_dataset": "e"},
        {"positions": ("p", "q")},
        {"encodings": ("onehot",)},
    ):
        with pytest.raises(ValueError):
            SpaceInfo(**{**base, **bad})


@pytest.mark.parametrize(
    ("corrupt", "fragment"),
    [
        (lambda n, m, lab: (n, m.T, lab), "lower to a higher node"),
        (lambda n, m, lab: (n, m + len(lab) + 1, lab), "entries must be -1"),
        (lambda n, m, lab: (n, m[:-1], lab), "matrix shape"),
        (lambda n, m, lab: (n, m.astype(float), lab), "integers"),
        (lambda n, m, lab: (n, m, lab[: 1 + int(m.max() >= 0)]), "entries must be -1"),
    ],
)
def test_a_broken_edge_graph_is_reported(corrupt: Any, fragment: str) -> None:
    class BrokenEdges:
        """nb201 whose ``edge_graph`` encoding is corrupted."""

        def __init__(self) -> None:
            self._inner = get_space("nb201")

        def __getattr__(self, item: str) -> Any:
            return getattr(self._inner, item)

        def encode(self, arch: Any, kind: str = "codes") -> Any:
            out = self._inner.encode(arch, kind)
            return corrupt(*out) if kind == "edge_graph" else out

    with pytest.raises(SpaceCheckError, match="encodings") as err:
        check_space(BrokenEdges(), n_archs=3, build_archs=1, net=SMALL["nb201"])
    assert fragment in str(err.value)


def test_edge_graph_labels_must_not_depend_on_the_architecture() -> None:
    class Drifting:
        def __init__(self) -> None:
            self._inner = get_space("nb-macro")

        def __getattr__(self, item: str) -> Any:
            return getattr(self._inner, item)

        def encode(self, arch: Any, kind: str = "codes") -> Any:
            if kind != "edge_graph":
                return self._inner.encode(arch, kind)
            n, m, labels = self._inner.encode(arch, kind)
            return n, m, (*labels, "extra") if arch.codes[0] else labels

    with pytest.raises(SpaceCheckError, match="depend on the architecture"):
        check_space(Drifting(), n_archs=8, build_archs=1, net=SMALL["nb-macro"])
