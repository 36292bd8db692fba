"""Variance reduction: weight averaging, score averaging over checkpoints and seeds, class means."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from naslens.estimators.base import EstimatorInfo
from naslens.estimators.oneshot.ensembles import (
    average_state_dicts,
    class_average,
    class_mean,
    mean_of,
    seed_average,
    temporal_score_average,
)
from naslens.spaces.nb201 import NB201Arch, NB201Space, canonical
from naslens.store import ScoreStore


def test_average_state_dicts() -> None:
    a = {"w": torch.tensor([1.0, 3.0]), "n": torch.tensor(4)}
    b = {"w": torch.tensor([3.0, 5.0]), "n": torch.tensor(7)}
    avg = average_state_dicts([a, b])
    assert torch.equal(avg["w"], torch.tensor([2.0, 4.0])) and int(avg["n"]) == 7
    with pytest.raises(ValueError, match="shapes"):
        average_state_dicts([a, {"w": torch.zeros(3), "n": torch.tensor(1)}])
    with pytest.raises(ValueError, match="nothing"):
        average_state_dicts([])


def test_mean_of_and_class_mean() -> None:
    values, status = mean_of([np.array([1.0, np.nan, 2.0]), np.array([3.0, 1.0, 4.0])])
    assert values[0] == 2.0 and np.isnan(values[1]) and values[2] == 3.0
    assert status[0] == "ok" and status[1].startswith("failed: 1 of 2")
    space = NB201Space()
    archs = list(space.enumerate())
    ids = space.class_ids
    big = int(np.argmax(space.class_sizes))
    members = [a for a, c in zip(archs, ids, strict=True) if c == big][:3]
    other = NB201Arch(("nor_conv_3x3",) * 6)
    keys = [space.key(a) for a in [*members, other]]
    reps, means, st = class_mean(keys, np.array([1.0, 2.0, 6.0, 5.0]), space)
    rep_of = {canonical(a): space.key(a) for a in space.deiso_representatives()}
    assert dict(zip(reps, means, strict=True)) == {rep_of[canonical(members[0])]: 3.0, rep_of[canonical(other)]: 5.0}
    assert st == ["ok", "ok"]


def _fill(store: ScoreStore, keys: list[str], table: dict[tuple[int, str], list[float]]) -> None:
    info = EstimatorInfo("oneshot_acc", "oneshot", needs_training=True)
    for (seed, label), vals in table.items():
        store.put_many(
            "nb201",
            [(k, v, None, None) for k, v in zip(keys, vals, strict=True)],
            info,
            {"estimator": "oneshot_acc"},
            seed=seed,
            checkpoint=label,
        )


def test_store_combinations(tmp_path: Path) -> None:
    space = NB201Space()
    archs = [NB201Arch.from_index(i) for i in (0, 11, 284)]
    keys = sorted(space.key(a) for a in archs)
    with ScoreStore(tmp_path) as st:
        _fill(
            st,
            keys,
            {
                (0, "epoch-0001"): [1, 2, 3],
                (0, "epoch-0002"): [3, 4, 5],
                (0, "epoch-0003"): [5, 6, 7],
                (1, "epoch-0001"): [3, 2, 1],
                (1, "epoch-0002"): [5, 6, 9],
            },
        )
        assert temporal_score_average(st, "nb201", "oneshot_acc", k=2, seed=0) == ["epoch-0002", "epoch-0003"]
        s = st.scores("nb201", "oneshot_acc@savg2", keys, checkpoint="epoch-0003")
        np.testing.assert_array_equal(s.values, [4, 5, 6])
        assert seed_average(st, "nb201", "oneshot_acc") == ["epoch-0001", "epoch-0002"]
        s = st.scores("nb201", "oneshot_acc@seeds", keys, checkpoint="epoch-0002")
        np.testing.assert_array_equal(s.values, [4, 5, 7])
        assert s.extra["seed"] == -1 and s.config["ensemble"]["seeds"] == [0, 1]
        assert class_average(st, "nb201", "oneshot_acc") == 5
        rep_of = {canonical(a): space.key(a) for a in space.deiso_representatives()}
        reps = [rep_of[canonical(space.parse(k))] for k in keys]
        c = st.scores("nb201", "oneshot_acc@classmean", reps, seed=1, checkpoint="epoch-0001")
        np.testing.assert_array_equal(c.values, [3, 2, 1])  # one stored member per class: its score
        with pytest.raises(ValueError, match="2 seeds"):
            seed_average(st, "nb201", "oneshot_acc", seeds=[0])
        with pytest.raises(ValueError, match=r"seed\(s\) \[5\]"):
            seed_average(st, "nb201", "oneshot_acc", seeds=[0, 5])
        with pytest.raises(ValueError, match=r"no scores of seed 7 .*seeds: \[0, 1\]"):
            temporal_score_average(st, "nb201", "oneshot_acc", k=2, seed=7)
