"""Standalone training of one architecture with a :class:`~naslens.benchmarks.recipe.Recipe`.

``train_architecture(arch, recipe, seed)`` builds the space's network, trains it with SGD on the recipe's data
split and reports train loss and accuracy, validation and test accuracy per epoch. For a given seed the run is
deterministic on CPU (initialisation and batch order come from the seed; the data split from ``recipe.data_seed``).
A CUDA device is used when one is present unless ``device`` says otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import torch
from torch import nn

from naslens.benchmarks.recipe import Recipe
from naslens.data.fashion_mnist import ImageSplits, load_fashion_mnist
from naslens.spaces import SearchSpace, get_space


class TrainingError(RuntimeError):
    """Training could not run (bad data, a network that does not fit the input, …)."""


@dataclass(frozen=True)
class EpochRecord:
    """Metrics after one epoch; accuracies in %, ``None`` where the epoch was not evaluated."""

    epoch: int
    lr: float
    train_loss: float
    train_acc: float
    val_acc: float | None
    test_acc: float | None
    seconds: float


@dataclass(frozen=True)
class TrainResult:
    """One finished (architecture, seed) training run.

    ``seconds`` is wall-clock time, ``cpu_seconds`` the process's CPU time (for the cost of a recipe on a busy
    machine). ``status`` is ``"ok"`` or ``"diverged"`` (the loss became NaN/inf; training stopped there and the
    network was evaluated as it was, typically at chance level — a real, recorded outcome, not a dropped one).
    """

    arch: str
    seed: int
    recipe: str
    status: str
    val_acc: float | None
    test_acc: float
    train_loss: float
    params: int
    seconds: float
    device: str
    history: tuple[EpochRecord, ...]
    cpu_seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["history"] = [asdict(h) for h in self.history]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainResult:
        hist = tuple(EpochRecord(**h) for h in d["history"])
        return cls(**{**d, "history": hist})


def default_device() -> torch.device:
    """CUDA when available, else CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@lru_cache(maxsize=4)
def _cached_data(
    dataset: str, n_train: int | None, n_val: int, n_test: int | None, seed: int, size: int, channels: int
) -> ImageSplits:
    if dataset != "fashion-mnist":
        raise TrainingError(f"no loader for dataset {dataset!r}")
    return load_fashion_mnist(
        n_train=n_train, n_val=n_val, n_test=n_test, seed=seed, size=size, channels=channels, normalize=True
    )


def recipe_data(recipe: Recipe) -> ImageSplits:
    """The recipe's data split (cached per process, so a worker reads the files once)."""
    r = recipe
    return _cached_data(r.dataset, r.n_train, r.n_val, r.n_test, r.data_seed, r.input_size, r.channels)


