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

from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from naslens.registry import Registry
from naslens.spaces.mixed_state import MixedState
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
