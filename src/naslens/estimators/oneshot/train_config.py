"""``SupernetTrainConfig``: everything that determines a supernet training run (its hash keys the scores).

The run names its search space (``space``, any registered space with a supernet) and the space's network settings
(``net``: e.g. NB201 ``C``, ``N``, ``bn_affine``; NAS-Bench-Macro ``init_channels``, ``head_channels``). ``net`` is
completed and validated by the space (``space.supernet_config`` where it offers one, else ``space.net_config``), so
a configuration always holds the full settings its supernet is built with; ``in_channels``, ``num_classes`` and
``input_size`` come from the data fields ``channels``, ``num_classes`` and ``input_size``.

The data fields (``input_size``, ``channels``, ``n_train``, ``n_val``, ``data_seed``) and the network must match the
ground truth the scores will be compared with; :func:`config_from_recipe` copies them from a benchmark
:class:`~naslens.benchmarks.recipe.Recipe` (for ``nb201-fmnist``: the recipe stored in the ground truth's
``extra["recipe"]``, see :func:`recipe_from_ground_truth`).

Stored form (``to_dict``, in checkpoints and ``config.json``) and hash: one flat mapping, the network settings at
the top level, ``space`` written unless it is the default ``nb201`` and ``require_conv`` only when set, so runs made
before spaces were recorded keep their configuration and hash.

Example:
    >>> c = SupernetTrainConfig(space="nb-macro", net={"init_channels": 8}, channels=3)
    >>> c.net, c.ops
    ({'init_channels': 8, 'head_channels': 1280}, ('id', 'ir_3x3_t3', 'ir_5x5_t6'))
    >>> SupernetTrainConfig.from_dict(c.to_dict()) == c
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from naslens.benchmarks.recipe import Recipe
from naslens.estimators.base import config_hash
from naslens.estimators.oneshot.evo_settings import EvoSettings
from naslens.estimators.oneshot.samplers import DEFAULT_SPACE, SAMPLERS
from naslens.estimators.oneshot.subspace import choice_labels
from naslens.spaces import SearchSpace, get_space
from naslens.types import ArchFormatError, NetConfigError, SpaceCapabilityError, UserError

SCHEDULERS = ("plateau", "cosine")
GRAD_AVERAGING = ("per-param", "mean")
DATA_NET_KEYS = ("in_channels", "num_classes", "input_size")
"""Network settings given by the data fields (``channels``, ``num_classes``, ``input_size``), never by ``net``."""


class TrainConfigError(UserError, ValueError):
    """An invalid supernet training setting; the message names the field."""


def supernet_settings(space: SearchSpace, net: dict[str, Any]) -> dict[str, Any]:
    """The complete settings ``space.supernet(**net)`` builds with (validated by the space)."""
    complete = getattr(space, "supernet_config", None)
    return dict(complete(**net) if complete is not None else space.net_config(**net))


def _space(name: Any) -> SearchSpace:
    try:
        space = get_space(name)
    except (KeyError, ValueError) as e:
        raise TrainConfigError(f"space: {e.args[0]}") from None
    if not space.info.has_supernet:
        raise TrainConfigError(f"space {space.name!r} offers no weight-sharing supernet")
    return space


TRAIN_DATASET = "fashion-mnist"
"""The images every supernet is trained and scored on (the trainer reads Fashion-MNIST, the data of the
``nb201-fmnist`` ground truth); recorded as ``EstimatorInfo.dataset`` of the one-shot estimators, so evaluating their
scores against another dataset's ground truth warns."""


