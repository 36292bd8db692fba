"""bootstrap_ci: determinism, coverage of a known case, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from naslens.criteria import bootstrap_ci, kendall_tau, spearman


def test_interval_is_deterministic_and_contains_the_estimate():
    rng = np.random.default_rng(3)
    y = rng.normal(size=80)
    s = y + rng.normal(scale=1.0, size=80)
    a = bootstrap_ci(kendall_tau, y, s, n_boot=500, seed=1)
    assert a == bootstrap_ci(kendall_tau, y, s, n_boot=500, seed=1)
    assert a != bootstrap_ci(kendall_tau, y, s, n_boot=500, seed=2)
    assert a[0] < kendall_tau(y, s) < a[1]
    # same resampling by hand, with scipy as the criterion
    r = np.random.default_rng(1)
    stats = []
    for _ in range(500):
        idx = r.integers(0, 80, 80)
        stats.append(scipy.stats.kendalltau(y[idx], s[idx]).statistic)
    np.testing.assert_allclose(a, np.quantile(stats, [0.025, 0.975]), atol=1e-12)
    lo, hi = bootstrap_ci(kendall_tau, y, s, n_boot=500, seed=1, level=0.5)
    assert a[0] < lo < hi < a[1]  # same resamples: the 50 % interval is nested in the 95 % one
    assert bootstrap_ci(spearman, y, s, n_boot=500)[0] > a[0]  # ρ > τ on a positively related pair


def test_errors():
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(kendall_tau, [1, 2, 3], [1, 2, 3], level=1.5)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci(kendall_tau, [1, 2, 3], [1, 2, 3], n_boot=2)
    with pytest.raises(ValueError):
        bootstrap_ci(kendall_tau, [1, 2, np.nan], [1, 2, 3])
