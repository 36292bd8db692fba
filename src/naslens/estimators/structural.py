"""Structural baselines: params, FLOPs, ReLU-conv count, and a seeded random score.

They need no data and no training; any serious estimator should beat ``random`` and be compared with
``params``/``flops``, which already rank NB201 architectures well (Kendall τ ≈ 0.6 on CIFAR-10).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.estimators.base import EstimatorInfo, Scores, add_estimator
from naslens.types import SpaceCapabilityError

COMPLEXITY_CONTEXT = ("dataset", "net")
"""Run settings the complexity estimators take: the ground truth's dataset and, for a naslens-built ground truth,
the network it was trained with."""

COMPLEXITY_ESTIMATORS: dict[str, str] = {
    "params": "number of parameters (M), BN included, as the benchmark counts",
    "flops": "multiply-accumulates of conv/linear layers (M), the benchmark's FLOPs",
    "flops_all_ops": "FLOPs as NAS-Bench-Suite-Zero counts them (adds BN, ReLU and pooling)",
    "relu": "number of ReLU-conv ops in the cell (conv1x1 + conv3x3 edges)",
}
"""Estimators that read one cost column of ``space.complexity`` (the column has the estimator's name)."""


def complexity_info(column: str) -> EstimatorInfo:
    """The metadata of the estimator reading cost column ``column``."""
    return EstimatorInfo(name=column, family="structural", description=COMPLEXITY_ESTIMATORS[column])


class ComplexityEstimator:
    """Scores an architecture by one column of ``space.complexity`` (computed analytically).

    Args:
        column: the cost column (one of :data:`COMPLEXITY_ESTIMATORS`).
        dataset: the ground truth's dataset, recorded in the configuration; without ``net`` the space's
            benchmark network for it is used.
        net: network settings of the space (e.g. those a naslens-built ground truth was trained with).
    """

    def __init__(self, column: str, dataset: str = "cifar10", net: dict[str, Any] | None = None) -> None:
        self.column = column
        self.dataset = dataset
        self.net = dict(net) if net else None
        self.info = complexity_info(column)

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"estimator": self.info.name, "dataset": self.dataset}
        if self.net:
            cfg["net"] = self.net
        return cfg

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        """Computed for the benchmark dataset's network (``space.net_config(dataset)``), or for ``net`` (network
        settings of the space, e.g. those a naslens-built ground truth was trained with) when given.

        Raises:
            SpaceCapabilityError: the space declares no such cost column (``info.cost_columns``), or has no
                network settings for ``dataset`` and no ``net`` was given.
        """
        if self.column not in space.info.cost_columns:
            raise SpaceCapabilityError(
                f"estimator {self.info.name!r} needs the cost column {self.column!r}, which space {space.name!r} "
                f"does not declare (it has {', '.join(space.info.cost_columns)})"
            )
        net = space.net_config(None, **self.net) if self.net else space.net_config(self.dataset)
        table = space.complexity(archs, **net)
        return Scores.from_values(
            self.info, self.config(), [space.key(a) for a in archs], table[self.column].to_numpy()
        )


def _complexity_factory(column: str) -> Any:
    def make(dataset: str = "cifar10", net: dict[str, Any] | None = None) -> ComplexityEstimator:
        return ComplexityEstimator(column, dataset, net)

    make.__name__ = column
    make.__doc__ = f"The structural estimator {column!r}: {COMPLEXITY_ESTIMATORS[column]}."
    return make


for _column in COMPLEXITY_ESTIMATORS:
    add_estimator(
        _column,
        _complexity_factory(_column),
        info=complexity_info(_column),
        context=COMPLEXITY_CONTEXT,
        cost_columns=(_column,),
    )


class RandomEstimator:
    """A uniform score per architecture that depends only on (seed, architecture key): order-independent."""

    info = EstimatorInfo(name="random", family="structural", description="seeded uniform random score")

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)

    def config(self) -> dict[str, Any]:
        return {"estimator": "random", "seed": self.seed}

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        keys = [space.key(a) for a in archs]
        vals = np.array(
            [int.from_bytes(hashlib.sha256(f"{self.seed}:{k}".encode()).digest()[:8], "little") / 2.0**64 for k in keys]
        )
        return Scores.from_values(self.info, self.config(), keys, vals)


add_estimator("random", RandomEstimator, info=RandomEstimator.info, context=("seed",))
