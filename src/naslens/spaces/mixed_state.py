"""The state of a mixed-op supernet (:class:`MixedState`: which candidate ops still contribute, which positions are
discretised) and :class:`MixedStateMixin`, the state bookkeeping a space's mixed supernet inherits. The protocol itself
(:class:`~naslens.spaces._protocol.MixedSupernet`) lives with the other space protocols."""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MixedState:
    """Which candidate ops of a :class:`MixedSupernet` still contribute, and which positions are discretised.

    Attributes:
        alive: per position, per choice (the supernet's ``choices`` order): whether the op still contributes.
        decided: per position, the choice it was discretised to (it is then the only alive op, weight 1), or ``None``.

    States are immutable values: :meth:`without` (A − (p, o)) and :meth:`discretised` (A + (p, o)) return new ones,
    and :meth:`key` is a stable text form (``parse(key)`` reads it back) a search journal can store.

    Example:
        >>> s = MixedState.full((3, 3))
        >>> s.without(0, 1).discretised(1, 2).key()
        '101|001;-,2'
        >>> MixedState.parse('101|001;-,2') == s.without(0, 1).discretised(1, 2)
        True
        >>> s.without(0, 1).weights([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
        [[0.2, 0.0, 0.5], [0.1, 0.1, 0.8]]
    """

    alive: tuple[tuple[bool, ...], ...]
    decided: tuple[int | None, ...]

    def __post_init__(self) -> None:
        alive = tuple(tuple(bool(a) for a in row) for row in self.alive)
        if len(alive) != len(self.decided):
            raise ValueError(
                f"a mixed state needs one decided entry per position: {len(alive)} alive rows, "
                f"{len(self.decided)} decided entries"
            )
        decided = tuple(
            None if d is None else _as_index(d, len(row), f"decided choice at position {p}")
            for p, (row, d) in enumerate(zip(alive, self.decided, strict=True))
        )
        for p, (row, d) in enumerate(zip(alive, decided, strict=True)):
            if not any(row):
                raise ValueError(f"position {p}: a mixed state needs at least one alive op per position")
            if d is not None and (sum(row) != 1 or not row[d]):
                raise ValueError(f"position {p}: discretised to choice {d}, so only it may be alive, got {row}")
        object.__setattr__(self, "alive", alive)
        object.__setattr__(self, "decided", decided)

    @classmethod
    def full(cls, cardinalities: Sequence[int]) -> MixedState:
        """Every op alive, nothing discretised (the state a mixed supernet is built in)."""
        return cls(tuple((True,) * int(k) for k in cardinalities), (None,) * len(cardinalities))

    @classmethod
    def parse(cls, text: str) -> MixedState:
        """Read :meth:`key` back (raises ``ValueError`` on anything else)."""
        try:
            alive_text, decided_text = text.split(";")
            alive = tuple(tuple(ch == "1" for ch in row) for row in alive_text.split("|"))
            if any(ch not in "01" for ch in alive_text.replace("|", "")):
                raise ValueError("alive flags must be 0 or 1")
            decided = tuple(None if d == "-" else int(d) for d in decided_text.split(","))
        except ValueError as e:
            raise ValueError(f"not a mixed-state key ('101|111;-,2'): {text!r} ({e})") from None
        return cls(alive, decided)

    def key(self) -> str:
        """Stable text: alive flags per position joined by ``|``, ``;``, the decided choice (or ``-``) per position."""
        alive = "|".join("".join("1" if a else "0" for a in row) for row in self.alive)
        return alive + ";" + ",".join("-" if d is None else str(d) for d in self.decided)

    @property
    def cardinalities(self) -> tuple[int, ...]:
        return tuple(len(row) for row in self.alive)

    @property
    def is_discrete(self) -> bool:
        """Whether every position has exactly one alive op (decided or pruned down to it)."""
        return all(sum(row) == 1 for row in self.alive)

    def check_index(self, position: int, choice: int) -> tuple[int, int]:
        """``(position, choice)`` as ints; ``ValueError`` unless they index a candidate op of this state."""
        p = _as_index(position, len(self.alive), "position")
        return p, _as_index(choice, len(self.alive[p]), f"choice at position {p}")

    def without(self, position: int, choice: int) -> MixedState:
        """A − (position, choice): the op stops contributing; removing a removed or the last alive op raises."""
        position, choice = self.check_index(position, choice)
        row = self.alive[position]
        if not row[choice]:
            raise ValueError(f"choice {choice} at position {position} is already removed")
        if sum(row) == 1:
            raise ValueError(f"choice {choice} is the last alive op at position {position}; it cannot be removed")
        alive = list(self.alive)
        alive[position] = tuple(a and i != choice for i, a in enumerate(row))
        return MixedState(tuple(alive), self.decided)

    def discretised(self, position: int, choice: int) -> MixedState:
        """A + (position, choice): only that op stays, with weight 1; discretising to a removed op raises."""
        position, choice = self.check_index(position, choice)
        if not self.alive[position][choice]:
            raise ValueError(f"choice {choice} at position {position} is removed; it cannot be discretised to")
        alive, decided = list(self.alive), list(self.decided)
        alive[position] = tuple(i == choice for i in range(len(self.alive[position])))
        decided[position] = choice
        return MixedState(tuple(alive), tuple(decided))

    def weights(self, probs: Sequence[Sequence[float]]) -> list[list[float]]:
        """The weight of every (position, choice) given the softmax of the architecture weights: ``probs`` for an
        alive op of an undecided position (not renormalised after removals), 0 for a removed op, one-hot at a
        decided position."""
        out = []
        for p, (row, d) in enumerate(zip(self.alive, self.decided, strict=True)):
            if len(probs[p]) != len(row):
                raise ValueError(f"position {p}: {len(probs[p])} probabilities for {len(row)} choices")
            if d is not None:
                out.append([1.0 if i == d else 0.0 for i in range(len(row))])
            else:
                out.append([float(w) if a else 0.0 for w, a in zip(probs[p], row, strict=True)])
        return out


