"""Test helpers: an explicit import of the search modules (until they are in BUILTIN_SEARCH_MODULES), a synthetic
estimator with known values that can fail or raise, and the toy space."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import naslens.search.evolution
import naslens.search.naswot_sampling
import naslens.search.predictor_guided
import naslens.search.random_search
import naslens.search.zc_evo  # noqa: F401  (registers the searches)
from naslens.search.objective import Objective
from naslens.spaces import get_space
from naslens.types import EstimatorInfo, Scores, status_of


class SimulatedKillError(RuntimeError):
    """Raised by :class:`Synthetic` after its allowance of computations."""


class Synthetic:
    """Scores an architecture by a fixed function of its key; records every key it computed.

    Args:
        fn: key → value (``nan``/``inf`` allowed).
        higher_is_better: the declared direction.
        raise_after: raise :class:`SimulatedKillError` once this many architectures were computed (``None``: never).
        family: the declared family.
    """

    def __init__(
        self,
        fn: Any,
        *,
        higher_is_better: bool = True,
        raise_after: int | None = None,
        family: str = "structural",
        name: str = "synthetic",
    ) -> None:
        self.fn = fn
        self.info = EstimatorInfo(name, family, higher_is_better=higher_is_better)
        self.raise_after = raise_after
        self.computed: list[str] = []

    def config(self) -> dict[str, Any]:
        return {"estimator": self.info.name, "version": 1}

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        keys, vals = [], []
        for a in archs:
            if self.raise_after is not None and len(self.computed) >= self.raise_after:
                raise SimulatedKillError(f"interrupted after {len(self.computed)} computations")
            k = space.key(a)
            self.computed.append(k)
            keys.append(k)
            vals.append(float(self.fn(k)))
        return Scores(
            self.info,
            self.config(),
            keys,
            np.array(vals),
            [status_of(v) for v in vals],
            seconds=np.full(len(keys), 0.25),
        )


def toy() -> Any:
    return get_space("toy-chain")


def hashed(key: str) -> float:
    """A deterministic pseudo-random value of a key."""
    return float(int.from_bytes(key.encode(), "little") % 1009) / 10.0


def synthetic_objective(space: Any, fn: Any = hashed, **kw: Any) -> tuple[Objective, Synthetic]:
    store = kw.pop("store", None)
    chunk = kw.pop("chunk", 16)
    maximize = kw.pop("maximize", None)
    est = Synthetic(fn, **kw)
    return Objective(space, est, store=store, chunk=chunk, maximize=maximize), est
