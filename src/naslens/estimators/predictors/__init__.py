"""Predictors: models fitted on a few measured architectures that score the rest of a space.

Scikit-learn conventions (see :mod:`naslens.estimators.predictors.base`); built-ins register themselves when
first listed or created (:func:`create_predictor`, :func:`list_predictors`).
"""

from naslens.estimators.predictors.base import (
    PREDICTORS,
    Predictor,
    PredictorError,
    PredictorInfo,
    create_predictor,
    list_predictors,
    predictor_info,
    register_predictor,
)

__all__ = [
    "PREDICTORS",
    "Predictor",
    "PredictorError",
    "PredictorInfo",
    "create_predictor",
    "list_predictors",
    "predictor_info",
    "register_predictor",
]
