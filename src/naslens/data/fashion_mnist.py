"""Fashion-MNIST from the Debian ``dataset-fashion-mnist`` idx files, split deterministically and kept in memory.

Splits: ``val`` is carved from the 60,000 training images and is disjoint from ``train``; ``test`` comes from the
10,000 test images. All three are chosen by one seeded permutation per source file, so the same ``seed`` and sizes
always give the same images. Images can be resized (bilinear, antialiased), replicated to 3 channels and normalised
with the mean/std of the *training split* (recorded in ``meta``).

The files are read from ``root``, else ``$NASLENS_FMNIST``, else ``/usr/share/datasets/fashion-mnist``.
"""

from __future__ import annotations

import gzip
import os
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from naslens.types import UserError

DEFAULT_ROOT = Path("/usr/share/datasets/fashion-mnist")
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
N_TRAIN_FILE = 60_000
N_TEST_FILE = 10_000
NUM_CLASSES = 10
CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


class FashionMNISTError(UserError, RuntimeError):
    """The Fashion-MNIST files are missing or malformed, or the requested split is impossible."""


@dataclass(frozen=True)
class ImageSplits:
    """Train / validation / test tensors of one dataset, kept in memory.

    Attributes:
        train_x: ``(n, C, H, W)`` float32 images (normalised when requested).
        train_y: ``(n,)`` int64 labels.
        val_x: validation images, disjoint from the training images.
        val_y: validation labels.
        test_x: test images.
        test_y: test labels.
        meta: provenance: source paths, sizes, seed, image size, channels, normalisation mean/std.
    """

    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return int(self.meta.get("num_classes", NUM_CLASSES))

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        c, h, w = self.train_x.shape[1:]
        return int(c), int(h), int(w)


def default_root() -> Path:
    """``$NASLENS_FMNIST`` if set, else the Debian package's folder."""
    env = os.environ.get("NASLENS_FMNIST")
    return Path(env) if env else DEFAULT_ROOT


def fmnist_available(root: str | Path | None = None) -> bool:
    """Whether all four idx files exist under ``root`` (default: :func:`default_root`)."""
    r = Path(root) if root is not None else default_root()
    return all((r / f).is_file() for f in FILES.values())


def _missing_message(root: Path, missing: list[str]) -> str:
    return (
        f"Fashion-MNIST files not found in {root} (missing: {', '.join(missing)}). Install them with "
        "'sudo apt-get install dataset-fashion-mnist' (Debian/Ubuntu; the files land in "
        "/usr/share/datasets/fashion-mnist), "
        "or download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist into a folder and "
        "point NASLENS_FMNIST (or root=) at it."
    )


