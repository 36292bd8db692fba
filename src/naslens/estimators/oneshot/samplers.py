"""Architecture samplers for supernet training: which paths are trained at each step.

Every sampler draws from a :class:`~naslens.estimators.oneshot.subspace.SubSpace` of a search space: all its
architectures whose choices come from ``ops`` (every choice by default; remove some for pruning studies), or an
explicit list ``archs``. ``step(rng)`` returns the architectures trained on one batch (their gradients are averaged
by the trainer). Samplers go through the space protocol only; what a space does not offer is refused with a
:class:`~naslens.types.SpaceCapabilityError`.

- ``uniform``: ``samples`` architectures drawn independently and uniformly, each by one draw of per-position choice
  codes (S = 1 is single-path one-shot; S > 1 Monte-Carlo). For NB201 this is the stream naslens has always used.
- ``deiso``: uniformly over isomorphism classes (``space.info.has_isomorphism``), from a table of one representative
  per class of the sub-space: the first member in ``space.enumerate()`` order (NB201: the smallest benchmark index).
- ``deiso-rejection``: the same distribution without a class table: draw uniformly over architectures and accept
  a draw only if it is its class's *recorded* representative; the first draw of a new class becomes its recorded
  representative (the record is sampler state, saved in checkpoints). Once every class has been seen the accepted
  draws are uniform over classes; before that, large classes are recorded sooner and a class's first draw is always
  accepted, so early steps favour large classes. Simulated on the full NB201 space (3 seeds): the first 2,000
  accepted architectures come from classes of mean size 5.6 (uniform over classes: 2.42), the next 18,000 from
  classes of mean size 2.43–2.50. For short runs use the table sampler ``deiso``, uniform over classes from the
  first step.
- ``fairnas``: FairNAS strict fairness: for each position an independent random permutation of its held choices;
  the i-th architecture takes the i-th choice of every permutation, so the k architectures of a step use every
  choice at every position exactly once. Needs the same number k of held choices at every position.

``require_conv=True`` (any sampler) leaves out the space's *trivial* architectures (``space.is_trivial``; NB201:
cells without a convolution on an input→output path, as aw_nas' NB201 samplers do: they compute a fixed
pooling/identity/zero function and only disturb the shared weights; NAS-Bench-Macro: none, every architecture
convolves). uniform / deiso-rejection redraw, deiso drops such classes from its table, an explicit ``archs`` list is
filtered, and FairNAS redraws the whole set of permutations until none of its architectures is trivial (every choice
still covers every position once per step). Off by default: the criteria are computed over the whole space.

- ``evolutionary``: soft pruning, a population steered by an evolutionary controller mixed with uniform draws
  (:mod:`naslens.estimators.oneshot.prune_evo`; settings in ``controller=``; build any kind with
  :func:`naslens.estimators.oneshot.sampler_factory.make_sampler`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.estimators.oneshot.subspace import SamplerError, SubSpace
from naslens.spaces import SearchSpace
from naslens.types import SpaceCapabilityError

SAMPLERS = ("uniform", "deiso", "deiso-rejection", "fairnas", "evolutionary")
DEFAULT_SPACE = "nb201"
"""The space of samplers and training runs that name none (runs made before the space was recorded)."""

__all__ = ["SAMPLERS", "Sampler", "SamplerError"]


class Sampler:
    """Base class: a sub-space (``ops`` or ``archs``) and ``samples`` architectures per step.

    Args:
        samples: architectures per training step (ignored by FairNAS, which always gives k).
        space: the search space or its name (default ``nb201``).
        ops: allowed choice labels (default: all of the space's).
        archs: an explicit list of allowed architectures (overrides ``ops``).
        require_conv: leave out trivial architectures (see the module docstring).
        max_tries: draws allowed per architecture when redrawing (a guard against empty sub-spaces).
    """

    kind = "base"

    def __init__(
        self,
        samples: int = 1,
        *,
        space: SearchSpace | str = DEFAULT_SPACE,
        ops: Sequence[str] | None = None,
        archs: Sequence[Any] | None = None,
        require_conv: bool = False,
        max_tries: int = 100_000,
    ) -> None:
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise SamplerError(f"samples must be a positive integer, got {samples!r}")
        self.sub = SubSpace(space, ops=ops, archs=archs, require_conv=require_conv)
        self.space = self.sub.space
        self.samples = samples
        self.ops = self.sub.ops
        self.archs = self.sub.archs
        self.require_conv = self.sub.require_conv
        self.max_tries = max_tries

    def config(self) -> dict[str, Any]:
        """JSON-able description (``space`` only when it is not the default)."""
        sub: dict[str, Any] = {"ops": list(self.ops)}
        if self.archs is not None:
            sub = {"archs": [self.space.key(a) for a in self.archs]}
        if self.require_conv:  # only when set: configurations of earlier runs are unchanged
            sub["require_conv"] = True
        if self.space.name != DEFAULT_SPACE:
            sub["space"] = self.space.name
        return {"kind": self.kind, "samples": self.samples, **sub}

    def draw_one(self, rng: np.random.Generator) -> Any:
        """One architecture uniformly over the sub-space (redrawn while trivial with ``require_conv``; an ``archs``
        list is filtered up front)."""
        for _ in range(self.max_tries):
            a = self.sub.draw(rng)
            if not self.require_conv or self.archs is not None or not self.sub.trivial(a):
                return a
        raise RuntimeError(f"no non-trivial architecture (require_conv) in {self.max_tries} draws")

    def step(self, rng: np.random.Generator) -> list[Any]:
        """The architectures to train on one batch."""
        return [self.draw_one(rng) for _ in range(self.samples)]

    def state_dict(self) -> dict[str, Any]:
        """Mutable sampler state (saved in checkpoints)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""


class UniformSampler(Sampler):
    """Uniform over the architectures of the sub-space; ``samples`` > 1 gives Monte-Carlo multi-path training."""

    kind = "uniform"


def _require_isomorphism(space: SearchSpace, kind: str) -> None:
    if not space.info.has_isomorphism:
        raise SpaceCapabilityError(f"the {kind} sampler needs isomorphism classes; space {space.name!r} has none")


class DeisoSampler(Sampler):
    """Uniform over isomorphism classes of the sub-space, via a table of one representative per class (the member
    that comes first in ``space.enumerate()`` order)."""

    kind = "deiso"

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # the base class's arguments
        super().__init__(*args, **kwargs)
        _require_isomorphism(self.space, self.kind)
        sub = self.sub
        if sub.archs is None and not sub.restricted and not sub.require_conv:
            self.representatives = tuple(self.space.representatives())
            return
        members = sub.members()
        if sub.archs is not None and self.space.info.enumerable:
            members = sorted(members, key=self.space.index)
        best: dict[Any, Any] = {}
        for a in members:
            best.setdefault(self.space.canonical(a), a)
        self.representatives = tuple(best.values())

    def step(self, rng: np.random.Generator) -> list[Any]:
        reps = self.representatives
        return [reps[int(rng.integers(len(reps)))] for _ in range(self.samples)]


class RejectionDeisoSampler(Sampler):
    """Uniform over isomorphism classes by rejection, without a class table (see the module docstring).

    Args:
        max_tries: draws allowed per accepted architecture before giving up (a guard against empty sub-spaces).
    """

    kind = "deiso-rejection"

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # the base class's arguments
        super().__init__(*args, **kwargs)
        _require_isomorphism(self.space, self.kind)
        self.recorded: dict[Any, Any] = {}

    def accept(self, arch: Any) -> bool:
        """Whether ``arch`` is (or becomes, for a class seen first) its class's recorded representative."""
        rep = self.recorded.setdefault(self.space.canonical(arch), arch)
        return bool(rep == arch)

    def step(self, rng: np.random.Generator) -> list[Any]:
        out = []
        for _ in range(self.samples):
            for _ in range(self.max_tries):
                a = self.draw_one(rng)
                if self.accept(a):
                    out.append(a)
                    break
            else:  # pragma: no cover - needs a pathological sub-space
                raise RuntimeError(f"no architecture accepted in {self.max_tries} draws")
        return out

    def state_dict(self) -> dict[str, Any]:
        return {"recorded": [self.space.key(a) for a in self.recorded.values()]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.recorded = {}
        for text in state.get("recorded", []):
            a = self.space.parse(text)
            self.recorded[self.space.canonical(a)] = a


class FairNASSampler(Sampler):
    """FairNAS strict fairness: k architectures per step covering every held choice at every position once."""

    kind = "fairnas"

    def __init__(
        self,
        samples: int = 1,
        *,
        space: SearchSpace | str = DEFAULT_SPACE,
        ops: Sequence[str] | None = None,
        archs: Sequence[Any] | None = None,
        require_conv: bool = False,
    ) -> None:
        if archs is not None:
            raise SamplerError("FairNAS permutes the choices of every position; restrict it with ops=, not archs=")
        super().__init__(1, space=space, ops=ops, require_conv=require_conv, max_tries=10_000)
        card = self.sub.cardinalities
        if len(set(card)) != 1:
            info = self.space.info
            raise SamplerError(
                f"FairNAS needs the same number of choices at every position; {info.name} holds "
                + ", ".join(f"{p}: {n}" for p, n in zip(info.positions, card, strict=True))
            )
        self.samples = card[0]

    def step(self, rng: np.random.Generator) -> list[Any]:
        allowed, k = self.sub.allowed, self.samples
        for _ in range(self.max_tries):
            perms = [rng.permutation(k) for _ in allowed]
            archs = [self.sub.from_codes([a[int(p[i])] for a, p in zip(allowed, perms, strict=True)]) for i in range(k)]
            if not self.require_conv or not any(self.sub.trivial(a) for a in archs):
                return archs
        raise RuntimeError(f"no FairNAS set without a trivial path (require_conv) in {self.max_tries} draws")