def _as_index(v: Any, n: int, what: str) -> int:
    """``v`` as an int in ``0..n-1`` (numpy integers accepted, bools not), else ``ValueError``."""
    try:
        i = operator.index(v)
    except TypeError:
        i = -1
    if isinstance(v, bool) or not 0 <= i < n:
        raise ValueError(f"{what} must be an index 0..{n - 1}, got {v!r}")
    return i


class MixedStateMixin:
    """The state bookkeeping of a :class:`MixedSupernet`, for a ``torch.nn.Module`` subclass to inherit.

    The subclass sets ``positions`` and ``choices``, registers the ``alpha`` buffer, calls
    ``self._reset_mixed_state()`` once its modules are built, and implements ``_state_changed()`` (recompute what the
    forward runs) and ``_arch_of(names)`` (the space's architecture of one op name per position).
    """

    positions: tuple[str, ...]
    choices: tuple[tuple[str, ...], ...]
    alpha: Any
    _mixed_state: MixedState

    def _reset_mixed_state(self) -> None:
        self._mixed_state = MixedState.full(tuple(len(c) for c in self.choices))
        self._state_changed()

    def _state_changed(self) -> None:
        raise NotImplementedError

    def _arch_of(self, names: tuple[str, ...]) -> Any:
        raise NotImplementedError

    def state(self) -> MixedState:
        """The current state (an immutable value: keep it to restore it with :meth:`set_state`)."""
        return self._mixed_state

    def set_state(self, state: MixedState) -> None:
        """Restore ``state``; raises ``ValueError`` when it does not fit this supernet's choices."""
        if not isinstance(state, MixedState):
            raise TypeError(f"set_state needs a MixedState, got {type(state).__name__}")
        expected = tuple(len(c) for c in self.choices)
        if state.cardinalities != expected:
            raise ValueError(f"state has choice counts {state.cardinalities}, this supernet holds {expected}")
        self._mixed_state = state
        self._state_changed()

    def remove(self, position: int, choice: int) -> None:
        """A − (position, choice): the op stops contributing and is no longer executed."""
        self.set_state(self._mixed_state.without(position, choice))

    def discretise(self, position: int, choice: int) -> None:
        """A + (position, choice): only that op stays at the position, with weight 1."""
        self.set_state(self._mixed_state.discretised(position, choice))

    def arch_weights(self) -> list[list[float]]:
        """softmax(alpha) for alive ops of undecided positions, 0 for removed ops, one-hot at decided positions."""
        return self._mixed_state.weights(self.alpha.detach().float().softmax(-1).tolist())

    def load_path_weights(self, state_dict: Mapping[str, Any]) -> None:
        """Load the ``state_dict()`` of the space's path supernet built with the same settings and ops (the module
        names are the same); the architecture weights (``alpha``) and the state keep their values.

        Raises:
            ValueError: the tensor names differ from this supernet's (other ops or sizes, or a mixed state dict).
        """
        module: Any = self
        expected = set(module.state_dict()) - {"alpha"}
        missing, extra = sorted(expected - set(state_dict)), sorted(set(state_dict) - expected)
        if missing or extra:
            raise ValueError(
                f"not a path supernet state dict of these settings: missing {missing[:5]}, unexpected {extra[:5]}"
            )
        module.load_state_dict(dict(state_dict), strict=False)

    def to_arch(self) -> Any:
        """The space's architecture of the one alive op per position (``ValueError`` while a position has more)."""
        state = self._mixed_state
        if not state.is_discrete:
            open_ = [self.positions[p] for p, row in enumerate(state.alive) if sum(row) != 1]
            raise ValueError(f"positions {open_} still have more than one alive op; discretise them first")
        return self._arch_of(tuple(c[row.index(True)] for c, row in zip(self.choices, state.alive, strict=True)))
