"""Fashion-MNIST idx reader and seeded splits."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from naslens.data.fashion_mnist import (
    FashionMNISTError,
    fmnist_available,
    load_fashion_mnist,
    read_idx,
    split_indices,
)


def _write_idx(path: Path, arr: np.ndarray, *, gz: bool = True) -> Path:
    header = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    data = header + arr.astype(np.uint8).tobytes()
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def test_read_idx_roundtrip(tmp_path: Path) -> None:
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "a.gz", arr)), arr)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "b", arr, gz=False)), arr)


def test_read_idx_rejects_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(FashionMNISTError, match="magic"):
        read_idx(bad)
    arr = np.zeros((5, 2), dtype=np.uint8)
    p = _write_idx(tmp_path / "t", arr, gz=False)
    p.write_bytes(p.read_bytes()[:-3])
    with pytest.raises(FashionMNISTError, match="expected 10 data bytes"):
        read_idx(p)
    f32 = tmp_path / "f"
    f32.write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x01" + b"\x00" * 4)
    with pytest.raises(FashionMNISTError, match="unsigned byte"):
        read_idx(f32)


def test_missing_files_say_how_to_install(tmp_path: Path) -> None:
    assert not fmnist_available(tmp_path)
    with pytest.raises(FashionMNISTError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path, n_train=10, n_val=10, n_test=10)


def test_env_variable_sets_default_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASLENS_FMNIST", str(tmp_path))
    with pytest.raises(FashionMNISTError, match=str(tmp_path)):
        load_fashion_mnist(n_train=10, n_val=10, n_test=10)


def test_split_indices_disjoint_and_deterministic() -> None:
    tr, va, te = split_indices(n_train=50_000, n_val=10_000, n_test=2_000, seed=3)
    assert len(tr) == 50_000 and len(va) == 10_000 and len(te) == 2_000
    assert not set(tr.tolist()) & set(va.tolist())
    assert len(set(tr.tolist()) | set(va.tolist())) == 60_000
    assert len(set(te.tolist())) == 2_000 and te.max() < 10_000
    tr2, va2, te2 = split_indices(n_train=50_000, n_val=10_000, n_test=2_000, seed=3)
    assert np.array_equal(tr, tr2) and np.array_equal(va, va2) and np.array_equal(te, te2)
    _, va3, _ = split_indices(n_train=50_000, n_val=10_000, n_test=2_000, seed=4)
    assert not np.array_equal(va, va3)
    # the validation set does not depend on how many training images are taken
    _, va4, _ = split_indices(n_train=100, n_val=10_000, seed=3)
    assert np.array_equal(va, va4)
    assert len(split_indices(n_val=0)[0]) == 60_000
    assert len(split_indices()[2]) == 10_000


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_val": 60_000}, "n_val"),
        ({"n_val": 10_000, "n_train": 50_001}, "n_train"),
        ({"n_test": 0}, "n_test"),
        ({"n_test": 10_001}, "n_test"),
        ({"n_train": 1.5}, "n_train"),
        ({"seed": "0"}, "seed"),
    ],
)
def test_split_indices_invalid(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(FashionMNISTError, match=match):
        split_indices(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "match"), [({"size": 2}, "size"), ({"channels": 2}, "channels")])
def test_load_invalid_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(FashionMNISTError, match=match):
        load_fashion_mnist(n_train=10, n_val=10, n_test=10, **kwargs)  # type: ignore[arg-type]


@pytest.mark.needs_fmnist
@pytest.mark.skipif(not fmnist_available(), reason="Fashion-MNIST idx files not installed")
class TestRealFiles:
    def test_shapes_and_types(self) -> None:
        s = load_fashion_mnist(n_train=500, n_val=200, n_test=300, size=16, seed=1)
        assert tuple(s.train_x.shape) == (500, 1, 16, 16)
        assert tuple(s.val_x.shape) == (200, 1, 16, 16)
        assert tuple(s.test_x.shape) == (300, 1, 16, 16)
        assert s.train_x.dtype == torch.float32 and s.train_y.dtype == torch.int64
        assert s.input_shape == (1, 16, 16) and s.num_classes == 10
        assert set(s.train_y.unique().tolist()) <= set(range(10)) and len(s.train_y.unique()) == 10
        assert s.meta["n_train"] == 500 and s.meta["size"] == 16 and s.meta["seed"] == 1
        assert abs(float(s.train_x.mean())) < 1e-4 and abs(float(s.train_x.std()) - 1) < 1e-3

    def test_full_default_sizes(self) -> None:
        s = load_fashion_mnist(size=28, normalize=False)
        assert len(s.train_y) == 50_000 and len(s.val_y) == 10_000 and len(s.test_y) == 10_000
        assert float(s.train_x.min()) >= 0.0 and float(s.train_x.max()) <= 1.0
        assert s.meta["mean"] == 0.0 and s.meta["std"] == 1.0

    def test_images_are_the_split_rows(self) -> None:
        s = load_fashion_mnist(n_train=100, n_val=50, n_test=40, seed=2, normalize=False)
        tr, va, te = split_indices(n_train=100, n_val=50, n_test=40, seed=2)
        from naslens.data.fashion_mnist import FILES, default_root

        raw_tr = read_idx(default_root() / FILES["train_images"])
        raw_te_y = read_idx(default_root() / FILES["test_labels"])
        np.testing.assert_allclose(s.train_x[:, 0].numpy(), raw_tr[tr] / 255.0, atol=1e-6)
        np.testing.assert_allclose(s.val_x[:, 0].numpy(), raw_tr[va] / 255.0, atol=1e-6)
        np.testing.assert_array_equal(s.test_y.numpy(), raw_te_y[te])

    def test_deterministic_per_seed(self) -> None:
        a = load_fashion_mnist(n_train=300, n_val=100, n_test=100, size=12, seed=5)
        b = load_fashion_mnist(n_train=300, n_val=100, n_test=100, size=12, seed=5)
        c = load_fashion_mnist(n_train=300, n_val=100, n_test=100, size=12, seed=6)
        assert torch.equal(a.train_x, b.train_x) and torch.equal(a.val_y, b.val_y) and torch.equal(a.test_x, b.test_x)
        assert not torch.equal(a.train_y, c.train_y)

    def test_three_channels_replicate(self) -> None:
        s = load_fashion_mnist(n_train=20, n_val=10, n_test=10, size=16, channels=3)
        assert tuple(s.train_x.shape) == (20, 3, 16, 16)
        assert torch.equal(s.train_x[:, 0], s.train_x[:, 2])
