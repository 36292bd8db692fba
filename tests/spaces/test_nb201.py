"""NB201 space: encodings round-trip on all 15,625 architectures, isomorphism classes, sampling, neighbours."""

from __future__ import annotations

import collections

import numpy as np
import pandas as pd
import pytest

from naslens.spaces import get_space
from naslens.spaces.nb201 import EDGES, OPS, SIZE, ArchFormatError, NB201Arch, canonical

SPACE = get_space("nb201")
ALL = SPACE.enumerate()


def test_size_and_uniqueness() -> None:
    assert SPACE.size == SIZE == 15625 == len(ALL)
    assert len(set(ALL)) == SIZE
    assert {a.codes for a in ALL} == set(np.ndindex(*(5,) * 6))


def test_known_indices_from_reference_facts() -> None:
    assert NB201Arch.from_index(0).to_string() == (
        "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
    )
    assert NB201Arch.from_index(9930).to_string() == (
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    )
    assert NB201Arch.from_naslib((4, 3, 3, 3, 2, 3)).index == 14822
    assert NB201Arch.from_naslib((2,) * 6).index == 1462
    assert NB201Arch.from_index(1462).ops == ("nor_conv_3x3",) * 6


def test_round_trips_on_all_architectures() -> None:
    for i, a in enumerate(ALL):
        assert a.index == i
        assert NB201Arch.from_index(i) == a
        assert NB201Arch.from_string(a.to_string()) == a
        assert NB201Arch.from_naslib(a.to_naslib()) == a
        assert NB201Arch.from_naslib(str(a.to_naslib())) == a
        assert NB201Arch.from_codes(a.codes) == a
        assert NB201Arch.from_edge_matrix(a.to_edge_matrix()) == a
        assert NB201Arch.from_node_graph(*a.to_node_graph()) == a
        assert SPACE.parse(SPACE.key(a)) == a


def test_index_order_matches_benchmark_csv(nb201_csv) -> None:
    df = pd.read_csv(nb201_csv, usecols=["ArchitectureString"])
    assert [a.to_string() for a in ALL] == df["ArchitectureString"].tolist()


def test_naslib_edge_order_differs_from_string_order() -> None:
    # NASLib order e01, e02, e03, e12, e13, e23: its 3rd entry is edge 0->3, the string's 3rd is edge 1->2
    a = NB201Arch.from_naslib((0, 1, 2, 3, 4, 0))
    assert a.op(0, 1) == "skip_connect" and a.op(0, 2) == "none" and a.op(0, 3) == "nor_conv_3x3"
    assert a.op(1, 2) == "nor_conv_1x1" and a.op(1, 3) == "avg_pool_3x3" and a.op(2, 3) == "skip_connect"
    assert a.to_string() == "|skip_connect~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|avg_pool_3x3~1|skip_connect~2|"


def test_edge_matrix_and_node_graph_shapes() -> None:
    a = NB201Arch.from_index(9930)
    m = a.to_edge_matrix()
    assert m.shape == (4, 4) and np.all(np.tril(m) == 0)
    assert m[0, 1] == OPS.index("nor_conv_3x3") and m[0, 3] == OPS.index("skip_connect")
    adj, ops = a.to_node_graph()
    assert adj.shape == (8, 8) and ops[0] == "input" and ops[-1] == "output"
    # input feeds the three edges leaving node 0; edges into node 3 feed the output
    assert [int(x) for x in adj[0, 1:7]] == [1 if s == 0 else 0 for s, _ in EDGES]
    assert [int(x) for x in adj[1:7, 7]] == [1 if d == 3 else 0 for _, d in EDGES]
    # edge 0->1 feeds the edges leaving node 1 (1->2, 1->3)
    assert [int(x) for x in adj[1, 1:7]] == [0, 0, 1, 0, 1, 0]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("|nor_conv_3x3~0|+|none~0|none~1|", "not an NB201 string"),
        ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown op 'conv' on edge 0->1"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|", "node 3 must have 3 input"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~1|", "bad edge token"),
        ("|none~0|+|none~0|none~1|none~2|+|none~0|none~1|none~2|", "node 2 must have 2 input"),
        ("|none-0|+|none~0|none~1|+|none~0|none~1|none~2|", "bad edge token"),
        ("none~0+none~0|none~1", "not an NB201 string"),
    ],
)
def test_malformed_strings_name_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(ArchFormatError, match=fragment):
        NB201Arch.from_string(text)


