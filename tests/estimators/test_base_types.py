"""Core estimator types live in the leaf module ``naslens.types``; ``estimators.base`` re-exports them, and the
configuration hash (the key of every stored score) is unchanged by the move."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import naslens.estimators.base as base
import naslens.types as types
from naslens.estimators import create_estimator

OLD_HASHES = [
    # (configuration, hash computed with the code before the move: naslens.estimators.base.config_hash at f9b8604)
    ({"estimator": "params", "dataset": "cifar10"}, "469ad2b18902"),
    ({"estimator": "flops", "dataset": "cifar10"}, "b7fd651085fa"),
    ({"estimator": "relu", "dataset": "cifar10"}, "d750a8871eb3"),
    ({"estimator": "flops_all_ops", "dataset": "cifar10"}, "05bebfd49a07"),
    ({"estimator": "random", "seed": 3}, "459bd3b73203"),
    ({"estimator": "params", "dataset": "cifar100"}, "8acbc1a91bed"),
    (
        {"estimator": "synflow", "options": {}, "net": {"C": 16, "N": 5}, "init_seed": 0, "x": [1, 2.5, None]},
        "5ca54187d47e",
    ),
]


@pytest.mark.parametrize(("config", "expected"), OLD_HASHES)
def test_old_hashes_stay_valid(config: dict, expected: str) -> None:
    assert types.config_hash(config) == expected
    assert types.config_hash(dict(reversed(list(config.items())))) == expected


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("params", {}, "469ad2b18902"),
        ("flops", {}, "b7fd651085fa"),
        ("relu", {}, "d750a8871eb3"),
        ("flops_all_ops", {}, "05bebfd49a07"),
        ("params", {"dataset": "cifar100"}, "8acbc1a91bed"),
        ("random", {"seed": 3}, "459bd3b73203"),
    ],
)
def test_structural_configurations_keep_their_hashes(name: str, kwargs: dict, expected: str) -> None:
    """Benchmark-network configurations of the structural estimators hash as before (stores stay valid)."""
    assert types.config_hash(create_estimator(name, **kwargs).config()) == expected


def test_base_reexports_the_leaf_types() -> None:
    for name in ("EstimatorInfo", "Scores", "config_hash", "status_of", "STATUS_OK", "FAMILIES"):
        assert getattr(base, name) is getattr(types, name)


def test_types_is_a_leaf_and_store_imports_down() -> None:
    src = Path(types.__file__).read_text()
    imported = [n.module or "" for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ImportFrom)] + [
        a.name for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Import) for a in n.names
    ]
    assert not [m for m in imported if m.startswith("naslens")]
    store_src = Path(types.__file__).with_name("store.py").read_text()
    assert "naslens.estimators" not in store_src


def test_scores_status_and_info_checks() -> None:
    info = types.EstimatorInfo("x", "structural")
    sc = types.Scores.from_values(info, {"estimator": "x"}, ["a", "b", "c"], [1.0, np.nan, np.inf])
    assert sc.status == ["ok", "nan", "inf"]
    assert sc.finite.tolist() == [True, False, False]
    assert sc.status_counts() == {"ok": 1, "nan": 1, "inf": 1}
    with pytest.raises(ValueError, match="family must be one of"):
        types.EstimatorInfo("x", "magic")
    with pytest.raises(ValueError, match="bn_mode"):
        types.EstimatorInfo("x", "zeroshot", bn_mode="frozen")
    with pytest.raises(ValueError, match="misaligned"):
        types.Scores(info, {}, ["a"], np.array([1.0, 2.0]), ["ok"])
