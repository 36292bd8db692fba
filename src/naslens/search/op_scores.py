"""Operation scoring: how much each op of each undecided position matters, given a partially discretised mixed-op
supernet (Xiang et al., "Zero-Cost Operation Scoring in Differentiable Architecture Search").

Every scoring function returns, for each undecided position, one *importance* per choice (higher = keep the op;
NaN where the choice is not alive or its score is NaN). The scores:

- ``zc-pt``: the proxy score of A − (p, o); the op whose removal worsens the score most (lowers a higher-is-better
  proxy most) matters most.
- ``disc-zc``: the proxy score of A + (p, o) (the position discretised to o).
- ``best-zc``: the best stored proxy score (whole-space scoring in a score store) over every architecture that
  takes o at p and is consistent with the supernet's state (decided positions fixed, removed ops excluded).
- ``best-acc`` / ``avg-acc`` (oracles): the best / mean ground truth over those architectures.
- ``darts-pt`` / ``disc-acc`` (with a trained supernet checkpoint): top-1 accuracy on a labelled batch of the
  *mixed* supernet holding the checkpoint's weights, minus (p, o) / discretised to (p, o).
- ``darts``: the architecture weight of o at p, for a checkpoint that holds architecture weights (naslens' supernets
  are path-trained, SPOS-style, and hold none: ``darts`` is then refused).

Example:
    >>> sorted(s for s, i in OP_SCORES.items() if i.oracle)
    ['avg-acc', 'best-acc']
    >>> op_score_info("zc-pt").needs
    frozenset({'proxy'})
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from naslens.search._base import SearchError
from naslens.search.mixed import PerturbationRunner, alive_choices, build_mixed

NEEDS = ("proxy", "store", "ground_truth", "checkpoint")
"""What a scoring function needs: a zero-shot proxy, a whole-space score store, a ground truth, a trained checkpoint."""


@dataclass(frozen=True)
class OpScoreInfo:
    """Metadata of an operation-scoring function (code branches on it, never on names).

    Attributes:
        name: the score's name.
        needs: a subset of :data:`NEEDS`.
        perturbation: ``remove`` / ``discretise`` for the scores of a perturbed supernet, else ``None``.
        oracle: it reads the ground truth (an upper reference, not a search signal).
        description: one line.
    """

    name: str
    needs: frozenset[str]
    perturbation: str | None
    oracle: bool
    description: str


OP_SCORES: dict[str, OpScoreInfo] = {
    i.name: i
    for i in (
        OpScoreInfo(
            "zc-pt", frozenset({"proxy"}), "remove", False, "proxy score of A − (p, o), negated if higher is better"
        ),
        OpScoreInfo("disc-zc", frozenset({"proxy"}), "discretise", False, "proxy score of A + (p, o)"),
        OpScoreInfo(
            "best-zc", frozenset({"proxy", "store"}), None, False, "best stored proxy score over consistent archs"
        ),
        OpScoreInfo("best-acc", frozenset({"ground_truth"}), None, True, "best ground truth over consistent archs"),
        OpScoreInfo("avg-acc", frozenset({"ground_truth"}), None, True, "mean ground truth over consistent archs"),
        OpScoreInfo(
            "darts-pt", frozenset({"checkpoint"}), "remove", False, "accuracy of the trained A − (p, o), negated"
        ),
        OpScoreInfo("disc-acc", frozenset({"checkpoint"}), "discretise", False, "accuracy of the trained A + (p, o)"),
        OpScoreInfo("darts", frozenset({"checkpoint"}), None, False, "architecture weight of o at p"),
    )
}
PROXY_SCORES = tuple(n for n, i in OP_SCORES.items() if "proxy" in i.needs)
"""Scores computed once per proxy (their column name in tables is ``score:proxy``)."""


def op_score_info(name: str) -> OpScoreInfo:
    """The metadata of a score (an unknown name is a :class:`SearchError` listing the valid ones)."""
    try:
        return OP_SCORES[name]
    except KeyError:
        raise SearchError(f"unknown operation score {name!r}; valid scores: {', '.join(OP_SCORES)}") from None


# ---------------------------------------------------------------------- perturbation scores
def perturbation_scores(
    runner: PerturbationRunner,
    kind: str,
    positions: Sequence[int],
    batch_index: int,
    *,
    step0: int,
) -> tuple[dict[str, dict[int, list[float]]], int]:
    """Importances of every alive choice of ``positions`` under every measure of ``runner``, perturbed by ``kind``
    (one evaluation per (position, choice), all on batch ``batch_index``).

    Returns:
        ``{measure name: {position: importances}}`` and the next free journal step.
    """
    from naslens.search.mixed import importance

    state = runner.supernet.state()
    out: dict[str, dict[int, list[float]]] = {n: {} for n in runner.measure.names}
    step = step0
    for p in positions:
        for n in out:
            out[n][p] = [math.nan] * len(state.alive[p])
        for o in alive_choices(state, p):
            res = runner.evaluate(kind, p, o, batch_index, step=step)
            step += 1
            for n, (v, _) in res.items():
                out[n][p][o] = importance(v, runner.measure.higher_is_better[n], kind)
    return out, step


# ---------------------------------------------------------------------- whole-space scores
class ArchTable:
    """Choice codes of every architecture of an enumerable space, with per-architecture values to reduce.

    Example:
        >>> t = ArchTable(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), ["a", "b", "c", "d"])
        >>> s = type("S", (), {"alive": ((True, True), (True, True)), "decided": (None, None)})()
        >>> t.consistent(s, [0], np.array([1.0, 2.0, 3.0, 5.0]), "max")
        {0: [2.0, 5.0]}
    """

    def __init__(self, codes: np.ndarray, keys: Sequence[str]) -> None:
        self.codes = np.asarray(codes, dtype=np.int64)
        self.keys = list(keys)
        if self.codes.shape[0] != len(self.keys):
            raise ValueError("codes and keys misaligned")

    @classmethod
    def of_space(cls, space: Any) -> ArchTable:
        if not space.info.enumerable:
            raise SearchError(f"space {space.name!r} is not enumerable: whole-space scores cannot apply")
        archs = space.enumerate()
        return cls(np.array([np.asarray(space.encode(a, "codes")) for a in archs]), [space.key(a) for a in archs])

    def mask(self, state: Any) -> np.ndarray:
        """Architectures whose every choice is alive in ``state`` (decided positions fixed, removed ops excluded)."""
        ok = np.ones(len(self.keys), dtype=bool)
        for p, al in enumerate(state.alive):
            ok &= np.asarray(al, dtype=bool)[self.codes[:, p]]
        return ok

    def consistent(
        self, state: Any, positions: Sequence[int], values: np.ndarray, reduce: str
    ) -> dict[int, list[float]]:
        """``reduce`` (``max`` or ``mean``) of the finite ``values`` over the consistent architectures taking each
        alive choice of each position (NaN when none has a finite value, or the choice is not alive)."""
        base = self.mask(state)
        vals = np.asarray(values, dtype=np.float64)
        out: dict[int, list[float]] = {}
        for p in positions:
            row = [math.nan] * len(state.alive[p])
            for o in alive_choices(state, p):
                sel = vals[base & (self.codes[:, p] == o)]
                sel = sel[~np.isnan(sel)]
                if sel.size:
                    row[o] = float(sel.max() if reduce == "max" else sel.mean())
            out[p] = row
        return out


def stored_values(store: Any, space: Any, proxy: str, keys: Sequence[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """The stored whole-space scores of ``proxy``, signed so that higher is better, and what they are.

    Raises:
        SearchError: the store has no (or several) scorings of ``proxy`` for the space.
    """
    from naslens.store import StoreError

    try:
        sc = store.scores(space.name, proxy, keys)
    except StoreError as e:
        raise SearchError(f"best-zc needs a whole-space scoring of {proxy!r}: {e}") from None
    sign = 1.0 if sc.info.higher_is_better else -1.0
    missing = int(sum(1 for s in sc.status if s == "failed: not in store"))
    info = {"store": str(store.path), "config_hash": sc.config_hash, "missing": missing}
    info["nonfinite"] = int((~np.isfinite(sc.values)).sum())
    return sign * sc.values, info


# ---------------------------------------------------------------------- trained checkpoints
@dataclass
class Trained:
    """A mixed supernet holding a path-trained checkpoint's weights, and what the checkpoint is."""

    supernet: Any
    record: dict[str, Any]
    dataset: str
    net: dict[str, Any]
    arch_weights: list[list[float]] | None


