"""The estimator interface: metadata, scores with per-architecture status, and the registry.

An estimator gives every architecture a float score. Its :class:`EstimatorInfo` says how to read the score
(``higher_is_better``) and what computing it needs; its ``config()`` is the full configuration, whose stable hash
keys its results in the score store.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from naslens.registry import Registry

FAMILIES = ("structural", "zeroshot", "oneshot", "predictor", "ensemble", "stored", "low-fidelity")
STATUS_OK = "ok"


@dataclass(frozen=True)
class EstimatorInfo:
    """Metadata every estimator declares; code branches on these fields, never on names."""

    name: str
    family: str
    higher_is_better: bool = True
    needs_data: bool = False
    needs_labels: bool = False
    needs_training: bool = False
    bn_mode: str = "n/a"  # "train" | "eval" | "removed" | "n/a"
    precision: str = "n/a"  # "float32" | "float64" | "n/a"
    description: str = ""

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, got {self.family!r}")
        if self.bn_mode not in ("train", "eval", "removed", "n/a"):
            raise ValueError(f"bn_mode must be train/eval/removed/n/a, got {self.bn_mode!r}")


def config_hash(config: dict[str, Any]) -> str:
    """Stable 12-hex-digit hash of a JSON-serialisable configuration (key order does not matter)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def status_of(value: float) -> str:
    """``ok``, ``nan`` or ``inf`` for a computed value."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf"
    return STATUS_OK


@dataclass
class Scores:
    """Scores of one estimator configuration, aligned with ``keys``.

    ``status[i]`` is ``ok``, ``nan``, ``inf`` or ``failed: <reason>``; ``values[i]`` is NaN for failures.
    """

    info: EstimatorInfo
    config: dict[str, Any]
    keys: list[str]
    values: np.ndarray
    status: list[str]
    seconds: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=np.float64)
        n = len(self.keys)
        if self.values.shape != (n,) or len(self.status) != n:
            raise ValueError(f"scores misaligned: {n} keys, values {self.values.shape}, {len(self.status)} statuses")

    @classmethod
    def from_values(
        cls, info: EstimatorInfo, config: dict[str, Any], keys: Sequence[str], values: Sequence[float] | np.ndarray
    ) -> Scores:
        vals = np.asarray(values, dtype=np.float64)
        return cls(info, config, list(keys), vals, [status_of(float(v)) for v in vals])

    @property
    def finite(self) -> np.ndarray:
        """Mask of usable scores."""
        return np.isfinite(self.values) & np.array([s == STATUS_OK for s in self.status], dtype=bool)

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.status:
            k = "failed" if s.startswith("failed") else s
            counts[k] = counts.get(k, 0) + 1
        return counts

    @property
    def config_hash(self) -> str:
        return config_hash(self.config)

    def describe(self) -> dict[str, Any]:
        return {"info": asdict(self.info), "config": self.config, "config_hash": self.config_hash}


@runtime_checkable
class Estimator(Protocol):
    """Anything with ``info``, ``config()`` and ``score(space, archs)``."""

    info: EstimatorInfo

    def config(self) -> dict[str, Any]: ...

    def score(self, space: Any, archs: Sequence[Any]) -> Scores: ...


ESTIMATORS: Registry[Callable[..., Estimator]] = Registry("estimator")


BUILTIN_MODULES = (
    "naslens.estimators.structural",
    "naslens.estimators.zeroshot",
    "naslens.estimators.oneshot",
)
"""Modules whose import registers the built-in estimators (imported on first use, so that importing
``naslens.estimators`` or ``naslens.store`` stays light and free of import cycles)."""


def load_builtin_estimators() -> None:
    """Register the built-in estimators (idempotent)."""
    import importlib

    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def create_estimator(name: str, **context: Any) -> Estimator:
    """Build a registered estimator. ``context`` carries run settings (``dataset``, ``seed``, …); each factory
    takes what it needs and ignores the rest."""
    load_builtin_estimators()
    return ESTIMATORS.get(name)(**context)


def list_estimators(pattern: str = "*") -> list[str]:
    load_builtin_estimators()
    return ESTIMATORS.list(pattern)
