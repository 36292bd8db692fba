"""Workers of ``naslens score --workers N`` die with their parent (``naslens.workers.worker_pool``).

A parent process runs the pool exactly as the runner does, with workers that each write their PID and then sleep
(the first one disarms its parent-death signal, so that the watchdog fallback is tested too); the test kills or
terminates the parent and checks, through ``/proc``, that no worker is left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import naslens

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux")

PARENT = textwrap.dedent(
    """
    import ctypes, json, os, sys, time
    from pathlib import Path

    from naslens.workers import worker_pool

    def init(folder):
        # the first worker disarms its parent-death signal: only the watchdog thread can end it
        try:
            fd = os.open(os.path.join(folder, "disarmed"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)

    def task(folder):
        Path(folder, f"{os.getpid()}.pid").write_text("")
        time.sleep(300)
        return os.getpid()

    def alive(pid):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state not in ("Z", "X")

    if __name__ == "__main__":
        folder, n = sys.argv[1], int(sys.argv[2])
        try:
            with worker_pool(n, init, (folder,)) as pool:
                for f in [pool.submit(task, folder) for _ in range(n)]:
                    f.result()
        except SystemExit as e:  # SIGTERM: the pool is gone before this process is
            pids = [int(p.stem) for p in Path(folder).glob("*.pid")]
            Path(folder, "after.json").write_text(json.dumps({"code": e.code, "alive": [p for p in pids if alive(p)]}))
            raise
    """
)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


class _Parent:
    """The parent process of a test and the PIDs of its workers; :meth:`cleanup` kills whatever is left."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.pids: list[int] = []

    def start(self, workers: int) -> list[int]:
        script = self.tmp_path / "parent.py"
        script.write_text(PARENT)
        folder = self.tmp_path / "pids"
        folder.mkdir()
        src = str(Path(naslens.__file__).resolve().parents[1])
        path = os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])
        env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen([sys.executable, str(script), str(folder), str(workers)], env=env)
        deadline = time.monotonic() + 90
        while len(pids := sorted(int(p.stem) for p in folder.glob("*.pid"))) < workers:
            if self.proc.poll() is not None:
                pytest.fail(f"the parent exited with {self.proc.returncode} before its workers started")
            if time.monotonic() > deadline:
                pytest.fail("the workers did not start within 90 s")
            time.sleep(0.1)
        self.pids = pids
        assert (folder / "disarmed").exists() and self.proc.pid not in pids
        return pids

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for p in self.pids:
            if _alive(p):
                os.kill(p, signal.SIGKILL)


@pytest.fixture
def parent(tmp_path: Path) -> Iterator[_Parent]:
    par = _Parent(tmp_path)
    try:
        yield par
    finally:
        par.cleanup()


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_sigkill_of_the_parent_ends_its_workers(parent: _Parent) -> None:
    pids = parent.start(2)
    assert all(_alive(p) for p in pids)
    assert parent.proc is not None
    parent.proc.send_signal(signal.SIGKILL)
    parent.proc.wait(10)
    left = _wait_gone(pids, 5.0)  # one by the parent-death signal, the disarmed one by its watchdog (1 s poll)
    assert left == [], f"workers {left} outlived their killed parent"


def test_sigterm_terminates_the_pool_before_the_parent_exits(parent: _Parent) -> None:
    pids = parent.start(1)  # its only worker has no parent-death signal: the pool must end it
    assert parent.proc is not None
    parent.proc.send_signal(signal.SIGTERM)
    try:
        rc = parent.proc.wait(15)
    except subprocess.TimeoutExpired:
        pytest.fail("the parent did not exit within 15 s of SIGTERM")
    after = json.loads((parent.tmp_path / "pids" / "after.json").read_text())
    assert after == {"code": 128 + signal.SIGTERM, "alive": []}  # terminated by the pool, before the parent ended
    assert rc == 128 + signal.SIGTERM
    assert _wait_gone(pids, 5.0) == []
