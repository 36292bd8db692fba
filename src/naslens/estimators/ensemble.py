"""Ensembles of estimators: ``vote`` (pairwise majority of expert proxies) and ``hybrid`` (weighted rank sum).

Members are any registered estimators (zero-shot proxies, ``flops``, ``params``, ...); each member's scores are
oriented by its ``higher_is_better`` before combining, so every ensemble score is higher-is-better. Member scores
are computed with the run's context or, when ``store`` is given, read from a :class:`~naslens.store.ScoreStore`
(:func:`store_ensemble` first appends the members a store lacks).

How an ensemble is written (``hybrid:zen*2+flops``, ``vote:a,b,c``), read and named is
:mod:`naslens.estimators.ensemble_spec`; its names are handed on from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from scipy.stats import rankdata

from naslens.estimators.base import REQUIRED, EstimatorInfo, Scores, add_estimator, create_estimator
from naslens.estimators.ensemble_spec import (
    ENSEMBLE_KINDS,
    SPEC_HELP,
    EnsembleSpecError,
    canonical_ensemble,
    check_members,
    ensemble_name,
    is_ensemble_spec,
    parse_ensemble,
    spec_text,
    split_estimators,
)
from naslens.types import ScoringContext

__all__ = [
    "DEFAULT_VOTE",
    "ENSEMBLE_KINDS",
    "SPEC_HELP",
    "EnsembleSpecError",
    "HybridEstimator",
    "VoteEstimator",
    "canonical_ensemble",
    "ensemble_name",
    "is_ensemble_spec",
    "oriented",
    "pairwise_vote",
    "parse_ensemble",
    "rank_sum",
    "split_estimators",
    "store_ensemble",
]

DEFAULT_VOTE = ("synflow", "jacob_cov", "snip")
"""The experts of the original vote ensemble (Abdelfattah et al., 2021)."""


def oriented(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Scores turned so that higher is better (negated when the member is lower-is-better)."""
    v = np.asarray(values, dtype=np.float64)
    return v if higher_is_better else -v


def rank_sum(columns: Sequence[np.ndarray], weights: Sequence[float] | None = None) -> np.ndarray:
    """``Σ_m w_m · rank_m`` with average ranks (1 = worst) of oriented columns; NaN where any member is NaN.

    Example:
        >>> rank_sum([np.array([1.0, 2.0, 3.0]), np.array([3.0, 1.0, 2.0])]).tolist()
        [4.0, 3.0, 5.0]
    """
    cols = [np.asarray(c, dtype=np.float64) for c in columns]
    w = np.ones(len(cols)) if weights is None else np.asarray(weights, dtype=np.float64)
    if len(w) != len(cols) or not cols:
        raise ValueError(f"{len(cols)} members but {len(w)} weights")
    ok = np.all([np.isfinite(c) for c in cols], axis=0)
    out = np.full(cols[0].shape, np.nan)
    if ok.any():
        out[ok] = sum(wi * rankdata(c[ok]) for wi, c in zip(w, cols, strict=True))
    return out


def pairwise_vote(columns: Sequence[np.ndarray], chunk: int = 512) -> np.ndarray:
    """Pairwise majority vote of oriented expert columns, as a score: the number of pairwise wins.

    For architectures i ≠ j, ``M_ij = Σ_e sign(s_ei − s_ej)``; i wins the pair when ``M_ij > 0`` and gets ½ on a
    tie. Score ``w_i = Σ_j [M_ij > 0] + ½ [M_ij = 0]``; NaN where any expert is NaN (those are left out of every
    pair). Memory is bounded by computing ``chunk`` rows at a time.

    Example:
        >>> pairwise_vote([np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0]), np.array([3.0, 2.0, 1.0])]).tolist()
        [0.0, 2.0, 1.0]
    """
    cols = np.stack([np.asarray(c, dtype=np.float64) for c in columns])
    ok = np.all(np.isfinite(cols), axis=0)
    s = cols[:, ok]
    m = s.shape[1]
    wins = np.zeros(m)
    for start in range(0, m, chunk):
        block = s[:, start : start + chunk]
        votes = np.sign(block[:, :, None] - s[:, None, :]).sum(axis=0)  # (rows, m)
        w = (votes > 0).astype(np.float64) + 0.5 * (votes == 0)
        idx = np.arange(start, start + block.shape[1])
        w[np.arange(len(idx)), idx] = 0.0  # no pair with itself
        wins[start : start + block.shape[1]] = w.sum(axis=1)
    out = np.full(cols.shape[1], np.nan)
    out[ok] = wins
    return out


