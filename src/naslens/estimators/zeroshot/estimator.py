"""Zero-shot proxies as naslens estimators: build each architecture's network through the space protocol (seeded
init), feed the run's batches, and return :class:`~naslens.estimators.base.Scores`.

The network comes from ``space.net_config(dataset, **net)``: the space's benchmark settings for the dataset with the
run's overrides (validated by the space). The input shape is ``(in_channels, input_size, input_size)`` and the class
count ``num_classes`` of that configuration.

The configuration recorded with every score (and hashed into its store key) holds the proxy and its options, the
dataset, the network settings (``net``: the space's settings **without** ``input_size``, which the data provenance
already records as the batches' shape), the initialisation seed and the data provenance (source, shape, batch size,
number of batches, seed, selected images). The space name is not in it: the store keys every score by space already.
For NB201 this is exactly the configuration naslens always stored (``net`` = ``{C, N, num_classes, in_channels}``),
so old configuration hashes stay valid. It does not depend on whether the proxy was computed alone or fused with
others: both give the same value. With a supernet checkpoint (``checkpoint=FILE``) the networks are the
supernet's paths with the trained weights, and the configuration also holds ``checkpoint`` (file sha256, epoch,
training seed, training-configuration hash; see :mod:`naslens.estimators.zeroshot.supernet_weights`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from naslens.data.batches import SOURCES, BatchSpec, make_batches, provenance_key
from naslens.estimators.base import EstimatorInfo, Scores
from naslens.estimators.zeroshot._proxy import Batch, Proxy
from naslens.estimators.zeroshot.catalog import create_proxy
from naslens.estimators.zeroshot.fused import FusedScorer, ProxyOutcome
from naslens.estimators.zeroshot.networks import proxy_network
from naslens.estimators.zeroshot.supernet_weights import SupernetWeights, load_supernet_weights, standalone
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


class BatchCache:
    """Make the run's batches once and hand them out as :class:`Batch` objects on the run's device."""

    def __init__(self, ctx: RunContext, space: Any) -> None:
        self.ctx = ctx
        self.space = space
        self._batches: list[Batch] | None = None
        self._prov: dict[str, Any] | None = None

    def provenance(self) -> dict[str, Any]:
        self.batches()
        assert self._prov is not None
        return self._prov

    def batches(self) -> list[Batch]:
        if self._batches is None:
            raw, prov = make_batches(self.ctx.batch_spec(self.space))
            dev = resolve_device(self.ctx.device)
            self._batches = [Batch(x.to(dev), y.to(dev)) for x, y in raw]
            self._prov = provenance_key(prov)
        return self._batches


def net_config_for(proxy: Proxy, ctx: RunContext, space: Any) -> dict[str, Any]:
    """The network ``proxy`` is scored on: the run's network with the proxy's network request applied.

    Raises:
        SpaceCapabilityError: the proxy cannot run on this space's network (see
            :func:`~naslens.estimators.zeroshot.networks.proxy_network`), or needs a thin network in a checkpoint run.
    """
    if ctx.checkpoint is not None and proxy.info.network != "run":
        raise SpaceCapabilityError(
            f"proxy {proxy.info.name!r} cannot apply to a supernet checkpoint: it is scored on the space's "
            f"{proxy.info.network} network, for which the checkpoint holds no weights"
        )
    return ctx.network(space, proxy_network(proxy, space))


def estimator_config(proxy: Proxy, ctx: RunContext, space: Any, provenance: dict[str, Any]) -> dict[str, Any]:
    """The configuration stored with (and hashed into the key of) a proxy's scores (see the module docstring)."""
    cfg = {
        "estimator": proxy.info.name,
        "options": proxy.options(),
        "dataset": ctx.dataset_name(space),
        "net": recorded_net(net_config_for(proxy, ctx, space)),
        "init_seed": ctx.seed,
        "data": provenance,
    }
    w = ctx.weights(space)
    if w is not None:  # only then: configurations of fresh networks keep their hashes
        cfg["checkpoint"] = w.record()
    return cfg


def estimator_info(proxy: Proxy) -> EstimatorInfo:
    i = proxy.info
    return EstimatorInfo(
        name=i.name,
        family="zeroshot",
        higher_is_better=i.higher_is_better,
        needs_data=i.needs_data,
        needs_labels=i.needs_labels,
        needs_training=False,
        bn_mode=i.bn_mode,
        precision=i.precision,
        description=i.description,
    )


