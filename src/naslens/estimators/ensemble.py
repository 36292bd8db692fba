"""Ensembles of estimators: ``vote`` (pairwise majority of expert proxies) and ``hybrid`` (weighted rank sum).

Members are any registered estimators (zero-shot proxies, ``flops``, ``params``, ...); each member's scores are
oriented by its ``higher_is_better`` before combining, so every ensemble score is higher-is-better. Member scores
are computed with the run's context or, when ``store`` is given, read from a :class:`~naslens.store.ScoreStore`.

Specs accepted on the command line: ``hybrid:zen+flops``, ``hybrid:synflow*2+params`` (weights),
``vote:synflow,jacob_cov,snip`` (``+`` or ``,`` separate members).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import rankdata

from naslens.estimators.base import (
    REQUIRED,
    EstimatorConfigError,
    EstimatorInfo,
    Scores,
    add_estimator,
    create_estimator,
)
from naslens.types import ScoringContext

DEFAULT_VOTE = ("synflow", "jacob_cov", "snip")
"""The experts of the original vote ensemble (Abdelfattah et al., 2021)."""


def parse_ensemble(spec: str) -> tuple[str, list[str], list[float]]:
    """``"hybrid:zen*2+flops"`` → ``("hybrid", ["zen", "flops"], [2.0, 1.0])``; spaces around names and weights
    are ignored, and ``+`` or ``,`` separate members.

    Raises:
        EstimatorConfigError: (a ``ValueError``) not ``vote:``/``hybrid:`` members, an empty or duplicate member, a
            weight that is not a finite number; the message quotes the spec.

    Example:
        >>> parse_ensemble("vote: synflow, jacob_cov, snip")
        ('vote', ['synflow', 'jacob_cov', 'snip'], [1.0, 1.0, 1.0])
    """
    kind, sep, body = spec.partition(":")
    kind = kind.strip()
    if kind not in ("vote", "hybrid") or not sep or not body.strip():
        raise EstimatorConfigError(f"ensemble spec must look like 'hybrid:zen+flops' or 'vote:a,b,c', got {spec!r}")
    members, weights = [], []
    for part in _member_parts(body):
        name, star, w = (t.strip() for t in part.partition("*"))
        if not name:
            raise EstimatorConfigError(f"empty member in ensemble spec {spec!r}")
        try:
            weight = float(w) if star else 1.0
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight):
            raise EstimatorConfigError(f"bad weight {w!r} of {name!r} in ensemble spec {spec!r}: give a finite number")
        weights.append(weight)
        members.append(name)
    if len(set(members)) != len(members):
        raise EstimatorConfigError(f"duplicate members in ensemble spec {spec!r}")
    return kind, members, weights


_OPEN_EXPONENT = re.compile(r"\*\s*[-+]?(\d+\.?\d*|\.\d+)[eE]\s*$")
"""The end of a member whose weight was cut at the ``+`` of its exponent (``zen*1e`` of ``zen*1e+06``)."""


def _member_parts(body: str) -> list[str]:
    """``body`` split at ``+`` and ``,``, except a ``+`` that signs a weight's exponent (``zen*2.5e+06+flops``)."""
    parts: list[str] = []
    for piece in body.replace(",", "+").split("+"):
        if parts and _OPEN_EXPONENT.search(parts[-1]):
            parts[-1] += "+" + piece
        else:
            parts.append(piece)
    return parts


