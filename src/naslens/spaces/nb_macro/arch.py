"""NAS-Bench-Macro architectures: 8 searchable layers, each one of 3 choices, keyed by an 8-digit choice string.

The space of NAS-Bench-Macro (public repository xiusu/NAS-Bench-Macro, ``train/model.py``): a stem, 8 layers in
stages of 2, 3 and 3 layers (the first layer of each stage has stride 2 and doubles the width), a 1280-channel head.
Choice codes, as the benchmark numbers them: ``0`` identity (``id``), ``1`` inverted residual with kernel 3 and
expansion 3 (``ir_3x3_t3``), ``2`` inverted residual with kernel 5 and expansion 6 (``ir_5x5_t6``). The benchmark file
keys architectures by the codes written as one string (``"02012100"``): that is :meth:`MacroArch.key`.

Isomorphism: an identity that is not the first layer of its stage (stride 1, same width) returns its input, so
architectures that differ only in where such identities sit inside a stage are one network. The canonical form moves
them to the end of their stage, keeping the order of the stage's other layers: 3 · 3 = 9 forms for the first stage
and 3 · 7 = 21 for each of the others, 9 · 21 · 21 = 3,969 classes (the count the Zero-Cost-PT paper reports).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from naslens.types import ArchFormatError

CHOICES: tuple[str, ...] = ("id", "ir_3x3_t3", "ir_5x5_t6")
"""Choice labels in the benchmark's code order."""

STAGES: tuple[int, ...] = (2, 3, 3)
"""Layers per stage; the first layer of each stage has stride 2 and doubles the width."""

NUM_LAYERS = sum(STAGES)
SIZE = len(CHOICES) ** NUM_LAYERS
IDENTITY = 0

FIRST_OF_STAGE: tuple[bool, ...] = tuple(i == 0 for n in STAGES for i in range(n))
"""Whether each layer is the first (stride-2, width-doubling) layer of its stage."""


@dataclass(frozen=True, slots=True)
class MacroArch:
    """One NAS-Bench-Macro architecture: the choice code of each of the 8 layers.

    Example:
        >>> a = MacroArch.from_key("02012100")
        >>> a.ops[:3]
        ('id', 'ir_5x5_t6', 'id')
        >>> a.key, a.canonical_key
        ('02012100', '02012100')
        >>> MacroArch.from_key("10201000").canonical_key  # layer 4 (inside stage 2) is a no-op identity
        '10210000'
    """

    codes: tuple[int, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.codes, tuple):
            object.__setattr__(self, "codes", tuple(self.codes))
        if len(self.codes) != NUM_LAYERS:
            raise ArchFormatError(f"an NAS-Bench-Macro architecture has {NUM_LAYERS} layers, got {len(self.codes)}")
        for i, c in enumerate(self.codes):
            if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < len(CHOICES):
                raise ArchFormatError(f"layer {i + 1}: choice code must be 0, 1 or 2, got {c!r}")

    @classmethod
    def from_key(cls, text: str) -> MacroArch:
        """From the benchmark's 8-digit choice string."""
        t = text.strip()
        if len(t) != NUM_LAYERS or any(ch not in "012" for ch in t):
            raise ArchFormatError(f"not a NAS-Bench-Macro key (8 digits from 0, 1, 2): {text!r}")
        return cls(tuple(int(ch) for ch in t))

    @classmethod
    def from_ops(cls, ops: Sequence[str]) -> MacroArch:
        """From the 8 choice labels (``id``, ``ir_3x3_t3``, ``ir_5x5_t6``)."""
        bad = [o for o in ops if o not in CHOICES]
        if bad:
            raise ArchFormatError(f"unknown NAS-Bench-Macro choice(s) {bad}; known: {', '.join(CHOICES)}")
        return cls(tuple(CHOICES.index(o) for o in ops))

    @property
    def key(self) -> str:
        return "".join(str(c) for c in self.codes)

    @property
    def ops(self) -> tuple[str, ...]:
        return tuple(CHOICES[c] for c in self.codes)

    @property
    def index(self) -> int:
        """Position in the space's enumeration (codes as a base-3 number, first layer most significant)."""
        return int(self.key, 3)

    @property
    def canonical_key(self) -> str:
        """Key of the class's normal form: non-first identities moved to the end of their stage."""
        out: list[int] = []
        start = 0
        for n in STAGES:
            stage = self.codes[start : start + n]
            rest = [c for c in stage[1:] if c != IDENTITY]
            out.extend([stage[0], *rest, *([IDENTITY] * (n - 1 - len(rest)))])
            start += n
        return "".join(str(c) for c in out)

    def to_edge_graph(self) -> tuple[int, np.ndarray, tuple[str, ...]]:
        """Operation-on-edge graph: the chain ``0 → 1 → … → 8`` of feature maps (node 0 the stem's output, node
        ``i`` the output of layer ``i``), edge ``i-1 → i`` carrying layer ``i``'s choice code; ``(9, M, CHOICES)``
        with ``-1`` where there is no edge. An ``id`` layer is still an edge with an op of its own (code 0): the
        first layer of a stage is a stride-2 projection even then, and the position of a layer matters.

        Example:
            >>> n, m, labels = MacroArch.from_key("02012100").to_edge_graph()
            >>> n, [int(m[i, i + 1]) for i in range(8)], int((m >= 0).sum())
            (9, [0, 2, 0, 1, 2, 1, 0, 0], 8)
        """
        n = NUM_LAYERS + 1
        m = np.full((n, n), -1, dtype=np.int64)
        for i, c in enumerate(self.codes):
            m[i, i + 1] = c
        return n, m, CHOICES

    def __str__(self) -> str:
        return self.key
