"""Seeded batch provider: identical batches per call, shapes per network, provenance, clear errors."""

from __future__ import annotations

import pytest
import torch

from naslens.data.batches import BatchSpec, make_batches, provenance_key


def test_noise_batches_are_seeded_and_shaped():
    spec = BatchSpec(source="noise", batch_size=5, n_batches=3, seed=4, shape=(3, 16, 16), num_classes=120)
    b1, prov = make_batches(spec)
    b2, _ = make_batches(spec)
    assert len(b1) == 3 and tuple(b1[0][0].shape) == (5, 3, 16, 16)
    assert all(torch.equal(x1, x2) and torch.equal(y1, y2) for (x1, y1), (x2, y2) in zip(b1, b2, strict=True))
    assert not torch.equal(b1[0][0], b1[1][0])
    assert prov["source"] == "noise" and prov["seed"] == 4 and prov["shape"] == [3, 16, 16]
    b3, _ = make_batches(BatchSpec(source="noise", batch_size=5, n_batches=3, seed=5, shape=(3, 16, 16)))
    assert not torch.equal(b1[0][0], b3[0][0])


def test_uniform_noise_has_unit_variance():
    ((x, _y),) = make_batches(BatchSpec(source="uniform", batch_size=64, n_batches=1))[0]
    assert abs(float(x.std()) - 1.0) < 0.02 and float(x.abs().max()) <= 3**0.5


def test_invalid_specs():
    with pytest.raises(ValueError, match="source"):
        BatchSpec(source="imagenet")
    with pytest.raises(ValueError):
        BatchSpec(batch_size=1)
    with pytest.raises(ValueError):
        BatchSpec(shape=(3, 32))  # type: ignore[arg-type]


@pytest.mark.needs_shared_data
def test_cifar10_batches(shared_data):
    spec = BatchSpec(source="cifar10", batch_size=16, n_batches=2, seed=0, data_root=str(shared_data))
    batches, prov = make_batches(spec)
    assert tuple(batches[0][0].shape) == (16, 3, 32, 32) and batches[0][1].dtype == torch.int64
    key = provenance_key(prov)
    assert key["indices_sha256"] and key["normalization"]["mean"][0] == pytest.approx(125.3 / 255)
    small, _ = make_batches(
        BatchSpec(source="cifar10", batch_size=16, n_batches=2, seed=0, shape=(3, 16, 16), data_root=str(shared_data))
    )
    assert tuple(small[0][0].shape) == (16, 3, 16, 16)
    assert torch.allclose(small[0][0], torch.nn.functional.avg_pool2d(batches[0][0], 2), atol=1e-5)
    with pytest.raises(ValueError, match="images requested"):
        make_batches(BatchSpec(source="cifar10", batch_size=6000, n_batches=1, data_root=str(shared_data)))


@pytest.mark.needs_fmnist
def test_fashion_mnist_batches_padded_and_replicated():
    from naslens.data.fashion_mnist import fmnist_available

    if not fmnist_available():
        pytest.skip("Fashion-MNIST files absent")
    batches, prov = make_batches(BatchSpec(source="fashion-mnist", batch_size=8, n_batches=1, shape=(3, 32, 32)))
    x = batches[0][0]
    assert tuple(x.shape) == (8, 3, 32, 32) and torch.equal(x[:, 0], x[:, 2])
    assert torch.all(x[:, :, :2, :] == x[:, :, :2, :].amin())  # padding = normalised background
    assert "padded" in prov["reshape"]
    b16, _ = make_batches(BatchSpec(source="fashion-mnist", batch_size=8, n_batches=1, shape=(3, 16, 16)))
    assert tuple(b16[0][0].shape) == (8, 3, 16, 16)
