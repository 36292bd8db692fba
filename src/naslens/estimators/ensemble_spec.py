"""The ensemble spec syntax: how an ensemble of estimators is written, read and named.

One spec syntax everywhere (``naslens score --ensemble``, ``naslens evaluate -e``, Python): ``KIND:MEMBERS`` with
``KIND`` ``vote`` or ``hybrid`` and members separated by ``+`` (``hybrid:zen+flops``, ``vote:synflow+jacob_cov+snip``),
optionally weighted (``hybrid:synflow*2+params``). Commas also separate members (``vote:synflow,jacob_cov,snip``):
in a comma-separated estimator list (:func:`split_estimators`) a spec written with ``+`` ends at the next comma,
while a spec written with commas takes every following item up to the next ensemble spec, so put it last
(``params,flops,vote:synflow,jacob_cov,snip``). Every spec is stored and looked up under its canonical name
(:func:`ensemble_name`: members joined by ``+``, aliases resolved), so both spellings name the same ensemble.

The ensembles themselves are :mod:`naslens.estimators.ensemble`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from naslens.estimators.base import ESTIMATORS, EstimatorConfigError, load_builtin_estimators

__all__ = [
    "ENSEMBLE_KINDS",
    "SPEC_HELP",
    "EnsembleSpecError",
    "canonical_ensemble",
    "check_members",
    "ensemble_name",
    "is_ensemble_spec",
    "parse_ensemble",
    "spec_text",
    "split_estimators",
]

ENSEMBLE_KINDS = ("vote", "hybrid")
"""The ``KIND`` of an ensemble spec ``KIND:MEMBERS``."""
SPEC_HELP = "'hybrid:zen+flops', 'hybrid:synflow*2+params' or 'vote:a+b+c' (or 'vote:a,b,c')"
"""How a spec looks, for error messages and help texts."""


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


def spec_text(kind: str, members: Sequence[str], weights: Sequence[float]) -> str:
    """The spec written with ``+`` (weights of 1 left out): the name an ensemble goes by.

    Example:
        >>> spec_text("hybrid", ["zen", "flops"], [2.0, 1.0])
        'hybrid:zen*2+flops'
    """
    body = "+".join(m if w == 1.0 else f"{m}*{_weight_text(w)}" for m, w in zip(members, weights, strict=True))
    return f"{kind}:{body}"


def check_members(kind: str, members: Sequence[str], weights: Sequence[float]) -> None:
    """Refuse an ensemble of fewer than two members or with a weight count other than the member count.

    Raises:
        ValueError: saying which.
    """
    if len(members) < 2:
        raise ValueError(f"{kind} needs at least two members, got {list(members)}")
    if len(weights) != len(members):
        raise ValueError(f"{len(members)} members but {len(weights)} weights")


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
            written = spec_text(*parse_ensemble(part))  # the kind and the first members are checked here
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
    try:
        check_members(kind, members, weights)
    except ValueError as e:
        raise EnsembleSpecError(f"ensemble spec {spec!r}: {e}") from None
    return spec_text(kind, members, weights)
