"""``SearchJournal``: the trajectory of one search run, kept in a score store so that a rerun resumes.

A search run is identified by its search name, space, configuration (everything that changes what it does: the
estimator configuration included) and seed. Every costed step it takes (an estimator evaluation of an architecture, a
supernet perturbation scored, a validation batch) is one row, committed in its own transaction as soon as it is
computed. Searches are deterministic per seed, so a rerun walks the same steps: :meth:`SearchJournal.replay` returns a
stored step instead of computing it again (with the value, status and seconds of the first run, so the reported cost
is the cost the search really had), and computes and appends the first step that is missing. A stored step whose item
differs from the one the rerun asks for means the code or the configuration changed under the same key: that is an
error, never a silent mix.

Tables (in the store's ``scores.sqlite``): ``search_runs`` (one row per run and seed: configuration, final result) and
``search_steps`` (one row per step).

Example:
    >>> import tempfile
    >>> from naslens.store import ScoreStore
    >>> st = ScoreStore(tempfile.mkdtemp())
    >>> j = SearchJournal(st, "demo", "nb201", {"budget": 2}, seed=0)
    >>> j.replay(0, "arch-a", lambda: (1.5, 0.25, {})).value
    1.5
    >>> SearchJournal(st, "demo", "nb201", {"budget": 2}, seed=0).replay(0, "arch-a", lambda: (9.0, 0.0, {})).value
    1.5
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from naslens.store import ScoreStore
from naslens.types import UserError, config_hash, status_of

_SCHEMA = """
CREATE TABLE IF NOT EXISTS search_runs (
    run_hash    TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    search      TEXT NOT NULL,
    space       TEXT NOT NULL,
    config_json TEXT NOT NULL,
    result_json TEXT,
    started     REAL NOT NULL,
    finished    REAL,
    PRIMARY KEY (run_hash, seed)
);
CREATE TABLE IF NOT EXISTS search_steps (
    run_hash    TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    step        INTEGER NOT NULL,
    item        TEXT NOT NULL,
    value       REAL,
    status      TEXT NOT NULL,
    evaluations INTEGER NOT NULL,
    seconds     REAL,
    extra_json  TEXT NOT NULL,
    created     REAL NOT NULL,
    PRIMARY KEY (run_hash, seed, step)
);
"""

STEP_COLUMNS = ("step", "item", "value", "status", "evaluations", "seconds", "extra")


class JournalError(UserError, RuntimeError):
    """A stored trajectory disagrees with the run replaying it (the configuration or the code changed)."""


@dataclass(frozen=True)
class Step:
    """One costed step of a search: what was evaluated (``item``: an architecture key, or a description of a
    supernet perturbation), its value and status, the estimator evaluations it cost and the seconds they took, and
    any search-specific details (``extra``, JSON-serialisable)."""

    step: int
    item: str
    value: float
    status: str
    evaluations: int
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


class SearchJournal:
    """The stored trajectory of one search run (``search`` on ``space`` with ``config`` and ``seed``).

    Args:
        store: the score store to keep it in; ``None`` keeps it in memory only (nothing survives the process).
        search: the search algorithm's registered name.
        space: the search space's name.
        config: the run's full configuration (JSON-serialisable; its hash keys the run).
        seed: the run's seed.
    """

    def __init__(self, store: ScoreStore | None, search: str, space: str, config: dict[str, Any], *, seed: int) -> None:
        self.store = store
        self.search = search
        self.space = space
        self.config = dict(config)
        self.seed = int(seed)
        self.run_hash = config_hash({"search": search, "space": space, "config": self.config})
        self._steps: dict[int, Step] = {}
        self._result: dict[str, Any] | None = None
        if store is not None:
            conn = store.connection
            if not store.readonly:
                conn.executescript(_SCHEMA)
                conn.execute(
                    "INSERT OR IGNORE INTO search_runs VALUES (?, ?, ?, ?, ?, NULL, ?, NULL)",
                    (
                        self.run_hash,
                        self.seed,
                        search,
                        space,
                        json.dumps(self.config, sort_keys=True, default=str),
                        time.time(),
                    ),
                )
            if _has_tables(store):
                self._load()

    # ------------------------------------------------------------------ reading
    def _load(self) -> None:
        assert self.store is not None
        rows = self.store.connection.execute(
            "SELECT step, item, value, status, evaluations, seconds, extra_json FROM search_steps "
            "WHERE run_hash=? AND seed=? ORDER BY step",
            (self.run_hash, self.seed),
        ).fetchall()
        for st, item, value, status, ev, secs, extra in rows:
            self._steps[int(st)] = Step(
                int(st),
                item,
                math.nan if value is None else float(value),
                status,
                int(ev),
                math.nan if secs is None else float(secs),
                json.loads(extra),
            )
        res = self.store.connection.execute(
            "SELECT result_json FROM search_runs WHERE run_hash=? AND seed=?", (self.run_hash, self.seed)
        ).fetchone()
        if res is not None and res[0] is not None:
            self._result = json.loads(res[0])

    def __len__(self) -> int:
        return len(self._steps)

    def get(self, step: int) -> Step | None:
        """The stored step ``step`` (``None`` when not yet computed)."""
        return self._steps.get(step)

    @property
    def result(self) -> dict[str, Any] | None:
        """The final result recorded by :meth:`finish` (``None`` while the run is unfinished)."""
        return self._result

    def steps(self) -> pd.DataFrame:
        """The trajectory so far, one row per step (columns ``STEP_COLUMNS`` plus run_hash, search, space, seed)."""
        rows = [
            {
                "step": s.step,
                "item": s.item,
                "value": s.value,
                "status": s.status,
                "evaluations": s.evaluations,
                "seconds": s.seconds,
                "extra": json.dumps(s.extra, sort_keys=True),
            }
            for s in sorted(self._steps.values(), key=lambda s: s.step)
        ]
        df = pd.DataFrame(rows, columns=list(STEP_COLUMNS))
        df.insert(0, "seed", self.seed)
        df.insert(0, "space", self.space)
        df.insert(0, "search", self.search)
        df.insert(0, "run_hash", self.run_hash)
        return df

    # ------------------------------------------------------------------ writing
    def record(
        self,
        step: int,
        item: str,
        value: float,
        *,
        seconds: float,
        evaluations: int = 1,
        status: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Step:
        """Append step ``step`` (its own transaction); an existing step of that number is an error."""
        if step in self._steps:
            raise JournalError(f"{self.search} seed {self.seed}: step {step} is already recorded")
        v = float(value)
        st = Step(step, item, v, status or status_of(v), int(evaluations), float(seconds), dict(extra or {}))
        if self.store is not None:
            with self.store.connection:
                self.store.connection.execute(
                    "INSERT INTO search_steps VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        self.run_hash,
                        self.seed,
                        step,
                        item,
                        None if math.isnan(v) else v,
                        st.status,
                        st.evaluations,
                        st.seconds,
                        json.dumps(st.extra, sort_keys=True, default=str),
                        time.time(),
                    ),
                )
        self._steps[step] = st
        return st

    def replay(
        self,
        step: int,
        item: str,
        compute: Callable[[], tuple[float, float, dict[str, Any]]],
        *,
        evaluations: int = 1,
    ) -> Step:
        """The stored step ``step`` if the first run recorded it (its item must be ``item``), else
        ``compute()`` → ``(value, seconds, extra)`` recorded as that step.

        Raises:
            JournalError: the stored step evaluated another item (the configuration or the code changed).
        """
        got = self._steps.get(step)
        if got is not None:
            if got.item != item:
                raise JournalError(
                    f"{self.search} seed {self.seed}: the stored trajectory (run {self.run_hash}) evaluated "
                    f"{got.item!r} at step {step}, this run asks for {item!r}; the code or configuration changed "
                    "under the same key: use another store"
                )
            return got
        value, seconds, extra = compute()
        return self.record(step, item, value, seconds=seconds, evaluations=evaluations, extra=extra)

    def finish(self, result: dict[str, Any]) -> None:
        """Record the run's final result (JSON-serialisable): a finished run is reported without recomputing."""
        self._result = dict(result)
        if self.store is not None:
            with self.store.connection:
                self.store.connection.execute(
                    "UPDATE search_runs SET result_json=?, finished=? WHERE run_hash=? AND seed=?",
                    (json.dumps(result, sort_keys=True, default=str), time.time(), self.run_hash, self.seed),
                )


def _has_tables(store: ScoreStore) -> bool:
    have = {r[0] for r in store.connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {"search_runs", "search_steps"} <= have


def stored_runs(store: ScoreStore) -> pd.DataFrame:
    """Every search run a store holds (search, space, seed, run_hash, configuration, result, steps, finished)."""
    cols = ["search", "space", "seed", "run_hash", "config_json", "result_json", "steps", "finished"]
    if not _has_tables(store):
        return pd.DataFrame(columns=cols)
    q = (
        "SELECT r.search, r.space, r.seed, r.run_hash, r.config_json, r.result_json, "
        "(SELECT count(*) FROM search_steps s WHERE s.run_hash=r.run_hash AND s.seed=r.seed) AS steps, r.finished "
        "FROM search_runs r ORDER BY r.search, r.run_hash, r.seed"
    )
    return pd.read_sql_query(q, store.connection)
