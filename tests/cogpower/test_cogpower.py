"""cogpower: model validation, kernels, predictions vs exact inversion vs simulation, figures, ledger."""

from __future__ import annotations

import math
import tracemalloc

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

import cogpower as cp
from cogpower import analytic
from cogpower.strategies import models
from proofs.ledger import all_claims, evaluate


# ----------------------------------------------------------------------------- DESIGN.md lines
def test_design_lines_run_as_written():
    assert cp.critical_power(alpha=0.5) == 2.0
    x = cp.IndependentSteps(alpha=1.0, power=0.5).simulate(n=1000, tasks=10_000, rng=0)
    assert x.shape == (10_000,) and np.all(x >= 1000)


def test_conventions_and_regimes():
    assert cp.critical_power(3.0, "density") == 0.5
    m = cp.IndependentSteps(alpha=3.0, power=0.5, convention="density")
    assert m.beta == 1.0 and m.regime == "critical" and m.mean_subtask_time == math.inf
    m = cp.IndependentSteps(alpha=1.0, power=4.0)
    assert m.mean_subtask_time == pytest.approx(4 / 3, rel=1e-15) and m.regime == "supercritical"
    assert cp.IndependentSteps(alpha=1.0, power=0.5).regime == "subcritical"


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(alpha=0.0, power=1.0), "alpha"),
        (dict(alpha=-1.0, power=1.0), "alpha"),
        (dict(alpha=1.0, power=0.0), "power"),
        (dict(alpha=1.0, power=1.0, convention="pdf"), "convention"),
        (dict(alpha=1.0, power=1.0, convention="density"), "alpha"),
        (dict(power=1.0, time=stats.lognorm(1.0)), "time"),
        (dict(alpha=1.0, power=1.0, time=stats.lognorm(1.0, loc=1)), "alpha"),
        (dict(power=1.0), "alpha"),
        (dict(alpha=1.0, power=1.0, approaches=lambda q: -q), "approaches"),
    ],
)
def test_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        cp.IndependentSteps(**kwargs)


