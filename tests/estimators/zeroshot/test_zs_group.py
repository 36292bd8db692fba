"""Zero-shot estimators computed together (``score_group``, used by ``evaluate`` for proxies not in a store) give
the values each gives alone; estimators of different run contexts are refused."""

from __future__ import annotations

import numpy as np
import pytest

from naslens.data.fashion_mnist import fmnist_available
from naslens.estimators.base import create_estimator
from naslens.spaces import get_space
from naslens.types import ScoringContext

SPACE = get_space("nb201")
ARCHS = [SPACE.parse(i) for i in (0, 284, 9930)]
CTX = ScoringContext(data="noise", net={"C": 2, "N": 1}, batch_size=8, n_batches=1)


def test_group_equals_each_alone() -> None:
    names = ["synflow", "nwot", "jacob_cov", "snip"]
    group = create_estimator(names[0], CTX).score_group(
        [create_estimator(n, CTX) for n in names], SPACE, ARCHS, progress=False
    )
    for n, sc in zip(names, group, strict=True):
        alone = create_estimator(n, CTX).score(SPACE, ARCHS)
        assert sc.keys == alone.keys and sc.config == alone.config
        np.testing.assert_allclose(sc.values, alone.values, rtol=1e-6)


def test_group_refuses_mixed_contexts() -> None:
    a = create_estimator("nwot", CTX)
    b = create_estimator("nwot", CTX.replace(batch_size=4))
    with pytest.raises(ValueError, match="one run context"):
        a.score_group([a, b], SPACE, ARCHS, progress=False)


@pytest.mark.needs_fmnist
@pytest.mark.skipif(not fmnist_available(), reason="Fashion-MNIST idx files not installed (apt dataset-fashion-mnist)")
def test_evaluate_fuses_live_proxies_and_records_the_batches() -> None:
    import naslens
    from naslens.benchmarks import load_ground_truth

    gt = load_ground_truth("nb201-fmnist").subset(load_ground_truth("nb201-fmnist").keys[:12])
    ev = naslens.evaluate(ground_truth=gt, estimators=["params", "nwot", "synflow"], batch_size=8, n_batches=1,
                          progress=False)  # fmt: skip
    cfg = ev.results["nwot"]["estimator"]["config"]
    assert cfg["data"]["batch_size"] == 8 and cfg["net"]["C"] == 8 and cfg["dataset"] == "fashion-mnist"
    assert ev.results["nwot"]["n_archs"] + ev.results["nwot"]["n_nonfinite"] == 12