@dataclass(frozen=True)
class SupernetTrainConfig:
    """Supernet training configuration.

    Attributes:
        sampler: one of ``uniform``, ``deiso``, ``deiso-rejection``, ``fairnas``.
        samples: architectures per step (Monte-Carlo S); must stay 1 with ``fairnas``, which trains k per step.
        ops: choice labels allowed at every position (remove some for pruning studies; default all of the space's);
            kept in the space's order.
        subspace: explicit architecture keys to sample from (empty = the whole space of ``ops``); they may use
            only ``ops`` (the supernet holds modules for those only).
        require_conv: leave out the space's trivial architectures (``space.is_trivial``; see the samplers).
        grad_averaging: ``per-param`` divides each parameter's gradient by the number of the step's architectures
            that used it (aw_nas); ``mean`` divides every gradient by the number of architectures.
        space: the search space (default ``nb201``).
        net: the space's network settings (completed with its defaults; see the module docstring).
        input_size: image side. channels: image channels.
        n_train: training images (``None``: all but the validation images). n_val: validation images.
        data_seed: seed of the train/validation split (the ground truth's).
        num_classes: classifier outputs.
        dropout: dropout before the classifier.
        epochs: training epochs. batch_size: images per step.
        lr, momentum, weight_decay: SGD settings. grad_clip: global gradient-norm clip.
        scheduler: ``plateau`` (ReduceLROnPlateau on the epoch's training loss) or ``cosine`` (per step, to 0).
        patience, factor: ReduceLROnPlateau settings (epochs, multiplier).
        seed: training seed (initialisation, batch order, sampled architectures, dropout).
        checkpoint_every: keep a checkpoint every this many epochs (and after the last epoch).
        controller: settings of the ``evolutionary`` sampler's controller (completed with its defaults; see
            :class:`~naslens.estimators.oneshot.prune_evo.EvoSettings`); empty for the other samplers.
        finetune_from: the checkpoint a fine-tuning run starts from, as :func:`finetune_label` writes it
            (``<config hash>/seed<seed>/epoch-XXXX``); empty for a run from scratch. Part of the identity, so a
            fine-tuned supernet never shares a hash with one trained from scratch.
    """

    sampler: str = "uniform"
    samples: int = 1
    ops: tuple[str, ...] = ()
    subspace: tuple[str, ...] = ()
    require_conv: bool = False
    grad_averaging: str = "per-param"
    space: str = DEFAULT_SPACE
    net: dict[str, Any] = field(default_factory=dict)
    input_size: int = 28
    channels: int = 1
    n_train: int | None = None
    n_val: int = 10000
    data_seed: int = 0
    num_classes: int = 10
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
    controller: dict[str, Any] = field(default_factory=dict)
    finetune_from: str = ""

    def __post_init__(self) -> None:
        if self.sampler not in SAMPLERS:
            raise TrainConfigError(f"sampler must be one of {SAMPLERS}, got {self.sampler!r}")
        if self.scheduler not in SCHEDULERS:
            raise TrainConfigError(f"scheduler must be one of {SCHEDULERS}, got {self.scheduler!r}")
        if self.grad_averaging not in GRAD_AVERAGING:
            raise TrainConfigError(f"grad_averaging must be one of {GRAD_AVERAGING}, got {self.grad_averaging!r}")
        positive = ("samples", "input_size", "n_val", "num_classes", "epochs", "batch_size", "checkpoint_every")
        for name in (*positive, "patience"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise TrainConfigError(f"{name} must be a positive integer, got {v!r}")
        if self.channels not in (1, 3):
            raise TrainConfigError(f"channels must be 1 or 3, got {self.channels}")
        space = _space(self.space)
        object.__setattr__(self, "space", space.name)
        self._resolve_net(space)
        self._resolve_ops(space)
        if self.sampler == "fairnas" and self.samples != 1:
            raise TrainConfigError(
                f"samples={self.samples} does not apply to the fairnas sampler: each FairNAS step trains one "
                f"architecture per choice ({len(self.ops)}); leave samples at 1"
            )
        self._resolve_controller()
        if not isinstance(self.finetune_from, str):
            raise TrainConfigError(f"finetune_from must be a checkpoint label, got {self.finetune_from!r}")
        if self.batch_size < 2:
            raise TrainConfigError("batch_size must be ≥ 2 (BatchNorm needs two images)")
        if self.n_train is not None and self.n_train < 2:
            raise TrainConfigError(f"n_train must be ≥ 2, got {self.n_train}")
        for name, lo, hi in (("lr", 0.0, None), ("grad_clip", 0.0, None), ("factor", 0.0, 1.0)):
            v = getattr(self, name)
            if not v > lo or (hi is not None and not v < hi):
                raise TrainConfigError(f"{name} must be in ({lo}, {hi if hi is not None else '∞'}), got {v}")
        if not 0.0 <= self.momentum < 1.0 or self.weight_decay < 0 or not 0.0 <= self.dropout < 1.0:
            raise TrainConfigError("momentum and dropout must be in [0, 1) and weight_decay ≥ 0")

    def _resolve_net(self, space: SearchSpace) -> None:
        net = dict(self.net)
        given = sorted(set(net) & set(DATA_NET_KEYS))
        if given:
            raise TrainConfigError(f"net: {given} come from the data fields channels, num_classes and input_size")
        clash = sorted(set(net) & {f.name for f in fields(self)})
        if clash:
            raise TrainConfigError(f"net: {clash} are training fields, not network settings")
        try:
            full = supernet_settings(space, {**net, **self.data_net()})
        except (NetConfigError, SpaceCapabilityError) as e:
            raise TrainConfigError(f"net: {e}") from None
        object.__setattr__(self, "net", {k: v for k, v in full.items() if k not in DATA_NET_KEYS})

    def _resolve_ops(self, space: SearchSpace) -> None:
        every = choice_labels(space)
        ops = tuple(self.ops) or every
        bad = [o for o in ops if o not in every]
        if bad:
            raise TrainConfigError(f"ops must be a non-empty subset of {every}, got {list(ops)}")
        # one order (the space's) so that the same op set always gives the same hash
        object.__setattr__(self, "ops", tuple(o for o in every if o in ops))
        info = space.info
        empty = [p for p, labels in zip(info.positions, info.choices, strict=True) if not set(labels) & set(ops)]
        if empty:
            raise TrainConfigError(f"ops {list(self.ops)} leave position(s) {empty} of {space.name} without a choice")
        keys = []
        for text in self.subspace:
            try:
                arch = space.parse(text)
            except (ArchFormatError, ValueError) as e:
                raise TrainConfigError(f"subspace: {e}") from e
            codes = space.encode(arch, "codes")
            outside = sorted({labels[int(c)] for labels, c in zip(info.choices, codes, strict=True)} - set(self.ops))
            if outside:
                raise TrainConfigError(
                    f"subspace architecture {text} uses {outside}, which the supernet does not hold (ops "
                    f"{list(self.ops)}); add them to ops or drop the architecture"
                )
            keys.append(space.key(arch))
        object.__setattr__(self, "subspace", tuple(keys))

    def _resolve_controller(self) -> None:
        if self.sampler != "evolutionary":
            if self.controller:
                raise TrainConfigError(f"controller settings apply to the evolutionary sampler, not {self.sampler!r}")
            return
        try:
            full = EvoSettings.from_dict(dict(self.controller)).to_dict()
        except (TypeError, ValueError) as e:  # SamplerError is a ValueError
            raise TrainConfigError(f"controller: {e}") from None
        if self.subspace:
            raise TrainConfigError("the evolutionary sampler builds candidates from choices; use ops, not subspace")
        object.__setattr__(self, "controller", full)

    def __hash__(self) -> int:
        return hash((self.hash, self.seed, self.epochs, self.checkpoint_every))

    # ------------------------------------------------------------------ views
    def data_net(self) -> dict[str, Any]:
        """The network settings the data fields give (``in_channels``, ``num_classes``, ``input_size``)."""
        return {"in_channels": self.channels, "num_classes": self.num_classes, "input_size": self.input_size}

    def network(self) -> dict[str, Any]:
        """Keyword arguments of ``space.supernet`` (with ``ops`` and ``dropout``) and ``space.build``."""
        return {**self.net, **self.data_net()}

    def search_space(self) -> SearchSpace:
        return get_space(self.space)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("space", "net")}
        d["ops"] = list(self.ops)
        d["subspace"] = list(self.subspace)
        d.update(self.net)
        if self.space != DEFAULT_SPACE:  # only when not the default: earlier runs keep their configuration and hash
            d["space"] = self.space
        if not self.require_conv:  # only when set: earlier runs keep their configuration and hash
            d.pop("require_conv")
        for name in ("controller", "finetune_from"):  # likewise
            if not d[name]:
                d.pop(name)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SupernetTrainConfig:
        """Read :meth:`to_dict` (also a nested ``net`` mapping); unknown keys are errors."""
        d = dict(data)
        space = _space(d.get("space", DEFAULT_SPACE))
        net = dict(d.pop("net", None) or {})
        known = {f.name for f in fields(cls)}
        net_keys = set(space.info.net_keys) - set(DATA_NET_KEYS)
        for k in [k for k in d if k not in known and k in net_keys]:
            net[k] = d.pop(k)
        unknown = sorted(set(d) - known)
        if unknown:
            raise TrainConfigError(
                f"unknown supernet training field(s) {unknown}; valid: {sorted(known - {'net'})} and the network "
                f"settings of {space.name}: {sorted(net_keys)}"
            )
        return cls(**d, net=net)

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


