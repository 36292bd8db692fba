"""``CodedSpace``: a base class for spaces whose architectures are fixed-length choice vectors.

A subclass declares ``info`` (a :class:`~naslens.types.SpaceInfo`), ``from_codes``/``to_codes``, ``parse``/``key``,
its datasets' network settings and ``build``/``complexity``; it gets the rest of the protocol: ``codes``/``onehot``
encodings, uniform sampling, enumeration in code order (last position fastest), edit-distance-1 neighbours,
isomorphism classes from ``canonical`` (class ids, sizes, representatives), ``index`` and validated ``net_config``.
Override what the benchmark defines differently (NB201's index order, for instance).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from naslens.types import ArchFormatError, NetConfigError, SpaceCapabilityError, SpaceInfo


def _as_code(value: Any) -> int:
    """``value`` as an int code: an integer, an integral float (``2.0``) or digits; ``2.5``, NaN, inf are refused."""
    code = int(value)
    if not isinstance(value, (str, bytes)) and code != value:
        raise ValueError(f"not an integer: {value!r}")
    return code


class CodedSpace:
    """Base class; see the module docstring. Subclasses set ``info``, ``dataset_configs`` and ``net_defaults``."""

    info: SpaceInfo
    dataset_configs: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    """Per dataset: the benchmark's ``num_classes``, ``in_channels`` and ``input_size`` (and any other key)."""
    net_defaults: ClassVar[Mapping[str, Any]] = {}
    """Settings that do not depend on the dataset (width, depth …)."""

    # ------------------------------------------------------------------ to implement
    def from_codes(self, codes: Sequence[int]) -> Any:
        raise NotImplementedError

    def to_codes(self, arch: Any) -> tuple[int, ...]:
        raise NotImplementedError

    def key(self, arch: Any) -> str:
        raise NotImplementedError

    def parse(self, text: Any) -> Any:
        raise NotImplementedError

    def build(self, arch: Any, **net: Any) -> Any:
        raise NotImplementedError

    def complexity(self, archs: Sequence[Any] | None = None, **net: Any) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ derived
    @property
    def name(self) -> str:
        return self.info.name

    @property
    def size(self) -> int:
        if self.info.size is None:
            raise SpaceCapabilityError(f"space {self.name!r} is not enumerable; it has no size")
        return self.info.size

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Any]:
        return iter(self.enumerate())

    def __repr__(self) -> str:
        return f"<space {self.name}>"

    def check_codes(self, codes: Sequence[Any]) -> tuple[int, ...]:
        """``codes`` as a tuple of ints (integers, integral floats or digit strings), checked against the
        per-position cardinalities (an :class:`~naslens.types.ArchFormatError` otherwise)."""
        card = self.info.cardinalities
        try:
            out = tuple(_as_code(c) for c in codes)
        except (TypeError, ValueError, OverflowError):
            raise ArchFormatError(f"{self.name}: choice codes must be integers, got {codes!r}") from None
        if len(out) != len(card):
            raise ArchFormatError(f"{self.name}: expected {len(card)} choice codes, got {len(out)}: {codes!r}")
        for pos, (c, n) in enumerate(zip(out, card, strict=True)):
            if not 0 <= c < n:
                raise ArchFormatError(
                    f"{self.name}: code {c} at position {self.info.positions[pos]} is not in 0..{n - 1}"
                )
        return out

    def encode(self, arch: Any, kind: str = "codes") -> Any:
        if kind == "codes":
            return np.asarray(self.to_codes(arch), dtype=np.int64)
        if kind == "onehot":
            codes = self.to_codes(arch)
            out = np.zeros(sum(self.info.cardinalities), dtype=np.float32)
            offset = 0
            for c, n in zip(codes, self.info.cardinalities, strict=True):
                out[offset + c] = 1.0
                offset += n
            return out
        if kind in self.info.encodings:
            return self._encode_other(arch, kind)
        raise SpaceCapabilityError(f"space {self.name!r} has no {kind!r} encoding; it has {self.info.encodings}")

    def _encode_other(self, arch: Any, kind: str) -> Any:
        raise SpaceCapabilityError(f"space {self.name!r} has no {kind!r} encoding")

    def codes_array(self, archs: Sequence[Any] | None = None) -> np.ndarray:
        """``(n, positions)`` int array of the codes of ``archs`` (default: the whole space)."""
        archs = self.enumerate() if archs is None else archs
        return np.array([self.to_codes(a) for a in archs], dtype=np.int64).reshape(-1, len(self.info.positions))

    def sample(self, rng: np.random.Generator) -> Any:
        """Uniform over the space: one ``rng.integers`` draw of the index when enumerable."""
        if self.info.enumerable:
            return self.enumerate()[int(rng.integers(self.size))]
        return self.from_codes([int(rng.integers(n)) for n in self.info.cardinalities])

    def enumerate(self) -> Sequence[Any]:
        if not self.info.enumerable:
            raise SpaceCapabilityError(f"space {self.name!r} is not enumerable; sample from it instead")
        return self._table

    @cached_property
    def _table(self) -> tuple[Any, ...]:
        return tuple(self.from_codes(c) for c in itertools.product(*(range(n) for n in self.info.cardinalities)))

    @cached_property
    def _positions(self) -> dict[Any, int]:
        return {a: i for i, a in enumerate(self.enumerate())}

    def index(self, arch: Any) -> int:
        try:
            return self._positions[arch]
        except KeyError:
            raise ArchFormatError(f"{arch!r} is not an architecture of {self.name!r}") from None

    def neighbors(self, arch: Any) -> list[Any]:
        """Every architecture with exactly one position changed, position-major, choices in code order."""
        codes = list(self.to_codes(arch))
        out = []
        for pos, n in enumerate(self.info.cardinalities):
            for c in range(n):
                if c != codes[pos]:
                    new = codes.copy()
                    new[pos] = c
                    out.append(self.from_codes(new))
        return out

    def canonical(self, arch: Any) -> Hashable:
        return self.key(arch)

    # ------------------------------------------------------------------ isomorphism classes
    def _require_iso(self) -> None:
        if not self.info.has_isomorphism:
            raise SpaceCapabilityError(f"space {self.name!r} declares no isomorphism classes")
        if not self.info.enumerable:
            raise SpaceCapabilityError(f"space {self.name!r} is not enumerable: its classes cannot be listed")

    @cached_property
    def class_ids(self) -> np.ndarray:
        """Class id of every architecture (``enumerate()`` order), numbered by first occurrence."""
        self._require_iso()
        ids: dict[Hashable, int] = {}
        out = np.fromiter((ids.setdefault(self.canonical(a), len(ids)) for a in self.enumerate()), dtype=np.int64)
        out.setflags(write=False)
        return out

    @cached_property
    def class_sizes(self) -> np.ndarray:
        """Number of architectures in each class, indexed by class id."""
        return np.bincount(self.class_ids)

    @cached_property
    def _representative_indices(self) -> np.ndarray:
        _, first = np.unique(self.class_ids, return_index=True)
        return np.sort(first)

    def representatives(self) -> list[Any]:
        """One architecture per class: the first in ``enumerate()`` order (deterministic)."""
        table = self.enumerate()
        return [table[i] for i in self._representative_indices]

    def is_representative(self, arch: Any) -> bool:
        idx = self.index(arch)
        return bool(self._representative_indices[np.searchsorted(self._representative_indices, idx)] == idx)

    # ------------------------------------------------------------------ network settings
    def net_config(self, dataset: str | None = None, **overrides: Any) -> dict[str, Any]:
        """Benchmark settings for ``dataset`` (default ``info.default_dataset``) with ``overrides`` applied.

        Raises:
            SpaceCapabilityError: unknown dataset.
            NetConfigError: an override key the space does not know, or a bad value.
        """
        ds = self.info.default_dataset if dataset is None else self.resolve_dataset(dataset)
        cfg: dict[str, Any] = {**self.net_defaults, **self.dataset_configs[ds]}
        unknown = sorted(set(overrides) - set(self.info.net_keys))
        if unknown:
            raise NetConfigError(
                f"space {self.name!r} has no network setting(s) {unknown}; it accepts {list(self.info.net_keys)}"
            )
        cfg.update({k: v for k, v in overrides.items() if v is not None})
        self.validate_net(cfg)
        return cfg

    def resolve_dataset(self, dataset: str) -> str:
        """The space's name for ``dataset`` (case-insensitive)."""
        by_lower = {d.lower(): d for d in self.info.datasets}
        ds = by_lower.get(str(dataset).lower())
        if ds is None:
            raise SpaceCapabilityError(
                f"space {self.name!r} has no network settings for dataset {dataset!r}; "
                f"it has {list(self.info.datasets)}"
            )
        return ds

    def validate_net(self, net: Mapping[str, Any]) -> None:
        """Check the values of a network configuration (positive integers by default)."""
        unknown = sorted(set(net) - set(self.info.net_keys))
        if unknown:
            raise NetConfigError(
                f"space {self.name!r} has no network setting(s) {unknown}; it accepts {list(self.info.net_keys)}"
            )
        for k in ("num_classes", "in_channels", "input_size"):
            v = net.get(k)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise NetConfigError(f"{self.name}: {k} must be a positive integer, got {v!r}")
