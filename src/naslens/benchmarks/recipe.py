"""``Recipe``: how a benchmark trains one architecture (network size, data split, optimiser, schedule).

A recipe is a frozen dataclass, written as YAML (``recipes/*.yaml``). Unknown keys, wrong types and invalid values
are rejected with a message naming the field. The recipe does not hold the *training seed*: every (architecture,
seed) pair is one training run, and the seed controls the initialisation and the batch order. ``data_seed`` fixes
the train / validation / test split, which is the same for all runs of a benchmark.

The network is the space's (``naslens bench build --space``): ``channels``/``input_size`` and the dataset's class count
are given to it, ``C``/``N`` (NB201's width and cells per stage) and ``net`` (any other network setting the space
accepts, e.g. NAS-Bench-Macro's ``init_channels``/``head_channels``) override its defaults; the space validates them,
so a setting it does not know is an error before anything trains.

Example YAML::

    name: nb201-fmnist-c8n1
    C: 8
    N: 1
    input_size: 16
    n_train: 4000
    epochs: 4
    batch_size: 128
    lr: 0.1
    schedule: cosine
"""

from __future__ import annotations

import hashlib
import json
import os
import types
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from naslens.types import UserError

SCHEDULES = ("cosine", "step")
DATASETS = ("fashion-mnist",)


FILE_REQUIRED = ("name", "dataset", "epochs")
"""Fields a recipe *file* must set (an empty or half-written file must not start hours of default training)."""


class RecipeError(UserError, ValueError):
    """A recipe file or value is invalid; the message names the field."""


