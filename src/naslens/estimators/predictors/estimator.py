"""A fitted predictor as an :class:`~naslens.estimators.base.Estimator`: it scores architectures like any proxy or
supernet, and its scores are stored in a :class:`~naslens.store.ScoreStore` next to theirs.

What the predictor learned from is part of what it *is*: its configuration holds the predictor's name and
hyperparameters, the training set (sha256 of the sorted training keys and its size), the target it was fitted on
(ground-truth provenance, or the stored estimator of a one-shot oracle) and its seed.

Store layout (what ``naslens evaluate --store`` reads): one stored estimator name per (predictor, training size,
loss, training set), e.g. ``mlp@n78-ranking-set0`` or ``random_forest@n78-set1`` (tree predictors have no loss);
the predictor's seed goes in the store's ``seed`` column, so the seeds of one name share one stored configuration
(:meth:`PredictorEstimator.store_config` leaves the seed out, as the one-shot estimators do) and ``evaluate`` shows
them as ``mlp@n78-ranking-set0#seed20``. The evaluation layer reads ``<estimator>@<rest>`` as the registered name
plus a qualifier, so every result of a predictor groups under its registered name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from naslens.estimators.predictors.base import Predictor, PredictorError
from naslens.store import ScoreStore
from naslens.types import EstimatorInfo, Scores, config_hash, status_of

__all__ = ["NO_LOSS", "PredictorEstimator", "stored_name", "train_set_hash"]

NO_LOSS = "none"
"""The loss recorded for a predictor without one (``tree`` predictors). Not ``n/a``: pandas reads that as a
missing value, and a group-by on the loss would then drop every tree predictor's rows."""


def train_set_hash(keys: Sequence[str]) -> str:
    """sha256 (hex) of the sorted training keys, one per line: the identity of a training set.

    Example:
        >>> train_set_hash(["b", "a"]) == train_set_hash(["a", "b"])
        True
    """
    return hashlib.sha256("\n".join(sorted(str(k) for k in keys)).encode()).hexdigest()


def stored_name(predictor: str, train_size: int, loss: str, train_set: int, *, oracle: bool = False) -> str:
    """The store's estimator name of one (predictor, training size, loss, training set).

    Example:
        >>> stored_name("mlp", 78, "ranking", 0), stored_name("random_forest", 78, "none", 2)
        ('mlp@n78-ranking-set0', 'random_forest@n78-set2')
        >>> stored_name("mlp", 78, "ranking", 0, oracle=True)
        'mlp@n78-ranking-set0-oracle'
    """
    loss_part = "" if loss == NO_LOSS else f"-{loss}"
    return f"{predictor}@n{int(train_size)}{loss_part}-set{int(train_set)}" + ("-oracle" if oracle else "")


def _jsonable(value: Any) -> Any:
    """Hyperparameter values as JSON (a space object by its name, numpy scalars as Python numbers)."""
    info = getattr(value, "info", None)
    if info is not None and hasattr(info, "name"):
        return str(info.name)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


class PredictorEstimator:
    """Adapter: a predictor fitted on ``train_keys`` that scores architectures as an estimator (family ``predictor``).

    The configuration is known before fitting (so a resumed run can tell what it has done); scoring needs the
    predictor fitted.

    Args:
        predictor: a :class:`~naslens.estimators.predictors.base.Predictor` (fitted before scoring).
        train_keys: the keys of the architectures it was fitted on.
        target: what it was fitted on: ground-truth provenance (``{"kind": "ground-truth", "name", "metric",
            "sha256"}``) or a stored estimator (``{"kind": "store", "store", "estimator", "config_hash", …}``).
        name: the stored estimator name (default: the predictor's registered name).
        train_set: index of the training set in its run (recorded in the configuration; ``None``: not recorded).

    Example:
        >>> from naslens.estimators.predictors import create_predictor
        >>> from naslens.spaces import get_space
        >>> sp = get_space("nb-macro")
        >>> archs = [sp.sample(np.random.default_rng(i)) for i in range(12)]
        >>> y = [float(sp.encode(a, "codes").sum()) for a in archs]
        >>> p = create_predictor("mlp", space="nb-macro", epochs=2, hidden=8, layers=1).fit(archs, y)
        >>> est = PredictorEstimator(p, [sp.key(a) for a in archs], {"kind": "ground-truth", "name": "demo"})
        >>> est.info.family, est.config()["train_set"]["size"], len(est.score(sp, archs[:3]).values)
        ('predictor', 12, 3)
    """

    def __init__(
        self,
        predictor: Predictor,
        train_keys: Sequence[str],
        target: Mapping[str, Any],
        *,
        name: str | None = None,
        train_set: int | None = None,
    ) -> None:
        self.predictor = predictor
        self.train_keys = sorted(str(k) for k in train_keys)
        self.target = dict(target)
        self.train_set = train_set
        pinfo = predictor.info
        self.info = EstimatorInfo(
            name=name or pinfo.name,
            family="predictor",
            higher_is_better=True,
            needs_training=True,
            precision="float32" if pinfo.kind == "neural" else "float64",
            description=f"{pinfo.description} (predictor fitted on {len(self.train_keys)} architectures)",
        )

    @property
    def seed(self) -> int | None:
        seed = getattr(self.predictor, "random_state", None)
        return None if seed is None else int(seed)

    def params(self) -> dict[str, Any]:
        """The predictor's hyperparameters (``get_params``), the space by its name, the seed left out."""
        params = {k: _jsonable(v) for k, v in self.predictor.get_params(deep=False).items()}
        params.pop("random_state", None)
        return params

    def store_config(self) -> dict[str, Any]:
        """The configuration the store keys the scores by: everything but the seed (the store's seed column)."""
        cfg: dict[str, Any] = {
            "estimator": "predictor",
            "predictor": self.predictor.info.name,
            "kind": self.predictor.info.kind,
            "params": self.params(),
            "train_set": {"sha256": train_set_hash(self.train_keys), "size": len(self.train_keys)},
            "target": self.target,
        }
        if self.train_set is not None:
            cfg["train_set"]["index"] = int(self.train_set)
        return cfg

    def config(self) -> dict[str, Any]:
        """The full configuration: :meth:`store_config` plus the seed."""
        return {**self.store_config(), "seed": self.seed}

    @property
    def config_hash(self) -> str:
        return config_hash(self.config())

    def score(self, space: Any, archs: Sequence[Any]) -> Scores:
        """The predictions for ``archs`` (``nan``/``inf`` predictions keep that status; nothing is dropped)."""
        sp_name = getattr(getattr(space, "info", None), "name", space)
        own = _jsonable(self.predictor.space)
        if own != sp_name:
            raise PredictorError(f"this predictor was fitted on space {own!r}, not {sp_name!r}")
        values = self.predictor.predict(list(archs))
        keys = [space.key(a) if not isinstance(a, str) else a for a in archs]
        return Scores(self.info, self.config(), keys, values, [status_of(float(v)) for v in values])

    def store(self, store: ScoreStore, space: str, keys: Sequence[str], values: np.ndarray) -> None:
        """Append predictions (aligned with ``keys``) to ``store`` in one transaction, under :meth:`store_config`
        and the seed (``-1`` for a predictor without one)."""
        values = np.asarray(values, dtype=np.float64)
        rows = [(str(k), float(v), status_of(float(v)), None) for k, v in zip(keys, values, strict=True)]
        seed = -1 if self.seed is None else self.seed
        store.put_many(space, rows, self.info, self.store_config(), seed=seed)
