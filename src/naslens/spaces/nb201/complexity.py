"""Analytic params / FLOPs of NB201 networks, vectorised over architectures.

Conventions (they match the benchmark's stored numbers exactly; see reference-facts):

- ``params``: every parameter of :func:`naslens.spaces.nb201.network.build_nb201`, BatchNorm γ/β included, ÷1e6.
- ``flops``: multiply-accumulates of Conv2d and Linear layers (plus the Linear bias adds) for one image, ÷1e6 —
  the benchmark's definition. Pooling, BN, ReLU and additions are not counted.
- ``flops_all_ops``: the count stored in the NASLib / NAS-Bench-Suite-Zero ``zc_*.json`` files, which also counts
  BatchNorm (2 per element), ReLU (1 per element), average pooling (k² per output element), global pooling
  ((h+1)² per channel) and leaves out the Linear bias. It reproduces that file's values exactly at the
  benchmark's configuration; it is offered only to compare with that suite — prefer ``flops``.

Both counts depend only on the number of conv1×1 and conv3×3 edges (and avg-pool edges for ``flops_all_ops``):
every op of the cell is built and run, dead paths included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from naslens.spaces.nb201.arch import NB201Arch
from naslens.spaces.nb201.depth import nb201_cell_depth

_C1, _C3, _AVG = 2, 3, 4  # benchmark op codes


@dataclass(frozen=True)
class NetConfig:
    """Macro configuration of the NB201 network."""

    C: int = 16
    N: int = 5
    num_classes: int = 10
    in_channels: int = 3
    input_size: int = 32

    def __post_init__(self) -> None:
        for name in ("C", "N", "num_classes", "in_channels", "input_size"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.input_size % 4:
            raise ValueError(f"input_size must be divisible by 4 (two stride-2 reductions), got {self.input_size}")

    @property
    def stages(self) -> tuple[tuple[int, int], ...]:
        """(channels, resolution) of the three cell stages."""
        h = self.input_size
        return ((self.C, h), (2 * self.C, h // 2), (4 * self.C, h // 4))


DATASET_CONFIGS: dict[str, dict[str, int]] = {
    "cifar10": {"num_classes": 10, "input_size": 32},
    "cifar10-valid": {"num_classes": 10, "input_size": 32},
    "cifar100": {"num_classes": 100, "input_size": 32},
    "imagenet16-120": {"num_classes": 120, "input_size": 16},
}
"""Classifier size and input resolution of the benchmark's datasets."""


def dataset_config(dataset: str) -> dict[str, int]:
    key = dataset.lower()
    if key not in DATASET_CONFIGS:
        raise ValueError(f"unknown NB201 dataset {dataset!r}; known: {', '.join(DATASET_CONFIGS)}")
    return dict(DATASET_CONFIGS[key])


