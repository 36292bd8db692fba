"""Operation-level bias: for every single-edge mutation o → o', how often do ground truth and score go up?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from naslens.analysis._common import GT, AnalysisError, column, estimator_names, oriented, require_columns
from naslens.analysis.complexity_groups import complexity_groups

ALL_GROUPS = -1
"""``group`` value of the rows that pool every complexity group."""


@dataclass(frozen=True)
class MutationPairs:
    """All ordered pairs (i → j) of rows whose encodings differ on exactly one position.

    Attributes:
        src: Row of the original architecture.
        dst: Row of the mutated architecture.
        position: Position (edge) that changed.
        op_from: Op code at ``position`` in ``src``.
        op_to: Op code at ``position`` in ``dst``.
    """

    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    position: NDArray[np.int64]
    op_from: NDArray[np.int64]
    op_to: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.src.size)


MAX_DENSE_TABLE = 50_000_000
"""Largest number of architectures (product of the cardinalities) the dense lookup table may hold."""


def mutation_pairs(codes: ArrayLike, n_ops: int | Sequence[int]) -> MutationPairs:
    """Find every ordered pair of rows at edit distance 1, vectorised.

    Each row of ``codes`` is an architecture as E categorical codes, position p in 0..n_p-1 (``n_ops``: one
    cardinality for every position, or one per position, ``space.info.cardinalities``). Row keys are the
    mixed-radix numbers ``Σ_p codes[:, p] · w_p`` with ``w_p = Π_{q>p} n_q``; for each position p and each shift d
    in 1..n_p-1 the mutated key is looked up in a dense table of Π n_p entries, so the cost is O(M · Σ n_p)
    (NB201: 15,625 × 24 = 375,000 pairs). Both directions of a pair are listed (i → j and j → i). Duplicate rows
    are rejected.

    Raises:
        AnalysisError: On a malformed code array, codes outside 0..n_p-1, duplicate architectures, or a space
            too large for a dense table (more than :data:`MAX_DENSE_TABLE` architectures).

    Example:
        >>> p = mutation_pairs([[0, 0], [0, 1], [1, 1]], n_ops=2)
        >>> sorted(zip(p.src.tolist(), p.dst.tolist()))
        [(0, 1), (1, 0), (1, 2), (2, 1)]
        >>> len(mutation_pairs([[0, 0], [1, 2], [0, 2]], n_ops=[2, 3]))
        4
    """
    arr = np.asarray(codes, dtype=np.int64)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise AnalysisError(f"codes must be a non-empty 2-D (archs × positions) array, got shape {arr.shape}")
    m, e = arr.shape
    card = np.broadcast_to(np.asarray(n_ops, dtype=np.int64), (e,)) if np.ndim(n_ops) == 0 else np.asarray(n_ops)
    card = card.astype(np.int64)
    if card.shape != (e,) or (card < 1).any():
        raise AnalysisError(f"need one cardinality ≥ 1 per position ({e}), got {np.asarray(n_ops).tolist()}")
    if (arr < 0).any() or (arr >= card).any():
        bad = int(np.flatnonzero(((arr < 0) | (arr >= card)).any(axis=0))[0])
        raise AnalysisError(
            f"codes must lie in 0..{card[bad] - 1} at position {bad}, "
            f"got range {arr[:, bad].min()}..{arr[:, bad].max()}"
        )
    size = float(np.prod(card.astype(np.float64)))
    if size > MAX_DENSE_TABLE:
        raise AnalysisError(
            f"mutation pairs use a dense table of all {size:.3g} architectures, more than {MAX_DENSE_TABLE:,}: "
            "this space is too large for it"
        )
    weights = np.ones(e, dtype=np.int64)
    for p in range(e - 2, -1, -1):
        weights[p] = weights[p + 1] * card[p + 1]
    keys = arr @ weights
    lookup = np.full(int(size), -1, dtype=np.int64)
    lookup[keys] = np.arange(m)
    if np.count_nonzero(lookup >= 0) != m:
        raise AnalysisError("codes hold duplicate architectures; deduplicate before looking for mutation pairs")
    parts: list[tuple[NDArray[np.int64], ...]] = []
    for pos in range(e):
        for shift in range(1, int(card[pos])):
            new_op = (arr[:, pos] + shift) % card[pos]
            dst = lookup[keys + (new_op - arr[:, pos]) * weights[pos]]
            hit = dst >= 0
            src = np.flatnonzero(hit)
            parts.append((src, dst[hit], np.full(src.size, pos), arr[hit, pos], new_op[hit]))
    if not parts:
        return MutationPairs(*(np.zeros(0, dtype=np.int64) for _ in range(5)))
    cat = [np.concatenate([p[k] for p in parts]).astype(np.int64) for k in range(5)]
    return MutationPairs(*cat)


def _space_codes(space: Any, frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Codes of the frame's ``arch`` keys (``space.encode(a, "codes")``) and the choice labels per position."""
    from naslens.spaces import get_space

    if space is None:
        raise AnalysisError("mutation pairs need the search space of the architectures (space=…) or codes=")
    sp: Any = get_space(space)
    if not sp.info.enumerable:
        raise AnalysisError(
            f"mutation pairs use a dense table of the whole space, and space {sp.name!r} is not enumerable"
        )
    require_columns(frame, ["arch"], "mutation_ratios (without codes)")
    codes = np.array([sp.encode(sp.parse(str(a)), "codes") for a in frame["arch"]], dtype=np.int64)
    return codes.reshape(len(frame), len(sp.info.positions)), [tuple(c) for c in sp.info.choices]


