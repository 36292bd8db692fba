"""Core value types shared by every layer. A leaf module: it imports nothing of naslens.

- :class:`SpaceInfo`: what a search space declares about itself (the capabilities generic layers ask for instead
  of branching on a space's name).
- :class:`ArchFormatError`: an architecture encoding could not be parsed (one error type for the arch layer).
- :class:`SpaceCapabilityError`: a space was asked for something it does not offer (whole-space enumeration of a
  space that is not enumerable, isomorphism classes of a space without them, a supernet, a dataset it has no network
  settings for).
- :class:`NetConfigError`: network settings a space does not accept (unknown key, bad value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ArchFormatError(ValueError):
    """An architecture encoding could not be parsed; the message names what is wrong."""


class SpaceCapabilityError(ValueError):
    """The space does not offer what was asked (see its :class:`SpaceInfo`); the message says what it offers."""


class NetConfigError(ValueError):
    """Network settings the space does not accept: an unknown key or a bad value; the message lists the valid ones."""


ENCODINGS = ("codes", "onehot", "graph")
"""Encoding kinds of :meth:`SearchSpace.encode`: ``codes`` (one choice index per position), ``onehot`` (the
concatenated one-hot vectors of the codes) and ``graph`` (``(adjacency, node labels)`` of an operation-on-node DAG)."""


@dataclass(frozen=True)
class SpaceInfo:
    """Capabilities of a search space. Generic layers read these fields; they never branch on ``name``.

    Attributes:
        name: registry name (``nb201``, ``nb-macro``).
        description: one line for listings.
        size: number of architectures, ``None`` when the space is not enumerable.
        enumerable: ``enumerate()`` lists the whole space (and "whole space" paths may use it).
        has_isomorphism: ``canonical()`` / ``representatives()`` group architectures that are one network.
        num_classes: number of isomorphism classes when known (``None`` otherwise).
        datasets: datasets the space has benchmark network settings for (``net_config(dataset)``).
        default_dataset: the dataset of ``net_config()`` without arguments.
        cost_columns: columns of ``complexity()``; ``params`` and ``flops`` (millions) always come first.
        positions: a name for each choice position (an edge ``0->1``, a layer ``layer3`` …).
        choices: the choice labels of each position, in code order (``codes`` indexes into them).
        encodings: the kinds ``encode()`` accepts (a subset of :data:`ENCODINGS`).
        has_supernet: ``supernet()`` builds a weight-sharing supernet.
        net_keys: the keys ``net_config`` / ``build`` accept (anything else is an error).
        thin_net: network overrides for a *thin* copy of the network (TE-NAS' linear-region count runs on one);
            empty when the space defines none (proxies that need one then say they cannot apply).
        key_format: how ``key()`` writes an architecture (for messages and docs).
    """

    name: str
    description: str
    size: int | None
    enumerable: bool
    has_isomorphism: bool
    datasets: tuple[str, ...]
    default_dataset: str
    cost_columns: tuple[str, ...]
    positions: tuple[str, ...]
    choices: tuple[tuple[str, ...], ...]
    encodings: tuple[str, ...] = ("codes", "onehot")
    has_supernet: bool = False
    num_classes: int | None = None
    net_keys: tuple[str, ...] = ()
    thin_net: Mapping[str, Any] = field(default_factory=dict)
    key_format: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a space needs a name")
        if len(self.positions) != len(self.choices):
            raise ValueError(f"{self.name}: {len(self.positions)} positions but {len(self.choices)} choice lists")
        if any(len(c) < 1 for c in self.choices):
            raise ValueError(f"{self.name}: every position needs at least one choice")
        if self.enumerable != (self.size is not None):
            raise ValueError(f"{self.name}: size must be given exactly when the space is enumerable")
        if self.cost_columns[:2] != ("params", "flops"):
            raise ValueError(f"{self.name}: cost_columns must start with 'params', 'flops', got {self.cost_columns}")
        unknown = set(self.encodings) - set(ENCODINGS)
        if unknown or "codes" not in self.encodings:
            raise ValueError(f"{self.name}: encodings must include 'codes' and come from {ENCODINGS}, got {unknown}")
        if self.default_dataset not in self.datasets:
            raise ValueError(f"{self.name}: default dataset {self.default_dataset!r} is not in {self.datasets}")
        object.__setattr__(self, "thin_net", dict(self.thin_net))

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of choices at each position."""
        return tuple(len(c) for c in self.choices)

    def summary(self) -> dict[str, Any]:
        """JSON-ready view (for ``naslens spaces`` and provenance records)."""
        return {
            "name": self.name,
            "description": self.description,
            "size": self.size,
            "enumerable": self.enumerable,
            "has_isomorphism": self.has_isomorphism,
            "num_classes": self.num_classes,
            "datasets": list(self.datasets),
            "default_dataset": self.default_dataset,
            "cost_columns": list(self.cost_columns),
            "positions": len(self.positions),
            "cardinalities": list(self.cardinalities),
            "encodings": list(self.encodings),
            "has_supernet": self.has_supernet,
            "key_format": self.key_format,
        }
