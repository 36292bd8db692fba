"""The NAS-Bench-Macro weight-sharing supernet: a chain with one block per choice per layer.

``forward(x, arch)`` runs the stem, the block of ``arch``'s choice at every layer and the head; stem, head and
classifier are shared by every path, each (layer, choice) block by the paths that choose it. A path computes what
:class:`~naslens.spaces.nb_macro.network.MacroNetwork` computes with the same weights
(:meth:`MacroSupernet.to_standalone`). Identities inside a stage have no parameters, so isomorphic architectures
(see :mod:`~naslens.spaces.nb_macro.arch`) run the same blocks and receive the same gradients. Dropout before the
classifier (0.1 by default) is a supernet-training addition, as for NB201.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch import nn

from naslens.nn.supernet_args import check_supernet_args
from naslens.nn.weights import load_path_weights
from naslens.spaces.nb_macro.arch import CHOICES, MacroArch
from naslens.spaces.nb_macro.network import MacroNetwork, _head, _stem, layer_shapes, make_block


class MacroSupernet(nn.Module):
    """Weight-sharing NAS-Bench-Macro supernet.

    Args:
        num_classes, in_channels, init_channels, head_channels: the network's settings.
        dropout: dropout probability before the classifier.
        ops: candidate choices held at every layer (a subset of the choice labels, for pruned spaces).

    Example:
        >>> net = MacroSupernet()
        >>> net(torch.randn(2, 3, 32, 32), MacroArch.from_key("02012100")).shape
        torch.Size([2, 10])
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 3,
        init_channels: int = 32,
        head_channels: int = 1280,
        *,
        dropout: float = 0.1,
        ops: Sequence[str] = CHOICES,
    ) -> None:
        super().__init__()
        self.ops = check_supernet_args(dropout, ops, CHOICES)
        self.config: dict[str, Any] = {
            "num_classes": num_classes,
            "in_channels": in_channels,
            "init_channels": init_channels,
            "head_channels": head_channels,
            "dropout": dropout,
        }
        self.stem = _stem(in_channels, init_channels)
        self.layers = nn.ModuleList(
            nn.ModuleDict({op: make_block(op, ci, co, s) for op in self.ops})
            for ci, co, s in layer_shapes(init_channels)
        )
        self.head = _head(layer_shapes(init_channels)[-1][1], head_channels)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(head_channels, num_classes)

    def check_arch(self, arch: MacroArch) -> None:
        """Raise ``ValueError`` if ``arch`` uses a choice this supernet does not hold."""
        bad = sorted({o for o in arch.ops if o not in self.ops})
        if bad:
            raise ValueError(f"architecture {arch} uses choice(s) {bad} that this supernet ({self.ops}) does not hold")

    def forward(self, x: torch.Tensor, arch: MacroArch) -> torch.Tensor:
        self.check_arch(arch)
        out = self.stem(x)
        for layer, op in zip(self.layers, arch.ops, strict=True):
            out = layer[op](out)  # type: ignore[index]
        out = self.global_pooling(self.head(out)).flatten(1)
        return self.classifier(self.dropout(out))  # type: ignore[no-any-return]

    def path_parameters(self, arch: MacroArch) -> Iterator[tuple[str, nn.Parameter]]:
        """(name, parameter) of every parameter the path of ``arch`` uses."""
        chosen = {(str(i), op) for i, op in enumerate(arch.ops)}
        for name, p in self.named_parameters():
            parts = name.split(".")
            if parts[0] == "layers" and (parts[1], parts[2]) not in chosen:
                continue
            yield name, p

    def to_standalone(self, arch: MacroArch) -> MacroNetwork:
        """The benchmark network of ``arch`` holding this supernet's weights and BN statistics for that path."""
        self.check_arch(arch)
        cfg = self.config
        net = MacroNetwork(
            arch,
            num_classes=cfg["num_classes"],
            in_channels=cfg["in_channels"],
            init_channels=cfg["init_channels"],
            head_channels=cfg["head_channels"],
        )
        chosen = {(str(i), op) for i, op in enumerate(arch.ops)}

        def rename(name: str) -> str | None:
            parts = name.split(".")
            if parts[0] == "layers":
                return ".".join([parts[0], parts[1], *parts[3:]]) if (parts[1], parts[2]) in chosen else None
            return name

        load_path_weights(net, self.state_dict(), rename, require_all=True)
        return net.to(next(self.parameters()).device)
