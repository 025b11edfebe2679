"""Tests of goodhart.tails: estimators on known tail indices, bootstrap, data loading, report."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

import goodhart as gh


def population_hill(dist, k: int, n: int) -> float:
    """The Hill functional at the threshold u = F^{-1}(1 - k/n): ∫_u^∞ F̄(x)/x dx / F̄(u) — what
    Hill's estimator concentrates around (its sample-size-dependent bias included)."""
    u = float(dist.isf(k / n))
    ls = float(dist.logsf(u))
    val, _ = integrate.quad(lambda s: math.exp(float(dist.logsf(u * math.exp(s))) - ls), 0, 200.0, limit=200)
    return val  # substitution x = u e^s: dx/x = ds


def test_hill_on_pareto_is_unbiased_within_5_se():
    alpha, n, k = 2.0, 50_000, 2_000
    x = stats.pareto(alpha).rvs(size=n, random_state=np.random.default_rng(0))
    e = gh.hill(x, k)
    assert abs(e.value - 1 / alpha) < 5 * e.stderr
    assert e.stderr == pytest.approx(e.value / math.sqrt(k)) and e.samples == n and e.k == k


@pytest.mark.parametrize("df", [2.0, 4.0])
def test_hill_on_student_t_with_bias_accounted(df):
    n, k = 100_000, 1_000
    Q = stats.t(df)
    x = Q.rvs(size=n, random_state=np.random.default_rng(int(df)))
    e = gh.hill(x, k)
    target = population_hill(Q, k, n)
    assert abs(e.value - target) < 5 * e.stderr
    # the oracle itself: the bias is real at k/n = 1e-2 (t tails are Pareto only to first order)
    # and vanishes as k/n -> 0
    assert target > 1 / df
    assert population_hill(Q, 1, 10**8) == pytest.approx(1 / df, rel=1e-3)


def test_pickands_and_moment_on_pareto():
    alpha, n, k = 2.0, 50_000, 1_000
    x = stats.pareto(alpha).rvs(size=n, random_state=np.random.default_rng(5))
    p = gh.pickands(x, k)
    m = gh.moment(x, k)
    assert abs(p.value - 0.5) < 5 * p.stderr
    assert abs(m.value - 0.5) < 5 * m.stderr
    # a light (exponential-type) tail: gamma = 0 for the moment estimator of a Gumbel-domain law
    y = stats.expon().rvs(size=n, random_state=np.random.default_rng(6))
    my = gh.moment(y, k)
    assert abs(my.value) < 5 * my.stderr + 0.05


def test_vectorised_k_equals_scalar_calls():
    x = stats.pareto(3.0).rvs(size=2000, random_state=np.random.default_rng(7))
    ks = np.array([10, 50, 200])
    e = gh.hill(x, ks)
    assert np.allclose(e.value, [gh.hill(x, int(k)).value for k in ks], rtol=0, atol=1e-15)
    path = gh.hill_path(x, ks)
    assert np.array_equal(path.gamma, e.value)


def test_bootstrap_reproducible_and_covers_truth():
    x = stats.pareto(2.0).rvs(size=5_000, random_state=np.random.default_rng(8))
    a = gh.bootstrap(x, 300, n_boot=300, level=0.99, rng=4)
    b = gh.bootstrap(x, 300, n_boot=300, level=0.99, rng=4)
    assert a == b
    assert a.low < 0.5 < a.high and a.low < a.value < a.high
    assert a.stderr == pytest.approx(a.value / math.sqrt(300), rel=0.3)  # bootstrap ~ asymptotic SE


@pytest.mark.parametrize("k", [0, 2000, 1.5])
def test_k_out_of_range(k):
    x = np.arange(1.0, 2001.0)
    with pytest.raises(ValueError, match="^k:"):
        gh.hill(x, k)


def test_bad_data():
    with pytest.raises(ValueError, match="^x:"):
        gh.hill(np.array([1.0, np.nan, 3.0]), 1)
    with pytest.raises(ValueError, match="^x:"):
        gh.hill(np.ones((3, 3)), 1)
    with pytest.raises(ValueError, match="^k:.*X_\\(k\\+1\\) > 0"):
        gh.hill(np.array([3.0, 2.0, -1.0, -2.0]), 2)
    with pytest.raises(ValueError, match="^k:"):
        gh.pickands(np.arange(1.0, 10.0), 3)
    with pytest.raises(ValueError, match="^estimator:"):
        gh.bootstrap(np.arange(1.0, 10.0), 2, estimator="nope")


def test_package_data_and_user_files(tmp_path):
    r, l = gh.load_rewards("random"), gh.load_rewards("llama")
    assert r.shape == (30_000,) and l.shape == (16_000,) and np.all(np.isfinite(r)) and r.dtype == np.float64
    with pytest.raises(ValueError, match="^name:"):
        gh.load_rewards("other")
    with pytest.raises(ValueError, match="^path:.*no such file"):
        gh.load_rewards(path=tmp_path / "missing.npy")
    np.save(tmp_path / "two_d.npy", np.ones((2, 2)))
    with pytest.raises(ValueError, match="^path:.*1-D"):
        gh.load_rewards(path=tmp_path / "two_d.npy")
    np.save(tmp_path / "nan.npy", np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="^path:.*non-finite"):
        gh.load_rewards(path=tmp_path / "nan.npy")
    np.save(tmp_path / "ok.npy", np.array([1.0, 2.0]))
    assert np.array_equal(gh.load_rewards(path=tmp_path / "ok.npy"), [1.0, 2.0])


def test_tail_report_numbers_on_starling_random():
    import matplotlib.pyplot as plt

    rep = gh.tail_report(gh.load_rewards("random"), ks_at=(172,))
    plt.close(rep.figure)
    g, se = rep.hill_at[172]
    d = gh.load_rewards("random")
    d = d - d.mean()
    assert g == pytest.approx(gh.hill(d[d > 0], 172).value) and se == pytest.approx(g / math.sqrt(172))
    assert rep.n == 30_000 and rep.n_positive == int(np.sum(d > 0))
    assert abs(g - 0.20) < 2 * se  # the paper: "appears to be 0.20"
