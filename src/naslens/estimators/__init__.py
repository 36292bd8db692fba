"""Estimators: structural baselines, zero-shot proxies, one-shot supernets, predictors, ensembles."""

from naslens.estimators import (
    oneshot,  # noqa: F401  (registers oneshot_acc, oneshot_loss)
    structural,  # noqa: F401  (registers params, flops, flops_all_ops, relu, random)
)
from naslens.estimators.base import (
    ESTIMATORS,
    Estimator,
    EstimatorInfo,
    Scores,
    config_hash,
    create_estimator,
    list_estimators,
)

__all__ = ["ESTIMATORS", "Estimator", "EstimatorInfo", "Scores", "config_hash", "create_estimator", "list_estimators"]
