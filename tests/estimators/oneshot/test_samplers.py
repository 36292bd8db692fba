"""Sampler distributions: uniform over architectures, uniform over classes, FairNAS strict fairness."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from naslens.estimators.oneshot.sampler_factory import make_sampler
from naslens.estimators.oneshot.samplers import (
    DeisoSampler,
    FairNASSampler,
    RejectionDeisoSampler,
    SamplerError,
)
from naslens.spaces.nb201 import NUM_EDGES, NB201Arch, NB201Space, canonical

OPS2 = ("none", "skip_connect", "nor_conv_3x3")  # 3^6 = 729 architectures, 127 classes
OPS_SMALL = ("none", "nor_conv_3x3")  # 64 architectures, 20 classes


def _chi2_uniform(counts: list[int]) -> float:
    return float(stats.chisquare(counts).pvalue)


def test_uniform_over_archs_of_subspace() -> None:
    s = make_sampler("uniform", ops=("none", "nor_conv_3x3"))
    rng = np.random.default_rng(0)
    counts = Counter(a for _ in range(32_000) for a in s.step(rng))
    assert set(counts) == {NB201Arch(ops) for ops in itertools.product(("none", "nor_conv_3x3"), repeat=6)}
    assert _chi2_uniform(list(counts.values())) > 1e-3


def test_uniform_full_space_edges_independent_and_uniform() -> None:
    s = make_sampler("uniform", samples=3)
    rng = np.random.default_rng(1)
    draws = [a for _ in range(5_000) for a in s.step(rng)]
    assert len(draws) == 15_000
    codes = np.array([a.codes for a in draws])
    for e in range(NUM_EDGES):
        assert _chi2_uniform(np.bincount(codes[:, e], minlength=5).tolist()) > 1e-3
    pair = Counter(zip(codes[:, 0], codes[:, 5], strict=True))  # independence of two edges
    assert _chi2_uniform([pair[(i, j)] for i in range(5) for j in range(5)]) > 1e-3


def test_deiso_table_uniform_over_classes() -> None:
    full = DeisoSampler()
    assert len(full.representatives) == 6466
    assert full.representatives == tuple(NB201Space().deiso_representatives())
    s = DeisoSampler(ops=OPS2)
    n_classes = len({canonical(NB201Arch(o)) for o in itertools.product(OPS2, repeat=6)})
    assert len(s.representatives) == n_classes
    rng = np.random.default_rng(2)
    counts = Counter(canonical(a) for _ in range(40 * n_classes) for a in s.step(rng))
    assert len(counts) == n_classes
    assert _chi2_uniform(list(counts.values())) > 1e-3


def test_rejection_deiso_one_arch_per_class_and_uniform_over_classes() -> None:
    s = RejectionDeisoSampler(ops=OPS_SMALL)
    rng = np.random.default_rng(3)
    for _ in range(3_000):  # warm-up: every class gets recorded
        s.step(rng)
    n_classes = len(DeisoSampler(ops=OPS_SMALL).representatives)
    assert len(s.recorded) == n_classes
    draws = [a for _ in range(60 * n_classes) for a in s.step(rng)]
    per_class: dict[str, set[NB201Arch]] = {}
    for a in draws:
        per_class.setdefault(canonical(a), set()).add(a)
    assert all(len(v) == 1 for v in per_class.values())
    assert _chi2_uniform([sum(1 for a in draws if canonical(a) == c) for c in per_class]) > 1e-3
    clone = RejectionDeisoSampler(ops=OPS_SMALL)
    clone.load_state_dict(s.state_dict())
    assert clone.recorded == s.recorded


def test_fairnas_covers_every_op_once_per_edge_per_step() -> None:
    s = FairNASSampler()
    rng = np.random.default_rng(4)
    first_positions = []
    for _ in range(200):
        archs = s.step(rng)
        assert len(archs) == 5
        for e in range(NUM_EDGES):
            assert sorted(a.ops[e] for a in archs) == sorted(s.ops)
        first_positions.append(archs[0].codes)
    # the permutations are random: the first architecture's op on each edge is uniform
    codes = np.array(first_positions)
    assert all(len(set(codes[:, e])) == 5 for e in range(NUM_EDGES))
    restricted = FairNASSampler(ops=("skip_connect", "nor_conv_1x1"))
    assert len(restricted.step(rng)) == 2


def test_arch_list_subspace_and_errors() -> None:
    archs = [NB201Arch.from_index(i) for i in (0, 11, 284)]
    s = make_sampler("uniform", archs=archs)
    rng = np.random.default_rng(5)
    assert {a for _ in range(300) for a in s.step(rng)} == set(archs)
    with pytest.raises(SamplerError, match="unknown sampler"):
        make_sampler("greedy")
    with pytest.raises(SamplerError, match="ops="):
        make_sampler("fairnas", archs=archs)
    with pytest.raises(SamplerError, match="unknown op"):
        make_sampler("uniform", ops=("conv5x5",))
    with pytest.raises(SamplerError, match="samples"):
        make_sampler("uniform", samples=0)


def test_require_conv_filters_every_sampler_and_keeps_their_distributions() -> None:
    from naslens.spaces.nb201 import has_effective_conv

    all_small = [NB201Arch(o) for o in itertools.product(OPS_SMALL, repeat=6)]
    valid = {a for a in all_small if has_effective_conv(a)}
    assert 0 < len(valid) < len(all_small)
    rng = np.random.default_rng(5)
    u = make_sampler("uniform", ops=OPS_SMALL, require_conv=True)
    counts = Counter(a for _ in range(20 * len(valid)) for a in u.step(rng))
    assert set(counts) == valid and _chi2_uniform(list(counts.values())) > 1e-3
    d = make_sampler("deiso", ops=OPS2, require_conv=True)
    assert all(has_effective_conv(a) for a in d.representatives)
    n_valid_classes = len(
        {canonical(NB201Arch(o)) for o in itertools.product(OPS2, repeat=6) if has_effective_conv(NB201Arch(o))}
    )
    assert len(d.representatives) == n_valid_classes
    r = make_sampler("deiso-rejection", ops=OPS2, require_conv=True)
    assert all(has_effective_conv(a) for _ in range(300) for a in r.step(rng))
    f = make_sampler("fairnas", require_conv=True)
    for _ in range(200):
        step = f.step(rng)
        assert all(has_effective_conv(a) for a in step)
        for e in range(NUM_EDGES):
            assert sorted(a.ops[e] for a in step) == sorted(f.ops)
    listed = make_sampler("uniform", archs=all_small[:10], require_conv=True)
    assert set(listed.archs or ()) == {a for a in all_small[:10] if has_effective_conv(a)}
    assert listed.config()["require_conv"] is True and "require_conv" not in make_sampler("uniform").config()
    with pytest.raises(SamplerError, match="convolution"):
        make_sampler("uniform", ops=("none", "skip_connect"), require_conv=True)
    with pytest.raises(SamplerError, match="none of the given"):
        make_sampler("uniform", archs=[NB201Arch(("none",) * 6)], require_conv=True)


def test_require_conv_in_training_config() -> None:
    from naslens.estimators.oneshot.train_config import SupernetTrainConfig
    from naslens.estimators.oneshot.trainer import build_sampler

    plain, strict = SupernetTrainConfig(), SupernetTrainConfig(require_conv=True)
    assert "require_conv" not in plain.to_dict() and strict.to_dict()["require_conv"] is True
    assert plain.hash != strict.hash and SupernetTrainConfig.from_dict(strict.to_dict()) == strict
    assert build_sampler(strict).require_conv and not build_sampler(plain).require_conv
