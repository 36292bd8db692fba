"""The NAS-Bench-Macro mixed-op (DARTS-style) supernet the operation-scoring searches prune and discretise.

Each of the 8 layers sums its alive blocks, ``layer_p(x) = Σ_{o alive at p} w[p][o] · block_{p,o}(x)``, with ``w``
the :meth:`~MacroMixedSupernet.arch_weights` (``softmax(alpha[p])``; 0 for a removed block, one-hot at a discretised
layer). Every block of a layer has the same output shape: at the first, stride-2 layer of a stage the identity is
the benchmark's projection (Conv1×1 stride 2 + BN), elsewhere it returns its input. Stem, head, classifier and the
module names are those of :class:`~naslens.spaces.nb_macro.supernet.MacroSupernet` (``layers.{i}.{choice}``), so a
trained path supernet's ``state_dict()`` loads into it (:meth:`~MacroMixedSupernet.load_path_weights`); once every
layer is discretised it computes what the path supernet computes for that architecture.

A removed block is not executed at all (no forward hooks fire for it, it costs nothing); the reference Zero-Cost-PT
code instead keeps running a removed op with weight 0, which adds its ReLU codes to the NASWOT kernel. Dropout before
the classifier defaults to 0 here (the mixed supernet is scored, not trained, in naslens).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from naslens.nn.supernet_args import check_supernet_args
from naslens.spaces.mixed_state import MixedStateMixin
from naslens.spaces.nb_macro.arch import CHOICES, NUM_LAYERS, MacroArch
from naslens.spaces.nb_macro.network import _head, _stem, layer_shapes, make_block


class MacroMixedSupernet(MixedStateMixin, nn.Module):
    """DARTS-style mixed-op NAS-Bench-Macro supernet (a :class:`~naslens.spaces.MixedSupernet`).

    Args:
        num_classes, in_channels, init_channels, head_channels: the network's settings.
        dropout: dropout probability before the classifier (0 by default).
        ops: candidate choices held at every layer (a subset of the choice labels; held in code order).

    Example:
        >>> _ = torch.manual_seed(0)
        >>> net = MacroMixedSupernet(init_channels=4, head_channels=8)
        >>> net(torch.randn(2, 3, 16, 16)).shape
        torch.Size([2, 10])
        >>> for p in range(8):
        ...     net.discretise(p, 2 if p % 2 else 0)
        >>> net.to_arch().key
        '02020202'
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 3,
        init_channels: int = 32,
        head_channels: int = 1280,
        *,
        dropout: float = 0.0,
        ops: Sequence[str] = CHOICES,
    ) -> None:
        super().__init__()
        self.ops = check_supernet_args(dropout, ops, CHOICES)
        self.config: dict[str, Any] = {
            "mode": "mixed",
            "num_classes": num_classes,
            "in_channels": in_channels,
            "init_channels": init_channels,
            "head_channels": head_channels,
            "dropout": dropout,
            "ops": list(self.ops),
        }
        self.positions = tuple(f"layer{i + 1}" for i in range(NUM_LAYERS))
        self.choices = (self.ops,) * NUM_LAYERS
        self.stem = _stem(in_channels, init_channels)
        self.layers = nn.ModuleList(
            nn.ModuleDict({op: make_block(op, ci, co, s) for op in self.ops})
            for ci, co, s in layer_shapes(init_channels)
        )
        self.head = _head(layer_shapes(init_channels)[-1][1], head_channels)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(head_channels, num_classes)
        self.register_buffer("alpha", 1e-3 * torch.randn(NUM_LAYERS, len(self.ops)))
        self._plan: tuple[tuple[tuple[int, str], ...], ...] = ()
        self._reset_mixed_state()

    def _state_changed(self) -> None:
        alive = self._mixed_state.alive
        self._plan = tuple(tuple((o, op) for o, op in enumerate(self.ops) if row[o]) for row in alive)

    def _arch_of(self, names: tuple[str, ...]) -> MacroArch:
        return MacroArch.from_ops(names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.arch_weights()
        decided = self._mixed_state.decided
        out = self.stem(x)
        for p, (layer, run) in enumerate(zip(self.layers, self._plan, strict=True)):
            if decided[p] is not None:
                out = layer[run[0][1]](out)  # type: ignore[index]
                continue
            acc: torch.Tensor | None = None
            for o, op in run:
                y = weights[p][o] * layer[op](out)  # type: ignore[index]
                acc = y if acc is None else acc + y
            assert acc is not None  # every position keeps at least one alive block
            out = acc
        out = self.global_pooling(self.head(out)).flatten(1)
        return self.classifier(self.dropout(out))  # type: ignore[no-any-return]

    def op_modules(self, position: int, choice: int) -> list[nn.Module]:
        """The block of ``choice`` at layer ``position`` (a one-element list)."""
        p, o = self._mixed_state.check_index(position, choice)
        return [self.layers[p][self.ops[o]]]  # type: ignore[index]
