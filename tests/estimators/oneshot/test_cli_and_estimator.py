"""End to end on Fashion-MNIST: ``naslens oneshot train`` → checkpoints → ``score`` into a store; the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import naslens.estimators.oneshot  # noqa: F401  (registers oneshot_acc / oneshot_loss)
from naslens.cli_oneshot import app
from naslens.data.fashion_mnist import fmnist_available
from naslens.estimators.base import create_estimator
from naslens.spaces.nb201 import NB201Arch, NB201Space, has_effective_conv
from naslens.store import ScoreStore

pytestmark = pytest.mark.needs_fmnist
needs_files = pytest.mark.skipif(not fmnist_available(), reason="Fashion-MNIST idx files not installed")

TINY = [
    "--net",
    "C=4",
    "--net",
    "N=1",
    "--input-size",
    "8",
    "--n-train",
    "256",
    "--n-val",
    "512",
    "--batch-size",
    "64",
    "--threads",
    "1",
]


@needs_files
def test_train_score_combine_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    run, store = tmp_path / "run", tmp_path / "store"
    train = ["train", "--out", str(run), "--epochs", "2", "--sampler", "fairnas", "--require-conv", *TINY]
    r = runner.invoke(app, train)
    assert r.exit_code == 0, r.output
    assert (run / "epoch-0001.pt").exists() and (run / "epoch-0002.pt").exists()
    assert json.loads((run / "config.json").read_text())["config"]["require_conv"] is True
    r = runner.invoke(
        app,
        [
            "score",
            "--checkpoints",
            str(run),
            "--store",
            str(store),
            "--sample",
            "8",
            "--n-batches",
            "2",
            "--batch-size",
            "64",
            "--threads",
            "1",
        ],
    )
    assert r.exit_code == 0, r.output
    with ScoreStore(store) as st:
        t = st.table()
    assert set(t.checkpoint) == {"epoch-0001", "epoch-0002"} and set(t.estimator) == {"oneshot_acc", "oneshot_loss"}
    assert len(t) == 8 * 2 * 2 and (t.status == "ok").all()
    r = runner.invoke(app, ["combine", "--store", str(store), "--kind", "savg", "--k", "2"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["train", "--out", str(run), "--epochs", "2", *TINY])
    assert r.exit_code == 2 and "already holds" in " ".join(r.output.split())
    r = runner.invoke(app, ["train", "--out", str(tmp_path / "x"), "--sampler", "nope", *TINY])
    assert r.exit_code == 2 and "sampler" in " ".join(r.output.split())

    r = runner.invoke(
        app,
        [
            "gradcos",
            "--checkpoint",
            str(run / "epoch-0002.pt"),
            "--out",
            str(tmp_path / "g.csv"),
            "--pairs",
            "2",
            "--batch-size",
            "32",
            "--device",
            "cpu",
        ],
    )
    assert r.exit_code == 0, r.output
    lines = (tmp_path / "g.csv").read_text().splitlines()
    assert lines[0] == "pair,arch_a,arch_b,parameter,cosine" and len(lines) > 3
    # pairs come from the space the supernet was trained on (here: --require-conv)
    drawn = {a for line in lines[1:] for a in line.split(",")[1:3]}
    assert drawn and all(has_effective_conv(NB201Arch.from_string(a)) for a in drawn)
    bad = ["gradcos", "--checkpoint", str(run / "epoch-0002.pt"), "--out", str(tmp_path / "h.csv"), "--device", "cpu"]
    r = runner.invoke(app, [*bad, "--batch-size", "100000"])
    assert r.exit_code == 2 and "validation split has" in " ".join(r.output.split())
    r = runner.invoke(app, ["combine", "--store", str(store), "--kind", "savg", "--seed", "9"])
    assert r.exit_code == 2 and "no scores of seed 9" in " ".join(r.output.split())

    est = create_estimator("oneshot_loss", checkpoint=run / "epoch-0002.pt", n_batches=2, batch_size=64, device="cpu")
    archs = [NB201Arch.from_index(i) for i in (0, 9930)]
    scores = est.score(NB201Space(), archs)
    assert scores.finite.all() and scores.info.higher_is_better is False
    with pytest.raises(ValueError, match="checkpoint="):
        create_estimator("oneshot_acc")
