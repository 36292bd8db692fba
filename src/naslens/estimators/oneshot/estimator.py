"""The registered one-shot estimators ``oneshot_acc`` and ``oneshot_loss``: score architectures of any space with a
trained supernet checkpoint (see :mod:`naslens.estimators.oneshot.scoring` for the definition of the scores)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from naslens.estimators.base import REQUIRED, Scores, register_estimator
from naslens.estimators.oneshot.checkpoint import load_checkpoint
from naslens.estimators.oneshot.score_checkpoints import store_config
from naslens.estimators.oneshot.scoring import ScoreConfig, metric_info, score_paths
from naslens.estimators.oneshot.train_config import SupernetTrainConfig
from naslens.estimators.oneshot.trainer import build_supernet, load_data, resolve_device


class OneShotEstimator:
    """Accuracy or loss of each architecture's path in a trained supernet.

    Args:
        checkpoint: a supernet checkpoint written by ``train_supernet`` (``epoch-XXXX.pt`` or ``last.pt``).
        metric: ``acc`` or ``loss``.
        n_batches, batch_size, bn_mode, calib_batches: see :class:`~naslens.estimators.oneshot.scoring.ScoreConfig`.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Raises:
        ValueError: no checkpoint given.
    """

    def __init__(
        self,
        checkpoint: str | Path | None = None,
        metric: str = "acc",
        *,
        n_batches: int = 5,
        batch_size: int = 256,
        bn_mode: str = "train",
        calib_batches: int = 4,
        device: str = "auto",
    ) -> None:
        if checkpoint is None:
            raise ValueError(
                f"oneshot_{metric} needs checkpoint=<supernet .pt file> (train one with 'naslens oneshot train')"
            )
        self.checkpoint = Path(checkpoint)
        self.metric = metric
        self.score_config = ScoreConfig(
            n_batches=n_batches, batch_size=batch_size, bn_mode=bn_mode, calib_batches=calib_batches
        )
        self.info = metric_info(metric, self.score_config)
        self.device = device
        self._ck = load_checkpoint(self.checkpoint)
        self.train_config = SupernetTrainConfig.from_dict(self._ck["config"])

    def config(self) -> dict[str, Any]:
        return {
            **store_config(self.train_config, self.score_config, self.metric, 1),
            "seed": self.train_config.seed,
            "epoch": int(self._ck["epoch"]),
        }

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        """Scores of ``archs`` (architectures of the space the supernet was trained on).

        Raises:
            ValueError: ``space`` is not the supernet's space, or an architecture uses a choice it does not hold.
        """
        name = getattr(space, "name", space)
        if name != self.train_config.space:
            raise ValueError(f"{self.checkpoint} is a supernet of space {self.train_config.space!r}, not {name!r}")
        model = build_supernet(self.train_config)
        model.load_state_dict(self._ck["model"])
        model.to(resolve_device(self.device))
        data = load_data(self.train_config)
        acc, loss, secs = score_paths(model, archs, data.val_x, data.val_y, self.score_config, calib_x=data.train_x)
        scores = Scores.from_values(
            self.info, self.config(), [space.key(a) for a in archs], acc if self.metric == "acc" else loss
        )
        scores.seconds = secs
        return scores


_SCHEMA = {"checkpoint": REQUIRED, "bn_mode": "train", "calib_batches": 4}
"""Options of the one-shot estimators (``checkpoint`` has no default); ``batch_size`` (256) and ``n_batches`` (5)
come with the run settings."""
_CONTEXT = ("device", "batch_size", "n_batches")


@register_estimator(
    "oneshot_acc", info=metric_info("acc", ScoreConfig()), schema=_SCHEMA, context=_CONTEXT, needs_supernet=True
)
def oneshot_acc(checkpoint: str | Path | None = None, **options: Any) -> OneShotEstimator:
    return OneShotEstimator(checkpoint, "acc", **options)


@register_estimator(
    "oneshot_loss", info=metric_info("loss", ScoreConfig()), schema=_SCHEMA, context=_CONTEXT, needs_supernet=True
)
def oneshot_loss(checkpoint: str | Path | None = None, **options: Any) -> OneShotEstimator:
    return OneShotEstimator(checkpoint, "loss", **options)