def read_idx(path: str | Path) -> np.ndarray:
    """Read one (optionally gzipped) idx file into a uint8 array of its stored shape.

    Raises:
        FashionMNISTError: the file is not an unsigned-byte idx file or is truncated.
    """
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    try:
        with opener(p, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise FashionMNISTError(f"cannot read {p}: {e}") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise FashionMNISTError(f"{p}: not an idx file (bad magic number)")
    if raw[2] != 0x08:
        raise FashionMNISTError(f"{p}: idx data type 0x{raw[2]:02x} is not unsigned byte (0x08)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise FashionMNISTError(f"{p}: truncated idx header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    n = int(np.prod(shape))
    if len(raw) - header != n:
        raise FashionMNISTError(f"{p}: expected {n} data bytes for shape {shape}, found {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


@lru_cache(maxsize=2)
def _read_all(root: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r = Path(root)
    missing = [f for f in FILES.values() if not (r / f).is_file()]
    if missing:
        raise FashionMNISTError(_missing_message(r, missing))
    arrays = [read_idx(r / FILES[k]) for k in ("train_images", "train_labels", "test_images", "test_labels")]
    xtr, ytr, xte, yte = arrays
    expected = ((N_TRAIN_FILE, 28, 28), (N_TRAIN_FILE,), (N_TEST_FILE, 28, 28), (N_TEST_FILE,))
    names = ("train images", "train labels", "test images", "test labels")
    for a, shape, name in zip(arrays, expected, names, strict=True):
        if a.shape != shape:
            raise FashionMNISTError(f"{r}: {name} have shape {a.shape}, expected {shape}")
    if ytr.max() >= NUM_CLASSES or yte.max() >= NUM_CLASSES:
        raise FashionMNISTError(f"{r}: labels outside 0..{NUM_CLASSES - 1}")
    return xtr, ytr, xte, yte


def _check_count(name: str, value: int | None, limit: int, *, allow_zero: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise FashionMNISTError(f"{name} must be an integer, got {value!r}")
    low = 0 if allow_zero else 1
    if not low <= value <= limit:
        raise FashionMNISTError(f"{name} must be in {low}..{limit}, got {value}")


def _to_tensor(images: np.ndarray, size: int, channels: int) -> torch.Tensor:
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    if size != 28:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    if channels == 3:
        x = x.expand(-1, 3, -1, -1)
    return x.contiguous()


def split_indices(
    *, n_train: int | None = None, n_val: int = 10000, n_test: int | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices (into the training file, the training file, the test file) of the train / val / test splits.

    Validation rows are sorted, training rows keep the permutation's order, test rows are sorted (all of them when
    ``n_test`` is ``None``). This is the rule :func:`load_fashion_mnist` uses.
    """
    _check_count("n_val", n_val, N_TRAIN_FILE - 1, allow_zero=True)
    _check_count("n_train", n_train, N_TRAIN_FILE - n_val)
    _check_count("n_test", n_test, N_TEST_FILE)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise FashionMNISTError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(N_TRAIN_FILE)
    n_tr = N_TRAIN_FILE - n_val if n_train is None else n_train
    val_idx = np.sort(perm[:n_val])
    train_idx = perm[n_val : n_val + n_tr]
    test_perm = rng.permutation(N_TEST_FILE)
    test_idx = np.arange(N_TEST_FILE) if n_test is None else np.sort(test_perm[:n_test])
    return train_idx, val_idx, test_idx


def load_fashion_mnist(
    root: str | Path | None = None,
    *,
    n_train: int | None = None,
    n_val: int = 10000,
    n_test: int | None = None,
    seed: int = 0,
    size: int = 28,
    channels: int = 1,
    normalize: bool = True,
) -> ImageSplits:
    """Seeded train / validation / test splits of Fashion-MNIST as in-memory tensors.

    One permutation of the 60,000 training images (``np.random.default_rng(seed)``) gives the validation images
    (its first ``n_val``) and the training images (the next ``n_train``, default all remaining); a second
    permutation from the same generator picks ``n_test`` of the 10,000 test images (default all, in file order).

    Args:
        root: folder holding the four idx ``.gz`` files; default ``$NASLENS_FMNIST`` or
            ``/usr/share/datasets/fashion-mnist``.
        n_train: number of training images (``None``: all 60,000 − ``n_val``).
        n_val: number of validation images, disjoint from the training images (0 allowed).
        n_test: number of test images (``None``: all 10,000).
        seed: split seed.
        size: output image side in pixels (28 keeps the originals; otherwise bilinear antialiased resize).
        channels: 1, or 3 to replicate the grey channel (for networks with an RGB stem).
        normalize: subtract the training split's mean pixel and divide by its std.

    Returns:
        The splits with ``meta`` recording sources, sizes, seed, image size, channels and mean/std.

    Raises:
        FashionMNISTError: the files are missing (the message says how to install them) or a size is invalid.

    Example:
        >>> s = load_fashion_mnist(n_train=1000, n_val=200, n_test=200, size=16)   # doctest: +SKIP
        >>> tuple(s.train_x.shape), tuple(s.val_y.shape)                           # doctest: +SKIP
        ((1000, 1, 16, 16), (200,))
    """
    train_idx, val_idx, test_idx = split_indices(n_train=n_train, n_val=n_val, n_test=n_test, seed=seed)
    if isinstance(size, bool) or not isinstance(size, int) or not 4 <= size <= 256:
        raise FashionMNISTError(f"size must be an integer in 4..256, got {size!r}")
    if channels not in (1, 3):
        raise FashionMNISTError(f"channels must be 1 or 3, got {channels!r}")
    r = Path(root) if root is not None else default_root()
    xtr, ytr, xte, yte = _read_all(str(r.resolve()))

    train_x = _to_tensor(xtr[train_idx], size, channels)
    val_x = _to_tensor(xtr[val_idx], size, channels)
    test_x = _to_tensor(xte[test_idx], size, channels)
    mean, std = 0.0, 1.0
    if normalize:
        mean = float(train_x.mean())
        std = float(train_x.std())
        if std <= 0:
            raise FashionMNISTError("training split has zero pixel variance; cannot normalise")
        train_x, val_x, test_x = ((t - mean) / std for t in (train_x, val_x, test_x))
    meta: dict[str, Any] = {
        "dataset": "fashion-mnist",
        "root": str(r),
        "files": dict(FILES),
        "n_train": len(train_idx),
        "n_val": len(val_idx),
        "n_test": len(test_idx),
        "seed": seed,
        "size": size,
        "channels": channels,
        "normalize": normalize,
        "mean": mean,
        "std": std,
        "num_classes": NUM_CLASSES,
        "split_rule": "numpy default_rng(seed): permutation of 60k train images -> val = first n_val, "
        "train = next n_train; second permutation of 10k test images -> test = first n_test",
    }

    def labels(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(a.astype(np.int64))

    return ImageSplits(
        train_x=train_x,
        train_y=labels(ytr[train_idx]),
        val_x=val_x,
        val_y=labels(ytr[val_idx]),
        test_x=test_x,
        test_y=labels(yte[test_idx]),
        meta=meta,
    )
