"""One-shot on NAS-Bench-Macro through the space protocol: path = standalone network, samplers, training, scoring;
and what a space does not offer is refused."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from scipy import stats

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.checkpoint import resolve_checkpoints
from naslens.estimators.oneshot.ensembles import class_average
from naslens.estimators.oneshot.sampler_factory import make_sampler
from naslens.estimators.oneshot.samplers import SamplerError
from naslens.estimators.oneshot.score_checkpoints import score_checkpoints
from naslens.estimators.oneshot.scoring import ScoreConfig
from naslens.estimators.oneshot.subspace import SubSpace
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, TrainConfigError
from naslens.estimators.oneshot.trainer import build_supernet, train_step, train_supernet
from naslens.selection import select_archs
from naslens.spaces import CodedSpace, SpaceCapabilityError, SpaceInfo, get_space
from naslens.spaces.nb_macro import MacroArch
from naslens.spaces.nb_macro.network import MacroNetwork
from naslens.store import ScoreStore

MACRO = get_space("nb-macro")
NET = {"init_channels": 4, "head_channels": 16}


@pytest.fixture
def macro_config(tiny_config: SupernetTrainConfig) -> SupernetTrainConfig:
    return tiny_config.replace(space="nb-macro", net=NET, ops=())  # ops: all of the new space's


def _same_state(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_path_equals_standalone_after_a_training_step(macro_config: SupernetTrainConfig, splits: ImageSplits) -> None:
    torch.manual_seed(0)
    net = build_supernet(macro_config.replace(dropout=0.0))
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    archs = [MacroArch.from_key(k) for k in ("00000000", "22222222", "10201000", "02012100")]
    train_step(
        net, archs + [MACRO.sample(rng) for _ in range(4)], splits.train_x[:16], splits.train_y[:16], opt, macro_config
    )
    x = splits.val_x[:8]
    for arch in archs + [MACRO.sample(rng) for _ in range(6)]:
        net.train()
        net(x, arch)  # running statistics of this path
        standalone = net.to_standalone(arch)
        assert isinstance(standalone, MacroNetwork)
        net.eval()
        standalone.eval()
        assert torch.equal(net(x, arch), standalone(x)), MACRO.key(arch)
        net.train()
        standalone.train()
        assert torch.equal(net(x, arch), standalone(x)), MACRO.key(arch)


def test_train_config_records_space_and_network() -> None:
    c = SupernetTrainConfig(space="nb-macro", net=NET, channels=3)
    d = c.to_dict()
    assert d["space"] == "nb-macro" and d["init_channels"] == 4 and "C" not in d
    assert SupernetTrainConfig.from_dict(d) == c and c.hash != SupernetTrainConfig(space="nb-macro", channels=3).hash
    assert c.network() == {**NET, "in_channels": 3, "num_classes": 10, "input_size": 28}
    with pytest.raises(TrainConfigError, match=r"no network setting\(s\) \['C'\]"):
        SupernetTrainConfig(space="nb-macro", net={"C": 8})
    with pytest.raises(TrainConfigError, match="come from the data fields"):
        SupernetTrainConfig(space="nb-macro", net={"in_channels": 3})
    with pytest.raises(TrainConfigError, match="unknown supernet training field"):
        SupernetTrainConfig.from_dict({"space": "nb-macro", "C": 8})
    with pytest.raises(TrainConfigError, match="ops must be"):
        SupernetTrainConfig(space="nb-macro", ops=("nor_conv_3x3",))
    with pytest.raises(TrainConfigError, match="unknown search space"):
        SupernetTrainConfig(space="nb999")


@pytest.mark.parametrize(("sampler", "samples"), [("uniform", 1), ("uniform", 3), ("fairnas", 1), ("deiso", 2)])
def test_train_resume_and_score_into_store(
    tmp_path: Path, splits: ImageSplits, macro_config: SupernetTrainConfig, sampler: str, samples: int
) -> None:
    cfg = macro_config.replace(sampler=sampler, samples=samples, epochs=2, checkpoint_every=1)
    full = train_supernet(cfg, tmp_path / "full", data=splits, progress=False)
    if sampler == "fairnas" or samples > 1:  # exact resume (one single-path and one multi-path sampler suffice)
        train_supernet(cfg, tmp_path / "part", data=splits, progress=False, stop_after=1)
        resumed = train_supernet(cfg, tmp_path / "part", data=splits, progress=False, resume=True)
        assert _same_state(full.model.state_dict(), resumed.model.state_dict())
    refs = resolve_checkpoints([str(tmp_path / "full")])
    archs = select_archs(MACRO, subset="deiso", sample=6, seed=0)
    with ScoreStore(tmp_path / "store") as st:
        rows = score_checkpoints(refs, archs, st, ScoreConfig(2, 16), data=splits, progress=False)
        assert [(r.label, r.scored) for r in rows] == [("epoch-0001", 6), ("epoch-0002", 6)]
        t = st.table()
        assert set(t.space) == {"nb-macro"} and set(t.arch) == {MACRO.key(a) for a in archs}
        assert (t.status == "ok").all() and len(t) == 6 * 2 * 2
        if sampler == "uniform" and samples == 1:
            assert class_average(st, "nb-macro", "oneshot_acc") == 2
            with pytest.raises(ValueError, match="not 'nb201'"):
                score_checkpoints(refs, archs, st, space="nb201", data=splits, progress=False)


def _pvalue(counts: list[int]) -> float:
    return float(stats.chisquare(counts).pvalue)


def test_samplers_on_nb_macro() -> None:
    rng = np.random.default_rng(0)
    u = make_sampler("uniform", space=MACRO, samples=4)
    codes = np.array([MACRO.encode(a) for _ in range(2_000) for a in u.step(rng)])
    assert all(_pvalue(np.bincount(codes[:, p], minlength=3).tolist()) > 1e-3 for p in range(8))
    f = make_sampler("fairnas", space=MACRO)
    for _ in range(50):
        step = f.step(rng)
        assert len(step) == 3 and all(sorted(MACRO.encode(a)[p] for a in step) == [0, 1, 2] for p in range(8))
    d = make_sampler("deiso", space=MACRO)
    assert len(d.representatives) == 3969
    counts = Counter(MACRO.canonical(a) for _ in range(20 * 3969) for a in d.step(rng))
    assert len(counts) == 3969 and _pvalue(list(counts.values())) > 1e-3
    r = make_sampler("deiso-rejection", space=MACRO, ops=("id", "ir_3x3_t3"))
    assert all(set(a.ops) <= {"id", "ir_3x3_t3"} for _ in range(200) for a in r.step(rng))
    # every NAS-Bench-Macro architecture convolves: require_conv rejects none, the stream is unchanged
    plain, strict = make_sampler("uniform", space=MACRO), make_sampler("uniform", space=MACRO, require_conv=True)
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    assert [plain.step(r1) for _ in range(50)] == [strict.step(r2) for _ in range(50)]
    with pytest.raises(SamplerError, match="unknown op"):
        make_sampler("uniform", space=MACRO, ops=("none",))


class _Toy(CodedSpace):
    """Two positions with 2 and 3 choices, no isomorphism, no is_trivial (a space defined in the tests)."""

    info = SpaceInfo(
        name="toy-oneshot",
        description="test space",
        size=6,
        enumerable=True,
        has_isomorphism=False,
        datasets=("x",),
        default_dataset="x",
        cost_columns=("params", "flops"),
        positions=("a", "b"),
        choices=(("p", "q"), ("p", "q", "r")),
    )

    def from_codes(self, codes: Any) -> tuple[int, ...]:
        return self.check_codes(codes)

    def to_codes(self, arch: Any) -> tuple[int, ...]:
        return tuple(arch)

    def key(self, arch: Any) -> str:
        return "".join(str(c) for c in arch)

    def parse(self, text: Any) -> tuple[int, ...]:
        return self.from_codes([int(c) for c in str(text)])


def test_what_a_space_does_not_offer_is_refused() -> None:
    toy = _Toy()
    rng = np.random.default_rng(0)
    assert {make_sampler("uniform", space=toy).step(rng)[0] for _ in range(300)} == set(toy.enumerate())
    assert {a for _ in range(100) for a in make_sampler("uniform", space=toy, ops=("q", "r")).step(rng)} == {
        (1, 1),
        (1, 2),
    }
    with pytest.raises(SamplerError, match="same number of choices at every position; toy-oneshot holds a: 2, b: 3"):
        make_sampler("fairnas", space=toy)
    assert len(make_sampler("fairnas", space=toy, ops=("p", "q")).step(rng)) == 2
    for kind in ("deiso", "deiso-rejection"):
        with pytest.raises(SpaceCapabilityError, match="needs isomorphism classes"):
            make_sampler(kind, space=toy)
    with pytest.raises(SpaceCapabilityError, match="is_trivial"):
        make_sampler("uniform", space=toy, require_conv=True)
    assert SubSpace(toy, ops=("p",)).size == 1
    with pytest.raises(SamplerError, match=r"leave position\(s\) \['a'\] of toy-oneshot without a choice"):
        SubSpace(toy, ops=("r",))
