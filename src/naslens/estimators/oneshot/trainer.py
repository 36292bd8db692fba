"""Train a search space's supernet (``space.supernet``) with a path sampler; checkpoint every k epochs; resume
exactly.

One step: the sampler gives the step's architectures; each runs forward/backward on the same batch; gradients
are averaged (per parameter over the architectures that used it, or by their number); the global gradient norm
is clipped; SGD (momentum, weight decay) steps. Parameters no sampled path used get no update at all (their
gradient is ``None``). The learning rate follows ReduceLROnPlateau on the epoch's mean training loss, or a
per-step cosine decay.

Determinism: the batch order of epoch ``e`` comes from a generator seeded by ``(seed, e)``, the architectures
from a numpy generator whose state is checkpointed, dropout from torch's global RNG (checkpointed too), so a run
resumed from ``last.pt`` reproduces the uninterrupted run exactly on the CPU (same thread count; tested). On CUDA,
cuDNN runs its deterministic kernels during training, but a few CUDA backward kernels (e.g. adaptive average
pooling) accumulate atomically, so resumed and uninterrupted GPU runs agree only up to floating-point noise.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from naslens.data.fashion_mnist import ImageSplits, load_fashion_mnist
from naslens.estimators.oneshot.checkpoint import LAST, epoch_file, list_checkpoints, load_checkpoint, save_checkpoint
from naslens.estimators.oneshot.instrumentation import ForgettingTracker
from naslens.estimators.oneshot.sampler_factory import make_sampler
from naslens.estimators.oneshot.samplers import Sampler
from naslens.estimators.oneshot.supernet_module import SupernetModule, build_supernet
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, TrainConfigError, finetune_label
from naslens.estimators.oneshot.train_files import append_csv, drop_rows_from, write_history

__all__ = [
    "TrainResult",
    "build_sampler",
    "build_supernet",
    "load_data",
    "resolve_device",
    "train_step",
    "train_supernet",
]


@dataclass
class TrainResult:
    """What a training call leaves: the run folder, the trained supernet and the per-epoch history."""

    run_dir: Path
    model: SupernetModule
    history: list[dict[str, Any]]


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``None``/``"auto"``: CUDA when available, else CPU."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def load_data(config: SupernetTrainConfig) -> ImageSplits:
    """The Fashion-MNIST splits the configuration names (the ground truth's train/validation split)."""
    return load_fashion_mnist(
        n_train=config.n_train,
        n_val=config.n_val,
        seed=config.data_seed,
        size=config.input_size,
        channels=config.channels,
    )


def build_sampler(config: SupernetTrainConfig) -> Sampler:
    """The configuration's sampler over its space (its ops, sub-space and ``require_conv``).

    Raises:
        SamplerError, SpaceCapabilityError: the space does not offer what the sampler needs.
    """
    space = config.search_space()
    archs = [space.parse(s) for s in config.subspace] or None
    return make_sampler(
        config.sampler,
        config.samples,
        space=space,
        ops=None if archs else config.ops,
        archs=archs,
        require_conv=config.require_conv,
        controller=config.controller or None,
    )


def _check_resumable(saved: dict[str, Any], config: SupernetTrainConfig) -> None:
    old = SupernetTrainConfig.from_dict(saved)
    a, b = {**old.identity(), "seed": old.seed}, {**config.identity(), "seed": config.seed}
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    if diff:
        changes = ", ".join(f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in diff)
        raise TrainConfigError(f"cannot resume: the run folder was trained with other settings ({changes})")


def _batches(n: int, batch_size: int, seed: int, epoch: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    perm = torch.randperm(n, generator=g)
    chunks = list(perm.split(batch_size))
    if chunks and len(chunks[-1]) < 2:
        chunks.pop()  # BatchNorm cannot normalise a single image
    return chunks


def train_step(
    model: SupernetModule,
    archs: list[Any],
    x: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    config: SupernetTrainConfig,
) -> tuple[float, float]:
    """One optimisation step over ``archs`` on one batch; returns (mean loss, mean accuracy) of the paths."""
    optimizer.zero_grad(set_to_none=True)
    counts: dict[str, int] = {}
    loss_sum = acc_sum = 0.0
    for arch in archs:
        logits = model(x, arch)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        loss_sum += float(loss.detach())
        acc_sum += float((logits.detach().argmax(1) == y).float().mean())
        for name, _ in model.path_parameters(arch):
            counts[name] = counts.get(name, 0) + 1
    params = dict(model.named_parameters())
    if len(archs) > 1:
        for name, k in counts.items():
            grad = params[name].grad
            if grad is not None:
                grad.div_(k if config.grad_averaging == "per-param" else len(archs))
    torch.nn.utils.clip_grad_norm_([p for p in params.values() if p.grad is not None], config.grad_clip)
    optimizer.step()
    return loss_sum / len(archs), acc_sum / len(archs)


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeRemainingColumn(),
        disable=not enabled,
    )


def train_supernet(
    config: SupernetTrainConfig,
    run_dir: str | Path,
    *,
    resume: bool = False,
    data: ImageSplits | None = None,
    device: str | torch.device | None = None,
    stop_after: int | None = None,
    forgetting_images: int = 0,
    progress: bool = True,
    init_from: str | Path | None = None,
) -> TrainResult:
    """Train (or continue training) a supernet into ``run_dir``.

    Args:
        config: the training configuration.
        run_dir: output folder (``config.json``, ``history.csv``, ``epoch-XXXX.pt``, ``last.pt``).
        resume: continue from ``run_dir/last.pt`` (or, when it is missing, from the latest ``epoch-XXXX.pt``, which
            holds the same full state); the checkpoint must hold the same configuration (``epochs`` may grow). A
            folder without checkpoints starts a fresh run. Without ``resume``, a folder that holds checkpoints is
            refused.
        data: preloaded splits (default: :func:`load_data`).
        device: ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"``.
        stop_after: stop after this epoch (as a kill would, e.g. to train in several sessions).
        forgetting_images: > 0 records the forgetting value of every trained architecture on this many fixed
            validation images into ``forgetting.csv`` (one extra forward per path per step).
        progress: show a progress bar.
        init_from: the checkpoint a fine-tuning run (``config.finetune_from``, which must name it) takes its
            weights from (fresh optimizer and schedule); a resumed run continues from its own ``last.pt``.

    A sampler's ``begin(n_val)`` and ``end_epoch(model, epoch, val_x, val_y, rng)`` (the ``evolutionary``
    controller) run before training and after each epoch, before its checkpoint; their columns join the history.

    Raises:
        TrainConfigError: resuming a folder trained with another configuration, an occupied folder, or a
            fine-tuning run without (or with another) ``init_from``.
    """
    run = Path(run_dir)
    dev = resolve_device(device)
    last = run / LAST
    kept = list_checkpoints(run) if run.is_dir() else []
    if not resume and (last.exists() or kept):
        raise TrainConfigError(f"{run} already holds a training run; pass resume=True (--resume) or another folder")
    # resume from last.pt, or from the latest kept epoch checkpoint when last.pt is gone (same full state)
    resume_from = last if last.exists() else (kept[-1].path if kept else None)
    data = data if data is not None else load_data(config)
    if data.train_x.shape[1] != config.channels or data.train_x.shape[-1] != config.input_size:
        raise TrainConfigError(
            f"data images are {tuple(data.train_x.shape[1:])}, the configuration expects "
            f"{config.channels} channels at {config.input_size}px"
        )
    sampler = build_sampler(config)
    begin = getattr(sampler, "begin", None)
    if begin is not None:
        begin(len(data.val_y))
    end_epoch = getattr(sampler, "end_epoch", None)
    torch.manual_seed(config.seed)
    model = build_supernet(config).to(dev)
    if not (resume and resume_from is not None):
        _init_weights(model, config, init_from)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
    )
    steps_per_epoch = len(_batches(len(data.train_y), config.batch_size, config.seed, 0))
    if steps_per_epoch == 0:
        raise TrainConfigError("the training split is too small for one batch")
    scheduler: Any
    if config.scheduler == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs * steps_per_epoch)
    else:
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=config.factor, patience=config.patience
        )
    rng = np.random.default_rng(config.seed)
    history: list[dict[str, Any]] = []
    start = 1
    if resume and resume_from is not None:
        # RNG states must stay CPU ByteTensors; load_state_dict moves model and optimizer tensors to the device
        ck = load_checkpoint(resume_from, map_location="cpu")
        _check_resumable(ck["config"], config)
        model.load_state_dict(ck["model"])
        optimizer.load_state_dict(ck["optimizer"])
        scheduler.load_state_dict(ck["scheduler"])
        rng.bit_generator.state = ck["sampler_rng"]
        sampler.load_state_dict(ck["sampler_state"])
        torch.set_rng_state(ck["torch_rng"])
        if dev.type == "cuda" and ck.get("cuda_rng") is not None:
            torch.cuda.set_rng_state_all(ck["cuda_rng"])
        history = list(ck["history"])
        start = int(ck["epoch"]) + 1
    run.mkdir(parents=True, exist_ok=True)
    (run / "config.json").write_text(
        json.dumps(
            {"config": config.to_dict(), "config_hash": config.hash, "data": data.meta, "device": str(dev)},
            indent=2,
            default=str,
        )
    )
    tracker = None
    drop_rows_from(run / "forgetting.csv", start)
    if forgetting_images > 0:
        tracker = ForgettingTracker(
            data.val_x[:forgetting_images].to(dev), data.val_y[:forgetting_images].to(dev), sampler.space
        )
    x_all, y_all = data.train_x.to(dev), data.train_y.to(dev)
    end = config.epochs if stop_after is None else min(config.epochs, stop_after)
    with _deterministic_cudnn(dev), _progress(progress) as bar:
        task = bar.add_task("supernet", total=(end - start + 1) * steps_per_epoch, info="")
        for epoch in range(start, end + 1):
            t0 = time.perf_counter()
            model.train()
            losses, accs = [], []
            for step, idx in enumerate(_batches(len(y_all), config.batch_size, config.seed, epoch)):
                idx = idx.to(dev)
                archs = sampler.step(rng)
                loss, acc = train_step(model, archs, x_all[idx], y_all[idx], optimizer, config)
                if not math.isfinite(loss):
                    raise FloatingPointError(f"training loss became {loss} at epoch {epoch}, step {step}")
                losses.append(loss)
                accs.append(acc)
                if tracker is not None:
                    tracker.after_step(model, step, archs)
                if config.scheduler == "cosine":
                    scheduler.step()
                bar.update(task, advance=1, info=f"epoch {epoch}/{config.epochs} loss {loss:.3f}")
            train_loss = float(np.mean(losses))
            if config.scheduler == "plateau":
                scheduler.step(train_loss)
            extra = end_epoch(model, epoch, data.val_x, data.val_y, rng) if end_epoch is not None else {}
            history.append(
                {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "train_acc": float(np.mean(accs)),
                    "lr": optimizer.param_groups[0]["lr"],
                    "steps": len(losses),
                    "seconds": time.perf_counter() - t0,
                    **extra,
                }
            )
            if tracker is not None:
                append_csv(run / "forgetting.csv", tracker.end_epoch(model, epoch))
            payload = {
                "epoch": epoch,
                "config": config.to_dict(),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "sampler_rng": rng.bit_generator.state,
                "sampler_state": sampler.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state_all() if dev.type == "cuda" else None,
                "history": history,
            }
            if epoch % config.checkpoint_every == 0 or epoch == config.epochs:
                save_checkpoint(epoch_file(run, epoch), payload)
            save_checkpoint(last, payload)
            write_history(run / "history.csv", history)
    return TrainResult(run, model, history)


def _init_weights(model: SupernetModule, config: SupernetTrainConfig, init_from: str | Path | None) -> None:
    """Load the weights a fine-tuning run starts from (``config.finetune_from`` names the checkpoint)."""
    if not config.finetune_from:
        if init_from is not None:
            raise TrainConfigError("init_from is for fine-tuning runs: set finetune_from in the configuration")
        return
    if init_from is None:
        raise TrainConfigError(f"a fine-tuning run needs the checkpoint it starts from ({config.finetune_from})")
    ck = load_checkpoint(init_from, map_location="cpu")
    label = finetune_label(ck)
    if label != config.finetune_from:
        raise TrainConfigError(
            f"{init_from} is checkpoint {label}, the configuration fine-tunes {config.finetune_from}"
        )
    model.load_state_dict(ck["model"])


@contextlib.contextmanager
def _deterministic_cudnn(dev: torch.device) -> Iterator[None]:
    """On CUDA, deterministic cuDNN kernels (no autotuning) while training; the flags are restored afterwards."""
    if dev.type != "cuda":
        yield
        return
    flags = (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    try:
        yield
    finally:
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = flags
