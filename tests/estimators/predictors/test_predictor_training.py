"""The neural training loop: losses on hand-computed cases, pair drawing, determinism, hyperparameter checks."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch

from naslens.estimators.predictors import PredictorError, create_predictor
from naslens.estimators.predictors.training import NEURAL_DEFAULTS, check_training, draw_pairs, pair_loss
from naslens.spaces import get_space

SPACE = get_space("nb201")
ARCHS = [SPACE.sample(np.random.default_rng(i)) for i in range(24)]
Y = np.array([float((SPACE.encode(a, "codes") == 3).sum() + 0.1 * i) for i, a in enumerate(ARCHS)])


def _loss(s: list[float], y: list[float], loss: str, margin: float = 0.1, max_pairs: int = 100) -> float:
    gen = torch.Generator().manual_seed(0)
    return float(pair_loss(torch.tensor(s), torch.tensor(y), loss, margin, max_pairs, gen))


# ---------------------------------------------------------------------- losses
def test_hinge_is_zero_when_every_pair_is_ordered_beyond_the_margin() -> None:
    assert _loss([1.0, 0.5, 0.0], [3.0, 2.0, 1.0], "ranking") == 0.0


def test_hinge_with_margin_by_hand() -> None:
    # pairs (0,1): y0 < y1, s0 - s1 = -0.05 -> max(0, m - 0.05); (0,2): y0 < y2, s0 - s2 = -1 -> max(0, m - 1);
    # (1,2): equal targets, not a pair
    s, y = [0.0, 0.05, 1.0], [1.0, 2.0, 2.0]
    assert _loss(s, y, "ranking", margin=0.1) == pytest.approx((0.05 + 0.0) / 2)
    assert _loss(s, y, "ranking", margin=1.0) == pytest.approx((0.95 + 0.0) / 2)
    assert _loss(s, y, "ranking", margin=0.0) == 0.0
    # a wrongly ordered pair costs margin + the score gap
    assert _loss([0.3, 0.0], [0.0, 1.0], "ranking", margin=0.1) == pytest.approx(0.4)


def test_bce_against_the_formula() -> None:
    s, y = [0.3, -0.2, 0.9], [1.0, 0.0, 0.5]
    # pairs (0,1): d=0.5, y0>y1 -> -log σ(0.5); (0,2): d=-0.6, y0>y2 -> -log σ(-0.6);
    # (1,2): d=-1.1, y1<y2 -> -log(1 - σ(-1.1)) = -log σ(1.1)
    expected = np.mean([math.log1p(math.exp(-0.5)), math.log1p(math.exp(0.6)), math.log1p(math.exp(-1.1))])
    assert _loss(s, y, "bce") == pytest.approx(expected, rel=1e-6)


def test_regression_is_the_mean_squared_error() -> None:
    assert _loss([1.0, 2.0, 4.0], [1.0, 0.0, 1.0], "regression") == pytest.approx((0 + 4 + 9) / 3)


def test_equal_targets_give_a_zero_loss_that_still_backpropagates() -> None:
    s = torch.tensor([0.4, -1.0], requires_grad=True)
    value = pair_loss(s, torch.tensor([2.0, 2.0]), "ranking", 0.1, 10, torch.Generator().manual_seed(0))
    value.backward()
    assert float(value.detach()) == 0.0 and s.grad is not None and s.grad.tolist() == [0.0, 0.0]


def test_an_unknown_loss_is_refused() -> None:
    with pytest.raises(PredictorError, match="unknown loss 'hinge'; choose one of ranking, regression, bce"):
        _loss([0.0, 1.0], [0.0, 1.0], "hinge")


# ---------------------------------------------------------------------- pairs
def test_draw_pairs_excludes_equal_targets() -> None:
    i, j = draw_pairs(torch.tensor([1.0, 1.0, 2.0, 1.0]), 100, torch.Generator().manual_seed(0))
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 2), (1, 2), (2, 3)]


def test_draw_pairs_caps_at_max_pairs() -> None:
    y = torch.tensor([0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])  # 45 pairs, 44 with different targets
    i, j = draw_pairs(y, 7, torch.Generator().manual_seed(3))
    assert i.numel() == j.numel() == 7
    assert bool(torch.all(y[i] != y[j])) and bool(torch.all(i < j))
    all_i, _ = draw_pairs(y, 44, torch.Generator().manual_seed(3))
    assert all_i.numel() == 44
    none_i, _ = draw_pairs(torch.ones(5), 7, torch.Generator().manual_seed(3))
    assert none_i.numel() == 0


# ---------------------------------------------------------------------- the loop
@pytest.mark.parametrize("name", ["mlp", "lstm"])
def test_a_fit_is_deterministic_per_seed(name: str) -> None:
    small = {"hidden": 8, "epochs": 4, "batch_size": 10}

    def scores(seed: int) -> np.ndarray:
        return create_predictor(name, random_state=seed, **small).fit(ARCHS, Y).predict(ARCHS)

    assert np.array_equal(scores(5), scores(5))
    assert not np.array_equal(scores(5), scores(6))


def test_a_fit_leaves_the_global_torch_rng_alone() -> None:
    torch.manual_seed(11)
    expected = torch.rand(3)
    torch.manual_seed(11)
    create_predictor("mlp", hidden=8, epochs=2).fit(ARCHS, Y)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("loss", ["ranking", "regression", "bce"])
def test_each_loss_trains_and_records_its_curve(loss: str) -> None:
    p = create_predictor("mlp", hidden=16, layers=2, epochs=30, batch_size=8, loss=loss).fit(ARCHS, Y)
    assert len(p.loss_curve_) == 30 and all(np.isfinite(p.loss_curve_))
    assert np.mean(p.loss_curve_[-5:]) < np.mean(p.loss_curve_[:5])


def test_regression_predicts_on_the_target_scale() -> None:
    p = create_predictor("mlp", hidden=16, epochs=60, loss="regression").fit(ARCHS, 1000.0 + Y)
    pred = p.predict(ARCHS)
    assert p.y_mean_ == pytest.approx(1000.0 + Y.mean()) and abs(pred.mean() - p.y_mean_) < Y.std()


def test_a_constant_target_fits_without_error() -> None:
    p = create_predictor("mlp", hidden=8, epochs=2).fit(ARCHS, np.full(len(ARCHS), 3.0))
    assert p.y_std_ == 1.0 and p.predict(ARCHS).shape == (len(ARCHS),)


def test_every_neural_predictor_lists_the_training_defaults() -> None:
    for name in ("mlp", "lstm"):
        params = create_predictor(name).get_params()
        assert {k: params[k] for k in NEURAL_DEFAULTS} == NEURAL_DEFAULTS
        assert params["random_state"] == 0


# ---------------------------------------------------------------------- hyperparameter checks
def _training(**overrides: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**NEURAL_DEFAULTS, **overrides})


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"loss": "hinge"}, "unknown loss 'hinge'"),
        ({"epochs": 0}, "epochs must be a positive integer, got 0"),
        ({"batch_size": 1.5}, "batch_size must be a positive integer, got 1.5"),
        ({"max_pairs_factor": -1}, "max_pairs_factor must be a positive integer"),
        ({"lr": 0.0}, "lr must be positive"),
        ({"margin": -0.1}, "margin and weight_decay must be >= 0"),
        ({"weight_decay": -1.0}, "margin and weight_decay must be >= 0"),
    ],
)
def test_check_training_refuses(overrides: dict, match: str) -> None:
    with pytest.raises(PredictorError, match=match):
        check_training(_training(**overrides))


def test_check_training_accepts_the_defaults_and_fit_runs_it() -> None:
    check_training(_training())
    check_training(_training(epochs=np.int64(3)))
    with pytest.raises(PredictorError, match="epochs must be a positive integer"):
        create_predictor("lstm", epochs=0).fit(ARCHS, Y)
