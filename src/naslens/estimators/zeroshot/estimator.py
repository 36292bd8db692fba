"""Zero-shot proxies as naslens estimators: build each architecture's network (seeded init), feed the run's
batches, and return :class:`~naslens.estimators.base.Scores`.

The configuration recorded with every score (and hashed into its store key) holds the proxy and its options, the
network settings (width, cells, classes, input shape), the initialisation seed and the data provenance (source,
shape, batch size, number of batches, seed, selected images). It does not depend on whether the proxy was computed
alone or fused with others: both give the same value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from naslens.data.batches import BatchSpec, make_batches, provenance_key
from naslens.estimators.base import EstimatorInfo, Scores
from naslens.estimators.zeroshot._proxy import Batch, Proxy, create_proxy
from naslens.estimators.zeroshot.fused import FusedScorer, ProxyOutcome

DATASET_SHAPES: dict[str, tuple[int, tuple[int, int, int]]] = {
    "cifar10": (10, (3, 32, 32)),
    "cifar10-valid": (10, (3, 32, 32)),
    "cifar100": (100, (3, 32, 32)),
    "ImageNet16-120": (120, (3, 16, 16)),
}
"""Benchmark dataset → (number of classes, network input shape)."""


def _resolve_device(device: str | None) -> torch.device:
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


@dataclass(frozen=True)
class RunContext:
    """Settings shared by every proxy of a run (built from the ``**context`` of the estimator factories)."""

    dataset: str = "cifar10"
    data: str = "cifar10"
    batch_size: int = 128
    n_batches: int = 3
    seed: int = 0
    C: int = 16
    N: int = 5
    data_root: str | None = None
    device: str | None = "auto"

    def __post_init__(self) -> None:
        if self.dataset not in DATASET_SHAPES:
            raise ValueError(f"dataset must be one of {sorted(DATASET_SHAPES)}, got {self.dataset!r}")

    @classmethod
    def from_context(cls, **context: Any) -> RunContext:
        net = context.get("net")
        if net:
            raise ValueError(
                f"zero-shot proxies are computed on the benchmark networks of {sorted(DATASET_SHAPES)}; this ground "
                f"truth was trained with another network ({net}), which they cannot build yet. Evaluate zero-shot "
                "proxies against an NB201 benchmark ground truth (e.g. -g nb201-200ep -d cifar10)"
            )
        fields = {k: context[k] for k in cls.__dataclass_fields__ if k in context and context[k] is not None}
        return cls(**fields)

    @property
    def num_classes(self) -> int:
        return DATASET_SHAPES[self.dataset][0]

    @property
    def shape(self) -> tuple[int, int, int]:
        return DATASET_SHAPES[self.dataset][1]

    def batch_spec(self) -> BatchSpec:
        return BatchSpec(
            source=self.data,
            batch_size=self.batch_size,
            n_batches=self.n_batches,
            seed=self.seed,
            shape=self.shape,
            num_classes=self.num_classes,
            data_root=self.data_root,
        )

    def net_config(self) -> dict[str, Any]:
        return {"C": self.C, "N": self.N, "num_classes": self.num_classes, "in_channels": self.shape[0]}


class BatchCache:
    """Make the run's batches once and hand them out as :class:`Batch` objects on the run's device."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._batches: list[Batch] | None = None
        self._prov: dict[str, Any] | None = None

    def provenance(self) -> dict[str, Any]:
        self.batches()
        assert self._prov is not None
        return self._prov

    def batches(self) -> list[Batch]:
        if self._batches is None:
            raw, prov = make_batches(self.ctx.batch_spec())
            dev = _resolve_device(self.ctx.device)
            self._batches = [Batch(x.to(dev), y.to(dev)) for x, y in raw]
            self._prov = provenance_key(prov)
        return self._batches


def net_config_for(proxy: Proxy, ctx: RunContext) -> dict[str, Any]:
    """The run's network settings with the proxy's declared overrides (``ProxyInfo.network``) applied."""
    return {**ctx.net_config(), **dict(proxy.info.network)}


def estimator_config(proxy: Proxy, ctx: RunContext, provenance: dict[str, Any]) -> dict[str, Any]:
    """The configuration stored with (and hashed into the key of) a proxy's scores."""
    return {
        "estimator": proxy.info.name,
        "options": proxy.options(),
        "dataset": ctx.dataset,
        "net": net_config_for(proxy, ctx),
        "init_seed": ctx.seed,
        "data": provenance,
    }


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

    Proxies declaring network overrides (``ProxyInfo.network``) get their own network built with them."""
    groups: dict[str, list[Proxy]] = {}
    configs: dict[str, dict[str, Any]] = {}
    for p in scorer.proxies:
        cfg = net_config_for(p, ctx)
        key = repr(sorted(cfg.items()))
        groups.setdefault(key, []).append(p)
        configs[key] = cfg
    out: dict[str, ProxyOutcome] = {}
    for key, proxies in groups.items():
        torch.manual_seed(ctx.seed)
        net = space.build(arch, **configs[key]).to(_resolve_device(ctx.device))
        sub = scorer if len(groups) == 1 else FusedScorer(proxies)
        out.update(sub.score(net, cache.batches(), seed=ctx.seed))
        del net
    return {p.info.name: out[p.info.name] for p in scorer.proxies}


class ZeroShotEstimator:
    """One proxy as an :class:`~naslens.estimators.base.Estimator`.

    Args:
        proxy: registered proxy name.
        proxy_options: options passed to the proxy (e.g. ``{"samples": 16}`` for ntk).
        **context: run settings (see :class:`RunContext`): dataset, data, batch_size, n_batches, seed, C, N,
            data_root, device.
    """

    def __init__(self, proxy: str, proxy_options: dict[str, Any] | None = None, **context: Any) -> None:
        self.proxy = create_proxy(proxy, **(proxy_options or {}))
        self.ctx = RunContext.from_context(**context)
        self.cache = BatchCache(self.ctx)
        self.info = estimator_info(self.proxy)

    def config(self) -> dict[str, Any]:
        return estimator_config(self.proxy, self.ctx, self.cache.provenance())

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        scorer = FusedScorer([self.proxy])
        keys, values, status, secs = [], [], [], []
        for a in archs:
            out = score_network(space, a, scorer, self.ctx, self.cache)[self.proxy.info.name]
            keys.append(space.key(a))
            values.append(out.value)
            status.append(out.status)
            secs.append(out.seconds)
        return Scores(
            self.info,
            self.config(),
            keys,
            np.asarray(values, dtype=np.float64),
            status,
            seconds=np.asarray(secs, dtype=np.float64),
        )
