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
    # a file given as --subset (the form earlier versions took) is read as --archs: stored, so nothing is rescored
    listed = tmp_path / "archs.txt"
    listed.write_text("\n".join(sorted(set(t.arch))[:2]) + "\n")
    again = ["score", "--checkpoints", str(run), "--store", str(store), "--n-batches", "2", "--batch-size", "64"]
    r = runner.invoke(app, [*again, "--subset", str(listed)])
    assert r.exit_code == 0 and "2 nb201 architectures" in " ".join(r.output.split()), r.output
    with ScoreStore(store) as st:
        assert len(st.table()) == len(t)
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
    with pytest.raises(ValueError, match=r"needs option\(s\) \['checkpoint'\]"):
        create_estimator("oneshot_acc")
    with pytest.raises(ValueError, match="n_batch"):  # a mistyped option is an error, not ignored
        create_estimator("oneshot_acc", checkpoint=run / "epoch-0002.pt", n_batch=2)


@needs_files
def test_nb_macro_cli_train_score_combine_gradcos(tmp_path: Path) -> None:
    runner = CliRunner()
    run, store = tmp_path / "run", tmp_path / "store"
    net = ["--space", "nb-macro", "--net", "init_channels=4", "--net", "head_channels=16"]
    tiny = [*net, "--input-size", "8", "--n-train", "256", "--n-val", "512", "--batch-size", "64", "--threads", "1"]
    r = runner.invoke(app, ["train", "--out", str(run), "--epochs", "1", "--sampler", "fairnas", *tiny])
    assert r.exit_code == 0, r.output
    assert "nb-macro supernet" in r.output
    cfg = json.loads((run / "config.json").read_text())["config"]
    assert cfg["space"] == "nb-macro" and cfg["init_channels"] == 4 and cfg["ops"] == ["id", "ir_3x3_t3", "ir_5x5_t6"]
    score = [
        "score",
        "--checkpoints",
        str(run),
        "--store",
        str(store),
        "--n-batches",
        "1",
        "--batch-size",
        "64",
        "--threads",
        "1",
    ]
    r = runner.invoke(app, [*score, "--archs", "02012100;11111221;10201000"])  # the space comes from the checkpoint
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*score, "--sample", "4", "--seed", "1"])  # 4 of the 3,969 class representatives
    assert r.exit_code == 0, r.output
    with ScoreStore(store) as st:
        t = st.table()
    assert set(t.space) == {"nb-macro"} and len(set(t.arch)) == 7 and (t.status == "ok").all()
    r = runner.invoke(app, ["combine", "--store", str(store), "--kind", "classmean"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*score, "--space", "nb201"])
    assert r.exit_code == 2 and "supernet of space 'nb-macro', not 'nb201'" in " ".join(r.output.split())
    r = runner.invoke(app, [*score, "--archs", "0201210"])
    assert r.exit_code == 2 and "not a NAS-Bench-Macro key" in " ".join(r.output.split())
    r = runner.invoke(app, ["train", "--out", str(tmp_path / "x"), *tiny, "--net", "C=8"])
    assert r.exit_code == 2 and "no network setting(s) ['C']" in " ".join(r.output.split())
    r = runner.invoke(app, ["train", "--out", str(tmp_path / "y"), "--ground-truth", "nb201-fmnist", *net])
    assert r.exit_code == 2 and "trains nb201 networks, not nb-macro" in " ".join(r.output.split())
    ck = run / "epoch-0001.pt"
    r = runner.invoke(app, ["gradcos", "--checkpoint", str(ck), "--out", str(tmp_path / "g.csv"), "--pairs", "2"])
    assert r.exit_code == 0, r.output
    assert all(len(line.split(",")[1]) == 8 for line in (tmp_path / "g.csv").read_text().splitlines()[1:])
    est = create_estimator("oneshot_acc", checkpoint=ck, n_batches=1, batch_size=64, device="cpu")
    from naslens.spaces import get_space

    assert est.score(get_space("nb-macro"), [get_space("nb-macro").parse("02012100")]).finite.all()
    with pytest.raises(ValueError, match="supernet of space 'nb-macro', not 'nb201'"):
        est.score(NB201Space(), [NB201Arch.from_index(0)])