def _up(delta: NDArray[np.float64]) -> NDArray[np.float64]:
    """1 where the value increases, ½ on a tie, 0 where it decreases."""
    return (delta > 0).astype(np.float64) + 0.5 * (delta == 0)


def mutation_ratios(
    frame: pd.DataFrame,
    orientation: Mapping[str, bool],
    codes: ArrayLike | None = None,
    op_names: Sequence[str] | None = None,
    space: Any = None,
    by: str | None = "flops",
    n_groups: int = 5,
) -> pd.DataFrame:
    """Per mutation type o → o': fraction of pairs where the ground truth / the estimator's score increases.

    For every ordered pair (i → j) from :func:`mutation_pairs` with both values finite, Δ = v_j − v_i and
    ``up = 1[Δ > 0] + ½·1[Δ = 0]`` (a tie counts half, "no preference"). Per mutation type and estimator:

    * ``gt_up`` = mean of up(Δ ground truth); ``est_up`` = mean of up(Δ oriented score), where the score is
      negated for lower-is-better estimators (so for a loss column ``est_up`` is the fraction where the loss
      *decreases*);
    * ``agreement`` = fraction of pairs where sign(Δ ground truth) = sign(Δ score);
    * ``gap`` = est_up − gt_up (> 0: the estimator likes this mutation more than it deserves).

    A mutation that always improves both gives gt_up = est_up = 1. Rows with ``group = -1`` pool all pairs;
    others restrict to pairs whose *source* architecture lies in that complexity group of ``by``.

    Args:
        frame: Score frame with ``ground_truth``, the estimator columns and ``arch`` (benchmark strings) unless
            ``codes`` is given.
        orientation: ``{estimator column: higher_is_better}``.
        codes: Optional (M, E) choice-code array aligned with ``frame`` (default: ``space.encode(arch, "codes")``
            of each ``arch``).
        op_names: Names of the codes, the same at every position (default: the space's choice labels per
            position, ``space.info.choices``).
        space: The architectures' search space (a name or a space; the evaluation's ``space``); needed unless
            both ``codes`` and ``op_names`` are given. It must be enumerable (dense lookup table).
        by: Complexity column for the per-group rows, or None for overall rows only.
        n_groups: Number of complexity groups.

    Returns:
        Tidy table: estimator, group, op_from, op_to, n_pairs, gt_up, est_up, agreement, gap.
    """
    names = estimator_names(frame, orientation)
    require_columns(frame, [GT] + ([by] if by else []), "mutation_ratios")
    if codes is None:
        code_arr, choices = _space_codes(space, frame)
    else:
        code_arr = np.asarray(codes, dtype=np.int64)
        if op_names is None:
            if space is None:
                raise AnalysisError("give op_names (or the space) with codes, to name the mutations")
            from naslens.spaces import get_space

            choices = [tuple(c) for c in get_space(space).info.choices]
        else:
            choices = [tuple(op_names)] * (code_arr.shape[1] if code_arr.ndim == 2 else 0)
    if op_names is not None:
        choices = [tuple(op_names)] * len(choices)
    if code_arr.shape[0] != len(frame):
        raise AnalysisError(f"codes have {code_arr.shape[0]} rows but the frame has {len(frame)}")
    pairs = mutation_pairs(code_arr, [len(c) for c in choices])
    labels = np.array([[*c, *[""] * (max(map(len, choices)) - len(c))] for c in choices], dtype=object)
    label_from = labels[pairs.position, pairs.op_from]
    label_to = labels[pairs.position, pairs.op_to]
    op_order = list(dict.fromkeys(x for c in choices for x in c))
    y = column(frame, GT)
    d_gt = y[pairs.dst] - y[pairs.src]
    group_of_src = np.full(len(pairs), ALL_GROUPS, dtype=np.int64)
    if by is not None:
        cost = column(frame, by)
        finite = np.isfinite(cost)
        groups = np.full(len(frame), ALL_GROUPS - 1, dtype=np.int64)
        groups[finite] = complexity_groups(cost[finite], n_groups)
        group_of_src = groups[pairs.src]
    tables = []
    for name in names:
        s = oriented(frame, name, orientation)
        d_s = s[pairs.dst] - s[pairs.src]
        ok = np.isfinite(d_gt) & np.isfinite(d_s)
        long = pd.DataFrame(
            {
                "group": group_of_src[ok],
                "op_from": label_from[ok],
                "op_to": label_to[ok],
                "gt_up": _up(d_gt[ok]),
                "est_up": _up(d_s[ok]),
                "agreement": (np.sign(d_gt[ok]) == np.sign(d_s[ok])).astype(np.float64),
            }
        )
        overall = long.assign(group=ALL_GROUPS)
        pieces = [overall] + ([long[long["group"] > ALL_GROUPS]] if by is not None else [])
        both = pd.concat(pieces, ignore_index=True)
        agg = both.groupby(["group", "op_from", "op_to"], sort=False).agg(
            n_pairs=("gt_up", "size"),
            gt_up=("gt_up", "mean"),
            est_up=("est_up", "mean"),
            agreement=("agreement", "mean"),
        )
        agg = agg.reset_index()
        agg.insert(0, "estimator", name)
        tables.append(agg)
    out = pd.concat(tables, ignore_index=True)
    out["gap"] = out["est_up"] - out["gt_up"]
    order = {op: i for i, op in enumerate(op_order)}
    out = out.sort_values(
        ["estimator", "group", "op_from", "op_to"],
        key=lambda c: c.map(order) if c.name in ("op_from", "op_to") else c,
        kind="stable",
    )
    est_order = {n: i for i, n in enumerate(names)}
    out = out.sort_values("estimator", key=lambda c: c.map(est_order), kind="stable")
    return out.reset_index(drop=True)


