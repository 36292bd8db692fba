"""Multi-stage predictor-guided search: stage figures, what each stage reveals, resume per stage, both spaces."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.toy_predictors import synthetic_ground_truth

from naslens.predictor_data import PredictorRunError, Truth, load_truth, train_set
from naslens.predictor_multistage import multistage, stage_metrics
from naslens.spaces import get_space

FM = {"metric": "fashion-mnist"}


def test_stage_metrics_by_hand():
    t = Truth("s", "demo", "acc", list("abcdef"), np.array([1.0, 6.0, 2.0, 5.0, 3.0, 4.0]), {})
    scores = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])  # predicted best: f (true rank 3), then e (5), d (2)
    m = stage_metrics(t, ["a", "d"], scores, [1, 3])
    assert (m["known_min"], m["known_max"], m["known_std"]) == (1.0, 5.0, 2.0)
    assert m["best_found"] == 5.0 and m["best_found_rank"] == 2 and m["best_found_rank_ratio"] == pytest.approx(2 / 6)
    assert m["br_at_1"] == pytest.approx(3.0) and m["br_at_1_ratio"] == pytest.approx(0.5)
    assert m["br_at_3"] == pytest.approx(2.0)
    assert np.isnan(m["p_at_top_0.1pct"])  # floor(0.001 * 6) = 0: no top set


def _log(out):
    return [json.loads(x) for x in (out / "multistage.jsonl").read_text().splitlines()]


def test_a_perfect_predictor_finds_the_best_at_stage_two_on_nb_macro(tmp_path):
    gt = synthetic_ground_truth(get_space("nb-macro"), 300, seed=1)
    r = multistage(None, gt, "toy_linear", stages=3, per_stage=40, seed=0, out=tmp_path / "ms", progress=False)
    t = r.table
    assert list(t.stage) == [1, 2, 3] and list(t.n_known) == [40, 80, 120]
    assert t.kendall_tau.iloc[0] > 0.99  # least squares learns the additive target from 40 architectures
    assert t.best_found_rank.iloc[1] == 1 and t.br_at_1.iloc[0] == pytest.approx(1.0)
    log = _log(tmp_path / "ms")
    truth = load_truth(gt)
    assert log[0]["known"] == train_set(truth.keys, 40, 0)
    top = [truth.keys[i] for i in np.argsort(-truth.values, kind="stable") if truth.keys[i] not in set(log[0]["known"])]
    assert set(log[0]["revealed"]) == set(top[:40])  # the predicted top-40 not yet known = the true top-40
    assert set(log[1]["known"]) == set(log[0]["known"]) | set(log[0]["revealed"])


def test_known_set_grows_and_stage_figures_hold(tmp_path):
    r = multistage(
        None, "nb201-fmnist", "toy_tree", stages=3, per_stage=15, seed=4, out=tmp_path / "ms", **FM, progress=False
    )
    t = r.table
    assert list(t.n_known) == [15, 30, 45] and (np.diff(t.best_found) >= 0).all()
    assert (np.diff(t.best_found_rank) <= 0).all() and (t.known_min <= t.known_max).all()
    truth = load_truth("nb201-fmnist", **FM)
    log = _log(tmp_path / "ms")
    for rec in log:
        kv = truth.of(rec["known"])
        assert rec["known_std"] == pytest.approx(kv.std()) and rec["best_found"] == kv.max()
        assert not set(rec["revealed"]) & set(rec["known"]) and len(rec["revealed"]) == 15
    for col in ("br_at_1", "br_at_7", "br_at_11", "br_at_7_ratio", "p_at_top_0.1pct", "kendall_tau", "known_std"):
        assert col in t.columns
    assert list(t.br_at_7_ratio * 600) == pytest.approx(list(t.br_at_7))
    assert pd.read_csv(tmp_path / "ms" / "multistage.csv").shape == t.shape


def test_resume_per_stage_and_adding_stages(tmp_path):
    out = tmp_path / "ms"
    kw = {"per_stage": 10, "seed": 0, "out": out, "progress": False, **FM}
    full = multistage(None, "nb201-fmnist", "toy_tree", stages=3, **kw)
    assert full.computed == 3
    assert multistage(None, "nb201-fmnist", "toy_tree", stages=3, **kw).computed == 0
    lines = (out / "multistage.jsonl").read_text().splitlines(keepends=True)
    (out / "multistage.jsonl").write_text(lines[0] + lines[1][:40])  # killed while writing stage 2
    again = multistage(None, "nb201-fmnist", "toy_tree", stages=3, **kw)
    assert again.computed == 2
    cols = [c for c in full.table.columns if c != "fit_seconds"]
    pd.testing.assert_frame_equal(again.table[cols], full.table[cols])
    more = multistage(None, "nb201-fmnist", "toy_tree", stages=4, **kw)
    assert more.computed == 1 and list(more.table.n_known) == [10, 20, 30, 40]
    other_seed = multistage(None, "nb201-fmnist", "toy_tree", stages=2, **{**kw, "seed": 1})
    assert other_seed.computed == 2 and len(other_seed.table) == 6  # one table for the folder


def test_mlp_runs_and_bad_inputs_are_refused(tmp_path):
    r = multistage(
        None,
        "nb201-fmnist",
        "mlp",
        stages=2,
        per_stage=10,
        seed=0,
        out=tmp_path / "ms",
        **FM,
        loss="regression",
        params={"epochs": 3, "hidden": 8},
        progress=False,
    )
    assert set(r.table.loss) == {"regression"} and len(r.table) == 2
    bad = tmp_path / "bad"
    for kw, msg in [
        ({"stages": 0}, "--stages"),
        ({"per_stage": 301, "stages": 2}, "architectures to reveal"),
        ({"loss": "hinge", "predictor": "mlp"}, "unknown loss"),
        ({"params": {"epochs": 3}}, "no chosen predictor"),
        ({"ks": [0]}, "--k"),
    ]:
        args = {"stages": 2, "per_stage": 10, "predictor": "toy_tree", **kw}
        with pytest.raises(PredictorRunError, match=msg):
            multistage(None, "nb201-fmnist", args.pop("predictor"), out=bad, progress=False, **FM, **args)
        assert not bad.exists()
    with pytest.raises(PredictorRunError, match="other settings"):
        multistage(None, "nb201-fmnist", "mlp", 2, 12, 0, out=tmp_path / "ms", **FM, progress=False)


def test_br_ratios_share_best_found_rank_ratio_denominator():
    t = Truth("s", "demo", "acc", list("abcdef"), np.array([1.0, 6.0, 2.0, 5.0, 3.0, 4.0]), {})
    scores = np.array([0.0, 1.0, 2.0, 3.0, 4.0, np.nan])  # predicted best of the finite ones: e (true rank 4 of 6)
    m = stage_metrics(t, ["a", "d"], scores, [1, 5, 6])
    assert m["n_nonfinite"] == 1 and m["best_found_rank_ratio"] == pytest.approx(2 / 6)
    assert m["br_at_1"] == pytest.approx(4.0) and m["br_at_1_ratio"] == pytest.approx(4 / 6)  # ranks among all M
    assert m["br_at_5"] == pytest.approx(1.0) and m["br_at_5_ratio"] == pytest.approx(1 / 6)  # all 5 finite: b in
    assert np.isnan(m["br_at_6"])  # K above the 5 finite predictions


def test_bad_hyperparameters_do_not_lock_the_folder(tmp_path):
    out = tmp_path / "ms"
    kw = {"stages": 1, "per_stage": 10, "seed": 0, "out": out, **FM, "progress": False}
    with pytest.raises(PredictorRunError, match="epochs must be a positive integer"):
        multistage(None, "nb201-fmnist", "mlp", params={"epochs": 0, "hidden": 8}, **kw)
    assert not out.exists()  # refused before anything is written
    with pytest.raises(ValueError, match="max_depth"):  # a tree's bad value: found by scikit-learn when it fits
        multistage(None, "nb201-fmnist", "toy_tree", params={"max_depth": 0}, **kw)
    assert (out / "multistage.json").exists() and not (out / "multistage.jsonl").exists()
    r = multistage(None, "nb201-fmnist", "toy_tree", params={"max_depth": 2}, **kw)  # nothing recorded: reused
    assert r.computed == 1
    assert json.loads((out / "multistage.json").read_text())["settings"]["overrides"] == {"max_depth": 2}
    with pytest.raises(PredictorRunError, match="other settings"):  # a recorded stage is protected
        multistage(None, "nb201-fmnist", "toy_tree", params={"max_depth": 3}, **kw)
    (out / "multistage.json").write_text("{broken")
    with pytest.raises(PredictorRunError, match=r"multistage\.json is not valid JSON"):
        multistage(None, "nb201-fmnist", "toy_tree", params={"max_depth": 2}, **kw)
