"""The report as a reader gets it: every section, figure and table is on the page, labelled, and the files exist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from naslens.estimators.base import EstimatorInfo
from naslens.report import ReportError, build_report
from naslens.store import ScoreStore

from .conftest import SHA, decode_data_uri, parse_page

ALWAYS = [
    "overview",
    "criteria",
    "scatter",
    "kendall-matrix",
    "complexity-bias",
    "mutations",
    "isomorphism",
    "top-ranked",
    "budgets",
    "pareto",
]


def _run_folder(folder: Path, archs: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {"step": s, "arch": a, "acc_after_step": 0.5 + 0.01 * s, "epoch": e, "acc_end_epoch": 0.45 + 0.01 * s}
        for e in (1, 2)
        for s, a in enumerate(archs[:20])
    ]
    pd.DataFrame(rows).to_csv(folder / "forgetting.csv", index=False)
    grads = [
        {"arch_a": archs[0], "arch_b": b, "layer": layer, "cosine": c}
        for b, c in zip(archs[1:6], (0.9, 0.2, -0.3, 0.5, 0.1), strict=True)
        for layer in ("stem", "cells.0")
    ]
    pd.DataFrame(grads).to_csv(folder / "gradient_similarity.csv", index=False)
    return folder


def _store(folder: Path, archs: list[str]) -> Path:
    rng = np.random.default_rng(0)
    info = EstimatorInfo("zc", "zeroshot")
    with ScoreStore(folder) as st:
        base = rng.normal(size=len(archs))
        for seed in (0, 1):
            vals = base + rng.normal(0, 0.3, len(archs))
            st.put_many(
                "nb201",
                [(a, float(v), None, 0.01) for a, v in zip(archs, vals, strict=True)],
                info,
                {"estimator": "zc"},
                seed=seed,
            )
        st.put("nb201", archs[0], info, {"estimator": "zc"}, seed=2, value=float("nan"))
    return folder


@pytest.fixture(scope="module")
def built(synthetic_evaluation: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    archs = pd.read_csv(synthetic_evaluation / "scores.csv")["arch"].tolist()
    base = tmp_path_factory.mktemp("report")
    run = _run_folder(base / "run", archs)
    store = _store(base / "store", archs)
    path = build_report(synthetic_evaluation, base / "out", store=store, runs=[run])
    html = path.read_text(encoding="utf-8")
    manifest = json.loads((path.parent / "report.json").read_text())
    return {"path": path, "html": html, "page": parse_page(html), "manifest": manifest}


def test_every_section_is_present_and_nothing_failed(built):
    page = built["page"]
    for sec in [*ALWAYS, "oneshot", "store"]:
        assert sec in page.sections, f"section {sec} missing"
    assert built["manifest"]["errors"] == {}


def test_every_figure_is_embedded_as_png_and_written_as_png_and_svg(built):
    out = built["path"].parent
    figures = built["manifest"]["figures"]
    expected = {
        "scatter",
        "kendall_matrix",
        "complexity_bias_flops",
        "mutation_ratios",
        "overrating_by_class_size",
        "budget_accuracy_flops",
        "budget_accuracy_params",
        "budget_accuracy_depth",
        "pareto",
        "criteria_trends",
        "checkpoint_stability",
        "forgetting",
        "gradient_similarity",
    }
    assert expected <= set(figures)
    for name, files in figures.items():
        kind, data = decode_data_uri(built["page"].images[name])
        assert kind == "png" and data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
        assert (out / files["png"]).read_bytes() == data
        svg = (out / files["svg"]).read_text()
        assert "<svg" in svg[:1000] and svg.rstrip().endswith("</svg>")


def test_every_table_has_rows_and_files(built):
    out = built["path"].parent
    page_tables = built["page"].tables
    for name, meta in built["manifest"]["tables"].items():
        csv = pd.read_csv(out / meta["csv"])
        records = json.loads((out / meta["json"]).read_text())
        assert len(csv) == len(records) == meta["rows"] > 0, name
        if name in page_tables:
            assert page_tables[name] == min(meta["rows"], 300), name
    for name in (
        "estimators",
        "criteria_correlations",
        "criteria_precision_at_top",
        "kendall_matrix",
        "complexity_bias_flops",
        "mutation_ratios_pooled",
        "isomorphism_spread",
        "top_ranked",
        "mbr_flops",
        "pareto_levels",
        "forgetting",
        "gradient_similarity",
        "store_summary",
        "seed_stability",
        "checkpoint_stability",
    ):
        assert page_tables.get(name, 0) > 0, f"table {name} not shown"


def test_numbers_are_labelled_with_ground_truth_subset_and_configuration(built):
    text = built["page"].text
    for label in (SHA, "ori-test", "synthetic mean over seeds", "subset all", "1200 architectures", "200"):
        assert label in text, label
    assert '{"estimator": "synth", "seed": 0}' in text
    # every section but the overview / store / one-shot ones repeats the ground-truth label
    assert text.count("Ground truth: cifar10") >= len(ALWAYS) - 1


def test_nan_and_inf_counts_are_shown(built):
    crit = pd.read_csv(built["path"].parent / "tables" / "criteria_correlations.csv").set_index("estimator")
    assert crit.loc["synth", "n_nan"] == 7 and crit.loc["synth", "n_inf"] == 2 and crit.loc["params", "n_nan"] == 0
    assert crit.loc["synth", "n_archs"] == 1200 - 9


def test_criteria_match_the_evaluation(built, synthetic_evaluation):
    meta = json.loads((synthetic_evaluation / "evaluation.json").read_text())
    crit = pd.read_csv(built["path"].parent / "tables" / "criteria.csv").set_index("label")
    for name, res in meta["results"].items():
        assert crit.loc[name, "kendall_tau"] == pytest.approx(res["kendall_tau"])
        assert crit.loc[name, "P@top 0.05"] == pytest.approx(res["precision_at_top"]["0.05"])
    assert f"{meta['results']['params']['kendall_tau']:.4g}" in built["html"]


def test_checkpoint_trends_are_in_checkpoint_order(built):
    stab = pd.read_csv(built["path"].parent / "tables" / "checkpoint_stability.csv")
    assert stab["reference"].tolist() == ["loss@epoch5", "loss@epoch20"]
    assert {"p_top@0.05", "p_bottom@0.1"} <= set(stab.columns) and "p_top@0.2" not in stab.columns  # evaluation's K


def test_store_seed_stability(built):
    out = built["path"].parent / "tables"
    summary = pd.read_csv(out / "store_summary.csv")
    assert set(summary["seed"]) == {0, 1, 2} and summary["nan"].sum() == 1
    seeds = pd.read_csv(out / "seed_stability.csv")
    assert seeds["reference"].tolist() == ["seed1", "seed2"]
    assert 0.5 < seeds["kendall_tau"].iloc[0] < 1.0 and seeds["n_archs"].iloc[1] == 0


def test_missing_store_is_an_error(synthetic_evaluation, tmp_path):
    with pytest.raises(ReportError, match="no score store"):
        build_report(synthetic_evaluation, tmp_path / "out", store=tmp_path / "nostore")