@pytest.mark.parametrize("n, tasks, name", [(0, 10, "n"), (10, 0, "tasks"), (2.5, 10, "n")])
def test_bad_simulation_sizes(n, tasks, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        cp.IndependentSteps(alpha=1.0, power=1.0).simulate(n, tasks, rng=0)


def test_critical_power_of_callable_k():
    m = cp.IndependentSteps(alpha=0.5, power=1.0, approaches=lambda q: q**2)
    assert m.critical_power == pytest.approx(math.sqrt(2), rel=1e-12)
    assert m.k == 1.0 and m.beta == 0.5


# ----------------------------------------------------------------------------- kernels
def test_bit_identical_at_any_thread_count():
    m = cp.IndependentSteps(alpha=0.7, power=1.3)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = m.simulate(50, 3000, rng=42)
        pa = m.simulate_path([1, 7, 50], 3000, rng=42)
        na = cp.IndependentSteps(alpha=0.7, power=3).simulate(20, 1000, rng=1, method="naive")
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = m.simulate(50, 3000, rng=42)
        pb = m.simulate_path([1, 7, 50], 3000, rng=42)
        nb = cp.IndependentSteps(alpha=0.7, power=3).simulate(20, 1000, rng=1, method="naive")
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(pa, pb)
    np.testing.assert_array_equal(na, nb)
    # the path's last checkpoint is the same stream as simulate(n)
    np.testing.assert_array_equal(pa[-1], a)


def test_output_does_not_depend_on_how_the_work_is_cut(monkeypatch):
    """The kernels are resumable: tiny per-call budgets (many short compiled calls, what keeps a
    long simulation interruptible) give the same bits as one long call."""
    from cogpower import model as model_mod

    m = cp.IndependentSteps(alpha=0.7, power=3)
    a = m.simulate_path([1, 7, 50], 700, rng=42)
    b = m.simulate(20, 700, rng=1, method="naive")
    monkeypatch.setattr(model_mod, "_CALL_DRAWS", 5)
    np.testing.assert_array_equal(a, m.simulate_path([1, 7, 50], 700, rng=42))
    np.testing.assert_array_equal(b, m.simulate(20, 700, rng=1, method="naive"))


def test_direct_and_naive_agree_in_distribution():
    m = cp.IndependentSteps(alpha=0.4, power=3)  # beta = 1.2
    d = m.simulate(30, 20_000, rng=1, method="direct")
    v = m.simulate(30, 20_000, rng=2, method="naive")
    # two-sample KS; at level 1e-6 a correct implementation fails once in a million runs
    assert stats.ks_2samp(d, v).pvalue > 1e-6
    # and a wrong beta (k off by one) is detected by the same test
    w = cp.IndependentSteps(alpha=0.4, power=2).simulate(30, 20_000, rng=2, method="naive")
    assert stats.ks_2samp(d, w).pvalue < 1e-6


def test_naive_needs_integer_k():
    with pytest.raises(ValueError, match="^method"):
        cp.IndependentSteps(alpha=1.0, power=1.5).simulate(3, 3, rng=0, method="naive")


def test_streaming_memory_is_o_tasks():
    m = cp.IndependentSteps(alpha=2.0, power=1.0)
    m.simulate(10, 10, rng=0)
    tracemalloc.start()
    m.simulate(20_000, 1000, rng=0)  # n x tasks = 2e7 floats = 160 MB if materialised
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000


def test_tiny_beta_overflows_to_inf_not_nan():
    x = cp.IndependentSteps(alpha=0.01, power=1.0).simulate(200, 2000, rng=0)
    assert not np.any(np.isnan(x)) and np.any(np.isinf(x)) and np.all(x >= 200)


# ----------------------------------------------------------------------------- analytics
@pytest.mark.parametrize("beta", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("q", [0.25, 0.5, 0.75])
def test_stable_quantile_matches_scipy_at_scale_one(beta, q):
    assert cp.stable_quantile(q, beta) == pytest.approx(stats.levy_stable(beta, 1.0).ppf(q), rel=1e-8, abs=1e-8)


def test_half_is_levy_closed_form():
    sigma = cp.stable_scale(0.5)
    assert sigma == pytest.approx(math.pi / 2, rel=1e-14)
    m = sigma * cp.stable_quantile(0.5, 0.5)
    assert m == pytest.approx((math.pi / 2) / (2 * special.erfcinv(0.5) ** 2), rel=1e-9)
    assert m == pytest.approx(3.4528, abs=5e-5)


@pytest.mark.parametrize("u", [1e-5, 0.2, 0.9])
@pytest.mark.parametrize("beta", [0.3, 1.0, 1.7])
def test_series_cf_matches_mpmath(u, beta):
    import mpmath as mp

    ref = complex(beta * mp.expint(beta + 1, -1j * u))
    assert cp.analytic.pareto_cf(u, beta) == pytest.approx(ref, rel=1e-11)


@pytest.mark.parametrize("beta, n", [(0.5, 100), (0.8, 300), (1.0, 300), (1.5, 300)])
def test_asymptotic_median_close_to_exact_inversion(beta, n):
    a, e = analytic.median_per_subtask(n, beta, "asymptotic"), analytic.median_per_subtask(n, beta, "exact")
    scale = analytic.stable_scale(beta) * n ** (1 / beta - 1)
    # first-order corrected asymptotics: error well below the fluctuation scale
    assert abs(a - e) < 0.02 * scale


@pytest.mark.parametrize("beta, n", [(0.5, 100), (0.8, 300), (1.0, 300), (1.5, 300)])
def test_simulated_quartiles_match_exact_inversion(beta, n):
    m = cp.IndependentSteps(alpha=beta, power=1.0)
    x = m.simulate(n, 20_000, rng=int(beta * 100) + n) / n
    for q in (0.25, 0.5, 0.75):
        est = cp.order_statistic_ci(x, q, z=5)
        exact = m.quantile_per_subtask(n, q, "exact")
        assert est.covers(exact), (q, est, exact)


def test_n_one_quantiles_are_pareto():
    assert analytic.quantile_per_subtask(1, 0.5, 2.0) == pytest.approx(math.sqrt(2))


@given(models())
def test_mean_closed_form_equals_quadrature_of_scipy_pareto(m):
    g = cp.IndependentSteps(power=m.power, time=stats.pareto(m.alpha))
    if m.beta > 1.05:
        assert g.mean_subtask_time == pytest.approx(m.mean_subtask_time, rel=1e-6)
    elif m.beta < 0.95:
        assert g.mean_subtask_time == math.inf


def test_general_time_law_lognormal():
    law = stats.lognorm(0.8, loc=1.0)
    m = cp.IndependentSteps(power=2.0, time=law)
    x = m.simulate(5, 50_000, rng=3) / 5
    se = x.std(ddof=1) / math.sqrt(x.size)
    assert abs(x.mean() - m.mean_subtask_time) < 5 * se
    # the min of 2 has median solving sf(t)^2 = 1/2
    one = m.simulate(1, 100_000, rng=4)
    assert cp.order_statistic_ci(one, 0.5).covers(float(law.isf(math.sqrt(0.5))))
    assert m.regime == "supercritical" and m.critical_power is None
    with pytest.raises(ValueError, match="^time"):
        m.median_per_subtask(10)


def test_budget_fraction_limits():
    m = cp.IndependentSteps(alpha=1.0, power=4.0)  # mean 4/3 < budget 2
    est = cp.budget_fraction(m, 2.0, [1, 10, 1000], tasks=2000, rng=0)
    assert est.value[-1] > 0.99 and np.all(np.diff(est.value) > -5 * est.stderr[1:] - 1e-12)
    sub = cp.budget_fraction(cp.IndependentSteps(alpha=1.0, power=0.5), 2.0, [1, 1000], tasks=2000, rng=0)
    assert sub.value[-1] < 0.01


# ----------------------------------------------------------------------------- figures and ledger
@pytest.mark.parametrize("claim", all_claims(["cogpower"]), ids=lambda c: c.id)
def test_ledger_claim(claim):
    res = evaluate(claim)
    assert res.failed is False, res
