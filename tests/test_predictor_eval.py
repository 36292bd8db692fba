"""fit-eval: the grid, the shared training sets, criteria that match naslens.criteria and ``evaluate --store``,
resume and kill safety, non-finite predictions, the one-shot oracle, both spaces; and the estimator adapter."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.toy_predictors import synthetic_ground_truth

from naslens import criteria
from naslens.estimators.predictors import create_predictor
from naslens.estimators.predictors.estimator import PredictorEstimator, stored_name, train_set_hash
from naslens.evaluation import evaluate
from naslens.predictor_data import PredictorRunError, load_truth, resolve_target, train_set
from naslens.predictor_eval import fit_eval, summary_table
from naslens.predictor_runlog import RunLog, RunLogError
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.types import EstimatorInfo, UserError

FM = {"ground_truth": "nb201-fmnist", "metric": "fashion-mnist"}
MLP = {"epochs": 3, "hidden": 16, "layers": 1}


def _fe(out, **kw):
    args = {
        "space": None,
        **FM,
        "predictors": ["toy_tree"],
        "train_sizes": [10],
        "losses": ["ranking"],
        "train_sets": 2,
        "seeds": [0, 1],
        "eval_on": ["all", "heldout"],
        "out": out,
        "progress": False,
    }
    args.update(kw)
    gt = args.pop("ground_truth")
    return fit_eval(args.pop("space"), gt, **args)


def test_grid_tree_has_no_loss_axis_and_sets_are_shared(tmp_path):
    r = _fe(
        tmp_path / "o",
        predictors=["mlp", "toy_tree"],
        train_sizes=[10, 20],
        losses=["ranking", "regression"],
        params=MLP,
    )
    res = r.results
    assert r.computed == 2 * 2 * 2 * 2 + 2 * 1 * 2 * 2
    assert len(res) == 2 * r.computed
    for col in (
        "predictor",
        "train_size",
        "loss",
        "train_set",
        "seed",
        "eval_on",
        "n_eval",
        "kendall_tau",
        "spearman",
        "p_at_top_5pct",
        "br_at_1pct",
        "fit_seconds",
        "predict_seconds",
        "config_hash",
    ):
        assert col in res.columns
    assert set(res.loc[res.predictor == "toy_tree", "loss"]) == {"none"}
    assert set(res.loc[res.predictor == "mlp", "loss"]) == {"ranking", "regression"}
    assert set(res.loc[res.eval_on == "all", "n_eval"]) == {600}
    held = res[res.eval_on == "heldout"]
    assert (held.n_eval == 600 - held.train_size).all()
    # the same training set for every predictor, loss and seed; sets differ by index
    log = [json.loads(x) for x in (tmp_path / "o" / "runs.jsonl").read_text().splitlines()]
    by = {}
    for rec in log:
        by.setdefault((rec["train_size"], rec["train_set"]), set()).add(rec["train_set_sha256"])
    assert all(len(v) == 1 for v in by.values()) and len({next(iter(v)) for v in by.values()}) == 4
    s = r.summary
    assert len(s) == 2 * 2 * 2 + 2 * 2
    row = s[(s.predictor == "toy_tree") & (s.train_size == 20) & (s.eval_on == "all")].iloc[0]
    vals = res[(res.predictor == "toy_tree") & (res.train_size == 20) & (res.eval_on == "all")].kendall_tau
    assert row.n_runs == 4 and row.kendall_tau_mean == pytest.approx(vals.mean())
    assert row.kendall_tau_std == pytest.approx(vals.std(ddof=0))
    assert (tmp_path / "o" / "summary.csv").exists() and pd.read_csv(tmp_path / "o" / "results.csv").shape == res.shape


def test_train_set_is_seeded_by_set_and_size():
    pool = [f"k{i:03d}" for i in range(100)]
    a = train_set(pool, 10, 0)
    assert a == train_set(pool[::-1], 10, 0) and len(set(a)) == 10 and a == sorted(a)
    assert a != train_set(pool, 10, 1)
    rng = np.random.default_rng((0, 10))
    assert a == sorted(pool[i] for i in rng.choice(100, 10, replace=False))
    with pytest.raises(PredictorRunError, match="between 2 and the 100"):
        train_set(pool, 101, 0)


def test_criteria_match_store_and_evaluate(tmp_path):
    r = _fe(tmp_path / "o", train_sizes=[30], train_sets=1, seeds=[0, 1])
    row = r.results[(r.results.seed == 1) & (r.results.eval_on == "all")].iloc[0]
    truth = load_truth("nb201-fmnist", metric="fashion-mnist")
    with ScoreStore(tmp_path / "o" / "scores", create=False) as st:
        sc = st.scores("nb201", row.stored_name, truth.keys, seed=1)
    assert sc.info.family == "predictor" and sc.info.needs_training and (np.array(sc.status) == "ok").all()
    assert sc.config["train_set"]["size"] == 30 and "seed" not in sc.config
    assert row.kendall_tau == pytest.approx(criteria.kendall_tau(truth.values, sc.values))
    assert row.br_at_1pct == pytest.approx(criteria.best_ranking(truth.values, sc.values, 0.01))
    assert row.p_at_top_5pct == pytest.approx(criteria.precision_at_top(truth.values, sc.values, 0.05))
    ev = evaluate(**FM, estimators=[row.stored_name], store=tmp_path / "o" / "scores", progress=False)
    label = f"{row.stored_name}#seed1"
    assert ev.results[label]["kendall_tau"] == pytest.approx(row.kendall_tau)
    assert ev.runs[label].estimator == "toy_tree" and ev.runs[label].seed == 1


def test_rerun_computes_nothing_and_a_kill_loses_only_the_run_in_progress(tmp_path):
    out = tmp_path / "o"
    full = _fe(out, train_sets=2, seeds=[0, 1, 2])
    assert full.computed == 6
    again = _fe(out, train_sets=2, seeds=[0, 1, 2])
    assert again.computed == 0
    pd.testing.assert_frame_equal(again.results, full.results)
    lines = (out / "runs.jsonl").read_text().splitlines(keepends=True)
    (out / "runs.jsonl").write_text("".join(lines[:2]) + lines[2][: len(lines[2]) // 2])  # killed while writing
    resumed = _fe(out, train_sets=2, seeds=[0, 1, 2])
    assert resumed.computed == 4
    cols = [c for c in full.results.columns if "seconds" not in c]
    pd.testing.assert_frame_equal(resumed.results[cols], full.results[cols])
    assert len((out / "runs.jsonl").read_text().splitlines()) == 6
    grown = _fe(out, train_sets=3, seeds=[0, 1, 2])  # a larger grid adds only the new runs
    assert grown.computed == 3


def test_other_settings_in_the_same_folder_are_refused(tmp_path):
    _fe(tmp_path / "o", train_sets=1, seeds=[0])
    before = (tmp_path / "o" / "runs.jsonl").read_text()
    with pytest.raises(PredictorRunError, match="other settings"):
        _fe(tmp_path / "o", train_sets=1, seeds=[0], params={"max_depth": 2})
    assert (tmp_path / "o" / "runs.jsonl").read_text() == before


def test_nonfinite_predictions_are_counted_and_stored(tmp_path):
    r = _fe(tmp_path / "o", train_sets=1, seeds=[0], params={"nan_every": 7})
    row = r.results[r.results.eval_on == "all"].iloc[0]
    assert row.n_nonfinite == len(range(0, 600, 7)) and row.n_eval == 600 and np.isfinite(row.kendall_tau)
    assert row.n_finite == 600 - row.n_nonfinite  # M: what the criteria are computed on
    cols = list(r.results.columns)
    assert cols.index("n_eval") < cols.index("n_finite") < cols.index("n_nonfinite")
    assert r.summary.n_nonfinite.iloc[0] == row.n_nonfinite
    with ScoreStore(tmp_path / "o" / "scores", create=False) as st:
        t = st.table()
    assert (t.status == "nan").sum() == row.n_nonfinite


def _fake_oneshot_store(path, truth, n, seed=0):
    """A stored lower-is-better estimator (a loss) on the first ``n`` ground-truth architectures: additive in the
    one-hot encoding (so least squares learns it exactly), two NaN."""
    sp = get_space("nb201")
    w = np.random.default_rng(seed).normal(size=30)
    info = EstimatorInfo("fake_loss", "oneshot", higher_is_better=False)
    vals = np.array([float(np.asarray(sp.encode(sp.parse(k), "onehot")).reshape(-1) @ w) for k in truth.keys[:n]])
    vals[:2] = np.nan
    with ScoreStore(path) as st:
        st.put_many(
            "nb201",
            [(k, float(v), None, None) for k, v in zip(truth.keys[:n], vals, strict=True)],
            info,
            {"estimator": "fake_loss"},
            seed=3,
            checkpoint="epoch-0010",
        )
    return vals


def test_oneshot_oracle_fits_on_a_stored_estimator(tmp_path):
    truth = load_truth("nb201-fmnist", metric="fashion-mnist")
    _fake_oneshot_store(tmp_path / "st", truth, 300)
    spec = f"store:{tmp_path / 'st'}:fake_loss"
    with pytest.raises(PredictorRunError, match="between 2 and the 298"):
        _fe(tmp_path / "o", train_sizes=[299], target=spec)
    assert not (tmp_path / "o").exists()
    r = _fe(tmp_path / "o", predictors=["toy_linear"], train_sizes=[40], train_sets=1, seeds=[0], target=spec)
    row = r.results[r.results.eval_on == "all"].iloc[0]
    assert row.n_eval == 600 and row.n_eval_target == 298
    assert row.kendall_tau_target > 0.99  # learned the negated loss (nearly exactly): higher is better
    assert row.p_at_top_5pct_target > 0.9 and abs(row.kendall_tau) < 0.5  # vs the ground truth: unrelated
    assert row.stored_name == stored_name("toy_linear", 40, "none", 0, oracle=True)
    prov = json.loads((tmp_path / "o" / "provenance.json").read_text())
    assert prov["target"]["kind"] == "store" and prov["target"]["negated"] and prov["target"]["seed"] == 3
    assert prov["n_pool"] == 298 and prov["target"]["n_nonfinite"] == 302
    keys = set(r.plan.sets[(40, 0)])
    assert keys <= set(truth.keys[2:300])
    with pytest.raises(PredictorRunError, match="no scores for estimator 'nope'"):
        _fe(tmp_path / "o2", target=f"store:{tmp_path / 'st'}:nope")
    with pytest.raises(PredictorRunError, match="no score store"):
        _fe(tmp_path / "o2", target=f"store:{tmp_path / 'missing'}:fake_loss")
    assert not (tmp_path / "o2").exists() and not (tmp_path / "missing").exists()


def test_nb_macro_with_mlp_and_a_tree(tmp_path):
    sp = get_space("nb-macro")
    gt = synthetic_ground_truth(sp, 150, noise=0.05)
    r = fit_eval(
        None,
        gt,
        predictors=["mlp", "toy_linear"],
        train_sizes=[40],
        losses=["regression"],
        train_sets=1,
        seeds=[0],
        eval_on="heldout",
        out=tmp_path / "o",
        params={"epochs": 3, "hidden": 8},
        progress=False,
    )
    assert set(r.results.eval_on) == {"heldout"} and set(r.results.n_eval) == {110}
    lin = r.results[r.results.predictor == "toy_linear"].iloc[0]
    assert lin.kendall_tau > 0.9  # an additive target, learned by least squares
    with ScoreStore(tmp_path / "o" / "scores", create=False) as st:
        assert set(st.table().space) == {"nb-macro"}


def test_bad_inputs_are_refused_before_any_file(tmp_path):
    out = tmp_path / "o"
    cases = [
        ({"predictors": ["nope"]}, "unknown predictor"),
        ({"train_sizes": [601]}, "between 2 and the 600"),
        ({"predictors": ["mlp"], "losses": ["hinge"]}, "unknown loss"),
        ({"eval_on": ["train"]}, "--eval-on"),
        ({"params": {"epochs": 3}}, "no chosen predictor"),
        ({"params": {"loss": "bce"}}, "set by the run itself"),
        ({"predictors": ["mlp"], "params": {"epochs": 0}}, "epochs must be a positive integer"),
        ({"train_sizes": [599], "eval_on": ["heldout"]}, "held-out"),
        ({"seeds": []}, "--seeds"),
        ({"space": "nb-macro"}, "space 'nb201', not 'nb-macro'"),
    ]
    for kw, msg in cases:
        with pytest.raises(PredictorRunError, match=msg):
            _fe(out, **kw)
        assert not out.exists()


def test_predictor_estimator_config_and_scores():
    sp = get_space("nb201")
    archs = [sp.sample(np.random.default_rng(i)) for i in range(12)]
    keys = [sp.key(a) for a in archs]
    y = np.arange(12.0)
    p = create_predictor("toy_tree", space=sp, random_state=5)
    target = {"kind": "ground-truth", "name": "demo", "metric": "acc", "sha256": "ab"}
    est = PredictorEstimator(p, keys, target, name="toy_tree@n12-set0", train_set=0)
    cfg = est.config()
    assert cfg["predictor"] == "toy_tree" and cfg["params"]["space"] == "nb201" and cfg["seed"] == 5
    assert cfg["train_set"] == {"sha256": train_set_hash(keys[::-1]), "size": 12, "index": 0}
    assert cfg["target"] == target and "seed" not in est.store_config()
    assert "random_state" not in est.store_config()["params"]
    p.fit(archs, y)
    sc = est.score(sp, archs)
    assert sc.info.family == "predictor" and sc.info.needs_training and sc.keys == keys
    assert sc.config_hash == est.config_hash
    other = PredictorEstimator(create_predictor("toy_tree", space=sp, random_state=6), keys, target, train_set=0)
    assert other.config_hash != est.config_hash and other.store_config() == est.store_config()  # seeds share one
    with pytest.raises(ValueError, match="fitted on space 'nb201', not 'nb-macro'"):
        est.score(get_space("nb-macro"), [])


def test_summary_counts_runs_with_a_nan_criterion():
    res = pd.DataFrame(
        {
            "predictor": ["mlp"] * 3 + ["toy_tree"],
            "train_size": 78,
            "loss": ["ranking"] * 3 + ["none"],
            "eval_on": "all",
            "n_nonfinite": [0, 2, 0, 0],
            "kendall_tau": [0.5, np.nan, 0.7, 0.4],
            "spearman": [0.6, np.nan, 0.8, 0.5],
            "br_at_1pct": [0.01, 0.02, np.nan, 0.03],
            "fit_seconds": 1.0,
        }
    )
    s = summary_table(res)
    mlp, tree = s.iloc[0], s.iloc[1]
    assert (mlp.n_runs, mlp.n_runs_nan, mlp.n_nonfinite) == (3, 2, 2)  # run 2 (collapsed) and run 3 (no BR)
    assert mlp.kendall_tau_mean == pytest.approx(0.6) and mlp.kendall_tau_std == pytest.approx(0.1)
    assert mlp.br_at_1pct_mean == pytest.approx(0.015)
    assert (tree.n_runs, tree.n_runs_nan) == (1, 0)
    assert list(s.columns[:7]) == ["predictor", "train_size", "loss", "eval_on", "n_runs", "n_runs_nan", "n_nonfinite"]
    assert "n_runs_nan" in summary_table(res.iloc[:0]).columns


def test_a_folder_whose_first_fit_failed_is_reused(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(ValueError, match="max_depth"):  # scikit-learn refuses it when the tree first fits
        _fe(out, train_sets=1, seeds=[0], params={"max_depth": 0})
    assert (out / "provenance.json").exists() and not (out / "runs.jsonl").exists()
    fixed = _fe(out, train_sets=1, seeds=[0], params={"max_depth": 2})  # other settings, but no run recorded
    assert fixed.computed == 1
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["settings"]["overrides"] == {"max_depth": 2}
    with pytest.raises(PredictorRunError, match="other settings"):  # now it holds a run: protected
        _fe(out, train_sets=1, seeds=[0], params={"max_depth": 3})


def test_run_log_repairs_only_a_torn_last_line(tmp_path):
    path = tmp_path / "runs.jsonl"
    good = [json.dumps({"run": i}) + "\n" for i in range(3)]
    path.write_text(good[0] + good[1] + "not json\n")  # a bad last line (even with its newline): torn, cut off
    assert [r["run"] for r in RunLog(path)] == [0, 1] and path.read_text() == good[0] + good[1]
    damaged = good[0] + "{oops\n" + good[1] + good[2]
    path.write_text(damaged)
    with pytest.raises(RunLogError, match=r"runs\.jsonl:2: not a JSON record") as info:
        RunLog(path)
    assert isinstance(info.value, UserError)
    assert path.read_text() == damaged  # nothing deleted: the good records after the bad line are kept
    path.write_text(good[0] + "[1, 2]\n" + good[1])  # JSON, but not a record
    with pytest.raises(RunLogError, match=":2:"):
        RunLog(path)


def test_predictor_run_errors_are_user_errors():
    assert issubclass(PredictorRunError, UserError) and issubclass(PredictorRunError, ValueError)


def test_a_store_target_is_opened_read_only(tmp_path):
    import sqlite3

    truth = load_truth("nb201-fmnist", metric="fashion-mnist")
    _fake_oneshot_store(tmp_path / "st", truth, 50)
    db = tmp_path / "st" / ScoreStore.FILE
    sqlite3.connect(db).execute("PRAGMA journal_mode=DELETE").connection.close()  # a rollback-journal store
    before = db.read_bytes()
    target = resolve_target(f"store:{tmp_path / 'st'}:fake_loss", truth)
    assert len(target.values) == 48
    assert db.read_bytes() == before  # a read-write open would have switched it to WAL (and could write)
