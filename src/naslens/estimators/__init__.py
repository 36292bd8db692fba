"""Estimators: structural baselines, zero-shot proxies, one-shot supernets, ensembles.

The built-in estimators register themselves when first needed (:func:`create_estimator`,
:func:`list_estimators`, :func:`load_builtin_estimators`); importing this package loads no torch.
"""

from naslens.estimators.base import (
    ESTIMATORS,
    Estimator,
    EstimatorInfo,
    Scores,
    config_hash,
    create_estimator,
    list_estimators,
    load_builtin_estimators,
)

__all__ = [
    "ESTIMATORS",
    "Estimator",
    "EstimatorInfo",
    "Scores",
    "config_hash",
    "create_estimator",
    "list_estimators",
    "load_builtin_estimators",
]
