"""The benchmark builder: plans, the append-only log, resume after a kill, export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

import naslens.benchmarks.train as train_mod
from naslens.benchmarks.builder import (
    GT_FILE,
    LOG_FILE,
    BuildError,
    append_result,
    build_summary,
    export_ground_truth,
    parse_seeds,
    pending_jobs,
    plan_from,
    read_results,
    run_build,
    select_archs,
)
from naslens.benchmarks.ground_truth import GroundTruth
from naslens.benchmarks.recipe import Recipe
from naslens.data.fashion_mnist import ImageSplits, fmnist_available
from naslens.spaces import get_space

RECIPE = Recipe(name="unit", C=2, N=1, input_size=8, n_train=64, n_val=32, n_test=32, epochs=1, batch_size=32)


def _synthetic(*_: object) -> ImageSplits:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(128, 1, 8, 8, generator=g)
    y = (x.mean((1, 2, 3)) > 0).long()
    return ImageSplits(x[:64], y[:64], x[64:96], y[64:96], x[96:], y[96:], {"num_classes": 2, "dataset": "synthetic"})


@pytest.fixture
def synthetic_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every recipe train on a small synthetic split (no Fashion-MNIST needed; in-process workers only)."""
    monkeypatch.setattr(train_mod, "_cached_data", _synthetic)


def test_select_archs_sample_is_seeded_deiso_and_distinct() -> None:
    space = get_space("nb201")
    a = select_archs("nb201", "sample:50", 0)
    assert a == select_archs("nb201", "sample:50", 0)
    assert a != select_archs("nb201", "sample:50", 1)
    assert len(set(a)) == 50
    archs = [space.parse(k) for k in a]
    assert all(space.is_representative(x) for x in archs)  # type: ignore[attr-defined]
    assert len({space.canonical(x) for x in archs}) == 50
    assert select_archs("nb201", "sample:80", 0)[:50] == a  # a longer sample extends a shorter one
    assert len(select_archs("nb201", "deiso")) == 6466
    assert len(select_archs("nb201", "all")) == 15625


@pytest.mark.parametrize("spec", ["some", "sample:x", "sample:0", "sample:7000"])
def test_select_archs_rejects_bad_spec(spec: str) -> None:
    with pytest.raises(BuildError):
        select_archs("nb201", spec)


def test_parse_seeds() -> None:
    assert parse_seeds("0,1") == (0, 1)
    assert parse_seeds(" 3 ") == (3,)
    for bad in ("", "0,0", "a", "-1"):
        with pytest.raises(BuildError):
            parse_seeds(bad)


def test_plan_order_puts_extra_seeds_on_the_first_archs() -> None:
    plan = plan_from("nb201", "sample:5", "0,1", RECIPE, multi_seed=2)
    jobs = plan.jobs()
    keys = select_archs("nb201", "sample:5")
    assert jobs == [(keys[0], 0), (keys[0], 1), (keys[1], 0), (keys[1], 1), (keys[2], 0), (keys[3], 0), (keys[4], 0)]
    assert len(plan_from("nb201", "sample:5", "0,1", RECIPE).jobs()) == 10
    with pytest.raises(BuildError):
        plan_from("nb201", "sample:5", "0,1", RECIPE, multi_seed=-1)


def test_read_results_tolerates_and_repairs_a_torn_last_line(tmp_path: Path) -> None:
    log = tmp_path / LOG_FILE
    append_result(log, {"arch": "a", "seed": 0})
    append_result(log, {"arch": "b", "seed": 0})
    with open(log, "a") as f:
        f.write('{"arch": "c", "se')
    assert [r["arch"] for r in read_results(log)] == ["a", "b"]
    assert log.read_text().endswith('"se')  # not repaired unless asked
    read_results(log, repair=True)
    assert log.read_text().endswith("}\n")
    append_result(log, {"arch": "c", "seed": 0})
    assert [r["arch"] for r in read_results(log)] == ["a", "b", "c"]
    log.write_text('{"arch": "a"}\nnot json\n{"arch": "b"}\n')
    with pytest.raises(BuildError, match="line 2"):
        read_results(log)


def test_resume_after_interrupted_build_gives_same_table(tmp_path: Path, synthetic_data: None) -> None:
    plan = plan_from("nb201", "sample:4", "0,1", RECIPE, multi_seed=2)  # 6 runs
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert run_build(straight, plan) == 6
    gt_a = export_ground_truth(straight)

    assert run_build(resumed, plan, limit=2) == 2
    with open(resumed / LOG_FILE, "a") as f:  # a kill in the middle of writing the third record
        f.write('{"arch": "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", "seed": 0, "test_a')
    assert len(pending_jobs(resumed, plan)) == 4
    assert build_summary(resumed)["finished"] == 2
    seen: list[int] = []
    assert run_build(resumed, plan, on_result=lambda r, i, n: seen.append(n)) == 4
    assert seen == [4, 4, 4, 4]
    assert run_build(resumed, plan) == 0  # nothing left
    recs = read_results(resumed / LOG_FILE)
    assert len(recs) == 6 and len({(r["arch"], r["seed"]) for r in recs}) == 6
    gt_b = export_ground_truth(resumed)
    pd.testing.assert_frame_equal(gt_a.values.sort_index(), gt_b.values.sort_index())


