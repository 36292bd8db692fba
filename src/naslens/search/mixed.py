"""What the operation-scoring searches need of a mixed-op supernet: the protocol they call, seeded batch streams,
measures (zero-shot proxies, accuracy) and the journalled scoring of perturbations.

A mixed-op supernet (``space.supernet(mode="mixed", **net)``, declared by ``"mixed" in space.info.supernet_modes``)
sums, at every position, its alive candidate ops weighted by architecture weights. A perturbation changes its state
for one evaluation and restores it: ``A − (p, o)`` removes op ``o`` from position ``p`` (it is no longer executed at
all), ``A + (p, o)`` discretises ``p`` to ``o`` (only ``o`` alive, weight 1).

Every evaluation of a perturbation is one step of a :class:`~naslens.search.journal.SearchJournal`, keyed by what was
evaluated (kind, position, choice, supernet state, batch), so a killed run resumes where it stopped and a rerun that
would evaluate something else is an error, never a silent mix.

Example:
    >>> stream = BatchStream(BatchSpec(source="noise", batch_size=4, shape=(3, 8, 8)), seed=0, stream=1)
    >>> bool((stream.batch(3).x == stream.batch(3).x).all()), bool((stream.batch(3).x == stream.batch(4).x).all())
    (True, False)
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
import torch

from naslens.data.batches import BatchSpec, make_batches
from naslens.estimators.zeroshot._core import Batch
from naslens.search._base import SearchError
from naslens.search.journal import SearchJournal

PERTURBATIONS = ("remove", "discretise")
"""``remove``: A − (p, o); ``discretise``: A + (p, o)."""


def bound_context(space: Any, *, seed: int, **settings: Any) -> Any:
    """The zero-shot run context (one batch per draw) of an operation-scoring run, bound to ``space``; its
    settings' errors as :class:`SearchError`. ``settings``: dataset, data, batch_size, net, data_root, device."""
    from naslens.estimators.zeroshot.run_context import RunContext

    try:
        return RunContext(n_batches=1, seed=seed, **settings).bound(space)
    except ValueError as e:
        raise SearchError(str(e)) from None


def check_mixed_space(space: Any) -> None:
    """Refuse a space that declares no mixed-op supernet (``"mixed" not in space.info.supernet_modes``)."""
    modes = tuple(getattr(space.info, "supernet_modes", ()) or ())
    if "mixed" not in modes:
        raise SearchError(
            f"space {space.name!r} has no mixed-op supernet (its supernet modes: {', '.join(modes) or 'none'}); "
            "operation scoring needs space.supernet(mode='mixed')"
        )


def build_mixed(space: Any, seed: int, net: dict[str, Any], device: torch.device | str = "cpu") -> Any:
    """The space's mixed-op supernet, built after ``torch.manual_seed(seed)`` (weights and architecture weights)."""
    check_mixed_space(space)
    torch.manual_seed(int(seed))
    return space.supernet(mode="mixed", **net).to(device)


def undecided(state: Any) -> list[int]:
    """Positions of ``state`` with more than one alive op (those an order still has to decide)."""
    return [p for p, al in enumerate(state.alive) if sum(al) > 1]


def alive_choices(state: Any, position: int) -> list[int]:
    return [o for o, a in enumerate(state.alive[position]) if a]


# ---------------------------------------------------------------------- batches
def derived_seed(*parts: int) -> int:
    """A 32-bit seed from integers (``np.random.SeedSequence``): batch ``i`` of stream ``s`` of run seed ``r``."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


class BatchStream:
    """Batch ``i`` of a seeded stream: ``spec`` with ``n_batches=1`` and seed ``derived_seed(seed, stream, i)``.

    Batches are addressed by index, so a resumed run draws exactly the batches of the first run. Each batch is a
    fresh seeded draw from the source (a small source such as the shared CIFAR-10 subset repeats images across
    batches, never within one).
    """

    def __init__(self, spec: BatchSpec, *, seed: int, stream: int, device: torch.device | str = "cpu") -> None:
        self.spec, self.seed, self.stream, self.device = spec, int(seed), int(stream), device
        self._cache: dict[int, Batch] = {}
        self.provenance: dict[str, Any] = {}

    def batch(self, i: int) -> Batch:
        if i not in self._cache:
            if len(self._cache) >= 4:
                self._cache.pop(next(iter(self._cache)))
            spec = dataclasses.replace(self.spec, n_batches=1, seed=derived_seed(self.seed, self.stream, i))
            raw, prov = make_batches(spec)
            if not self.provenance:
                self.provenance = {k: v for k, v in prov.items() if k not in ("seed", "indices_sha256", "n_batches")}
            x, y = raw[0]
            self._cache[i] = Batch(x.to(self.device), y.to(self.device))
        return self._cache[i]


# ---------------------------------------------------------------------- measures
class Measure(Protocol):
    """Scores a module on one batch: ``{name: (value, status)}`` for each of ``names``."""

    names: list[str]
    higher_is_better: dict[str, bool]

    def __call__(self, module: Any, batch: Batch) -> dict[str, tuple[float, str]]: ...


class ProxyMeasure:
    """Zero-shot proxies through the fused scorer (shared passes computed once per evaluation).

    Raises:
        SearchError: an unknown proxy (the message lists the registered ones), or one scored on a thin network.
    """

    def __init__(self, proxies: Sequence[str], *, seed: int) -> None:
        from naslens.estimators.zeroshot import FusedScorer, create_proxy, list_proxies

        made = []
        for p in proxies:
            try:
                made.append(create_proxy(p))
            except KeyError:
                raise SearchError(f"unknown proxy {p!r}; registered proxies: {', '.join(list_proxies())}") from None
        thin = [p.info.name for p in made if p.info.network != "run"]
        if thin:
            raise SearchError(f"proxies {thin} are scored on the space's thin network and cannot score a supernet")
        self.scorer = FusedScorer(made)
        self.names = self.scorer.names
        self.higher_is_better = {p.info.name: bool(p.info.higher_is_better) for p in made}
        self.seed = int(seed)

    def __call__(self, module: Any, batch: Batch) -> dict[str, tuple[float, str]]:
        out = self.scorer.score(module, [batch], seed=self.seed)
        return {n: (o.value, o.status) for n, o in out.items()}


class AccuracyMeasure:
    """Top-1 accuracy (%) of a module's logits on a labelled batch, in eval mode (trained weights)."""

    def __init__(self) -> None:
        self.names = ["accuracy"]
        self.higher_is_better = {"accuracy": True}

    def __call__(self, module: Any, batch: Batch) -> dict[str, tuple[float, str]]:
        was = module.training
        module.eval()
        try:
            with torch.no_grad():
                pred = module(batch.x).argmax(1)
        finally:
            module.train(was)
        assert batch.y is not None
        v = 100.0 * float((pred == batch.y.to(pred.device)).float().mean())
        return {"accuracy": (v, "ok")}


