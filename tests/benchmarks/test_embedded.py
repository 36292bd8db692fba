"""The embedded ``nb201-fmnist`` ground truth: loadable by name, consistent with its provenance, usable."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from naslens.benchmarks import load_ground_truth
from naslens.benchmarks.builder import seed_tau
from naslens.benchmarks.recipe import Recipe
from naslens.benchmarks.resolve import EMBEDDED, _embedded_path, available
from naslens.criteria import kendall_tau
from naslens.spaces import get_space

NAME = "nb201-fmnist"


def test_registered_and_small() -> None:
    assert NAME in EMBEDDED and NAME in available()
    path = _embedded_path(NAME)
    assert path.is_file() and path.stat().st_size < 1_000_000


def test_loads_by_name_with_provenance() -> None:
    gt = load_ground_truth(NAME)
    assert gt.space == "nb201"
    col = gt.metric_for("fashion-mnist")
    info = gt.metrics[col]
    recipe = Recipe.from_dict(gt.extra["recipe"])
    assert (info.dataset, info.split, info.epochs) == ("fashion-mnist", "test", recipe.epochs)
    x = gt.extra
    assert x["n_archs"] == len(gt) and x["seeds"] == [0, 1]
    assert x["n_archs_two_seeds"] >= 30
    assert x["data_split"]["dataset"] == "fashion-mnist" and x["data_split"]["size"] == recipe.input_size
    assert x["code_version"]["naslens"]
    assert x["diverged_runs"] == 0
    prov = gt.provenance(col)
    assert prov["n_archs"] == len(gt) and prov["source"]["loader"] == "naslens-json"


def test_values_are_consistent() -> None:
    gt = load_ground_truth(NAME)
    v = gt.values
    assert v["fashion-mnist"].notna().all()
    assert ((v["fashion-mnist"] >= 0) & (v["fashion-mnist"] <= 100)).all()
    # chance level (10 classes) exactly for the cells with no input→output path: their output ignores the image
    from naslens.spaces.nb201 import NB201Arch, live_edges

    disconnected = np.array([not any(live_edges(NB201Arch.from_string(k))) for k in v.index])
    chance = (v["fashion-mnist"] < 11).to_numpy()
    assert disconnected.any() and (chance == disconnected).all()
    assert v["fashion-mnist-seed0"].notna().all()
    both = v.dropna(subset=["fashion-mnist-seed0", "fashion-mnist-seed1"])
    assert len(both) == gt.extra["n_archs_two_seeds"]
    np.testing.assert_allclose(both["fashion-mnist"], (both["fashion-mnist-seed0"] + both["fashion-mnist-seed1"]) / 2)
    wide = v[["fashion-mnist-seed0", "fashion-mnist-seed1"]].rename(columns=lambda c: int(c[-1]))
    tau, n, ci = seed_tau(wide, 0, 1)
    assert tau is not None and math.isclose(tau, gt.extra["seed_to_seed_kendall_tau"], abs_tol=1e-12)
    assert ci is not None and ci[0] < tau < ci[1]
    if "seed_to_seed_kendall_tau_ci95" in gt.extra:  # exports since the interval was added
        np.testing.assert_allclose(ci, gt.extra["seed_to_seed_kendall_tau_ci95"], atol=1e-12)
    assert n == gt.extra["n_archs_two_seeds"]


def test_architectures_are_distinct_deiso_representatives() -> None:
    gt = load_ground_truth(NAME)
    space = get_space("nb201")
    archs = [space.parse(k) for k in gt.keys]
    assert all(space.is_representative(a) for a in archs)  # type: ignore[attr-defined]
    assert len({space.canonical(a) for a in archs}) == len(archs)


def test_evaluate_on_embedded_benchmark(tmp_path: Path) -> None:
    from naslens.evaluation import evaluate

    ev = evaluate(ground_truth=NAME, dataset="fashion-mnist", estimators=("params", "random"), subset="all",
                  out=tmp_path)  # fmt: skip
    gt = load_ground_truth(NAME)
    assert ev.results["params"]["n_archs"] == len(gt)
    for name in ("params", "random"):
        tau = ev.results[name]["kendall_tau"]
        assert -1 <= tau <= 1
    # the evaluation ranks exactly the embedded values against the analytic parameter counts of the trained network
    space = get_space("nb201")
    r = Recipe.from_dict(gt.extra["recipe"])
    net = {"C": r.C, "N": r.N, "in_channels": r.channels, "input_size": r.input_size, "num_classes": 10}
    params = space.complexity([space.parse(k) for k in gt.keys], **net)["params"].to_numpy()
    expected = kendall_tau(gt.values["fashion-mnist"].to_numpy(), params)
    assert math.isclose(ev.results["params"]["kendall_tau"], expected, abs_tol=1e-12)
    assert (tmp_path / "evaluation.json").exists()


def test_recipe_fingerprint_of_the_embedded_benchmark_is_stable() -> None:
    """Recipes gained optional ``C``/``N`` and ``net``; the embedded benchmark's recipe keeps its fingerprint."""
    from pathlib import Path

    from naslens.benchmarks import load_ground_truth
    from naslens.benchmarks.recipe import Recipe

    gt = load_ground_truth("nb201-fmnist")
    assert gt.extra["recipe_fingerprint"] == "b77ab8b71993c835"
    assert Recipe.from_dict(gt.extra["recipe"]).fingerprint == "b77ab8b71993c835"
    yaml_file = Path(__file__).resolve().parents[2] / "recipes" / "nb201-fmnist.yaml"
    assert Recipe.from_yaml(yaml_file).fingerprint == "b77ab8b71993c835"