def test_export_columns_and_provenance(tmp_path: Path, synthetic_data: None) -> None:
    plan = plan_from("nb201", "sample:5", "0,1", RECIPE, multi_seed=3)
    run_build(tmp_path, plan)
    gt = export_ground_truth(tmp_path, origin="unit test")
    assert (tmp_path / GT_FILE).exists()
    loaded = GroundTruth.load(tmp_path / GT_FILE)
    pd.testing.assert_frame_equal(loaded.values, gt.values)
    cols = ["fashion-mnist", "fashion-mnist-valid", "fashion-mnist-seed0", "fashion-mnist-seed1"]
    assert list(gt.values.columns) == cols
    assert gt.metric_for("fashion-mnist") == "fashion-mnist"
    info = gt.metrics["fashion-mnist"]
    assert (info.split, info.epochs) == ("test", RECIPE.epochs)
    v = gt.values
    assert v["fashion-mnist-seed1"].notna().sum() == 3 and v["fashion-mnist-seed0"].notna().sum() == 5
    both = v.dropna()
    assert (both["fashion-mnist"] == (both["fashion-mnist-seed0"] + both["fashion-mnist-seed1"]) / 2).all()
    x = gt.extra
    assert x["recipe"] == RECIPE.to_dict() and x["seeds"] == [0, 1] and x["n_archs"] == 5
    assert x["default_metric"] == "fashion-mnist"
    assert x["n_archs_two_seeds"] == 3 and x["seed_counts"] == {"1": 2, "2": 3}
    assert x["data_split"]["dataset"] == "synthetic"
    assert json.loads((tmp_path / "data_split.json").read_text()) == x["data_split"]
    assert "naslens" in x["code_version"]
    assert x["seed_to_seed_kendall_tau_pairs"]["0-1"]["n"] == 3
    ci = x["seed_to_seed_kendall_tau_ci95"]
    assert ci is None or (len(ci) == 2 and -1 <= ci[0] <= x["seed_to_seed_kendall_tau"] <= ci[1] <= 1)
    assert gt.source.origin == "unit test" and len(gt.source.sha256) == 64
    assert loaded.extra["results_log"]["sha256"] == gt.source.sha256
    assert json.loads((tmp_path / "build.json").read_text())["archs"] == "sample:5"


def test_extending_a_build_trains_only_the_new_runs(tmp_path: Path, synthetic_data: None) -> None:
    assert run_build(tmp_path, plan_from("nb201", "sample:3", "0", RECIPE)) == 3
    before = read_results(tmp_path / LOG_FILE)
    bigger = plan_from("nb201", "sample:5", "0,1", RECIPE, multi_seed=2)
    assert len(pending_jobs(tmp_path, bigger)) == 4  # 2 new archs (seed 0) + seed 1 of the first two
    assert run_build(tmp_path, bigger) == 4
    after = read_results(tmp_path / LOG_FILE)
    assert after[:3] == before and len({(r["arch"], r["seed"]) for r in after}) == 7
    assert json.loads((tmp_path / "build.json").read_text())["archs"] == "sample:5"
    with pytest.raises(BuildError, match="different build"):
        run_build(tmp_path, plan_from("nb201", "sample:5", "0", RECIPE, sample_seed=1))
    with pytest.raises(BuildError, match="different build"):
        run_build(tmp_path, plan_from("nb201", "deiso", "0", RECIPE))


def test_refuses_a_different_plan_in_the_same_folder(tmp_path: Path, synthetic_data: None) -> None:
    run_build(tmp_path, plan_from("nb201", "sample:2", "0", RECIPE))
    with pytest.raises(BuildError, match="different build"):
        run_build(tmp_path, plan_from("nb201", "sample:2", "0", RECIPE.replace(epochs=2)))
    # renaming the recipe is allowed (the name is a label) and nothing is retrained
    assert run_build(tmp_path, plan_from("nb201", "sample:2", "0", RECIPE.replace(name="renamed"))) == 0
    assert json.loads((tmp_path / "build.json").read_text())["recipe"]["name"] == "renamed"
    with pytest.raises(BuildError, match="not a build folder"):
        export_ground_truth(tmp_path / "nothing")
    with pytest.raises(BuildError, match="workers"):
        run_build(tmp_path, plan_from("nb201", "sample:2", "0", RECIPE), workers=0)


