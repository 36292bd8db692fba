"""The search-space protocol every layer goes through, the weight-sharing supernet protocol, and the registry.

A space is an object with a frozen :class:`~naslens.types.SpaceInfo` (``space.info``) and the methods of
:class:`SearchSpace`. Generic layers (zero-shot, one-shot, structural estimators, evaluation, analyses, report)
ask ``space.info`` what the space offers and call these methods; they never import a concrete space or branch on
its name. Conventions every space keeps:

- an architecture is an immutable, hashable value; ``key(arch)`` is its stable text form (the store and ground-truth
  key) and ``parse`` reads it back, together with every other encoding users hold;
- ``net_config(dataset, **overrides)`` returns the keyword arguments of ``build``/``supernet``/``complexity``; it
  always holds ``num_classes``, ``in_channels`` and ``input_size`` (square inputs), so generic code knows the input
  shape and the class count of the network it builds;
- ``complexity(archs, **net)`` returns one row per architecture, in order, with the columns ``info.cost_columns``
  (``params`` and ``flops`` in millions first; ``params`` equals the parameter count of ``build(arch, **net)``).

Register a space with ``@SPACES.register("name")`` on a class whose constructor takes no required argument; run
:func:`naslens.spaces.check_space` on it.

Supernets: ``space.supernet(mode, **net)`` builds one of the kinds ``info.supernet_modes`` declares: ``"path"``, a
weight-sharing supernet every architecture is a path through (:class:`Supernet`), and ``"mixed"``, a DARTS-style
mixed-op supernet whose positions sum their candidate ops (:class:`MixedSupernet`, in a :class:`MixedState`), which
the operation-scoring searches prune and discretise.
"""

from __future__ import annotations

import operator
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from naslens.registry import Registry
from naslens.types import NetConfigError, SpaceInfo, UnknownSpaceError


@runtime_checkable
class SearchSpace(Protocol):
    """What every search space offers (see the module docstring for the conventions)."""

    @property
    def info(self) -> SpaceInfo: ...

    @property
    def name(self) -> str: ...

    def parse(self, text: Any) -> Any:
        """An architecture from any encoding users hold (raises :class:`~naslens.types.ArchFormatError`)."""
        ...

    def key(self, arch: Any) -> str:
        """Stable text key of ``arch`` (``parse(key(a)) == a``)."""
        ...

    def encode(self, arch: Any, kind: str = "codes") -> Any:
        """``codes`` (int array, one choice index per position), ``onehot`` (float array) or ``graph``."""
        ...

    def sample(self, rng: np.random.Generator) -> Any:
        """One architecture drawn with ``rng`` (deterministic per generator state)."""
        ...

    def enumerate(self) -> Sequence[Any]:
        """Every architecture, in the space's fixed order (raises SpaceCapabilityError when not enumerable)."""
        ...

    def neighbors(self, arch: Any) -> list[Any]:
        """All architectures at edit distance 1 (one position's choice changed)."""
        ...

    def canonical(self, arch: Any) -> Hashable:
        """Isomorphism-class key (the key itself when the space has no isomorphism)."""
        ...

    def representatives(self) -> Sequence[Any]:
        """One architecture per isomorphism class, the first of each class in ``enumerate()`` order."""
        ...

    def index(self, arch: Any) -> int:
        """Position of ``arch`` in ``enumerate()`` (the benchmark index where the space has one)."""
        ...

    def net_config(self, dataset: str | None = None, **overrides: Any) -> dict[str, Any]:
        """The benchmark's network settings for ``dataset``, overrides validated (unknown keys are errors)."""
        ...

    def build(self, arch: Any, **net: Any) -> Any:
        """The standalone ``torch.nn.Module`` of ``arch`` (PyTorch default init; seed torch first)."""
        ...

    def supernet(self, mode: str = "path", **net: Any) -> Any:
        """A supernet of kind ``mode`` (one of ``info.supernet_modes``): ``"path"`` a weight-sharing
        :class:`Supernet` (when ``info.has_supernet``), ``"mixed"`` a :class:`MixedSupernet`; another mode raises
        :class:`~naslens.types.NetConfigError` listing the space's modes."""
        ...

    def complexity(self, archs: Sequence[Any] | None = None, **net: Any) -> Any:
        """Tidy DataFrame, one row per architecture, columns ``info.cost_columns``."""
        ...

    def __iter__(self) -> Iterator[Any]: ...


@runtime_checkable
class Supernet(Protocol):
    """A weight-sharing supernet (a ``torch.nn.Module``): every architecture of the space is a path through it.

    ``forward(x, arch)`` runs the path of ``arch``; ``path_parameters(arch)`` yields the (name, parameter) pairs the
    path uses; ``to_standalone(arch)`` returns ``space.build(arch, ...)`` holding the path's weights, so that it
    computes what the path computes; ``config`` holds the settings it was built with (JSON-serialisable)."""

    config: dict[str, Any]

    def check_arch(self, arch: Any) -> None: ...

    def forward(self, x: Any, arch: Any) -> Any: ...

    def path_parameters(self, arch: Any) -> Iterator[tuple[str, Any]]: ...

    def to_standalone(self, arch: Any) -> Any: ...


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


