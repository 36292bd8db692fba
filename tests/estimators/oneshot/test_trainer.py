"""Supernet training: checkpoints, exact resume, gradient averaging, configuration checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.checkpoint import (
    CheckpointError,
    list_checkpoints,
    load_checkpoint,
    resolve_checkpoints,
)
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, TrainConfigError
from naslens.estimators.oneshot.trainer import train_step, train_supernet
from naslens.spaces.nb201 import NB201Arch
from naslens.spaces.nb201.supernet import NB201Supernet


def _same_state(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    ("sampler", "samples", "scheduler"),
    [("deiso-rejection", 2, "plateau"), ("fairnas", 1, "plateau"), ("uniform", 1, "cosine")],
)
def test_resume_equals_uninterrupted(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig, sampler: str, samples: int, scheduler: str
) -> None:
    cfg = tiny_config.replace(sampler=sampler, samples=samples, scheduler=scheduler)
    full = train_supernet(cfg, tmp_path / "full", data=splits, progress=False)
    part = train_supernet(cfg, tmp_path / "part", data=splits, progress=False, stop_after=1)
    assert [h["epoch"] for h in part.history] == [1]
    resumed = train_supernet(cfg, tmp_path / "part", data=splits, progress=False, resume=True)
    assert _same_state(full.model.state_dict(), resumed.model.state_dict())
    assert [h["train_loss"] for h in full.history] == [h["train_loss"] for h in resumed.history]
    a, b = load_checkpoint(tmp_path / "full" / "last.pt"), load_checkpoint(tmp_path / "part" / "last.pt")
    assert a["sampler_rng"] == b["sampler_rng"] and a["sampler_state"] == b["sampler_state"]
    assert a["optimizer"]["param_groups"][0]["lr"] == b["optimizer"]["param_groups"][0]["lr"]


def test_resume_without_last_pt_continues_from_the_latest_kept_checkpoint(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    """A lost last.pt: the kept epoch-0002.pt holds the full state, so --resume continues exactly from epoch 3,
    and a run without --resume refuses the folder instead of overwriting its checkpoints."""
    full = train_supernet(tiny_config, tmp_path / "full", data=splits, progress=False)
    part = tmp_path / "part"
    train_supernet(tiny_config, part, data=splits, progress=False, stop_after=2)
    (part / "last.pt").unlink()
    with pytest.raises(TrainConfigError, match="already holds"):
        train_supernet(tiny_config, part, data=splits, progress=False)
    resumed = train_supernet(tiny_config, part, data=splits, progress=False, resume=True)
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3]
    assert _same_state(full.model.state_dict(), resumed.model.state_dict())


def test_checkpoints_every_k_and_discovery(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    run = tmp_path / "run"
    res = train_supernet(tiny_config, run, data=splits, progress=False)
    assert [r.epoch for r in list_checkpoints(run)] == [2, 3]  # every 2 epochs, and the last
    assert (run / "last.pt").exists() and (run / "history.csv").exists() and (run / "config.json").exists()
    assert [r.label for r in resolve_checkpoints([f"{run}:last-1"])] == ["epoch-0003"]
    # last.pt is the epoch-0003 checkpoint: one reference; a selector on a file is refused; ':' in a folder name
    assert [r.label for r in resolve_checkpoints([str(run / "last.pt"), str(run)])] == ["epoch-0003", "epoch-0002"]
    with pytest.raises(CheckpointError, match="run folders only"):
        resolve_checkpoints([f"{run / 'epoch-0002.pt'}:last-1"])
    colon = tmp_path / "a:b"
    colon.mkdir()
    (colon / "epoch-0002.pt").write_bytes((run / "epoch-0002.pt").read_bytes())
    assert [r.label for r in resolve_checkpoints([str(colon)])] == ["epoch-0002"]
    assert [r.label for r in resolve_checkpoints([f"{colon}:last-1"])] == ["epoch-0002"]
    assert len(res.history) == 3 and all(h["steps"] == 3 for h in res.history)
    ck = load_checkpoint(run / "epoch-0002.pt")
    assert ck["epoch"] == 2 and SupernetTrainConfig.from_dict(ck["config"]) == tiny_config
    assert res.history[-1]["train_loss"] < res.history[0]["train_loss"]  # it learns the synthetic task


def test_refuses_occupied_folder_and_changed_config(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    cfg = tiny_config.replace(epochs=1)
    train_supernet(cfg, tmp_path, data=splits, progress=False)
    with pytest.raises(TrainConfigError, match="already holds"):
        train_supernet(cfg, tmp_path, data=splits, progress=False)
    with pytest.raises(TrainConfigError, match="lr"):
        train_supernet(cfg.replace(lr=0.1, epochs=2), tmp_path, data=splits, progress=False, resume=True)
    more = train_supernet(cfg.replace(epochs=2), tmp_path, data=splits, progress=False, resume=True)
    assert [h["epoch"] for h in more.history] == [1, 2]
    cos = cfg.replace(scheduler="cosine")
    train_supernet(cos, tmp_path / "cos", data=splits, progress=False)
    with pytest.raises(TrainConfigError, match="epochs: 1 -> 2"):  # the cosine schedule depends on the length
        train_supernet(cos.replace(epochs=2), tmp_path / "cos", data=splits, progress=False, resume=True)
    with pytest.raises(TrainConfigError, match="channels"):
        train_supernet(cfg.replace(channels=3), tmp_path / "other", data=splits, progress=False)


def test_per_param_gradient_averaging(tiny_config: SupernetTrainConfig, splits: ImageSplits) -> None:
    """Two copies of one architecture in a step update the weights exactly like that architecture alone."""
    arch = NB201Arch(("nor_conv_3x3", "skip_connect", "nor_conv_1x1", "none", "avg_pool_3x3", "nor_conv_3x3"))
    x, y = splits.train_x[:16], splits.train_y[:16]
    states = []
    for archs in ([arch], [arch, arch]):
        torch.manual_seed(0)
        net = NB201Supernet(C=4, N=1, num_classes=4, in_channels=1, dropout=0.0)
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        train_step(net, archs, x, y, opt, tiny_config)
        states.append(dict(net.named_parameters()))
    a, b = states
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)  # BN buffers differ: they saw the batch twice


def test_config_validation() -> None:
    with pytest.raises(TrainConfigError, match="sampler"):
        SupernetTrainConfig(sampler="evolution")
    with pytest.raises(TrainConfigError, match="batch_size"):
        SupernetTrainConfig(batch_size=1)
    with pytest.raises(TrainConfigError, match="unknown"):
        SupernetTrainConfig.from_dict({"width": 3})
    a, b = SupernetTrainConfig(seed=0, epochs=5), SupernetTrainConfig(seed=1, epochs=50)
    assert a.hash == b.hash  # seeds and run length are checkpoint/seed axes of one estimator configuration
    assert a.hash != SupernetTrainConfig(sampler="fairnas").hash
    # the same op set in another order is the same configuration
    assert (
        SupernetTrainConfig(ops=("nor_conv_3x3", "none")).hash == SupernetTrainConfig(ops=("none", "nor_conv_3x3")).hash
    )
    assert SupernetTrainConfig(ops=("nor_conv_3x3", "none")).ops == ("none", "nor_conv_3x3")
    with pytest.raises(TrainConfigError, match="fairnas"):
        SupernetTrainConfig(sampler="fairnas", samples=3)
    with pytest.raises(TrainConfigError, match=r"uses \['avg_pool_3x3'\]"):
        SupernetTrainConfig(
            ops=("none", "nor_conv_3x3"), subspace=("|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|",)
        )
    with pytest.raises(TrainConfigError, match="subspace"):
        SupernetTrainConfig(subspace=("|conv~0|",))


def test_mean_vs_per_param_averaging(tiny_config: SupernetTrainConfig, splits: ImageSplits) -> None:
    """With two paths, a tensor only one path uses gets half the gradient under ``mean``, all of it per-param."""
    a = NB201Arch(("nor_conv_3x3",) * 6)
    b = NB201Arch(("skip_connect",) * 6)
    x, y = splits.train_x[:16], splits.train_y[:16]
    grads = {}
    for mode in ("per-param", "mean"):
        torch.manual_seed(0)
        net = NB201Supernet(C=4, N=1, num_classes=4, in_channels=1, dropout=0.0)
        opt = torch.optim.SGD(net.parameters(), lr=0.0)
        train_step(net, [a, b], x, y, opt, tiny_config.replace(grad_averaging=mode, grad_clip=1e9))
        grads[mode] = {n: p.grad.clone() for n, p in net.named_parameters() if p.grad is not None}
    only_a = "cells.0.edges.0->1.nor_conv_3x3.op.1.weight"
    torch.testing.assert_close(grads["mean"][only_a], grads["per-param"][only_a] / 2)
    torch.testing.assert_close(grads["mean"]["classifier.weight"], grads["per-param"]["classifier.weight"])


def test_resume_after_a_kill_between_forgetting_rows_and_checkpoint_loses_and_duplicates_nothing(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    cfg = tiny_config.replace(epochs=2)
    full = tmp_path / "full"
    train_supernet(cfg, full, data=splits, progress=False, forgetting_images=16)
    part = tmp_path / "part"
    train_supernet(cfg, part, data=splits, progress=False, stop_after=1, forgetting_images=16)
    # a kill after epoch 2 appended its rows but before last.pt was saved: epoch-2 rows plus a torn line
    full_lines = (full / "forgetting.csv").read_text().splitlines(keepends=True)
    epoch2 = [ln for ln in full_lines[1:] if ln.split(",")[full_lines[0].split(",").index("epoch")] == "2"]
    assert epoch2
    with open(part / "forgetting.csv", "a") as f:
        f.writelines(epoch2)
        f.write(epoch2[0][: len(epoch2[0]) // 2])
    train_supernet(cfg, part, data=splits, progress=False, resume=True, forgetting_images=16)
    assert (part / "forgetting.csv").read_text() == (full / "forgetting.csv").read_text()
