"""``ScoreStore``: an append-only, resumable store of estimator scores (SQLite, one file per store folder).

Each result is one row keyed by (space, arch, estimator, config hash, seed, checkpoint) and committed in its own
transaction, so a killed run loses at most the result being computed and a rerun skips what is done
(:meth:`ScoreStore.done`). Several worker processes may append to the same store (SQLite serialises writers;
WAL journal). Failed, NaN and inf results are stored with their status and reason, never dropped.

Layout: ``DIR/scores.sqlite`` with tables ``scores`` and ``configs`` (the full JSON of every configuration hash).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.types import EstimatorInfo, Scores, UserError, config_hash

_SCHEMA = """
CREATE TABLE IF NOT EXISTS configs (
    config_hash TEXT PRIMARY KEY,
    estimator   TEXT NOT NULL,
    info_json   TEXT NOT NULL,
    config_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scores (
    space       TEXT NOT NULL,
    arch        TEXT NOT NULL,
    estimator   TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    checkpoint  TEXT NOT NULL DEFAULT '',
    value       REAL,
    status      TEXT NOT NULL,
    seconds     REAL,
    created     REAL NOT NULL,
    PRIMARY KEY (space, arch, estimator, config_hash, seed, checkpoint)
);
"""


class StoreError(UserError, RuntimeError):
    """The store is missing, corrupt, or a query names something it does not hold."""


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


def _connect_readonly(db: Path) -> sqlite3.Connection:
    """A read-only connection.

    When SQLite cannot open the store read-only (on a read-only folder it cannot create the WAL index), the
    database is opened as immutable, which ignores the ``-wal`` file; that is safe only when nothing can write there
    and the ``-wal`` file is absent or empty. Otherwise (rows still in the ``-wal`` file would silently be missing,
    or the folder is writable and the failure is another one) a :class:`StoreError` says what to do.
    """
    uri = db.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=60.0, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as e:
        error = e
    wal = db.with_name(db.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"score store {db.parent} cannot be read read-only: {wal.name} holds rows not yet written into {db.name} "
            f"and SQLite cannot read them without writing to the folder ({error}); open the store read-write once "
            f"where its folder is writable (ScoreStore('{db.parent}') in Python) to checkpoint them into {db.name}, "
            f"or copy the folder with its {wal.name} file to a writable place and read the copy"
        )
    if _writable(db.parent):
        raise StoreError(f"score store {db} cannot be opened read-only: {error}")
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)


def _check_tables(conn: sqlite3.Connection, db: Path) -> None:
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = {"scores", "configs"} - have
    if missing:
        tables = ", ".join(sorted(missing))
        raise StoreError(f"{db} is an SQLite file but not a naslens score store (no table {tables})")


class ScoreStore:
    """Open (creating if needed) the store in folder ``path``.

    Example:
        >>> import tempfile
        >>> from naslens.types import EstimatorInfo
        >>> st = ScoreStore(tempfile.mkdtemp())
        >>> info = EstimatorInfo("demo", "zeroshot")
        >>> st.put("nb201", "arch-a", info, {"estimator": "demo"}, seed=0, value=1.5)
        >>> st.done("nb201", info.name, {"estimator": "demo"}, seed=0)
        {'arch-a'}
    """

    FILE = "scores.sqlite"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False) -> None:
        """Args:
        path: the store folder.
        create: create the folder and the database when missing (else a missing store is a :class:`StoreError`).
        readonly: open for reading only (``evaluate --store``, ``report --store``): nothing is created or
            written, so a store on a read-only disk or shared folder can be read; writing raises ``StoreError``.
        """
        self.path = Path(path)
        self.readonly = readonly
        db = self.path / self.FILE
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"score store path {self.path} is a file, not a folder")
        if not db.exists() and (not create or readonly):
            raise StoreError(f"no score store at {self.path} (expected {db})")
        try:
            if readonly:
                self._conn = _connect_readonly(db)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(db, timeout=60.0, isolation_level=None)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.executescript(_SCHEMA)
            _check_tables(self._conn, db)
        except (sqlite3.DatabaseError, PermissionError) as e:
            if not readonly and self.path.is_dir() and not os.access(self.path, os.W_OK):
                raise StoreError(f"score store {self.path} is not writable (open it read-only to read it)") from None
            raise StoreError(f"score store {db} cannot be opened: {e} (not a naslens store, or corrupt)") from None

    def close(self) -> None:
        self._conn.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The store's SQLite connection (autocommit), for layers that keep their own tables in the store file
        (search trajectories: :mod:`naslens.search.journal`)."""
        return self._conn

    def __enter__(self) -> ScoreStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def _check_writable(self) -> None:
        if self.readonly:
            raise StoreError(f"score store {self.path} was opened read-only; reopen it without readonly=True to write")

    def register_config(self, info: EstimatorInfo, config: dict[str, Any]) -> str:
        """Record the full configuration of ``config``'s hash (kept if already there); returns the hash."""
        self._check_writable()
        h = config_hash(config)
        self._conn.execute(
            "INSERT OR IGNORE INTO configs VALUES (?, ?, ?, ?)",
            (h, info.name, json.dumps(asdict(info), sort_keys=True), json.dumps(config, sort_keys=True, default=str)),
        )
        return h

    def put(
        self,
        space: str,
        arch: str,
        info: EstimatorInfo,
        config: dict[str, Any],
        *,
        seed: int,
        value: float | None,
        status: str | None = None,
        seconds: float | None = None,
        checkpoint: str = "",
    ) -> None:
        """Append one result atomically (its own transaction). An existing key is replaced."""
        self.put_many(space, [(arch, value, status, seconds)], info, config, seed=seed, checkpoint=checkpoint)

    def put_many(
        self,
        space: str,
        rows: Iterable[tuple[str, float | None, str | None, float | None]],
        info: EstimatorInfo,
        config: dict[str, Any],
        *,
        seed: int,
        checkpoint: str = "",
    ) -> None:
        """Append several (arch, value, status, seconds) results in one transaction."""
        self._check_writable()
        h = config_hash(config)
        now = time.time()
        recs = []
        for arch, value, status, seconds in rows:
            v = None if value is None else float(value)
            if status is None:
                status = "failed: no value" if v is None else ("nan" if np.isnan(v) else "inf" if np.isinf(v) else "ok")
            recs.append(
                (
                    space,
                    arch,
                    info.name,
                    h,
                    int(seed),
                    checkpoint,
                    None if v is None or np.isnan(v) else v,
                    status,
                    seconds,
                    now,
                )
            )
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self.register_config(info, config)
            self._conn.executemany("INSERT OR REPLACE INTO scores VALUES (?,?,?,?,?,?,?,?,?,?)", recs)

    # ------------------------------------------------------------------ reading
    def done(self, space: str, estimator: str, config: dict[str, Any], *, seed: int, checkpoint: str = "") -> set[str]:
        """Architecture keys already stored for this configuration (any status: failures are not retried)."""
        cur = self._conn.execute(
            "SELECT arch FROM scores WHERE space=? AND estimator=? AND config_hash=? AND seed=? AND checkpoint=?",
            (space, estimator, config_hash(config), int(seed), checkpoint),
        )
        return {r[0] for r in cur}

    def table(self) -> pd.DataFrame:
        """Every stored result as a tidy DataFrame."""
        return pd.read_sql_query("SELECT * FROM scores", self._conn)

    def configs(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM configs", self._conn)

    def estimators(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT estimator FROM scores ORDER BY estimator")]

    def combos(self, space: str, estimator: str) -> list[tuple[str, int, str]]:
        """Distinct (config_hash, seed, checkpoint) stored for ``estimator``, sorted."""
        q = "SELECT DISTINCT config_hash, seed, checkpoint FROM scores WHERE space=? AND estimator=? ORDER BY 1, 2, 3"
        return [(r[0], int(r[1]), r[2]) for r in self._conn.execute(q, (space, estimator))]

    def scores(
        self,
        space: str,
        estimator: str,
        keys: Sequence[str],
        *,
        config_hash_: str | None = None,
        seed: int | None = None,
        checkpoint: str | None = None,
    ) -> Scores:
        """Stored scores of ``estimator`` for ``keys``, aligned; a key with no stored value gets status
        ``failed: not in store``. With several configurations / seeds / checkpoints stored, the selectors must
        narrow them to one (the error lists what there is); seeds are never silently averaged."""
        q = "SELECT DISTINCT config_hash, seed, checkpoint FROM scores WHERE space=? AND estimator=?"
        combos = self._conn.execute(q, (space, estimator)).fetchall()
        if not combos:
            raise StoreError(f"store {self.path} has no scores for estimator {estimator!r} (has: {self.estimators()})")
        combos = [
            c
            for c in combos
            if (config_hash_ is None or c[0] == config_hash_)
            and (seed is None or c[1] == seed)
            and (checkpoint is None or c[2] == checkpoint)
        ]
        if len(combos) != 1:
            raise StoreError(
                f"{estimator!r}: {len(combos)} matching (config_hash, seed, checkpoint) combinations in {self.path}; "
                f"select one with config_hash/seed/checkpoint: {combos[:10]}"
            )
        h, sd, ck = combos[0]
        info_json, cfg_json = self._conn.execute(
            "SELECT info_json, config_json FROM configs WHERE config_hash=?", (h,)
        ).fetchone()
        rows = self._conn.execute(
            "SELECT arch, value, status, seconds FROM scores WHERE space=? AND estimator=? AND config_hash=? "
            "AND seed=? AND checkpoint=?",
            (space, estimator, h, sd, ck),
        ).fetchall()
        by_key = {r[0]: r for r in rows}
        values, status, secs = [], [], []
        for k in keys:
            r = by_key.get(k)
            if r is None:
                values.append(np.nan)
                status.append("failed: not in store")
                secs.append(np.nan)
            else:
                values.append(np.nan if r[1] is None else r[1])
                status.append(r[2])
                secs.append(np.nan if r[3] is None else r[3])
        info = EstimatorInfo(**json.loads(info_json))
        config = json.loads(cfg_json)
        return Scores(
            info,
            config,
            list(keys),
            np.array(values, dtype=np.float64),
            status,
            np.array(secs),
            extra={"seed": sd, "checkpoint": ck, "store": str(self.path)},
        )
