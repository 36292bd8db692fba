"""Where naslens finds the shared benchmark data.

Order: an explicit argument, the ``NASLENS_DATA`` environment variable, then ``../shared/data`` relative to the
current directory (the layout of a checkout next to the shared folder). Data files are read by path, never copied
into the package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


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


def parse_settings(items: list[str], option: str = "--net") -> dict[str, Any]:
    """``["C=8", "bn_affine=true"]`` → ``{"C": 8, "bn_affine": True}``: ints, floats, ``true``/``false``, else text
    (the space validates keys and values). Empty items are skipped.

    Raises:
        ValueError: an item without ``=`` or a key given twice (the message names ``option``).

    Example:
        >>> parse_settings(["init_channels=8", " head_channels = 64", "bn_affine=TRUE"])
        {'init_channels': 8, 'head_channels': 64, 'bn_affine': True}
    """
    out: dict[str, Any] = {}
    for item in (t.strip() for t in items):
        if not item:
            continue
        key, eq, text = (s.strip() for s in item.partition("="))
        if not eq or not key or not text:
            raise ValueError(f"{option}: expected KEY=VALUE items (e.g. C=8), got {item!r}")
        if key in out:
            raise ValueError(f"{option}: {key!r} is given twice")
        value: Any = text
        if text.lower() in ("true", "false"):
            value = text.lower() == "true"
        else:
            for conv in (int, float):
                try:
                    value = conv(text)
                    break
                except ValueError:
                    continue
        out[key] = value
    return out
