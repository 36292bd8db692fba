"""``naslens predictor``: list, fit-eval (resume, the one-shot oracle), multistage, and the error contract (one
line on stderr, exit 2, no file left behind)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import tests.toy_predictors  # noqa: F401  (registers toy_tree / toy_linear)
from tests.toy_predictors import synthetic_ground_truth
from typer.testing import CliRunner

from naslens.cli import app
from naslens.predictor_data import load_truth
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.types import EstimatorInfo

GT = ["-g", "nb201-fmnist", "--metric", "fashion-mnist"]
SMALL = ["--train-size", "10", "--train-sets", "1", "--seeds", "0,1", "--quiet"]
STAGES = ["--stages", "2", "--per-stage", "10", "--quiet"]


def _run(args):
    return CliRunner().invoke(app, ["predictor", *args])


def _fit_eval(out, *extra, predictor="toy_tree"):
    """``fit-eval`` on the small grid over the embedded NB201 ground truth, writing to ``out``."""
    return _run(["fit-eval", *GT, "--predictor", predictor, *SMALL, "--out", str(out), *extra])


def _multistage(out, *extra, predictor="toy_tree"):
    """``multistage`` with 2 stages of 10 architectures over the embedded NB201 ground truth, writing to ``out``."""
    return _run(["multistage", *GT, "--predictor", predictor, *STAGES, "--out", str(out), *extra])


def _assert_one_line_error(res, message):
    """The error contract: exit 2, one line on stderr naming the command and holding ``message``, no traceback."""
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("naslens predictor: error:"), res.stderr
    assert message in lines[0] and "Traceback" not in res.output


def test_list_shows_every_registered_predictor():
    res = _run(["list"])
    assert res.exit_code == 0, res.output
    for name in ("mlp", "toy_tree", "toy_linear"):
        assert name in res.output
    assert "neural" in res.output and "epochs=200" in res.output


def test_fit_eval_prints_what_the_numbers_are_and_resumes(tmp_path):
    out = tmp_path / "fe"
    args = [
        "fit-eval",
        *GT,
        "--predictor",
        "mlp,toy_tree",
        "--loss",
        "ranking,regression",
        "--eval-on",
        "all,heldout",
        "--set",
        "epochs=3,hidden=8",
        "--set",
        "max_depth=2",
        *SMALL,
        "--out",
        str(out),
    ]
    res = _run(args)
    assert res.exit_code == 0, res.output
    for text in (
        "ground truth",
        "nb201-fmnist",
        "fashion-mnist",
        "sha256 bcd821b9eb17",
        "M = 600",
        "target",
        "the ground truth",
        "epochs=3",
        "hidden=8",
        "max_depth=2",
        "default_rng((s, n))",
        "6 runs",
        "mean ± std",
        "computed 6 run(s)",
    ):
        assert text in res.output, text
    results = pd.read_csv(out / "results.csv")
    assert len(results) == 12 and set(results.loss) == {"ranking", "regression", "none"}
    assert {"summary.csv", "runs.jsonl", "provenance.json", "scores"} <= {p.name for p in out.iterdir()}
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["ground_truth"]["source"]["sha256"].startswith("bcd821b9eb17")
    assert prov["ground_truth"]["epochs"] == 3 and prov["ground_truth"]["split"] == "test"
    again = _run(args)
    assert again.exit_code == 0 and "6 runs, 6 already in" in again.output and "computed 0 run(s)" in again.output
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv"), results)


def test_kill_mid_line_then_resume(tmp_path):
    out = tmp_path / "fe"
    assert _fit_eval(out, "--train-sets", "2").exit_code == 0
    full = pd.read_csv(out / "results.csv")
    lines = (out / "runs.jsonl").read_text().splitlines(keepends=True)
    (out / "runs.jsonl").write_text(lines[0] + lines[1][:25])
    res = _fit_eval(out, "--train-sets", "2")
    assert res.exit_code == 0 and "1 already in" in res.output and "computed 3 run(s)" in res.output
    cols = [c for c in full.columns if "seconds" not in c]
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv")[cols], full[cols])


def test_oneshot_oracle_from_a_store(tmp_path):
    truth = load_truth("nb201-fmnist", metric="fashion-mnist")
    sp = get_space("nb201")
    info = EstimatorInfo("oneshot_acc", "oneshot")
    w = np.random.default_rng(0).normal(size=30)
    rows = [(k, float(np.asarray(sp.encode(sp.parse(k), "onehot")).reshape(-1) @ w), None, None) for k in truth.keys]
    with ScoreStore(tmp_path / "st") as st:
        for ck in ("epoch-0010", "epoch-0020"):
            st.put_many("nb201", rows, info, {"estimator": "oneshot_acc"}, seed=0, checkpoint=ck)
    out = tmp_path / "oracle"
    base = [
        "fit-eval",
        *GT,
        "--predictor",
        "toy_linear",
        "--train-size",
        "60",
        "--train-sets",
        "1",
        "--seeds",
        "0",
        "--quiet",
        "--out",
        str(out),
    ]
    amb = _run([*base, "--target", f"store:{tmp_path / 'st'}:oneshot_acc"])
    assert amb.exit_code == 2 and "2 matching" in amb.stderr and not out.exists()
    res = _run([*base, "--target", f"store:{tmp_path / 'st'}:oneshot_acc:checkpoint=epoch-0020"])
    assert res.exit_code == 0, res.output
    assert "stored estimator oneshot_acc" in res.output and "epoch-0020" in res.output and "KD τ vs" in res.output
    row = pd.read_csv(out / "results.csv").iloc[0]
    assert row.kendall_tau_target > 0.99 and row.n_eval_target == 600


def test_fit_eval_on_nb_macro_from_a_ground_truth_file(tmp_path):
    gt = synthetic_ground_truth(get_space("nb-macro"), 120)
    path = gt.save(tmp_path / "gt.json")
    res = _run(
        [
            "fit-eval",
            "-g",
            str(path),
            "--space",
            "nb-macro",
            "--predictor",
            "toy_linear",
            "--train-size",
            "60",
            "--train-sets",
            "1",
            "--seeds",
            "0",
            "--eval-on",
            "heldout",
            "--quiet",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert res.exit_code == 0, res.output
    row = pd.read_csv(tmp_path / "o" / "results.csv").iloc[0]
    assert row.eval_on == "heldout" and row.n_eval == 60 and row.kendall_tau > 0.99


def test_multistage_command(tmp_path):
    out = tmp_path / "ms"
    res = _multistage(out, "--set", "epochs=3", "--seeds", "0,1", predictor="toy_tree,mlp")
    assert res.exit_code == 0, res.output
    assert "2 stages × N = 10" in res.output and "best_found" in res.output
    table = pd.read_csv(out / "multistage.csv")
    assert len(table) == 8 and set(table.predictor) == {"toy_tree", "mlp"} and set(table.loss) == {"none", "ranking"}


BAD_FIT = [
    (["--predictor", "nope"], "unknown predictor(s) nope"),
    (["--train-size", "601"], "between 2 and the 600"),
    (["--train-size", "ten"], "comma-separated integers"),
    (["--predictor", "mlp", "--loss", "hinge"], "unknown loss(es) hinge"),
    (["--space", "nb-macro"], "space 'nb201', not 'nb-macro'"),
    (["--space", "nope"], "nope"),
    (["--set", "bogus=1"], "no chosen predictor"),
    (["--set", "random_state=1"], "set by the run itself"),
    (["--set", "epochs"], "KEY=VALUE"),
    (["--predictor", "mlp", "--set", "epochs=-1"], "epochs must be a positive integer"),
    (["--eval-on", "train"], "--eval-on"),
    (["--train-sets", "0"], "--train-sets"),
    (["--target", "oneshot"], "store:PATH:ESTIMATOR"),
    (["--target", "store:/nonexistent/st:oneshot_acc"], "no score store"),
    (["--target", "store:/x:e:seed=a"], "seed must be an integer"),
    (["-g", "nope-gt"], "neither a known ground truth"),
    (["--metric", "cifar10"], "unknown metric"),
]


@pytest.mark.parametrize(("extra", "message"), BAD_FIT)
def test_fit_eval_bad_options_are_one_line_errors_and_leave_nothing(tmp_path, extra, message):
    out = tmp_path / "fe"
    _assert_one_line_error(_fit_eval(out, *extra), message)
    assert not out.exists()


BAD_MS = [
    (["--stages", "0"], "--stages"),
    (["--per-stage", "400"], "architectures to reveal"),
    (["--predictor", "nope"], "unknown predictor"),
    (["--k", "0"], "--k"),
    (["--set", "bogus=2"], "no chosen predictor"),
]


@pytest.mark.parametrize(("extra", "message"), BAD_MS)
def test_multistage_bad_options(tmp_path, extra, message):
    out = tmp_path / "ms"
    _assert_one_line_error(_multistage(out, *extra), message)
    assert not out.exists()


def test_a_folder_of_other_settings_is_refused(tmp_path):
    out = tmp_path / "fe"
    assert _fit_eval(out).exit_code == 0
    _assert_one_line_error(_fit_eval(out, "--set", "max_depth=1"), "other settings (overrides differ)")


def test_fit_eval_on_a_sub_pool_given_by_archs(tmp_path):
    """--archs restricts the training pool and the evaluation, is recorded, and a folder of another pool is refused."""
    truth = load_truth("nb201-fmnist", metric="fashion-mnist")
    keys = truth.keys[::7][:40]
    f = tmp_path / "pool.txt"
    f.write_text("\n".join(keys) + "\n")
    out = tmp_path / "fe"
    res = _fit_eval(out, "--archs", str(f))
    assert res.exit_code == 0, res.output
    assert "restricted to --archs" in res.output and "40 of its 40" in res.output
    results = pd.read_csv(out / "results.csv")
    assert set(results["n_eval"]) == {40}
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["ground_truth"]["restricted_to"]["n_with_value"] == 40
    assert set(ScoreStore(out / "scores").table()["arch"]) == set(keys)  # predictions only on the sub-pool
    f2 = tmp_path / "pool2.txt"
    f2.write_text("\n".join(truth.keys[1::7][:40]) + "\n")
    _assert_one_line_error(_fit_eval(out, "--archs", str(f2)), "other settings (restricted_to differ)")
    few = tmp_path / "few.txt"
    few.write_text(truth.keys[0] + "\n")
    _assert_one_line_error(_fit_eval(tmp_path / "fe2", "--archs", str(few)), "need at least 2")
