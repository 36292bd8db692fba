"""Training-step time of the NB201 supernet on a sampled path vs. the standalone network of the same architecture.

Both networks get the same batch in one process; one step = forward, cross-entropy, backward, gradient-norm clip,
SGD step (momentum, weight decay) — for the supernet the trainer's own ``train_step`` (path sampling excluded).
Steps of the two networks alternate so that machine noise hits both alike; the median over ``--steps`` steps is
reported per architecture, plus the geometric mean of the ratios. On CPU the clock is this process's CPU time
(``time.process_time``, robust to other jobs sharing the cores; use ``--threads 1``), on CUDA the wall time between
synchronisations. The standalone network is ``build(arch, bn_affine=False)`` (cell BN configured as the
supernet's); it runs every op, ``none`` and dead paths included, while the supernet skips them, so the ratio can
fall below 1 for architectures with such edges. The all-conv3×3 cell (every edge live) shows the supernet's pure
overhead. Target: ratio ≤ 1.1.

Usage::

    python bench/supernet_speed.py                       # C=16, N=5, 28×28×1, batch 128, 8 archs, CPU 1 thread
    python bench/supernet_speed.py --C 16 --N 5 --size 32 --channels 3 --batch 256 --device cuda
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from naslens.estimators.oneshot.train_config import SupernetTrainConfig
from naslens.estimators.oneshot.trainer import train_step
from naslens.spaces import get_space
from naslens.spaces.nb201 import NB201Arch
from naslens.spaces.nb201.supernet import NB201Supernet


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


def measure(arch: NB201Arch, args: argparse.Namespace, device: torch.device) -> tuple[float, float]:
    """Median step seconds of (supernet path, standalone network) for ``arch``."""
    space = get_space("nb201")
    torch.manual_seed(0)
    supernet = NB201Supernet(C=args.C, N=args.N, in_channels=args.channels, dropout=0.0).to(device)
    standalone = space.build(arch, C=args.C, N=args.N, in_channels=args.channels, bn_affine=False).to(device)
    opts = [torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4) for m in (supernet, standalone)]
    x = torch.randn(args.batch, args.channels, args.size, args.size, device=device)
    y = torch.randint(0, 10, (args.batch,), device=device)
    clock = time.perf_counter if device.type == "cuda" else time.process_time
    config = SupernetTrainConfig(C=args.C, N=args.N, channels=args.channels, dropout=0.0)
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
    p.add_argument("--C", type=int, default=16)
    p.add_argument("--N", type=int, default=5)
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
    space = get_space("nb201")
    archs = [NB201Arch(("nor_conv_3x3",) * 6)] + [space.sample(rng) for _ in range(args.archs)]
    print(
        f"device {device}, threads {torch.get_num_threads()}, torch {torch.__version__}; C={args.C} N={args.N} "
        f"input {args.channels}x{args.size}x{args.size}, batch {args.batch}, median of {args.steps} steps "
        f"({'wall' if device.type == 'cuda' else 'process CPU'} time)"
    )
    print(f"{'architecture':<100} {'supernet ms':>11} {'standalone ms':>13} {'ratio':>6}")
    ratios = []
    for arch in archs:
        sup, std = measure(arch, args, device)
        ratios.append(sup / std)
        print(f"{arch.to_string():<100} {1e3 * sup:11.1f} {1e3 * std:13.1f} {sup / std:6.3f}")
    print(
        f"all-conv3x3 ratio {ratios[0]:.3f}; geometric mean over {len(ratios)} archs "
        f"{float(np.exp(np.mean(np.log(ratios)))):.3f}; max {max(ratios):.3f} (target ≤ 1.1)"
    )


if __name__ == "__main__":
    main()
