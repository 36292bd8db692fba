"""Zero-shot estimators, the resumable whole-space runner and the ``naslens score`` command."""

from __future__ import annotations

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from naslens.cli_score import app, resolve_proxies
from naslens.estimators import create_estimator
from naslens.estimators.base import config_hash
from naslens.estimators.zeroshot.estimator import RunContext
from naslens.estimators.zeroshot.runner import score_space
from naslens.spaces import get_space
from naslens.store import ScoreStore

SMALL = {
    "dataset": "ImageNet16-120",
    "data": "noise",
    "batch_size": 6,
    "n_batches": 2,
    "seed": 0,
    "net": {"C": 4, "N": 1},
    "device": "cpu",
}


@pytest.fixture(scope="module")
def space():
    return get_space("nb201")


def test_estimator_config_records_data_and_is_registered(space):
    est = create_estimator("snip", space="nb201", **SMALL)
    cfg = est.config()
    assert cfg["data"]["source"] == "noise" and cfg["data"]["batch_size"] == 6 and cfg["data"]["n_batches"] == 2
    assert cfg["data"]["shape"] == [3, 16, 16] and cfg["init_seed"] == 0 and cfg["net"]["num_classes"] == 120
    assert est.info.family == "zeroshot" and est.info.needs_labels
    archs = [space.parse(i) for i in (0, 1, 2)]
    sc = est.score(space, archs)
    assert sc.status == ["ok"] * 3 and len(set(sc.values.tolist())) == 3
    again = create_estimator("snip", **SMALL).score(space, archs)
    assert again.values.tolist() == sc.values.tolist()  # seeded: same init and batches
    other = create_estimator("snip", space="nb201", **{**SMALL, "seed": 1})
    assert config_hash(other.config()) != config_hash(cfg)


def test_runner_resumes_without_recomputing(space, tmp_path):
    archs = [space.parse(i) for i in (5, 6, 7, 8)]
    ctx = RunContext(**SMALL)
    names = ["snip", "synflow", "jacob_cov"]
    seen: list[str] = []
    with ScoreStore(tmp_path) as st:
        first = score_space(space, archs[:2], names, ctx, store=st, progress=False)
        assert len(first) == 2
        score_space(space, archs, names, ctx, store=st, progress=False, on_result=lambda k, _: seen.append(k))
        assert seen == [space.key(a) for a in archs[2:]]  # only the two new architectures
        seen.clear()
        score_space(space, archs, names, ctx, store=st, progress=False, on_result=lambda k, _: seen.append(k))
        assert seen == []
        table = st.table()
        assert len(table) == 4 * 3 and not table.duplicated(["arch", "estimator"]).any()
        stored = st.scores("nb201", "snip", [space.key(a) for a in archs])
        assert stored.status == ["ok"] * 4
        assert stored.values[0] == pytest.approx(first[space.key(archs[0])]["snip"].value)


def test_failures_are_stored_with_reason(space, tmp_path):
    dead = space.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")  # output independent of the input
    with ScoreStore(tmp_path) as st:
        score_space(space, [dead], ["jacob_cov", "synflow"], RunContext(**SMALL), store=st, progress=False)
        sc = st.scores("nb201", "jacob_cov", [space.key(dead)])
        assert sc.status[0].startswith("failed:") and "constant" in sc.status[0] and math.isnan(sc.values[0])


def test_parallel_workers_match_serial(space, tmp_path):
    archs = [space.parse(i) for i in (10, 11, 12)]
    ctx = RunContext(**SMALL)
    serial = score_space(space, archs, ["grad_norm", "nwot"], ctx, progress=False)
    with ScoreStore(tmp_path) as st:
        score_space(space, archs, ["grad_norm", "nwot"], ctx, store=st, workers=2, progress=False)
        par = st.scores("nb201", "nwot", [space.key(a) for a in archs])
    expected = [serial[space.key(a)]["nwot"] for a in archs]
    np.testing.assert_allclose(par.values, [o.value for o in expected], rtol=1e-9, equal_nan=True)
    assert par.status == [o.status for o in expected]


def test_cli_helpers():
    assert resolve_proxies("snip, grad_*") == ["snip", "grad_norm"]
    assert "zen" in resolve_proxies("all")
    with pytest.raises(Exception, match="no proxy matches"):
        resolve_proxies("nothing_like_this")


def test_cli_score_and_ensemble(tmp_path):
    runner = CliRunner()
    args = [
        "--proxies",
        "snip,synflow",
        "--data",
        "noise",
        "--dataset",
        "ImageNet16-120",
        "--sample",
        "2",
        "--batch-size",
        "4",
        "--n-batches",
        "1",
        "--store",
        str(tmp_path),
        "--quiet",
        "--ensemble",
        "hybrid:synflow+params",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "hybrid:synflow+params" in res.output
    with ScoreStore(tmp_path) as st:
        assert set(st.estimators()) == {"snip", "synflow", "params", "hybrid:synflow+params"}
    res = runner.invoke(app, [*args[:-2], "--data", "bogus"])
    assert res.exit_code != 0


def test_network_overrides_are_applied_and_recorded(space):
    est = create_estimator("linear_regions", space="nb201", **{**SMALL, "net": {"C": 16, "N": 5}})
    assert est.config()["net"]["C"] == 1 and est.config()["net"]["N"] == 1
    sc = est.score(space, [space.parse(0), space.parse(9930)])
    assert sc.status == ["ok", "ok"] and 1 <= sc.values.min() <= sc.values.max() <= 1000
