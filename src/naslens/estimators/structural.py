"""Structural baselines: params, FLOPs, ReLU-conv count, and a seeded random score.

They need no data and no training; any serious estimator should beat ``random`` and be compared with
``params``/``flops``, which already rank NB201 architectures well (Kendall τ ≈ 0.6 on CIFAR-10).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.estimators.base import ESTIMATORS, EstimatorInfo, Scores
from naslens.types import SpaceCapabilityError


class ComplexityEstimator:
    """Scores an architecture by one column of ``space.complexity`` (computed analytically)."""

    def __init__(
        self, column: str, description: str, dataset: str = "cifar10", net: dict[str, int] | None = None, **_: Any
    ) -> None:
        self.column = column
        self.dataset = dataset
        self.net = dict(net) if net else None
        self.info = EstimatorInfo(name=column, family="structural", description=description)

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"estimator": self.info.name, "dataset": self.dataset}
        if self.net:
            cfg["net"] = self.net
        return cfg

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        """Computed for the benchmark dataset's network (``space.net_config(dataset)``), or for ``net`` (network
        settings of the space, e.g. those a naslens-built ground truth was trained with) when given.

        Raises:
            SpaceCapabilityError: the space declares no such cost column (``info.cost_columns``).
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


@ESTIMATORS.register("params")
def params(dataset: str = "cifar10", net: dict[str, int] | None = None, **_: Any) -> ComplexityEstimator:
    return ComplexityEstimator("params", "number of parameters (M), BN included, as the benchmark counts", dataset, net)


@ESTIMATORS.register("flops")
def flops(dataset: str = "cifar10", net: dict[str, int] | None = None, **_: Any) -> ComplexityEstimator:
    return ComplexityEstimator(
        "flops", "multiply-accumulates of conv/linear layers (M), the benchmark's FLOPs", dataset, net
    )


@ESTIMATORS.register("flops_all_ops")
def flops_all_ops(dataset: str = "cifar10", net: dict[str, int] | None = None, **_: Any) -> ComplexityEstimator:
    return ComplexityEstimator(
        "flops_all_ops", "FLOPs as NAS-Bench-Suite-Zero counts them (adds BN, ReLU and pooling)", dataset, net
    )


@ESTIMATORS.register("relu")
def relu(dataset: str = "cifar10", net: dict[str, int] | None = None, **_: Any) -> ComplexityEstimator:
    return ComplexityEstimator("relu", "number of ReLU-conv ops in the cell (conv1x1 + conv3x3 edges)", dataset, net)


class RandomEstimator:
    """A uniform score per architecture that depends only on (seed, architecture key): order-independent."""

    info = EstimatorInfo(name="random", family="structural", description="seeded uniform random score")

    def __init__(self, seed: int = 0, **_: Any) -> None:
        self.seed = int(seed)

    def config(self) -> dict[str, Any]:
        return {"estimator": "random", "seed": self.seed}

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        keys = [space.key(a) for a in archs]
        vals = np.array(
            [int.from_bytes(hashlib.sha256(f"{self.seed}:{k}".encode()).digest()[:8], "little") / 2.0**64 for k in keys]
        )
        return Scores.from_values(self.info, self.config(), keys, vals)


ESTIMATORS.add("random", RandomEstimator)
