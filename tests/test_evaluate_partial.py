"""Partial stores are reported as partial: *not scored* is not *failed*, rows are compared on the common set (the
same M and K), too few points are refused with the reason; ground-truth rows without a value are counted; scores
of another dataset are warned about; ``evaluation.csv`` says what its numbers are over."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import naslens
from naslens.benchmarks import GroundTruth, MetricInfo, Source
from naslens.benchmarks.ground_truth import GroundTruthError, numeric_columns
from naslens.cli import app
from naslens.estimators.base import EstimatorInfo
from naslens.evaluation_coverage import MIN_POINTS, EvaluationError, config_datasets, plan_coverage
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.types import UserError


def _gt(space: str, n: int, dataset: str = "cifar10", nan_at: tuple[int, ...] = ()) -> GroundTruth:
    """A synthetic ground truth over the first ``n`` architectures of ``space``: accuracy rising with params."""
    sp = get_space(space)
    archs = list(sp.enumerate()[:n])
    cx = sp.complexity(archs, **sp.net_config("cifar10"))
    acc = 80 + 10 * cx["params"].to_numpy() / cx["params"].max() + np.random.default_rng(0).normal(0, 0.5, n)
    acc[list(nan_at)] = np.nan
    values = pd.DataFrame({"acc": acc}, index=pd.Index([sp.key(a) for a in archs], name="arch"))
    return GroundTruth(space, values, {"acc": MetricInfo(dataset, "test", 1, "one seed")}, Source("<toy>", "", "toy"))


def _store(path: Path, space: str, name: str, scores: dict[str, float], config: dict | None = None) -> None:
    with ScoreStore(path) as st:
        info = EstimatorInfo(name, "zeroshot")
        rows = [(k, v, None, None) for k, v in scores.items()]
        st.put_many(space, rows, info, config or {"estimator": name}, seed=0)


def test_readme_workflow_score_a_sample_then_evaluate_gives_comparable_rows(tmp_path: Path) -> None:
    """`naslens score --subset deiso --sample N --store S`, then `naslens evaluate -s deiso-gtmean -e params,flops,
    PROXIES --store S`: proxies for a sample, params/flops computed for every row — every row has the same M."""
    gt = _gt("nb201", 160)
    gt_file = gt.save(tmp_path / "gt.json")
    archs = tmp_path / "archs.txt"
    archs.write_text("\n".join(gt.keys) + "\n")
    store = tmp_path / "zs"
    score = ["score", "--space", "nb201", "--archs", str(archs), "--subset", "deiso", "--sample", "24", "--seed", "0",
             "--proxies", "nwot,synflow", "--data", "noise", "--net", "C=2,N=1", "--batch-size", "4",
             "--n-batches", "1", "--store", str(store), "--quiet"]  # fmt: skip
    r = CliRunner().invoke(app, score)
    assert r.exit_code == 0, r.output
    out = tmp_path / "ev"
    evaluate = ["evaluate", "-g", str(gt_file), "-s", "deiso-gtmean", "-e", "params,flops,nwot,synflow",
                "--store", str(store), "--k", "0.1,0.5", "--show-k", "0.5", "-o", str(out)]  # fmt: skip
    r = CliRunner().invoke(app, evaluate)
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "evaluation.json").read_text())
    cov, results = doc["coverage"], doc["results"]
    n_rows = doc["n_archs"]
    assert cov["mode"] == "common" and cov["n_rows"] == n_rows > 24
    # every row is judged on the same M architectures, with the same K
    assert {res["n_archs"] for res in results.values()} == {cov["M"]}
    assert doc["k_counts"] == {"0.1": cov["M"] // 10, "0.5": cov["M"] // 2}
    assert all("k_counts" not in res for res in results.values())
    # params/flops lacked nothing; the proxies lack the unsampled rows as *not scored*, not as failures
    assert cov["lacking"]["params"] == {"not_scored": 0, "failed": 0}
    for proxy in ("nwot", "synflow"):
        res = results[proxy]
        assert res["n_not_scored"] == n_rows - 24 == cov["lacking"][proxy]["not_scored"]
        assert res["n_nonfinite"] == res["status_counts"].get("nan", 0) + res["status_counts"].get("inf", 0)
        assert res["status_counts"]["not_scored"] == n_rows - 24
    failed = sum(results[p]["n_nonfinite"] for p in ("nwot", "synflow"))
    assert 24 - failed <= cov["M"] <= 24
    scores = pd.read_csv(out / "scores.csv")
    all_finite = np.isfinite(scores[["params", "flops", "nwot", "synflow"]].to_numpy()).all(axis=1)
    assert int(all_finite.sum()) == cov["M"]
    text = " ".join(r.output.split())
    assert f"M = {cov['M']}" in text and "not scored" in text
    assert f"nwot lacked {n_rows - 24} not scored" in text
    # evaluation.csv alone says what the numbers are over
    csv = pd.read_csv(out / "evaluation.csv")
    assert set(csv["n_archs"]) == {cov["M"]} and set(csv["n_rows"]) == {n_rows}
    assert set(csv["subset"]) == {"deiso-gtmean"} and set(csv["coverage"]) == {"common"}
    assert set(csv["ground_truth"]) == {str(gt_file)} and set(csv["gt_metric"]) == {"acc"}
    assert set(csv["gt_dataset"]) == {"cifar10"} and set(csv["n_not_scored"]) == {0, n_rows - 24}


@pytest.mark.parametrize("space", ["nb201", "nb-macro"])
def test_not_scored_failed_common_each_and_refusal(tmp_path: Path, space: str) -> None:
    gt = _gt(space, 60)
    truth = gt.values["acc"]
    keys = gt.keys
    half = {k: (float("nan") if i < 3 else float(truth[k])) for i, k in enumerate(keys[:30])}
    _store(tmp_path, space, "half", half)
    _store(tmp_path, space, "three", {k: float(truth[k]) for k in keys[40:43]})
    ev = naslens.evaluate(ground_truth=gt, estimators=["half", "params"], store=tmp_path, ks=[0.1, 0.01])
    h = ev.results["half"]
    assert h["status_counts"] == {"nan": 3, "ok": 27, "not_scored": 30}
    assert (h["n_nonfinite"], h["n_not_scored"]) == (3, 30)
    assert ev.coverage["M"] == 27 and {r["n_archs"] for r in ev.results.values()} == {27}
    assert ev.coverage["lacking"] == {"half": {"not_scored": 30, "failed": 3}, "params": {"not_scored": 0, "failed": 0}}
    assert h["kendall_tau"] == pytest.approx(1.0)  # the stored scores are the truth on the rows they hold
    assert ev.k_counts == {"0.1": 2} and "0.01" in ev.skipped_ks  # K of M = 27; 1% of 27 is an empty set: refused
    assert np.isnan(h["precision_at_top"]["0.01"])
    # the issue's case: a proxy with 3 scores beside full rows — the common set is too small, every row refused
    ev3 = naslens.evaluate(ground_truth=gt, estimators=["three", "params"], store=tmp_path, ks=[0.1])
    assert ev3.coverage["M"] == 3 < MIN_POINTS
    for r in ev3.results.values():
        assert np.isnan(r["kendall_tau"]) and "fewer than 10" in r["error"] and "common set has 3" in r["error"]
    # each on its own coverage: params on all 60, 'three' refused, 'half' on its 27 with its own K
    each = naslens.evaluate(
        ground_truth=gt, estimators=["three", "half", "params"], store=tmp_path, ks=[0.1], coverage="each"
    )
    assert each.coverage["mode"] == "each" and each.coverage["M"] is None
    assert each.results["params"]["n_archs"] == 60 and np.isfinite(each.results["params"]["kendall_tau"])
    assert "3 architectures with a finite score, fewer than 10" in each.results["three"]["error"]
    assert each.results["half"]["n_archs"] == 27 and each.results["half"]["k_counts"] == {"0.1": 2}
    assert each.k_counts == {"0.1": 6}
    with pytest.raises(EvaluationError, match="coverage must be one of") as info:
        naslens.evaluate(ground_truth=gt, estimators=["params"], coverage="some")
    assert isinstance(info.value, UserError) and isinstance(info.value, ValueError)
    with pytest.raises(UserError, match="coverage must be one of"):
        plan_coverage("some", {}, 3)


def test_cli_prints_refusals_and_each_coverage(tmp_path: Path) -> None:
    gt = _gt("nb201", 40)
    gt_file = gt.save(tmp_path / "gt.json")
    _store(tmp_path / "st", "nb201", "three", {k: 1.0 + i for i, k in enumerate(gt.keys[:3])})
    base = ["evaluate", "-g", str(gt_file), "-e", "three,params", "--store", str(tmp_path / "st"), "--k", "0.1"]
    r = CliRunner().invoke(app, base)
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "three: refused — the common set has 3 architectures, fewer than 10" in text
    assert "three lacked 37 not scored of 40 rows" in text and "M = 3" in text
    r = CliRunner().invoke(app, [*base, "--coverage", "each"])
    assert r.exit_code == 0, r.output
    assert "coverage each" in r.output and "rows with different n are not comparable" in " ".join(r.output.split())
    r = CliRunner().invoke(app, [*base, "--coverage", "mine"])
    assert r.exit_code == 2 and "coverage must be one of" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(app, ["evaluate", "--help"])
    assert f"fewer than {MIN_POINTS} architectures are refused" in " ".join(r.output.replace("│", " ").split())


def test_ground_truth_without_values_is_counted_and_named(tmp_path: Path) -> None:
    gt = _gt("nb201", 50, nan_at=(4, 7, 9))
    ev = naslens.evaluate(ground_truth=gt, estimators=["params"], ks=[0.1], out=tmp_path / "ev")
    left = ev.ground_truth["left_out"]
    assert left["n"] == 3 and left["examples"] == [gt.keys[i] for i in (4, 7, 9)] and "NaN" in left["reason"]
    assert len(ev.rows) == 47
    doc = json.loads((tmp_path / "ev" / "evaluation.json").read_text())
    assert doc["ground_truth"]["left_out"]["n"] == 3 and doc["ground_truth"]["n_archs_without_value"] == 3
    f = gt.save(tmp_path / "gt.json")
    r = CliRunner().invoke(app, ["evaluate", "-g", str(f), "-e", "params", "--k", "0.1"])
    assert r.exit_code == 0, r.output
    assert "left out: 3 architectures — no value (NaN) for 'acc'" in " ".join(r.output.split())
    assert gt.keys[4] in r.output


def test_non_numeric_ground_truth_is_an_error_naming_row_and_column(tmp_path: Path) -> None:
    gt = _gt("nb201", 20)
    doc = gt.to_dict()
    doc["rows"][5][1] = "93.1%"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(GroundTruthError, match=r"rows\[5\] .*column 'acc': '93.1%' is not a number"):
        naslens.load_ground_truth(bad)
    r = CliRunner().invoke(app, ["evaluate", "-g", str(bad), "-e", "params"])
    assert r.exit_code == 2 and "rows[5]" in r.output and "'acc'" in r.output and "Traceback" not in r.output
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1
    # a published-format CSV: the file line and the column
    from naslens.benchmarks.nb201_loaders import load_nb201_200ep

    sp = get_space("nb201")
    cols = ["CIFAR10TestAccuracy200Epochs", "CIFAR100TestAccuracy200Epochs", "ImageNetTestAccuracy200Epochs"]
    frame = pd.DataFrame({"ArchitectureString": [sp.key(a) for a in sp.enumerate()], **{c: 50.0 for c in cols}})
    frame[cols[1]] = frame[cols[1]].astype(object)
    frame.loc[7, cols[1]] = "abc"
    csv = tmp_path / "acc.csv"
    frame.to_csv(csv, index=False)
    with pytest.raises(GroundTruthError, match=r"row 9, column 'CIFAR100TestAccuracy200Epochs': 'abc' is not"):
        load_nb201_200ep(csv)
    # booleans and infinities are not accuracies either; empty cells are NaN (allowed, counted where used)
    with pytest.raises(GroundTruthError, match=r"row 3, column 'a': inf is not a number"):
        numeric_columns(pd.DataFrame({"a": [1.0, np.inf]}), ["a"], "t.csv")
    with pytest.raises(GroundTruthError, match="True is not a number"):
        numeric_columns(pd.DataFrame({"a": [1.0, True]}, dtype=object), ["a"], "t.csv")
    assert np.isnan(numeric_columns(pd.DataFrame({"a": ["1.5", None]}), ["a"], "t.csv")[1, 0])
    with pytest.raises(GroundTruthError, match="architecture x, column 'acc'"):
        GroundTruth("nb201", pd.DataFrame({"acc": ["high"]}, index=["x"]), gt.metrics, gt.source)


def test_scores_of_another_dataset_are_warned_about(tmp_path: Path) -> None:
    gt = _gt("nb201", 40, dataset="cifar10")
    truth = gt.values["acc"]
    fm = {"estimator": "synflow", "dataset": "fashion-mnist", "data": {"source": "fashion-mnist", "split": "train"}}
    _store(tmp_path / "st", "nb201", "synflow", {k: float(v) for k, v in truth.items()}, fm)
    noise = {"estimator": "nwot", "dataset": "cifar10", "data": {"source": "noise"}}
    _store(tmp_path / "st", "nb201", "nwot", {k: float(v) for k, v in truth.items()}, noise)
    ev = naslens.evaluate(
        ground_truth=gt, estimators=["synflow", "nwot", "params", "random"], store=tmp_path / "st", ks=[0.1],
        out=tmp_path / "ev",
    )  # fmt: skip
    assert len(ev.warnings) == 1
    assert "synflow" in ev.warnings[0] and "'fashion-mnist'" in ev.warnings[0] and "'cifar10'" in ev.warnings[0]
    assert json.loads((tmp_path / "ev" / "evaluation.json").read_text())["warnings"] == ev.warnings
    f = gt.save(tmp_path / "gt.json")
    r = CliRunner().invoke(app, ["evaluate", "-g", str(f), "-e", "synflow,params", "--store", str(tmp_path / "st")])
    assert r.exit_code == 0, r.output
    assert "warning: synflow: configuration records dataset 'fashion-mnist'" in " ".join(r.output.split())
    # the embedded Fashion-MNIST ground truth: params computed live for it match, no warning
    fmnist = naslens.evaluate(ground_truth="nb201-fmnist", estimators=["params", "random"], ks=[0.1])
    assert fmnist.warnings == []
    # generic: a dataset recorded anywhere in a configuration (e.g. a supernet's training data) is found
    assert config_datasets({"estimator": "oneshot_acc", "train": {"dataset": "fashion-mnist", "data": "uniform"}}) == {
        "fashion-mnist"
    }
    # a ``data`` that is not an image data source (zc_features' shared-data folder) is not a dataset
    assert config_datasets({"estimator": "zc_features", "data": "/work/shared/data", "dataset": None}) == set()
    assert config_datasets({"data": "fashion-mnist", "sub": {"data": {"source": "cifar10"}}}) == {
        "fashion-mnist",
        "cifar10",
    }


def test_report_reads_coverage_warnings_and_left_out(tmp_path: Path) -> None:
    from naslens.report.evaluation_data import load_evaluation

    gt = _gt("nb-macro", 40, dataset="cifar10", nan_at=(0,))
    truth = gt.values["acc"].dropna()
    cfg = {"estimator": "p", "data": {"source": "fashion-mnist"}}
    _store(tmp_path / "st", "nb-macro", "p", {k: float(v) for k, v in list(truth.items())[:20]}, cfg)
    naslens.evaluate(ground_truth=gt, estimators=["p", "params"], store=tmp_path / "st", ks=[0.1], out=tmp_path / "ev")
    data = load_evaluation(tmp_path / "ev")
    notes = " | ".join(data.notes)
    assert "warning: p: configuration records dataset 'fashion-mnist'" in notes
    assert "1 architectures left out of the ground truth" in notes
    assert "M = 20 of 39 rows" in notes and "p lacked 19 rows not scored and 0 failed" in notes
    assert "criteria over the M = 20" in data.gt_label()


def test_a_fashion_mnist_supernet_against_cifar10_accuracies_is_warned_about(tmp_path: Path) -> None:
    """The issue's case: one-shot scores (the supernet trains on Fashion-MNIST, stated by EstimatorInfo.dataset,
    outside the configuration hash) judged against a CIFAR-10 ground truth."""
    from naslens.estimators.oneshot.scoring import ScoreConfig, metric_info
    from naslens.estimators.oneshot.train_config import TRAIN_DATASET

    gt = _gt("nb201", 40, dataset="cifar10")
    info = metric_info("acc", ScoreConfig())
    assert info.dataset == TRAIN_DATASET == "fashion-mnist"
    with ScoreStore(tmp_path / "st") as st:
        rows = [(k, float(v), None, None) for k, v in gt.values["acc"].items()]
        st.put_many("nb201", rows, info, {"estimator": "oneshot_acc", "train": {"sampler": "uniform"}}, seed=0)
    ev = naslens.evaluate(ground_truth=gt, estimators=["oneshot_acc"], store=tmp_path / "st", ks=[0.1])
    assert len(ev.warnings) == 1 and "'fashion-mnist'" in ev.warnings[0] and "'cifar10'" in ev.warnings[0]
    fm = _gt("nb201", 40, dataset="fashion-mnist")
    assert naslens.evaluate(ground_truth=fm, estimators=["oneshot_acc"], store=tmp_path / "st", ks=[0.1]).warnings == []
