"""Analytic params / FLOPs of NAS-Bench-Macro networks, vectorised over architectures.

Conventions (they equal the benchmark file's ``params`` and ``flops`` for all 6,561 architectures; tested):
``params`` counts every parameter of :class:`~naslens.spaces.nb_macro.network.MacroNetwork` (BatchNorm γ/β
included); ``flops`` counts multiply-accumulates of Conv2d and Linear layers for one image, the Linear bias not
included. Both are reported in millions. Each layer's cost depends only on its position and choice (the widths and
resolutions of the stages are fixed), so the table is a sum over an (8 × 3) lookup.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from naslens.spaces.nb_macro.arch import CHOICES, FIRST_OF_STAGE, IDENTITY, NUM_LAYERS, MacroArch
from naslens.spaces.nb_macro.network import EXPANSION_KERNEL, layer_shapes

COST_COLUMNS = ("params", "flops", "depth", "n_identity", "n_ir_3x3_t3", "n_ir_5x5_t6")


def _layer_table(in_channels: int, num_classes: int, input_size: int, init_channels: int, head_channels: int):
    """(fixed params, fixed FLOPs, per-layer-choice params (8×3), per-layer-choice FLOPs (8×3))."""
    h = input_size
    params = in_channels * init_channels * 9 + 2 * init_channels
    flops = in_channels * init_channels * 9 * h * h
    lp = np.zeros((NUM_LAYERS, len(CHOICES)), dtype=np.int64)
    lf = np.zeros((NUM_LAYERS, len(CHOICES)), dtype=np.int64)
    for i, (ci, co, s) in enumerate(layer_shapes(init_channels)):
        ho = (h + 1) // 2 if s == 2 else h  # every stride-2 conv here has padding k//2: ceil(h / 2)
        for j, choice in enumerate(CHOICES):
            if choice == "id":
                if s != 1 or ci != co:
                    lp[i, j] = ci * co + 2 * co
                    lf[i, j] = ci * co * ho * ho
                continue
            t, k = EXPANSION_KERNEL[choice]
            hid = ci * t
            lp[i, j] = ci * hid + 2 * hid + hid * k * k + 2 * hid + hid * co + 2 * co
            lf[i, j] = ci * hid * h * h + hid * k * k * ho * ho + hid * co * ho * ho
        h = ho
    c_last = layer_shapes(init_channels)[-1][1]
    params += c_last * head_channels + 2 * head_channels + head_channels * num_classes + num_classes
    flops += c_last * head_channels * h * h + head_channels * num_classes
    return params, flops, lp, lf


def complexity(
    archs: Sequence[MacroArch] | np.ndarray,
    *,
    num_classes: int = 10,
    in_channels: int = 3,
    input_size: int = 32,
    init_channels: int = 32,
    head_channels: int = 1280,
) -> pd.DataFrame:
    """Cost table, one row per architecture, in the given order.

    Args:
        archs: architectures, or an ``(n, 8)`` array of choice codes.

    Returns:
        DataFrame with ``params`` (M), ``flops`` (M), ``depth`` (layers that compute something: every layer but the
        identities inside a stage) and the choice counts ``n_identity``, ``n_ir_3x3_t3``, ``n_ir_5x5_t6``.

    Example:
        >>> complexity([MacroArch.from_key("02012100")])[["params", "flops"]].values.tolist()
        [[0.890666, 47.327744]]
    """
    if isinstance(archs, np.ndarray):
        codes = np.asarray(archs, dtype=np.int64).reshape(-1, NUM_LAYERS)
    else:
        codes = np.array([a.codes for a in archs], dtype=np.int64).reshape(-1, NUM_LAYERS)
    p0, f0, lp, lf = _layer_table(in_channels, num_classes, input_size, init_channels, head_channels)
    rows = np.arange(NUM_LAYERS)
    params = p0 + lp[rows, codes].sum(axis=1)
    flops = f0 + lf[rows, codes].sum(axis=1)
    noop = (codes == IDENTITY) & ~np.array(FIRST_OF_STAGE)
    return pd.DataFrame(
        {
            "params": params / 1e6,
            "flops": flops / 1e6,
            "depth": NUM_LAYERS - noop.sum(axis=1),
            "n_identity": (codes == 0).sum(axis=1),
            "n_ir_3x3_t3": (codes == 1).sum(axis=1),
            "n_ir_5x5_t6": (codes == 2).sum(axis=1),
        },
        columns=list(COST_COLUMNS),
    )
