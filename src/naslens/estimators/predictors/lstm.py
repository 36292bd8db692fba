"""``lstm``: an LSTM over the sequence of per-position choices (``space.encode(arch, "codes")``, one token per
position, in ``space.info.positions`` order: the edges of an NB201 cell, the layers of NAS-Bench-Macro).

Tokens. Each position's choice is embedded by its *label* (``space.info.choices[p][code]``): the vocabulary is the
set of distinct labels over all positions, in order of first appearance, so that one operation has one embedding
wherever it sits (``nor_conv_3x3`` on edge ``0->1`` and on ``2->3``). Where it sits is a learned *position
embedding* added to the label embedding. Both come from ``space.info`` alone, so the model runs unchanged on any
space (NB201: 6 positions x 5 labels; NAS-Bench-Macro: 8 positions x 3 labels).

Model: embedding (``embedding`` = 48) → one ``nn.LSTM`` layer (``hidden`` = 100) → the last hidden state (or the
mean over positions with ``readout="mean"``) → a linear layer to one score. Trained by
:class:`~naslens.estimators.predictors.training.NeuralPredictor` (ranking loss by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from naslens.estimators.predictors.base import PredictorError, PredictorInfo, register_predictor
from naslens.estimators.predictors.training import NeuralPredictor

READOUTS = ("last", "mean")
"""How the LSTM's per-position outputs become one vector: the last hidden state or their mean."""


def label_vocabulary(space: Any) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct choice labels of ``space.info`` (order of first appearance) and the ``(positions, max
    cardinality)`` table mapping ``(position, code)`` to a label index (``-1`` where a position has fewer choices).

    Example:
        >>> from naslens.spaces import get_space
        >>> labels, table = label_vocabulary(get_space("nb-macro"))
        >>> labels, table.shape
        (('id', 'ir_3x3_t3', 'ir_5x5_t6'), (8, 3))
    """
    choices = space.info.choices
    labels: dict[str, int] = {}
    table = np.full((len(choices), max(len(c) for c in choices)), -1, dtype=np.int64)
    for p, options in enumerate(choices):
        for code, label in enumerate(options):
            table[p, code] = labels.setdefault(str(label), len(labels))
    return tuple(labels), table


class _LSTMScorer(nn.Module):
    def __init__(self, n_labels: int, n_positions: int, embedding: int, hidden: int, readout: str) -> None:
        super().__init__()
        self.label = nn.Embedding(n_labels, embedding)
        self.position = nn.Embedding(n_positions, embedding)
        self.lstm = nn.LSTM(embedding, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        self.readout = readout

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.label(tokens) + self.position(positions)[None]
        out, (h, _) = self.lstm(x)
        z = h[-1] if self.readout == "last" else out.mean(dim=1)
        return self.head(z).reshape(-1)  # type: ignore[no-any-return]


@register_predictor(PredictorInfo("lstm", "neural", "codes", "LSTM over the per-position op sequence"))
class LSTMPredictor(NeuralPredictor):
    """LSTM on the per-position choice sequence (label embedding + learned position embedding, see the module).

    Args:
        space: registered space name or space object.
        embedding: width of the label and position embeddings (48).
        hidden: LSTM hidden size (100).
        readout: ``last`` (the final hidden state, default) or ``mean`` (mean of the outputs over positions).
        loss, margin, epochs, batch_size, lr, weight_decay, max_pairs_factor: training, see
            :mod:`naslens.estimators.predictors.training` (defaults :data:`~.training.NEURAL_DEFAULTS`).
        random_state: seeds initialisation, batch order and pairs.

    Example:
        >>> from naslens.spaces import get_space
        >>> space = get_space("nb-macro")
        >>> archs = [space.sample(np.random.default_rng(i)) for i in range(16)]
        >>> y = [float(space.encode(a, "codes").sum()) for a in archs]
        >>> LSTMPredictor(space="nb-macro", epochs=5).fit(archs, y).predict(archs[:2]).shape
        (2,)
    """

    def __init__(
        self,
        space: Any = "nb201",
        embedding: int = 48,
        hidden: int = 100,
        readout: str = "last",
        loss: str = "ranking",
        margin: float = 0.1,
        epochs: int = 200,
        batch_size: int = 512,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        max_pairs_factor: int = 4,
        random_state: int | None = 0,
    ) -> None:
        self.space = space
        self.embedding = embedding
        self.hidden = hidden
        self.readout = readout
        self._store_training(loss, margin, epochs, batch_size, lr, weight_decay, max_pairs_factor, random_state)

    def _inputs(self, space: Any, archs: Sequence[Any]) -> tuple[torch.Tensor, ...]:
        _, table = label_vocabulary(space)
        codes = np.stack([np.asarray(space.encode(a, "codes"), dtype=np.int64).reshape(-1) for a in archs])
        if codes.shape[1] != table.shape[0]:
            raise PredictorError(f"codes have {codes.shape[1]} positions, the space declares {table.shape[0]}")
        tokens = table[np.arange(table.shape[0])[None, :], codes]
        return (torch.from_numpy(tokens),)

    def _module(self, space: Any) -> nn.Module:
        if self.readout not in READOUTS:
            raise PredictorError(f"unknown readout {self.readout!r}; choose one of {', '.join(READOUTS)}")
        for name in ("embedding", "hidden"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise PredictorError(f"{name} must be a positive integer, got {value!r}")
        labels, table = label_vocabulary(space)
        return _LSTMScorer(len(labels), table.shape[0], int(self.embedding), int(self.hidden), self.readout)
