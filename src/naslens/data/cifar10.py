"""The shared CIFAR-10 subset (``cifar10/cifar10_partial.npz``) with the NAS-Bench-201 normalisation.

The file holds ``x_train`` (5,085 × 32 × 32 × 3 uint8, HWC), ``y_train``, ``x_test`` (1,017) and ``y_test``; it is
read by path from the shared data folder (:func:`naslens.config.data_dir`), never copied into the package.
Images are scaled to [0, 1] and normalised per channel as the benchmark does:
``x̂ = (x/255 − mean) / std`` with mean ``[125.3, 123.0, 113.9]/255`` and std ``[63.0, 62.1, 66.7]/255``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from naslens.config import data_dir
from naslens.types import UserError

CIFAR10_MEAN = (125.3 / 255, 123.0 / 255, 113.9 / 255)
CIFAR10_STD = (63.0 / 255, 62.1 / 255, 66.7 / 255)
RELATIVE_PATH = Path("cifar10") / "cifar10_partial.npz"
SPLITS = ("train", "test", "all")


class CIFAR10Error(UserError, RuntimeError):
    """The CIFAR-10 subset file is missing or malformed."""


def cifar10_path(root: str | os.PathLike[str] | None = None) -> Path:
    """Path of the npz file under the shared data folder (``root`` overrides the folder)."""
    return data_dir(root) / RELATIVE_PATH


def cifar10_available(root: str | os.PathLike[str] | None = None) -> bool:
    return cifar10_path(root).is_file()


def normalize(images_hwc: np.ndarray) -> torch.Tensor:
    """uint8 (n, H, W, 3) → float32 (n, 3, H, W) with the benchmark normalisation."""
    if images_hwc.ndim != 4 or images_hwc.shape[-1] != 3:
        raise CIFAR10Error(f"expected (n, H, W, 3) images, got shape {images_hwc.shape}")
    x = torch.from_numpy(np.ascontiguousarray(images_hwc)).permute(0, 3, 1, 2).to(torch.float32) / 255.0
    mean = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous()


def load_cifar10_partial(
    root: str | os.PathLike[str] | None = None, split: str = "train"
) -> tuple[torch.Tensor, torch.Tensor, dict[str, Any]]:
    """Images (n, 3, 32, 32) float32 normalised, labels (n,) int64, and provenance.

    Args:
        root: shared data folder (default :func:`naslens.config.data_dir`).
        split: ``train`` (5,085 images), ``test`` (1,017) or ``all`` (train then test).

    Raises:
        CIFAR10Error: missing file (the message names the path and ``NASLENS_DATA``) or bad contents.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    path = cifar10_path(root)
    if not path.is_file():
        raise CIFAR10Error(
            f"CIFAR-10 subset not found at {path}; set NASLENS_DATA to the shared data folder, "
            "or use --data fashion-mnist / --data noise"
        )
    st = path.stat()
    x, y, meta = _load(str(path), st.st_mtime_ns, st.st_size, split)
    return x, y, dict(meta)


@lru_cache(maxsize=4)
def _load(path_text: str, mtime_ns: int, size: int, split: str) -> tuple[torch.Tensor, torch.Tensor, dict[str, Any]]:
    """Read and normalise one split once per file version (keyed by path, mtime and size): every seeded batch of a
    run (thousands in a search) indexes the same tensors instead of re-reading the file. Callers must not modify the
    returned tensors in place (indexing them, as :mod:`naslens.data.batches` does, copies)."""
    path = Path(path_text)
    try:
        with np.load(path) as z:
            parts = [("x_train", "y_train"), ("x_test", "y_test")]
            if split == "train":
                parts = parts[:1]
            elif split == "test":
                parts = parts[1:]
            xs = [z[a] for a, _ in parts]
            ys = [z[b] for _, b in parts]
    except (OSError, KeyError, ValueError) as e:
        raise CIFAR10Error(f"{path}: not the expected CIFAR-10 npz ({e})") from e
    x_np = np.concatenate(xs)
    y_np = np.concatenate(ys).astype(np.int64).reshape(-1)
    if x_np.dtype != np.uint8 or len(x_np) != len(y_np):
        raise CIFAR10Error(
            f"{path}: expected uint8 images aligned with labels, got {x_np.dtype}, {len(x_np)}/{len(y_np)}"
        )
    if y_np.min() < 0 or y_np.max() > 9:
        raise CIFAR10Error(f"{path}: labels outside 0..9")
    meta = {
        "source": "cifar10",
        "path": str(path),
        "file_bytes": size,
        "split": split,
        "n": len(y_np),
        "normalization": {"mean": list(CIFAR10_MEAN), "std": list(CIFAR10_STD)},
    }
    return normalize(x_np), torch.from_numpy(y_np), meta
