"""Predictors: models fitted on a few measured architectures that score the rest of a space.

Scikit-learn conventions (see :mod:`naslens.estimators.predictors.base`); built-ins register themselves when
first listed or created (:func:`create_predictor`, :func:`list_predictors`).

The public contract a predictor passes is :func:`check_predictor`.
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
from naslens.estimators.predictors.check import PredictorCheckError, check_predictor

__all__ = [
    "PREDICTORS",
    "Predictor",
    "PredictorCheckError",
    "PredictorError",
    "PredictorInfo",
    "check_predictor",
    "create_predictor",
    "list_predictors",
    "predictor_info",
    "register_predictor",
]
