"""``NB201Space``: the NAS-Bench-201 topology space behind the space protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from naslens.spaces._protocol import SPACES, check_supernet_mode
from naslens.spaces.coded import CodedSpace
from naslens.spaces.nb201.arch import (
    EDGES,
    NUM_EDGES,
    OPS,
    SIZE,
    NB201Arch,
    _index_table,
    canonical,
    has_effective_conv,
)
from naslens.types import ArchFormatError, NetConfigError, SpaceInfo

INFO = SpaceInfo(
    name="nb201",
    description="NAS-Bench-201 / NATS-Bench topology: 4-node cell DAG, 6 edges x 5 ops, 3 stages of N cells",
    size=SIZE,
    enumerable=True,
    has_isomorphism=True,
    num_classes=6466,
    datasets=("cifar10", "cifar10-valid", "cifar100", "ImageNet16-120"),
    default_dataset="cifar10",
    cost_columns=(
        "params",
        "flops",
        "flops_all_ops",
        "relu",
        "depth",
        "n_none",
        "n_skip",
        "n_conv1x1",
        "n_conv3x3",
        "n_avg_pool",
    ),
    positions=tuple(f"{s}->{d}" for s, d in EDGES),
    choices=(OPS,) * NUM_EDGES,
    encodings=("codes", "onehot", "graph", "edge_graph"),
    has_supernet=True,
    supernet_modes=("path", "mixed"),
    net_keys=("C", "N", "num_classes", "in_channels", "input_size", "bn_affine"),
    thin_net={"C": 1, "N": 1},
    key_format="benchmark string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|",
)


@SPACES.register("nb201")
class NB201Space(CodedSpace):
    """The NAS-Bench-201 topology space (see :mod:`naslens.spaces.nb201.arch` for encodings).

    ``enumerate()`` is in benchmark index order; ``key`` is the benchmark string; ``canonical`` is NATS-Bench's
    ``UniqueString``; ``encode(a, "graph")`` is the operation-on-node graph (8 nodes: input, 6 edge ops, output);
    ``encode(a, "edge_graph")`` is the cell itself with ops on edges (``(4, op-code matrix, OPS)``, ``none`` = no
    edge; see :meth:`~naslens.spaces.nb201.arch.NB201Arch.to_edge_graph`).

    Example:
        >>> space = NB201Space()
        >>> space.size, len(space.representatives())
        (15625, 6466)
        >>> space.net_config("cifar100")
        {'C': 16, 'N': 5, 'in_channels': 3, 'num_classes': 100, 'input_size': 32}
    """

    info = INFO
    ops = OPS
    edges = EDGES
    net_defaults: ClassVar[Mapping[str, Any]] = {"C": 16, "N": 5, "in_channels": 3}
    dataset_configs: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "cifar10": {"num_classes": 10, "input_size": 32},
        "cifar10-valid": {"num_classes": 10, "input_size": 32},
        "cifar100": {"num_classes": 100, "input_size": 32},
        "ImageNet16-120": {"num_classes": 120, "input_size": 16},
    }

    # ------------------------------------------------------------------ encodings
    def from_codes(self, codes: Sequence[int]) -> NB201Arch:
        return NB201Arch.from_codes(self.check_codes(codes))

    def to_codes(self, arch: NB201Arch) -> tuple[int, ...]:
        return arch.codes

    def enumerate(self) -> tuple[NB201Arch, ...]:
        """All 15,625 architectures in benchmark index order."""
        return _index_table()

    def index(self, arch: NB201Arch) -> int:
        return arch.index

    def parse(self, text: Any) -> NB201Arch:
        """Any user encoding: benchmark string, index (int or digits), or NASLib tuple (its string form too)."""
        if isinstance(text, NB201Arch):
            return text
        if isinstance(text, bool):
            raise ArchFormatError(f"cannot parse {text!r} as an NB201 architecture")
        if isinstance(text, (int, np.integer)):
            return NB201Arch.from_index(int(text))
        if isinstance(text, str):
            t = text.strip()
            if t.isdigit():
                try:
                    index = int(t)
                except ValueError:  # digits int() does not read ('²'), or too many of them
                    raise ArchFormatError(f"cannot parse {text!r} as an NB201 index (0..{SIZE - 1})") from None
                return NB201Arch.from_index(index)
            if t.startswith("|"):
                return NB201Arch.from_string(t)
            if t.startswith("("):
                return NB201Arch.from_naslib(t)
            raise ArchFormatError(f"cannot parse {text!r} as an NB201 benchmark string, index or NASLib tuple")
        if not isinstance(text, Sequence | np.ndarray):
            raise ArchFormatError(
                f"cannot parse a {type(text).__name__} as an NB201 architecture: give a benchmark string, an index or "
                "a NASLib tuple"
            )
        return NB201Arch.from_naslib(list(text))

    def key(self, arch: NB201Arch) -> str:
        """Stable store key: the benchmark string."""
        return arch.to_string()

    def canonical(self, arch: NB201Arch) -> str:
        return canonical(arch)

    def neighbors(self, arch: NB201Arch) -> list[NB201Arch]:
        """All 24 architectures at edit distance 1 (one edge's op changed), edge-major, ops in code order (the
        generic implementation's order, built without re-validating codes)."""
        out = []
        for pos in range(NUM_EDGES):
            for op in OPS:
                if op != arch.ops[pos]:
                    ops = list(arch.ops)
                    ops[pos] = op
                    out.append(NB201Arch(tuple(ops)))
        return out

    def _encode_other(self, arch: NB201Arch, kind: str) -> Any:
        return arch.to_edge_graph() if kind == "edge_graph" else arch.to_node_graph()

    # ------------------------------------------------------------------ isomorphism
    def deiso_representatives(self) -> list[NB201Arch]:
        """One architecture per isomorphism class: the one with the smallest benchmark index (deterministic)."""
        return self.representatives()

    @cached_property
    def class_ids(self) -> np.ndarray:
        """Isomorphism-class id of every architecture (benchmark index order); ids numbered by first occurrence."""
        ids: dict[str, int] = {}
        out = np.empty(SIZE, dtype=np.int64)
        for i, a in enumerate(_index_table()):
            out[i] = ids.setdefault(canonical(a), len(ids))
        out.setflags(write=False)
        return out

    def sample(self, rng: np.random.Generator, over: str = "archs") -> NB201Arch:
        """One architecture uniformly over all 15,625 (``over="archs"``) or over the 6,466 classes (``"classes"``)."""
        if over == "archs":
            return _index_table()[int(rng.integers(SIZE))]
        if over == "classes":
            reps = self._representative_indices
            return _index_table()[int(reps[rng.integers(len(reps))])]
        raise ValueError(f"over must be 'archs' or 'classes', got {over!r}")

    # ------------------------------------------------------------------ networks
    def validate_net(self, net: Any) -> None:
        super().validate_net(net)
        for k in ("C", "N"):
            v = net.get(k, 1)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise NetConfigError(f"nb201: {k} must be a positive integer, got {v!r}")
        if net.get("input_size", 4) % 4:
            raise NetConfigError(f"nb201: input_size must be divisible by 4 (two reductions), got {net['input_size']}")

    def _net(self, net: dict[str, Any]) -> dict[str, Any]:
        """Complete and validate build settings (missing keys from the default dataset's configuration)."""
        cfg = {**self.net_defaults, **self.dataset_configs[self.info.default_dataset], **net}
        self.validate_net(cfg)
        return cfg

    def build(self, arch: NB201Arch, **net: Any) -> Any:
        """The benchmark network (see :func:`naslens.spaces.nb201.network.build_nb201`)."""
        from naslens.spaces.nb201.network import build_nb201

        cfg = self._net(net)
        cfg.pop("input_size")
        return build_nb201(arch, **cfg)

    def supernet(
        self, mode: str = "path", *, ops: Sequence[str] = OPS, dropout: float | None = None, **net: Any
    ) -> Any:
        """A supernet of the space (cell BN without affine parameters unless ``bn_affine=True``).

        Args:
            mode: ``"path"``, the weight-sharing supernet every architecture is a path through
                (:class:`~naslens.spaces.nb201.supernet.NB201Supernet`); ``"mixed"``, the DARTS-style mixed-op
                supernet (:class:`~naslens.spaces.nb201.mixed.NB201MixedSupernet`).
            ops: candidate ops on every edge (a subset, for pruned spaces).
            dropout: before the classifier; default 0.1 for ``path`` (a supernet-training setting), 0 for ``mixed``
                (scored, not trained, here).

        Raises:
            NetConfigError: an unknown mode or network setting.
        """
        check_supernet_mode(self.info, mode)
        cfg = self._net({"bn_affine": False, **net})
        cfg.pop("input_size")
        if mode == "mixed":
            from naslens.spaces.nb201.mixed import NB201MixedSupernet

            return NB201MixedSupernet(**cfg, ops=ops, dropout=0.0 if dropout is None else dropout)
        from naslens.spaces.nb201.supernet import NB201Supernet

        return NB201Supernet(**cfg, ops=ops, dropout=0.1 if dropout is None else dropout)

    def complexity(self, archs: Sequence[NB201Arch] | None = None, **net: Any) -> Any:
        """Cost table of the benchmark networks (see :func:`naslens.spaces.nb201.complexity.complexity`)."""
        from naslens.spaces.nb201.complexity import complexity

        cfg = self._net(net)
        if cfg.pop("bn_affine", True) is not True:
            raise NetConfigError("nb201: complexity counts the benchmark network (affine cell BN); drop bn_affine")
        return complexity(self.enumerate() if archs is None else archs, **cfg)

    # ------------------------------------------------------------------ one-shot capabilities
    def supernet_config(self, **net: Any) -> dict[str, Any]:
        """The complete, validated settings :meth:`supernet` builds with for ``net`` (defaults filled in: the
        default dataset's network, cell BN without affine parameters), without building it.

        Example:
            >>> NB201Space().supernet_config(C=8, in_channels=1)
            {'C': 8, 'N': 5, 'in_channels': 1, 'num_classes': 10, 'input_size': 32, 'bn_affine': False}
        """
        return self._net({"bn_affine": False, **net})

    def is_trivial(self, arch: NB201Arch) -> bool:
        """Whether ``arch`` has no convolution on an input→output path of its cell (see
        :func:`~naslens.spaces.nb201.arch.has_effective_conv`): such cells compute a fixed pooling / identity / zero
        function, which one-shot samplers may skip (``require_conv``, as aw_nas' NB201 samplers do).

        Example:
            >>> sp = NB201Space()
            >>> sp.is_trivial(sp.parse("|avg_pool_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|"))
            True
            >>> sp.is_trivial(sp.parse(9930))
            False
        """
        return not has_effective_conv(arch)