def _weight_text(w: float) -> str:
    """The shortest text of ``w`` that reads back exactly (``2`` rather than ``2.0``, as names always had it)."""
    short = f"{w:g}"
    return short if float(short) == w else repr(w)


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
    kind = ""

    def __init__(
        self,
        members: str | Sequence[str] | None = None,
        weights: Sequence[float] | None = None,
        store: Any = None,
        **context: Any,
    ) -> None:
        """``context``: run settings (:class:`~naslens.types.ScoringContext` fields) handed to every member."""
        if isinstance(members, str):
            _, members, parsed = parse_ensemble(f"{self.kind}:{members}")
            weights = parsed if weights is None else weights
        if not members and self.kind != "vote":
            raise ValueError(f"{self.kind} needs members, e.g. 'zen+flops'")
        self.members = list(members) if members else list(DEFAULT_VOTE)
        if len(self.members) < 2:
            raise ValueError(f"{self.kind} needs at least two members, got {self.members}")
        self.weights = [1.0] * len(self.members) if weights is None else [float(w) for w in weights]
        if len(self.weights) != len(self.members):
            raise ValueError(f"{len(self.members)} members but {len(self.weights)} weights")
        self.store = store
        self.context = ScoringContext().replace(**context)
        self._store_seed = context.get("seed")
        self._member_configs: list[dict[str, Any]] = []
        self.info = EstimatorInfo(
            name=self.name, family="ensemble", higher_is_better=True, description=f"{self.kind} of {self.members}"
        )

    @property
    def name(self) -> str:
        parts = [m if w == 1.0 else f"{m}*{_weight_text(w)}" for m, w in zip(self.members, self.weights, strict=True)]
        return f"{self.kind}:{'+'.join(parts)}"

    def config(self) -> dict[str, Any]:
        return {
            "estimator": self.kind,
            "members": self.members,
            "weights": self.weights,
            "member_configs": self._member_configs,
        }

    def _member_scores(self, space: Any, archs: Sequence[Any]) -> list[Scores]:
        keys = [space.key(a) for a in archs]
        out = []
        for m in self.members:
            if self.store is not None:
                from naslens.store import ScoreStore

                st = self.store if isinstance(self.store, ScoreStore) else ScoreStore(self.store, readonly=True)
                out.append(st.scores(space.name, m, keys, seed=self._store_seed))
            else:
                out.append(create_estimator(m, self.context).score(space, archs))
        self._member_configs = [s.config for s in out]
        return out

    def combine(self, columns: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        members = self._member_scores(space, archs)
        cols = [np.where(s.finite, oriented(s.values, s.info.higher_is_better), np.nan) for s in members]
        values = self.combine(cols)
        keys = [space.key(a) for a in archs]
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
    """Pairwise majority vote of expert proxies (weights ignored); see :func:`pairwise_vote`."""

    kind = "vote"

    def combine(self, columns: list[np.ndarray]) -> np.ndarray:
        return pairwise_vote(columns)


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


def ensemble_name(spec: str) -> str:
    """The stored estimator name of an ensemble spec (``hybrid:zen+flops`` → its estimator's name); a plain name is
    returned unchanged."""
    if ":" not in spec:
        return spec
    kind, members, weights = parse_ensemble(spec)
    cls = HybridEstimator if kind == "hybrid" else VoteEstimator
    return cls(members, weights).name


def store_ensemble(
    space: Any, archs: Sequence[Any], spec: str, store: Any, context: ScoringContext, *, stored: Sequence[str] = ()
) -> Scores:
    """Compute an ensemble from a score store and append it there.

    Members named in ``stored`` (e.g. the proxies of the run that just filled the store) are read from it; any
    other member (``flops``, ``params``) is computed with ``context`` and appended first, so the ensemble and its
    members stay reproducible from the store alone.
    """
    kind, members, weights = parse_ensemble(spec)
    seed = context.seed
    for m in members:
        if m not in stored:
            sc = create_estimator(m, context).score(space, list(archs))
            store.put_many(
                space.name, zip(sc.keys, sc.values, sc.status, [None] * len(sc.keys), strict=True), sc.info,
                sc.config, seed=seed,
            )  # fmt: skip
    cls = HybridEstimator if kind == "hybrid" else VoteEstimator
    sc = cls(members, weights, store=store, seed=seed).score(space, list(archs))
    store.put_many(
        space.name, zip(sc.keys, sc.values, sc.status, [None] * len(sc.keys), strict=True), sc.info, sc.config,
        seed=seed,
    )  # fmt: skip
    return sc