@runtime_checkable
class MixedSupernet(Protocol):
    """A DARTS-style mixed-op supernet (a ``torch.nn.Module``): position ``p`` outputs
    ``Σ_{o alive at p} w[p][o] · op_{p,o}(input)``, ``w`` from :meth:`arch_weights`.

    The operation-scoring searches (Zero-Cost-PT, DARTS-PT) prune it op by op (:meth:`remove`, A − (p, o)) and
    discretise it position by position (:meth:`discretise`, A + (p, o)), scoring it in between, and go back with
    ``set_state(saved)``. A removed op is not executed at all (no forward hooks fire for it and it costs nothing);
    the reference Zero-Cost-PT code instead sets its weight to 0 and still runs it on its input, whose ReLU codes then
    add a constant block to the NASWOT kernel. Architecture weights are ``softmax(alpha[p])`` with
    ``alpha = 1e-3 · randn(P, K)`` drawn from torch's global RNG right after the modules are built (a buffer, not
    trained here); removals do not renormalise the others.

    Attributes:
        config: the settings it was built with (JSON-serialisable; ``space.supernet(**config)`` rebuilds it).
        positions: ``space.info.positions``.
        choices: the candidate ops it holds per position (``space.info.choices``, or the ``ops=`` subset it was built
            with); choice indices of every method index into these.
    """

    config: dict[str, Any]
    positions: tuple[str, ...]
    choices: tuple[tuple[str, ...], ...]

    def forward(self, x: Any) -> Any:
        """Logits of the mixed network in its current state."""
        ...

    def state(self) -> MixedState: ...

    def set_state(self, state: MixedState) -> None:
        """Restore ``state`` (validated against the supernet's choices; raises ``ValueError``)."""
        ...

    def remove(self, position: int, choice: int) -> None:
        """A − (position, choice); removing the last alive op (or a removed one) raises ``ValueError``."""
        ...

    def discretise(self, position: int, choice: int) -> None:
        """A + (position, choice): only that op stays at the position, with weight 1."""
        ...

    def arch_weights(self) -> list[list[float]]:
        """Current weight of every (position, choice) (see :meth:`MixedState.weights`)."""
        ...

    def to_arch(self) -> Any:
        """The space's architecture once every position has one alive op (else ``ValueError``)."""
        ...

    def op_modules(self, position: int, choice: int) -> list[Any]:
        """The modules that compute op ``choice`` at ``position`` (one per cell or layer that holds it)."""
        ...

    def load_path_weights(self, state_dict: Mapping[str, Any]) -> None:
        """Load a trained path supernet's ``state_dict()`` (same settings and ops); the architecture weights stay."""
        ...


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


def check_supernet_mode(info: SpaceInfo, mode: str) -> None:
    """Raise :class:`~naslens.types.NetConfigError` unless ``mode`` is one of ``info.supernet_modes``.

    Example:
        >>> from naslens.spaces import get_space
        >>> check_supernet_mode(get_space("nb201").info, "one-shot")
        Traceback (most recent call last):
        ...
        naslens.types.NetConfigError: nb201: unknown supernet mode 'one-shot'; this space builds: path, mixed
    """
    if mode not in info.supernet_modes:
        offered = ", ".join(info.supernet_modes) or "no supernet"
        raise NetConfigError(f"{info.name}: unknown supernet mode {mode!r}; this space builds: {offered}")


SPACES: Registry[Any] = Registry("search space")


BUILTIN_SPACES = ("naslens.spaces.nb201", "naslens.spaces.nb_macro")
"""Packages of naslens' own spaces; importing one registers its space (imported on first use, like the built-in
estimators, so that the protocol module depends on no concrete space)."""


def load_builtin_spaces() -> None:
    """Import the packages of naslens' own spaces (each registers itself; idempotent)."""
    import importlib

    for module in BUILTIN_SPACES:
        importlib.import_module(module)


def get_space(name: str | SearchSpace) -> SearchSpace:
    """The registered space ``name`` (``"nb201"``, ``"nb-macro"`` or a user's), or ``name`` itself if it is a space.

    Spaces hold no mutable state, so one instance per name is shared (caches of the whole space stay warm).

    Raises:
        UnknownSpaceError: no space of that name is registered.
    """
    if not isinstance(name, str):
        return name
    load_builtin_spaces()
    try:
        canonical = SPACES.canonical(name)
    except KeyError:
        raise UnknownSpaceError(
            f"unknown search space {name!r}; registered: {', '.join(SPACES.list())} (naslens spaces lists them)"
        ) from None
    inst = _INSTANCES.get(canonical)
    if inst is None:
        inst = _INSTANCES[canonical] = SPACES.create(canonical)
    return inst  # type: ignore[no-any-return]


_INSTANCES: dict[str, Any] = {}


def list_spaces(pattern: str = "*") -> dict[str, SpaceInfo]:
    """``{name: SpaceInfo}`` of the registered spaces matching a shell-style pattern.

    Example:
        >>> sorted(list_spaces())[:2]
        ['nb-macro', 'nb201']
        >>> list_spaces("nb201")["nb201"].size
        15625
    """
    load_builtin_spaces()
    return {n: get_space(n).info for n in SPACES.list(pattern)}
