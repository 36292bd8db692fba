"""Architecture samplers for supernet training: which paths are trained at each step.

Every sampler draws from a *sub-space*: all NB201 architectures whose ops come from ``ops`` (the full op list by
default; remove ops for pruning studies), or an explicit list ``archs``. ``step(rng)`` returns the architectures
trained on one batch (their gradients are averaged by the trainer).

- ``uniform``: ``samples`` architectures drawn independently and uniformly (S = 1 is single-path one-shot;
  S > 1 Monte-Carlo).
- ``deiso``: uniformly over isomorphism classes (one representative per class: the smallest benchmark index).
- ``deiso-rejection``: the same distribution without a class table: draw uniformly over architectures and accept
  a draw only if it is its class's *recorded* representative; the first draw of a new class becomes its recorded
  representative (the record is sampler state, saved in checkpoints). Once every class has been seen the accepted
  draws are uniform over classes; before that, large classes are recorded sooner and a class's first draw is always
  accepted, so early steps favour large classes. Simulated on the full space (3 seeds): the first 2,000 accepted
  architectures come from classes of mean size 5.6 (uniform over classes: 2.42), the next 18,000 from classes of
  mean size 2.43–2.50. For short runs (2,000 steps = 125 epochs at 16 steps per epoch) use the table sampler
  ``deiso``, which is uniform over classes from the first step.
- ``fairnas``: FairNAS strict fairness: for each edge an independent random permutation of the op list; the
  i-th architecture takes the i-th op of every permutation, so the ``|ops|`` architectures of a step use every op
  on every edge exactly once.

``require_conv=True`` (any sampler) keeps only architectures with an effective convolution (a conv on an
input→output path, :func:`~naslens.spaces.nb201.has_effective_conv`), as aw_nas' NB201 samplers do: cells without
one compute a fixed pooling/identity/zero function and only disturb the shared weights. uniform / deiso-rejection
redraw, deiso drops such classes from its table, an explicit ``archs`` list is filtered, and FairNAS redraws the
whole set of permutations until each of its architectures has one (every op still covers every edge once per
step). Off by default: the criteria are computed over the whole space, cells without a conv included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.spaces.nb201 import CONV_OPS, NUM_EDGES, OPS, NB201Arch, NB201Space, canonical, has_effective_conv

SAMPLERS = ("uniform", "deiso", "deiso-rejection", "fairnas")


class SamplerError(ValueError):
    """Invalid sampler configuration."""


class Sampler:
    """Base class: a sub-space (``ops`` or ``archs``) and ``samples`` architectures per step.

    Args:
        samples: architectures per training step (ignored by FairNAS, which always gives ``len(ops)``).
        ops: allowed ops on every edge (default all NB201 ops).
        archs: an explicit list of allowed architectures (overrides ``ops``).
        require_conv: keep only architectures with an effective convolution (see the module docstring).
        max_tries: draws allowed per architecture when redrawing (a guard against empty sub-spaces).
    """

    kind = "base"

    def __init__(
        self,
        samples: int = 1,
        *,
        ops: Sequence[str] | None = None,
        archs: Sequence[NB201Arch] | None = None,
        require_conv: bool = False,
        max_tries: int = 100_000,
    ) -> None:
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise SamplerError(f"samples must be a positive integer, got {samples!r}")
        ops_t = tuple(o for o in OPS if o in (OPS if ops is None else ops))
        if ops is not None:
            unknown = sorted(set(ops) - set(OPS))
            if unknown:
                raise SamplerError(f"unknown op(s) {unknown}; NB201 ops: {OPS}")
        if not ops_t:
            raise SamplerError("the sub-space needs at least one op")
        self.samples = samples
        self.ops = ops_t
        self.require_conv = bool(require_conv)
        self.max_tries = max_tries
        self.archs: tuple[NB201Arch, ...] | None = None
        if archs is not None:
            archs_t = tuple(dict.fromkeys(archs))
            if not archs_t:
                raise SamplerError("archs must hold at least one architecture")
            if self.require_conv:
                archs_t = tuple(a for a in archs_t if has_effective_conv(a))
                if not archs_t:
                    raise SamplerError("require_conv: none of the given architectures has an effective convolution")
            self.archs = archs_t
            self.ops = tuple(o for o in OPS if any(o in a.ops for a in archs_t))
        elif self.require_conv and not CONV_OPS & set(self.ops):
            raise SamplerError(f"require_conv needs a convolution among the ops, got {list(self.ops)}")

    def config(self) -> dict[str, Any]:
        """JSON-able description (enters the training configuration hash)."""
        sub: dict[str, Any] = {"ops": list(self.ops)}
        if self.archs is not None:
            sub = {"archs": [a.to_string() for a in self.archs]}
        if self.require_conv:  # only when set: configurations (and hashes) of earlier runs are unchanged
            sub["require_conv"] = True
        return {"kind": self.kind, "samples": self.samples, **sub}

    def _draw_any(self, rng: np.random.Generator) -> NB201Arch:
        if self.archs is not None:
            return self.archs[int(rng.integers(len(self.archs)))]
        codes = rng.integers(len(self.ops), size=NUM_EDGES)
        return NB201Arch(tuple(self.ops[int(c)] for c in codes))

    def draw_one(self, rng: np.random.Generator) -> NB201Arch:
        """One architecture uniformly over the sub-space (redrawn while it lacks an effective conv when
        ``require_conv``; an ``archs`` list is filtered up front)."""
        for _ in range(self.max_tries):
            a = self._draw_any(rng)
            if not self.require_conv or self.archs is not None or has_effective_conv(a):
                return a
        raise RuntimeError(f"no architecture with an effective convolution in {self.max_tries} draws")

    def step(self, rng: np.random.Generator) -> list[NB201Arch]:
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


class DeisoSampler(Sampler):
    """Uniform over isomorphism classes of the sub-space, via a table of one representative per class (the member
    with the smallest benchmark index)."""

    kind = "deiso"

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # the base class's arguments
        super().__init__(*args, **kwargs)
        if self.archs is not None:
            members: Sequence[NB201Arch] = self.archs
        else:
            members = [
                a
                for a in NB201Space().enumerate()
                if all(o in self.ops for o in a.ops) and (not self.require_conv or has_effective_conv(a))
            ]
        best: dict[str, NB201Arch] = {}
        for a in members:
            key = canonical(a)
            if key not in best or a.index < best[key].index:
                best[key] = a
        self.representatives = tuple(sorted(best.values(), key=lambda a: a.index))

    def step(self, rng: np.random.Generator) -> list[NB201Arch]:
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
        self.recorded: dict[str, NB201Arch] = {}

    def accept(self, arch: NB201Arch) -> bool:
        """Whether ``arch`` is (or becomes, for a class seen first) its class's recorded representative."""
        rep = self.recorded.setdefault(canonical(arch), arch)
        return rep == arch

    def step(self, rng: np.random.Generator) -> list[NB201Arch]:
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
        return {"recorded": [a.to_string() for a in self.recorded.values()]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.recorded = {}
        for text in state.get("recorded", []):
            a = NB201Arch.from_string(text)
            self.recorded[canonical(a)] = a


class FairNASSampler(Sampler):
    """FairNAS strict fairness: ``len(ops)`` architectures per step covering every op on every edge exactly once."""

    kind = "fairnas"

    def __init__(
        self,
        samples: int = 1,
        *,
        ops: Sequence[str] | None = None,
        archs: Sequence[NB201Arch] | None = None,
        require_conv: bool = False,
    ) -> None:
        if archs is not None:
            raise SamplerError("FairNAS permutes the op list of every edge; restrict it with ops=, not archs=")
        super().__init__(1, ops=ops, require_conv=require_conv, max_tries=10_000)
        self.samples = len(self.ops)

    def step(self, rng: np.random.Generator) -> list[NB201Arch]:
        for _ in range(self.max_tries):
            perms = [rng.permutation(len(self.ops)) for _ in range(NUM_EDGES)]
            archs = [
                NB201Arch(tuple(self.ops[int(perms[e][i])] for e in range(NUM_EDGES))) for i in range(len(self.ops))
            ]
            if not self.require_conv or all(has_effective_conv(a) for a in archs):
                return archs
        raise RuntimeError(f"no FairNAS set with an effective convolution in every path in {self.max_tries} draws")


_KINDS: dict[str, type[Sampler]] = {
    "uniform": UniformSampler,
    "deiso": DeisoSampler,
    "deiso-rejection": RejectionDeisoSampler,
    "fairnas": FairNASSampler,
}


def make_sampler(
    kind: str,
    samples: int = 1,
    *,
    ops: Sequence[str] | None = None,
    archs: Sequence[NB201Arch] | None = None,
    require_conv: bool = False,
) -> Sampler:
    """Build a sampler by kind (one of :data:`SAMPLERS`).

    Example:
        >>> s = make_sampler("fairnas")
        >>> len(s.step(np.random.default_rng(0)))
        5
    """
    if kind not in _KINDS:
        raise SamplerError(f"unknown sampler {kind!r}; choose one of {', '.join(SAMPLERS)}")
    return _KINDS[kind](samples, ops=ops, archs=archs, require_conv=require_conv)
