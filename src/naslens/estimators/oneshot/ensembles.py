"""Variance reduction for one-shot scores: temporal ensembles, seed ensembles, post-de-isomorphism.

- weight averaging of the last k checkpoints (:func:`average_state_dicts`, used by ``score_checkpoints``);
- score averaging over the last k checkpoints of one run (:func:`temporal_score_average`);
- score averaging over supernets trained with different seeds (:func:`seed_average`);
- post-de-isomorphism: the mean score of each isomorphism class, stored under the class representative
  (:func:`class_average`).

Combined scores are written back into the store under a derived estimator name (``oneshot_acc@savg3``,
``oneshot_acc@seeds``, ``oneshot_acc@classmean``) with the sources listed in the configuration. Seed averages
use seed ``-1`` (an aggregate, the seeds are in the configuration). An architecture whose sources are not all
finite gets a ``failed`` status naming how many were missing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from naslens.estimators.base import EstimatorInfo
from naslens.spaces import SearchSpace, get_space
from naslens.store import ScoreStore, StoreError
from naslens.types import SpaceCapabilityError

SEED_AGGREGATE = -1
"""Seed recorded for scores averaged over several seeds."""


def average_state_dicts(states: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Element-wise mean of floating-point tensors (weights and BN statistics); integer tensors (BN batch counters)
    are taken from the last state.

    Raises:
        ValueError: no states, or states with different keys or shapes.
    """
    if not states:
        raise ValueError("nothing to average")
    keys = list(states[-1])
    out: dict[str, torch.Tensor] = {}
    for k in keys:
        ts = [s[k] for s in states]
        if any(t.shape != ts[0].shape for t in ts):
            raise ValueError(f"cannot average {k}: shapes differ {[tuple(t.shape) for t in ts]}")
        out[k] = (
            torch.stack([t.double() for t in ts]).mean(0).to(ts[-1].dtype)
            if ts[-1].is_floating_point()
            else ts[-1].clone()
        )
    if any(set(s) != set(keys) for s in states):
        raise ValueError("cannot average checkpoints of different supernets (state keys differ)")
    return out


