"""A zero-shot proxy as the objective (tiny networks, noise batches): Zero-Cost-EVO runs on it, and its scores land in
the store under the key ``naslens score`` uses for the same settings (so a later ``naslens score`` skips them)."""

from __future__ import annotations

from tests.search import helpers  # noqa: F401  (registers the searches)

from naslens.estimators.zeroshot.estimator import RunContext
from naslens.estimators.zeroshot.runner import prepare_run
from naslens.search import create_search
from naslens.search.objective import Objective
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.types import ScoringContext

NET = {"C": 2, "N": 1}


def test_zc_evo_on_synflow_stores_as_score_does(tmp_path):
    sp = get_space("nb201")
    st = ScoreStore(tmp_path)
    ctx = ScoringContext(dataset="cifar10", data="noise", batch_size=2, n_batches=1, net=NET, device="cpu")
    obj = Objective.create("synflow", sp, ctx, store=st)
    res = create_search("zc-evo", budget=8, population=4, sample=2, warmup=6).run(sp, obj, seed=0, store=st)
    assert res.evaluations == 8 and res.value == res.trajectory["value"].max()
    plan = prepare_run(
        sp,
        ["synflow"],
        RunContext(space="nb201", dataset="cifar10", data="noise", batch_size=2, n_batches=1, net=NET, device="cpu"),
    )
    done = st.done(sp.name, "synflow", plan.configs["synflow"], seed=plan.seed, checkpoint=plan.checkpoint)
    assert done == set(res.trajectory["item"])