def _op_counts(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n1 = (codes == _C1).sum(axis=1)
    n3 = (codes == _C3).sum(axis=1)
    navg = (codes == _AVG).sum(axis=1)
    nskip = (codes == 1).sum(axis=1)
    return n1, n3, navg, nskip


def _fixed_counts(cfg: NetConfig) -> tuple[int, int, int]:
    """Params, benchmark FLOPs and extra all-op FLOPs of everything outside the cells (integers)."""
    C, K, h = cfg.C, cfg.num_classes, cfg.input_size
    params = cfg.in_channels * C * 9 + 2 * C  # stem conv + BN
    flops = cfg.in_channels * C * 9 * h * h
    extra = 2 * C * h * h  # stem BN
    for c, res in cfg.stages[:2]:  # reduction blocks c -> 2c at output resolution res/2
        o = res // 2
        params += 9 * c * 2 * c + 2 * 2 * c  # conv_a (3x3, s2) + BN
        params += 9 * 2 * c * 2 * c + 2 * 2 * c  # conv_b (3x3) + BN
        params += c * 2 * c  # shortcut conv1x1 (after 2x2 avg pool), no BN
        flops += (9 * c * 2 * c + 9 * 4 * c * c + c * 2 * c) * o * o
        # all-ops extras: ReLU on conv_a input, BN of conv_a, ReLU + BN of conv_b, 2x2 avg pool (4 per output)
        extra += c * res * res + 2 * 2 * c * o * o + 2 * c * o * o + 2 * 2 * c * o * o + 4 * c * o * o
    cl, hl = cfg.stages[-1]
    params += 2 * cl + cl * K + K  # head BN + Linear
    flops += cl * K + K
    # head BN + ReLU; global average pool counted as (h+1)² per channel (that suite's counter, reproduced as
    # found: it fits all 491 × 3 reference values); Linear without its bias
    extra += 2 * cl * hl * hl + cl * hl * hl + cl * (hl + 1) ** 2 - K
    return params, flops, extra


def complexity(
    archs: Sequence[NB201Arch] | np.ndarray,
    *,
    C: int = 16,
    N: int = 5,
    num_classes: int = 10,
    in_channels: int = 3,
    input_size: int = 32,
    dataset: str | None = None,
) -> pd.DataFrame:
    """Params/FLOPs of NB201 networks, one row per architecture, in the given order.

    Args:
        archs: architectures, or an ``(n, 6)`` array of benchmark op codes.
        dataset: shortcut for ``num_classes``/``input_size`` of a benchmark dataset (``cifar10``, ``cifar100``,
            ``imagenet16-120``); overrides those two arguments.

    Returns:
        DataFrame with columns ``params`` (M), ``flops`` (M, benchmark definition), ``flops_all_ops`` (M,
        NAS-Bench-Suite-Zero definition), ``relu`` (number of ReLU-conv ops in a cell: conv1×1 + conv3×3 edges),
        ``depth`` (longest input→output path of parametric/pooling ops,
        :func:`~naslens.spaces.nb201.depth.nb201_cell_depth`)
        and op counts ``n_none``, ``n_skip``, ``n_conv1x1``, ``n_conv3x3``, ``n_avg_pool``.

    Example:
        >>> from naslens.spaces.nb201 import NB201Arch
        >>> a = NB201Arch.from_index(284)
        >>> complexity([a], dataset="cifar100")[["params", "flops"]].round(6).values.tolist()
        [[0.107156, 11.72106]]
    """
    if dataset is not None:
        dc = dataset_config(dataset)
        num_classes, input_size = dc["num_classes"], dc["input_size"]
    cfg = NetConfig(C=C, N=N, num_classes=num_classes, in_channels=in_channels, input_size=input_size)
    if isinstance(archs, np.ndarray):
        codes = np.asarray(archs, dtype=np.int64).reshape(-1, 6)
    else:
        codes = np.array([a.codes for a in archs], dtype=np.int64).reshape(-1, 6)
    n1, n3, navg, nskip = _op_counts(codes)
    p_fixed, f_fixed, x_fixed = _fixed_counts(cfg)
    p1 = sum(c * c + 2 * c for c, _ in cfg.stages) * cfg.N
    p3 = sum(9 * c * c + 2 * c for c, _ in cfg.stages) * cfg.N
    f1 = sum(c * c * r * r for c, r in cfg.stages) * cfg.N
    f3 = sum(9 * c * c * r * r for c, r in cfg.stages) * cfg.N
    relu_bn = sum(3 * c * r * r for c, r in cfg.stages) * cfg.N  # ReLU (1) + BN (2) per element of a conv op
    avg = sum(9 * c * r * r for c, r in cfg.stages) * cfg.N
    params = p_fixed + p1 * n1 + p3 * n3
    flops = f_fixed + f1 * n1 + f3 * n3
    flops_all = f_fixed + x_fixed + (f1 + relu_bn) * n1 + (f3 + relu_bn) * n3 + avg * navg
    return pd.DataFrame(
        {
            "params": params / 1e6,
            "flops": flops / 1e6,
            "flops_all_ops": flops_all / 1e6,
            "relu": n1 + n3,
            "depth": nb201_cell_depth(codes),
            "n_none": (codes == 0).sum(axis=1),
            "n_skip": nskip,
            "n_conv1x1": n1,
            "n_conv3x3": n3,
            "n_avg_pool": navg,
        }
    )
