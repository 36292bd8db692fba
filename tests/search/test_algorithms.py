"""Mechanics of every estimator-driven search on the toy space (27 architectures) and NB201 with cheap synthetic,
structural or oracle objectives: best = max of what was evaluated, budgets in distinct evaluations, aging and
neighbour mutation, NASWOT runs, Pareto sets, determinism per seed, option validation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.search.helpers import hashed, synthetic_objective, toy
from tests.toy_space import toy_ground_truth

from naslens.search import SearchError, create_search, list_searches, search_info
from naslens.search.driver import SearchDriver
from naslens.search.objective import Objective
from naslens.spaces import get_space
from naslens.types import ScoringContext


def _extras(res):
    return [json.loads(e) for e in res.trajectory["extra"]]


def test_registered_with_metadata():
    names = set(list_searches())
    assert {"random-search", "naswot-sampling", "evolution", "zc-evo", "predictor-guided"} <= names
    assert search_info("predictor-guided").needs_enumerable and search_info("zc-evo").kind == "evolution"


def test_random_search_best_is_max_of_evaluated_and_deterministic():
    sp = toy()
    obj, _ = synthetic_objective(sp)
    res = create_search("random-search", budget=12).run(sp, obj, seed=3)
    t = res.trajectory
    assert res.evaluations == 12 == t["item"].nunique() == len(t)
    assert res.value == t["value"].max() and res.arch == t.loc[t["value"].idxmax(), "item"]
    again = create_search("random-search", budget=12).run(sp, synthetic_objective(sp)[0], seed=3)
    other = create_search("random-search", budget=12).run(sp, synthetic_objective(sp)[0], seed=4)
    assert list(again.trajectory["item"]) == list(t["item"]) and list(other.trajectory["item"]) != list(t["item"])


def test_random_search_minimised_objective():
    sp = toy()
    obj, _ = synthetic_objective(sp, higher_is_better=False)
    res = create_search("random-search", budget=10).run(sp, obj, seed=0)
    assert res.value == res.trajectory["value"].min()


def test_budget_larger_than_space_and_bad_options():
    sp = toy()
    with pytest.raises(SearchError, match="exceeds the 27"):
        create_search("random-search", budget=28).run(sp, synthetic_objective(sp)[0])
    with pytest.raises(SearchError, match="no option"):
        create_search("evolution", popualtion=5)
    with pytest.raises(SearchError, match="must be a int"):
        create_search("evolution", population="5")
    with pytest.raises(SearchError, match="at least 1"):
        create_search("naswot-sampling", runs=0)
    with pytest.raises(SearchError, match="needs replace"):
        create_search("evolution", population=3, sample=5, replace=False, budget=10)
    with pytest.raises(SearchError, match="smaller than the initial population"):
        create_search("evolution", budget=5, population=10)
    with pytest.raises(SearchError, match="warmup"):
        create_search("evolution", budget=50, population=10, warmup=5)


def test_naswot_best_of_n_is_max_over_sampled_runs():
    sp = get_space("nb201")
    obj = Objective.create("flops", sp, ScoringContext(dataset="cifar10"))
    res = create_search("naswot-sampling", budget=25, runs=3).run(sp, obj, seed=1)
    rng = np.random.default_rng([1, 0])
    drawn = [sp.key(sp.sample(rng)) for _ in range(25)]
    flops = dict(zip(drawn, obj.evaluate([sp.parse(k) for k in drawn]), strict=True))
    assert res.arch == max(drawn, key=lambda k: flops[k].value) and res.value == max(v.value for v in flops.values())
    assert len(res.extra["runs"]) == 3 and set(res.trajectory["run"]) == {0, 1, 2}
    run_archs = {r["arch"] for r in res.extra["runs"]}
    for r in res.extra["runs"]:
        sub = res.trajectory[res.trajectory["run"] == r["run"]]
        assert r["value"] == sub["value"].max() and r["evaluations"] == len(sub) == sub["item"].nunique()
    assert res.evaluations == sum(r["evaluations"] for r in res.extra["runs"]) and len(run_archs) >= 1


def test_evolution_ages_mutates_neighbours_and_best_is_max():
    sp = get_space("nb201")
    obj, _ = synthetic_objective(sp)
    res = create_search("evolution", budget=40, population=8, sample=3).run(sp, obj, seed=0)
    t = res.trajectory
    ex = _extras(res)
    assert res.evaluations == 40 and sum(1 for e in ex if e.get("init")) == 8
    for item, e in zip(t["item"], ex, strict=True):
        if "parent" in e:
            assert sp.parse(item) in sp.neighbors(sp.parse(e["parent"]))
    assert res.value == t["value"].max()
    # aging: the final population is the last P individuals added (children, repeats included)
    assert len(res.extra["population"]) == 8
    children = [e for e in ex if "parent" in e]
    assert res.extra["cycles"] >= len(children) == 32
    if res.extra["cycles"] == len(children):  # no repeated child: the population is exactly the last 8 steps
        assert res.extra["population"] == list(t["item"].iloc[-8:])


def test_evolution_population_is_replaced_oldest_first_on_toy():
    """On the toy space children often repeat an architecture (no new step, but a new individual): the final
    population is still the last P individuals added, whatever their values."""
    from naslens.search.evolution import RegularizedEvolution

    sp = toy()
    added: list[str] = []

    class Recording(RegularizedEvolution):
        @staticmethod
        def _mutate(drv, arch, rng):
            child = RegularizedEvolution._mutate(drv, arch, rng)
            added.append(sp.key(child))
            return child

    obj, _ = synthetic_objective(sp)
    res = Recording(budget=14, population=4, sample=2).run(sp, obj, seed=2)
    init = [k for k, e in zip(res.trajectory["item"], _extras(res), strict=True) if e.get("init")]
    assert len(added) == res.extra["cycles"] and len(init) == 4
    assert res.extra["population"] == (init + added)[-4:]


def test_evolution_deterministic_per_seed():
    sp = toy()
    runs = [
        create_search("evolution", budget=15, population=5, sample=2).run(sp, synthetic_objective(sp)[0], seed=s)
        for s in (7, 7, 8)
    ]
    assert list(runs[0].trajectory["item"]) == list(runs[1].trajectory["item"])
    assert runs[0].extra["population"] == runs[1].extra["population"]
    assert list(runs[0].trajectory["item"]) != list(runs[2].trajectory["item"])


def test_warmup_population_is_top_of_warmup_sample():
    sp = get_space("nb201")
    obj, _ = synthetic_objective(sp)
    res = create_search("evolution", budget=30, population=5, sample=2, warmup=20).run(sp, obj, seed=0)
    t = res.trajectory.iloc[:20]
    top = set(t.sort_values("value", ascending=False)["item"].iloc[:5])
    assert len(top) == 5
    first_child = next(e for e in _extras(res) if "parent" in e)
    assert first_child["parent"] in top


def test_zc_evo_needs_a_zero_shot_objective():
    sp = toy()
    obj, _ = synthetic_objective(sp)
    with pytest.raises(SearchError, match="zero-shot proxy"):
        create_search("zc-evo", budget=10, population=4, sample=2).run(sp, obj)
    zs, _ = synthetic_objective(sp, family="zeroshot")
    res = create_search("zc-evo", budget=10, population=4, sample=2).run(sp, zs, seed=0)
    assert res.evaluations == 10 and res.value == res.trajectory["value"].max()


def test_pareto_hand_case():
    sp = toy()
    keys = [sp.key(a) for a in sp.enumerate()][:5]
    first = dict(zip(keys, [1.0, 3.0, 2.0, 3.0, 0.5], strict=True))  # maximised
    cost = dict(zip(keys, [1.0, 2.0, 1.0, 3.0, 0.2], strict=True))  # minimised
    a, _ = synthetic_objective(sp, fn=lambda k: first[k])
    b, _ = synthetic_objective(sp, fn=lambda k: cost[k], higher_is_better=False)
    b.label = "cost"
    with SearchDriver("demo", sp, [a, b], {}, seed=0) as drv:
        drv.evaluate([sp.parse(k) for k in keys])
        front = {p.key for p in drv.pareto()}
    # (1,1) dominated by (2,1); (3,3) dominated by (3,2); front: (3,2), (2,1), (0.5,0.2)
    assert front == {keys[1], keys[2], keys[4]}


def test_multi_objective_random_search_returns_pareto():
    sp = get_space("nb201")
    ctx = ScoringContext(dataset="cifar10")
    objs = [Objective.create("params", sp, ctx), Objective.create("flops:min", sp, ctx)]
    res = create_search("random-search", budget=30).run(sp, objs, seed=0)
    assert res.pareto and res.arch == res.pareto[0]
    vals = {k: v for k, v in zip(res.trajectory["item"], _extras(res), strict=True)}
    for k in res.pareto:  # no evaluated architecture dominates a Pareto member
        p, f = vals[k]["values"]
        assert not any(q >= p and g <= f and (q > p or g < f) for q, g in (v["values"] for v in vals.values()))


def test_predictor_guided_reveals_stages_with_oracle():
    sp = toy()
    gt = toy_ground_truth()
    obj = Objective(sp, oracle=(gt, "toy10"), label="gt:toy")
    res = create_search("predictor-guided", budget=12, per_stage=4).run(sp, obj, seed=0)
    assert res.evaluations == 12 and len(res.extra["stages"]) == 3
    assert res.value == res.trajectory["value"].max() == res.extra["stages"][-1]["best_found"]
    with pytest.raises(SearchError, match="gt:NAME"):
        create_search("predictor-guided", budget=12, per_stage=4).run(sp, synthetic_objective(sp)[0])


def test_hashed_helper_is_not_constant():
    sp = toy()
    assert len({hashed(sp.key(a)) for a in sp.enumerate()}) > 10


@pytest.mark.parametrize("name", ["random-search", "naswot-sampling", "evolution"])
def test_runs_on_nb_macro(name):
    sp = get_space("nb-macro")
    obj = Objective.create("flops:min", sp, ScoringContext())
    res = create_search(name, budget=12, **({"population": 4} if name == "evolution" else {})).run(sp, obj, seed=0)
    assert res.space == "nb-macro" and res.value == res.trajectory["value"].min() and sp.parse(res.arch) is not None
