"""Budget constraints: parsing, refused columns, no violating architecture ever evaluated (sampling, evolution,
predictor-guided), rejections counted, and the HW-NAS-Bench table (keys, provenance; a space without one)."""

from __future__ import annotations

import numpy as np
import pytest
from tests.search.helpers import synthetic_objective, toy
from tests.toy_space import toy_ground_truth

from naslens.benchmarks.hw_metrics import HWMetricsError, load_hw_metrics
from naslens.search import create_search
from naslens.search.constraints import Constraint, ConstraintError, Constraints, parse_constraints
from naslens.search.objective import Objective
from naslens.spaces import get_space


def test_parse():
    assert parse_constraints("flops<=50,params>0.1") == [
        Constraint("flops", "<=", 50.0),
        Constraint("params", ">", 0.1),
    ]
    assert parse_constraints(None) == [] and parse_constraints("") == []
    for bad in ("flops=50", "flops<=abc", "<=3", "flops<=inf"):
        with pytest.raises(ConstraintError):
            parse_constraints(bad)
    with pytest.raises(ConstraintError, match="twice"):
        parse_constraints("flops<=1,flops<=2")
    assert not Constraint("flops", "<=", 1.0).holds(float("nan"))


def test_unknown_column_and_space_without_hw_table():
    with pytest.raises(HWMetricsError, match="no hardware-cost table"):
        Constraints(toy(), "raspi4_latency<=20")
    with pytest.raises(HWMetricsError, match="no hardware-cost table"):
        Constraints(get_space("nb-macro"), "raspi4_latency<=20")


def _toy_flops_limit(sp, quantile=0.4):
    flops = sp.complexity(list(sp.enumerate()), **sp.net_config())["flops"].to_numpy()
    return float(np.quantile(flops, quantile))


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("random-search", {"budget": 6}),
        ("naswot-sampling", {"budget": 10}),
        ("evolution", {"budget": 8, "population": 4, "sample": 2}),
    ],
)
def test_no_violating_architecture_is_evaluated(name, options):
    sp = toy()
    limit = _toy_flops_limit(sp)
    cons = Constraints(sp, f"flops<={limit}")
    obj, est = synthetic_objective(sp)
    res = create_search(name, **options).run(sp, obj, seed=0, constraints=cons)
    flops = sp.complexity([sp.parse(k) for k in est.computed], **sp.net_config())["flops"].to_numpy()
    assert est.computed and (flops <= limit).all()
    assert res.extra["rejections"] > 0 and res.extra["rejections"] == cons.rejections


def test_predictor_guided_reveals_only_admissible():
    sp = toy()
    limit = _toy_flops_limit(sp, 0.6)
    cons = Constraints(sp, f"flops<={limit}")
    obj = Objective(sp, oracle=(toy_ground_truth(), "toy10"))
    res = create_search("predictor-guided", budget=8, per_stage=4).run(sp, obj, seed=0, constraints=cons)
    flops = sp.complexity([sp.parse(k) for k in res.trajectory["item"]], **sp.net_config())["flops"].to_numpy()
    assert (flops <= limit).all() and res.extra["rejections"] == int(
        (sp.complexity(list(sp.enumerate()), **sp.net_config())["flops"].to_numpy() > limit).sum()
    )


@pytest.mark.needs_shared_data
def test_hw_table_keys_and_constraint(shared_data):
    sp = get_space("nb201")
    hw, prov = load_hw_metrics(sp, shared_data)
    assert len(hw) == 15625 and len(prov["sha256"]) == 64 and "raspi4_latency" in hw.columns
    # the file's first row is the NASLib tuple (4, 3, 3, 0, 0, 0)
    first = sp.key(sp.parse("(4, 3, 3, 0, 0, 0)"))
    assert hw.loc[first, "raspi4_latency"] == pytest.approx(10.481976820010459)
    cons = Constraints(sp, "raspi4_latency<=12", data_dir=shared_data)
    assert cons.describe()["hw_table"]["sha256"] == prov["sha256"]
    obj, est = synthetic_objective(sp)
    create_search("random-search", budget=10).run(sp, obj, seed=0, constraints=cons)
    assert (hw.loc[est.computed, "raspi4_latency"] <= 12).all()
    with pytest.raises(ConstraintError, match="hardware columns"):
        Constraints(sp, "raspi5_latency<=1", data_dir=shared_data)
