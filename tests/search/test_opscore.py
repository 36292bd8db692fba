"""The operation-scoring analysis on the enumerable toy space with a synthetic ground truth: the consistent-arch
oracles by brute force, the best-acc pick is the ground truth's best, the tables' shape, determinism, the files and
the CLI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import typer
from tests.toy_mixed import MixedState, ToyMixedSpace, toy_mixed_ground_truth, toy_store_scores
from typer.testing import CliRunner

from naslens.cli_errors import guard_app
from naslens.search import SearchError
from naslens.search.op_scores import ArchTable, darts_scores, op_score_info
from naslens.search.opscore import OpScoreSetup, run_opscore, write_opscore
from naslens.store import ScoreStore


def _setup(tmp_path, seeds=(0, 1), scores=("zc-pt", "disc-zc", "best-zc")):
    space = ToyMixedSpace()
    pstore = ScoreStore(tmp_path / "proxies")
    stored = {p: toy_store_scores(space, pstore, p) for p in ("nwot", "synflow")}
    gt = toy_mixed_ground_truth()
    setup = OpScoreSetup(
        space=space,
        truth=gt,
        metric="toy10",
        proxies=["nwot", "synflow"],
        scores=list(scores),
        seeds=list(seeds),
        batch_size=4,
        data="noise",
        net={"width": 4},
        proxy_store=pstore,
    )
    return setup, stored


def test_consistent_oracles_by_brute_force():
    space = ToyMixedSpace()
    table = ArchTable.of_space(space)
    gt = toy_mixed_ground_truth().series("toy10").reindex(table.keys).to_numpy()
    state = MixedState(((True, True, True), (False, True, False), (True, True, True)), (None, 1, None))
    got = table.consistent(state, [0, 2], gt, "mean")
    archs = space.enumerate()
    for o in range(3):
        want = [gt[i] for i, a in enumerate(archs) if a[1] == "conv1x1" and a[0] == space.info.choices[0][o]]
        assert got[0][o] == pytest.approx(np.mean(want))
    best = table.consistent(state, [1], gt, "max")[1]
    assert (
        math.isnan(best[0])
        and math.isnan(best[2])
        and best[1] == pytest.approx(max(gt[i] for i, a in enumerate(archs) if a[1] == "conv1x1"))
    )


def test_opscore_tables_picks_and_determinism(tmp_path):
    setup, stored = _setup(tmp_path)
    res = run_opscore(setup, progress=False)
    cols = setup.columns()
    assert cols == [
        "zc-pt:nwot",
        "zc-pt:synflow",
        "disc-zc:nwot",
        "disc-zc:synflow",
        "best-zc:nwot",
        "best-zc:synflow",
        "best-acc",
        "avg-acc",
    ]
    c = res.correlations
    # per seed and iteration: 6 scores × 2 oracles + each oracle against the other; 3 iterations (3, 2, 1 positions)
    assert len(c) == 2 * 3 * 14 and set(c["iteration"]) == {0, 1, 2}
    assert c.groupby("iteration")["n_edges"].first().tolist() == [3, 2, 1]
    assert {"score", "oracle", "iteration", "seed", "spearman_mean_over_edges", "n_nan_edges"} <= set(c.columns)
    ok = c["spearman_mean_over_edges"].dropna()
    assert ((ok >= -1) & (ok <= 1)).all()
    # perturbation scores: 2 kinds × (9 + 6 + 3) perturbations per seed, all proxies fused in each
    assert res.evaluations == 2 * 2 * 18
    picks = res.picks.set_index(["score", "seed"])
    gt = toy_mixed_ground_truth().series("toy10")
    assert picks.loc[("best-acc", 0), "arch"] == gt.idxmax() and picks.loc[("best-acc", 0), "gt_rank"] == 1
    # best-zc's pick is the stored scores' best architecture (a product of per-position maxima of a max)
    assert picks.loc[("best-zc:synflow", 1), "arch"] == stored["synflow"].idxmax()
    assert picks.loc[("best-zc:synflow", 1), "gt_accuracy"] == pytest.approx(gt[stored["synflow"].idxmax()])
    again = run_opscore(_setup(tmp_path / "b")[0], progress=False)
    pd.testing.assert_frame_equal(res.correlations, again.correlations)
    paths = write_opscore(res, tmp_path / "out")
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert set(pd.read_csv(tmp_path / "out" / "picks.csv").columns) >= {"score", "arch", "gt_accuracy", "gt_rank"}


def test_opscore_refuses_what_it_cannot_do(tmp_path):
    setup, _ = _setup(tmp_path, scores=("darts-pt",))
    with pytest.raises(SearchError, match="checkpoint"):
        setup.check()
    setup.scores = ["bogus"]
    with pytest.raises(SearchError, match="valid scores: zc-pt, disc-zc"):
        setup.check()
    setup.scores, setup.proxies = ["zc-pt"], ["nope"]
    with pytest.raises(SearchError, match="registered proxies"):
        setup.check()
    assert op_score_info("darts").needs == frozenset({"checkpoint"})
    trained = type("T", (), {"arch_weights": None})()
    with pytest.raises(SearchError, match="path-trained"):
        darts_scores(trained, None, [0], "ck.pt")


def test_cli_opscore_writes_the_files(tmp_path, monkeypatch):
    import naslens.spaces as spaces
    from naslens.cli_search_pt import register

    real = spaces.get_space
    monkeypatch.setattr(spaces, "get_space", lambda n: ToyMixedSpace() if n == "toy-mixed" else real(n))
    gt_file = toy_mixed_ground_truth().save(tmp_path / "gt.json")
    app = typer.Typer()
    register(app)
    guard_app(app, "naslens search")
    out = tmp_path / "out"
    args = [
        "opscore",
        "--space",
        "toy-mixed",
        "--proxies",
        "nwot,synflow",
        "-g",
        str(gt_file),
        "-d",
        "toy10",
        "--seeds",
        "0,1",
        "--batch-size",
        "4",
        "--data",
        "noise",
        "--net",
        "width=4",
        "--out",
        str(out),
        "--quiet",
    ]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out / "opscore.csv")
    assert {"score", "oracle", "iteration", "seed", "spearman_mean_over_edges"} <= set(df.columns)
    assert set(df["score"]) >= {"zc-pt:nwot", "disc-zc:synflow"} and "best-zc:nwot" not in set(df["score"])
    assert (out / "picks.csv").exists() and (out / "opscore.png").exists() and "sha256" in r.output
    bad = CliRunner().invoke(app, [*args[:-1], "--scores", "best-zc"])
    assert bad.exit_code == 2 and "--proxy-store" in bad.stderr


def test_trained_checkpoint_loads_into_the_mixed_supernet():
    """darts-pt / disc-acc score on a path-trained checkpoint: its weights load into the mixed supernet (all but the
    mixed supernet's own alpha), and a fully discretised mixed supernet computes what the trained path computes."""
    from pathlib import Path

    import torch

    from naslens.estimators.zeroshot.supernet_weights import load_supernet_weights
    from naslens.search.op_scores import load_trained
    from naslens.spaces import get_space

    ckpt = str(Path(__file__).parents[1] / "estimators" / "oneshot" / "fixtures" / "nb201-supernet-v1.pt")
    sp = get_space("nb201")
    trained = load_trained(sp, ckpt, seed=0)
    path = load_supernet_weights(ckpt, sp).supernet
    mixed_state = trained.supernet.state_dict()
    for name, t in path.state_dict().items():
        assert torch.equal(mixed_state[name], t), name
    arch = sp.parse(9930)
    for p, op in enumerate(sp.encode(arch, "codes")):
        trained.supernet.discretise(p, int(op))
    assert trained.supernet.to_arch() == arch
    trained.supernet.eval()
    path.eval()
    x = torch.randn(4, path.config["in_channels"], 16, 16, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.allclose(trained.supernet(x), path(x, arch), atol=1e-5)