class _Ensemble:
    """An estimator that combines the oriented scores of its members (a subclass names its ``kind`` and how it
    combines); its name is its spec written with ``+`` (:func:`~naslens.estimators.ensemble_spec.spec_text`)."""

    kind: ClassVar[str] = ""
    default_members: ClassVar[tuple[str, ...]] = ()
    """The members when none are given (none: members are required)."""

    def __init__(
        self,
        members: str | Sequence[str] | None = None,
        weights: Sequence[float] | None = None,
        store: Any = None,
        **context: Any,
    ) -> None:
        """``members``: names (or the member part of a spec, ``"zen*2+flops"``, whose weights apply unless ``weights``
        is given); ``store``: a :class:`~naslens.store.ScoreStore` or its folder to read member scores from instead
        of computing them; ``context``: run settings (:class:`~naslens.types.ScoringContext` fields) handed to every
        member."""
        if isinstance(members, str):
            _, members, parsed = parse_ensemble(f"{self.kind}:{members}")
            weights = parsed if weights is None else weights
        if not members and not self.default_members:
            raise ValueError(f"{self.kind} needs members, e.g. 'zen+flops'")
        self.members = list(members) if members else list(self.default_members)
        self.weights = [1.0] * len(self.members) if weights is None else [float(w) for w in weights]
        check_members(self.kind, self.members, self.weights)
        self.store = store
        self.context = ScoringContext().replace(**context)
        self._store_seed = context.get("seed")  # stored scores: the seed given, else the one seed the store holds
        self._member_configs: list[dict[str, Any]] = []
        self.info = EstimatorInfo(
            name=self.name, family="ensemble", higher_is_better=True, description=f"{self.kind} of {self.members}"
        )

    @property
    def name(self) -> str:
        return spec_text(self.kind, self.members, self.weights)

    def config(self) -> dict[str, Any]:
        return {
            "estimator": self.kind,
            "members": self.members,
            "weights": self.weights,
            "member_configs": self._member_configs,
        }

    def _member_scores(self, space: Any, archs: Sequence[Any], keys: list[str]) -> list[Scores]:
        if self.store is None:
            out = [create_estimator(m, self.context).score(space, archs) for m in self.members]
        else:
            from naslens.store import ScoreStore

            st = self.store if isinstance(self.store, ScoreStore) else ScoreStore(self.store, readonly=True)
            try:
                out = [st.scores(space.name, m, keys, seed=self._store_seed) for m in self.members]
            finally:
                if st is not self.store:
                    st.close()
        self._member_configs = [s.config for s in out]
        return out

    def combine(self, columns: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        keys = [space.key(a) for a in archs]
        members = self._member_scores(space, archs, keys)
        cols = [np.where(s.finite, oriented(s.values, s.info.higher_is_better), np.nan) for s in members]
        values = self.combine(cols)
        status = []
        for i in range(len(keys)):
            bad = [f"{m}: {s.status[i]}" for m, s in zip(self.members, members, strict=True) if not s.finite[i]]
            status.append(f"failed: member not usable ({'; '.join(bad)})" if bad else "ok")
        return Scores(self.info, self.config(), keys, values, status)


class HybridEstimator(_Ensemble):
    """Weighted rank sum of members (``zen+flops``, ``synflow+params``, ...); see :func:`rank_sum`."""

    kind = "hybrid"

    def combine(self, columns: list[np.ndarray]) -> np.ndarray:
        return rank_sum(columns, self.weights)


class VoteEstimator(_Ensemble):
    """Pairwise majority vote of expert proxies (weights ignored; :data:`DEFAULT_VOTE` when no members are given);
    see :func:`pairwise_vote`."""

    kind = "vote"
    default_members = DEFAULT_VOTE

    def combine(self, columns: list[np.ndarray]) -> np.ndarray:
        return pairwise_vote(columns)


_BY_KIND: dict[str, type[_Ensemble]] = {c.kind: c for c in (HybridEstimator, VoteEstimator)}
"""The ensemble class of each kind of :data:`~naslens.estimators.ensemble_spec.ENSEMBLE_KINDS`."""


add_estimator(
    "hybrid",
    HybridEstimator,
    info=EstimatorInfo(
        "hybrid", "ensemble", description="weighted rank sum of members' oriented scores: sum_m w_m * rank_m"
    ),
    schema={"members": REQUIRED, "weights": None, "store": None},
    context=ScoringContext.fields(),
)
add_estimator(
    "vote",
    VoteEstimator,
    info=EstimatorInfo(
        "vote", "ensemble", description=f"pairwise majority vote of expert proxies (default {'+'.join(DEFAULT_VOTE)})"
    ),
    schema={"members": None, "weights": None, "store": None},
    context=ScoringContext.fields(),
)


def store_ensemble(
    space: Any, archs: Sequence[Any], spec: str, store: Any, context: ScoringContext, *, stored: Sequence[str] = ()
) -> Scores:
    """Compute an ensemble from a score store and append it there.

    Members named in ``stored`` (e.g. the proxies of the run that just filled the store) are read from it; any
    other member (``flops``, ``params``) is computed with ``context`` and appended first, so the ensemble and its
    members stay reproducible from the store alone.
    """
    kind, members, weights = canonical_ensemble(spec)
    seed = context.seed
    for m in members:
        if m not in stored:
            _append(store, space, create_estimator(m, context).score(space, list(archs)), seed)
    sc = _BY_KIND[kind](members, weights, store=store, seed=seed).score(space, list(archs))
    _append(store, space, sc, seed)
    return sc


def _append(store: Any, space: Any, sc: Scores, seed: int) -> None:
    """Append every score of ``sc`` (no checkpoint) to ``store`` under ``seed``."""
    rows = zip(sc.keys, sc.values, sc.status, [None] * len(sc.keys), strict=True)
    store.put_many(space.name, rows, sc.info, sc.config, seed=seed)
