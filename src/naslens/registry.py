"""A small explicit registry, one instance per kind of extensible object.

Entries are added with a decorator, listed with a glob pattern and built by name::

    SPACES = Registry[type]("search space")

    @SPACES.register("nb201")
    class NB201Space: ...

    SPACES.list("nb*")      # ['nb201']
    SPACES.create("nb201")  # NB201Space()

Registering a name twice raises; an unknown name raises a ``KeyError`` that lists the known names.
An alias (``REG.alias("relu_logdet", "nwot")``) is another name for an entry: ``get``/``create``/``in`` accept it,
``canonical`` maps it to the entry's own name, and ``list`` shows only entry names (``aliases()`` lists the rest).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from naslens.types import UserError

T = TypeVar("T")


class UnknownNameError(UserError, KeyError):
    """A name no entry of a registry has; the message lists the known ones (a ``KeyError`` that prints plainly)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Registry(Generic[T]):
    """Name → object mapping with explicit registration (no import-time magic)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name``; a duplicate name raises ``ValueError``."""

        def deco(obj: T) -> T:
            self.add(name, obj)
            return obj

        return deco

    def add(self, name: str, obj: T) -> None:
        if not name or not isinstance(name, str):
            raise ValueError(f"{self.kind} name must be a non-empty string, got {name!r}")
        if name in self._entries or name in self._aliases:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = obj

    def alias(self, alias: str, target: str) -> None:
        """Make ``alias`` another name of the registered entry ``target``."""
        if not alias or not isinstance(alias, str):
            raise ValueError(f"{self.kind} alias must be a non-empty string, got {alias!r}")
        if target not in self._entries:
            raise UnknownNameError(f"cannot alias {alias!r} to unknown {self.kind} {target!r}")
        if alias in self._entries or self._aliases.get(alias, target) != target:
            raise ValueError(f"{self.kind} {alias!r} is already registered")
        self._aliases[alias] = target

    def canonical(self, name: str) -> str:
        """The entry name behind ``name`` (itself unless it is an alias); unknown names raise ``KeyError``."""
        if name in self._entries:
            return name
        if name in self._aliases:
            return self._aliases[name]
        known = ", ".join(sorted(self._entries)) or "(none)"
        raise UnknownNameError(f"unknown {self.kind} {name!r}; known: {known}")

    def aliases(self) -> dict[str, str]:
        """``{alias: entry name}``."""
        return dict(sorted(self._aliases.items()))

    def get(self, name: str) -> T:
        return self._entries[self.canonical(name)]

    def create(self, name: str, **kwargs: Any) -> Any:
        """Call the registered factory/class with ``kwargs``."""
        factory = self.get(name)
        if not callable(factory):
            raise TypeError(f"{self.kind} {name!r} is not callable")
        return factory(**kwargs)

    def list(self, pattern: str = "*") -> list[str]:
        """Sorted names matching a shell-style ``pattern``."""
        return sorted(n for n in self._entries if fnmatch.fnmatchcase(n, pattern))

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._aliases

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)
