"""The search journal: steps persist, a rerun replays them (same values and seconds), a changed trajectory is an
error, the final result is kept, and an in-memory journal works without a store."""

from __future__ import annotations

import math

import pytest

from naslens.search import JournalError, SearchJournal, stored_runs
from naslens.store import ScoreStore


def _compute(value: float, seconds: float = 0.5):
    calls = []

    def f():
        calls.append(1)
        return value, seconds, {"note": "x"}

    return f, calls


def test_steps_survive_and_replay(tmp_path):
    st = ScoreStore(tmp_path)
    j = SearchJournal(st, "demo", "nb201", {"budget": 3, "estimator": {"name": "synflow"}}, seed=1)
    f, calls = _compute(2.0, 0.7)
    j.replay(0, "a", f)
    j.replay(1, "b", _compute(float("nan"))[0])
    assert calls == [1] and len(j) == 2
    st.close()
    st = ScoreStore(tmp_path)
    again = SearchJournal(st, "demo", "nb201", {"estimator": {"name": "synflow"}, "budget": 3}, seed=1)
    assert again.run_hash == j.run_hash and len(again) == 2
    g, gcalls = _compute(99.0)
    s0 = again.replay(0, "a", g)
    assert gcalls == [] and s0.value == 2.0 and s0.seconds == 0.7 and s0.extra == {"note": "x"}
    s1 = again.get(1)
    assert s1 is not None and math.isnan(s1.value) and s1.status == "nan"
    h, hcalls = _compute(3.0)
    assert again.replay(2, "c", h).value == 3.0 and hcalls == [1]
    df = again.steps()
    assert list(df["item"]) == ["a", "b", "c"] and set(df["seed"]) == {1}


def test_other_seed_or_config_is_another_run(tmp_path):
    st = ScoreStore(tmp_path)
    SearchJournal(st, "demo", "nb201", {"budget": 3}, seed=0).replay(0, "a", _compute(1.0)[0])
    assert len(SearchJournal(st, "demo", "nb201", {"budget": 3}, seed=1)) == 0
    assert len(SearchJournal(st, "demo", "nb201", {"budget": 4}, seed=0)) == 0
    assert len(SearchJournal(st, "demo", "nb-macro", {"budget": 3}, seed=0)) == 0


def test_changed_trajectory_is_an_error(tmp_path):
    st = ScoreStore(tmp_path)
    SearchJournal(st, "demo", "nb201", {}, seed=0).replay(0, "a", _compute(1.0)[0])
    with pytest.raises(JournalError, match="evaluated 'a' at step 0"):
        SearchJournal(st, "demo", "nb201", {}, seed=0).replay(0, "b", _compute(1.0)[0])
    j = SearchJournal(st, "demo", "nb201", {}, seed=0)
    with pytest.raises(JournalError, match="already recorded"):
        j.record(0, "a", 1.0, seconds=0.0)


def test_finish_and_listing(tmp_path):
    st = ScoreStore(tmp_path)
    assert stored_runs(st).empty
    j = SearchJournal(st, "demo", "nb201", {"budget": 1}, seed=0)
    j.replay(0, "a", _compute(1.0)[0])
    assert j.result is None
    j.finish({"arch": "a", "value": 1.0})
    again = SearchJournal(st, "demo", "nb201", {"budget": 1}, seed=0)
    assert again.result == {"arch": "a", "value": 1.0}
    runs = stored_runs(st)
    assert runs.loc[0, "steps"] == 1 and runs.loc[0, "search"] == "demo" and runs.loc[0, "finished"] > 0
    ro = ScoreStore(tmp_path, readonly=True)
    assert SearchJournal(ro, "demo", "nb201", {"budget": 1}, seed=0).result == {"arch": "a", "value": 1.0}


def test_in_memory_journal():
    j = SearchJournal(None, "demo", "nb201", {}, seed=0)
    f, calls = _compute(1.0)
    j.replay(0, "a", f)
    j.replay(0, "a", f)
    assert calls == [1] and len(j) == 1
    j.finish({"arch": "a"})
    assert j.result == {"arch": "a"}


def test_infinite_values_replay_as_infinite(tmp_path):
    """An overflowing value replays as the same infinity (only NaN is stored as NULL), so a resumed run decides as
    the first one did."""
    st = ScoreStore(tmp_path)
    j = SearchJournal(st, "demo", "nb201", {}, seed=0)
    j.replay(0, "a", _compute(float("inf"))[0])
    j.replay(1, "b", _compute(float("-inf"))[0])
    again = SearchJournal(ScoreStore(tmp_path), "demo", "nb201", {}, seed=0)
    s0, s1 = again.get(0), again.get(1)
    assert s0 is not None and s0.value == float("inf") and s0.status == "inf"
    assert s1 is not None and s1.value == float("-inf")
