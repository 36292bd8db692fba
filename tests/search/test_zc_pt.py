"""Zero-Cost-PT / DISC: removal and discretisation semantics on the two-edge scale supernet (hand-computed scores),
the edge orders (every position once, the paper's perturbation counts, -once ordered by score), determinism, resume
after a kill, option validation, and the CLI writing results.csv."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import typer
from tests.toy_mixed import SCALES, SumMeasure, ToyMixedSpace, scale_supernet, toy_mixed_ground_truth
from tests.toy_space import ToyChainSpace
from typer.testing import CliRunner

from naslens.cli_errors import guard_app
from naslens.estimators.zeroshot._core import Batch
from naslens.search import SearchError, SearchJournal, create_search
from naslens.search import zc_pt as zc_module
from naslens.search.edge_orders import ORDERS, perturbations_per_proposal, run_order
from naslens.search.mixed import PerturbationRunner, ProxyMeasure, importance
from naslens.search.op_scores import perturbation_scores
from naslens.search.zc_pt import ZeroCostPT

W0 = [0.1, 0.2, 0.3, 0.4]
W1 = [0.25, 0.25, 0.25, 0.25]
A = list(SCALES.values())  # zero, half, one, two


class Ones:
    """A batch stream whose every batch is ones (the scale supernet's output mean is then its gain)."""

    def __init__(self) -> None:
        self.provenance: dict = {}

    def batch(self, i: int) -> Batch:
        return Batch(torch.ones(2, 3))


def _runner(higher_is_better: bool):
    sn = scale_supernet(weights=[W0, W1])
    journal = SearchJournal(None, "test", "scale", {}, seed=0)
    return sn, PerturbationRunner(sn, SumMeasure(higher_is_better), journal, Ones(), label="t")


def _gain(w, alive=(True,) * 4):
    return sum(wi * a for wi, a, al in zip(w, A, alive, strict=True) if al)


@pytest.mark.parametrize("hib", [True, False])
def test_removal_scores_by_hand_and_argmin_vs_argmax(hib):
    sn, runner = _runner(hib)
    before = sn.state()
    imps, nxt = perturbation_scores(runner, "remove", [0, 1], 0, step0=0)
    assert nxt == 8 and sn.state() == before  # one evaluation per (position, op); the state is restored
    g1 = _gain(W1)
    for o in range(4):
        removed = (_gain(W0) - W0[o] * A[o]) * g1  # S(A − (e0, o)), computed by hand
        assert imps["outsum"][0][o] == pytest.approx(-removed if hib else removed)
    best = int(np.nanargmax(imps["outsum"][0]))
    # higher-is-better: removing `two` lowers the score most (argmin of S); lower-is-better: argmax of S (`zero`)
    assert best == (3 if hib else 0)


@pytest.mark.parametrize("hib", [True, False])
def test_discretisation_scores_by_hand(hib):
    _, runner = _runner(hib)
    imps, _ = perturbation_scores(runner, "discretise", [1], 0, step0=0)
    g0 = _gain(W0)
    for o in range(4):
        assert imps["outsum"][1][o] == pytest.approx((1 if hib else -1) * A[o] * g0)  # S(A + (e1, o)) = a_o · g0
    assert int(np.nanargmax(imps["outsum"][1])) == (3 if hib else 0)


def test_removed_ops_are_not_executed_and_nan_is_kept():
    sn = scale_supernet(weights=[W0, W1])
    sn.remove(0, 3)
    sn(torch.ones(1, 3))
    assert (0, 3) not in sn.calls and sn.calls[(0, 2)] == 1
    assert math.isnan(importance(math.nan, True, "remove")) and importance(-math.inf, True, "remove") == math.inf


def _fake_round(best, calls):
    """Importances: position p's ops are best[p] − o/10 (its best op is 0) — ordering positions by score."""

    def score_round(ps):
        calls.append(list(ps))
        return {p: [best[p] - o / 10 for o in range(5)] for p in ps}

    return score_round


@pytest.mark.parametrize("order", ORDERS)
def test_every_order_decides_every_position_once_with_the_paper_count(order):
    best = [3.0, 5.0, 1.0, 0.0, 4.0, 2.0]
    decided, calls = [], []
    trace = run_order(
        order,
        range(6),
        lambda p: list(range(5)),
        _fake_round(best, calls),
        lambda p, o: decided.append((p, o)),
        np.random.default_rng(0),
    )
    assert sorted(p for p, _ in decided) == list(range(6)) and all(o == 0 for _, o in decided)
    expected = {"fixed": 30, "random": 30, "global-op-iter": 105, "global-edge-iter": 105}
    assert trace.perturbations == expected.get(order, 55) == perturbations_per_proposal(order, [5] * 6)
    assert trace.perturbations == sum(5 * len(c) for c in calls)
    by_score = [1, 4, 0, 5, 2, 3]  # positions by descending best importance
    if order == "fixed":
        assert [p for p, _ in decided] == list(range(6))
    elif order != "random":  # every global order follows the scores, -once ones included (the reference's bug fixed)
        assert [p for p, _ in decided] == by_score


def test_random_order_is_seeded_and_iter_rescored_after_each_decision():
    orders = []
    for seed in (0, 0, 1):
        d = []
        run_order(
            "random",
            range(6),
            lambda p: [0, 1],
            lambda ps: {p: [1.0, 0.0] for p in ps},
            lambda p, o, d=d: d.append(p),
            np.random.default_rng(seed),
        )
        orders.append(d)
    assert orders[0] == orders[1] != orders[2]
    calls: list = []
    run_order(
        "global-edge-iter",
        range(3),
        lambda p: [0, 1],
        _fake_round([0.0, 1.0, 2.0], calls),
        lambda p, o: None,
        np.random.default_rng(0),
    )
    assert calls == [[0, 1, 2], [0, 1], [0]]


def _toy_search(**kw):
    opts = dict(proxy="nwot", order="fixed", proposals=2, validation=2, batch_size=4, data="noise", net={"width": 4})
    opts.update(kw)
    return ZeroCostPT(**opts)


def test_zc_pt_end_to_end_is_deterministic():
    space = ToyMixedSpace()
    a = _toy_search(order="random").run(space, seed=3, progress=False)
    b = _toy_search(order="random").run(space, seed=3, progress=False)
    assert a.arch == b.arch and a.arch in {space.key(x) for x in space.enumerate()}
    assert list(a.trajectory["value"].fillna(-1)) == list(b.trajectory["value"].fillna(-1))
    # 2 proposals × 3 positions × 3 ops, then 2 validation batches per distinct candidate
    assert a.extra["perturbations_per_proposal"] == [9, 9] == [a.extra["expected_perturbations_per_proposal"]] * 2
    assert a.evaluations == 18 + 2 * a.extra["candidates"] == len(a.trajectory)
    d = create_search(
        "zc-disc",
        proxy="synflow",
        order="global-op-once",
        proposals=1,
        validation=1,
        batch_size=4,
        data="noise",
        net={"width": 4},
    ).run(space, seed=0, progress=False)
    assert d.search == "zc-disc" and d.extra["perturbations_per_proposal"] == [9 + 6]


class Flaky:
    """nwot, raising after ``k`` evaluations (a killed run)."""

    def __init__(self, k: int | None) -> None:
        self.inner = ProxyMeasure(["nwot"], seed=0)
        self.names, self.higher_is_better = self.inner.names, self.inner.higher_is_better
        self.k, self.calls = k, 0

    def __call__(self, module, batch):
        if self.k is not None and self.calls >= self.k:
            raise KeyboardInterrupt("killed")
        self.calls += 1
        return self.inner(module, batch)


def test_killed_run_resumes_without_recomputing(tmp_path):
    from naslens.store import ScoreStore

    space = ToyMixedSpace()
    full = _toy_search(measure=Flaky(None)).run(space, seed=1, progress=False)
    st = ScoreStore(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        _toy_search(measure=Flaky(7)).run(space, seed=1, store=st, progress=False)
    again = Flaky(None)
    res = _toy_search(measure=again).run(space, seed=1, store=st, progress=False)
    assert again.calls == full.evaluations - 7
    assert res.arch == full.arch and res.value == pytest.approx(full.value)
    replay = Flaky(0)  # a finished run replays from the store: nothing is computed
    assert _toy_search(measure=replay).run(space, seed=1, store=st, progress=False).arch == full.arch


def test_options_are_validated():
    space = ToyMixedSpace()
    with pytest.raises(SearchError, match="registered proxies"):
        _toy_search(proxy="nope")
    with pytest.raises(SearchError, match="valid orders: fixed, random"):
        _toy_search(order="sideways")
    with pytest.raises(SearchError, match="zc-pt, disc-zc"):
        _toy_search(score="best-acc")
    with pytest.raises(SearchError, match="proposals must be"):
        _toy_search(proposals=0)
    with pytest.raises(SearchError, match="takes no option"):
        create_search("zc-pt", bogus=1)
    with pytest.raises(SearchError, match="no mixed-op supernet"):
        _toy_search().run(ToyChainSpace(), seed=0, progress=False)
    with pytest.raises(SearchError, match="data source"):
        _toy_search(data="pictures").run(space, seed=0, progress=False)
    assert zc_module.zc_pt.__name__ == "zc_pt"


def _app():
    from naslens.cli_search_pt import register

    app = typer.Typer()
    register(app)
    guard_app(app, "naslens search")
    return app


def test_cli_zc_pt_writes_results_and_resumes(tmp_path, monkeypatch):
    import naslens.spaces as spaces

    real = spaces.get_space
    monkeypatch.setattr(spaces, "get_space", lambda n: ToyMixedSpace() if n == "toy-mixed" else real(n))
    gt_file = toy_mixed_ground_truth().save(tmp_path / "gt.json")
    args = [
        "zc-pt",
        "--space",
        "toy-mixed",
        "--proxy",
        "nwot",
        "--order",
        "fixed",
        "--proposals",
        "2",
        "--validation",
        "2",
        "--batch-size",
        "4",
        "--seeds",
        "0,1",
        "-g",
        str(gt_file),
        "--data",
        "noise",
        "--net",
        "width=4",
        "--out",
        str(tmp_path / "out"),
        "--quiet",
    ]
    runner = CliRunner()
    r = runner.invoke(_app(), args)
    assert r.exit_code == 0, r.output
    import pandas as pd

    df = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(df.columns)[:7] == ["seed", "arch", "cifar10", "cifar100", "imagenet16-120", "toy10", "seconds"]
    assert list(df["seed"]) == [0, 1] and df["cifar10"].isna().all()
    gt = toy_mixed_ground_truth().series("toy10")
    assert df["toy10"].tolist() == pytest.approx([gt[a] for a in df["arch"]])
    assert "sha256" in r.output and "mean ± std" in r.output
    r2 = runner.invoke(_app(), args)
    assert r2.exit_code == 0 and pd.read_csv(tmp_path / "out" / "results.csv").equals(df)
    bad = runner.invoke(_app(), [*args[:5], "--order", "sideways", *args[7:]])
    lines = [ln for ln in bad.stderr.splitlines() if ln.strip()]
    assert bad.exit_code == 2 and len(lines) == 1 and lines[0].startswith("naslens search zc-pt: error: unknown edge")


def test_stage2_never_picks_a_nonfinite_total():
    from naslens.search.zc_pt import _finite_argmax

    assert _finite_argmax([1.0, float("inf"), 2.0, float("nan")]) == 2
    assert _finite_argmax([float("-inf"), -3.0]) == 1
    assert _finite_argmax([float("nan"), float("inf")]) is None


@pytest.mark.parametrize(
    ("order", "first"), [("global-op-iter", 0), ("global-op-once", 0), ("global-edge-iter", 1), ("global-edge-once", 1)]
)
def test_op_orders_follow_the_best_op_and_edge_orders_the_mean(order, first):
    """Position 0 holds the single best op (10, mean 2), position 1 the best mean (6 everywhere): the op-based orders
    decide position 0 first, the edge-based ones position 1."""
    table = {0: [10.0, 0.0, 0.0, 0.0, 0.0], 1: [6.0, 6.0, 6.0, 6.0, 6.0]}
    decided: list[tuple[int, int]] = []
    run_order(
        order,
        range(2),
        lambda p: list(range(5)),
        lambda ps: {p: table[p] for p in ps},
        lambda p, o: decided.append((p, o)),
        np.random.default_rng(0),
    )
    assert decided[0][0] == first and [p for p, _ in decided] == [first, 1 - first]