def load_trained(space: Any, checkpoint: str, *, seed: int, device: Any = "cpu") -> Trained:
    """The space's mixed supernet with the weights of a ``naslens oneshot train`` checkpoint (loaded by parameter
    name through ``load_path_weights``: every tensor of the mixed supernet but its ``alpha`` buffer must be in it).

    Raises:
        SearchError: the mixed supernet's names do not match the checkpoint's.
    """
    from naslens.estimators.oneshot.checkpoint import load_checkpoint
    from naslens.estimators.zeroshot.supernet_weights import load_supernet_weights

    w = load_supernet_weights(checkpoint, space)
    raw = load_checkpoint(checkpoint)
    mixed = build_mixed(space, seed, dict(w.net), device)
    try:
        mixed.load_path_weights(w.supernet.state_dict())  # every tensor but the mixed supernet's own alpha buffer
    except ValueError as e:
        raise SearchError(f"checkpoint {checkpoint}: {e}") from None
    aw = raw.get("arch_weights")
    return Trained(mixed, w.record(), w.dataset, dict(w.net), None if aw is None else [list(map(float, r)) for r in aw])


def darts_scores(trained: Trained, state: Any, positions: Sequence[int], checkpoint: str) -> dict[int, list[float]]:
    """Architecture weights as importances (alive choices only).

    Raises:
        SearchError: the checkpoint holds no architecture weights (a path-trained, SPOS-style supernet).
    """
    if trained.arch_weights is None:
        raise SearchError(
            f"darts needs architecture weights, and checkpoint {checkpoint} holds none: naslens supernets are "
            "path-trained (SPOS-style); use darts-pt or disc-acc"
        )
    return {p: [trained.arch_weights[p][o] if a else math.nan for o, a in enumerate(state.alive[p])] for p in positions}
