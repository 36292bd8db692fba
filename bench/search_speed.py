"""Speed of Zero-Cost-PT on one CPU core: one stage-1 proposal, one stage-2 validation batch, the fused-pass share.

Prints figures only (no timed assertions): seconds per perturbation and per proposal, seconds per validation batch
of one candidate, the share of a perturbation's time spent inside the proxies' fused passes (the rest: perturbing
and restoring the supernet, batch preparation), and the projected cost of one full seed (N proposals, V validation
batches for up to N distinct candidates; the issue's target is under 15 CPU-minutes for N=10, V=100, batch 256).

Usage (from the repository root):
    PYTHONPATH=src python bench/search_speed.py                       # NB201, C=16, N=5, batch 256, CIFAR-10
    PYTHONPATH=src python bench/search_speed.py --tiny                # C=2, N=1, batch 8, noise: a check that it runs
    PYTHONPATH=src python bench/search_speed.py --proxy synflow --order global-op-iter
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import torch


def measure(
    space: Any,
    *,
    proxy: str,
    order: str,
    net: dict[str, Any],
    batch_size: int,
    data: str | None,
    proposals: int = 10,
    validation: int = 100,
) -> dict[str, float]:
    """Time one proposal and one validation batch of ``space``; returns the figures printed by :func:`main`."""
    from naslens.estimators.zeroshot.run_context import RunContext
    from naslens.search.mixed import BatchStream, ProxyMeasure, alive_choices, build_mixed, undecided
    from naslens.search.zc_pt import ZeroCostPT

    search = ZeroCostPT(proxy, order, proposals=1, validation=1, batch_size=batch_size, data=data, net=net)
    t0 = time.perf_counter()
    res = search.run(space, seed=0, store=None, progress=False)
    wall = time.perf_counter() - t0
    traj = res.trajectory
    stage1 = traj[traj["item"].str.startswith("stage1")]
    stage2 = traj[traj["item"].str.startswith("stage2")]

    # the fused-pass share of one perturbation, measured directly
    ctx = RunContext(batch_size=batch_size, n_batches=1, seed=0, net=net, data=data, device="cpu").bound(space)
    sn = build_mixed(space, 0, ctx.network(space))
    pm = ProxyMeasure([proxy], seed=0)
    batch = BatchStream(ctx.batch_spec(space), seed=0, stream=1).batch(0)
    state = sn.state()
    p = undecided(state)[0]
    o = alive_choices(state, p)[0]
    t1 = time.perf_counter()
    sn.remove(p, o)
    pm(sn, batch)
    sn.set_state(state)
    one = time.perf_counter() - t1
    passes = sum(pm.scorer.pass_seconds.values())
    per_prop = float(stage1["seconds"].sum())
    per_val = float(stage2["seconds"].mean())
    return {
        "perturbations_per_proposal": float(len(stage1)),
        "seconds_per_perturbation": per_prop / max(len(stage1), 1),
        "seconds_per_proposal": per_prop,
        "seconds_per_validation_batch": per_val,
        "fused_pass_share": passes / one if one > 0 else float("nan"),
        "projected_seed_seconds": proposals * per_prop + validation * proposals * per_val,
        "wall_seconds_this_bench": wall,
    }


def main(argv: list[str] | None = None, space: Any = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--space", default="nb201")
    ap.add_argument("--proxy", default="nwot")
    ap.add_argument("--order", default="random")
    ap.add_argument("--C", type=int, default=16)
    ap.add_argument("--N", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--data", default=None, help="cifar10 (default for NB201), noise, …")
    ap.add_argument("--tiny", action="store_true", help="C=2, N=1, batch 8, noise images: check that it runs")
    a = ap.parse_args(argv)
    from naslens.config import set_threads
    from naslens.spaces import get_space

    set_threads(1)
    torch.set_num_threads(1)
    sp = space if space is not None else get_space(a.space)
    keys = set(sp.info.net_keys)
    net = {k: v for k, v in (("C", a.C), ("N", a.N)) if k in keys}
    bs, data = a.batch_size, a.data
    if a.tiny:
        net = {k: v for k, v in (("C", 2), ("N", 1), ("width", 2)) if k in keys}
        bs, data = 8, "noise"
    from naslens.types import UserError

    try:
        f = measure(sp, proxy=a.proxy, order=a.order, net=net, batch_size=bs, data=data)
    except UserError as e:
        raise SystemExit(f"search_speed: {e}") from None
    print(
        f"Zero-Cost-PT speed on one CPU thread: space {sp.name}, network {net}, proxy {a.proxy}, order {a.order}, "
        f"batch {bs}, data {data or 'the dataset images'}"
    )
    print(
        f"  stage 1: {f['perturbations_per_proposal']:.0f} perturbations per proposal, "
        f"{f['seconds_per_perturbation']:.3f} s each, {f['seconds_per_proposal']:.2f} s per proposal"
    )
    print(f"  stage 2: {f['seconds_per_validation_batch']:.3f} s per validation batch of one candidate")
    print(f"  fused-pass share of one perturbation: {100 * f['fused_pass_share']:.1f} %")
    print(
        f"  projected full seed (N=10 proposals, V=100 batches, ≤ 10 distinct candidates): "
        f"{f['projected_seed_seconds'] / 60:.1f} CPU-minutes (target < 15)"
    )
    return f


if __name__ == "__main__":
    main()
