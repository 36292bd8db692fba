"""Zero-shot proxy speed: seconds per architecture for each proxy alone and for the fused set.

On the NB201 network (C=16, N=5, CIFAR-10 head, batch 64 of 3×32×32 noise inputs with labels), in one process:

* separate (naslens): for each proxy, a fresh deep copy of the network and naslens' own pass for that proxy alone
  (one model copy and pass per proxy, but each pass is naslens' leanest: GraSP in one forward, jacob_cov's backward
  to the input only);
* separate (reference): for each proxy of :mod:`naslens.estimators.zeroshot.reference`, the procedure of the common
  tools (zero-cost-nas / NAS-Bench-Suite-Zero): a deep copy, GraSP's two phases, jacob_cov's ``y.backward(ones)``
  that fills every weight's gradient too. Their values are checked against the fused ones on every architecture;
* fused: one :class:`~naslens.estimators.zeroshot.FusedScorer` over the same proxies;
* the ratios fused / Σ separate for both baselines, and the fused time in units of one plain cross-entropy
  forward+backward of the same network and batch (the "equivalent passes" figure).

Separate and fused runs are interleaved per architecture and repetition so that load changes on a shared machine
hit both alike; medians over repetitions are reported. ``--clock cpu`` (default) times with the process CPU clock,
which other jobs on a shared machine barely disturb (with one torch thread it is the compute time); ``--clock wall``
times elapsed seconds.

    python bench/zeroshot_speed.py                      # default set, 3 architectures, 2 repetitions
    python bench/zeroshot_speed.py --proxies all --repeats 1
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
import torch.nn.functional as F

from naslens.estimators.zeroshot import Batch, FusedScorer, create_proxy, list_proxies
from naslens.estimators.zeroshot.reference import REFERENCE
from naslens.spaces import get_space

DEFAULT = "grad_norm,snip,grasp,fisher,jacob_cov,plain,synflow"
ARCHS = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",  # index 9930
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",  # index 0
    "|nor_conv_1x1~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
)


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = time.process_time


def _plain_pass(net: torch.nn.Module, b: Batch) -> float:
    assert b.y is not None
    t = clock()
    net.train()
    loss = F.cross_entropy(net(b.x), b.y)
    torch.autograd.grad(loss, [p for p in net.parameters() if p.requires_grad])
    return clock() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proxies", default=DEFAULT, help="comma-separated names or 'all'")
    ap.add_argument("--archs", type=int, default=3, help=f"how many of the {len(ARCHS)} fixed architectures")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="process CPU time or wall time")
    args = ap.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    torch.set_num_threads(args.threads)
    names = list_proxies() if args.proxies == "all" else [n.strip() for n in args.proxies.split(",")]
    space = get_space("nb201")
    g = torch.Generator().manual_seed(0)
    batch = Batch(torch.randn((args.batch_size, 3, 32, 32), generator=g), torch.randint(0, 10, (args.batch_size,),
                                                                                        generator=g))
    alone: dict[str, list[float]] = {n: [] for n in names}
    ref_alone: dict[str, list[float]] = {n: [] for n in names if n in REFERENCE}
    sep_total, fused_total, plain, ratio, ref_total, ref_ratio = [], [], [], [], [], []
    ref_values: dict[str, float] = {}
    worst = 0.0
    for rep in range(args.repeats):
        for a in ARCHS[: args.archs]:
            torch.manual_seed(0)
            net = space.build(space.parse(a))
            plain.append(_plain_pass(copy.deepcopy(net), batch))
            t_sep = 0.0
            for n in names:
                t = clock()
                create_proxy(n).compute(copy.deepcopy(net), batch)
                dt = clock() - t
                alone[n].append(dt)
                t_sep += dt
            t_ref = 0.0
            for n in ref_alone:
                t = clock()
                ref_values[n] = REFERENCE[n](net, batch)
                dt = clock() - t
                ref_alone[n].append(dt)
                t_ref += dt
            t = clock()
            out = FusedScorer(names).score(net, [batch])
            t_fused = clock() - t
            bad = {n: o.status for n, o in out.items() if o.status != "ok"}
            if bad:
                raise SystemExit(f"fused scoring failed: {bad}")
            for n, v in ref_values.items():
                rel = abs(out[n].value - v) / max(abs(v), 1e-12)
                worst = max(worst, rel)
                if rel > 1e-3:
                    raise SystemExit(f"reference {n} = {v!r} but fused = {out[n].value!r} on {a}")
            sep_total.append(t_sep)
            fused_total.append(t_fused)
            ratio.append(t_fused / t_sep)
            line = f"rep {rep} {a[:40]}…  separate {t_sep:6.2f}s  fused {t_fused:6.2f}s  ratio {t_fused / t_sep:.3f}"
            if len(ref_alone) == len(names):
                ref_total.append(t_ref)
                ref_ratio.append(t_fused / t_ref)
                line += f"  reference {t_ref:6.2f}s  ratio {t_fused / t_ref:.3f}"
            print(line, flush=True)
    med = statistics.median
    print(f"\nNB201 C=16 N=5, batch {args.batch_size}×3×32×32, {args.threads} thread(s), "
          f"{args.archs} archs × {args.repeats} reps (medians), {args.clock} clock")
    print(f"{'proxy':18s} {'s/arch alone':>12s} {'reference':>10s}")
    for n in names:
        ref = f"{med(ref_alone[n]):10.3f}" if n in ref_alone else f"{'-':>10s}"
        print(f"{n:18s} {med(alone[n]):12.3f} {ref}")
    print(f"{'sum of separate':18s} {med(sep_total):12.3f} {med(ref_total) if ref_total else float('nan'):10.3f}")
    print(f"{'fused':18s} {med(fused_total):12.3f}")
    print(f"{'plain fwd+bwd':18s} {med(plain):12.3f}")
    print(f"ratio fused / sum-of-separate (naslens passes): median {med(ratio):.3f} "
          f"(min {min(ratio):.3f}, max {max(ratio):.3f})")
    if ref_ratio:
        print(f"ratio fused / sum-of-separate (reference procedures): median {med(ref_ratio):.3f} "
              f"(min {min(ref_ratio):.3f}, max {max(ref_ratio):.3f}); largest relative difference of a reference "
              f"value from the fused one: {worst:.2e}")
    eq = [f / p for f, p in zip(fused_total, plain, strict=True)]
    print(f"fused cost in plain forward+backward passes: median {med(eq):.2f}")
    print(f"distinct passes in the fused set: {FusedScorer(names).n_passes()} ({FusedScorer(names).describe()})")


if __name__ == "__main__":
    main()
