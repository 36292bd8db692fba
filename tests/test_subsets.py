"""all / deiso / deiso-mean / deiso-gtmean row plans."""

from __future__ import annotations

import numpy as np
import pytest

from naslens.spaces import get_space
from naslens.spaces.nb201 import NB201Arch, canonical
from naslens.subsets import plan_subset

SPACE = get_space("nb201")


def _class_members(n_classes: int = 3) -> list[list[NB201Arch]]:
    groups: dict[str, list[NB201Arch]] = {}
    for a in SPACE.enumerate():
        groups.setdefault(canonical(a), []).append(a)
    multi = [g for g in groups.values() if len(g) >= 3][:n_classes]
    return multi


def test_plans_on_a_small_partial_ground_truth() -> None:
    classes = _class_members()
    # present in the "ground truth": two members of each class, given in reverse benchmark order
    present = [a for g in classes for a in g[1:3]][::-1]
    keys = [a.to_string() for a in present]
    all_plan = plan_subset(SPACE, keys, "all")
    assert sorted(all_plan.rows, key=lambda k: SPACE.parse(k).index) == all_plan.rows
    assert len(all_plan.rows) == 6
    deiso = plan_subset(SPACE, keys, "deiso")
    assert len(deiso.rows) == 3
    # representative = smallest benchmark index among the *present* members
    assert deiso.rows == sorted((g[1].to_string() for g in classes), key=lambda k: SPACE.parse(k).index)
    assert all(len(m) == 1 for m in deiso.members)
    mean = plan_subset(SPACE, keys, "deiso-mean")
    assert mean.rows == deiso.rows and all(len(m) == 2 for m in mean.members)
    # class size is the size in the whole space, not among the present ones
    assert all(s >= 3 for s in mean.class_sizes)
    values = {k: float(SPACE.parse(k).index) for k in keys}
    agg = mean.aggregate(values)
    for row_val, members in zip(agg, mean.members, strict=True):
        assert row_val == pytest.approx(sum(values[k] for k in members) / 2)
    np.testing.assert_array_equal(mean.aggregate_truth(values), agg)
    # deiso-gtmean: the representative's score against the class-mean ground truth
    gtm = plan_subset(SPACE, keys, "deiso-gtmean")
    assert gtm.rows == deiso.rows and gtm.members == deiso.members and gtm.truth_members == mean.members
    np.testing.assert_array_equal(gtm.aggregate(values), deiso.aggregate(values))
    np.testing.assert_array_equal(gtm.aggregate_truth(values), agg)
    assert gtm.needed_keys == deiso.needed_keys
    with pytest.raises(ValueError, match="deiso-gtmean"):
        plan_subset(SPACE, keys, "deiso-mode")


def test_deiso_on_the_whole_space_matches_representatives() -> None:
    keys = [a.to_string() for a in SPACE.enumerate()]
    plan = plan_subset(SPACE, keys, "deiso")
    assert plan.rows == [a.to_string() for a in SPACE.deiso_representatives()]
    assert plan.class_sizes.sum() == 15625
    with pytest.raises(ValueError, match="subset must be one of"):
        plan_subset(SPACE, keys, "unique")
