"""``MacroSpace``: NAS-Bench-Macro behind the space protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from naslens.spaces._protocol import SPACES, check_supernet_mode
from naslens.spaces.coded import CodedSpace
from naslens.spaces.nb_macro.arch import CHOICES, NUM_LAYERS, SIZE, MacroArch
from naslens.spaces.nb_macro.complexity import COST_COLUMNS
from naslens.types import ArchFormatError, NetConfigError, SpaceInfo

INFO = SpaceInfo(
    name="nb-macro",
    description="NAS-Bench-Macro: MobileNet-style chain, 8 layers x {identity, IR k3 t3, IR k5 t6}, stages 2/3/3",
    size=SIZE,
    enumerable=True,
    has_isomorphism=True,
    num_classes=3969,
    datasets=("cifar10",),
    default_dataset="cifar10",
    cost_columns=COST_COLUMNS,
    positions=tuple(f"layer{i + 1}" for i in range(NUM_LAYERS)),
    choices=(CHOICES,) * NUM_LAYERS,
    encodings=("codes", "onehot", "graph", "edge_graph"),
    has_supernet=True,
    supernet_modes=("path", "mixed"),
    net_keys=("num_classes", "in_channels", "input_size", "init_channels", "head_channels"),
    thin_net={"init_channels": 4, "head_channels": 16},
    key_format="8-digit choice string, e.g. 02012100 (0 id, 1 ir_3x3_t3, 2 ir_5x5_t6)",
)


@lru_cache(maxsize=1)
def _table() -> tuple[MacroArch, ...]:
    import itertools

    return tuple(MacroArch(c) for c in itertools.product(range(len(CHOICES)), repeat=NUM_LAYERS))


@SPACES.register("nb-macro")
class MacroSpace(CodedSpace):
    """NAS-Bench-Macro (see :mod:`naslens.spaces.nb_macro.arch`): 6,561 architectures, 3,969 classes.

    ``enumerate()`` lists the keys in ascending order (codes as a base-3 number); ``key`` is the benchmark's choice
    string; ``encode(a, "graph")`` is the chain graph (input, the 8 layers labelled by their choice, output);
    ``encode(a, "edge_graph")`` the same chain with ops on edges (see :meth:`~MacroArch.to_edge_graph`).

    Example:
        >>> space = MacroSpace()
        >>> space.size, len(space.representatives())
        (6561, 3969)
        >>> space.parse("02012100").ops[1], space.index(space.parse("00000012"))
        ('ir_5x5_t6', 5)
    """

    info = INFO
    ops = CHOICES
    net_defaults: ClassVar[Mapping[str, Any]] = {"in_channels": 3, "init_channels": 32, "head_channels": 1280}
    dataset_configs: ClassVar[Mapping[str, Mapping[str, Any]]] = {"cifar10": {"num_classes": 10, "input_size": 32}}

    def from_codes(self, codes: Sequence[int]) -> MacroArch:
        return MacroArch(self.check_codes(codes))

    def to_codes(self, arch: MacroArch) -> tuple[int, ...]:
        return arch.codes

    def enumerate(self) -> tuple[MacroArch, ...]:
        return _table()

    def index(self, arch: MacroArch) -> int:
        return arch.index

    def parse(self, text: Any) -> MacroArch:
        """The 8-digit key, a sequence of 8 codes or of 8 choice labels, or an index 0..6560 (an int)."""
        if isinstance(text, MacroArch):
            return text
        if isinstance(text, bool):
            raise ArchFormatError(f"cannot parse {text!r} as a NAS-Bench-Macro architecture")
        if isinstance(text, (int, np.integer)):
            if not 0 <= int(text) < SIZE:
                raise ArchFormatError(f"NAS-Bench-Macro index must be in 0..{SIZE - 1}, got {text}")
            return _table()[int(text)]
        if isinstance(text, str):
            t = text.strip()
            if "," in t:
                parts = [p.strip() for p in t.strip("()[]").split(",") if p.strip()]
                if any(p.isdigit() for p in parts):
                    return MacroArch(self.check_codes(parts))
                return MacroArch.from_ops(parts)
            return MacroArch.from_key(t)
        try:
            items = list(text)
        except TypeError:
            raise ArchFormatError(
                f"cannot parse a {type(text).__name__} as a NAS-Bench-Macro architecture: give the 8-digit key, "
                "8 codes, 8 choice labels or an index"
            ) from None
        if items and all(isinstance(o, str) for o in items):
            return MacroArch.from_ops(items)
        return self.from_codes(items)

    def key(self, arch: MacroArch) -> str:
        return arch.key

    def canonical(self, arch: MacroArch) -> str:
        """Key of the class's normal form (identities inside a stage moved to the stage's end)."""
        return arch.canonical_key

    def _encode_other(self, arch: MacroArch, kind: str) -> Any:
        if kind == "edge_graph":
            return arch.to_edge_graph()
        n = NUM_LAYERS + 2
        adj = np.zeros((n, n), dtype=np.int64)
        for i in range(n - 1):
            adj[i, i + 1] = 1
        return adj, ["input", *arch.ops, "output"]

    # ------------------------------------------------------------------ networks
    def validate_net(self, net: Any) -> None:
        super().validate_net(net)
        for k in ("init_channels", "head_channels"):
            v = net.get(k, 1)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise NetConfigError(f"nb-macro: {k} must be a positive integer, got {v!r}")

    def _net(self, net: dict[str, Any]) -> dict[str, Any]:
        cfg = {**self.net_defaults, **self.dataset_configs[self.info.default_dataset], **net}
        self.validate_net(cfg)
        return cfg

    def build(self, arch: MacroArch, **net: Any) -> Any:
        """The benchmark network (:class:`~naslens.spaces.nb_macro.network.MacroNetwork`)."""
        from naslens.spaces.nb_macro.network import MacroNetwork

        cfg = self._net(net)
        cfg.pop("input_size")
        return MacroNetwork(arch, **cfg)

    def supernet(
        self, mode: str = "path", *, ops: Sequence[str] = CHOICES, dropout: float | None = None, **net: Any
    ) -> Any:
        """A supernet of the space.

        Args:
            mode: ``"path"``, the weight-sharing chain supernet
                (:class:`~naslens.spaces.nb_macro.supernet.MacroSupernet`); ``"mixed"``, the DARTS-style mixed-op
                supernet (:class:`~naslens.spaces.nb_macro.mixed.MacroMixedSupernet`).
            ops: candidate choices at every layer (a subset, for pruned spaces).
            dropout: before the classifier; default 0.1 for ``path`` (a supernet-training setting), 0 for ``mixed``
                (scored, not trained, here).

        Raises:
            NetConfigError: an unknown mode or network setting.
        """
        check_supernet_mode(self.info, mode)
        cfg = self._net(net)
        cfg.pop("input_size")
        if mode == "mixed":
            from naslens.spaces.nb_macro.mixed import MacroMixedSupernet

            return MacroMixedSupernet(**cfg, ops=ops, dropout=0.0 if dropout is None else dropout)
        from naslens.spaces.nb_macro.supernet import MacroSupernet

        return MacroSupernet(**cfg, ops=ops, dropout=0.1 if dropout is None else dropout)

    def complexity(self, archs: Sequence[MacroArch] | None = None, **net: Any) -> Any:
        """Params/FLOPs table (see :func:`naslens.spaces.nb_macro.complexity.complexity`)."""
        from naslens.spaces.nb_macro.complexity import complexity

        return complexity(self.enumerate() if archs is None else archs, **self._net(net))

    # ------------------------------------------------------------------ one-shot capabilities
    def supernet_config(self, **net: Any) -> dict[str, Any]:
        """The complete, validated settings :meth:`supernet` builds with for ``net`` (defaults filled in), without
        building it.

        Example:
            >>> MacroSpace().supernet_config(init_channels=8, head_channels=64)
            {'in_channels': 3, 'init_channels': 8, 'head_channels': 64, 'num_classes': 10, 'input_size': 32}
        """
        return self._net(net)

    def is_trivial(self, arch: MacroArch) -> bool:
        """Always ``False``: every architecture convolves (the stem, the 1×1 projection or inverted residual of each
        stage's first, stride-2 layer, the head), so one-shot ``require_conv`` rejects none.

        Example:
            >>> MacroSpace().is_trivial(MacroArch.from_key("00000000"))
            False
        """
        return False
