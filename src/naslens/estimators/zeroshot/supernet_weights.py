"""Zero-shot proxies on one-shot weights: the paths of a trained supernet checkpoint instead of fresh networks.

With a checkpoint (``RunContext.checkpoint``), every architecture is scored on ``supernet.to_standalone(arch)``: the
space's standalone network holding the path's trained weights (as the NeurIPS'21 study "Evaluating Efficient
Performance Estimators of Neural Architectures" does at several epochs). The run's network *is* the supernet's (its
settings, the training images' size and channels); the checkpoint is identified by its file's sha256, its epoch,
the training seed and the training configuration's hash, all recorded in the stored configuration, so scores of
different epochs or runs never mix. Scores are stored under the checkpoint label (``epoch-0010``) and the training
seed, like one-shot scores.

A proxy scored on the space's thin network cannot apply (the checkpoint holds no thin weights); an architecture the
supernet does not hold (an op pruned from its training) is stored as ``failed: cannot apply: …``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from naslens.types import SpaceCapabilityError, UserError

DEFAULT_TRAIN_DATASET = "fashion-mnist"
"""What a checkpoint's supernet was trained on when its configuration does not say (naslens' trainer: Fashion-MNIST)."""


class SupernetWeightsError(UserError, ValueError):
    """A checkpoint cannot be used for zero-shot scoring (missing, not a supernet checkpoint, another space)."""


@dataclass(frozen=True)
class SupernetWeights:
    """A loaded supernet checkpoint.

    Attributes:
        path: the checkpoint file.
        sha256: the file's sha256.
        epoch: epochs completed when it was written.
        seed: the training seed.
        train_hash: hash of the training configuration (what was trained, less seed and length).
        dataset: what the supernet was trained on.
        net: the space's network settings of the supernet (``input_size`` included: the training images' side).
        supernet: the supernet module holding the checkpoint's weights (CPU).
    """

    path: str
    sha256: str
    epoch: int
    seed: int
    train_hash: str
    dataset: str
    net: dict[str, Any]
    supernet: Any

    @property
    def label(self) -> str:
        """The store's checkpoint label, ``epoch-XXXX``."""
        return f"epoch-{self.epoch:04d}"

    def record(self) -> dict[str, Any]:
        """What the stored configuration records of the checkpoint (not its path: a moved file is the same)."""
        return {"sha256": self.sha256, "epoch": self.epoch, "seed": self.seed, "train_hash": self.train_hash}


def file_sha256(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_supernet_weights(path: str | os.PathLike[str], space: Any) -> SupernetWeights:
    """Load ``path`` (a ``naslens oneshot train`` checkpoint) as weights for ``space``'s standalone networks.

    Loading is cached per (file, size, modification time, space).

    Raises:
        SupernetWeightsError: the file is missing or unreadable, is no supernet checkpoint, or holds a supernet
            of another space.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise SupernetWeightsError(f"checkpoint {p}: no such file") from None
    return _load(str(p.resolve()), st.st_size, st.st_mtime_ns, space)


@lru_cache(maxsize=4)
def _load(path: str, size: int, mtime: int, space: Any) -> SupernetWeights:
    from naslens.estimators.oneshot.checkpoint import CheckpointError, load_checkpoint
    from naslens.estimators.oneshot.train_config import SupernetTrainConfig, TrainConfigError
    from naslens.estimators.oneshot.trainer import build_supernet

    if not space.info.has_supernet:
        raise SpaceCapabilityError(f"space {space.name!r} has no supernet: a supernet checkpoint cannot apply to it")
    try:
        ck = load_checkpoint(path)
        raw = dict(ck["config"])
        train = SupernetTrainConfig.from_dict(raw)
        if train.space != space.name:
            raise SupernetWeightsError(f"checkpoint {path}: a supernet of space {train.space!r}, not {space.name!r}")
        supernet = build_supernet(train)
        supernet.load_state_dict(ck["model"])
        epoch = int(ck["epoch"])
    except (CheckpointError, TrainConfigError, KeyError, TypeError, RuntimeError) as e:
        raise SupernetWeightsError(f"checkpoint {path}: not a usable supernet checkpoint ({e})") from None
    supernet.eval()
    net = {k: v for k, v in supernet.config.items() if k in space.info.net_keys}
    if "input_size" in space.info.net_keys:
        net["input_size"] = int(getattr(train, "input_size", net.get("input_size", 0)))
    try:
        space.net_config(None, **net)
    except ValueError as e:
        raise SupernetWeightsError(f"checkpoint {path}: not a supernet of space {space.name!r} ({e})") from None
    _probe(supernet, space, path)
    return SupernetWeights(
        path=path,
        sha256=file_sha256(path),
        epoch=epoch,
        seed=int(train.seed),
        train_hash=str(train.hash),
        dataset=str(raw.get("dataset", DEFAULT_TRAIN_DATASET)),
        net=net,
        supernet=supernet,
    )


def _probe(supernet: Any, space: Any, path: str) -> None:
    """Check that ``supernet`` turns some architecture of ``space`` into a standalone network (the first one it
    holds, in the space's order; a supernet trained with ops removed does not hold every architecture)."""
    archs = space.enumerate() if space.info.enumerable else []
    if not archs:
        rng = np.random.default_rng(0)
        archs = [space.sample(rng) for _ in range(1000)]
    first: Exception | None = None
    for arch in archs:
        try:
            supernet.check_arch(arch)
        except Exception as e:  # any failure: this architecture is not one of the supernet's paths
            first = first or e
            continue
        try:
            supernet.to_standalone(arch)
            return
        except Exception as e:  # a path it holds but cannot turn into the space's network: another space
            first = e
            break
    raise SupernetWeightsError(f"checkpoint {path}: not a supernet of space {space.name!r} ({first})")


def standalone(weights: SupernetWeights, arch: Any) -> Any:
    """``arch``'s standalone network with the checkpoint's weights (``ValueError`` when the supernet lacks it)."""
    return weights.supernet.to_standalone(arch)