@torch.no_grad()
def evaluate_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Top-1 accuracy (%) of ``model`` in eval mode on ``(x, y)`` (already on the model's device)."""
    if len(y) == 0:
        raise TrainingError("cannot evaluate on an empty split")
    was_training = model.training
    model.eval()
    correct = 0
    for i in range(0, len(y), batch_size):
        correct += int((model(x[i : i + batch_size]).argmax(1) == y[i : i + batch_size]).sum())
    model.train(was_training)
    return 100.0 * correct / len(y)


def _lr_at(recipe: Recipe, epoch: int, step: int, steps_per_epoch: int) -> float:
    if recipe.schedule == "cosine":
        t = (epoch * steps_per_epoch + step) / (recipe.epochs * steps_per_epoch)
        return recipe.lr * 0.5 * (1.0 + math.cos(math.pi * t))
    drops = sum(1 for e in recipe.step_epochs if epoch >= e)
    return recipe.lr * recipe.step_gamma**drops


def train_architecture(
    arch: Any,
    recipe: Recipe,
    seed: int,
    *,
    space: str | SearchSpace = "nb201",
    data: ImageSplits | None = None,
    device: str | torch.device | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> TrainResult:
    """Train ``arch`` from scratch with ``recipe`` and training seed ``seed``.

    Args:
        arch: an architecture of ``space`` or any encoding ``space.parse`` accepts (e.g. the benchmark string).
        recipe: network size, data split, optimiser and schedule.
        seed: training seed (initialisation and batch order).
        space: a registered space name or a space object.
        data: the splits to use (default: the recipe's Fashion-MNIST split, cached per process).
        device: where to train (default: CUDA if present, else CPU).
        on_epoch: called with each epoch's :class:`EpochRecord` (progress display).

    Returns:
        The run's final validation/test accuracy (%), last-epoch train loss, parameter count and per-epoch history.

    Example:
        >>> r = train_architecture("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|",
        ...                        Recipe(C=8, N=1, input_size=16, n_train=2000, n_val=500, epochs=2), seed=0)
        ...                                                                            # doctest: +SKIP
        >>> r.test_acc > 10                                                            # doctest: +SKIP
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TrainingError(f"seed must be a non-negative integer, got {seed!r}")
    sp = get_space(space) if isinstance(space, str) else space
    a = sp.parse(str(arch)) if isinstance(arch, (str, int)) else arch
    key = sp.key(a)
    splits = recipe_data(recipe) if data is None else data
    if len(splits.train_y) < 2:
        raise TrainingError("need at least 2 training images")
    dev = torch.device(device) if device is not None else default_device()

    torch.manual_seed(seed)
    model = sp.build(a, **recipe.net_config(splits.num_classes, sp)).to(dev)
    params = sum(p.numel() for p in model.parameters())
    xs = [t.to(dev) for t in (splits.train_x, splits.val_x, splits.test_x)]
    ys = [t.to(dev) for t in (splits.train_y, splits.val_y, splits.test_y)]
    train_x, val_x, test_x = xs
    train_y, val_y, test_y = ys
    if train_x.shape[1] != recipe.channels:
        raise TrainingError(f"data has {train_x.shape[1]} channels, recipe expects {recipe.channels}")
    opt = torch.optim.SGD(
        model.parameters(),
        lr=recipe.lr,
        momentum=recipe.momentum,
        weight_decay=recipe.weight_decay,
        nesterov=recipe.nesterov,
    )
    loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    gen = torch.Generator().manual_seed(seed)
    n = len(train_y)
    bs = min(recipe.batch_size, n)
    steps = n // bs + (1 if n % bs >= 2 else 0)
    history: list[EpochRecord] = []
    status = "ok"
    t_start, cpu_start = time.perf_counter(), time.process_time()
    model.train()
    for epoch in range(recipe.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen).to(dev)
        tot_loss = torch.zeros((), device=dev)
        tot_correct = torch.zeros((), device=dev, dtype=torch.long)
        seen = 0
        lr = recipe.lr
        for step in range(steps):
            idx = perm[step * bs : (step + 1) * bs]
            lr = _lr_at(recipe, epoch, step, steps)
            for g in opt.param_groups:
                g["lr"] = lr
            out = model(train_x[idx])
            loss = loss_fn(out, train_y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if recipe.grad_clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
            opt.step()
            tot_loss += loss.detach() * len(idx)
            tot_correct += (out.detach().argmax(1) == train_y[idx]).sum()
            seen += len(idx)
        train_loss = float(tot_loss) / seen
        last = epoch == recipe.epochs - 1
        if not math.isfinite(train_loss):
            status, last = "diverged", True
        evaluate = last or (recipe.eval_every > 0 and (epoch + 1) % recipe.eval_every == 0)
        val_acc = evaluate_accuracy(model, val_x, val_y, recipe.eval_batch_size) if evaluate and len(val_y) else None
        test_acc = evaluate_accuracy(model, test_x, test_y, recipe.eval_batch_size) if evaluate else None
        rec = EpochRecord(
            epoch=epoch + 1,
            lr=lr,
            train_loss=train_loss,
            train_acc=100.0 * int(tot_correct) / seen,
            val_acc=val_acc,
            test_acc=test_acc,
            seconds=time.perf_counter() - t0,
        )
        history.append(rec)
        if on_epoch is not None:
            on_epoch(rec)
        if status == "diverged":
            break
    final = history[-1]
    assert final.test_acc is not None  # the last epoch is always evaluated
    return TrainResult(
        arch=key,
        seed=seed,
        recipe=recipe.fingerprint,
        status=status,
        val_acc=final.val_acc,
        test_acc=final.test_acc,
        train_loss=final.train_loss,
        params=params,
        seconds=time.perf_counter() - t_start,
        device=str(dev),
        history=tuple(history),
        cpu_seconds=time.process_time() - cpu_start,
    )
