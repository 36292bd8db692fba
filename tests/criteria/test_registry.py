"""The criteria registry: metadata, choice by name in evaluate, and `naslens criteria` / `naslens estimators`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import naslens
from naslens.benchmarks import GroundTruth, MetricInfo, Source
from naslens.cli import app
from naslens.criteria import DEFAULT_CRITERIA, get_criterion, list_criteria, resolve_criteria
from naslens.spaces import get_space


def test_every_criterion_declares_its_metadata() -> None:
    infos = list_criteria()
    assert set(DEFAULT_CRITERIA) <= set(infos)
    y, s = np.arange(20.0), np.arange(20.0)
    for name, info in infos.items():
        c = get_criterion(name)
        v = c(y, s, 0.1) if info.needs_k else c(y, s)
        assert info.range[0] <= v <= info.range[1]
    with pytest.raises(ValueError, match="unknown criteria"):
        resolve_criteria(["kendal_tau"])
    with pytest.raises(ValueError, match="named twice"):
        resolve_criteria(["spearman", "spearman"])


def test_evaluate_computes_the_chosen_criteria_only() -> None:
    sp = get_space("nb201")
    archs = sp.enumerate()[:40]
    acc = sp.complexity(archs)["params"].to_numpy() + np.random.default_rng(0).normal(0, 0.01, 40)
    values = pd.DataFrame({"acc": acc}, index=pd.Index([sp.key(a) for a in archs], name="arch"))
    gt = GroundTruth("nb201", values, {"acc": MetricInfo("cifar10", "test", 1, "one")}, Source("<t>", "", "t"))
    ev = naslens.evaluate(ground_truth=gt, estimators=["params"], criteria=["spearman", "best_ranking"], ks=[0.1])
    r = ev.results["params"]
    assert "spearman" in r and "best_ranking" in r and "kendall_tau" not in r and "precision_at_top" not in r
    assert list(ev.criteria_table().columns) == [
        "label", "estimator", "seed", "checkpoint", "ensemble", "spearman", "best_ranking@0.1", "n_archs",
        "n_nonfinite",
    ]  # fmt: skip
    default = naslens.evaluate(ground_truth=gt, estimators=["params"], ks=[0.1])
    assert set(DEFAULT_CRITERIA) <= set(default.results["params"])


def test_cli_lists_criteria_and_estimators_literally() -> None:
    res = CliRunner().invoke(app, ["criteria"])
    assert res.exit_code == 0 and "precision_at_top" in res.output and "[-1, 1]" in res.output
    res = CliRunner().invoke(app, ["estimators", "relu", "--json"])
    assert res.exit_code == 0 and '"nb201"' in res.output and "nb-macro" not in res.output
    res = CliRunner().invoke(app, ["estimators", "hybrid"])
    assert res.exit_code == 0 and "members=REQUIRED" in res.output
