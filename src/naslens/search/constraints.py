"""Budget constraints of a search: FLOPs / params limits and, where the space has a hardware table, latency / energy.

A constraint spec is a comma-separated list of ``COLUMN OP LIMIT`` items, ``OP`` one of ``<=``, ``<``, ``>=``, ``>``:
``flops<=50,raspi4_latency<=20``. A column is either one of the space's declared cost columns
(``space.info.cost_columns``, computed by ``space.complexity`` for the run's network; ``params`` and ``flops`` in
millions) or a column of the space's hardware table (:mod:`naslens.benchmarks.hw_metrics`, e.g. HW-NAS-Bench latency
in ms and energy in mJ for NB201). Any other column is refused with the list of valid ones.

Searches never evaluate an architecture that violates a constraint: they sample again (rejection sampling) or pick
another neighbour (constrained mutation), and count every architecture refused (:attr:`Constraints.rejections`). An
architecture without a hardware value (not in the table) violates the constraint (counted, never guessed).

Example:
    >>> parse_constraints("flops<=50, params<1.2")
    [Constraint(column='flops', op='<=', limit=50.0), Constraint(column='params', op='<', limit=1.2)]
    >>> parse_constraints("flops=50")
    Traceback (most recent call last):
    ...
    naslens.search.constraints.ConstraintError: constraint 'flops=50': expected COLUMN<=LIMIT (or <, >=, >), \
e.g. flops<=50
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from naslens.search._base import SearchError

OPS = ("<=", ">=", "<", ">")
_ITEM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*$")


class ConstraintError(SearchError):
    """An unreadable constraint spec, or a column the space does not offer."""


@dataclass(frozen=True)
class Constraint:
    """One limit: ``column op limit``."""

    column: str
    op: str
    limit: float

    def holds(self, value: float) -> bool:
        """Whether ``value`` satisfies the limit (a NaN value never does)."""
        if not math.isfinite(value):
            return False
        if self.op == "<=":
            return value <= self.limit
        if self.op == "<":
            return value < self.limit
        if self.op == ">=":
            return value >= self.limit
        return value > self.limit

    def __str__(self) -> str:
        return f"{self.column}{self.op}{self.limit:g}"


def parse_constraints(spec: str | Sequence[str] | None) -> list[Constraint]:
    """The constraints of a spec string (or a list of items); empty or ``None`` → no constraint.

    Raises:
        ConstraintError: an item that is not ``COLUMN OP LIMIT``, or a column constrained twice with the same op.
    """
    if spec is None:
        return []
    items = spec.split(",") if isinstance(spec, str) else [p for s in spec for p in str(s).split(",")]
    out: list[Constraint] = []
    for item in (i for i in items if i.strip()):
        m = _ITEM.match(item)
        if m is None:
            raise ConstraintError(f"constraint {item.strip()!r}: expected COLUMN<=LIMIT (or <, >=, >), e.g. flops<=50")
        try:
            limit = float(m.group(3))
        except ValueError:
            raise ConstraintError(f"constraint {item.strip()!r}: {m.group(3)!r} is not a number") from None
        if not math.isfinite(limit):
            raise ConstraintError(f"constraint {item.strip()!r}: the limit must be finite")
        c = Constraint(m.group(1), m.group(2), limit)
        if any(o.column == c.column and o.op == c.op for o in out):
            raise ConstraintError(f"constraint {c.column}{c.op}: given twice")
        out.append(c)
    return out


class Constraints:
    """The constraints of one search on one space, with the architectures' costs cached by key.

    Args:
        space: the search space.
        spec: a constraint spec (see the module docstring) or parsed constraints.
        net: network settings the cost columns are computed for (``space.net_config`` keys); ``None``: the benchmark
            network of ``dataset``.
        dataset: the dataset whose benchmark network the cost columns are computed for (default: the space's).
        data_dir: the shared data folder (hardware tables).

    Raises:
        ConstraintError: a column that is neither a cost column of the space nor a column of its hardware table.
        HWMetricsError: a hardware column asked of a space without a table, or a missing table file.
    """

    def __init__(
        self,
        space: Any,
        spec: str | Sequence[Constraint] | None,
        *,
        net: Mapping[str, Any] | None = None,
        dataset: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.space = space
        self.items = parse_constraints(spec) if spec is None or isinstance(spec, str) else list(spec)
        self.net = dict(space.net_config(None, **net)) if net else dict(space.net_config(dataset))
        self.rejections = 0
        self._cache: dict[str, bool] = {}
        self.hw: pd.DataFrame | None = None
        self.hw_provenance: dict[str, Any] = {}
        cost = set(space.info.cost_columns)
        hw_cols = [c.column for c in self.items if c.column not in cost]
        if hw_cols:
            from naslens.benchmarks.hw_metrics import HW_TABLES, HWMetricsError, load_hw_metrics

            table = HW_TABLES.get(space.info.name)
            if table is None:
                raise HWMetricsError(
                    f"constraint on {hw_cols[0]!r}: it is not a cost column of space {space.info.name!r} "
                    f"({', '.join(space.info.cost_columns)}) and the space has no hardware-cost table"
                )
            unknown = [c for c in hw_cols if c not in table.columns]
            if unknown:
                raise ConstraintError(
                    f"constraint on {unknown[0]!r}: space {space.info.name!r} offers the cost columns "
                    f"{', '.join(space.info.cost_columns)} and the hardware columns {', '.join(table.columns)}"
                )
            self.hw, self.hw_provenance = load_hw_metrics(space, data_dir)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def spec(self) -> str:
        """The canonical spec string (empty when unconstrained)."""
        return ",".join(str(c) for c in self.items)

    def describe(self) -> dict[str, Any]:
        """What the constraints are, for the run's configuration and provenance (JSON-serialisable)."""
        out: dict[str, Any] = {"spec": self.spec}
        if any(c.column in self.space.info.cost_columns for c in self.items):
            out["net"] = {k: v for k, v in self.net.items()}
        if self.hw is not None:
            out["hw_table"] = {k: self.hw_provenance[k] for k in ("path", "sha256", "origin", "dataset")}
        return out

    def costs(self, archs: Sequence[Any]) -> pd.DataFrame:
        """The constrained columns of ``archs`` (one row per architecture, NaN where a hardware value is missing)."""
        keys = [self.space.key(a) for a in archs]
        out = pd.DataFrame(index=pd.Index(keys, name="arch"))
        cols = sorted({c.column for c in self.items})
        cx = [c for c in cols if c in self.space.info.cost_columns]
        if cx:
            table = self.space.complexity(list(archs), **self.net)
            for c in cx:
                out[c] = table[c].to_numpy()
        for c in cols:
            if c not in cx:
                assert self.hw is not None
                out[c] = self.hw[c].reindex(keys).to_numpy()
        return out

    def admits_many(self, archs: Sequence[Any]) -> list[bool]:
        """:meth:`admits` of many architectures at once (their costs computed in one call; refused ones counted)."""
        if not self.items:
            return [True] * len(archs)
        keys = [self.space.key(a) for a in archs]
        todo = [a for a, k in zip(archs, keys, strict=True) if k not in self._cache]
        if todo:
            table = self.costs(todo)
            for k, (_, row) in zip([self.space.key(a) for a in todo], table.iterrows(), strict=True):
                self._cache[k] = all(c.holds(float(row[c.column])) for c in self.items)
        out = [self._cache[k] for k in keys]
        self.rejections += out.count(False)
        return out

    def admits(self, arch: Any, *, count: bool = True) -> bool:
        """Whether ``arch`` satisfies every constraint; a refused one is counted in :attr:`rejections`."""
        if not self.items:
            return True
        key = self.space.key(arch)
        ok = self._cache.get(key)
        if ok is None:
            row = self.costs([arch]).iloc[0]
            ok = all(c.holds(float(row[c.column])) for c in self.items)
            self._cache[key] = ok
        if not ok and count:
            self.rejections += 1
        return ok