def mean_of(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """Row-wise mean of aligned score vectors; rows with any non-finite member get NaN and a failed status."""
    m = np.vstack([np.asarray(c, dtype=np.float64) for c in columns])
    ok = np.isfinite(m)
    n_bad = (~ok).sum(0)
    with np.errstate(invalid="ignore"):
        values = m.mean(0)
    values[n_bad > 0] = np.nan
    status = ["ok" if b == 0 else f"failed: {b} of {len(columns)} sources missing or non-finite" for b in n_bad]
    return values, status


def _require_classes(space: SearchSpace) -> None:
    if not space.info.has_isomorphism:
        raise SpaceCapabilityError(f"space {space.name!r} has no isomorphism classes to average over")


def class_mean(
    keys: Sequence[str], values: np.ndarray, space: SearchSpace | str
) -> tuple[list[str], np.ndarray, list[str]]:
    """Mean score of every isomorphism class present in ``keys``, keyed by the class representative
    (``space.representatives()``).

    Returns:
        ``(representative keys, means, statuses)``; a class with a non-finite member gets NaN and a failed status.

    Raises:
        SpaceCapabilityError: the space has no isomorphism classes.
    """
    space = get_space(space)
    _require_classes(space)
    groups: dict[Any, list[float]] = {}
    for k, v in zip(keys, np.asarray(values, dtype=np.float64), strict=True):
        groups.setdefault(space.canonical(space.parse(k)), []).append(float(v))
    reps = {space.canonical(a): space.key(a) for a in space.representatives()}
    out_k, out_v, out_s = [], [], []
    for cls, vals in groups.items():
        arr = np.array(vals)
        ok = bool(np.isfinite(arr).all())
        out_k.append(reps[cls])
        out_v.append(float(arr.mean()) if ok else np.nan)
        out_s.append("ok" if ok else f"failed: {int((~np.isfinite(arr)).sum())} of {len(arr)} class members non-finite")
    return out_k, np.array(out_v), out_s


# ---------------------------------------------------------------------- store-level combinations
def _rows(store: ScoreStore, space: str, estimator: str, config_hash_: str | None) -> pd.DataFrame:
    t = store.table()
    t = t[(t.space == space) & (t.estimator == estimator)]
    if t.empty:
        raise StoreError(f"no scores of {estimator!r} on {space!r} in {store.path}")
    hashes = sorted(t.config_hash.unique())
    if config_hash_ is None and len(hashes) > 1:
        raise StoreError(f"{estimator!r} has {len(hashes)} configurations in {store.path}; choose one of {hashes}")
    h = config_hash_ or hashes[0]
    t = t[t.config_hash == h]
    if t.empty:
        raise StoreError(f"no scores of {estimator!r} with configuration {h} in {store.path}")
    return t


def _source(store: ScoreStore, estimator: str, t: pd.DataFrame) -> tuple[EstimatorInfo, dict[str, Any]]:
    cfgs = store.configs()
    row = cfgs[cfgs.config_hash == t.config_hash.iloc[0]].iloc[0]
    return EstimatorInfo(**json.loads(row.info_json)), json.loads(row.config_json)


def _derived(info: EstimatorInfo, suffix: str, what: str) -> EstimatorInfo:
    return EstimatorInfo(
        **{**info.__dict__, "name": f"{info.name}@{suffix}", "description": f"{info.description}; {what}"}
    )


def _vector(t: pd.DataFrame, seed: int, checkpoint: str, keys: list[str]) -> np.ndarray:
    sel = t[(t.seed == seed) & (t.checkpoint == checkpoint)].set_index("arch")
    vals = sel.value.where(sel.status == "ok")
    return vals.reindex(keys).to_numpy(dtype=np.float64)


def temporal_score_average(
    store: ScoreStore, space: str, estimator: str, *, k: int, seed: int, config_hash_: str | None = None
) -> list[str]:
    """Average each architecture's scores over the last ``k`` checkpoints, for every checkpoint with ``k - 1``
    predecessors; writes ``<estimator>@savg<k>`` under the later checkpoint's label. Returns the labels written."""
    if k < 2:
        raise ValueError(f"k must be ≥ 2 to average, got {k}")
    t = _rows(store, space, estimator, config_hash_)
    if not (t.seed == seed).any():
        have = sorted(int(s) for s in t.seed.unique() if s != SEED_AGGREGATE)
        raise ValueError(f"{estimator}: no scores of seed {seed} in the store (seeds: {have})")
    t = t[t.seed == seed]
    info, cfg = _source(store, estimator, t)
    labels = sorted(t.checkpoint.unique())
    keys = sorted(t.arch.unique())
    written = []
    for i in range(k - 1, len(labels)):
        window = labels[i - k + 1 : i + 1]
        values, status = mean_of([_vector(t, seed, c, keys) for c in window])
        store.put_many(
            space,
            [(a, v, s, None) for a, v, s in zip(keys, values, status, strict=True)],
            _derived(info, f"savg{k}", f"scores averaged over {k} checkpoints"),
            {**cfg, "ensemble": {"kind": "score-average", "window": k}},
            seed=seed,
            checkpoint=labels[i],
        )
        written.append(labels[i])
    return written


def seed_average(
    store: ScoreStore,
    space: str,
    estimator: str,
    *,
    seeds: Sequence[int] | None = None,
    config_hash_: str | None = None,
) -> list[str]:
    """Average each architecture's scores over seeds, for every checkpoint all seeds have; writes
    ``<estimator>@seeds`` with seed ``-1``. Returns the checkpoint labels written."""
    t = _rows(store, space, estimator, config_hash_)
    t = t[t.seed != SEED_AGGREGATE]
    have = sorted(int(s) for s in t.seed.unique())
    use = have if seeds is None else sorted(set(seeds))
    if len(use) < 2:
        raise ValueError(f"seed averaging needs ≥ 2 seeds, got {use} (the store has {have})")
    missing = sorted(set(use) - set(have))
    if missing:
        raise ValueError(f"{estimator}: no scores of seed(s) {missing} in the store (seeds: {have})")
    info, cfg = _source(store, estimator, t)
    common = set.intersection(*[set(t[t.seed == s].checkpoint) for s in use])
    keys = sorted(t.arch.unique())
    for label in sorted(common):
        values, status = mean_of([_vector(t, s, label, keys) for s in use])
        store.put_many(
            space,
            [(a, v, st, None) for a, v, st in zip(keys, values, status, strict=True)],
            _derived(info, "seeds", f"averaged over seeds {use}"),
            {**cfg, "ensemble": {"kind": "seed-average", "seeds": [int(s) for s in use]}},
            seed=SEED_AGGREGATE,
            checkpoint=label,
        )
    return sorted(common)


def class_average(store: ScoreStore, space: str, estimator: str, *, config_hash_: str | None = None) -> int:
    """Post-de-isomorphism: for every stored (seed, checkpoint) of ``estimator``, the mean score of each
    isomorphism class under its representative's key, written as ``<estimator>@classmean``. Returns the number
    of (seed, checkpoint) combinations written. Score all architectures first for complete classes.

    Raises:
        SpaceCapabilityError: the space has no isomorphism classes.
    """
    sp = get_space(space)
    _require_classes(sp)
    t = _rows(store, space, estimator, config_hash_)
    info, cfg = _source(store, estimator, t)
    n = 0
    for (seed, label), grp in t.groupby(["seed", "checkpoint"]):
        vals = grp.value.where(grp.status == "ok").to_numpy(dtype=np.float64)
        reps, means, status = class_mean(list(grp.arch), vals, sp)
        store.put_many(
            space,
            [(a, v, s, None) for a, v, s in zip(reps, means, status, strict=True)],
            _derived(info, "classmean", "mean over each isomorphism class"),
            {**cfg, "ensemble": {"kind": "class-mean"}},
            seed=int(seed),
            checkpoint=str(label),
        )
        n += 1
    return n


def stored_space(store: ScoreStore, estimators: Sequence[str]) -> str:
    """The one space the store holds scores of ``estimators`` for (to combine without naming it).

    Raises:
        StoreError: none of them is stored, or they are stored for several spaces (name one).
    """
    t = store.table()
    spaces = sorted(set(t[t.estimator.isin(list(estimators))].space))
    if not spaces:
        raise StoreError(f"no scores of {', '.join(estimators)} in {store.path}")
    if len(spaces) > 1:
        raise StoreError(f"{store.path} holds {', '.join(estimators)} for spaces {spaces}; choose one with --space")
    return str(spaces[0])
