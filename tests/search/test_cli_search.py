"""``naslens search``: list, run end to end on NB201 with the cheap ``params`` estimator and ``nb201-200ep`` (files,
labelled output, resume from the store, show), and the error contract (one line, exit 2, no files)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from naslens.cli import app

runner = CliRunner()


def test_list():
    res = runner.invoke(app, ["search", "list"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for name in ("random-search", "naswot-sampling", "evolution", "zc-evo", "predictor-guided"):
        assert name in res.output


@pytest.mark.needs_shared_data
def test_run_end_to_end_and_resume(tmp_path, shared_data):
    store, out = tmp_path / "store", tmp_path / "out"
    args = [
        "search",
        "run",
        "evolution",
        "--space",
        "nb201",
        "-e",
        "params",
        "--seeds",
        "0,1",
        "--budget",
        "20",
        "-o",
        "population=5",
        "-g",
        "nb201-200ep",
        "-d",
        "cifar10",
        "--store",
        str(store),
        "--out",
        str(out),
        "--data-dir",
        str(shared_data),
        "--quiet",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "ground truth: nb201-200ep" in res.output and "params value" in res.output
    table = pd.read_csv(out / "results.csv")
    assert list(table.columns[:6]) == ["seed", "run", "arch", "cifar10", "cifar100", "imagenet16-120"]
    assert list(table["seed"]) == [0, 1] and (table["evaluations"] == 20).all()
    traj = pd.read_csv(out / "trajectories.csv")
    assert len(traj) == 40 and traj.groupby("seed")["best_value"].is_monotonic_increasing.all()
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["ground_truth"]["sha256"]) == 64 and summary["estimator"]["config_hash"] == "469ad2b18902"
    assert summary["mean_std"]["cifar10"]["n"] == 2 and (out / "best_so_far.png").stat().st_size > 1000
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and pd.read_csv(out / "results.csv").equals(table)
    shown = runner.invoke(app, ["search", "show", "--store", str(store)], env={"COLUMNS": "250"})
    assert shown.exit_code == 0 and shown.output.count("evolution") >= 2
    ev = runner.invoke(
        app,
        [
            "evaluate",
            "-g",
            "nb201-200ep",
            "-d",
            "cifar10",
            "-e",
            "params",
            "--store",
            str(store),
            "--data-dir",
            str(shared_data),
            "--coverage",
            "each",
        ],
    )
    assert ev.exit_code == 0 and "params" in ev.output, ev.output


@pytest.mark.needs_shared_data
def test_naswot_runs_and_constraint(tmp_path, shared_data):
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "search",
            "run",
            "naswot-sampling",
            "-e",
            "params",
            "--budget",
            "10",
            "-o",
            "runs=4",
            "--constraint",
            "flops<=100",
            "-g",
            "nb201-200ep",
            "-d",
            "cifar10",
            "--data-dir",
            str(shared_data),
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "results.csv")
    assert list(table["run"]) == [0, 1, 2, 3] and table["cifar10"].notna().all()


ERRORS = [
    (["search", "run", "evolutoin", "-e", "params"], "evolutoin"),
    (["search", "run", "evolution", "-e", "parms"], "parms"),
    (["search", "run", "evolution", "-e", "params", "-o", "popualtion=3"], "popualtion"),
    (["search", "run", "evolution", "-e", "params", "--seeds", "a,b"], "--seeds"),
    (["search", "run", "random-search", "-e", "params", "--constraint", "flops=3"], "flops=3"),
    (["search", "run", "random-search", "-e", "params", "--constraint", "watts<=3"], "watts"),
    (["search", "run", "random-search", "-e", "params", "--space", "nb999"], "nb999"),
    (["search", "run", "random-search", "-e", "params", "--budget", "0"], "budget"),
    (["search", "run", "zc-evo", "-e", "params"], "zero-shot"),
    (["search", "show", "--store", "{tmp}/none"], "no score store"),
]


@pytest.mark.parametrize(("args", "needle"), ERRORS)
def test_errors_are_one_line_exit_2(tmp_path, args, needle):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = set(tmp_path.rglob("*"))
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "out")] if args[1] == "run" else args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "error:" in lines[0] and needle in lines[0], res.output
    assert set(tmp_path.rglob("*")) == before
