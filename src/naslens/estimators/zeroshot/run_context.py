"""``RunContext``: the settings every proxy of a zero-shot run shares, resolved through the space protocol.

The network is ``space.net_config(dataset, **net)`` (overrides validated by the space); the batches' shape is
``(in_channels, input_size, input_size)`` and their label range ``num_classes`` of that configuration. With a
supernet checkpoint, the network is the supernet's (see :mod:`naslens.estimators.zeroshot.supernet_weights`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from naslens.data.batches import SOURCES, BatchSpec
from naslens.estimators.zeroshot.supernet_weights import SupernetWeights, load_supernet_weights
from naslens.types import NetConfigError, SpaceCapabilityError

UNRECORDED_NET_KEYS = ("input_size",)
"""Network settings left out of the stored ``net`` (the batches' shape in the data provenance records them)."""

SHAPE_KEYS = ("num_classes", "in_channels", "input_size")
"""The settings that make a network fit a dataset; a ``net`` giving all three describes a dataset of its own."""

CONTEXT_KEYS = (
    "space",
    "dataset",
    "data",
    "batch_size",
    "n_batches",
    "seed",
    "net",
    "data_root",
    "device",
    "checkpoint",
)
"""The run settings the zero-shot estimator factories accept (anything else is an error)."""


def resolve_device(device: str | None) -> torch.device:
    """``None``/``"auto"``: CUDA when available, else CPU; ``"cuda"`` on a machine without CUDA is an error.

    Raises:
        ValueError: an unknown device or one this machine does not have.
    """
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(str(device))
    except RuntimeError:
        raise ValueError(f"unknown device {device!r}; use auto, cpu or cuda[:N]") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but this torch build sees no CUDA device; use cpu or auto")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device {device!r} is not supported; use auto, cpu or cuda[:N]")
    return dev