@pytest.mark.slow
@pytest.mark.needs_fmnist
@pytest.mark.skipif(not fmnist_available(), reason="Fashion-MNIST idx files not installed")
def test_parallel_workers_match_a_serial_build(tmp_path: Path) -> None:
    recipe = Recipe(C=2, N=1, input_size=8, n_train=200, n_val=100, n_test=100, epochs=1, batch_size=50)
    plan = plan_from("nb201", "sample:3", "0", recipe)
    run_build(tmp_path / "serial", plan, device="cpu")
    run_build(tmp_path / "parallel", plan, workers=2, device="cpu")
    a = export_ground_truth(tmp_path / "serial").values.sort_index()
    b = export_ground_truth(tmp_path / "parallel").values.sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_cli_build_status_export_train(tmp_path: Path, synthetic_data: None) -> None:
    from typer.testing import CliRunner

    from naslens.cli_bench import app

    runner = CliRunner()
    recipe = RECIPE.to_yaml(tmp_path / "r.yaml")
    out = tmp_path / "b"
    args = ["build", "--recipe", str(recipe), "--out", str(out), "--sample", "3", "--seeds", "0,1",
            "--multi-seed", "1"]  # fmt: skip
    res = runner.invoke(app, [*args, "--limit", "2", "--no-export"])
    assert res.exit_code == 0, res.output
    assert len(read_results(out / LOG_FILE)) == 2 and not (out / GT_FILE).exists()
    res = runner.invoke(app, ["status", str(out)])
    assert res.exit_code == 0 and "4" in res.output
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert len(read_results(out / LOG_FILE)) == 4 and (out / GT_FILE).exists()
    dest = tmp_path / "gt.json"
    assert runner.invoke(app, ["export", str(out), "--dest", str(dest)]).exit_code == 0
    assert len(GroundTruth.load(dest)) == 3
    res = runner.invoke(app, [*args[:-2], "--data", "cifar10"])
    assert res.exit_code == 2 and "differs from the recipe" in res.output
    res = runner.invoke(app, [*args, "--archs", "sample:3"])
    assert res.exit_code == 2 and "not both" in res.output
    legacy = ["build", "--recipe", str(recipe), "--out", str(out), "--archs", "sample:3", "--seeds", "0,1",
              "--multi-seed", "1"]  # fmt: skip
    assert runner.invoke(app, legacy).exit_code == 0  # the old spelling is the same plan: nothing left to train
    res = runner.invoke(app, ["train", "0", "--recipe", str(recipe), "--json", str(tmp_path / "one.json")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "one.json").read_text())["seed"] == 0


def test_a_second_build_in_the_same_folder_is_refused_while_one_runs(tmp_path: Path, synthetic_data: None) -> None:
    from naslens.benchmarks.builder import folder_lock

    plan = plan_from("nb201", "sample:2", "0", RECIPE)
    tmp_path.mkdir(exist_ok=True)
    with folder_lock(tmp_path), pytest.raises(BuildError, match="another 'naslens bench build' is running"):
        run_build(tmp_path, plan)
    assert not (tmp_path / "results.jsonl").exists()
    assert run_build(tmp_path, plan) == 2  # the lock is released with its holder


def test_nb_macro_build_and_export(tmp_path: Path, synthetic_data: None) -> None:
    """``bench build --space nb-macro``: the same builder trains NAS-Bench-Macro networks from the recipe's net."""
    recipe = Recipe(name="macro-unit", input_size=8, n_train=64, n_val=32, n_test=32, epochs=1, batch_size=32,
                    net={"init_channels": 2, "head_channels": 8})  # fmt: skip
    plan = plan_from("nb-macro", "sample:3", "0", recipe, sample_seed=0)
    keys = [k for k, _ in plan.jobs()]
    sp = get_space("nb-macro")
    assert len(keys) == 3 and len({sp.canonical(sp.parse(k)) for k in keys}) == 3  # de-isomorphic sample
    run_build(tmp_path / "m", plan)
    gt = export_ground_truth(tmp_path / "m")
    assert gt.space == "nb-macro" and sorted(gt.keys) == sorted(keys)
    rec = read_results(tmp_path / "m" / LOG_FILE)[0]
    net = recipe.net_config(2, "nb-macro")
    assert rec["params"] == sum(p.numel() for p in sp.build(sp.parse(rec["arch"]), **net).parameters())
    assert gt.extra["recipe"]["net"] == {"init_channels": 2, "head_channels": 8}


def test_recipe_network_settings_are_validated_by_the_space() -> None:
    with pytest.raises(BuildError, match="no network setting"):
        plan_from("nb-macro", "sample:3", "0", RECIPE)  # C/N are NB201 settings
    with pytest.raises(BuildError, match="init_channels"):
        plan_from("nb-macro", "sample:3", "0", Recipe(net={"init_channels": 0}))
    old = Recipe(name="x", C=8, N=2, input_size=16)
    assert "net" not in old.to_dict() and old.to_dict()["C"] == 8  # recipes without net keep their dictionary
