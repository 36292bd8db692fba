"""Ensembles of estimators: ``vote`` (pairwise majority of expert proxies) and ``hybrid`` (weighted rank sum).

Members are any registered estimators (zero-shot proxies, ``flops``, ``params``, ...); each member's scores are
oriented by its ``higher_is_better`` before combining, so every ensemble score is higher-is-better. Member scores
are computed with the run's context or, when ``store`` is given, read from a :class:`~naslens.store.ScoreStore`.

One spec syntax everywhere (``naslens score --ensemble``, ``naslens evaluate -e``, Python): ``KIND:MEMBERS`` with
``KIND`` ``vote`` or ``hybrid`` and members separated by ``+`` (``hybrid:zen+flops``, ``vote:synflow+jacob_cov+snip``),
optionally weighted (``hybrid:synflow*2+params``). Commas also separate members (``vote:synflow,jacob_cov,snip``):
in a comma-separated estimator list (:func:`split_estimators`) a spec written with ``+`` ends at the next comma,
while a spec written with commas takes every following item up to the next ensemble spec, so put it last
(``params,flops,vote:synflow,jacob_cov,snip``). Every spec is stored and looked up under its canonical name
(:func:`ensemble_name`: members joined by ``+``, aliases resolved), so both spellings name the same ensemble.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import rankdata

from naslens.estimators.base import (
    ESTIMATORS,
    REQUIRED,
    EstimatorConfigError,
    EstimatorInfo,
    Scores,
    add_estimator,
    create_estimator,
    load_builtin_estimators,
)
from naslens.types import ScoringContext

DEFAULT_VOTE = ("synflow", "jacob_cov", "snip")
"""The experts of the original vote ensemble (Abdelfattah et al., 2021)."""
ENSEMBLE_KINDS = ("vote", "hybrid")
"""The ``KIND`` of an ensemble spec ``KIND:MEMBERS``."""
SPEC_HELP = "'hybrid:zen+flops', 'hybrid:synflow*2+params' or 'vote:a+b+c' (or 'vote:a,b,c')"


class EnsembleSpecError(EstimatorConfigError):
    """An ensemble spec that cannot be read (unknown kind, empty or duplicate member, bad weight)."""


def parse_ensemble(spec: str) -> tuple[str, list[str], list[float]]:
    """``"hybrid:zen*2+flops"`` → ``("hybrid", ["zen", "flops"], [2.0, 1.0])`` (``+`` or ``,`` separate members).

    Raises:
        EnsembleSpecError: not ``vote:``/``hybrid:`` followed by members, an empty or duplicate member, a bad weight.
    """
    kind, sep, body = spec.partition(":")
    kind = kind.strip()
    if kind not in ENSEMBLE_KINDS or not sep or not body.strip():
        raise EnsembleSpecError(f"ensemble spec must look like {SPEC_HELP}, got {spec!r}")
    members, weights = [], []
    for part in _member_parts(body):
        name, star, w = part.strip().partition("*")
        name = name.strip()
        if not name:
            raise EnsembleSpecError(f"empty member in ensemble spec {spec!r}")
        try:
            weight = float(w) if star else 1.0
        except ValueError:
            raise EnsembleSpecError(f"bad weight {w!r} in ensemble spec {spec!r}") from None
        if not np.isfinite(weight):
            raise EnsembleSpecError(f"weight {w!r} in ensemble spec {spec!r} is not a finite number")
        weights.append(weight)
        members.append(name)
    if len(set(members)) != len(members):
        raise EnsembleSpecError(f"duplicate members in {spec!r}")
    return kind, members, weights


def _join(members: Sequence[str], weights: Sequence[float]) -> str:
    """``["zen", "flops"], [2.0, 1.0]`` → ``"zen*2+flops"`` (the member part of an ensemble's name)."""
    return "+".join(m if w == 1.0 else f"{m}*{_weight_text(w)}" for m, w in zip(members, weights, strict=True))


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


def is_ensemble_spec(text: str) -> bool:
    """Whether ``text`` is written as an ensemble spec (``KIND:…``) rather than an estimator name.

    Example:
        >>> is_ensemble_spec("vote:synflow+snip"), is_ensemble_spec("synflow")
        (True, False)
    """
    return ":" in text


def split_estimators(text: str, *, canonical: bool = True) -> list[str]:
    """Split a comma-separated list of estimator names and ensemble specs, keeping every spec whole.

    A spec written with ``+`` ends at the next comma; a spec written with commas (``vote:a,b,c``) takes every
    following item up to the next ensemble spec, so a plain estimator after it must come first or be written
    before it. With ``canonical`` (default) specs come back under their stored names (:func:`ensemble_name`).

    Example:
        >>> split_estimators("params, flops,vote:synflow,jacob_cov,snip", canonical=False)
        ['params', 'flops', 'vote:synflow+jacob_cov+snip']
        >>> split_estimators("hybrid:zen*2+flops,params,vote:a,b", canonical=False)
        ['hybrid:zen*2+flops', 'params', 'vote:a+b']

    Raises:
        EnsembleSpecError: an item with ``:`` that is not an ensemble spec.
    """
    items: list[str] = []
    collecting: list[str] | None = None  # a comma-written spec still taking members
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            continue
        if is_ensemble_spec(part):
            if collecting is not None:
                items.append("+".join(collecting))
                collecting = None
            kind, members, weights = parse_ensemble(part)  # the kind and the first members are checked here
            written = f"{kind}:{_join(members, weights)}"
            if "+" in part.partition(":")[2]:
                items.append(written)
            else:
                collecting = [written]
        elif collecting is not None:
            collecting.append(part)
        else:
            items.append(part)
    if collecting is not None:
        items.append("+".join(collecting))
    return [ensemble_name(i) if canonical and is_ensemble_spec(i) else i for i in items]


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
        return f"{self.kind}:{_join(self.members, self.weights)}"

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


def _canonical_member(name: str) -> str:
    """The registered name behind a member's alias (``relu_logdet`` → ``nwot``); unknown names unchanged."""
    load_builtin_estimators(until=name)
    return ESTIMATORS.canonical(name) if name in ESTIMATORS else name


def canonical_ensemble(spec: str) -> tuple[str, list[str], list[float]]:
    """:func:`parse_ensemble` with member aliases resolved to registered names (what is computed and stored)."""
    kind, members, weights = parse_ensemble(spec)
    members = [_canonical_member(m) for m in members]
    if len(set(members)) != len(members):
        raise EnsembleSpecError(f"duplicate members in {spec!r} (after resolving aliases: {members})")
    return kind, members, weights


def ensemble_name(spec: str) -> str:
    """The stored estimator name of an ensemble spec (``vote:a,b,c`` and ``vote:a+b+c`` → ``vote:a+b+c``; member
    aliases resolved); a plain name is returned unchanged.

    Raises:
        EnsembleSpecError: an unreadable spec, or fewer than two members.
    """
    if not is_ensemble_spec(spec):
        return spec
    kind, members, weights = canonical_ensemble(spec)
    cls = HybridEstimator if kind == "hybrid" else VoteEstimator
    try:
        return cls(members, weights).name
    except ValueError as e:
        raise EnsembleSpecError(f"ensemble spec {spec!r}: {e}") from None


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
