"""Process pools whose workers never outlive the process that started them (torch-free; every command that fans
out architectures to worker processes uses it: ``naslens score --workers``, ``naslens bench build --workers``).

Killing the parent — ``SIGKILL`` included — ends its workers within about a second: each worker arms a
parent-death signal (Linux ``prctl(PR_SET_PDEATHSIG)``) and a watchdog thread (everywhere) before its own
initializer runs. While a pool is open, ``SIGTERM`` becomes ``SystemExit(143)``; on that, Ctrl-C or an error, queued
tasks are cancelled and the workers terminated at once.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

__all__ = ["PARENT_POLL_S", "worker_pool"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_S = 1.0
"""How often a worker's watchdog thread checks that its parent is alive (the portable fallback)."""


def _die_with_parent(parent: int) -> None:
    """Make this (worker) process end when ``parent`` does.

    On Linux the kernel sends ``SIGKILL`` when the parent dies (``prctl(PR_SET_PDEATHSIG)``; it fires when the
    parent *thread* that started the worker ends, so pools are started from the thread that runs them). Everywhere,
    a daemon thread checks ``os.getppid()`` every :data:`PARENT_POLL_S` seconds and exits the process once the
    worker has been re-parented. Ctrl-C is ignored here: the terminal sends it to the whole process group, and the
    parent decides (it terminates the pool).
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="naslens-parent-watch", daemon=True).start()


def _start_worker(parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    _die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def _raise_system_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def worker_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[cf.ProcessPoolExecutor]:
    """A spawn-context process pool whose workers never outlive this process.

    Each worker arms a parent-death signal (Linux) and a watchdog thread (everywhere) before ``initializer``
    runs, so killing this process — ``SIGKILL`` included — ends its workers within about a second. While the pool
    is open, ``SIGTERM`` (when it has its default action and this is the main thread) becomes ``SystemExit(143)``;
    on that, Ctrl-C or any other exception in the ``with`` body, queued tasks are cancelled and the workers are
    terminated at once instead of finishing what they hold. A normal exit waits for the submitted tasks.
    """
    pool = cf.ProcessPoolExecutor(
        workers,
        mp_context=mp.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )
    previous: Any = None
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        previous = signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        yield pool
    except BaseException:
        _terminate(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminate(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the workers now (terminate, then kill what is still alive after 5 s)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(OSError, ValueError):
            p.terminate()
    deadline = time.monotonic() + 5.0
    for p in procs:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(1.0)
