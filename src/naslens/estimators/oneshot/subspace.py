"""``SubSpace``: the architectures a supernet trains and scores, asked of the space through the protocol.

A sub-space is a search space restricted to some choice labels (``ops``: a position keeps the choices whose label is
listed; for pruning studies), or to an explicit list of architectures, and optionally without the space's *trivial*
architectures (``require_conv``). Everything here goes through :class:`~naslens.spaces.SearchSpace`:

- choice labels per position come from ``space.info.choices``; an architecture's labels from ``encode(arch, "codes")``;
- uniform draws are per-position choice codes (one ``rng.integers`` call for the positions) turned into an
  architecture with ``space.from_codes`` (:class:`~naslens.spaces.coded.CodedSpace` offers it); a space without it
  can still be sampled whole with ``space.sample``, but not restricted by ``ops``;
- *trivial* architectures are those ``space.is_trivial(arch)`` reports (NB201: no convolution on an input→output
  path; NAS-Bench-Macro: none, every architecture convolves). A space without ``is_trivial`` refuses
  ``require_conv``.

Example:
    >>> import numpy as np
    >>> from naslens.spaces import get_space
    >>> sub = SubSpace(get_space("nb-macro"), ops=("id", "ir_3x3_t3"))
    >>> sub.ops, sub.size
    (('id', 'ir_3x3_t3'), 256)
    >>> get_space("nb-macro").key(sub.draw(np.random.default_rng(0)))
    '11100000'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.spaces import SearchSpace, get_space
from naslens.types import SpaceCapabilityError, UserError


class SamplerError(UserError, ValueError):
    """Invalid sampler or sub-space configuration; the message names the setting."""


def choice_labels(space: SearchSpace) -> tuple[str, ...]:
    """Every choice label of ``space``, in order of first appearance over its positions."""
    return tuple(dict.fromkeys(label for labels in space.info.choices for label in labels))


class SubSpace:
    """A space restricted by choice labels or to a list of architectures (see the module docstring).

    Args:
        space: the search space (or its registered name).
        ops: choice labels allowed (default: all of the space's); kept in the space's order.
        archs: explicit architectures (overrides ``ops``; duplicates dropped, order kept).
        require_conv: leave out trivial architectures (``space.is_trivial``).

    Raises:
        SamplerError: unknown labels, a position left without a choice, an empty list.
        SpaceCapabilityError: ``require_conv`` on a space without ``is_trivial``.
    """

    def __init__(
        self,
        space: SearchSpace | str,
        *,
        ops: Sequence[str] | None = None,
        archs: Sequence[Any] | None = None,
        require_conv: bool = False,
    ) -> None:
        self.space = get_space(space)
        info = self.space.info
        every = choice_labels(self.space)
        if ops is not None:
            unknown = sorted(set(ops) - set(every))
            if unknown:
                raise SamplerError(f"unknown op(s) {unknown}; {info.name} choices: {', '.join(every)}")
        chosen = every if ops is None else tuple(o for o in every if o in ops)
        if not chosen:
            raise SamplerError("the sub-space needs at least one op")
        self.require_conv = bool(require_conv)
        self._is_trivial = getattr(self.space, "is_trivial", None)
        if self.require_conv and self._is_trivial is None:
            raise SpaceCapabilityError(
                f"space {info.name!r} cannot tell trivial architectures (it has no is_trivial); drop require_conv"
            )
        self.archs: tuple[Any, ...] | None = None
        if archs is not None:
            archs_t = tuple({self.space.key(a): a for a in archs}.values())
            if not archs_t:
                raise SamplerError("archs must hold at least one architecture")
            if self.require_conv:
                archs_t = tuple(a for a in archs_t if not self.trivial(a))
                if not archs_t:
                    raise SamplerError("require_conv: none of the given architectures has an effective convolution")
            self.archs = archs_t
            used = {label for a in archs_t for label in self.labels(a)}
            chosen = tuple(o for o in every if o in used)
        self.ops = chosen
        self.allowed: tuple[tuple[int, ...], ...] = tuple(
            tuple(c for c, label in enumerate(labels) if label in chosen) for labels in info.choices
        )
        empty = [info.positions[p] for p, codes in enumerate(self.allowed) if not codes]
        if empty:
            raise SamplerError(
                f"ops {list(chosen)} leave position(s) {empty} of {info.name} without a choice "
                f"(they offer {sorted({c for p in empty for c in info.choices[info.positions.index(p)]})})"
            )
        self._from_codes = getattr(self.space, "from_codes", None)
        self.restricted = self.archs is None and any(
            len(a) < len(c) for a, c in zip(self.allowed, info.choices, strict=True)
        )
        if self.restricted and self._from_codes is None:
            raise SpaceCapabilityError(
                f"space {info.name!r} builds no architecture from choice codes (no from_codes): it cannot be "
                "restricted by ops; give an explicit list of architectures instead"
            )
        if self.require_conv and self.archs is None:
            self._check_has_nontrivial()

    # ------------------------------------------------------------------ queries
    @property
    def size(self) -> int:
        """Number of architectures of the sub-space (before ``require_conv``)."""
        return len(self.archs) if self.archs is not None else math.prod(len(a) for a in self.allowed)

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Choices kept at each position."""
        return tuple(len(a) for a in self.allowed)

    def labels(self, arch: Any) -> tuple[str, ...]:
        """The choice label of ``arch`` at every position."""
        codes = self.space.encode(arch, "codes")
        return tuple(labels[int(c)] for labels, c in zip(self.space.info.choices, codes, strict=True))

    def holds(self, arch: Any) -> bool:
        """Whether a supernet built with :attr:`ops` can run ``arch`` (every label of it is among them)."""
        return set(self.labels(arch)) <= set(self.ops)

    def trivial(self, arch: Any) -> bool:
        """``space.is_trivial(arch)`` (``False`` for every architecture of a space that does not define it)."""
        return bool(self._is_trivial(arch)) if self._is_trivial is not None else False

    def key(self, arch: Any) -> str:
        return self.space.key(arch)

    # ------------------------------------------------------------------ construction and draws
    def from_codes(self, codes: Sequence[int]) -> Any:
        if self._from_codes is None:
            raise SpaceCapabilityError(f"space {self.space.name!r} builds no architecture from choice codes")
        return self._from_codes([int(c) for c in codes])

    def draw(self, rng: np.random.Generator) -> Any:
        """One architecture uniformly over the sub-space (``require_conv`` not applied)."""
        if self.archs is not None:
            return self.archs[int(rng.integers(len(self.archs)))]
        if self._from_codes is None:  # whole space, nothing restricted: the space's own uniform sampler
            return self.space.sample(rng)
        card = self.cardinalities
        # one draw for all positions; with equal cardinalities exactly the stream naslens has always used for NB201
        idx = rng.integers(card[0], size=len(card)) if len(set(card)) == 1 else rng.integers(np.array(card))
        return self.from_codes([a[int(i)] for a, i in zip(self.allowed, idx, strict=True)])

    def members(self) -> list[Any]:
        """Every architecture of the sub-space (trivial ones left out with ``require_conv``), in the space's order.

        Raises:
            SpaceCapabilityError: the space is not enumerable and no explicit list was given.
        """
        if self.archs is not None:
            return list(self.archs)
        if not self.space.info.enumerable:
            raise SpaceCapabilityError(f"space {self.space.name!r} is not enumerable; give an explicit list")
        table = self.space.enumerate()
        if self.restricted:
            ok = set(self.ops)
            table = [a for a in table if set(self.labels(a)) <= ok]
        return [a for a in table if not (self.require_conv and self.trivial(a))]

    def _check_has_nontrivial(self) -> None:
        """Refuse ``require_conv`` when every architecture of the sub-space is trivial (checked by enumeration
        where the sub-space is enumerable and not huge; it stops at the first non-trivial architecture)."""
        if not self.space.info.enumerable or self.size > 2_000_000 or self._from_codes is None:
            return
        import itertools

        for codes in itertools.product(*self.allowed):
            if not self.trivial(self.from_codes(codes)):
                return
        raise SamplerError(
            f"require_conv: every architecture of the sub-space (ops {list(self.ops)}) is trivial (has no "
            "effective convolution)"
        )
