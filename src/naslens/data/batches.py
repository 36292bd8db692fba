"""Seeded mini-batches for zero-shot proxies, shaped for the network, with a provenance record.

Every architecture of a run sees exactly the same batches: the images are chosen by a seeded permutation of the
source (``np.random.default_rng(seed)``), cut into ``n_batches`` batches of ``batch_size`` and shaped to the
network's input ``(C, H, W)``:

- ``cifar10``: the shared CIFAR-10 subset with the benchmark normalisation; resized (area) when H ≠ 32.
- ``fashion-mnist``: 28×28 grey images, zero-padded (with the normalised background value) to 32×32, or resized
  for other sizes, replicated to C channels.
- ``noise`` / ``uniform``: seeded synthetic images and random labels (no dataset needed).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

SOURCES = ("cifar10", "fashion-mnist", "noise", "uniform")


@dataclass(frozen=True)
class BatchSpec:
    """What batches to make.

    Attributes:
        source: one of ``SOURCES``.
        batch_size: images per batch.
        n_batches: number of batches (scores are averaged over them).
        seed: selection / generation seed.
        shape: network input ``(C, H, W)``.
        num_classes: label range for synthetic labels (real labels are the dataset's).
        split: ``train`` or ``test`` images of a real dataset.
        data_root: shared data folder or Fashion-MNIST folder override (``None``: defaults).
    """

    source: str = "cifar10"
    batch_size: int = 128
    n_batches: int = 3
    seed: int = 0
    shape: tuple[int, int, int] = (3, 32, 32)
    num_classes: int = 10
    split: str = "train"
    data_root: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"data source must be one of {SOURCES}, got {self.source!r}")
        if self.batch_size < 2 or self.n_batches < 1:
            raise ValueError(f"batch_size must be ≥ 2 and n_batches ≥ 1, got {self.batch_size}, {self.n_batches}")
        if len(self.shape) != 3 or min(self.shape) < 1:
            raise ValueError(f"shape must be (C, H, W), got {self.shape!r}")
        if self.split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {self.split!r}")


def _resize(x: torch.Tensor, size: int) -> torch.Tensor:
    if x.shape[-1] == size and x.shape[-2] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="area" if size < x.shape[-1] else "bilinear")


def _channels(x: torch.Tensor, c: int) -> torch.Tensor:
    if x.shape[1] == c:
        return x
    if x.shape[1] == 1:
        return x.expand(-1, c, -1, -1).contiguous()
    raise ValueError(f"cannot turn {x.shape[1]}-channel images into {c} channels")


def _real_images(spec: BatchSpec, n: int) -> tuple[torch.Tensor, torch.Tensor, dict[str, Any]]:
    c, h, _ = spec.shape
    if spec.source == "cifar10":
        from naslens.data.cifar10 import load_cifar10_partial

        x, y, meta = load_cifar10_partial(spec.data_root, split=spec.split)
        if len(y) < n:
            raise ValueError(f"{n} images requested but the CIFAR-10 {spec.split} subset has {len(y)}")
        idx = np.random.default_rng(spec.seed).permutation(len(y))[:n]
        x, y = x[torch.from_numpy(idx)], y[torch.from_numpy(idx)]
        meta["indices_sha256"] = hashlib.sha256(idx.astype(np.int64).tobytes()).hexdigest()[:16]
        if c != 3:
            raise ValueError(f"CIFAR-10 images have 3 channels, the network expects {c}")
        return _resize(x, h), y, meta
    from naslens.data.fashion_mnist import load_fashion_mnist

    split_kw = (
        {"n_train": n, "n_val": 0, "n_test": 1} if spec.split == "train" else {"n_train": 1, "n_val": 0, "n_test": n}
    )
    s = load_fashion_mnist(spec.data_root, seed=spec.seed, size=28, channels=1, normalize=True, **split_kw)
    x, y = (s.train_x, s.train_y) if spec.split == "train" else (s.test_x, s.test_y)
    meta = {"source": "fashion-mnist", "split": spec.split, **{k: v for k, v in s.meta.items() if k != "source"}}
    if h == 32:
        background = float(x.amin())  # the normalised value of a 0 pixel (Fashion-MNIST borders are 0)
        x = F.pad(x, (2, 2, 2, 2), value=background)
        meta["reshape"] = "zero-padded 28→32 (normalised background)"
    else:
        x = _resize(x, h)
        meta["reshape"] = f"resized 28→{h}"
    return _channels(x, c), y, meta


def make_batches(spec: BatchSpec) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], dict[str, Any]]:
    """The ``n_batches`` (x, y) batches of ``spec`` and a JSON-serialisable provenance dict.

    Example:
        >>> batches, prov = make_batches(BatchSpec(source="noise", batch_size=4, n_batches=2, shape=(3, 8, 8)))
        >>> len(batches), tuple(batches[0][0].shape), prov["source"]
        (2, (4, 3, 8, 8), 'noise')
    """
    n = spec.batch_size * spec.n_batches
    if spec.source in ("noise", "uniform"):
        from naslens.data.synthetic import synthetic_images

        x, y = synthetic_images(n, spec.shape, spec.num_classes, seed=spec.seed, kind=spec.source)
        meta: dict[str, Any] = {"source": spec.source, "generator": "torch.Generator", "labels": "uniform random"}
    else:
        x, y, meta = _real_images(spec, n)
    if tuple(x.shape[1:]) != tuple(spec.shape):
        raise ValueError(f"batches have shape {tuple(x.shape[1:])}, the network expects {spec.shape}")
    bs = spec.batch_size
    batches = [(x[i * bs : (i + 1) * bs].contiguous(), y[i * bs : (i + 1) * bs]) for i in range(spec.n_batches)]
    prov = {**{k: v for k, v in asdict(spec).items() if k != "data_root"}, **meta, "shape": list(spec.shape)}
    prov["source"] = spec.source
    return batches, prov


def provenance_key(prov: dict[str, Any]) -> dict[str, Any]:
    """The part of the provenance that defines the batches (what goes into an estimator's config hash)."""
    keep = (
        "source",
        "batch_size",
        "n_batches",
        "seed",
        "shape",
        "split",
        "num_classes",
        "indices_sha256",
        "normalization",
        "reshape",
        "file_bytes",
    )
    return {k: prov[k] for k in keep if k in prov}
