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

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from naslens.data.batches import make_batches, provenance_key
from naslens.estimators.base import EstimatorInfo, Scores
from naslens.estimators.zeroshot._proxy import Batch, Proxy
from naslens.estimators.zeroshot.catalog import create_proxy
from naslens.estimators.zeroshot.fused import FusedScorer, ProxyOutcome
from naslens.estimators.zeroshot.networks import proxy_network
from naslens.estimators.zeroshot.run_context import (
    CONTEXT_KEYS,
    SHAPE_KEYS,
    UNRECORDED_NET_KEYS,
    RunContext,
    recorded_net,
    resolve_device,
)
from naslens.estimators.zeroshot.supernet_weights import standalone
from naslens.types import SpaceCapabilityError

__all__ = [
    "CONTEXT_KEYS",
    "SHAPE_KEYS",
    "UNRECORDED_NET_KEYS",
    "BatchCache",
    "RunContext",
    "ZeroShotEstimator",
    "estimator_config",
    "estimator_info",
    "net_config_for",
    "recorded_net",
    "resolve_device",
    "score_network",
]


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
    return info_of(proxy.info)


def info_of(i: Any) -> EstimatorInfo:
    """The estimator metadata of a proxy's ``ProxyInfo`` (no proxy built)."""
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

    def fuse_key(self, space: Any) -> Any:
        """Estimators with equal keys share one fused pass per architecture (:meth:`score_group`)."""
        self._bind(space)
        return (ZeroShotEstimator, self.ctx)

    @staticmethod
    def score_group(
        estimators: Sequence[ZeroShotEstimator], space: Any, archs: Sequence[Any], *, progress: bool = True
    ) -> list[Scores]:
        """Score several proxies of one run context together: one network per architecture, the proxies' shared
        passes computed once (the same values as scoring each alone), with a progress display.

        Raises:
            ValueError: the estimators do not share one run context.
        """
        from naslens.progress import Tracker

        if not estimators:
            return []
        ctxs = {e.fuse_key(space) for e in estimators}
        if len(ctxs) != 1:
            raise ValueError("score_group needs estimators of one run context (same data, batches, seed, network)")
        first = estimators[0]
        assert first._cache is not None
        scorer = FusedScorer([e.proxy for e in estimators])
        out: dict[str, dict[str, ProxyOutcome]] = {}
        names = ", ".join(e.proxy.info.name for e in estimators)
        with Tracker(len(archs), "scoring", enabled=progress, note=names) as bar:
            for a in archs:
                out[space.key(a)] = score_network(space, a, scorer, first.ctx, first._cache)
                bar.advance()
        _, label = first.ctx.store_key(space)
        result = []
        for e in estimators:
            n = e.proxy.info.name
            keys = [space.key(a) for a in archs]
            outs = [out[k][n] for k in keys]
            sc = Scores(
                e.info,
                e.config(),
                keys,
                np.asarray([o.value for o in outs], dtype=np.float64),
                [o.status for o in outs],
                seconds=np.asarray([o.seconds for o in outs], dtype=np.float64),
            )
            if label:
                sc.extra["checkpoint"] = label
            result.append(sc)
        return result

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
