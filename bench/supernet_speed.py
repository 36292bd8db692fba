"""Training-step time of a space's supernet on a sampled path vs. the standalone network of the same architecture.

Both networks get the same batch in one process; one step = forward, cross-entropy, backward, gradient-norm clip,
SGD step (momentum, weight decay) — for the supernet the trainer's own ``train_step`` (path sampling excluded).
Steps of the two networks alternate so that machine noise hits both alike; the median over ``--steps`` steps is
reported per architecture, plus the geometric mean of the ratios. On CPU the clock is this process's CPU time
(``time.process_time``, robust to other jobs sharing the cores; use ``--threads 1``), on CUDA the wall time between
synchronisations. Supernet and standalone network come from the space (``space.supernet`` / ``space.build`` with
the same settings, e.g. NB201 cell BN without affine parameters). The NB201 standalone network runs every op,
``none`` and dead paths included, while the supernet skips them, so the ratio can fall below 1 for architectures
with such edges. The first architecture is the space's largest (most parameters: NB201's all-conv3×3 cell, every edge
live; NAS-Bench-Macro's all-ir_5x5_t6 chain) and shows the supernet's pure overhead. Target: ratio ≤ 1.1.

Usage::

    python bench/supernet_speed.py                       # nb201 C=16, N=5, 28×28×1, batch 128, 8 archs, CPU 1 thread
    python bench/supernet_speed.py --net C=16 --net N=5 --size 32 --channels 3 --batch 256 --device cuda
    python bench/supernet_speed.py --space nb-macro --net init_channels=16 --net head_channels=256 --channels 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from naslens.estimators.oneshot.supernet_module import build_supernet
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, parse_net_items
from naslens.estimators.oneshot.trainer import train_step


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _standalone_step(
    model: torch.nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, clip: float
) -> None:
    """What the trainer does for one path, written for the standalone network."""
    opt.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.grad is not None], clip)
    opt.step()


def measure(
    arch: Any, config: SupernetTrainConfig, args: argparse.Namespace, device: torch.device
) -> tuple[float, float]:
    """Median step seconds of (supernet path, standalone network) for ``arch``."""
    torch.manual_seed(0)
    supernet = build_supernet(config)
    supernet.to(device)
    standalone = config.search_space().build(arch, **config.network()).to(device)
    opts = [torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4) for m in (supernet, standalone)]
    x = torch.randn(args.batch, args.channels, args.size, args.size, device=device)
    y = torch.randint(0, 10, (args.batch,), device=device)
    clock = time.perf_counter if device.type == "cuda" else time.process_time
    steps = (
        lambda: train_step(supernet, [arch], x, y, opts[0], config),
        lambda: _standalone_step(standalone, opts[1], x, y, config.grad_clip),
    )
    times: list[list[float]] = [[], []]
    for i in range(args.warmup + args.steps):
        for k, step in enumerate(steps):
            _sync(device)
            t0 = clock()
            step()
            _sync(device)
            if i >= args.warmup:
                times[k].append(clock() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--space", default="nb201")
    p.add_argument("--net", action="append", default=[], help="network setting KEY=VALUE (repeatable)")
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--archs", type=int, default=8, help="random architectures besides the all-conv3x3 cell")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="auto")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device)
    rng = np.random.default_rng(args.seed)
    config = SupernetTrainConfig(
        space=args.space, net=parse_net_items(args.net), channels=args.channels, input_size=args.size, dropout=0.0
    )
    space = config.search_space()
    largest = space.enumerate()[int(np.argmax(space.complexity(None, **config.data_net())["params"].to_numpy()))]
    archs = [largest] + [space.sample(rng) for _ in range(args.archs)]
    print(
        f"device {device}, threads {torch.get_num_threads()}, torch {torch.__version__}; {space.name} {config.net} "
        f"input {args.channels}x{args.size}x{args.size}, batch {args.batch}, median of {args.steps} steps "
        f"({'wall' if device.type == 'cuda' else 'process CPU'} time)"
    )
    print(f"{'architecture':<100} {'supernet ms':>11} {'standalone ms':>13} {'ratio':>6}")
    ratios = []
    for arch in archs:
        sup, std = measure(arch, config, args, device)
        ratios.append(sup / std)
        print(f"{space.key(arch):<100} {1e3 * sup:11.1f} {1e3 * std:13.1f} {sup / std:6.3f}")
    print(
        f"largest-architecture ratio {ratios[0]:.3f}; geometric mean over {len(ratios)} archs "
        f"{float(np.exp(np.mean(np.log(ratios)))):.3f}; max {max(ratios):.3f} (target ≤ 1.1)"
    )


if __name__ == "__main__":
    main()
