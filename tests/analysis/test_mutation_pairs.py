import time

import numpy as np
import pandas as pd
import pytest

from naslens.analysis import AnalysisError, mutation_pairs, mutation_ratios
from naslens.analysis.mutation_pairs import ALL_GROUPS
from naslens.spaces import get_space


def test_full_nb201_pairs_are_all_neighbours_and_fast():
    space = get_space("nb201")
    archs = space.enumerate()
    codes = space.codes_array(archs)
    t0 = time.perf_counter()
    pairs = mutation_pairs(codes, n_ops=5)
    assert time.perf_counter() - t0 < 5.0
    assert len(pairs) == 15625 * 24
    # each pair differs in exactly its position, from op_from to op_to
    diff = codes[pairs.src] != codes[pairs.dst]
    assert np.all(diff.sum(axis=1) == 1)
    assert np.all(diff[np.arange(len(pairs)), pairs.position])
    assert np.array_equal(codes[pairs.src, pairs.position], pairs.op_from)
    assert np.array_equal(codes[pairs.dst, pairs.position], pairs.op_to)
    # agrees with the space's own neighbours for a few architectures
    for i in (0, 284, 9930):
        got = {archs[j] for j in pairs.dst[pairs.src == i]}
        assert got == set(space.neighbors(archs[i]))


def test_subset_finds_only_pairs_inside_it():
    codes = np.array([[0, 0], [0, 1], [1, 1], [2, 2]])
    pairs = mutation_pairs(codes, n_ops=3)
    assert sorted(zip(pairs.src.tolist(), pairs.dst.tolist(), strict=True)) == [(0, 1), (1, 0), (1, 2), (2, 1)]


def test_rejects_duplicates_and_bad_codes():
    with pytest.raises(AnalysisError, match="duplicate"):
        mutation_pairs([[0, 1], [0, 1]], 2)
    with pytest.raises(AnalysisError, match=r"0\.\.1"):
        mutation_pairs([[0, 2]], 2)


def _nb201_frame():
    space = get_space("nb201")
    archs = space.enumerate()
    codes = space.codes_array(archs)
    n_conv3 = (codes == 3).sum(axis=1).astype(float)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "arch": [space.key(a) for a in archs],
            "ground_truth": n_conv3 + 0.01 * rng.random(len(archs)),  # more conv3x3 is always better
            "flops": n_conv3,
            "conv3": n_conv3,
            "loss": -n_conv3,
            "const": np.ones(len(archs)),
        }
    )
    return frame, codes


def test_a_mutation_that_always_helps_gives_ratio_one():
    frame, codes = _nb201_frame()
    t = mutation_ratios(frame, {"conv3": True, "loss": False, "const": True}, codes=codes, by="flops", space="nb201")
    pooled = t[t["group"] == ALL_GROUPS].set_index(["estimator", "op_from", "op_to"])
    to_conv = pooled.loc[("conv3", "none", "nor_conv_3x3")]
    assert to_conv["gt_up"] == 1.0 and to_conv["est_up"] == 1.0 and to_conv["agreement"] == 1.0
    assert to_conv["n_pairs"] == 15625 * 6 // 5  # 1/5 of the archs have none on a given edge, 6 edges
    from_conv = pooled.loc[("conv3", "nor_conv_3x3", "skip_connect")]
    assert from_conv["gt_up"] == 0.0 and from_conv["est_up"] == 0.0
    # a loss (lower is better) that falls when accuracy rises: est_up counts the decreases
    assert pooled.loc[("loss", "none", "nor_conv_3x3")]["est_up"] == 1.0
    # a constant score ties on every pair: ratio ½, agreement 0 where the truth moves
    const = pooled.loc[("const", "none", "nor_conv_3x3")]
    assert const["est_up"] == 0.5 and const["agreement"] == 0.0
    assert pooled.loc[("conv3", "none", "skip_connect")]["est_up"] == 0.5  # ties count half
    assert set(t["group"]) - {ALL_GROUPS}  # per-group rows exist


def test_parsing_arch_strings_equals_passing_codes():
    frame, codes = _nb201_frame()
    small = frame.iloc[:3000]
    a = mutation_ratios(small, {"conv3": True}, codes=codes[:3000], by=None, space="nb201")
    b = mutation_ratios(small, {"conv3": True}, by=None, space="nb201")
    pd.testing.assert_frame_equal(a, b)
    assert set(a["group"]) == {ALL_GROUPS}


def test_group_rows_partition_pooled_pairs():
    frame, codes = _nb201_frame()
    t = mutation_ratios(frame, {"conv3": True}, codes=codes, by="flops", n_groups=3, space="nb201")
    pooled = t[t["group"] == ALL_GROUPS]["n_pairs"].sum()
    assert t[t["group"] != ALL_GROUPS]["n_pairs"].sum() == pooled == 15625 * 24
