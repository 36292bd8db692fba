"""Resume after an interruption: an estimator that raises after k computations; the rerun (same store) replays the
journal, computes only what is missing, and ends exactly as an uninterrupted run; cost counts are the same."""

from __future__ import annotations

import pytest
from tests.search.helpers import SimulatedKillError, synthetic_objective, toy

from naslens.search import create_search, stored_runs
from naslens.store import ScoreStore

CASES = [
    ("random-search", {"budget": 15}),
    ("naswot-sampling", {"budget": 8, "runs": 3}),
    ("evolution", {"budget": 16, "population": 5, "sample": 2}),
]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_interrupted_run_resumes_identically(tmp_path, name, options):
    sp = toy()
    reference = create_search(name, **options).run(sp, synthetic_objective(sp)[0], seed=5)

    st = ScoreStore(tmp_path / "store")
    obj, est = synthetic_objective(sp, store=st, raise_after=6, chunk=2)
    with pytest.raises(SimulatedKillError):
        create_search(name, **options).run(sp, obj, seed=5, store=st)
    first = list(est.computed)
    st.close()

    st = ScoreStore(tmp_path / "store")
    obj2, est2 = synthetic_objective(sp, store=st, chunk=2)
    res = create_search(name, **options).run(sp, obj2, seed=5, store=st)
    assert not set(est2.computed) & set(first)  # nothing computed twice
    assert list(res.trajectory["item"]) == list(reference.trajectory["item"])
    assert (res.arch, res.value, res.evaluations) == (reference.arch, reference.value, reference.evaluations)
    assert res.seconds == pytest.approx(reference.seconds)  # replayed steps keep their first-computed seconds
    if name != "naswot-sampling":  # (its extra is run 0's)
        assert res.extra["replayed"] + res.extra["computed"] == res.evaluations and res.extra["replayed"] > 0

    st3 = ScoreStore(tmp_path / "store")
    obj3, est3 = synthetic_objective(sp, store=st3)
    again = create_search(name, **options).run(sp, obj3, seed=5, store=st3)
    assert est3.computed == [] and list(again.trajectory["item"]) == list(res.trajectory["item"])
    runs = stored_runs(st3)
    assert set(runs["search"]) == {name} and runs["finished"].notna().all()


def test_changed_options_are_another_run(tmp_path):
    sp = toy()
    st = ScoreStore(tmp_path)
    create_search("random-search", budget=5).run(sp, synthetic_objective(sp, store=st)[0], seed=0, store=st)
    obj, est = synthetic_objective(sp, store=st)
    res = create_search("random-search", budget=8).run(sp, obj, seed=0, store=st)
    # another journal (same first 5 draws), but the scores of the first run are reused from the store (and counted)
    assert res.evaluations == 8 and len(est.computed) == 3 and len(stored_runs(st)) == 2
