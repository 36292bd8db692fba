"""Where naslens finds the shared benchmark data.

Order: an explicit argument, the ``NASLENS_DATA`` environment variable, then ``../shared/data`` relative to the
current directory (the layout of a checkout next to the shared folder). Data files are read by path, never copied
into the package.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The benchmark-data folder (it may not exist; loaders say so when a file is missing)."""
    if path is not None:
        return Path(path)
    env = os.environ.get("NASLENS_DATA")
    if env:
        return Path(env)
    return Path("..") / "shared" / "data"


def set_threads(n: int) -> None:
    """Use ``n`` CPU threads for torch in this process (before or after torch is imported).

    On a shared or small machine one thread per process is much faster than torch's default (one per core):
    OpenMP threads that wait for a core another process holds spin, and a run can slow down a hundredfold. The
    CLI commands that build networks take ``--threads`` (default 1) and call this.
    """
    import sys

    if n < 1:
        raise ValueError(f"threads must be at least 1, got {n}")
    os.environ["OMP_NUM_THREADS"] = str(n)
    os.environ["MKL_NUM_THREADS"] = str(n)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)
