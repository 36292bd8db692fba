"""Score store: atomic appends, resume keys, non-finite statuses, concurrent writers."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

import numpy as np
import pytest

from naslens.estimators.base import EstimatorInfo
from naslens.store import ScoreStore, StoreError

INFO = EstimatorInfo("demo", "zeroshot", higher_is_better=False, needs_data=True)
CFG = {"estimator": "demo", "batch": 64}


def test_put_done_and_scores(tmp_path: Path) -> None:
    st = ScoreStore(tmp_path)
    st.put("nb201", "a", INFO, CFG, seed=0, value=1.0, seconds=0.1)
    st.put("nb201", "b", INFO, CFG, seed=0, value=float("nan"))
    st.put("nb201", "c", INFO, CFG, seed=0, value=float("inf"))
    st.put("nb201", "d", INFO, CFG, seed=0, value=None, status="failed: singular kernel")
    st.put("nb201", "a", INFO, CFG, seed=1, value=3.0)
    assert st.done("nb201", "demo", CFG, seed=0) == {"a", "b", "c", "d"}
    assert st.done("nb201", "demo", {**CFG, "batch": 128}, seed=0) == set()
    with pytest.raises(StoreError, match="2 matching"):
        st.scores("nb201", "demo", ["a"])
    sc = st.scores("nb201", "demo", ["a", "b", "c", "d", "e"], seed=0)
    assert sc.info == INFO and sc.config == CFG
    assert sc.status == ["ok", "nan", "inf", "failed: singular kernel", "failed: not in store"]
    assert sc.values[0] == 1.0 and np.isnan(sc.values[1]) and np.isinf(sc.values[2])
    assert sc.finite.tolist() == [True, False, False, False, False]
    assert st.combos("nb201", "demo") == [(sc.config_hash, 0, ""), (sc.config_hash, 1, "")]
    st.close()
    # reopening sees everything (durable), and a missing store is an error when create=False
    assert len(ScoreStore(tmp_path).table()) == 5
    with pytest.raises(StoreError, match="no score store"):
        ScoreStore(tmp_path / "missing", create=False)
    with pytest.raises(StoreError, match="no scores for estimator"):
        ScoreStore(tmp_path).scores("nb201", "other", ["a"])


def _writer(path: str, worker: int) -> None:
    st = ScoreStore(path)
    for i in range(50):
        st.put("nb201", f"w{worker}-{i}", INFO, CFG, seed=0, value=float(i))
    st.close()


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(ScoreStore(tmp_path).done("nb201", "demo", CFG, seed=0)) == 100


def _filled(tmp_path: Path) -> Path:
    d = tmp_path / "st"
    with ScoreStore(d) as st:
        st.put("nb201", "a", EstimatorInfo("demo", "zeroshot"), {"estimator": "demo"}, seed=0, value=2.0)
    return d


def test_readonly_store_reads_and_refuses_writes(tmp_path: Path) -> None:
    d = _filled(tmp_path)
    before = (d / ScoreStore.FILE).read_bytes()
    with ScoreStore(d, readonly=True) as st:
        assert st.scores("nb201", "demo", ["a"]).values.tolist() == [2.0]
        with pytest.raises(StoreError, match="read-only"):
            st.put("nb201", "b", EstimatorInfo("demo", "zeroshot"), {"estimator": "demo"}, seed=0, value=1.0)
    assert (d / ScoreStore.FILE).read_bytes() == before  # reading wrote nothing (SQLite may add its WAL sidecars)
    with pytest.raises(StoreError, match="no score store"):
        ScoreStore(tmp_path / "absent", readonly=True)
    assert not (tmp_path / "absent").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_store_on_a_read_only_folder(tmp_path: Path) -> None:
    d = _filled(tmp_path)
    d.chmod(0o555)
    (d / ScoreStore.FILE).chmod(0o444)
    try:
        with ScoreStore(d, readonly=True) as st:
            assert st.estimators() == ["demo"]
        with pytest.raises(StoreError, match="not writable"):
            ScoreStore(d)
    finally:
        d.chmod(0o755)


def test_immutable_fallback_reads_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # what a read-only folder does to SQLite (the WAL index cannot be created) simulated for root
    import sqlite3

    from naslens import store as store_mod

    d = _filled(tmp_path)
    real = sqlite3.connect

    def connect(target: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        if "mode=ro" in str(target):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store_mod.sqlite3, "connect", connect)
    with pytest.raises(StoreError, match="cannot be opened read-only"):  # a writable folder: not that case
        ScoreStore(d, readonly=True)
    monkeypatch.setattr(store_mod, "_writable", lambda folder: False)
    with ScoreStore(d, readonly=True) as st:
        assert st.scores("nb201", "demo", ["a"]).values.tolist() == [2.0]


def _uncheckpointed_copy(tmp_path: Path) -> Path:
    """A copy of a WAL store taken while its writer was open: row ``b`` is only in the ``-wal`` file."""
    import shutil

    src, dst = tmp_path / "src", tmp_path / "copy"
    info, cfg = EstimatorInfo("demo", "zeroshot"), {"estimator": "demo"}
    st = ScoreStore(src)
    st.put("nb201", "a", info, cfg, seed=0, value=1.0)
    st.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    st.put("nb201", "b", info, cfg, seed=0, value=2.0)
    dst.mkdir()
    for name in (ScoreStore.FILE, ScoreStore.FILE + "-wal"):
        shutil.copy(src / name, dst / name)
    st.close()
    assert (dst / (ScoreStore.FILE + "-wal")).stat().st_size > 0
    return dst


def test_uncheckpointed_wal_is_refused_not_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a read-only folder (simulated: root ignores permissions) where SQLite cannot open the WAL store read-only
    import sqlite3

    from naslens import store as store_mod

    d = _uncheckpointed_copy(tmp_path)
    real = sqlite3.connect

    def connect(target: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        if "mode=ro" in str(target):
            raise sqlite3.OperationalError("unable to open database file")
        return real(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store_mod.sqlite3, "connect", connect)
    monkeypatch.setattr(store_mod, "_writable", lambda folder: False)
    with pytest.raises(StoreError, match=r"scores\.sqlite-wal holds rows not yet written") as info:
        ScoreStore(d, readonly=True)  # immutable=1 would silently lose row b
    assert "open the store read-write once" in str(info.value) and "copy the folder" in str(info.value)
    monkeypatch.undo()
    ScoreStore(d).close()  # the fix the message gives: a read-write open checkpoints the -wal file
    monkeypatch.setattr(store_mod.sqlite3, "connect", connect)
    monkeypatch.setattr(store_mod, "_writable", lambda folder: False)
    with ScoreStore(d, readonly=True) as st:
        assert sorted(st.table().arch) == ["a", "b"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_uncheckpointed_wal_on_a_read_only_folder(tmp_path: Path) -> None:
    d = _uncheckpointed_copy(tmp_path)
    d.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="holds rows not yet written"):
            ScoreStore(d, readonly=True)
    finally:
        d.chmod(0o755)
    ScoreStore(d).close()
    d.chmod(0o555)
    try:
        with ScoreStore(d, readonly=True) as st:
            assert sorted(st.table().arch) == ["a", "b"]
    finally:
        d.chmod(0o755)


def test_register_config_refuses_a_read_only_store(tmp_path: Path) -> None:
    d = _filled(tmp_path)
    with ScoreStore(d, readonly=True) as st, pytest.raises(StoreError, match="read-only"):
        st.register_config(EstimatorInfo("other", "zeroshot"), {"estimator": "other"})
    with ScoreStore(d, readonly=True) as st:
        assert len(st.configs()) == 1


def test_bad_store_paths_are_store_errors(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        ScoreStore(f)
    bad = tmp_path / "corrupt"
    bad.mkdir()
    (bad / ScoreStore.FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="corrupt"):
        ScoreStore(bad)
    with pytest.raises(StoreError, match="corrupt"):
        ScoreStore(bad, readonly=True)
    other = tmp_path / "other"
    other.mkdir()
    import sqlite3

    sqlite3.connect(other / ScoreStore.FILE).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreError, match="not a naslens score store"):
        ScoreStore(other, readonly=True)
