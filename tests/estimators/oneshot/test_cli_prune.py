"""``naslens oneshot prune op|hard|soft``: option errors are one line, exit 2, and leave no files; end to end on
Fashion-MNIST (tiny network, a few architectures of ``nb201-fmnist``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from naslens.benchmarks import load_ground_truth
from naslens.cli import app
from naslens.data.fashion_mnist import ImageSplits, fmnist_available
from naslens.estimators.oneshot.train_config import SupernetTrainConfig
from naslens.estimators.oneshot.trainer import train_supernet

G = ["-g", "nb201-fmnist", "-d", "fashion-mnist"]


@pytest.fixture
def full(tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig) -> Path:
    train_supernet(tiny_config.replace(net={"C": 2, "N": 1}, epochs=1), tmp_path / "full", data=splits, progress=False)
    return tmp_path / "full" / "epoch-0001.pt"


CASES = [
    ("op: unknown op", ["op", "--op", "conv_7x7"], "conv_7x7"),
    ("op: missing checkpoint", ["op", "--op", "none", "--full", "{tmp}/no.pt"], "no.pt"),
    ("op: unknown ground truth", ["op", "--op", "none", "-g", "nope-gt"], "nope-gt"),
    ("op: dataset and metric", ["op", "--op", "none", "--metric", "fashion-mnist"], "not both"),
    ("op: bad K", ["op", "--op", "none", "--k", "abc"], "abc"),
    ("op: bad score", ["op", "--op", "none", "--score", "f1"], "f1"),
    ("op: n-batches", ["op", "--op", "none", "--n-batches", "0"], "n_batches"),
    ("op: archs file", ["op", "--op", "none", "--archs", "{tmp}/missing.txt"], "missing.txt"),
    ("hard: fractions text", ["hard", "--fractions", "a,b"], "--fractions"),
    ("hard: fraction range", ["hard", "--fractions", "0,0.5"], "(0, 1]"),
    ("hard: epochs", ["hard", "--epochs", "0"], "epochs"),
    ("soft: objective", ["soft", "--objective", "multi"], "objective"),
    ("soft: mix text", ["soft", "--mix", "a"], "--mix"),
    ("soft: mix sum", ["soft", "--mix", "0.5,0.5,0.5"], "sum to 1"),
    ("soft: population share", ["soft", "--population-share", "2"], "population_share"),
    ("soft: warm-up after the epoch", ["soft", "--warmup", "3"], "warm-up"),
]


def _argv(sub: list[str], full: Path, out: Path) -> list[str]:
    cmd, rest = sub[0], sub[1:]
    ck = ["--checkpoint" if cmd == "hard" else "--full", str(full)]
    if any(a in ("--full", "--checkpoint") for a in rest):
        ck = []
    gt = [] if "-g" in rest else G
    return ["oneshot", "prune", cmd, *ck, "--out", str(out), *gt, *rest]


@pytest.mark.parametrize(("what", "sub", "needle"), CASES, ids=[c[0] for c in CASES])
def test_prune_errors_are_one_line_exit_2(tmp_path: Path, full: Path, what: str, sub: list[str], needle: str) -> None:
    before = set(tmp_path.rglob("*"))
    argv = [a.format(tmp=tmp_path) for a in _argv(sub, full, tmp_path / "out")]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, (what, result.output, result.exception)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "error:" in lines[0] and needle.lower() in lines[0].lower(), (what, result.stderr)
    assert set(tmp_path.rglob("*")) == before, what


@pytest.mark.needs_fmnist
@pytest.mark.skipif(not fmnist_available(), reason="Fashion-MNIST idx files not installed")
def test_prune_end_to_end_on_fashion_mnist(tmp_path: Path) -> None:
    runner = CliRunner()
    tiny = ["--net", "C=2", "--net", "N=1", "--input-size", "8", "--n-train", "128", "--n-val", "64",
            "--batch-size", "32", "--threads", "1", "--device", "cpu"]  # fmt: skip
    r = runner.invoke(app, ["oneshot", "train", "--out", str(tmp_path / "full"), "--epochs", "2", *tiny])
    assert r.exit_code == 0, r.output
    full = str(tmp_path / "full" / "epoch-0002.pt")
    archs = tmp_path / "archs.txt"
    archs.write_text("\n".join(load_ground_truth("nb201-fmnist").keys[:16]) + "\n")
    ev = ["-g", "nb201-fmnist", "-d", "fashion-mnist", "--archs", str(archs), "--n-batches", "2", "--batch-size",
          "32", "--k", "0.25", "--device", "cpu", "--threads", "1"]  # fmt: skip
    out = tmp_path / "prune"
    for sub in (
        ["op", "--full", full, "--op", "avg_pool_3x3"],
        ["hard", "--checkpoint", full, "--fractions", "0.5", "--epochs", "1"],
        ["soft", "--full", full, "--population", "6", "--warmup", "1", "--every", "1", "--candidates", "3",
         "--score-batches", "1", "--score-batch-size", "32"],
    ):  # fmt: skip
        r = runner.invoke(app, ["oneshot", "prune", *sub, "--out", str(out), *ev])
        assert r.exit_code == 0, (sub[0], r.output)
        assert "KD" in r.output and "nb201-fmnist:fashion-mnist" in r.output
    hard = pd.read_csv(out / "hard-comparison.csv")
    assert list(hard.supernet) == ["unpruned", "control", "pruned"] and set(hard.n_archs) == {8}
    assert len(pd.read_csv(out / "soft-single-comparison.csv")) >= 2 and (out / "op-comparison.csv").exists()