@dataclass(frozen=True)
class RunContext:
    """Settings shared by every proxy of a run (built from the ``**context`` of the estimator factories).

    Attributes:
        space: name of the search space (``None``: bound when the estimator first scores a space).
        dataset: dataset whose benchmark network settings are used (``None``: the space's default). A dataset the
            space has no settings for is accepted when ``net`` gives ``num_classes``, ``in_channels`` and
            ``input_size`` (a naslens-built ground truth's network, e.g. ``nb201-fmnist``): it is then a label.
        data: input source (``cifar10``, ``fashion-mnist``, ``noise``, ``uniform``); ``None``: the dataset's own
            images when it is a source, else ``cifar10``.
        batch_size: images per batch.
        n_batches: batches per architecture (scores are averaged).
        seed: seed of the batches and of the network initialisation.
        net: network overrides (``{"C": 8, "N": 1}``), validated by the space; kept as sorted ``(key, value)``
            pairs so the context stays hashable.
        data_root: shared data folder (``None``: ``$NASLENS_DATA`` or ``../shared/data``).
        device: ``auto``, ``cpu`` or ``cuda[:N]``.
        checkpoint: a supernet checkpoint file: score its paths (``supernet.to_standalone(arch)`` with the trained
            weights) instead of fresh networks; the run's network is then the supernet's and the dataset defaults to
            what it was trained on (see :mod:`naslens.estimators.zeroshot.supernet_weights`).

    Example:
        >>> from naslens.spaces import get_space
        >>> ctx = RunContext(space="nb-macro", data="noise", net={"init_channels": 8})
        >>> ctx.network(get_space("nb-macro"))["init_channels"], ctx.shape(get_space("nb-macro"))
        (8, (3, 32, 32))
    """

    space: str | None = None
    dataset: str | None = None
    data: str | None = None
    batch_size: int = 128
    n_batches: int = 3
    seed: int = 0
    net: Mapping[str, Any] | tuple[tuple[str, Any], ...] = ()
    data_root: str | None = None
    device: str | None = "auto"
    checkpoint: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.net, Mapping):
            object.__setattr__(self, "net", tuple(sorted(dict(self.net).items())))
        elif not isinstance(self.net, tuple):
            object.__setattr__(self, "net", tuple(sorted(tuple(kv) for kv in self.net)))
        for name, low in (("batch_size", 2), ("n_batches", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise ValueError(f"{name} must be an integer ≥ {low}, got {v!r}")
        if self.data is not None and self.data not in SOURCES:
            raise ValueError(f"data source must be one of {', '.join(SOURCES)}, got {self.data!r}")
        resolve_device(self.device)
        if self.checkpoint is not None:
            object.__setattr__(self, "checkpoint", str(self.checkpoint))
        if self.space is not None:
            from naslens.spaces import get_space

            try:
                sp = get_space(self.space)
            except KeyError as e:
                raise ValueError(str(e).strip("'\"")) from None
            self.network(sp)  # dataset and overrides are checked by the space now, before any work

    @classmethod
    def from_context(cls, **context: Any) -> RunContext:
        """The context of an estimator factory's keyword arguments (``None`` values mean "default").

        Raises:
            ValueError: a key that is not one of :data:`CONTEXT_KEYS`, or an invalid value.
        """
        unknown = sorted(set(context) - set(CONTEXT_KEYS))
        if unknown:
            raise ValueError(f"zero-shot estimators take no setting(s) {unknown}; they accept {list(CONTEXT_KEYS)}")
        fields = {k: v for k, v in context.items() if v is not None}
        if isinstance(fields.get("space"), str) or "space" not in fields:
            return cls(**fields)
        return cls(**{**fields, "space": fields["space"].name})  # a space object: keep its name

    # ------------------------------------------------------------------ space-bound views
    def bound(self, space: Any) -> RunContext:
        """This context for ``space`` (its name filled in; a context made for another space is an error)."""
        if self.space is None:
            new = copy.copy(self)  # not dataclasses.replace: the space need not be registered
            object.__setattr__(new, "space", space.name)
            new.network(space)
            return new
        if self.space != space.name:
            raise ValueError(f"this zero-shot run is set up for space {self.space!r}, not {space.name!r}")
        return self

    def _check(self, space: Any) -> None:
        if self.space is not None and self.space != space.name:
            raise ValueError(f"this zero-shot run is set up for space {self.space!r}, not {space.name!r}")

    def weights(self, space: Any) -> SupernetWeights | None:
        """The checkpoint's supernet weights (loaded once per file), or ``None`` without a checkpoint."""
        if self.checkpoint is None:
            return None
        return load_supernet_weights(self.checkpoint, space)

    def store_key(self, space: Any) -> tuple[int, str]:
        """``(seed, checkpoint label)`` the scores are stored under: the run's seed and ``""``, or the training seed
        and ``epoch-XXXX`` of a checkpoint."""
        w = self.weights(space)
        return (self.seed, "") if w is None else (w.seed, w.label)

    def dataset_name(self, space: Any) -> str:
        """The dataset as recorded: the space's spelling of a benchmark dataset, else the given label."""
        if self.dataset is None:
            w = self.weights(space)
            return str(space.info.default_dataset) if w is None else w.dataset
        by_lower = {d.lower(): d for d in space.info.datasets}
        return by_lower.get(self.dataset.lower(), self.dataset)

    def network(self, space: Any, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The full network settings: ``space.net_config(dataset, **net, **extra)``.

        Raises:
            SpaceCapabilityError: a dataset the space has no settings for, with a ``net`` that does not describe it.
            NetConfigError: overrides the space does not accept.
        """
        self._check(space)
        over = {**dict(self.net), **dict(extra or {})}
        w = self.weights(space)
        if w is not None:
            clash = sorted(k for k in over if k in w.net and over[k] != w.net[k])
            if clash:
                raise NetConfigError(
                    f"network settings {clash} differ from those of the checkpoint's supernet "
                    f"({', '.join(f'{k}={w.net[k]}' for k in clash)}); drop them"
                )
            over = {**over, **w.net}
        ds = self.dataset_name(space)
        if ds in space.info.datasets:
            return dict(space.net_config(ds, **over))
        if set(SHAPE_KEYS) <= set(over):
            return dict(space.net_config(None, **over))
        raise SpaceCapabilityError(
            f"space {space.name!r} has no network settings for dataset {self.dataset!r} (it has "
            f"{', '.join(space.info.datasets)}); give net settings {', '.join(SHAPE_KEYS)} to describe it"
        )

    def shape(self, space: Any) -> tuple[int, int, int]:
        """Network input ``(in_channels, input_size, input_size)``."""
        net = self.network(space)
        return int(net["in_channels"]), int(net["input_size"]), int(net["input_size"])

    def data_source(self, space: Any) -> str:
        """The input source: ``data``, else the dataset's own images when naslens has them, else ``cifar10``."""
        if self.data is not None:
            return self.data
        ds = self.dataset_name(space).lower()
        return ds if ds in SOURCES else "cifar10"

    def batch_spec(self, space: Any) -> BatchSpec:
        return BatchSpec(
            source=self.data_source(space),
            batch_size=self.batch_size,
            n_batches=self.n_batches,
            seed=self.seed,
            shape=self.shape(space),
            num_classes=int(self.network(space)["num_classes"]),
            data_root=self.data_root,
        )


def recorded_net(net: Mapping[str, Any]) -> dict[str, Any]:
    """The network settings stored in a configuration (see :data:`UNRECORDED_NET_KEYS`)."""
    return {k: v for k, v in net.items() if k not in UNRECORDED_NET_KEYS}