def importance(value: float, higher_is_better: bool, kind: str) -> float:
    """How much an op matters from the score of its perturbation (higher = keep it; NaN stays NaN, an infinite
    score stays infinite: a removal that sends a higher-is-better score to −inf makes its op the most important).

    ``remove`` (A − (p, o)): the op whose removal worsens the score most matters most: ``−S`` for a
    higher-is-better score, ``+S`` otherwise. ``discretise`` (A + (p, o)): the op whose network alone scores best:
    ``+S`` / ``−S``.

    Example:
        >>> importance(3.0, True, "remove"), importance(3.0, False, "remove"), importance(3.0, False, "discretise")
        (-3.0, 3.0, -3.0)
    """
    if kind not in PERTURBATIONS:
        raise ValueError(f"perturbation must be one of {PERTURBATIONS}, got {kind!r}")
    if value != value:
        return math.nan
    sign = 1.0 if higher_is_better else -1.0
    return -sign * value if kind == "remove" else sign * value


def nan_argmax(values: Sequence[float]) -> int | None:
    """Index of the largest non-NaN value (first on ties), ``None`` when every value is NaN."""
    best, idx = -math.inf, None
    for i, v in enumerate(values):
        if v == v and (idx is None or v > best):
            best, idx = v, i
    return idx


# ---------------------------------------------------------------------- journalled perturbations
class PerturbationRunner:
    """Evaluate perturbations of a mixed supernet with a measure, each one a journal step.

    Args:
        supernet: the mixed supernet (its state is restored after every evaluation).
        measure: what scores the perturbed supernet.
        journal: where the steps go (replayed on a rerun).
        stream: the batches (``batch_index`` addresses one).
        label: prefix of the journal items (``stage1``, ``opscore``…).
    """

    def __init__(
        self, supernet: Any, measure: Measure, journal: SearchJournal, stream: BatchStream, *, label: str
    ) -> None:
        self.supernet, self.measure, self.journal, self.stream, self.label = supernet, measure, journal, stream, label
        self.evaluations = 0
        self.seconds = 0.0

    def evaluate(
        self, kind: str, position: int, choice: int, batch_index: int, *, step: int
    ) -> dict[str, tuple[float, str]]:
        """``{measure name: (value, status)}`` of the supernet perturbed by ``kind`` (p, o), on batch
        ``batch_index``, recorded as journal step ``step``."""
        if kind not in PERTURBATIONS:
            raise ValueError(f"perturbation must be one of {PERTURBATIONS}, got {kind!r}")
        sn = self.supernet
        base = sn.state()
        item = f"{self.label} {kind} {position}:{choice} batch {batch_index} @ {base.key()}"

        def compute() -> tuple[float, float, dict[str, Any]]:
            batch = self.stream.batch(batch_index)
            t0 = time.perf_counter()
            try:
                (sn.remove if kind == "remove" else sn.discretise)(position, choice)
                out = self.measure(sn, batch)
            finally:
                sn.set_state(base)
            dt = time.perf_counter() - t0
            first = out[self.measure.names[0]][0]
            extra = {
                "values": {n: _json(v) for n, (v, _) in out.items()},
                "status": {n: s for n, (_, s) in out.items()},
            }
            return first, dt, extra

        st = self.journal.replay(step, item, compute)
        self.evaluations += st.evaluations
        self.seconds += st.seconds
        vals, stats = st.extra.get("values", {}), st.extra.get("status", {})
        return {n: (float(vals[n]), str(stats.get(n, "nan"))) for n in vals}

    def importances(
        self, kind: str, position: int, batch_index: int, name: str, *, step0: int, choices: Sequence[int] | None = None
    ) -> tuple[list[float], int]:
        """Importance of every choice of ``position`` (NaN where not alive) under measure ``name``; returns the
        importances and the next free step number."""
        state = self.supernet.state()
        alive = alive_choices(state, position) if choices is None else list(choices)
        imp = [math.nan] * len(state.alive[position])
        step = step0
        for o in alive:
            v, _ = self.evaluate(kind, position, o, batch_index, step=step)[name]
            imp[o] = importance(v, self.measure.higher_is_better[name], kind)
            step += 1
        return imp, step


def _json(v: float) -> float | str:
    """JSON-safe value: finite floats as they are, NaN and ±inf as text (``float()`` reads them back)."""
    return float(v) if math.isfinite(v) else str(v)


ScoreRound = Callable[[Sequence[int]], dict[int, list[float]]]
"""Importances of every alive choice of each given position on the current state, computed in one round (one batch)."""
