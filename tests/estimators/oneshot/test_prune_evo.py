"""The ``evolutionary`` sampler (soft pruning): settings, selection rules, the population/uniform mix, the update
schedule, candidate generation, checkpointed state, exact resume and determinism per seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.checkpoint import load_checkpoint
from naslens.estimators.oneshot.prune_evo import EvolutionarySampler, EvoSettings, select_population
from naslens.estimators.oneshot.sampler_factory import make_sampler
from naslens.estimators.oneshot.subspace import SamplerError
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, TrainConfigError
from naslens.estimators.oneshot.trainer import build_supernet, train_supernet
from naslens.spaces import get_space

SMALL = {"population": 6, "warmup": 2, "every": 2, "candidates": 4, "tournament": 3, "score_batches": 1,
         "score_batch_size": 16}  # fmt: skip


def _evo_config(tiny_config: SupernetTrainConfig, **controller: Any) -> SupernetTrainConfig:
    return tiny_config.replace(
        sampler="evolutionary", controller={**SMALL, **controller}, net={"C": 2, "N": 1}, epochs=5, batch_size=32
    )


# ---------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"population": 0}, "population"),
        ({"mix": (0.5, 0.5, 0.5)}, "sum to 1"),
        ({"mix": (1.2, -0.2, 0.0)}, "≥ 0"),
        ({"mix": "abc"}, "mix"),
        ({"objective": "multi"}, "objective"),
        ({"reward": "f1"}, "reward"),
        ({"population_share": 1.5}, "population_share"),
        ({"score_batch_size": 1}, "score_batch_size"),
        ({"warmup": 0}, "warmup"),
        ({"rescore": "yes"}, "rescore"),
        ({"populaton": 5}, "unknown controller"),
    ],
)
def test_settings_are_validated(bad: dict[str, Any], match: str) -> None:
    with pytest.raises(SamplerError, match=match):
        EvoSettings.from_dict(bad)


def test_config_checks_the_controller(tiny_config: SupernetTrainConfig) -> None:
    with pytest.raises(TrainConfigError, match="evolutionary sampler"):
        tiny_config.replace(controller={"population": 5})
    with pytest.raises(TrainConfigError, match=r"controller: .*objective"):
        tiny_config.replace(sampler="evolutionary", controller={"objective": "x"})
    with pytest.raises(TrainConfigError, match="not subspace"):
        tiny_config.replace(sampler="evolutionary", subspace=("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",))
    with pytest.raises(SamplerError, match="evolutionary sampler only"):
        make_sampler("uniform", controller={"population": 5})
    cfg = tiny_config.replace(sampler="evolutionary", controller={"population": 7})
    assert cfg.controller == {**EvoSettings().to_dict(), "population": 7}  # completed with the defaults
    assert SupernetTrainConfig.from_dict(cfg.to_dict()) == cfg and cfg.hash != tiny_config.hash
    assert "controller" not in tiny_config.to_dict() and "finetune_from" not in tiny_config.to_dict()


def test_update_schedule_and_candidate_split() -> None:
    s = EvoSettings(warmup=3, every=2, candidates=7, mix=(0.0, 0.5, 0.5))
    assert [e for e in range(1, 12) if s.updates_at(e)] == [3, 5, 7, 9, 11]
    assert s.split() == (0, 4, 3) and sum(EvoSettings(candidates=9).split()) == 9


# ---------------------------------------------------------------------- selection
def test_single_objective_keeps_the_best_rewards_nan_last() -> None:
    assert select_population([3.0, float("nan"), 5.0, 1.0, 5.0], [1, 1, 1, 1, 1], 3, "single") == [2, 4, 0]
    assert select_population([float("nan"), 1.0], [1, 1], 2, "single") == [1, 0]


def test_pareto_keeps_every_non_dominated_member() -> None:
    # (params, reward): 0 (1, 0.2) and 1 (2, 0.5) and 2 (4, 0.9) are the front; 3 (3, 0.4) and 4 (5, 0.8) dominated
    params, rewards = [1.0, 2.0, 4.0, 3.0, 5.0], [0.2, 0.5, 0.9, 0.4, 0.8]
    assert sorted(select_population(rewards, params, 3, "pareto")) == [0, 1, 2]
    kept = select_population(rewards, params, 4, "pareto")  # the whole front, then the best of level 2
    assert sorted(kept[:3]) == [0, 1, 2] and kept[3] == 4
    assert select_population(rewards, params, 3, "single") == [2, 4, 1]  # single: reward only


# ---------------------------------------------------------------------- mechanics
def _sampler_with_members(n: int = 3, share: float = 0.5) -> EvolutionarySampler:
    s = EvolutionarySampler(space="nb201", controller={**SMALL, "population_share": share})
    rng = np.random.default_rng(5)
    s.members = [(s.draw_one(rng), float(i), 100.0 + i) for i in range(n)]
    return s


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_training_draws_mix_population_and_uniform(share: float) -> None:
    s = _sampler_with_members(3, share)
    keys = set(s.population_keys())
    rng = np.random.default_rng(0)
    drawn = [s.step(rng)[0] for _ in range(4000)]
    from_pop = s.drawn_population / (s.drawn_population + s.drawn_uniform)
    assert s.drawn_population + s.drawn_uniform == 4000
    assert abs(from_pop - share) < 0.03
    # uniform draws hit one of 3 given architectures of 15,625 with probability ~2e-4: membership ≈ the share
    assert abs(np.mean([s.space.key(a) in keys for a in drawn]) - share) < 0.03
    empty = EvolutionarySampler(space="nb201", controller={**SMALL, "population_share": 1.0})
    empty.step(rng)
    assert empty.drawn_uniform == 1  # no population yet (warm-up): uniform


def test_mutation_changes_one_position_and_crossover_mixes_parents() -> None:
    s = _sampler_with_members(2)
    space = s.space
    parents = [tuple(space.encode(a, "codes")) for a, _, _ in s.members]
    rng = np.random.default_rng(1)
    for _ in range(50):
        child = tuple(space.encode(s._make("mutation", rng), "codes"))
        assert min(sum(c != p for c, p in zip(child, par, strict=True)) for par in parents) == 1
        cross = tuple(space.encode(s._make("crossover", rng), "codes"))
        assert all(c in {p[i] for p in parents} for i, c in enumerate(cross))


def test_mutation_stays_in_the_sub_space() -> None:
    s = EvolutionarySampler(space="nb201", ops=("none", "nor_conv_3x3", "skip_connect"), controller=SMALL)
    rng = np.random.default_rng(2)
    s.members = [(s.draw_one(rng), 1.0, 1.0), (s.draw_one(rng), 0.5, 1.0)]
    for how in ("mutation", "crossover", "random"):
        for _ in range(30):
            assert s.sub.holds(s._make(how, rng))


def test_updates_fill_then_evolve_the_population(splits: ImageSplits, tiny_config: SupernetTrainConfig) -> None:
    cfg = _evo_config(tiny_config)
    model = build_supernet(cfg)
    s = EvolutionarySampler(space="nb201", controller=SMALL)
    sizes: list[int] = []
    orig = s._score

    def counting(model: Any, archs: list[Any], val_x: Any, val_y: Any) -> Any:
        sizes.append(len(archs))
        return orig(model, archs, val_x, val_y)

    s._score = counting  # type: ignore[method-assign]
    rng = np.random.default_rng(0)
    assert s.end_epoch(model, 1, splits.val_x, splits.val_y, rng)["controller_update"] == 0 and not s.members
    row = s.end_epoch(model, 2, splits.val_x, splits.val_y, rng)  # end of warm-up: initial population
    assert row["controller_update"] == 1 and row["population"] == 6 and sizes == [6]
    first = set(s.population_keys())
    assert len(first) == 6  # distinct
    s.end_epoch(model, 3, splits.val_x, splits.val_y, rng)  # not an update epoch
    assert sizes == [6]
    s.end_epoch(model, 4, splits.val_x, splits.val_y, rng)  # update: members rescored + Sc = 4 new candidates
    assert sizes == [6, 10] and s.skipped == 0 and len(s.members) == 6 and s.updates == [2, 4]
    rewards = [r for _, r, _ in s.members]
    assert rewards == sorted(rewards, reverse=True)  # single objective: the best 6 of 10, best first
    assert all(n > 0 for _, _, n in s.members)


# ---------------------------------------------------------------------- with the trainer
def test_trainer_runs_the_controller_and_resumes_exactly(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    cfg = _evo_config(tiny_config)
    full = train_supernet(cfg, tmp_path / "full", data=splits, progress=False)
    assert [h["controller_update"] for h in full.history] == [0, 1, 0, 1, 0]
    assert [h["population"] for h in full.history] == [0, 6, 6, 6, 6]
    drawn = [h["drawn_population"] for h in full.history]
    assert drawn[1] == 0 and drawn[-1] > 0  # population draws only after the first update
    train_supernet(cfg, tmp_path / "part", data=splits, progress=False, stop_after=3)  # a kill after epoch 3
    resumed = train_supernet(cfg, tmp_path / "part", data=splits, progress=False, resume=True)
    a, b = load_checkpoint(tmp_path / "full" / "last.pt"), load_checkpoint(tmp_path / "part" / "last.pt")
    assert a["sampler_state"] == b["sampler_state"] and len(a["sampler_state"]["population"]) == 6
    cols = [c for c in full.history[0] if c != "seconds"]  # NaN-aware equality of the history (no timings)
    assert pd.DataFrame(full.history)[cols].equals(pd.DataFrame(resumed.history)[cols])
    sa, sb = full.model.state_dict(), resumed.model.state_dict()
    assert all(np.array_equal(sa[k].numpy(), sb[k].numpy()) for k in sa)


def test_determinism_per_seed(tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig) -> None:
    data = splits
    cfg = _evo_config(tiny_config, population=4, candidates=2).replace(epochs=4)
    pops = []
    for i, seed in enumerate((0, 0, 1)):
        train_supernet(cfg.replace(seed=seed), tmp_path / f"r{i}", data=data, progress=False)
        pops.append(load_checkpoint(tmp_path / f"r{i}" / "last.pt")["sampler_state"]["population"])
    assert pops[0] == pops[1] and pops[0] != pops[2]


def test_small_validation_split_refused_before_training(
    tmp_path: Path, splits: ImageSplits, tiny_config: SupernetTrainConfig
) -> None:
    cfg = _evo_config(tiny_config, score_batches=3, score_batch_size=32)
    with pytest.raises(SamplerError, match="96 images"):
        train_supernet(cfg, tmp_path / "run", data=splits, progress=False)
    assert not (tmp_path / "run" / "last.pt").exists()


def test_pareto_population_is_non_dominated_first(splits: ImageSplits, tiny_config: SupernetTrainConfig) -> None:
    model = build_supernet(_evo_config(tiny_config))
    s = EvolutionarySampler(space=get_space("nb201"), controller={**SMALL, "objective": "pareto", "population": 30})
    s.end_epoch(model, 2, splits.val_x, splits.val_y, np.random.default_rng(3))
    from naslens.analysis.pareto import pareto_levels

    params = [n for _, _, n in s.members]
    rewards = [r for _, r, _ in s.members]
    levels = pareto_levels(params, rewards)
    assert list(levels) == sorted(levels)  # whole levels in order (all 30 initial members are kept)
