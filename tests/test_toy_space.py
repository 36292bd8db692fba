"""A space defined outside naslens (tests/toy_space.py, registered by conftest) works through every layer with no
change to naslens: the contract, structural and zero-shot scoring, evaluation on every subset, the report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.toy_space import toy_ground_truth

from naslens.evaluation import evaluate
from naslens.spaces import check_space, get_space


def test_toy_space_passes_the_contract() -> None:
    check_space("toy-chain")


@pytest.mark.parametrize("subset", ["all", "deiso", "deiso-mean", "deiso-gtmean"])
def test_evaluate_on_the_toy_space(subset: str) -> None:
    ev = evaluate(ground_truth=toy_ground_truth(), estimators=["params", "flops", "random"], subset=subset, ks=[0.2])
    assert ev.space == "toy-chain"
    assert len(ev.rows) == (27 if subset == "all" else 15)
    assert ev.results["params"]["kendall_tau"] > 0.5  # the synthetic ground truth grows with params
    assert np.isfinite(ev.results["random"]["kendall_tau"])


def test_evaluate_refuses_a_cost_column_the_toy_space_lacks() -> None:
    with pytest.raises(Exception, match="relu"):
        evaluate(ground_truth=toy_ground_truth(), estimators=["relu"])


def test_report_on_the_toy_space(tmp_path: Path) -> None:
    from naslens.report import build_report

    evaluate(ground_truth=toy_ground_truth(), estimators=["params", "flops", "random"], subset="deiso",
             ks=[0.2], out=tmp_path / "ev")  # fmt: skip
    html = build_report(tmp_path / "ev", tmp_path / "report")
    manifest = json.loads((tmp_path / "report" / "report.json").read_text())
    assert html.exists() and "toy-chain" in html.read_text()
    assert manifest["errors"] == {}
    assert {"criteria", "complexity-bias", "mutations", "isomorphism", "budgets"} <= {
        s["id"] if isinstance(s, dict) else s for s in manifest["sections"]
    }


def test_toy_space_isomorphs_share_a_class() -> None:
    sp = get_space("toy-chain")
    assert sp.canonical(sp.parse("conv3x3-skip-conv1x1")) == sp.canonical(sp.parse("skip-conv3x3-conv1x1"))
    assert len(sp.representatives()) == 15


def test_score_then_evaluate_from_the_store_on_the_toy_space(tmp_path: Path) -> None:
    """``naslens score`` on a space naslens does not know, then ``evaluate --store`` (the stored proxies' rows)."""
    from typer.testing import CliRunner

    from naslens.cli_score import app

    store = tmp_path / "zs"
    args = ["--space", "toy-chain", "--proxies", "nwot,synflow,snip", "--data", "noise", "--dataset", "toy10",
            "--batch-size", "8", "--n-batches", "1", "--store", str(store), "--quiet"]  # fmt: skip
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    ev = evaluate(ground_truth=toy_ground_truth(), estimators=["nwot", "synflow", "snip", "params"], subset="deiso",
                  store=store, ks=[0.2], progress=False)  # fmt: skip
    for name in ("nwot", "synflow", "snip"):
        assert ev.results[name]["n_archs"] == 15 and np.isfinite(ev.results[name]["kendall_tau"])
        assert ev.results[name]["estimator"]["config"]["net"]["width"] == 8
    r = CliRunner().invoke(app, [a if a != "nwot,synflow,snip" else "linear_regions" for a in args])
    assert r.exit_code == 0, r.output  # the toy space declares a thin network (width 2)