def finetune_label(checkpoint: dict[str, Any]) -> str:
    """The ``finetune_from`` label of a loaded checkpoint: ``<config hash>/seed<seed>/epoch-XXXX``.

    Example:
        >>> c = SupernetTrainConfig(net={"C": 4, "N": 1}, input_size=8)
        >>> finetune_label({"config": c.to_dict(), "epoch": 3}) == f"{c.hash}/seed0/epoch-0003"
        True
    """
    cfg = SupernetTrainConfig.from_dict(checkpoint["config"])
    return f"{cfg.hash}/seed{cfg.seed}/epoch-{int(checkpoint['epoch']):04d}"


def config_from_recipe(recipe: Recipe, **overrides: Any) -> SupernetTrainConfig:
    """A training configuration with the recipe's network and data fields for ``overrides["space"]`` (default
    nb201; a recipe holds no space, the build or ground truth it came from does), plus ``overrides`` (``net``
    overrides are merged into the recipe's network).

    Raises:
        TrainConfigError: an override names an unknown field or is invalid, or the recipe's network settings are
            not settings of the space.
    """
    space = _space(overrides.pop("space", None) or DEFAULT_SPACE).name
    try:
        recipe_net = recipe.net_config(num_classes=1, space=space)
    except ValueError as e:
        raise TrainConfigError(f"recipe {recipe.name!r} does not fit space {space!r}: {e}") from None
    net = {k: v for k, v in recipe_net.items() if k not in DATA_NET_KEYS}
    base = {
        "space": space,
        "input_size": recipe.input_size,
        "channels": recipe.channels,
        "n_train": recipe.n_train,
        "n_val": recipe.n_val,
        "data_seed": recipe.data_seed,
    }
    net.update(overrides.pop("net", None) or {})
    return SupernetTrainConfig.from_dict({**base, **overrides, "net": net})


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


def parse_net_items(items: list[str] | None) -> dict[str, Any]:
    """``["C=8", "bn_affine=true"]`` → ``{"C": 8, "bn_affine": True}`` (ints, floats, true/false, else text).

    Raises:
        TrainConfigError: an item without ``=`` or a key given twice.

    Example:
        >>> parse_net_items(["init_channels=8", "head_channels=64"])
        {'init_channels': 8, 'head_channels': 64}
    """
    from naslens.config import parse_settings

    try:
        return parse_settings(list(items or []), "--net")
    except ValueError as e:
        raise TrainConfigError(str(e)) from None
