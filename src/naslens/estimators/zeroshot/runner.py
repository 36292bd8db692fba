"""Whole-space zero-shot runs: fused scoring of many architectures into a resumable :class:`ScoreStore`.

Each architecture's results are appended to the store as soon as they are computed (one transaction per
architecture and proxy), so a killed run loses at most the architectures in flight; a rerun asks the store what is
done and computes only the missing (architecture, proxy) pairs, with nothing duplicated (the store's key is
(space, arch, estimator, config hash, seed, checkpoint)). NaN, inf and failures are stored with their status and
reason. With a supernet checkpoint (``RunContext.checkpoint``) the scores are stored under its label and training
seed.
With ``workers > 1`` architectures are scored in worker processes (one torch thread each); at most ``2·workers``
architectures are in flight, so memory stays bounded. Workers die with their parent
(:func:`naslens.workers.worker_pool`): killed with it, even by ``SIGKILL``, and terminated at once when it stops on
an error, Ctrl-C or ``SIGTERM``.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from naslens.estimators.base import EstimatorInfo
from naslens.estimators.zeroshot._proxy import Proxy
from naslens.estimators.zeroshot.catalog import create_proxy
from naslens.estimators.zeroshot.estimator import (
    BatchCache,
    RunContext,
    estimator_config,
    estimator_info,
    net_config_for,
    score_network,
)
from naslens.estimators.zeroshot.fused import FusedScorer, ProxyOutcome
from naslens.workers import worker_pool

_WORKER: dict[str, Any] = {}


def _init_worker(space: Any, ctx: RunContext, options: dict[str, dict[str, Any]], threads: int) -> None:
    """Set up a worker (or this process): ``space`` is a space or, in a spawned worker, a registered name."""
    from naslens.spaces import get_space

    if threads > 0:
        torch.set_num_threads(threads)
    _WORKER["space"] = get_space(space)
    _WORKER["ctx"] = ctx
    _WORKER["cache"] = BatchCache(ctx, _WORKER["space"])
    _WORKER["options"] = options


def _score_in_worker(key: str, names: list[str]) -> tuple[str, dict[str, tuple[float, str, float]]]:
    space = _WORKER["space"]
    scorer = FusedScorer([create_proxy(n, **_WORKER["options"].get(n, {})) for n in names])
    out = score_network(space, space.parse(key), scorer, _WORKER["ctx"], _WORKER["cache"])
    return key, {n: (o.value, o.status, o.seconds) for n, o in out.items()}


@dataclass
class RunPlan:
    """A validated run: the bound context, the proxies, their batches, metadata and stored configurations."""

    ctx: RunContext
    proxies: dict[str, Proxy]
    cache: BatchCache
    infos: dict[str, EstimatorInfo]
    configs: dict[str, dict[str, Any]]
    options: dict[str, dict[str, Any]]
    seed: int
    """The seed the scores are stored under (the run's, or a checkpoint's training seed)."""
    checkpoint: str
    """The checkpoint label the scores are stored under (``""`` for fresh networks)."""


def prepare_run(
    space: Any, proxies: Sequence[str], ctx: RunContext, proxy_options: dict[str, dict[str, Any]] | None = None
) -> RunPlan:
    """Check everything a run needs before any work: the proxies and their options, the network each proxy is
    scored on (validated by the space), and the batches (made now, so missing data fails here).

    Raises:
        ValueError: options for proxies not in the run, bad options, settings the space refuses, a proxy that
            cannot run on the space (the message says why); data errors of :mod:`naslens.data`.
    """
    options = proxy_options or {}
    unknown = set(options) - set(proxies)
    if unknown:
        raise ValueError(f"options given for proxies not in the run: {sorted(unknown)}")
    ctx = ctx.bound(space)
    instances = {n: create_proxy(n, **options.get(n, {})) for n in proxies}
    for p in instances.values():
        net_config_for(p, ctx, space)  # a proxy that cannot run on this space's network says why, now
    cache = BatchCache(ctx, space)
    prov = cache.provenance()
    infos = {n: estimator_info(p) for n, p in instances.items()}
    configs = {n: estimator_config(p, ctx, space, prov) for n, p in instances.items()}
    seed, label = ctx.store_key(space)
    return RunPlan(ctx, instances, cache, infos, configs, dict(options), seed, label)


def score_space(
    space: Any,
    archs: Sequence[Any],
    proxies: Sequence[str],
    ctx: RunContext,
    *,
    store: Any = None,
    proxy_options: dict[str, dict[str, Any]] | None = None,
    workers: int = 1,
    threads: int = 1,
    on_result: Callable[[str, dict[str, ProxyOutcome]], None] | None = None,
    progress: bool = True,
    plan: RunPlan | None = None,
) -> dict[str, dict[str, ProxyOutcome]]:
    """Score ``archs`` with ``proxies`` (fused), appending to ``store`` and skipping what it already holds.

    Args:
        space: the search space (``key``, ``parse``, ``build``).
        archs: architectures to score.
        proxies: registered proxy names.
        ctx: run settings (space, dataset, data source, batch size, number of batches, seed, network overrides).
        store: a :class:`~naslens.store.ScoreStore` (``None``: nothing stored, nothing skipped).
        proxy_options: per-proxy options, e.g. ``{"ntk": {"samples": 16}}``.
        workers: worker processes (1: in this process).
        threads: torch threads per worker.
        on_result: called with (arch key, outcomes) after each architecture.
        progress: show a rich progress bar.
        plan: the run prepared by :func:`prepare_run` with the same arguments (default: prepared here).

    Returns:
        arch key → proxy name → outcome, for the architectures computed in this call.
    """
    plan = plan or prepare_run(space, proxies, ctx, proxy_options)
    ctx, options, infos, configs = plan.ctx, plan.options, plan.infos, plan.configs
    keys = [space.key(a) for a in archs]
    if len(set(keys)) != len(keys):
        raise ValueError("the architecture list has duplicates")
    done: dict[str, set[str]] = {n: set() for n in proxies}
    if store is not None:
        done = {n: store.done(space.name, n, configs[n], seed=plan.seed, checkpoint=plan.checkpoint) for n in proxies}
    todo = [(k, [n for n in proxies if k not in done[n]]) for k in keys]
    todo = [(k, names) for k, names in todo if names]
    results: dict[str, dict[str, ProxyOutcome]] = {}

    def record(key: str, outcome: dict[str, tuple[float, str, float]]) -> None:
        outs = {n: ProxyOutcome(v, s, sec) for n, (v, s, sec) in outcome.items()}
        results[key] = outs
        if store is not None:
            for n, o in outs.items():
                store.put(
                    space.name,
                    key,
                    infos[n],
                    configs[n],
                    seed=plan.seed,
                    value=o.value,
                    status=o.status,
                    seconds=o.seconds,
                    checkpoint=plan.checkpoint,
                )
        if on_result is not None:
            on_result(key, outs)

    from naslens.progress import Tracker

    note = f"{len(keys) - len(todo)} already in store" if len(todo) < len(keys) else ""
    with Tracker(len(todo), "scoring", done=len(keys) - len(todo), enabled=progress, note=note) as bar:
        if workers <= 1:
            _init_worker(space, ctx, options, 0)  # this process keeps its own thread setting
            _WORKER["cache"] = plan.cache  # the batches made while preparing
            for k, names in todo:
                record(*_score_in_worker(k, names))
                bar.advance()
        else:
            with worker_pool(workers, _init_worker, (space.name, ctx, options, threads)) as pool:
                pending: set[cf.Future[Any]] = set()
                it = iter(todo)
                while True:
                    while len(pending) < 2 * workers:
                        nxt = next(it, None)
                        if nxt is None:
                            break
                        pending.add(pool.submit(_score_in_worker, *nxt))
                    if not pending:
                        break
                    finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                    for f in finished:
                        record(*f.result())
                        bar.advance()
    return results
