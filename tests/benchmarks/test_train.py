"""Recipes and standalone training."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from naslens.benchmarks.recipe import Recipe, RecipeError
from naslens.benchmarks.train import TrainingError, TrainResult, _lr_at, evaluate_accuracy, train_architecture
from naslens.data.fashion_mnist import ImageSplits, fmnist_available

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"
TINY = Recipe(name="tiny", C=8, N=1, input_size=8, n_train=500, n_val=100, n_test=200, epochs=1, batch_size=16,
              lr=0.05, eval_every=1)  # fmt: skip


def synthetic_splits(n: int = 256, size: int = 8, seed: int = 0) -> ImageSplits:
    """Two easily separable classes: bright squares in the left or the right half of the image."""
    g = torch.Generator().manual_seed(seed)

    def make(m: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, 2, (m,), generator=g)
        x = 0.3 * torch.randn(m, 1, size, size, generator=g)
        half = size // 2
        x[y == 0, :, :, :half] += 1.0
        x[y == 1, :, :, half:] += 1.0
        return x, y

    tx, ty = make(n)
    vx, vy = make(n // 2)
    ex, ey = make(n // 2)
    return ImageSplits(tx, ty, vx, vy, ex, ey, {"num_classes": 2, "dataset": "synthetic"})


# ---------------------------------------------------------------------- recipe
def test_recipe_yaml_roundtrip(tmp_path: Path) -> None:
    r = Recipe(name="x", C=8, N=2, schedule="step", epochs=6, step_epochs=(2, 4), lr=1)
    assert isinstance(r.lr, float) and r.lr == 1.0
    p = r.to_yaml(tmp_path / "r.yaml")
    assert Recipe.from_yaml(p) == r
    assert r.fingerprint == r.replace(name="other").fingerprint
    assert r.fingerprint != r.replace(epochs=7).fingerprint


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("C: 8\nfoo: 1\n", "unknown recipe field"),
        ("C: eight\n", "'C' must be int"),
        ("lr: -0.1\n", "'lr' must be > 0"),
        ("schedule: linear\n", "'schedule'"),
        ("nesterov: 1\n", "'nesterov' must be bool"),
        ("epochs: 3\nschedule: step\nstep_epochs: [3]\n", "step_epochs"),
        ("label_smoothing: 1.0\n", "label_smoothing"),
        ("n_train: 0\n", "n_train"),
        ("channels: 2\n", "channels"),
        ("dataset: cifar10\n", "dataset"),
        ("- 1\n- 2\n", "mapping"),
        ("C: [1\n", "not valid YAML"),
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("name: x\nepochs: 3\n", r"missing required recipe field\(s\) \['dataset'\]"),
    ],
)
def test_recipe_rejects_invalid(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.yaml"
    whole_file = text in ("", "# only a comment\n", "- 1\n- 2\n", "C: [1\n") or text.startswith("name:")
    p.write_text(text if whole_file else "name: t\ndataset: fashion-mnist\nepochs: 3\n" + text)
    with pytest.raises(RecipeError, match=match):
        Recipe.from_yaml(p)


def test_recipe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="not found"):
        Recipe.from_yaml(tmp_path / "nope.yaml")


def test_shipped_recipes_load() -> None:
    root = Path(__file__).resolve().parents[2] / "recipes"
    files = sorted(root.glob("*.yaml"))
    assert files, "no recipes shipped"
    for f in files:
        Recipe.from_yaml(f)


def test_lr_schedules() -> None:
    cos = Recipe(epochs=4, lr=0.2)
    assert _lr_at(cos, 0, 0, 10) == pytest.approx(0.2)
    assert _lr_at(cos, 2, 0, 10) == pytest.approx(0.1)
    assert _lr_at(cos, 3, 9, 10) == pytest.approx(0.2 * 0.5 * (1 + math.cos(math.pi * 39 / 40)))
    step = Recipe(epochs=6, lr=0.1, schedule="step", step_epochs=(2, 4), step_gamma=0.5)
    assert [round(_lr_at(step, e, 0, 5), 6) for e in range(6)] == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]


# ---------------------------------------------------------------------- training
def test_training_learns_synthetic_task_and_is_deterministic() -> None:
    torch.set_num_threads(1)
    data = synthetic_splits()
    r = Recipe(C=4, N=1, input_size=8, epochs=2, batch_size=32, lr=0.05, eval_every=1)
    seen: list[int] = []
    a = train_architecture(ARCH, r, 0, data=data, device="cpu", on_epoch=lambda e: seen.append(e.epoch))
    b = train_architecture(ARCH, r, 0, data=data, device="cpu")
    c = train_architecture(ARCH, r, 1, data=data, device="cpu")
    assert seen == [1, 2]
    assert a.test_acc > 80 and a.status == "ok"
    assert a.to_dict() | {"seconds": 0, "cpu_seconds": 0} != {}  # serialisable
    assert (a.test_acc, a.val_acc, a.train_loss) == (b.test_acc, b.val_acc, b.train_loss)
    assert a.history[0].train_loss == b.history[0].train_loss
    assert a.train_loss != c.train_loss
    assert a.arch == ARCH and a.seed == 0 and a.recipe == r.fingerprint and a.params > 0
    assert TrainResult.from_dict(a.to_dict()) == a


def test_eval_every_zero_evaluates_only_the_last_epoch() -> None:
    data = synthetic_splits(n=64)
    r = Recipe(C=2, N=1, input_size=8, epochs=2, batch_size=16, eval_every=0)
    res = train_architecture(ARCH, r, 0, data=data, device="cpu")
    assert res.history[0].test_acc is None and res.history[0].val_acc is None
    assert res.history[1].test_acc is not None


def test_training_rejects_bad_input() -> None:
    data = synthetic_splits(n=64)
    with pytest.raises(TrainingError, match="seed"):
        train_architecture(ARCH, TINY, -1, data=data)
    with pytest.raises(TrainingError, match="channels"):
        train_architecture(ARCH, TINY.replace(channels=3), 0, data=data, device="cpu")
    with pytest.raises(ValueError):
        train_architecture("|bogus~0|", TINY, 0, data=data)


def test_evaluate_accuracy_counts_correct() -> None:
    class Fixed(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.stack([x[:, 0], -x[:, 0]], 1)

    x = torch.tensor([[1.0], [2.0], [-1.0], [3.0]])
    y = torch.tensor([0, 0, 0, 1])
    assert evaluate_accuracy(Fixed(), x, y, batch_size=3) == 50.0
    with pytest.raises(TrainingError):
        evaluate_accuracy(Fixed(), x[:0], y[:0])


@pytest.mark.needs_fmnist
@pytest.mark.skipif(not fmnist_available(), reason="Fashion-MNIST idx files not installed")
def test_one_epoch_on_fashion_mnist_beats_chance() -> None:
    torch.set_num_threads(1)
    res = train_architecture(ARCH, TINY, 0, device="cpu")
    assert len(res.history) == 1
    assert res.test_acc > 30.0  # chance is 10 %
    assert res.val_acc is not None and res.val_acc > 30.0