@dataclass(frozen=True)
class Recipe:
    """Standalone-training recipe.

    Attributes:
        name: free label recorded with the results.
        dataset: dataset name (``"fashion-mnist"``).
        C: NB201: channels of the first stage (``None``: the space's default, 16 for NB201).
        N: NB201: cells per stage (``None``: the space's default, 5 for NB201).
        net: other network settings of the space (e.g. ``{init_channels: 8, head_channels: 64}`` for nb-macro).
        input_size: image side after resizing (28 keeps Fashion-MNIST's originals).
        channels: image channels fed to the network (1, or 3 replicating the grey channel).
        n_train: training images (``None``: all 60,000 − ``n_val``).
        n_val: validation images, carved from the training file, disjoint from the training images.
        n_test: test images from the test file (``None``: all 10,000).
        data_seed: seed of the train / validation / test split (the same for every run).
        epochs: training epochs.
        batch_size: training mini-batch size (the last incomplete batch is dropped when it has < 2 images).
        lr: initial learning rate of SGD.
        momentum: SGD momentum.
        weight_decay: L2 weight decay.
        nesterov: Nesterov momentum.
        schedule: ``"cosine"`` (per-step cosine decay to 0) or ``"step"`` (×``step_gamma`` at ``step_epochs``).
        step_epochs: epochs at which the step schedule multiplies the learning rate by ``step_gamma``.
        step_gamma: factor of the step schedule.
        label_smoothing: cross-entropy label smoothing (0 = off).
        grad_clip: clip the global gradient norm to this value (``None`` = off).
        eval_every: evaluate validation and test accuracy every this many epochs (0: only after the last
            epoch, which is always evaluated).
        eval_batch_size: batch size of evaluation.
    """

    name: str = "recipe"
    dataset: str = "fashion-mnist"
    C: int | None = None
    N: int | None = None
    input_size: int = 28
    channels: int = 1
    n_train: int | None = None
    n_val: int = 10000
    n_test: int | None = None
    data_seed: int = 0
    epochs: int = 10
    batch_size: int = 128
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    nesterov: bool = True
    schedule: str = "cosine"
    step_epochs: tuple[int, ...] = ()
    step_gamma: float = 0.1
    label_smoothing: float = 0.0
    grad_clip: float | None = 5.0
    eval_every: int = 1
    eval_batch_size: int = 1000
    net: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.name, self.fingerprint))

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_type(f.name, getattr(self, f.name), _HINTS[f.name])
            if _HINTS[f.name] in (float, float | None) and isinstance(getattr(self, f.name), int):
                object.__setattr__(self, f.name, float(getattr(self, f.name)))  # 1 and 1.0 train identically
        positive = ("C", "N", "input_size", "epochs", "batch_size", "eval_batch_size")
        for name in positive:
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise RecipeError(f"recipe field {name!r} must be ≥ 1, got {getattr(self, name)}")
        if self.eval_every < 0:
            raise RecipeError(f"recipe field 'eval_every' must be ≥ 0 (0 = last epoch only), got {self.eval_every}")
        if self.dataset not in DATASETS:
            raise RecipeError(f"recipe field 'dataset' must be one of {DATASETS}, got {self.dataset!r}")
        if self.channels not in (1, 3):
            raise RecipeError(f"recipe field 'channels' must be 1 or 3, got {self.channels}")
        if self.n_train is not None and self.n_train < 1:
            raise RecipeError(f"recipe field 'n_train' must be ≥ 1, got {self.n_train}")
        if self.n_test is not None and self.n_test < 1:
            raise RecipeError(f"recipe field 'n_test' must be ≥ 1, got {self.n_test}")
        if self.n_val < 0:
            raise RecipeError(f"recipe field 'n_val' must be ≥ 0, got {self.n_val}")
        if self.lr <= 0:
            raise RecipeError(f"recipe field 'lr' must be > 0, got {self.lr}")
        if not 0 <= self.momentum < 1:
            raise RecipeError(f"recipe field 'momentum' must be in [0, 1), got {self.momentum}")
        if self.nesterov and self.momentum == 0:
            raise RecipeError("nesterov needs momentum > 0")
        if self.weight_decay < 0:
            raise RecipeError(f"recipe field 'weight_decay' must be ≥ 0, got {self.weight_decay}")
        if self.schedule not in SCHEDULES:
            raise RecipeError(f"recipe field 'schedule' must be one of {SCHEDULES}, got {self.schedule!r}")
        if any(not 0 < e < self.epochs for e in self.step_epochs) or list(self.step_epochs) != sorted(self.step_epochs):
            raise RecipeError(
                f"recipe field 'step_epochs' must be increasing epochs in 1..{self.epochs - 1}, got {self.step_epochs}"
            )
        if not 0 < self.step_gamma <= 1:
            raise RecipeError(f"recipe field 'step_gamma' must be in (0, 1], got {self.step_gamma}")
        if not 0 <= self.label_smoothing < 1:
            raise RecipeError(f"recipe field 'label_smoothing' must be in [0, 1), got {self.label_smoothing}")
        if self.grad_clip is not None and self.grad_clip <= 0:
            raise RecipeError(f"recipe field 'grad_clip' must be > 0 or null, got {self.grad_clip}")

    # ------------------------------------------------------------------ conversion
    def to_dict(self) -> dict[str, Any]:
        """All fields; ``C``/``N`` only when set and ``net`` only when not empty (so recipes written before those
        became optional keep their dictionary and fingerprint)."""
        d = asdict(self)
        d["step_epochs"] = list(self.step_epochs)
        d["net"] = dict(self.net)
        for k in ("C", "N"):
            if d[k] is None:
                del d[k]
        if not d["net"]:
            del d["net"]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "recipe") -> Recipe:
        """Build from a mapping; unknown keys raise :class:`RecipeError` listing the valid ones."""
        if not isinstance(data, dict):
            raise RecipeError(f"{where}: a recipe must be a mapping of field: value, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RecipeError(f"{where}: unknown recipe field(s) {unknown}; valid fields: {sorted(known)}")
        d = dict(data)
        if "step_epochs" in d and isinstance(d["step_epochs"], list):
            d["step_epochs"] = tuple(d["step_epochs"])
        try:
            return cls(**d)
        except RecipeError as e:
            raise RecipeError(f"{where}: {e}") from e

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Recipe:
        """Read a YAML recipe file."""
        p = Path(path)
        if not p.is_file():
            raise RecipeError(f"recipe file not found: {p}")
        try:
            data = yaml.safe_load(p.read_text())
        except yaml.YAMLError as e:
            raise RecipeError(f"{p}: not valid YAML ({e})") from e
        if data is None:
            raise RecipeError(f"{p}: the recipe file is empty; it must set at least {', '.join(FILE_REQUIRED)}")
        if isinstance(data, dict):
            missing = [k for k in FILE_REQUIRED if k not in data]
            if missing:
                raise RecipeError(
                    f"{p}: missing required recipe field(s) {missing} (a recipe file states what it trains; "
                    "nothing is filled in silently)"
                )
        return cls.from_dict(data, where=str(p))

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        p = Path(path)
        p.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False))
        return p

    def replace(self, **changes: Any) -> Recipe:
        """A copy with some fields changed (validated)."""
        return Recipe.from_dict({**self.to_dict(), **changes})

    @property
    def fingerprint(self) -> str:
        """Short stable hash of every field except ``name`` (two recipes training identically share it)."""
        d = self.to_dict()
        d.pop("name")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]

    def net_overrides(self) -> dict[str, Any]:
        """The recipe's network settings (without the class count): ``C``/``N`` when set, ``net``, the image channels
        and side."""
        over: dict[str, Any] = {k: getattr(self, k) for k in ("C", "N") if getattr(self, k) is not None}
        over.update(self.net)
        over.update(in_channels=self.channels, input_size=self.input_size)
        return over

    def net_config(self, num_classes: int, space: Any) -> dict[str, Any]:
        """Keyword arguments for ``space.build``: the space's defaults with the recipe's settings, validated by the
        space (a setting it does not know raises ``NetConfigError``)."""
        from naslens.spaces import get_space

        sp = get_space(space)
        return sp.net_config(None, **self.net_overrides(), num_classes=num_classes)


_HINTS = typing.get_type_hints(Recipe)


def _check_type(name: str, value: Any, hint: Any) -> None:
    """Check ``value`` against a simple annotation (int, float, bool, str, X | None, tuple[int, ...])."""
    origin = typing.get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        args = typing.get_args(hint)
        if value is None and type(None) in args:
            return
        inner = [a for a in args if a is not type(None)]
        _check_type(name, value, inner[0])
        return
    if origin is dict or hint is dict:
        if not isinstance(value, dict) or any(not isinstance(k, str) for k in value):
            raise RecipeError(f"recipe field {name!r} must be a mapping of setting: value, got {value!r}")
        return
    if origin is tuple:
        if not isinstance(value, tuple) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise RecipeError(f"recipe field {name!r} must be a list of integers, got {value!r}")
        return
    ok: bool
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is str:
        ok = isinstance(value, str)
    else:  # pragma: no cover - every field has one of the types above
        raise RecipeError(f"recipe field {name!r} has an unsupported annotation {hint!r}")
    if not ok:
        raise RecipeError(f"recipe field {name!r} must be {hint.__name__}, got {value!r} ({type(value).__name__})")
