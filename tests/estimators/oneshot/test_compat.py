"""Old NB201 one-shot runs stay valid: configuration hashes, sampler RNG streams, architecture selection and
checkpoints of the code before the space protocol (values computed with that code, commit f448c8e).

The evidence hashes are those of ``docs/results/oneshot-*/evaluation.json`` (train hash, oneshot_acc and oneshot_loss
configuration hashes of each run of ``scripts/oneshot_evidence.sh``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from naslens.benchmarks.recipe import Recipe
from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.base import config_hash
from naslens.estimators.oneshot.checkpoint import CheckpointError, load_checkpoint
from naslens.estimators.oneshot.sampler_factory import make_sampler
from naslens.estimators.oneshot.score_checkpoints import store_config
from naslens.estimators.oneshot.scoring import ScoreConfig, score_paths
from naslens.estimators.oneshot.supernet_module import build_supernet
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, config_from_recipe
from naslens.estimators.oneshot.trainer import train_supernet
from naslens.selection import select_archs
from naslens.spaces import get_space

FIXTURE = Path(__file__).parent / "fixtures" / "nb201-supernet-v1.pt"
"""``epoch-0001.pt`` of ``SupernetTrainConfig(sampler="deiso-rejection", samples=2, C=2, N=1, input_size=8,
channels=1, n_train=96, n_val=64, num_classes=4, epochs=1, batch_size=32, patience=1)`` trained by commit f448c8e
on ``conftest.make_splits()``."""

# the recipe stored in nb201-fmnist's extra["recipe"] (its network and data fields)
FMNIST_RECIPE = Recipe(C=8, N=2, input_size=16, channels=1, n_train=4000, n_val=2000, data_seed=0)
EVIDENCE = {  # run: (sampler settings, train hash, oneshot_acc hash, oneshot_loss hash)
    "uniform": ({"sampler": "uniform", "samples": 1}, "b975bd5e5584", "2af0b389503f", "476e1bce1747"),
    "deiso": ({"sampler": "deiso"}, "b3cc3d3ad551", "df3572aa5f12", "277c2848e0bc"),
    "mc3": ({"sampler": "uniform", "samples": 3}, "acebaff7c1c2", "e58edb8f2dcc", "37fef702b4e4"),
    "fairnas": ({"sampler": "fairnas"}, "c1ca4605f247", "cdeacb69dec3", "df4a7ede3f09"),
}


@pytest.mark.parametrize("run", sorted(EVIDENCE))
def test_evidence_hashes_unchanged(run: str) -> None:
    kw, train_hash, acc_hash, loss_hash = EVIDENCE[run]
    common = {"batch_size": 256, "lr": 0.05, "scheduler": "plateau", "patience": 10, "factor": 0.5}
    cfg = config_from_recipe(FMNIST_RECIPE, **common, **kw, epochs=120, checkpoint_every=20)
    assert cfg.hash == train_hash
    score = ScoreConfig(n_batches=4, batch_size=256, bn_mode="train")
    assert config_hash(store_config(cfg, score, "acc", 1)) == acc_hash
    assert config_hash(store_config(cfg, score, "loss", 1)) == loss_hash


def test_other_configuration_hashes_unchanged() -> None:
    sub = "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
    assert SupernetTrainConfig().hash == "cd324c4f5b86"
    assert SupernetTrainConfig(require_conv=True).hash == "3f53475c6997"
    assert SupernetTrainConfig(ops=("none", "skip_connect", "nor_conv_3x3")).hash == "66574f1c2e37"
    assert SupernetTrainConfig(scheduler="cosine", epochs=7).hash == "89d0770767d2"
    assert SupernetTrainConfig(subspace=(sub,)).hash == "0c92e28c0822"
    affine = SupernetTrainConfig(net={"C": 8, "N": 1, "bn_affine": True}, channels=3, input_size=32)
    assert affine.hash == "6b7e43b31a87"
    recal = ScoreConfig(n_batches=5, batch_size=128, bn_mode="recalibrate", calib_batches=3)
    assert config_hash(store_config(SupernetTrainConfig(), recal, "acc", 3)) == "a8d920fd2bc1"
    # the stored form is the old flat one: network settings at the top level, no space key for nb201
    d = SupernetTrainConfig().to_dict()
    assert (d["C"], d["N"], d["bn_affine"]) == (16, 5, False) and "space" not in d and "net" not in d


@pytest.mark.parametrize(
    ("kind", "kw", "first"),
    [
        ("uniform", {}, [[9347], [12958], [13250]]),
        ("uniform", {"samples": 3}, [[9347, 12958, 13250], [1175, 237, 9259], [15118, 3202, 13969]]),
        ("deiso", {}, [[12886], [8967], [6797]]),
        ("deiso-rejection", {}, [[9347], [12958], [13250]]),
        ("fairnas", {}, [[9900, 27, 6724, 2132, 9576], [12683, 8561, 6115, 79, 5276], [938, 12575, 2750, 9633, 9808]]),
        ("uniform", {"require_conv": True}, [[13250], [1175], [237]]),
        ("uniform", {"ops": ("none", "nor_conv_3x3")}, [[10], [10079], [1462]]),
        (
            "fairnas",
            {"require_conv": True},
            [[12683, 8561, 6115, 79, 5276], [92, 2507, 2988, 11021, 9044], [3846, 8478, 13265, 7380, 1564]],
        ),
    ],
)
def test_nb201_sampler_streams_unchanged(kind: str, kw: dict[str, object], first: list[list[int]]) -> None:
    """The first three steps (benchmark indices) for seed 0, as the code before the space protocol drew them."""
    space = get_space("nb201")
    s = make_sampler(kind, **kw)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    assert [[space.index(a) for a in s.step(rng)] for _ in range(3)] == first


def test_selection_picks_what_oneshot_select_archs_picked() -> None:
    sp = get_space("nb201")
    assert [a.index for a in select_archs(sp, subset="deiso", sample=7, seed=3)] == [
        767,
        1898,
        1932,
        2692,
        11977,
        12165,
        13221,
    ]
    assert [a.index for a in select_archs(sp, subset="all", sample=5, seed=1)] == [544, 7391, 7995, 11797, 14850]


def test_old_checkpoint_loads_resumes_and_scores(tmp_path: Path, splits: ImageSplits) -> None:
    ck = load_checkpoint(FIXTURE)
    cfg = SupernetTrainConfig.from_dict(ck["config"])
    assert cfg.hash == "7690af19231b" and cfg.space == "nb201" and cfg.net == {"C": 2, "N": 1, "bn_affine": False}
    model = build_supernet(cfg)
    model.load_state_dict(ck["model"])  # the same tensors under the same names
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(FIXTURE, run / "epoch-0001.pt")
    resumed = train_supernet(cfg.replace(epochs=2), run, data=splits, progress=False, resume=True)
    assert [h["epoch"] for h in resumed.history] == [1, 2]
    assert load_checkpoint(run / "last.pt")["sampler_state"]["recorded"][:6] == ck["sampler_state"]["recorded"]
    acc, loss, _ = score_paths(
        model, list(get_space("nb201").enumerate()[:3]), splits.val_x, splits.val_y, ScoreConfig(2, 16)
    )
    assert np.isfinite(acc).all() and np.isfinite(loss).all()


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("a checkpoint ran code",))


def test_checkpoints_are_data_not_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "evil.pt"
    torch.save({"format": "naslens-supernet/1", "payload": _Evil()}, bad)
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        load_checkpoint(bad)
    assert "ran code" not in capsys.readouterr().out
