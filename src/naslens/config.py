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
