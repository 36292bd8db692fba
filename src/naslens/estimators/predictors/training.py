"""Training of the neural predictors: the losses of the field and one deterministic training loop.

Losses (``loss=``):

- ``ranking`` (default): pairwise hinge ``max(0, m - sign(y_i - y_j) (s_i - s_j))`` with margin ``m`` (0.1), the
  ranking loss of GATES and of the predictor studies;
- ``regression``: mean squared error on the standardised target (predictions are mapped back to its scale);
- ``bce``: pairwise binary cross-entropy ``BCE(σ(s_i - s_j), 1[y_i > y_j])``.

Pairs are drawn inside each mini-batch: at most ``4·n`` pairs of a batch of ``n`` architectures with different
targets (all of them when the batch has fewer). Adam, lr 1e-3, batch 512, 200 epochs by default. Everything random
(initialisation, batch order, pairs) comes from ``random_state``, so a fit is deterministic on CPU per seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from naslens.estimators.predictors.base import Predictor, PredictorError

LOSSES = ("ranking", "regression", "bce")
"""Losses a neural predictor trains with."""

NEURAL_DEFAULTS: dict[str, Any] = {
    "loss": "ranking",
    "margin": 0.1,
    "epochs": 200,
    "batch_size": 512,
    "lr": 1e-3,
    "weight_decay": 0.0,
    "max_pairs_factor": 4,
}
"""Training hyperparameters every neural predictor takes (with these defaults)."""


def draw_pairs(y: torch.Tensor, max_pairs: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Index pairs ``(i, j)`` with ``y_i != y_j``: all of them if there are at most ``max_pairs``, else a uniform
    sample of ``max_pairs`` (with replacement) of them."""
    n = y.shape[0]
    i, j = torch.triu_indices(n, n, offset=1)
    keep = y[i] != y[j]
    i, j = i[keep], j[keep]
    if i.numel() > max_pairs:
        pick = torch.randint(0, i.numel(), (max_pairs,), generator=gen)
        i, j = i[pick], j[pick]
    return i, j


def pair_loss(
    s: torch.Tensor, y: torch.Tensor, loss: str, margin: float, max_pairs: int, gen: torch.Generator
) -> torch.Tensor:
    """The loss of predictions ``s`` against targets ``y`` of one batch (see the module docstring)."""
    if loss == "regression":
        return torch.mean((s - y) ** 2)
    i, j = draw_pairs(y, max_pairs, gen)
    if i.numel() == 0:  # every target equal: nothing to rank
        return s.sum() * 0.0
    diff = s[i] - s[j]
    better = (y[i] > y[j]).to(s.dtype)
    if loss == "ranking":
        return torch.relu(margin - (2.0 * better - 1.0) * diff).mean()
    if loss == "bce":
        return nn.functional.binary_cross_entropy_with_logits(diff, better)
    raise PredictorError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")


def check_training(p: Any) -> None:
    """Refuse bad training hyperparameters with one clear message."""
    if p.loss not in LOSSES:
        raise PredictorError(f"unknown loss {p.loss!r}; choose one of {', '.join(LOSSES)}")
    for name in ("epochs", "batch_size", "max_pairs_factor"):
        value = getattr(p, name)
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise PredictorError(f"{name} must be a positive integer, got {value!r}")
    if not p.lr > 0:
        raise PredictorError(f"lr must be positive, got {p.lr!r}")
    if p.margin < 0 or p.weight_decay < 0:
        raise PredictorError("margin and weight_decay must be >= 0")


class NeuralPredictor(Predictor):
    """A predictor made of a torch module trained with :func:`pair_loss`.

    Subclasses list the hyperparameters of :data:`NEURAL_DEFAULTS` (plus ``space``, ``random_state`` and their own)
    in ``__init__`` (scikit-learn reads the signature), store their own and hand the shared ones to
    :meth:`_store_training`, and implement ``_module(space)`` (the untrained ``nn.Module``, mapping the tensors of
    ``_inputs`` to one score per architecture) and ``_inputs(space, archs)`` (a tuple of tensors whose first
    dimension is the architecture).

    Learned attributes: ``module_``, ``y_mean_``, ``y_std_`` (target standardisation) and ``loss_curve_`` (mean
    training loss per epoch).
    """

    loss: str
    margin: float
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    max_pairs_factor: int
    random_state: int | None

    def _store_training(
        self,
        loss: str,
        margin: float,
        epochs: int,
        batch_size: int,
        lr: float,
        weight_decay: float,
        max_pairs_factor: int,
        random_state: int | None,
    ) -> None:
        """Store the training hyperparameters, unchanged, from a subclass's ``__init__`` (its only logic: scikit-learn's
        ``clone`` checks that every argument is stored as itself, so arguments handed on in the wrong order fail)."""
        self.loss = loss
        self.margin = margin
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_pairs_factor = max_pairs_factor
        self.random_state = random_state

    def _module(self, space: Any) -> nn.Module:
        raise NotImplementedError

    def _inputs(self, space: Any, archs: Sequence[Any]) -> tuple[torch.Tensor, ...]:
        raise NotImplementedError

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        check_training(self)
        space = self._space()
        seed = 0 if self.random_state is None else int(self.random_state)
        self.y_mean_ = float(y.mean())
        self.y_std_ = float(y.std()) or 1.0
        target = torch.as_tensor((y - self.y_mean_) / self.y_std_, dtype=torch.float32)
        inputs = self._inputs(space, archs)
        gen = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self._module(space)
            opt = torch.optim.Adam(module.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            n = len(archs)
            curve = []
            module.train()
            for _ in range(int(self.epochs)):
                order = torch.randperm(n, generator=gen)
                total, batches = 0.0, 0
                for start in range(0, n, int(self.batch_size)):
                    idx = order[start : start + int(self.batch_size)]
                    if idx.numel() < 2 and self.loss != "regression":
                        continue
                    s = module(*(t[idx] for t in inputs)).reshape(-1)
                    max_pairs = int(self.max_pairs_factor) * idx.numel()
                    value = pair_loss(s, target[idx], self.loss, float(self.margin), max_pairs, gen)
                    opt.zero_grad()
                    value.backward()
                    opt.step()
                    total += float(value.detach())
                    batches += 1
                curve.append(total / max(batches, 1))
        module.eval()
        self.module_ = module
        self.loss_curve_ = curve

    def _predict(self, archs: list[Any]) -> np.ndarray:
        inputs = self._inputs(self._space(), archs)
        outs = []
        with torch.no_grad():
            for start in range(0, len(archs), 4096):
                outs.append(self.module_(*(t[start : start + 4096] for t in inputs)).reshape(-1))
        s = torch.cat(outs).double().numpy()
        return s * self.y_std_ + self.y_mean_ if self.loss == "regression" else s