def plot_mutation_ratios(table: pd.DataFrame, op_names: Sequence[str] | None = None) -> Any:
    """Heatmaps (op_from × op_to) of the pooled ratios: ground truth first, then every estimator."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pooled = table[table["group"] == ALL_GROUPS]
    ops = list(op_names) if op_names is not None else list(dict.fromkeys([*pooled["op_from"], *pooled["op_to"]]))
    names = list(dict.fromkeys(pooled["estimator"]))
    panels: list[tuple[str, pd.DataFrame, str]] = []
    if names:
        panels.append(("ground truth increases", pooled[pooled["estimator"] == names[0]], "gt_up"))
    panels += [(f"{n}: score improves", pooled[pooled["estimator"] == n], "est_up") for n in names]
    ncols = min(4, len(panels))
    nrows = int(np.ceil(len(panels) / ncols))
    size = (3.3 * ncols + 1.2, 3.3 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False, layout="constrained")
    image = None
    short = [o.replace("nor_conv_", "conv").replace("_connect", "").replace("avg_pool_3x3", "pool") for o in ops]
    for i, (ax, (title, sub, col)) in enumerate(zip(axes.flat, panels, strict=False)):
        mat = sub.pivot(index="op_from", columns="op_to", values=col).reindex(index=ops, columns=ops)
        image = ax.imshow(mat.to_numpy(dtype=float), vmin=0.0, vmax=1.0, cmap="RdBu_r")
        for (r, c), v in np.ndenumerate(mat.to_numpy(dtype=float)):
            if np.isfinite(v):
                ax.text(
                    c,
                    r,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if abs(v - 0.5) > 0.3 else "black",
                )
        ax.set_xticks(range(len(ops)), short, rotation=45, fontsize=7)
        first_col = i % ncols == 0
        ax.set_yticks(range(len(ops)), short if first_col else [], fontsize=7)
        ax.set_xlabel("to op", fontsize=8)
        if first_col:
            ax.set_ylabel("from op", fontsize=8)
        ax.set_title(title, fontsize=9)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="fraction of pairs (ties count ½)")
    return fig
