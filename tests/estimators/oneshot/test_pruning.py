"""Pruning workflows on a tiny NB201 supernet with synthetic images and a synthetic ground truth: operation pruning's
sub-space lacks the op, hard pruning keeps exactly the top fraction and fine-tunes only on it, soft pruning trains
the evolutionary sampler; the tables, resumability and option checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.checkpoint import load_checkpoint
from naslens.estimators.oneshot.prune_compare import COLUMNS, PruneEval, Truth
from naslens.estimators.oneshot.pruning import hard_keep_count, prune_hard, prune_op, prune_soft
from naslens.estimators.oneshot.scoring import ScoreConfig, score_paths
from naslens.estimators.oneshot.subspace import SamplerError, SubSpace
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, TrainConfigError, finetune_label
from naslens.estimators.oneshot.trainer import build_sampler, build_supernet, train_supernet
from naslens.spaces import get_space

SPACE = get_space("nb201")
SCORE = ScoreConfig(n_batches=2, batch_size=16)


@pytest.fixture
def ev() -> PruneEval:
    rng = np.random.default_rng(0)
    reps = SPACE.representatives()
    archs = [reps[int(i)] for i in rng.choice(len(reps), 40, replace=False)]
    return PruneEval(Truth(pd.Series(rng.random(40), index=[SPACE.key(a) for a in archs]), "synthetic"), SCORE, k=0.25)


@pytest.fixture
def parent(tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig) -> Path:
    cfg = tiny_config.replace(net={"C": 2, "N": 1}, epochs=2)
    train_supernet(cfg, tmp_path / "full", data=splits, progress=False)
    return tmp_path / "full" / "epoch-0002.pt"


def _config(path: Path) -> SupernetTrainConfig:
    return SupernetTrainConfig.from_dict(load_checkpoint(path)["config"])


def test_hard_keep_count() -> None:
    assert [hard_keep_count(f, 40) for f in (0.1, 0.25, 0.5, 1.0)] == [4, 10, 20, 40]
    assert hard_keep_count(0.01, 40) == 2  # a ranking needs two
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(SamplerError, match=r"\(0, 1\]"):
            hard_keep_count(bad, 40)


def test_op_pruning_trains_without_the_op(tmp_path: Path, splits: ImageSplits, parent: Path, ev: PruneEval) -> None:
    out = tmp_path / "op"
    res = prune_op(parent, ["avg_pool_3x3"], out, ev, data=splits, progress=False)
    pruned = _config(out / "no-avg_pool_3x3" / "epoch-0002.pt")
    assert "avg_pool_3x3" not in pruned.ops and pruned.ops == tuple(
        o for o in _config(parent).ops if o != "avg_pool_3x3"
    )
    assert pruned.replace(ops=_config(parent).ops) == _config(parent)  # nothing else changed
    without = [k for k in ev.truth.values.index if "avg_pool_3x3" not in k]
    t = res.table
    assert list(t.columns) == list(COLUMNS) and list(t.supernet) == ["unpruned", "pruned"]
    assert set(t.n_archs) == {len(without)} and set(t.epoch) == {2} and set(t.truth) == {"synthetic"}
    assert not any(SubSpace(SPACE, ops=pruned.ops).holds(SPACE.parse(k)) for k in ev.truth.values.index
                   if k not in without)  # fmt: skip
    assert pd.read_csv(res.path).shape == t.shape
    mtime = (out / "no-avg_pool_3x3" / "last.pt").stat().st_mtime_ns
    again = prune_op(parent, ["avg_pool_3x3"], out, ev, data=splits, progress=False)  # rerun: nothing retrained
    assert (out / "no-avg_pool_3x3" / "last.pt").stat().st_mtime_ns == mtime
    assert again.table.drop(columns="checkpoint").equals(t.drop(columns="checkpoint"))


def test_op_pruning_resumes_a_killed_run(tmp_path: Path, splits: ImageSplits, parent: Path, ev: PruneEval) -> None:
    cfg = _config(parent).replace(ops=("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3"))
    ref = train_supernet(cfg, tmp_path / "ref", data=splits, progress=False)
    train_supernet(cfg, tmp_path / "op" / "no-avg_pool_3x3", data=splits, progress=False, stop_after=1)  # killed
    prune_op(parent, ["avg_pool_3x3"], tmp_path / "op", ev, data=splits, progress=False)
    done = load_checkpoint(tmp_path / "op" / "no-avg_pool_3x3" / "last.pt")
    assert done["epoch"] == 2
    assert all(torch.equal(v, done["model"][k]) for k, v in ref.model.state_dict().items())


def test_hard_pruning_keeps_the_top_fraction_and_fine_tunes_only_on_it(
    tmp_path: Path, splits: ImageSplits, parent: Path, ev: PruneEval
) -> None:
    out = tmp_path / "hard"
    res = prune_hard(parent, out, ev, fractions=(0.1, 0.25), epochs=2, data=splits, progress=False)
    # the parent's own ranking of the 40 ground-truth architectures (accuracy; ties: ground-truth order)
    ck = load_checkpoint(parent)
    model = build_supernet(_config(parent))
    model.load_state_dict(ck["model"])
    archs = [SPACE.parse(k) for k in ev.truth.values.index]
    acc, _, _ = score_paths(model, archs, splits.val_x, splits.val_y, SCORE)
    order = sorted(range(40), key=lambda i: -acc[i])
    for f, n in ((0.1, 4), (0.25, 10)):
        run = out / f"top-{f * 100:g}"
        kept = (run / "kept.txt").read_text().split()
        assert kept == [SPACE.key(archs[i]) for i in order[:n]]
        ft = load_checkpoint(run / "epoch-0002.pt")
        cfg = SupernetTrainConfig.from_dict(ft["config"])
        assert cfg.subspace == tuple(kept) and cfg.finetune_from == finetune_label(ck) and cfg.sampler == "uniform"
        sampler, rng = build_sampler(cfg), np.random.default_rng(0)
        assert {SPACE.key(a) for _ in range(200) for a in sampler.step(rng)} == set(kept)  # all of them, only them
        # parameters on no kept path get no gradient, hence no SGD update: exactly the parent's
        used = {name for a in archs if SPACE.key(a) in kept for name, _ in model.path_parameters(a)}
        unused = [k for k, _ in model.named_parameters() if k not in used]
        assert unused and all(torch.equal(ft["model"][k], ck["model"][k]) for k in unused)
        assert any(not torch.equal(ft["model"][k], ck["model"][k]) for k in used)
        rows = res.table[res.table.setting == f"top {f:.0%}"]
        assert list(rows.supernet) == ["unpruned", "control", "pruned"] and set(rows.n_archs) == {n}
    control = SupernetTrainConfig.from_dict(load_checkpoint(out / "control" / "epoch-0002.pt")["config"])
    assert control.subspace == () and control.finetune_from == finetune_label(ck)


def test_fine_tuning_needs_its_checkpoint(tmp_path: Path, splits: ImageSplits, parent: Path) -> None:
    cfg = _config(parent).replace(finetune_from=finetune_label(load_checkpoint(parent)))
    with pytest.raises(TrainConfigError, match="needs the checkpoint"):
        train_supernet(cfg, tmp_path / "a", data=splits, progress=False)
    other = cfg.replace(finetune_from="abc/seed0/epoch-0001")
    with pytest.raises(TrainConfigError, match="fine-tunes abc"):
        train_supernet(other, tmp_path / "b", data=splits, progress=False, init_from=parent)
    with pytest.raises(TrainConfigError, match="init_from is for fine-tuning"):
        train_supernet(_config(parent), tmp_path / "c", data=splits, progress=False, init_from=parent)
    assert cfg.hash != _config(parent).hash


def test_soft_pruning_trains_the_evolutionary_sampler(
    tmp_path: Path, splits: ImageSplits, parent: Path, ev: PruneEval
) -> None:
    controller = {"population": 8, "warmup": 1, "every": 1, "candidates": 4, "score_batches": 1, "score_batch_size": 16}
    res = prune_soft(parent, tmp_path / "soft", ev, controller, data=splits, progress=False)
    run = tmp_path / "soft" / "soft-single"
    ck = load_checkpoint(run / "epoch-0002.pt")
    cfg = SupernetTrainConfig.from_dict(ck["config"])
    assert cfg.sampler == "evolutionary" and cfg.controller["population"] == 8
    assert cfg.replace(sampler="uniform", controller={}) == _config(parent)
    assert ck["sampler_state"]["updates"] == [1, 2]
    assert (run / "population.txt").read_text().split() == [p[0] for p in ck["sampler_state"]["population"]]
    t = res.table
    assert list(t.supernet[:2]) == ["unpruned", "pruned"] and set(t.n_archs[:2]) == {40}
    assert (tmp_path / "soft" / "soft-single-comparison.csv").exists()


def test_workflow_options_are_checked(tmp_path: Path, splits: ImageSplits, parent: Path, ev: PruneEval) -> None:
    with pytest.raises(SamplerError, match="among the supernet's"):
        prune_op(parent, ["conv_7x7"], tmp_path / "x", ev, data=splits, progress=False)
    with pytest.raises(SamplerError, match="among the supernet's"):
        prune_op(parent, [], tmp_path / "x", ev, data=splits, progress=False)
    with pytest.raises(SamplerError, match=r"\(0, 1\]"):
        prune_hard(parent, tmp_path / "x", ev, fractions=(0.1, 1.5), data=splits, progress=False)
    with pytest.raises(SamplerError, match="distinct"):
        prune_hard(parent, tmp_path / "x", ev, fractions=(0.1, 0.1), data=splits, progress=False)
    with pytest.raises(TrainConfigError, match="epochs"):
        prune_hard(parent, tmp_path / "x", ev, epochs=0, data=splits, progress=False)
    with pytest.raises(SamplerError, match="warm-up"):
        prune_soft(parent, tmp_path / "x", ev, {"warmup": 5}, data=splits, progress=False)
    with pytest.raises(SamplerError, match="metric"):
        PruneEval(ev.truth, SCORE, metric="f1")
    assert not (tmp_path / "x").exists()  # refused before any work
