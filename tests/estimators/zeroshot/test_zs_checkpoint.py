"""Zero-shot proxies on the paths of a trained supernet checkpoint (``naslens score --checkpoint``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from naslens.cli_score import app
from naslens.estimators import create_estimator
from naslens.estimators.base import config_hash
from naslens.estimators.oneshot.checkpoint import save_checkpoint
from naslens.estimators.oneshot.train_config import SupernetTrainConfig
from naslens.estimators.oneshot.trainer import build_supernet
from naslens.estimators.zeroshot import FusedScorer
from naslens.estimators.zeroshot.estimator import BatchCache, RunContext
from naslens.estimators.zeroshot.runner import prepare_run, score_space
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.types import SpaceCapabilityError

SPACE = get_space("nb201")
ARCHS = [SPACE.parse(i) for i in (3, 9000)]


def _write(path, epoch: int, *, seed: int = 0, ops=None, shift: float = 0.0):
    """A checkpoint like the trainer's: a C=4 N=1 supernet on 1×8×8 inputs, weights seeded (and shifted)."""
    kw = {"ops": tuple(ops)} if ops else {}
    cfg = SupernetTrainConfig(net={"C": 4, "N": 1}, input_size=8, epochs=3, seed=seed, **kw)
    torch.manual_seed(seed)
    sn = build_supernet(cfg)
    with torch.no_grad():
        for p in sn.parameters():
            p.add_(shift * torch.randn_like(p))
    save_checkpoint(path, {"config": cfg.to_dict(), "model": sn.state_dict(), "epoch": epoch})
    return sn


def _ctx(path, **kw):
    return RunContext(space="nb201", checkpoint=str(path), data="noise", batch_size=6, n_batches=1, **kw)


def test_scores_are_the_proxies_on_the_supernet_paths(tmp_path):
    sn = _write(tmp_path / "epoch-0001.pt", 1, shift=0.3)
    ctx = _ctx(tmp_path / "epoch-0001.pt")
    out = score_space(SPACE, ARCHS, ["synflow", "snip"], ctx, progress=False)
    batches = BatchCache(ctx, SPACE).batches()
    for a in ARCHS:
        torch.manual_seed(0)
        expected = FusedScorer(["synflow", "snip"]).score(sn.to_standalone(a), batches, seed=0)
        for n in ("synflow", "snip"):
            assert out[SPACE.key(a)][n].status == "ok"
            assert out[SPACE.key(a)][n].value == pytest.approx(expected[n].value, rel=1e-6)
    fresh = score_space(
        SPACE,
        ARCHS[:1],
        ["synflow"],
        RunContext(
            space="nb201",
            data="noise",
            batch_size=6,
            n_batches=1,
            net={"C": 4, "N": 1, "in_channels": 1, "input_size": 8, "bn_affine": False},
        ),
        progress=False,
    )
    assert fresh[SPACE.key(ARCHS[0])]["synflow"].value != out[SPACE.key(ARCHS[0])]["synflow"].value


def test_config_records_the_checkpoint_and_epochs_never_mix(tmp_path):
    _write(tmp_path / "epoch-0001.pt", 1, seed=2)
    _write(tmp_path / "epoch-0002.pt", 2, seed=2, shift=0.1)
    with ScoreStore(tmp_path / "store") as st:
        plans = []
        for e in (1, 2):
            ctx = _ctx(tmp_path / f"epoch-000{e}.pt")
            plan = prepare_run(SPACE, ["synflow"], ctx)
            score_space(SPACE, ARCHS, ["synflow"], ctx, store=st, progress=False, plan=plan)
            plans.append(plan)
        table = st.table()
    c1, c2 = (p.configs["synflow"] for p in plans)
    assert c1["checkpoint"]["epoch"] == 1 and c2["checkpoint"]["epoch"] == 2
    assert c1["checkpoint"]["seed"] == 2 and len(c1["checkpoint"]["sha256"]) == 64
    assert c1["checkpoint"]["sha256"] != c2["checkpoint"]["sha256"] and config_hash(c1) != config_hash(c2)
    assert c1["net"] == {"C": 4, "N": 1, "num_classes": 10, "in_channels": 1, "bn_affine": False}
    assert c1["dataset"] == "fashion-mnist" and c1["data"]["shape"] == [1, 8, 8]
    assert sorted(set(table["checkpoint"])) == ["epoch-0001", "epoch-0002"] and set(table["seed"]) == {2}
    assert len(table) == 4 and (table["status"] == "ok").all()
    e1 = table[table["checkpoint"] == "epoch-0001"].set_index("arch")["value"]
    e2 = table[table["checkpoint"] == "epoch-0002"].set_index("arch")["value"]
    assert not np.allclose(e1.sort_index().to_numpy(), e2.sort_index().to_numpy())


def test_estimator_api_and_what_cannot_apply(tmp_path):
    path = tmp_path / "ck.pt"
    _write(path, 4, ops=("none", "skip_connect", "nor_conv_3x3"))
    est = create_estimator("synflow", checkpoint=str(path), data="noise", batch_size=4, n_batches=1)
    held = SPACE.parse("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|nor_conv_3x3~0|none~1|skip_connect~2|")
    pruned = SPACE.parse("|nor_conv_1x1~0|+|skip_connect~0|none~1|+|nor_conv_3x3~0|none~1|skip_connect~2|")
    sc = est.score(SPACE, [held, pruned])
    assert sc.status[0] == "ok" and sc.extra["checkpoint"] == "epoch-0004"
    assert sc.status[1].startswith("failed: cannot apply:") and "nor_conv_1x1" in sc.status[1]
    assert math.isnan(sc.values[1])
    with pytest.raises(SpaceCapabilityError, match="thin network"):
        prepare_run(SPACE, ["linear_regions"], _ctx(path))
    with pytest.raises(ValueError, match="differ from those of the checkpoint"):
        _ctx(path, net={"C": 8})
    with pytest.raises(ValueError, match="a supernet of space 'nb201', not 'nb-macro'"):
        RunContext(space="nb-macro", checkpoint=str(path))
    with pytest.raises(ValueError, match="no such file"):
        _ctx(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a usable supernet checkpoint"):
        _ctx(tmp_path / "junk.pt")


def test_cli_checkpoint(tmp_path):
    path = tmp_path / "epoch-0003.pt"
    _write(path, 3, seed=1)
    store = tmp_path / "store"
    args = ["--checkpoint", str(path), "--proxies", "synflow,nwot", "--data", "noise", "--batch-size", "4"]
    res = CliRunner().invoke(app, [*args, "--n-batches", "1", "--sample", "2", "--store", str(store), "--quiet"])
    assert res.exit_code == 0, res.output
    with ScoreStore(store) as st:
        t = st.table()
    assert set(t["checkpoint"]) == {"epoch-0003"} and set(t["seed"]) == {1} and (t["status"] == "ok").all()
    bad = CliRunner().invoke(app, [*args, "--store", str(tmp_path / "s2"), "--ensemble", "hybrid:synflow+flops"])
    assert bad.exit_code == 2 and "cannot be combined with --checkpoint" in bad.stderr
    bad = CliRunner().invoke(app, ["--checkpoint", str(tmp_path / "x.pt"), "--store", str(tmp_path / "s3")])
    assert bad.exit_code == 2 and "no such file" in bad.stderr and not (tmp_path / "s3").exists()
