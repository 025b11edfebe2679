"""Each contract failure found in cogpower, pinned: the call runs in the capped sandbox and must now
answer with the correct value (checked against a closed form, a bound or an independent method
here or in tests/cogpower/test_exact.py) or refuse by name. The comment on each gives what the
call did before."""

from __future__ import annotations

import math

import pytest
from contract_support import check
from scipy import integrate, optimize


def ok(code: str, params=("n", "q", "beta"), **kw):
    out = check(code, list(params), package="cogpower", **kw)
    assert out["status"] == "ok", out
    return out["value"]


def refused(code: str, name: str, params=None, match: str = ""):
    out = check(code, list(params or [name]), package="cogpower")
    assert out["status"] == "raised" and out["message"].startswith(name), out
    assert match in out["message"], out
    return out["message"]


def s2_quantile(q: float, beta: float, guess: float) -> float:
    """q-quantile of S_2/2 from P(S_2 <= s) = int_1^{s-1} (1 - (s-x)^-beta) beta x^(-beta-1) dx,
    the root bracketed within 1e-6 of ``guess`` (which must therefore be that close)."""
    def cdf(s):
        f = lambda x: (1 - (s - x) ** -beta) * beta * x ** (-beta - 1)  # noqa: E731
        return integrate.quad(f, 1, s - 1, epsabs=1e-15, epsrel=1e-13, limit=200)[0] - q
    lo, hi = 2 * guess * (1 - 1e-6), 2 * guess * (1 + 1e-6)
    assert cdf(lo) < 0 < cdf(hi)
    return optimize.brentq(cdf, lo, hi, xtol=1e-15, rtol=1e-15) / 2


# ----------------------------------------------------------------------------- predictions
def test_reported_negative_quartile():
    # was (-0.6726, 4.5578): the CLT at n = 2 gave a quartile below the support S_n/n >= 1
    lo, hi = ok("cp.IndependentSteps(alpha=2.0609, power=1).quartiles_per_subtask(2)")
    assert lo == pytest.approx(s2_quantile(0.25, 2.0609, lo), rel=1e-9)
    assert hi == pytest.approx(s2_quantile(0.75, 2.0609, hi), rel=1e-9)
    refused("cp.IndependentSteps(alpha=2.0609, power=1).quartiles_per_subtask(2, method='asymptotic')", "n",
            match="skewness")


def test_exact_method_was_a_hang():
    # was: no answer within 90 s (scalar adaptive quadrature of a slowly decaying oscillatory integrand)
    x = ok("cp.IndependentSteps(alpha=7.0, power=0.05).quantile_per_subtask(2, 0.7179148788830028, method='exact')",
           timeout=20)
    assert x == pytest.approx(s2_quantile(0.7179148788830028, 0.35, x), rel=1e-9)


def test_beta_two_small_n_median_was_below_the_quartile():
    # was 0.9355 (< 1, and below the lower quartile 1.68 of the same call): beta = 2 expansion at n = 2
    x = ok("cp.analytic.median_per_subtask(2, 2.0)")
    assert x == pytest.approx(s2_quantile(0.5, 2.0, x), rel=1e-9)


def test_just_above_two_the_clt_gave_negative_quartiles():
    # was -30160.8 (Var X = 2e12 at beta = 2 + 1e-12): now the exact inversion, near the beta = 2 value
    x = ok("cp.analytic.quantile_per_subtask(1000, 0.25, 2 + 1e-12)")
    assert x == pytest.approx(ok("cp.analytic.quantile_per_subtask(1000, 0.25, 2.0)"), abs=1e-9)
    refused("cp.analytic.quantile_per_subtask(1000, 0.25, 2 + 1e-12, 'asymptotic')", "n", ["n", "q", "beta"])


def test_upper_quantile_near_beta_half_was_off_by_220_scales():
    # was 9650516.5 (Gil-Pelaez did not resolve the S0 terms there); one big jump gives
    # P(S_n > s) = n s^-1/2 (1 + o(1)): 1000 (1000 x)^-1/2 must be 1 - q = 0.01 to first order
    x = ok("cp.analytic.quantile_per_subtask(1000, 0.99, 0.5)")
    assert 1000 * (1000 * x) ** -0.5 == pytest.approx(0.01, rel=1e-4)
    assert 1000 * (1000 * 9650516.537121123) ** -0.5 > 0.0101


def test_tiny_beta_quantile_overflow_is_a_named_refusal():
    # was (3.27e65, inf): now beta is named, and the logarithm is available (upper bound: n T_max)
    refused("cp.IndependentSteps(alpha=0.25, power=0.01).quartiles_per_subtask(2)", "beta", ["n", "q", "beta"],
            "log_quantile_per_subtask")
    lq = ok("cp.analytic.log_quantile_per_subtask(2, 0.75, 0.0025)")
    # T_max <= T_2 <= 2 T_max: log of the bounds on the 0.75-quantile of S_2/2
    l1 = -math.log(-math.expm1(math.log(0.75) / 2)) / 0.0025
    assert l1 - math.log(2) <= lq <= l1 + 1e-9
    refused("cp.analytic.quantile_per_subtask(5, 0.5, 5e-324)", "beta", ["n", "q", "beta"], "exp(1e300)")


