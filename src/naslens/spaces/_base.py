"""The search-space protocol and the space registry."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from naslens.registry import Registry


@runtime_checkable
class SearchSpace(Protocol):
    """What every search space offers. Architectures are immutable, hashable values."""

    name: str

    @property
    def size(self) -> int: ...

    def enumerate(self) -> Sequence[Any]: ...

    def sample(self, rng: np.random.Generator, over: str = "archs") -> Any: ...

    def canonical(self, arch: Any) -> Hashable: ...

    def neighbors(self, arch: Any) -> list[Any]: ...

    def key(self, arch: Any) -> str: ...

    def parse(self, text: str) -> Any: ...

    def build(self, arch: Any, **net_config: Any) -> Any: ...

    def complexity(self, archs: Any, **net_config: Any) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


SPACES: Registry[Any] = Registry("search space")


def get_space(name: str) -> SearchSpace:
    """Instantiate the registered space ``name`` (e.g. ``"nb201"``)."""
    import naslens.spaces  # noqa: F401  (registers the built-in spaces)

    return SPACES.create(name)  # type: ignore[no-any-return]
