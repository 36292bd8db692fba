"""One-shot scores: determinism, BN modes, store pipeline per checkpoint, resumability."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.checkpoint import resolve_checkpoints
from naslens.estimators.oneshot.score_checkpoints import score_checkpoints
from naslens.estimators.oneshot.scoring import ScoreConfig, metric_info, score_paths
from naslens.estimators.oneshot.train_config import SupernetTrainConfig
from naslens.estimators.oneshot.trainer import train_supernet
from naslens.selection import select_archs
from naslens.spaces.nb201 import NB201Arch, NB201Space
from naslens.spaces.nb201.supernet import NB201Supernet
from naslens.store import ScoreStore

ARCHS = [NB201Arch.from_index(i) for i in (0, 11, 284, 9930, 1462)]


@pytest.fixture
def trained(splits: ImageSplits) -> NB201Supernet:
    torch.manual_seed(0)
    net = NB201Supernet(C=4, N=1, num_classes=4, in_channels=1)
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    rng = np.random.default_rng(0)
    space = NB201Space()
    net.train()
    for i in range(6):  # a few steps so BN running statistics are non-trivial
        a = space.sample(rng)
        loss = torch.nn.functional.cross_entropy(
            net(splits.train_x[16 * i : 16 * (i + 1)], a), splits.train_y[16 * i : 16 * (i + 1)]
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net


@pytest.mark.parametrize("bn_mode", ["train", "recalibrate"])
def test_scores_deterministic_order_independent_and_side_effect_free(
    trained: NB201Supernet, splits: ImageSplits, bn_mode: str
) -> None:
    cfg = ScoreConfig(n_batches=2, batch_size=16, bn_mode=bn_mode, calib_batches=2)
    before = {k: v.clone() for k, v in trained.state_dict().items()}
    acc, loss, secs = score_paths(trained, ARCHS, splits.val_x, splits.val_y, cfg, calib_x=splits.train_x)
    after = trained.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert trained.training  # module modes restored
    acc2, loss2, _ = score_paths(trained, ARCHS[::-1], splits.val_x, splits.val_y, cfg, calib_x=splits.train_x)
    np.testing.assert_array_equal(acc, acc2[::-1])
    np.testing.assert_array_equal(loss, loss2[::-1])
    acc3, _, _ = score_paths(trained, ARCHS[2:3], splits.val_x, splits.val_y, cfg, calib_x=splits.train_x)
    assert acc3[0] == acc[2]
    assert np.all((acc >= 0) & (acc <= 100)) and np.all(loss > 0) and np.all(secs > 0)
    # accuracy is the fraction of correct labels, computed independently here for one architecture
    if bn_mode == "train":
        from naslens.estimators.oneshot.bn_modes import bn_train_mode

        with bn_train_mode(trained), torch.no_grad():
            hits = [
                (trained(splits.val_x[i : i + 16], ARCHS[0]).argmax(1) == splits.val_y[i : i + 16]).float().mean()
                for i in (0, 16)
            ]
        assert acc[0] == pytest.approx(100 * float(sum(hits)) / 2)


def test_diverged_paths_score_nan_and_are_stored_as_failed(
    tmp_path: Path, trained: NB201Supernet, splits: ImageSplits
) -> None:
    """A NaN weight on one op makes exactly the paths through it non-finite: NaN accuracy (argmax would otherwise
    pick the NaN logit and give a finite accuracy), NaN loss, counted as failed by the store."""
    with torch.no_grad():
        trained.cells[0].edges["0->3"]["nor_conv_3x3"].op[1].weight[0, 0, 0, 0] = float("nan")
    through = NB201Arch.from_string("|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|")
    around = NB201Arch.from_string("|none~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|none~2|")
    cfg = ScoreConfig(n_batches=2, batch_size=16)
    acc, loss, _ = score_paths(trained, [through, around], splits.val_x, splits.val_y, cfg)
    assert np.isnan(acc[0]) and np.isnan(loss[0])
    assert np.isfinite(acc[1]) and np.isfinite(loss[1])
    info = metric_info("acc", cfg)
    keys = [NB201Space().key(a) for a in (through, around)]
    with ScoreStore(tmp_path / "store") as st:
        st.put_many(
            "nb201", [(k, float(v), None, None) for k, v in zip(keys, acc, strict=True)], info, {"x": 1}, seed=0
        )
        got = st.scores("nb201", "oneshot_acc", keys, seed=0)
    assert got.finite.tolist() == [False, True]


def test_bn_modes_differ_and_recalibration_needs_data(trained: NB201Supernet, splits: ImageSplits) -> None:
    train_mode = ScoreConfig(n_batches=2, batch_size=16)
    recal = ScoreConfig(n_batches=2, batch_size=16, bn_mode="recalibrate", calib_batches=2)
    _, loss_t, _ = score_paths(trained, ARCHS, splits.val_x, splits.val_y, train_mode)
    _, loss_r, _ = score_paths(trained, ARCHS, splits.val_x, splits.val_y, recal, calib_x=splits.train_x)
    assert not np.allclose(loss_t, loss_r)
    with pytest.raises(ValueError, match="calib_x"):
        score_paths(trained, ARCHS, splits.val_x, splits.val_y, recal)
    with pytest.raises(ValueError, match="need"):
        score_paths(trained, ARCHS, splits.val_x, splits.val_y, ScoreConfig(n_batches=10, batch_size=16))
    assert metric_info("loss", train_mode).higher_is_better is False
    assert metric_info("acc", recal).bn_mode == "eval"


def test_score_checkpoints_into_store_resumable(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    cfg = tiny_config.replace(epochs=2, checkpoint_every=1)
    train_supernet(cfg, tmp_path / "run", data=splits, progress=False)
    refs = resolve_checkpoints([str(tmp_path / "run")])
    archs = select_archs(NB201Space(), subset="deiso", sample=12, seed=0)
    sc = ScoreConfig(n_batches=2, batch_size=16)
    with ScoreStore(tmp_path / "store") as st:
        first = score_checkpoints(refs, archs, st, sc, data=splits, chunk=5, progress=False)
        assert [(r.label, r.scored, r.skipped) for r in first] == [("epoch-0001", 12, 0), ("epoch-0002", 12, 0)]
        again = score_checkpoints(refs, archs, st, sc, data=splits, progress=False)
        assert [(r.scored, r.skipped) for r in again] == [(0, 12), (0, 12)]
        keys = [NB201Space().key(a) for a in archs]
        s1 = st.scores("nb201", "oneshot_acc", keys, checkpoint="epoch-0001")
        s2 = st.scores("nb201", "oneshot_loss", keys, checkpoint="epoch-0002")
        assert s1.finite.all() and s2.finite.all()
        assert s2.info.higher_is_better is False and s1.extra["seed"] == cfg.seed
        wavg = score_checkpoints(refs, archs, st, sc, data=splits, weight_average=2, progress=False)
        assert [r.label for r in wavg] == ["epoch-0002"]
        w = st.scores("nb201", "oneshot_acc@wavg2", keys)
        assert w.config["ensemble"] == {"kind": "weight-average", "window": 2}


def test_score_checkpoints_leaves_out_archs_with_ops_the_supernet_lacks(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    ops = ("none", "skip_connect", "nor_conv_3x3")
    cfg = tiny_config.replace(epochs=1, checkpoint_every=1, ops=ops)
    train_supernet(cfg, tmp_path / "run", data=splits, progress=False)
    refs = resolve_checkpoints([str(tmp_path / "run")])
    archs = select_archs(NB201Space(), subset="deiso", sample=40, seed=1)
    inside = [a for a in archs if set(a.ops) <= set(ops)]
    assert 0 < len(inside) < len(archs)
    sc = ScoreConfig(n_batches=1, batch_size=16)
    with ScoreStore(tmp_path / "store") as st:
        (row,) = score_checkpoints(refs, archs, st, sc, data=splits, progress=False)
        assert (row.scored, row.outside) == (len(inside), len(archs) - len(inside))
        assert set(st.table().arch) == {NB201Space().key(a) for a in inside}
        with pytest.raises(ValueError, match="none of the 1 architectures"):
            score_checkpoints(refs, [NB201Arch(("avg_pool_3x3",) * 6)], st, sc, data=splits, progress=False)
