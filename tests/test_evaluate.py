"""naslens.evaluate / `naslens evaluate`: criteria, provenance, subsets, stored estimators, NaN reporting."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from typer.testing import CliRunner

import naslens
from naslens.benchmarks import GroundTruth, MetricInfo, Source
from naslens.cli import app
from naslens.estimators.base import EstimatorInfo
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.types import SpaceCapabilityError

SPACE = get_space("nb201")
REQUIRED = (
    "kendall_tau",
    "spearman",
    "pearson",
    "precision_at_top",
    "precision_at_bottom",
    "best_ranking",
    "worst_ranking",
)


@pytest.mark.needs_shared_data
def test_reference_point_params_on_deiso_cifar10(shared_data: Path, tmp_path: Path) -> None:
    ev = naslens.evaluate(
        ground_truth="nb201-200ep",
        dataset="cifar10",
        estimators=["params", "flops", "random"],
        subset="deiso",
        data_dir=shared_data,
        out=tmp_path,
    )
    # reference-facts: Kendall tau 0.609, Spearman 0.786 on the 6,466 de-isomorphic architectures
    assert round(ev.results["params"]["kendall_tau"], 3) == 0.609
    assert round(ev.results["params"]["spearman"], 3) == 0.786
    assert abs(ev.results["random"]["kendall_tau"]) < 0.03
    doc = json.loads((tmp_path / "evaluation.json").read_text())
    assert doc["subset"] == "deiso" and doc["n_archs"] == 6466
    assert doc["ground_truth"]["dataset"] == "cifar10" and doc["ground_truth"]["source"]["sha256"].startswith(
        "cb5d777e"
    )
    for r in doc["results"].values():
        for key in REQUIRED:
            assert key in r
        assert set(r["precision_at_top"]) == {"0.005", "0.01", "0.05", "0.1", "0.2", "0.5"}
    assert doc["k_counts"]["0.05"] == 323
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert len(scores) == 6466 and {"arch", "ground_truth", "params", "class_size", "random"} <= set(scores.columns)
    # the table's correlation agrees with scipy on the written columns
    tau = scipy.stats.kendalltau(scores["ground_truth"], scores["random"]).statistic
    assert tau == pytest.approx(ev.results["random"]["kendall_tau"], abs=1e-12)
    assert len(pd.read_csv(tmp_path / "evaluation.csv")) == 3


def _toy_gt(n: int = 60) -> GroundTruth:
    archs = SPACE.enumerate()[:n]
    keys = [a.to_string() for a in archs]
    cx = SPACE.complexity(archs)
    rng = np.random.default_rng(0)
    acc = 80 + 10 * cx["params"].to_numpy() / cx["params"].max() + rng.normal(0, 0.5, n)
    values = pd.DataFrame({"acc": acc}, index=pd.Index(keys, name="arch"))
    return GroundTruth("nb201", values, {"acc": MetricInfo("toy", "test", 1, "one seed")}, Source("<toy>", "", "toy"))


def test_stored_estimator_with_nan_is_counted_not_dropped_silently(tmp_path: Path) -> None:
    gt = _toy_gt()
    st = ScoreStore(tmp_path / "store")
    info = EstimatorInfo("fake_proxy", "zeroshot", higher_is_better=False)
    cfg = {"estimator": "fake_proxy"}
    keys = gt.keys
    truth = gt.values["acc"].to_numpy()
    for i, k in enumerate(keys):
        v = float("nan") if i < 5 else -truth[i]  # lower is better: a perfect inverse score
        st.put("nb201", k, info, cfg, seed=0, value=v)
    st.close()
    ev = naslens.evaluate(
        ground_truth=gt, estimators=["fake_proxy", "params"], store=tmp_path / "store", ks=[0.1, 5], coverage="each"
    )
    r = ev.results["fake_proxy"]
    assert r["n_archs"] == 55 and r["n_nonfinite"] == 5 and r["status_counts"] == {"nan": 5, "ok": 55}
    assert r["kendall_tau"] == pytest.approx(1.0)  # sign follows higher_is_better=False
    assert r["precision_at_top"]["0.1"] == pytest.approx(1.0) and r["best_ranking"]["n=5"] == pytest.approx(1 / 55)
    assert r["k_counts"] == {"0.1": 5, "n=5": 5}  # K of the 55 usable architectures, stated per estimator
    assert ev.k_counts == {"0.1": 6, "n=5": 5}
    assert ev.results["params"]["n_nonfinite"] == 0 and ev.results["params"]["n_archs"] == 60
    # by default both are judged on the 55 rows they both have: the same M and K (comparable rows)
    common = naslens.evaluate(ground_truth=gt, estimators=["fake_proxy", "params"], store=tmp_path / "store", ks=[0.1])
    assert {r["n_archs"] for r in common.results.values()} == {55} and common.k_counts == {"0.1": 5}
    assert common.results["fake_proxy"]["n_nonfinite"] == 5 and common.results["params"]["n_nonfinite"] == 0


def test_checkpoints_are_reported_separately(tmp_path: Path) -> None:
    gt = _toy_gt(30)
    st = ScoreStore(tmp_path)
    info = EstimatorInfo("os_acc", "oneshot", needs_training=True)
    rng = np.random.default_rng(1)
    for ck in ("epoch-1", "epoch-2"):
        st.put_many(
            "nb201", [(k, float(rng.random()), None, None) for k in gt.keys], info, {"e": "os"}, seed=0, checkpoint=ck
        )
    ev = naslens.evaluate(ground_truth=gt, estimators=["os_acc"], store=tmp_path, ks=[0.1])
    assert set(ev.results) == {"os_acc@epoch-1", "os_acc@epoch-2"}
    assert ev.results["os_acc@epoch-2"]["checkpoint"] == "epoch-2"
    only = naslens.evaluate(ground_truth=gt, estimators=["os_acc"], store=tmp_path, ks=[0.1], checkpoint="epoch-1")
    assert set(only.results) == {"os_acc@epoch-1"}


def test_constant_estimator_and_small_k_are_reported() -> None:
    gt = _toy_gt(20)
    ev = naslens.evaluate(ground_truth=gt, estimators=["random"], ks=[0.01, 0.5])
    assert "0.01" in ev.skipped_ks and ev.k_counts == {"0.5": 10}
    # conv-free cells: relu (number of ReLU-conv ops) is 0 for all of them -> no ranking, said so
    conv_free = [a for a in SPACE.enumerate() if not set(a.ops) & {"nor_conv_1x1", "nor_conv_3x3"}][:20]
    keys = [a.to_string() for a in conv_free]
    values = pd.DataFrame({"acc": np.arange(20.0)}, index=pd.Index(keys, name="arch"))
    flat = GroundTruth("nb201", values, {"acc": MetricInfo("toy", "test", 1, "one seed")}, Source("<toy>", "", "toy"))
    ev2 = naslens.evaluate(ground_truth=flat, estimators=["relu", "random"], ks=[0.5])
    assert "all equal" in ev2.results["relu"]["error"] and np.isnan(ev2.results["relu"]["kendall_tau"])
    assert np.isfinite(ev2.results["random"]["kendall_tau"])


def test_errors_are_clear(tmp_path: Path) -> None:
    gt = _toy_gt(10)
    with pytest.raises(KeyError, match="unknown estimator"):
        naslens.evaluate(ground_truth=gt, estimators=["nope"])
    with pytest.raises(ValueError, match="subset must be one of"):
        naslens.evaluate(ground_truth=gt, estimators=["params"], subset="some")
    with pytest.raises(ValueError, match=r"unknown search space .nb101."):
        naslens.evaluate(space="nb101", ground_truth=gt)


@pytest.mark.needs_shared_data
def test_cli_evaluate_prints_a_labelled_table(shared_data: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        [
            "evaluate",
            "-g",
            "nb201-200ep",
            "-d",
            "imagenet16-120",
            "-e",
            "params,relu",
            "-s",
            "deiso-mean",
            "--data-dir",
            str(shared_data),
            "-o",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "imagenet16-120" in res.output and "deiso-mean" in res.output and "sha256" in res.output
    assert "params" in res.output and "KD τ" in res.output
    doc = json.loads((tmp_path / "evaluation.json").read_text())
    assert doc["ground_truth"]["split"] == "x-test" and doc["subset"] == "deiso-mean"


def test_cli_reports_bad_input_with_exit_code_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["evaluate", "-g", str(tmp_path / "missing.csv")])
    assert res.exit_code == 2 and "error" in res.output
    res = CliRunner().invoke(app, ["--help"])
    assert res.exit_code == 0 and "evaluate" in res.output


def test_embedded_ground_truth_uses_its_default_metric_and_trained_network() -> None:
    ev = naslens.evaluate(ground_truth="nb201-fmnist", estimators=["params"], ks=[0.1])
    assert ev.ground_truth["dataset"] == "fashion-mnist" and ev.ground_truth["metric"] == "fashion-mnist"
    cfg = ev.results["params"]["estimator"]["config"]
    gt = naslens.load_ground_truth("nb201-fmnist")
    recipe = gt.extra["recipe"]
    assert cfg["net"] == {
        "C": recipe["C"],
        "N": recipe["N"],
        "in_channels": recipe["channels"],
        "input_size": recipe["input_size"],
        "num_classes": 10,
    }
    # the scores are the params of the network that was trained, not of the CIFAR-10 benchmark network
    archs = [SPACE.parse(k) for k in ev.rows]
    expected = SPACE.complexity(archs, **cfg["net"])["params"].to_numpy()
    assert np.array_equal(ev.scores["params"], expected)


def test_zero_shot_on_a_ground_truth_with_another_network_scores_that_network() -> None:
    gt = naslens.load_ground_truth("nb201-fmnist")
    small = gt.subset(gt.keys[:12])
    ev = naslens.evaluate(ground_truth=small, estimators=["synflow"], ks=[0.5])
    cfg = ev.results["synflow"]["estimator"]["config"]
    recipe = gt.extra["recipe"]
    assert cfg["net"] == {"C": recipe["C"], "N": recipe["N"], "in_channels": recipe["channels"], "num_classes": 10}
    assert cfg["data"]["source"] == "fashion-mnist" and cfg["data"]["shape"] == [1, 16, 16]
    assert ev.results["synflow"]["n_archs"] == 12


def test_stored_proxy_found_under_its_alias(tmp_path: Path) -> None:
    gt = _toy_gt(20)
    st = ScoreStore(tmp_path)
    info = EstimatorInfo("nwot", "zeroshot")
    truth = gt.values["acc"].to_numpy()
    st.put_many(
        "nb201",
        [(k, float(v), None, None) for k, v in zip(gt.keys, truth, strict=True)],
        info,
        {"estimator": "nwot"},
        seed=0,
    )
    st.close()
    ev = naslens.evaluate(ground_truth=gt, estimators=["relu_logdet"], store=tmp_path, ks=[0.1])
    assert list(ev.results) == ["nwot"] and ev.results["nwot"]["kendall_tau"] == pytest.approx(1.0)


def test_deiso_gtmean_scores_representatives_against_class_means(tmp_path: Path) -> None:
    gt = _toy_gt(60)
    ev = naslens.evaluate(ground_truth=gt, estimators=["params"], subset="deiso-gtmean", ks=[0.2])
    by_class: dict[str, list[float]] = {}
    for k, v in gt.values["acc"].items():
        by_class.setdefault(SPACE.canonical(SPACE.parse(k)), []).append(float(v))
    assert len(ev.rows) == len(by_class) < 60
    for row, t in zip(ev.rows, ev.truth, strict=True):
        assert t == pytest.approx(np.mean(by_class[SPACE.canonical(SPACE.parse(row))]))
    deiso = naslens.evaluate(ground_truth=gt, estimators=["params"], subset="deiso", ks=[0.2])
    assert deiso.rows == ev.rows
    np.testing.assert_array_equal(deiso.scores["params"], ev.scores["params"])


def _macro_gt(n: int = 243) -> GroundTruth:
    """A synthetic nb-macro ground truth: the first n architectures (the last positions vary, so many are
    neighbours), accuracy rising with params plus noise."""
    sp = get_space("nb-macro")
    archs = list(sp.enumerate()[:n])
    cx = sp.complexity(archs, **sp.net_config("cifar10"))
    rng = np.random.default_rng(3)
    acc = 90 + 2 * cx["params"].to_numpy() / cx["params"].max() + rng.normal(0, 0.3, n)
    values = pd.DataFrame({"cifar10": acc}, index=pd.Index([sp.key(a) for a in archs], name="arch"))
    return GroundTruth(
        "nb-macro", values, {"cifar10": MetricInfo("cifar10", "test", 200, "mean of 3")}, Source("<synthetic>", "", "t")
    )


def test_everything_works_on_nb_macro(tmp_path: Path) -> None:
    from naslens.report import build_report

    gt = _macro_gt()
    sp = get_space("nb-macro")
    for subset in ("all", "deiso", "deiso-mean", "deiso-gtmean"):
        ev = naslens.evaluate(ground_truth=gt, estimators=["params", "flops", "random"], subset=subset, ks=[0.1])
        assert ev.space == "nb-macro" and ev.ground_truth["space"] == "nb-macro"
        assert ev.results["params"]["kendall_tau"] > 0.5 and abs(ev.results["random"]["kendall_tau"]) < 0.3
        assert ev.results["params"]["estimator"]["config"] == {"estimator": "params", "dataset": "cifar10"}
        if subset != "all":
            assert len(ev.rows) < len(gt) and len({sp.canonical(sp.parse(r)) for r in ev.rows}) == len(ev.rows)
    table = ev.scores_table()
    assert table["index"].tolist() == sorted(sp.index(sp.parse(k)) for k in ev.rows)
    with pytest.raises(SpaceCapabilityError, match="cost column 'relu'"):
        naslens.evaluate(ground_truth=gt, estimators=["relu"], ks=[0.1])
    naslens.evaluate(ground_truth=gt, estimators=["params", "flops", "random"], ks=[0.1], out=tmp_path / "ev")
    page = build_report(tmp_path / "ev", tmp_path / "report", n_budgets=3)
    manifest = json.loads((page.parent / "report.json").read_text())
    assert manifest["errors"] == {}, manifest["errors"]
    tables = page.parent / "tables"
    mut = pd.read_csv(tables / "mutation_ratios_pooled.csv")
    assert set(mut["op_from"]) <= {"id", "ir_3x3_t3", "ir_5x5_t6"} and mut["n_pairs"].sum() > 0
    assert {"mbr_flops.csv", "mbr_params.csv", "mbr_depth.csv", "complexity_bias_flops.csv"} <= {
        p.name for p in tables.iterdir()
    }
    runs = pd.read_csv(tmp_path / "ev" / "runs.csv")
    assert runs["estimator"].tolist() == ["params", "flops", "random"]


def test_mutation_pairs_on_nb_macro_are_its_neighbours() -> None:
    from naslens.analysis import mutation_pairs

    sp = get_space("nb-macro")
    archs = sp.enumerate()
    codes = np.stack([sp.encode(a, "codes") for a in archs])
    pairs = mutation_pairs(codes, sp.info.cardinalities)
    assert len(pairs) == len(archs) * sum(n - 1 for n in sp.info.cardinalities)
    for i in (0, 100, 6560):
        assert {archs[j] for j in pairs.dst[pairs.src == i]} == set(sp.neighbors(archs[i]))


def test_deiso_is_refused_without_isomorphism_and_all_works_unenumerable() -> None:
    from dataclasses import replace

    from naslens.subsets import plan_subset

    class NoIso:
        def __init__(self, enumerable: bool) -> None:
            base = get_space("nb-macro")
            self._base = base
            self.name = "no-iso"
            self.info = replace(
                base.info, has_isomorphism=False, enumerable=enumerable, size=base.info.size if enumerable else None
            )

        def parse(self, k: str) -> object:
            return self._base.parse(k)

        def index(self, a: object) -> int:
            return self._base.index(a)

        def canonical(self, a: object) -> object:
            raise AssertionError("canonical asked of a space without isomorphism")

        def enumerate(self) -> object:
            raise AssertionError("enumerate asked for an 'all' plan")

    keys = [get_space("nb-macro").key(a) for a in get_space("nb-macro").enumerate()[:20]][::-1]
    with pytest.raises(SpaceCapabilityError, match="declares none"):
        plan_subset(NoIso(True), keys, "deiso")
    plan = plan_subset(NoIso(True), keys, "all")
    assert plan.rows == keys[::-1] and plan.class_sizes.tolist() == [1] * 20
    unenum = plan_subset(NoIso(False), keys, "all")
    assert unenum.rows == keys  # input order when the space has no index order


def test_cli_prints_the_noise_ceiling_of_a_ground_truth_with_several_runs() -> None:
    from typer.testing import CliRunner

    from naslens.cli import app

    r = CliRunner().invoke(app, ["evaluate", "-g", "nb201-fmnist", "-e", "params,random", "--k", "0.05"])
    assert r.exit_code == 0, r.output
    assert "noise ceiling: seed-to-seed Kendall τ of the ground truth's runs = 0.597" in " ".join(r.output.split())
