"""Estimators registered with metadata and an option schema: listed without building, typos are errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from naslens.estimators import ESTIMATORS, create_estimator, list_estimators
from naslens.estimators.base import (
    REQUIRED,
    EstimatorConfigError,
    EstimatorEntry,
    add_estimator,
    estimator_entry,
)
from naslens.estimators.structural import ComplexityEstimator, RandomEstimator
from naslens.spaces import get_space
from naslens.types import EstimatorInfo, ScoringContext


@pytest.fixture
def scratch_names() -> Iterator[list[str]]:
    """Names registered by a test, removed afterwards (the registry is global)."""
    from naslens.estimators import base

    names: list[str] = []
    yield names
    for n in names:
        ESTIMATORS._entries.pop(n, None)
        base._ENTRIES.pop(n, None)


def test_structural_metadata_is_listed_without_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a: object, **k: object) -> None:
        raise AssertionError("listing built an estimator")

    monkeypatch.setattr(ComplexityEstimator, "__init__", boom)
    monkeypatch.setattr(RandomEstimator, "__init__", boom)
    entries = list_estimators("*")
    for name in ("params", "flops", "relu", "flops_all_ops", "random", "hybrid", "vote"):
        e = entries[name]
        assert isinstance(e, EstimatorEntry) and e.info is not None and e.info.name == name
        assert e.schema is not None
    assert entries["params"].info.family == "structural" and entries["params"].context == ("dataset", "net")
    assert entries["random"].context == ("seed",)
    assert entries["hybrid"].options()["members"] is REQUIRED


def test_structural_estimators_need_no_torch() -> None:
    code = (
        "import sys\n"
        "from naslens.estimators.base import create_estimator, estimator_entry\n"
        "e = estimator_entry('params'); create_estimator('random', seed=1); create_estimator('flops')\n"
        "assert e.info.family == 'structural'\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_options_are_errors_and_run_settings_pass_through() -> None:
    with pytest.raises(EstimatorConfigError, match=r"'params' has no option\(s\) \['datset'\]"):
        create_estimator("params", datset="cifar100")
    with pytest.raises(EstimatorConfigError, match="'random' has no option"):
        create_estimator("random", sede=3)
    # run settings an estimator does not take are shared context, not errors
    est = create_estimator("params", ScoringContext(dataset="cifar100", seed=5, device="cpu", data="noise"))
    assert est.config() == {"estimator": "params", "dataset": "cifar100"}
    assert create_estimator("random", ScoringContext(seed=7)).config() == {"estimator": "random", "seed": 7}
    # keyword run settings override the context
    assert create_estimator("random", ScoringContext(seed=7), seed=8).config()["seed"] == 8
    with pytest.raises(EstimatorConfigError, match="needs option"):
        create_estimator("hybrid")
    with pytest.raises(ValueError, match="seed must be an integer"):
        ScoringContext(seed="1")  # type: ignore[arg-type]


def test_ensemble_members_get_the_context() -> None:
    sp = get_space("nb201")
    archs = list(sp.enumerate()[:30])
    ctx = ScoringContext(dataset="cifar100", seed=2)
    sc = create_estimator("hybrid", ctx, members="params+random").score(sp, archs)
    assert sc.config["member_configs"] == [
        {"estimator": "params", "dataset": "cifar100"},
        {"estimator": "random", "seed": 2},
    ]
    with pytest.raises(EstimatorConfigError, match="'vote' has no option"):
        create_estimator("vote", member="params,flops")


def test_applicability_says_which_spaces() -> None:
    macro, nb201 = get_space("nb-macro").info, get_space("nb201").info
    assert estimator_entry("relu").not_applicable(nb201) is None
    assert "declares no cost column relu" in str(estimator_entry("relu").not_applicable(macro))
    assert estimator_entry("params").not_applicable(macro) is None


def test_old_style_registration_keeps_working(scratch_names: list[str]) -> None:
    class Old:
        info = EstimatorInfo("old_style_demo", "structural")

        def __init__(self, **kw: object) -> None:
            self.kw = kw

    scratch_names.append("old_style_demo")
    ESTIMATORS.register("old_style_demo")(Old)
    entry = estimator_entry("old_style_demo")
    assert entry.info is None and entry.schema is None
    est = create_estimator("old_style_demo", ScoringContext(dataset="cifar10"), anything=1)
    assert est.kw == {"dataset": "cifar10", "seed": 0, "anything": 1}  # type: ignore[attr-defined]


def test_new_registration_checks_its_declaration(scratch_names: list[str]) -> None:
    info = EstimatorInfo("new_style_demo", "structural", description="width [x] literally")
    scratch_names.append("new_style_demo")
    add_estimator(
        "new_style_demo", lambda seed=0, scale=1.0: (seed, scale), info=info, schema={"scale": 1.0}, context=("seed",)
    )
    assert create_estimator("new_style_demo", ScoringContext(seed=4), scale=2.0) == (4, 2.0)
    with pytest.raises(ValueError, match="already registered"):
        add_estimator("new_style_demo", lambda: None, info=info)
    with pytest.raises(ValueError, match="registered with the info of"):
        add_estimator("other_demo", lambda: None, info=info)
    with pytest.raises(ValueError, match="clash with run settings"):
        EstimatorEntry("x", lambda: None, info, schema={"seed": 0})
    with pytest.raises(ValueError, match="are not run settings"):
        EstimatorEntry("x", lambda: None, info, schema={}, context=("sed",))
