"""The fused scorer: any set of proxies for one network, each distinct pass run once.

Proxies are grouped by ``(pass_kind, pass_options)``; each group's pass runs once per batch with the union of its
proxies' requirements (one cross-entropy forward/backward feeds grad_norm, plain, snip, fisher, grasp, jacob_cov
and epe_nas together), then every proxy reduces the shared result. Groups whose proxies ignore the batch contents
(``uses_batch=False``: synflow, zen, l2_norm) run once. A proxy's value is the mean of its per-batch values.

Example:
    >>> import torch
    >>> from naslens.estimators.zeroshot import FusedScorer
    >>> from naslens.estimators.zeroshot._proxy import Batch
    >>> torch.manual_seed(0) and None
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    >>> batch = Batch(torch.randn(6, 3, 2, 2), torch.tensor([0, 1, 2, 0, 1, 2]))
    >>> out = FusedScorer(["snip", "grad_norm", "synflow"]).score(net, [batch])
    >>> sorted(out), out["snip"].status
    (['grad_norm', 'snip', 'synflow'], 'ok')
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from naslens.estimators.base import status_of
from naslens.estimators.zeroshot._proxy import Batch, Proxy, ProxyError
from naslens.estimators.zeroshot.catalog import create_proxy
from naslens.estimators.zeroshot.passes import run_pass


@dataclass
class ProxyOutcome:
    """One proxy's result for one network: mean value over batches, status, seconds attributed to it."""

    value: float
    status: str
    seconds: float
    per_batch: list[float] = field(default_factory=list)


def _group_key(p: Proxy) -> tuple[str, str]:
    return p.info.pass_kind, json.dumps(p.pass_options(), sort_keys=True, default=str)


class FusedScorer:
    """Compute several proxies on one network, sharing passes.

    Args:
        proxies: proxy instances or registered names.

    Attributes:
        groups: ``(pass_kind, options) → proxies`` sharing one pass.
        pass_seconds: after :meth:`score`, seconds spent in each group's pass (summed over batches).
    """

    def __init__(self, proxies: Sequence[Proxy | str]) -> None:
        if not proxies:
            raise ValueError("FusedScorer needs at least one proxy")
        self.proxies = [create_proxy(p) if isinstance(p, str) else p for p in proxies]
        names = [p.info.name for p in self.proxies]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate proxies in {names}")
        self.groups: dict[tuple[str, str], list[Proxy]] = {}
        for p in self.proxies:
            self.groups.setdefault(_group_key(p), []).append(p)
        self.pass_seconds: dict[str, float] = {}

    @property
    def names(self) -> list[str]:
        return [p.info.name for p in self.proxies]

    def n_passes(self) -> int:
        """Number of distinct passes per batch."""
        return len(self.groups)

    def score(self, model: nn.Module, batches: Sequence[Batch], *, seed: int = 0) -> dict[str, ProxyOutcome]:
        """Score ``model`` on ``batches``; every proxy gets an outcome (failures carry ``failed: <reason>``).

        The model is restored after every pass, so the result equals computing each proxy alone.
        """
        if not batches:
            raise ValueError("FusedScorer.score needs at least one batch")
        values: dict[str, list[float]] = {p.info.name: [] for p in self.proxies}
        seconds: dict[str, float] = dict.fromkeys(values, 0.0)
        failed: dict[str, str] = {}
        self.pass_seconds = {}
        for key, group in self.groups.items():
            kind = key[0]
            live = list(group)
            use = batches if any(p.info.uses_batch for p in live) else batches[:1]
            for b in use:
                if b.y is None:  # proxies needing labels fail; the others still share the pass
                    for p in [p for p in live if p.info.needs_labels]:
                        failed[p.info.name] = "this proxy needs labels but the batch has none"
                        live.remove(p)
                if not live:
                    break
                requires = frozenset().union(*(p.info.requires for p in live))
                t0 = time.perf_counter()
                try:
                    result = run_pass(kind, model, b, requires, seed=seed, proxies=live)
                except ProxyError as e:
                    result, reason = None, str(e)
                except (RuntimeError, ValueError, FloatingPointError) as e:
                    result, reason = None, f"{type(e).__name__}: {e}"
                dt = time.perf_counter() - t0
                self.pass_seconds[f"{kind}{key[1]}"] = self.pass_seconds.get(f"{kind}{key[1]}", 0.0) + dt
                for p in list(live):
                    name = p.info.name
                    seconds[name] += dt / len(live)
                    if result is None:
                        failed[name] = reason
                        live.remove(p)
                        continue
                    t1 = time.perf_counter()
                    try:
                        values[name].append(float(p.reduce(result)))
                    except ProxyError as e:
                        failed[name] = str(e)
                        live.remove(p)
                    except (RuntimeError, ValueError, FloatingPointError, ArithmeticError) as e:
                        failed[name] = f"{type(e).__name__}: {e}"
                        live.remove(p)
                    seconds[name] += time.perf_counter() - t1
        out: dict[str, ProxyOutcome] = {}
        for name, vals in values.items():
            if name in failed:
                out[name] = ProxyOutcome(math.nan, f"failed: {failed[name]}", seconds[name], vals)
            else:
                v = sum(vals) / len(vals)
                out[name] = ProxyOutcome(v, status_of(v), seconds[name], vals)
        return out

    def describe(self) -> dict[str, Any]:
        return {f"{k[0]}{k[1]}": [p.info.name for p in g] for k, g in self.groups.items()}