def test_other_malformed_inputs() -> None:
    with pytest.raises(ArchFormatError, match="6 edges"):
        NB201Arch(("none",) * 5)
    with pytest.raises(ArchFormatError, match=r"0\.\.15624"):
        NB201Arch.from_index(15625)
    with pytest.raises(ArchFormatError, match=r"0\.\.15624"):
        NB201Arch.from_index(-1)
    with pytest.raises(ArchFormatError, match="6 entries"):
        NB201Arch.from_naslib((0, 1, 2))
    with pytest.raises(ArchFormatError, match="NASLib op codes"):
        NB201Arch.from_naslib((0, 1, 2, 3, 4, 5))
    with pytest.raises(ArchFormatError, match="op codes"):
        NB201Arch.from_codes((0, 1, 2, 3, 4, 7))
    with pytest.raises(ArchFormatError, match="upper triangular"):
        NB201Arch.from_edge_matrix(np.ones((4, 4), dtype=int))
    with pytest.raises(ArchFormatError, match="cannot parse"):
        SPACE.parse("resnet")


def test_canonical_has_6466_classes_and_matches_benchmark_partition(nb201_csv) -> None:
    keys = [canonical(a) for a in ALL]
    assert len(set(keys)) == 6466
    unique = pd.read_csv(nb201_csv, usecols=["UniqueString"])["UniqueString"].tolist()
    # identical partition: the map key -> benchmark string is a bijection on classes
    assert len(set(zip(keys, unique, strict=True))) == len(set(keys)) == len(set(unique))
    # and in fact the same strings
    assert keys == unique


def test_canonical_treats_inputs_as_unordered_and_ignores_dead_nodes() -> None:
    # node 3 = conv(node 0) + skip(node 1) with node1 = conv(node 0): swapping which edge carries what
    a = NB201Arch.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|skip_connect~1|none~2|")
    b = NB201Arch.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|skip_connect~1|none~2|")
    assert canonical(a) == canonical(b)
    # node 2 does not reach the output (edge 2->3 is none): changing node 2's inputs does not change the class
    c = NB201Arch.from_string("|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|nor_conv_3x3~0|skip_connect~1|none~2|")
    assert canonical(a) == canonical(c)
    # commutativity: x3 = conv3(x0) + conv1(x1) vs swapped roles through an identical node 1 = skip(x0)
    d = NB201Arch.from_string("|skip_connect~0|+|none~0|none~1|+|nor_conv_3x3~0|nor_conv_1x1~1|none~2|")
    e = NB201Arch.from_string("|skip_connect~0|+|none~0|none~1|+|nor_conv_1x1~0|nor_conv_3x3~1|none~2|")
    assert canonical(d) == canonical(e)
    # but a real difference stays a difference
    f = NB201Arch.from_string("|skip_connect~0|+|none~0|none~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|")
    assert canonical(d) != canonical(f)


def test_class_ids_and_deiso_representatives() -> None:
    ids = SPACE.class_ids
    assert ids.shape == (SIZE,) and ids.max() + 1 == 6466
    assert SPACE.class_sizes.sum() == SIZE
    reps = SPACE.deiso_representatives()
    assert len(reps) == 6466 and len({canonical(r) for r in reps}) == 6466
    # deterministic: the smallest benchmark index of each class, in index order
    first: dict[str, int] = {}
    for i, a in enumerate(ALL):
        first.setdefault(canonical(a), i)
    assert [r.index for r in reps] == sorted(first.values())
    assert all(SPACE.is_representative(r) for r in reps[:50])
    non_rep = next(a for a in ALL if first[canonical(a)] != a.index)
    assert not SPACE.is_representative(non_rep)


def test_sample_uniform_over_archs_and_over_classes() -> None:
    rng = np.random.default_rng(0)
    n = 20000
    archs = [SPACE.sample(rng) for _ in range(n)]
    # each edge's op is uniform over the 5 ops when sampling over architectures
    counts = collections.Counter(a.ops[0] for a in archs)
    assert all(abs(c / n - 0.2) < 0.015 for c in counts.values())
    cls = [SPACE.sample(rng, over="classes") for _ in range(n)]
    assert all(SPACE.is_representative(a) for a in cls[:200])
    # over classes, the big classes are not favoured: mean class size of the samples ~ mean over classes
    sizes = SPACE.class_sizes[SPACE.class_ids[[a.index for a in cls]]]
    sizes_all = SPACE.class_sizes[SPACE.class_ids[[a.index for a in archs]]]
    assert abs(sizes.mean() - SPACE.class_sizes.mean()) < 0.1 * SPACE.class_sizes.mean()
    assert sizes_all.mean() > 2 * sizes.mean()
    assert SPACE.sample(np.random.default_rng(7)) == SPACE.sample(np.random.default_rng(7))
    with pytest.raises(ValueError, match="over must be"):
        SPACE.sample(rng, over="edges")


def test_neighbors_are_all_edit_distance_one() -> None:
    a = NB201Arch.from_index(123)
    nb = SPACE.neighbors(a)
    assert len(nb) == 24 == len(set(nb))
    for b in nb:
        assert sum(x != y for x, y in zip(a.ops, b.ops, strict=True)) == 1
    # symmetric relation
    assert all(a in SPACE.neighbors(b) for b in nb)