def test_log_quantile_of_extreme_q_was_a_math_domain_error():
    # was "math domain error"; the quantile of S_2/2 at q = 5e-324 rounds to 1
    assert ok("cp.analytic.quantile_per_subtask(2, 5e-324, 0.5)") == 1.0
    refused("cp.analytic.log_quantile_per_subtask(100, 5e-324, 0.5)", "q", ["n", "q", "beta"])


def test_asymptotic_below_the_rigorous_bound_is_refused():
    # was returned (1.06e54 at beta = 1/32, n = 16, q = 3/4): below the bound T_n >= T_max
    refused("cp.analytic.quantile_per_subtask(16, 0.75, 1/32, 'asymptotic')", "n", ["n", "q", "beta"], "rigorous")
    lq = ok("cp.analytic.log_quantile_per_subtask(16, 0.75, 1/32)")
    l1 = -math.log(-math.expm1(math.log(0.75) / 16)) * 32
    assert l1 - math.log(16) <= lq <= l1


# ----------------------------------------------------------------------------- closed forms, stable laws
def test_small_closed_form_failures():
    # critical_power(5e-324) was inf; subtask_variance(1e308) an OverflowError; pareto_cf(0, 0) nan+nanj;
    # stable_quantile(5e-324, 5e-324) a math domain error
    refused("cp.critical_power(5e-324)", "alpha", match="float range")
    assert ok("cp.analytic.subtask_variance(1e308)", ["beta"]) == 0.0  # 1e-616 underflows
    refused("cp.analytic.pareto_cf(0.0, 0.0)", "beta", ["u", "beta"])
    assert ok("cp.stable_quantile(5e-324, 5e-324)", ["q", "beta"]) == 0.0  # exp(-huge) underflows
    assert ok("cp.stable_scale(5e-324)", ["beta"]) == pytest.approx(math.exp(0.5772156649015329), rel=1e-15)


def test_pareto_cf_at_tiny_u_and_huge_beta():
    # was mpmath's "gamma function pole": log E e^{iuX} = iu beta/(beta - 1) + O(u^2) there
    v = ok("result = cp.analytic.pareto_log_cf(1e-300, 1e103).imag", ["u", "beta"])
    assert v == pytest.approx(1e-300, rel=1e-12)


def test_stable_tail_quantiles():
    # q -> 1: the first-order power tail (C/(1-q))^(1/beta), C = 2 Gamma(beta) sin(pi beta/2)/pi
    c = 2 * math.gamma(1.5) * math.sin(0.75 * math.pi) / math.pi
    assert ok("cp.stable_quantile(1 - 1e-12, 1.5)", ["q", "beta"]) == pytest.approx((c / 1e-12) ** (1 / 1.5), rel=1e-4)
    refused("cp.stable_quantile(1e-12, 1.5)", "q", ["q", "beta"])
    # beta = 1/2: Y = 2 Y0, Y0 Levy, P(Y0 <= y) = erfc(1/(2 sqrt y)); the 5e-324 quantile (mpmath)
    import mpmath as mp

    with mp.workdps(40):
        z = mp.findroot(lambda z: mp.log(mp.erfc(z)) - mp.log(mp.mpf(5e-324)), 27)
        y = float(1 / (4 * z**2))
    assert ok("cp.stable_quantile(5e-324, 0.5)", ["q", "beta"]) == pytest.approx(2 * y, rel=1e-9)
    assert ok("cp.stable_cdf(1e300, 1.5)", ["x", "beta"]) == 1.0
    refused("cp.stable_cdf(float('nan'), 1.5)", "x", ["x", "beta"])


# ----------------------------------------------------------------------------- simulation and estimators
def test_simulation_caps_and_budget():
    # simulate(10**18, 10) was an uninterruptible compiled loop of 1e19 draws; simulate(10, 2**40) an
    # allocation of 8.8 TB; simulate_path(np.arange(1, 2000), 100000) 1.5 GiB
    refused("cp.IndependentSteps(alpha=1.0, power=1.0).simulate(10**18, 10)", "n", ["n", "tasks"], "cap")
    refused("cp.IndependentSteps(alpha=1.0, power=1.0).simulate(10, 2**40)", "tasks", ["n", "tasks"], "cap")
    refused("cp.IndependentSteps(alpha=1.0, power=1.0).simulate_path(np.arange(1, 2000), 100000)", "checkpoints",
            ["checkpoints", "tasks"], "memory budget")
    refused("cp.IndependentSteps(alpha=1.0, power=3).simulate(10**6, 10**6, method='naive')", "n", ["n", "tasks"],
            "cap")


