"""``SupernetTrainConfig``: everything that determines a supernet training run (its hash keys the scores).

The data fields (``C``, ``N``, ``input_size``, ``channels``, ``n_train``, ``n_val``, ``data_seed``) must match the
ground truth the scores will be compared with; :func:`config_from_recipe` copies them from a benchmark
:class:`~naslens.benchmarks.recipe.Recipe` (for ``nb201-fmnist``: the recipe stored in the ground truth's
``extra["recipe"]``, see :func:`recipe_from_ground_truth`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from naslens.benchmarks.recipe import Recipe
from naslens.estimators.base import config_hash
from naslens.estimators.oneshot.samplers import SAMPLERS
from naslens.spaces.nb201 import OPS, NB201Arch

SCHEDULERS = ("plateau", "cosine")
GRAD_AVERAGING = ("per-param", "mean")


class TrainConfigError(ValueError):
    """An invalid supernet training setting; the message names the field."""


@dataclass(frozen=True)
class SupernetTrainConfig:
    """Supernet training configuration.

    Attributes:
        sampler: one of ``uniform``, ``deiso``, ``deiso-rejection``, ``fairnas``.
        samples: architectures per step (Monte-Carlo S); must stay 1 with ``fairnas``, which trains one per op.
        ops: ops allowed on every edge (remove some for pruning studies); kept in the space's order.
        subspace: explicit architecture strings to sample from (empty = the whole space of ``ops``); they may use
            only ``ops`` (the supernet holds modules for those only).
        require_conv: sample only architectures with an effective convolution (aw_nas; see the samplers).
        grad_averaging: ``per-param`` divides each parameter's gradient by the number of the step's architectures
            that used it (aw_nas); ``mean`` divides every gradient by the number of architectures.
        C: channels of the first stage. N: cells per stage. input_size: image side. channels: image channels.
        n_train: training images (``None``: all but the validation images). n_val: validation images.
        data_seed: seed of the train/validation split (the ground truth's).
        num_classes: classifier outputs.
        bn_affine: learnable γ/β in cell-op BatchNorms.
        dropout: dropout before the classifier.
        epochs: training epochs. batch_size: images per step.
        lr, momentum, weight_decay: SGD settings. grad_clip: global gradient-norm clip.
        scheduler: ``plateau`` (ReduceLROnPlateau on the epoch's training loss) or ``cosine`` (per step, to 0).
        patience, factor: ReduceLROnPlateau settings (epochs, multiplier).
        seed: training seed (initialisation, batch order, sampled architectures, dropout).
        checkpoint_every: keep a checkpoint every this many epochs (and after the last epoch).
    """

    sampler: str = "uniform"
    samples: int = 1
    ops: tuple[str, ...] = OPS
    subspace: tuple[str, ...] = ()
    require_conv: bool = False
    grad_averaging: str = "per-param"
    C: int = 16
    N: int = 5
    input_size: int = 28
    channels: int = 1
    n_train: int | None = None
    n_val: int = 10000
    data_seed: int = 0
    num_classes: int = 10
    bn_affine: bool = False
    dropout: float = 0.1
    epochs: int = 10
    batch_size: int = 256
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    grad_clip: float = 5.0
    scheduler: str = "plateau"
    patience: int = 30
    factor: float = 0.5
    seed: int = 0
    checkpoint_every: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "ops", tuple(self.ops))
        object.__setattr__(self, "subspace", tuple(self.subspace))
        if self.sampler not in SAMPLERS:
            raise TrainConfigError(f"sampler must be one of {SAMPLERS}, got {self.sampler!r}")
        if self.scheduler not in SCHEDULERS:
            raise TrainConfigError(f"scheduler must be one of {SCHEDULERS}, got {self.scheduler!r}")
        if self.grad_averaging not in GRAD_AVERAGING:
            raise TrainConfigError(f"grad_averaging must be one of {GRAD_AVERAGING}, got {self.grad_averaging!r}")
        bad_ops = [o for o in self.ops if o not in OPS]
        if bad_ops or not self.ops:
            raise TrainConfigError(f"ops must be a non-empty subset of {OPS}, got {list(self.ops)}")
        # one order (the space's) so that the same op set always gives the same hash
        object.__setattr__(self, "ops", tuple(o for o in OPS if o in self.ops))
        if self.sampler == "fairnas" and self.samples != 1:
            raise TrainConfigError(
                f"samples={self.samples} does not apply to the fairnas sampler: each FairNAS step trains one "
                f"architecture per op ({len(self.ops)}); leave samples at 1"
            )
        for text in self.subspace:
            try:
                arch = NB201Arch.from_string(text)
            except ValueError as e:
                raise TrainConfigError(f"subspace: {e}") from e
            outside = sorted({op for op in arch.ops if op not in self.ops})
            if outside:
                raise TrainConfigError(
                    f"subspace architecture {text} uses {outside}, which the supernet does not hold (ops "
                    f"{list(self.ops)}); add them to ops or drop the architecture"
                )
        positive = (
            "samples",
            "C",
            "N",
            "input_size",
            "n_val",
            "num_classes",
            "epochs",
            "batch_size",
            "checkpoint_every",
            "patience",
        )
        for name in positive:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise TrainConfigError(f"{name} must be a positive integer, got {v!r}")
        if self.batch_size < 2:
            raise TrainConfigError("batch_size must be ≥ 2 (BatchNorm needs two images)")
        if self.n_train is not None and self.n_train < 2:
            raise TrainConfigError(f"n_train must be ≥ 2, got {self.n_train}")
        if self.channels not in (1, 3):
            raise TrainConfigError(f"channels must be 1 or 3, got {self.channels}")
        for name, lo, hi in (("lr", 0.0, None), ("grad_clip", 0.0, None), ("factor", 0.0, 1.0)):
            v = getattr(self, name)
            if not v > lo or (hi is not None and not v < hi):
                raise TrainConfigError(f"{name} must be in ({lo}, {hi if hi is not None else '∞'}), got {v}")
        if not 0.0 <= self.momentum < 1.0 or self.weight_decay < 0 or not 0.0 <= self.dropout < 1.0:
            raise TrainConfigError("momentum and dropout must be in [0, 1) and weight_decay ≥ 0")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ops"] = list(self.ops)
        d["subspace"] = list(self.subspace)
        if not self.require_conv:  # only when set: earlier runs keep their configuration and hash
            d.pop("require_conv")
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SupernetTrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TrainConfigError(f"unknown supernet training field(s) {unknown}; valid: {sorted(known)}")
        return cls(**data)

    def replace(self, **changes: Any) -> SupernetTrainConfig:
        return replace(self, **changes)

    def identity(self) -> dict[str, Any]:
        """The fields that define *what* is trained (all but ``epochs``, ``checkpoint_every`` and ``seed``):
        runs sharing it are one estimator configuration, scored at several checkpoints and seeds."""
        d = self.to_dict()
        for k in ("epochs", "checkpoint_every", "seed"):
            d.pop(k)
        if self.scheduler == "cosine":
            d["epochs"] = self.epochs  # the cosine schedule depends on the run length
        return d

    @property
    def hash(self) -> str:
        return config_hash(self.identity())


def config_from_recipe(recipe: Recipe, **overrides: Any) -> SupernetTrainConfig:
    """A training configuration with the recipe's network and data fields, plus ``overrides``.

    Raises:
        TrainConfigError: an override names an unknown field or is invalid.
    """
    base = {
        "C": recipe.C,
        "N": recipe.N,
        "input_size": recipe.input_size,
        "channels": recipe.channels,
        "n_train": recipe.n_train,
        "n_val": recipe.n_val,
        "data_seed": recipe.data_seed,
    }
    return SupernetTrainConfig.from_dict({**base, **overrides})


def recipe_from_ground_truth(spec: str) -> Recipe:
    """The training recipe stored in a built ground truth's ``extra["recipe"]`` (e.g. ``nb201-fmnist``).

    Raises:
        TrainConfigError: the ground truth carries no recipe.
    """
    from naslens.benchmarks import load_ground_truth

    gt = load_ground_truth(spec)
    rec = gt.extra.get("recipe")
    if not isinstance(rec, dict):
        raise TrainConfigError(f"ground truth {spec!r} has no extra['recipe']; pass the network/data settings instead")
    return Recipe.from_dict(rec, where=f"{spec} extra['recipe']")