def score_network(
    space: Any, arch: Any, scorer: FusedScorer, ctx: RunContext, cache: BatchCache
) -> dict[str, ProxyOutcome]:
    """Build ``arch``'s network with ``torch.manual_seed(ctx.seed)`` and score it with every proxy of ``scorer``.

    Proxies whose network differs from the run's (a *thin* network, see ``ProxyInfo.network``) get their own
    network built with it. With a checkpoint, the network is ``arch``'s path of the trained supernet."""
    groups: dict[str, list[Proxy]] = {}
    configs: dict[str, dict[str, Any]] = {}
    for p in scorer.proxies:
        cfg = net_config_for(p, ctx, space)
        key = repr(sorted(cfg.items()))
        groups.setdefault(key, []).append(p)
        configs[key] = cfg
    out: dict[str, ProxyOutcome] = {}
    dev = resolve_device(ctx.device)
    weights = ctx.weights(space)
    for key, proxies in groups.items():
        torch.manual_seed(ctx.seed)
        if weights is None:
            net = space.build(arch, **configs[key]).to(dev)
        else:
            try:
                net = standalone(weights, arch).to(dev)
            except ValueError as e:
                return {p.info.name: ProxyOutcome(float("nan"), f"failed: cannot apply: {e}", 0.0) for p in proxies}
        sub = scorer if len(groups) == 1 else FusedScorer(proxies)
        out.update(sub.score(net, cache.batches(), seed=ctx.seed))
        del net
    return {p.info.name: out[p.info.name] for p in scorer.proxies}


class ZeroShotEstimator:
    """One proxy as an :class:`~naslens.estimators.base.Estimator`.

    Args:
        proxy: registered proxy name.
        proxy_options: options passed to the proxy (e.g. ``{"samples": 16}`` for ntk).
        **context: run settings, the keys of :data:`CONTEXT_KEYS` (see :class:`RunContext`): space, dataset,
            data, batch_size, n_batches, seed, net, data_root, device, checkpoint. Unknown keys are errors.

    Example:
        >>> from naslens.spaces import get_space
        >>> est = ZeroShotEstimator("synflow", data="noise", batch_size=2, n_batches=1, net={"C": 2, "N": 1})
        >>> sc = est.score(get_space("nb201"), [get_space("nb201").parse(0)])
        >>> sc.status, est.config()["net"]
        (['ok'], {'C': 2, 'N': 1, 'in_channels': 3, 'num_classes': 10})
    """

    def __init__(self, proxy: str, proxy_options: dict[str, Any] | None = None, **context: Any) -> None:
        self.proxy = create_proxy(proxy, **(proxy_options or {}))
        self.ctx = RunContext.from_context(**context)
        self.info = estimator_info(self.proxy)
        self._cache: BatchCache | None = None
        self._space: Any = None
        if self.ctx.space is not None:
            from naslens.spaces import get_space

            self._bind(get_space(self.ctx.space))

    def _bind(self, space: Any) -> None:
        if self._space is not None and self._space.name == space.name:
            return
        self.ctx = self.ctx.bound(space)
        proxy_network(self.proxy, space)  # a proxy that cannot run on this space says so now
        self._space = space
        self._cache = BatchCache(self.ctx, space)

    def config(self) -> dict[str, Any]:
        """The stored configuration (needs the space: give ``space=`` or score a space first)."""
        if self._space is None or self._cache is None:
            raise ValueError(
                f"{self.info.name}: the configuration depends on the space's network; create the estimator with "
                "space=NAME or call score(space, archs) first"
            )
        return estimator_config(self.proxy, self.ctx, self._space, self._cache.provenance())

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        self._bind(space)
        assert self._cache is not None
        scorer = FusedScorer([self.proxy])
        keys, values, status, secs = [], [], [], []
        for a in archs:
            out = score_network(space, a, scorer, self.ctx, self._cache)[self.proxy.info.name]
            keys.append(space.key(a))
            values.append(out.value)
            status.append(out.status)
            secs.append(out.seconds)
        sc = Scores(
            self.info,
            self.config(),
            keys,
            np.asarray(values, dtype=np.float64),
            status,
            seconds=np.asarray(secs, dtype=np.float64),
        )
        _, label = self.ctx.store_key(space)
        if label:
            sc.extra["checkpoint"] = label
        return sc
