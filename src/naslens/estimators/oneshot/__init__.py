"""One-shot estimators for any space with a weight-sharing supernet (``space.supernet``): samplers over the space,
the trainer, checkpoints, path scores, instrumentation, ensembles and the pruning workflows (``pruning``).

Importing this package registers the estimators ``oneshot_acc`` and ``oneshot_loss`` (it imports torch). It never
imports a concrete space: supernets, architectures and sub-spaces come from the space protocol.

Example:
    >>> from naslens.estimators.oneshot import make_sampler
    >>> import numpy as np
    >>> [len(make_sampler(k).step(np.random.default_rng(0))) for k in ("uniform", "fairnas")]
    [1, 5]
    >>> len(make_sampler("fairnas", space="nb-macro").step(np.random.default_rng(0)))
    3
"""

from naslens.estimators.oneshot import estimator  # noqa: F401  (registers oneshot_acc / oneshot_loss)
from naslens.estimators.oneshot.checkpoint import CheckpointRef, list_checkpoints, load_checkpoint, resolve_checkpoints
from naslens.estimators.oneshot.ensembles import (
    average_state_dicts,
    class_average,
    seed_average,
    temporal_score_average,
)
from naslens.estimators.oneshot.estimator import OneShotEstimator
from naslens.estimators.oneshot.instrumentation import ForgettingTracker, gradient_cosine, path_accuracy
from naslens.estimators.oneshot.prune_compare import PruneEval, Truth, truth_from_ground_truth
from naslens.estimators.oneshot.prune_evo import EvolutionarySampler, EvoSettings
from naslens.estimators.oneshot.pruning import PruneResult, prune_hard, prune_op, prune_soft
from naslens.estimators.oneshot.sampler_factory import make_sampler
from naslens.estimators.oneshot.samplers import SAMPLERS, Sampler, SamplerError
from naslens.estimators.oneshot.score_checkpoints import score_checkpoints
from naslens.estimators.oneshot.scoring import ScoreConfig, score_paths
from naslens.estimators.oneshot.subspace import SubSpace
from naslens.estimators.oneshot.supernet_module import SupernetModule, build_supernet
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, config_from_recipe, recipe_from_ground_truth
from naslens.estimators.oneshot.trainer import TrainResult, train_supernet

__all__ = [
    "SAMPLERS",
    "CheckpointRef",
    "EvoSettings",
    "EvolutionarySampler",
    "ForgettingTracker",
    "OneShotEstimator",
    "PruneEval",
    "PruneResult",
    "Sampler",
    "SamplerError",
    "ScoreConfig",
    "SubSpace",
    "SupernetModule",
    "SupernetTrainConfig",
    "TrainResult",
    "Truth",
    "average_state_dicts",
    "build_supernet",
    "class_average",
    "config_from_recipe",
    "gradient_cosine",
    "list_checkpoints",
    "load_checkpoint",
    "make_sampler",
    "path_accuracy",
    "prune_hard",
    "prune_op",
    "prune_soft",
    "recipe_from_ground_truth",
    "resolve_checkpoints",
    "score_checkpoints",
    "score_paths",
    "seed_average",
    "temporal_score_average",
    "train_supernet",
    "truth_from_ground_truth",
]
