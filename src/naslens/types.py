"""Core value types shared by every layer. A leaf module: it imports nothing of naslens.

- :class:`SpaceInfo`: what a search space declares about itself (the capabilities generic layers ask for instead
  of branching on a space's name).
- :class:`UserError`: the base of every error caused by what a user gave (a file, an option, a spec); the CLI turns
  it into one line on stderr and exit status 2.
- :class:`ArchFormatError`: an architecture encoding could not be parsed (one error type for the arch layer).
- :class:`SpaceCapabilityError`: a space was asked for something it does not offer (whole-space enumeration of a
  space that is not enumerable, isomorphism classes of a space without them, a supernet, a dataset it has no network
  settings for).
- :class:`NetConfigError`: network settings a space does not accept (unknown key, bad value).
- :class:`EstimatorInfo`, :class:`Scores`, :func:`config_hash`, :func:`status_of`: what an estimator declares and
  returns, and the stable hash that keys its configuration in the score store.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


class UserError(Exception):
    """Base of the errors caused by what a user gave (a file, an option, a spec), not by a bug.

    Every layer has its own subclass (arch format, store, data, ground truth, configuration, …), each also deriving
    from the builtin it always was (``ValueError``, ``RuntimeError``); the command line converts any of them, in one
    place, to ``naslens <command>: error: <message>`` on stderr with exit status 2. Messages name the file and the
    line/row/column where the problem is.
    """


class ArchFormatError(UserError, ValueError):
    """An architecture encoding could not be parsed; the message names what is wrong."""


class SpaceCapabilityError(UserError, ValueError):
    """The space does not offer what was asked (see its :class:`SpaceInfo`); the message says what it offers."""


class UnknownSpaceError(UserError, ValueError):
    """No search space is registered under that name; the message lists the registered ones."""


class NetConfigError(UserError, ValueError):
    """Network settings the space does not accept: an unknown key or a bad value; the message lists the valid ones."""


ENCODINGS = ("codes", "onehot", "graph", "edge_graph")
"""Encoding kinds of :meth:`SearchSpace.encode`: ``codes`` (one choice index per position), ``onehot`` (the
concatenated one-hot vectors of the codes), ``graph`` (``(adjacency, node labels)`` of an operation-on-node DAG) and
``edge_graph`` (``(number of nodes N, N×N int matrix M, op labels)`` of an operation-on-edge DAG: ``M[src, dst]`` the
index into the labels of the op on edge src→dst, ``-1`` where there is no edge; nodes in topological order, node 0
the input, node N-1 the output)."""


@dataclass(frozen=True)
class SpaceInfo:
    """Capabilities of a search space. Generic layers read these fields; they never branch on ``name``.

    Attributes:
        name: registry name (``nb201``, ``nb-macro``).
        description: one line for listings.
        size: number of architectures, ``None`` when the space is not enumerable.
        enumerable: ``enumerate()`` lists the whole space (and "whole space" paths may use it).
        has_isomorphism: ``canonical()`` / ``representatives()`` group architectures that are one network.
        num_classes: number of isomorphism classes when known (``None`` otherwise).
        datasets: datasets the space has benchmark network settings for (``net_config(dataset)``).
        default_dataset: the dataset of ``net_config()`` without arguments.
        cost_columns: columns of ``complexity()``; ``params`` and ``flops`` (millions) always come first.
        positions: a name for each choice position (an edge ``0->1``, a layer ``layer3`` …).
        choices: the choice labels of each position, in code order (``codes`` indexes into them).
        encodings: the kinds ``encode()`` accepts (a subset of :data:`ENCODINGS`).
        has_supernet: ``supernet()`` builds a weight-sharing supernet.
        supernet_modes: the kinds ``supernet(mode)`` builds: ``"path"`` (the weight-sharing supernet of
            ``has_supernet``), ``"mixed"`` (a DARTS-style mixed-op supernet, for the operation-scoring searches).
        net_keys: the keys ``net_config`` / ``build`` accept (anything else is an error).
        thin_net: network overrides for a *thin* copy of the network (TE-NAS' linear-region count runs on one);
            empty when the space defines none (proxies that need one then say they cannot apply).
        key_format: how ``key()`` writes an architecture (for messages and docs).
    """

    name: str
    description: str
    size: int | None
    enumerable: bool
    has_isomorphism: bool
    datasets: tuple[str, ...]
    default_dataset: str
    cost_columns: tuple[str, ...]
    positions: tuple[str, ...]
    choices: tuple[tuple[str, ...], ...]
    encodings: tuple[str, ...] = ("codes", "onehot")
    has_supernet: bool = False
    supernet_modes: tuple[str, ...] = ()
    num_classes: int | None = None
    net_keys: tuple[str, ...] = ()
    thin_net: Mapping[str, Any] = field(default_factory=dict)
    key_format: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a space needs a name")
        if len(self.positions) != len(self.choices):
            raise ValueError(f"{self.name}: {len(self.positions)} positions but {len(self.choices)} choice lists")
        if any(len(c) < 1 for c in self.choices):
            raise ValueError(f"{self.name}: every position needs at least one choice")
        if self.enumerable != (self.size is not None):
            raise ValueError(f"{self.name}: size must be given exactly when the space is enumerable")
        if self.cost_columns[:2] != ("params", "flops"):
            raise ValueError(f"{self.name}: cost_columns must start with 'params', 'flops', got {self.cost_columns}")
        unknown = set(self.encodings) - set(ENCODINGS)
        if unknown or "codes" not in self.encodings:
            raise ValueError(f"{self.name}: encodings must include 'codes' and come from {ENCODINGS}, got {unknown}")
        if self.default_dataset not in self.datasets:
            raise ValueError(f"{self.name}: default dataset {self.default_dataset!r} is not in {self.datasets}")
        object.__setattr__(self, "thin_net", dict(self.thin_net))

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of choices at each position."""
        return tuple(len(c) for c in self.choices)

    def summary(self) -> dict[str, Any]:
        """JSON-ready view (for ``naslens spaces`` and provenance records)."""
        return {
            "name": self.name,
            "description": self.description,
            "size": self.size,
            "enumerable": self.enumerable,
            "has_isomorphism": self.has_isomorphism,
            "num_classes": self.num_classes,
            "datasets": list(self.datasets),
            "default_dataset": self.default_dataset,
            "cost_columns": list(self.cost_columns),
            "positions": len(self.positions),
            "cardinalities": list(self.cardinalities),
            "encodings": list(self.encodings),
            "has_supernet": self.has_supernet,
            "supernet_modes": list(self.supernet_modes),
            "key_format": self.key_format,
        }


# ---------------------------------------------------------------------- estimators and their results
FAMILIES = ("structural", "zeroshot", "oneshot", "predictor", "ensemble", "stored", "low-fidelity")
"""Estimator families (:attr:`EstimatorInfo.family`)."""
BN_MODES = ("train", "eval", "removed", "n/a")
"""BatchNorm modes an estimator may declare (:attr:`EstimatorInfo.bn_mode`)."""
STATUS_OK = "ok"
"""Status of a usable score; the others are ``nan``, ``inf`` and ``failed: <reason>``."""


@dataclass(frozen=True)
class EstimatorInfo:
    """Metadata every estimator declares; code branches on these fields, never on names.

    Attributes:
        name: registry name (or a derived name such as ``oneshot_acc@savg3`` for a store-level ensemble).
        family: one of :data:`FAMILIES`.
        higher_is_better: how to read the score.
        needs_data / needs_labels / needs_training: what computing it needs.
        bn_mode: BatchNorm mode while scoring (:data:`BN_MODES`).
        precision: floating-point precision of the computation (``float32``, ``float64``, ``n/a``).
        description: one line (may hold a formula with ``[…]``; printed literally).
        dataset: the images the scores were computed or trained on, when the estimator itself fixes them (a
            supernet trained on Fashion-MNIST); empty when its configuration says (``data``/``dataset``) or none
            are used. Not part of the configuration hash; evaluation warns when it differs from the ground truth's.
    """

    name: str
    family: str
    higher_is_better: bool = True
    needs_data: bool = False
    needs_labels: bool = False
    needs_training: bool = False
    bn_mode: str = "n/a"  # "train" | "eval" | "removed" | "n/a"
    precision: str = "n/a"  # "float32" | "float64" | "n/a"
    description: str = ""
    dataset: str = ""

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, got {self.family!r}")
        if self.bn_mode not in BN_MODES:
            raise ValueError(f"bn_mode must be train/eval/removed/n/a, got {self.bn_mode!r}")


def config_hash(config: dict[str, Any]) -> str:
    """Stable 12-hex-digit hash of a JSON-serialisable configuration (key order does not matter).

    Example:
        >>> config_hash({"estimator": "params", "dataset": "cifar10"})
        '469ad2b18902'
    """
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def status_of(value: float) -> str:
    """``ok``, ``nan`` or ``inf`` for a computed value."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf"
    return STATUS_OK


@dataclass
class Scores:
    """Scores of one estimator configuration, aligned with ``keys``.

    ``status[i]`` is ``ok``, ``nan``, ``inf`` or ``failed: <reason>``; ``values[i]`` is NaN for failures.
    """

    info: EstimatorInfo
    config: dict[str, Any]
    keys: list[str]
    values: np.ndarray
    status: list[str]
    seconds: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=np.float64)
        n = len(self.keys)
        if self.values.shape != (n,) or len(self.status) != n:
            raise ValueError(f"scores misaligned: {n} keys, values {self.values.shape}, {len(self.status)} statuses")

    @classmethod
    def from_values(
        cls, info: EstimatorInfo, config: dict[str, Any], keys: Sequence[str], values: Sequence[float] | np.ndarray
    ) -> Scores:
        vals = np.asarray(values, dtype=np.float64)
        return cls(info, config, list(keys), vals, [status_of(float(v)) for v in vals])

    @property
    def finite(self) -> np.ndarray:
        """Mask of usable scores."""
        return np.isfinite(self.values) & np.array([s == STATUS_OK for s in self.status], dtype=bool)

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.status:
            k = "failed" if s.startswith("failed") else s
            counts[k] = counts.get(k, 0) + 1
        return counts

    @property
    def config_hash(self) -> str:
        return config_hash(self.config)

    def describe(self) -> dict[str, Any]:
        return {"info": asdict(self.info), "config": self.config, "config_hash": self.config_hash}


# ---------------------------------------------------------------------- what a run shares, which run a column is
@dataclass(frozen=True)
class ScoringContext:
    """The run settings shared by every estimator an evaluation (or a scoring run) builds.

    ``create_estimator(name, context, **options)`` takes it explicitly; every registered estimator declares which
    of these fields its factory takes (its other keyword arguments are its *options*, checked against its schema),
    so shared settings reach the estimators that use them and a mistyped option is an error, never swallowed.

    Attributes:
        dataset: dataset of the ground truth the scores are compared with (``cifar10``, ``fashion-mnist``). With
            ``net`` unset, estimators that build networks use the space's benchmark network for it
            (``space.net_config(dataset)``); it is recorded in every configuration (provenance).
        seed: seed of seeded estimators (network initialisation, random scores, batch selection).
        net: network settings of the space (``space.net_config`` keys) the ground truth was trained with, for a
            ground truth that naslens built with its own recipe; ``None``: the benchmark network of ``dataset``.
        data: image source of data-using estimators (a ``naslens.data`` source such as ``cifar10``,
            ``fashion-mnist`` or ``noise``); ``None``: the estimator's default for ``dataset``.
        data_root: folder holding that data (``None``: naslens' default location).
        device: ``auto``, ``cpu`` or ``cuda`` (``None``: the estimator's default).
        batch_size: images per batch of data-using estimators (``None``: the estimator's default).
        n_batches: batches per architecture of data-using estimators (``None``: the estimator's default).

    Example:
        >>> ctx = ScoringContext(dataset="fashion-mnist", net={"C": 8, "N": 2})
        >>> ctx.given(("dataset", "seed", "device"))
        {'dataset': 'fashion-mnist', 'seed': 0}
    """

    dataset: str | None = None
    seed: int = 0
    net: Mapping[str, Any] | None = None
    data: str | None = None
    data_root: str | None = None
    device: str | None = None
    batch_size: int | None = None
    n_batches: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        for name in ("batch_size", "n_batches"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1):
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.net is not None:
            if not isinstance(self.net, Mapping):
                raise ValueError(f"net must be a mapping of network settings, got {type(self.net).__name__}")
            object.__setattr__(self, "net", dict(self.net))

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """Names of the shared settings."""
        return tuple(cls.__dataclass_fields__)

    def given(self, names: Sequence[str] | None = None) -> dict[str, Any]:
        """The settings among ``names`` (default: all) that are set (not ``None``)."""
        return {n: getattr(self, n) for n in (names or self.fields()) if getattr(self, n) is not None}

    def replace(self, **changes: Any) -> ScoringContext:
        """A copy with some settings changed (``None`` values leave a setting as it is)."""
        unknown = sorted(set(changes) - set(self.fields()))
        if unknown:
            raise ValueError(f"unknown run setting(s) {unknown}; the shared settings are {list(self.fields())}")
        return ScoringContext(**{**_shallow_fields(self), **{k: v for k, v in changes.items() if v is not None}})


def _shallow_fields(obj: Any) -> dict[str, Any]:
    """A dataclass' fields as a dict, values not copied (``dataclasses.asdict`` deep-copies)."""
    return {n: getattr(obj, n) for n in obj.__dataclass_fields__}


@dataclass(frozen=True)
class RunId:
    """Which run a column of scores is: estimator, seed, checkpoint and store-level ensemble as separate fields.

    Labels such as ``oneshot_acc@savg3@epoch-0060#seed0`` are for display only; analyses group by these fields.
    This class is the one place that reads the store's derived estimator names (``<estimator>@<ensemble>``,
    written by the one-shot ensembles: ``savg3`` = scores averaged over 3 checkpoints, ``seeds`` = averaged over
    seeds, ``classmean`` = averaged over isomorphism classes) and old labels.

    Attributes:
        estimator: the registered estimator (``oneshot_acc``), never a label.
        seed: the run's seed (initialisation or supernet-training seed); ``None`` for estimators without one;
            ``-1`` for an aggregate over seeds (``ensemble`` says how).
        checkpoint: the supernet checkpoint (``epoch-0060``), ``""`` for none.
        ensemble: the store-level combination of the estimator's runs, ``""`` for none.

    Example:
        >>> r = RunId.from_stored("oneshot_acc@savg3", seed=0, checkpoint="epoch-0060")
        >>> r.estimator, r.ensemble, r.checkpoint, r.label()
        ('oneshot_acc', 'savg3', 'epoch-0060', 'oneshot_acc@savg3@epoch-0060#seed0')
        >>> RunId.from_label("oneshot_acc@savg3@epoch-0060#seed0") == r
        True
    """

    estimator: str
    seed: int | None = None
    checkpoint: str = ""
    ensemble: str = ""

    def __post_init__(self) -> None:
        if not self.estimator or "@" in self.estimator or "#" in self.estimator:
            raise ValueError(f"estimator of a run must be a plain name (no '@' or '#'), got {self.estimator!r}")
        if "@" in self.ensemble or "#" in self.ensemble or "#" in self.checkpoint:
            raise ValueError(f"bad ensemble {self.ensemble!r} or checkpoint {self.checkpoint!r}")

    @classmethod
    def from_stored(cls, name: str, seed: int | None = None, checkpoint: str = "") -> RunId:
        """The run of a store row: ``name`` is the stored estimator name, possibly ``<estimator>@<ensemble>``."""
        base, _, ensemble = name.partition("@")
        return cls(base, None if seed is None else int(seed), checkpoint or "", ensemble)

    @classmethod
    def from_label(cls, label: str) -> RunId:
        """Read a display label ``<estimator>[@<ensemble>][@<checkpoint>][#seed<s>]`` (old evaluation files).

        A label with a single ``@`` part is read as a checkpoint (labels always end with the checkpoint); prefer
        :meth:`from_stored` with the stored name and checkpoint where they are known.
        """
        text, sep, seed_part = label.partition("#")
        seed: int | None = None
        if sep:
            if not seed_part.startswith("seed"):
                raise ValueError(f"label {label!r}: expected '#seed<N>' after '#'")
            try:
                seed = int(seed_part[4:])
            except ValueError:
                raise ValueError(f"label {label!r}: seed {seed_part[4:]!r} is not an integer") from None
        parts = text.split("@")
        if len(parts) > 3:
            raise ValueError(f"label {label!r} has more than two '@' parts")
        base = parts[0]
        ensemble = parts[1] if len(parts) == 3 else ""
        checkpoint = parts[-1] if len(parts) >= 2 else ""
        return cls(base, seed, checkpoint, ensemble)

    @property
    def stored_name(self) -> str:
        """The estimator name the store holds these scores under (``oneshot_acc@savg3``)."""
        return self.estimator + (f"@{self.ensemble}" if self.ensemble else "")

    @property
    def series(self) -> tuple[str, str, int | None]:
        """``(estimator, ensemble, seed)``: the runs that differ only in their checkpoint form one series."""
        return (self.estimator, self.ensemble, self.seed)

    def label(self, with_seed: bool = True) -> str:
        """Display label: ``<estimator>[@<ensemble>][@<checkpoint>][#seed<s>]``."""
        seed = f"#seed{self.seed}" if with_seed and self.seed is not None else ""
        return self.stored_name + (f"@{self.checkpoint}" if self.checkpoint else "") + seed

    def as_dict(self) -> dict[str, Any]:
        """The four columns (``seed`` ``None`` when the estimator has none)."""
        return {
            "estimator": self.estimator,
            "seed": self.seed,
            "checkpoint": self.checkpoint,
            "ensemble": self.ensemble,
        }