def test_estimators():
    # order_statistic_ci with a NaN sample returned value=nan; budget_fraction([]) named "checkpoints";
    # np.quantile between two infinite samples gave nan for tiny beta
    refused("cp.order_statistic_ci(np.array([1.0, float('nan')]), 5e-324, 1.0)", "x", ["x", "q", "z"])
    refused("cp.budget_fraction(cp.IndependentSteps(alpha=1.0, power=1.0), 1.0, [], 1, 0)", "n",
            ["model", "budget", "n", "tasks", "rng"])
    v = ok("cp.order_statistic_ci([1.0, 2.0, float('inf'), float('inf')], 0.8, 1.0)", ["x", "q", "z"],
           allow_inf=["value", "upper", "stderr"])
    assert v["value"] == "inf" and v["lower"] == 2.0
    v = ok("cp.order_statistic_ci(np.arange(10.0), 0.5, 1e300)", ["x", "q", "z"])  # was an OverflowError
    assert (v["lower"], v["upper"], v["value"]) == (0.0, 9.0, 4.5)
    f = ok("cp.budget_fraction(cp.IndependentSteps(alpha=1.0, power=1.0), 0.5, [1, 5], 100, 0)",
           ["model", "budget", "n", "tasks", "rng"])
    assert f["value"] == [0.0, 0.0] and all(s > 0 for s in f["stderr"])  # S_n >= n > 0.5 n


def test_memory_budget_is_honoured_and_named():
    # the output of a simulation is checked against tailpower's memory budget before it is allocated
    code = ("with tailpower.set_memory_budget('16MiB'):\n"
            "    result = cp.IndependentSteps(alpha=1.0, power=1.0).simulate(1, 10**7, rng=0)")
    out = check(code, ["tasks"], package="cogpower")
    assert out["status"] == "raised" and out["type"] == "BudgetError" and "16 MiB" in out["message"], out
    code = ("with tailpower.set_memory_budget('16MiB'):\n"
            "    result = cp.budget_fraction(cp.IndependentSteps(alpha=1.0, power=1.0), 2.0, range(1, 400), 10**4, 0)")
    out = check(code, ["n", "tasks"], package="cogpower")
    assert out["status"] == "raised" and out["message"].startswith("n:") and "memory budget" in out["message"], out
    v = ok("cp.IndependentSteps(alpha=1.0, power=1.0).simulate(1, 10**6, rng=0).min()", ["tasks"])
    assert v >= 1.0  # a million tasks fit the default budget


def test_normal_z_near_one():
    # was inf: ndtri(0.5 + level/2) rounds to ndtri(1); the 1 - 2^-53 two-sided z is 8.29
    from scipy import special

    assert ok("cp.estimators.normal_z(1 - 2**-53)", ["level"]) == pytest.approx(-special.ndtri(2.0**-54), rel=1e-15)
    assert ok("cp.estimators.normal_z(0.95)", ["level"]) == pytest.approx(1.959963984540054, rel=1e-15)


def test_stable_cdf_far_out_kept_its_phase():
    # was 0.99867 at (1e4, 1.5) and 0.99864 at (1e5, 0.95): plain quadrature of e^{-ivx} lost the phase.
    # P(Y > y) = C y^-beta (1 + O(y^-beta)) with C = 2 Gamma(beta) sin(pi beta/2)/pi; at beta = 1.5 the
    # y^-3 term vanishes (sin 3 pi = 0) and the y^-4.5 one is below 1e-16 here
    c15 = 2 * math.gamma(1.5) * math.sin(0.75 * math.pi) / math.pi
    assert 1 - ok("cp.stable_cdf(1e4, 1.5)", ["x", "beta"]) == pytest.approx(c15 * 1e4 ** -1.5, rel=1e-9)
    c95 = 2 * math.gamma(0.95) * math.sin(0.475 * math.pi) / math.pi
    assert 1 - ok("cp.stable_cdf(1e5, 0.95)", ["x", "beta"]) == pytest.approx(c95 * 1e5 ** -0.95, rel=1e-3)
    # continuous through beta = 1 in the S0 coordinate W = Y - tan(pi beta/2): d log W_q/d beta is
    # about -log(W_q)/beta = -8.8 here, so 1e-9 in beta moves W_q by 6e-5
    q1 = ok("cp.stable_quantile(0.9999, 1.0)", ["q", "beta"])
    q2 = ok("cp.stable_quantile(0.9999, 1 + 1e-9) - math.tan(math.pi * (1 + 1e-9) / 2)", ["q", "beta"])
    assert abs(q1 - q2) < 2e-4
