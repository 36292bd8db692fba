"""naslens: how good are your neural-architecture-search performance estimators?

Public API (imported lazily; ``import naslens`` itself loads no heavy dependency)::

    naslens.evaluate(...)            # criteria of estimators against a ground truth
    naslens.get_space("nb201")       # search spaces
    naslens.load_ground_truth(...)   # benchmark tables with provenance
    naslens.create_estimator(...)    # registered estimators
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "evaluate": ("naslens.evaluation", "evaluate"),
    "Evaluation": ("naslens.evaluation", "Evaluation"),
    "get_space": ("naslens.spaces", "get_space"),
    "load_ground_truth": ("naslens.benchmarks", "load_ground_truth"),
    "GroundTruth": ("naslens.benchmarks", "GroundTruth"),
    "create_estimator": ("naslens.estimators", "create_estimator"),
    "list_estimators": ("naslens.estimators", "list_estimators"),
    "ScoreStore": ("naslens.store", "ScoreStore"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'naslens' has no attribute {name!r}")
