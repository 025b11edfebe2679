"""Tests of goodhart.kl: Theorem 1 construction, Theorem 4 tilt, Theorem 3 reweighting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import goodhart as gh
from goodhart.kl import student_t_upper_mean
from goodhart.model import Dependent, point_mass
from proofs.ledger import all_claims, evaluate


# ----------------------------------------------------------------------------- Theorem 1
@pytest.mark.parametrize("df", [2.5, 3.0, 7.0])
def test_upper_mean_matches_student_t_closed_form(df):
    ts = np.geomspace(1.5, 1e5, 12)
    r = gh.kl_construction(stats.t(df), ts, c=1.0, exponent=0.8)
    np.testing.assert_allclose(r.mean_above, student_t_upper_mean(df, ts), rtol=1e-9)
    # the mixture identity with the closed form of the lower part: E[X|X<=t] = -F̄ E_up / F
    sf = stats.t.sf(ts, df)
    lower = -sf * student_t_upper_mean(df, ts) / (1 - sf)
    np.testing.assert_allclose(r.mean, (1 - r.mass) * lower + r.mass * student_t_upper_mean(df, ts), rtol=1e-9)


def test_kl_is_the_closed_form_and_matches_direct_integral():
    Q, t, m = stats.t(3), 5.0, 5.0**-0.8
    r = gh.kl_construction(Q, t, c=1.0, exponent=0.8)
    # direct numerical ∫ p log(p/q) with p the piecewise-rescaled density
    from scipy.integrate import quad

    a, b = (1 - m) / Q.cdf(t), m / Q.sf(t)
    direct = quad(lambda x: a * Q.pdf(x) * math.log(a), -np.inf, t)[0] + quad(lambda x: b * Q.pdf(x) * math.log(b), t, np.inf)[0]
    assert r.kl == pytest.approx(direct, rel=1e-8)


def test_mean_agrees_with_monte_carlo_of_the_mixture():
    Q, t, c, e = stats.t(3), 10.0, 1.0, 0.8
    r = gh.kl_construction(Q, t, c=c, exponent=e)
    rng = np.random.default_rng(1)
    n = 400_000
    above = rng.random(n) < c / t**e
    u = rng.random(n)
    x = np.where(above, Q.isf(u * Q.sf(t)), Q.ppf(u * Q.cdf(t)))
    se = x.std(ddof=1) / math.sqrt(n)
    assert abs(x.mean() - r.mean) < 5 * se


def test_figure3_behaviour_and_exponent1_limit():
    r = gh.kl_construction(stats.t(3), [100.0, 1e4, 1e6], exponent=0.8)
    assert np.all(np.diff(r.mean) > 0) and np.all(np.diff(r.kl) < 0)
    r1 = gh.kl_construction(stats.t(3), 1e7, exponent=1.0)
    assert r1.mean == pytest.approx(1.5, abs=1e-5)  # c·ν/(ν-1), the caption says 1
    assert isinstance(r1.mean, float) and r1.stderr >= 0 and r1.samples == 0


def test_location_scale_equivariance():
    base = gh.kl_construction(stats.t(3), 20.0, c=2.0, exponent=0.9)
    # P_t for Y = 2X is the image of P_{t/2} for X only if the mass matches: compare at same mass
    sh = gh.kl_construction(stats.t(3, scale=2.0), 40.0, c=2.0 * 2.0**0.9, exponent=0.9)
    assert sh.mass == pytest.approx(base.mass)
    assert sh.mean == pytest.approx(2 * base.mean, rel=1e-9)
    assert sh.kl == pytest.approx(base.kl, rel=1e-9)


def test_utility_path_keeps_v_near_its_mean():
    r = gh.kl_construction(stats.t(3), 100.0, exponent=0.8, utility=stats.norm())
    alone = gh.kl_construction(stats.t(3), 100.0, exponent=0.8)
    # U = V + X with V ~ N(0,1): E_P[U] stays close to the error-only path, E_P[V] ~ 0
    assert abs(r.mean_V) < 0.01 and abs(r.mean - alone.mean) < 0.01 and abs(r.kl - alone.kl) < 0.01
    assert r.mean == pytest.approx(r.mean_V + r.mean_X, rel=1e-12)


@pytest.mark.parametrize("kw, match", [
    (dict(t=100.0, exponent=-0.8), "exponent"),
    (dict(t=100.0, exponent=0.0), "exponent"),
    (dict(t=100.0, c=0.0), "c"),
    (dict(t=1.0, c=1.0), "t"),
    (dict(t=0.5, c=1.0), "t"),
    (dict(t=[5.0, np.nan]), "t"),
])
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=f"^{match}:"):
        gh.kl_construction(stats.t(3), **kw)


def test_bad_base_laws():
    with pytest.raises(ValueError, match="^Q:"):
        gh.kl_construction(stats.t(1), 10.0)
    with pytest.raises(TypeError, match="^Q:"):
        gh.kl_construction(stats.poisson(3), 10.0)
    with pytest.raises(ValueError, match="^t:"):
        gh.kl_construction(stats.uniform(0, 5), 10.0)


# ----------------------------------------------------------------------------- Theorem 4
def test_normal_tilt_closed_forms():
    b = np.array([0.05, 0.5, 5.0])
    r = gh.kl_optimum(stats.norm(0, 2), stats.norm(0, 1.5), beta=b)
    np.testing.assert_allclose(r.mean_V, 4 / b, rtol=1e-9)
    np.testing.assert_allclose(r.mean_X, 2.25 / b, rtol=1e-9)
    np.testing.assert_allclose(r.kl, 6.25 / (2 * b**2), rtol=1e-8)
    np.testing.assert_allclose(r.log_normaliser, 6.25 / (2 * b**2), rtol=1e-9)


def test_exponential_utility_tilt():
    lam = 0.5  # tilted Exp(1) is Exp(1 - λ): mean 1/(1-λ), KL = λ/(1-λ) + log(1-λ)
    r = gh.kl_optimum(stats.expon(), stats.norm(), beta=1 / lam)
    assert r.mean_V == pytest.approx(1 / (1 - lam), rel=1e-9)
    assert r.kl == pytest.approx(lam / (1 - lam) + math.log(1 - lam) + lam**2 / 2, rel=1e-9)
    with pytest.raises(ValueError, match="^beta:"):
        gh.kl_optimum(stats.expon(), stats.norm(), beta=0.9)


@pytest.mark.parametrize("X", [stats.t(3), stats.lognorm(0.5), stats.pareto(2.5), stats.levy()])
def test_heavy_tailed_error_raises(X):
    with pytest.raises(gh.HeavyTailError, match="^X: .*heavy-tailed"):
        gh.kl_optimum(stats.norm(), X, beta=10.0)
    assert issubclass(gh.HeavyTailError, ValueError)


def test_mgf_divergence_criterion():
    assert not gh.mgf_diverges(stats.norm(), 50.0)
    assert not gh.mgf_diverges(stats.uniform(), 1e3)
    assert gh.mgf_diverges(stats.t(3), 1e-4)
    assert not gh.mgf_diverges(stats.expon(), 0.99)
    assert gh.mgf_diverges(stats.expon(), 1.0)


def test_bad_input_tilt():
    with pytest.raises(ValueError, match="^beta:"):
        gh.kl_optimum(stats.norm(), stats.norm(), beta=0.0)
    with pytest.raises(TypeError, match="^V:"):
        gh.kl_optimum(stats.poisson(2), stats.norm(), beta=1.0)
    with pytest.raises(TypeError, match="^X:"):
        gh.kl_optimum(stats.norm(), point_mass(0.0), beta=1.0)


def test_dependent_with_independent_error_matches():
    dep = Dependent(V=stats.norm(0, 2), error=lambda v: stats.norm(0, 1))
    r = gh.kl_optimum(dep, beta=0.5)
    assert r.mean_V == pytest.approx(8.0, rel=1e-8)
    assert r.mean_X == pytest.approx(2.0, rel=1e-8)
    assert r.kl == pytest.approx(5 / (2 * 0.25), rel=1e-8)


def test_dependent_footnote_example_exact():
    # V ~ N(0,1); X|V ~ N(0,4) on |V| <= 1 else 0. Z = ∫ φ(v) e^{λv} (e^{2λ²} on [-1,1], 1 outside)
    dep = Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2) if abs(v) <= 1 else point_mass(0.0))
    lam = 4.0
    N = stats.norm
    def mass(a, b):
        return math.exp(lam**2 / 2) * (N.cdf(b - lam) - N.cdf(a - lam))
    def first(a, b):
        return math.exp(lam**2 / 2) * (lam * (N.cdf(b - lam) - N.cdf(a - lam)) + N.pdf(a - lam) - N.pdf(b - lam))
    w = math.exp(2 * lam**2)
    Z = w * mass(-1, 1) + mass(-np.inf, -1) + mass(1, np.inf)
    EV = (w * first(-1, 1) + first(-np.inf, -1) + first(1, np.inf)) / Z
    EX = w * mass(-1, 1) * (4 * lam) / Z
    r = gh.kl_optimum(dep, beta=1 / lam)
    assert r.mean_V == pytest.approx(EV, rel=1e-7)
    assert r.mean_X == pytest.approx(EX, rel=1e-7)
    assert r.log_normaliser == pytest.approx(math.log(Z), rel=1e-9)
    assert r.mean_V < 1.0  # bounded: the error shrinking for large V stops the tilt at |V| = 1


# ----------------------------------------------------------------------------- Theorem 3
def test_trajectory_reweighting_matches_policy_chain_rule():
    # depth-3 binary tree, uniform base policy: trajectories = leaves, p = 1/8 each
    rng = np.random.default_rng(3)
    U = np.exp(rng.normal(size=8)) * 3
    p = np.full(8, 1 / 8)
    t = float(np.sort(U)[5])
    r = gh.reweight_trajectories(p, U, t=t, c=t**0.7 / 4, exponent=0.7, true=np.arange(8.0))
    q = r.weights
    assert q.sum() == pytest.approx(1.0) and r.mass == pytest.approx(0.25)
    # per-state KL of the policy π(a|s) = q(child)/q(s) against π0 = 1/2, weighted by q(s)
    total, level = 0.0, q.copy()
    while level.size > 1:
        pairs = level.reshape(-1, 2)
        s = pairs.sum(axis=1)
        pi = pairs / s[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            kl_s = np.where(pi > 0, pi * np.log(pi / 0.5), 0.0).sum(axis=1)
        total += float(np.sum(s * kl_s))
        level = s
    assert r.kl == pytest.approx(total, rel=1e-12)
    F = np.sum(p[U <= t])
    assert r.kl == pytest.approx(0.75 * math.log(0.75 / F) + 0.25 * math.log(0.25 / (1 - F)), rel=1e-12)
    assert r.mean_U == pytest.approx(float(q @ U)) and r.mean_V == pytest.approx(float(q @ np.arange(8.0)))


def test_trajectory_bad_input():
    p = np.array([0.5, 0.5])
    with pytest.raises(ValueError, match="^prob:"):
        gh.reweight_trajectories([0.5, 0.6], [0.0, 1.0], t=2.0)
    with pytest.raises(ValueError, match="^t:"):
        gh.reweight_trajectories(p, [0.0, 1.0], t=2.0, c=0.5)  # nothing above t
    with pytest.raises(ValueError, match="^t:"):
        gh.reweight_trajectories(p, [0.0, 3.0], t=0.5, c=1.0)  # mass >= 1


# ----------------------------------------------------------------------------- ledger
@pytest.mark.parametrize("claim", all_claims(["goodhart_kl"]), ids=lambda c: c.id)
def test_ledger_claim(claim):
    res = evaluate(claim)
    assert not res.failed, (res.symbolic, res.numeric, res.errors)


# ----------------------------------------------------------------------------- reliability regressions
# Each test pins an input that once crashed, hung or gave a wrong number (docs/contract.md) to its
# correct value: closed forms, mpmath at 400 digits, or an independent scipy quadrature.
import mpmath as mp  # noqa: E402

from goodhart import _kl_quad  # noqa: E402


def _t_tail_mp(nu: float, t: float):
    """(F̄(t), F(t), E[X|X>t], E[X|X<=t]) of Student t_nu with mpmath: F̄ by the regularised incomplete
    beta function, ∫_t^∞ x f = (nu + t²) f(t)/(nu - 1) (proofs.goodhart_kl.student_t_upper_mean)."""
    with mp.workdps(400):
        nu, t = mp.mpf(nu), mp.mpf(t)
        f = mp.gamma((nu + 1) / 2) / (mp.sqrt(nu * mp.pi) * mp.gamma(nu / 2)) * (1 + t**2 / nu) ** (-(nu + 1) / 2)
        sf = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + t**2), regularized=True) / 2
        up = (nu + t**2) * f / ((nu - 1) * sf)
        return sf, 1 - sf, up, -sf * up / (1 - sf)


def _path_mp(sf, F, up, lo, m):
    with mp.workdps(400):
        m = mp.mpf(m)
        kl = (1 - m) * (mp.log1p(-m) - mp.log(F)) + m * mp.log(m / sf)
        return float((1 - m) * lo + m * up), float(kl)


@pytest.mark.parametrize("t, exponent", [(1e20, 3.0), (1e103, 0.8), (1e103, 1.0), (1e103, 3.0)])
def test_construction_far_in_the_tail_matches_mpmath(t, exponent):
    # scipy's t.logsf is subnormal-inaccurate (1e-11) near 1e103 and -inf beyond: the tail comes
    # from the density there; t = 1e103 was refused as "outside the support"
    sf, F, up, lo = _t_tail_mp(3, t)
    mean, kl = _path_mp(sf, F, up, lo, mp.mpf(t) ** (-exponent))
    r = gh.kl_construction(stats.t(3), t, exponent=exponent)
    assert r.mean_above == pytest.approx(float(up), rel=1e-12)
    assert r.mean == pytest.approx(mean, rel=1e-11, abs=1e-300)
    assert r.kl == pytest.approx(kl, rel=1e-11)
    assert abs(r.mean - mean) <= 5 * r.stderr + 1e-12 * abs(mean)


def test_construction_normal_at_1e16_and_1e150():
    # KL = m log(m/F̄) with log F̄ = -t²/2 - ...: 5e15 at t = 1e16; E[X|X>t] = t + 1/t - ... = t
    for t in (1e16, 1e150):
        r = gh.kl_construction(stats.norm(), t)
        with mp.workdps(60):
            tt = mp.mpf(t)
            log_sf = mp.log(mp.erfc(tt / mp.sqrt(2)) / 2)
            kl = float((1 - 1 / tt) * mp.log1p(-1 / tt) + (1 / tt) * (mp.log(1 / tt) - log_sf))
        assert r.mean_above == t and r.mean == pytest.approx(1.0, rel=1e-15)
        assert r.kl == pytest.approx(kl, rel=1e-13)


def test_construction_mass_in_log_space():
    # c = 1e308 with exponent 1e-300 raised OverflowError (c**(1/exponent)); now a named refusal
    with pytest.raises(ValueError, match=r"^t: .*c\*\*\(1/exponent\) = exp\("):
        gh.kl_construction(stats.t(2.5), 9930.28, c=2.0, exponent=1e-300)
    # m = 1e300 / 3**1e300 underflows to 0 ("math domain error" before): P_t = Q restricted to X <= 3
    Q = stats.weibull_min(0.5)
    r = gh.kl_construction(Q, 3.0, c=1e300, exponent=1e300)
    from scipy.integrate import quad

    below = quad(lambda x: x * Q.pdf(x), 0, 3, epsabs=0, epsrel=1e-12, limit=200)[0] / Q.cdf(3)
    assert r.mass == 0.0 and r.mean == pytest.approx(below, rel=1e-9)
    assert r.kl == pytest.approx(-math.log(Q.cdf(3)), rel=1e-12)


def test_construction_utility_normal_closed_form():
    # V, X ~ N(0, 1) independent: U ~ N(0, 2), E[V | U > t] = E[X | U > t] = E[U | U > t] / 2
    for t in (3.0, 30.0):
        r = gh.kl_construction(stats.norm(), t, exponent=0.8, utility=stats.norm())
        s = math.sqrt(2.0)
        z = t / s
        up = s * math.exp(stats.norm.logpdf(z) - stats.norm.logsf(z))
        lo = -s * math.exp(stats.norm.logpdf(z) - stats.norm.logcdf(z))
        m = t**-0.8
        ls, lc = stats.norm.logsf(z), stats.norm.logcdf(z)
        assert r.mean_above == pytest.approx(up, rel=1e-9) and r.mean_below == pytest.approx(lo, rel=1e-8, abs=1e-14)
        assert r.mean == pytest.approx((1 - m) * lo + m * up, rel=1e-9)
        assert r.mean_V == pytest.approx(r.mean / 2, rel=1e-8) and r.mean_X == pytest.approx(r.mean / 2, rel=1e-8)
        assert r.kl == pytest.approx((1 - m) * (math.log1p(-m) - lc) + m * (math.log(m) - ls), rel=1e-9)


def test_construction_utility_gamma_closed_form():
    # V, X ~ Exp(1): U ~ Gamma(2), P(U > t) = (1 + t) e^-t, E[U 1{U>t}] = (t² + 2t + 2) e^-t, and
    # E[V | U > t] = E[X | U > t] = E[U | U > t] / 2; far out (t = 500) P(U > t) ~ e^-494
    for t in (2.0, 500.0):
        r = gh.kl_construction(stats.expon(), t, exponent=1.0, utility=stats.expon())
        up = (t * t + 2 * t + 2) / (1 + t)
        lsf = math.log1p(t) - t
        lcdf = math.log(-math.expm1(lsf))
        lo = (2.0 - math.exp(lsf) * up) / math.exp(lcdf)
        m = 1 / t
        assert r.mean_above == pytest.approx(up, rel=1e-9) and r.mean_below == pytest.approx(lo, rel=1e-9)
        assert r.mean_V == pytest.approx(r.mean / 2, rel=1e-9) and r.mean == pytest.approx((1 - m) * lo + m * up, rel=1e-9)
        assert r.kl == pytest.approx((1 - m) * (math.log1p(-m) - lcdf) + m * (math.log(m) - lsf), rel=1e-9)


def test_construction_refuses_a_law_too_slow_to_integrate(monkeypatch):
    # scipy's levy_stable evaluates its density by numerical integration: the utility path took 6 min;
    # the evaluation cap (lowered here to keep the test short) refuses it deterministically
    monkeypatch.setattr(_kl_quad, "EVAL_LIMIT", 2_000)
    with pytest.raises(ValueError, match="^utility: the quadrature did not converge within its work limit"):
        gh.kl_construction(stats.t(3), 10.0, utility=stats.levy_stable(1.5, 0))


@pytest.mark.parametrize("kw, err, match", [
    (dict(t={}), TypeError, "t"), (dict(t="5"), TypeError, "t"), (dict(t=5 + 0j), TypeError, "t"),
    (dict(t=[[5.0]]), ValueError, "t"), (dict(t=-3.0), ValueError, "t"), (dict(c=True), TypeError, "c"),
    (dict(t=1e200), ValueError, "t"),  # scipy's t.logpdf overflows there: too far to evaluate
])
def test_construction_named_refusals(kw, err, match):
    kw = {"t": 10.0, **kw}
    with pytest.raises(err, match=f"^{match}:"):
        gh.kl_construction(stats.t(3), **kw)


def test_mgf_divergence_regressions():
    assert gh.mgf_diverges(stats.expon(), 1e300)        # was False (no probes below 1e300/lam)
    assert gh.mgf_diverges(stats.t(3), 1e-308)          # was False; heavy tails diverge at every lam > 0
    assert gh.mgf_diverges(stats.t(3), 5e-324)
    assert gh.mgf_diverges(stats.t(3), -1.0)            # the left tail for lam < 0
    assert not gh.mgf_diverges(stats.expon(), -1e300)   # bounded below
    assert not gh.mgf_diverges(stats.norm(), 1e200)     # Gaussian: finite everywhere
    assert not gh.mgf_diverges(stats.weibull_min(1.01), 1e4) and gh.mgf_diverges(stats.weibull_min(0.99), 1e-4)
    assert gh.mgf_diverges(stats.levy_stable(1.5, 0), 1e-3)  # scipy's density breaks down beyond 1e10
    assert gh.mgf_diverges(stats.chi2(1), 0.5) and not gh.mgf_diverges(stats.chi2(1), 0.4999)
    assert not gh.mgf_diverges(stats.norm(), 0.0)
    for bad, err, name in ((float("nan"), ValueError, "lam"), (float("inf"), ValueError, "lam"),
                           ("1", TypeError, "lam"), (1j, TypeError, "lam")):
        with pytest.raises(err, match=f"^{name}:"):
            gh.mgf_diverges(stats.norm(), bad)
    for law in (None, "norm", stats.poisson(3), [stats.norm()]):
        with pytest.raises(TypeError, match="^dist:"):
            gh.mgf_diverges(law, 1.0)


def test_optimum_regressions():
    # N(0, 1e16) at beta = 1e-6 raised IndexError (the peak 1e22 was beyond the probe grid); there
    # log f ~ -5e27 carries no digits about the tilted law's width 1e8: a named refusal
    with pytest.raises(ValueError, match="^beta: .*too large in magnitude"):
        gh.kl_optimum(stats.norm(0, 1e8), stats.norm(), beta=1e-6)
    r = gh.kl_optimum(stats.norm(0, 1e4), stats.norm(), beta=1.0)  # peak at 1e8, log f ~ -5e7: resolvable
    assert r.mean_V == pytest.approx(1e8, rel=1e-12) and r.mean_X == pytest.approx(1.0, rel=1e-9)
    assert r.log_normaliser == pytest.approx((1e8 + 1) / 2, rel=1e-12)
    assert r.kl == pytest.approx((1e8 + 1) / 2, rel=1e-9)
    # heavy-tailed V at beta = 1e308 gave a finite "optimum" after 13 s
    with pytest.raises(gh.HeavyTailError, match="^V:"):
        gh.kl_optimum(stats.t(3, 1e12), stats.norm(), beta=1e308)
    # log Z = 1e600 / 2 is not representable
    with pytest.raises(ValueError, match="^beta:"):
        gh.kl_optimum(stats.norm(), stats.norm(), beta=1e-300)
    with pytest.raises(ValueError, match="^beta: .*choose beta > 1e\\+06"):
        gh.kl_optimum(stats.expon(0, 1e6), stats.lognorm(1), beta=1e-300)
    for bad, err in ((1j, TypeError), ({}, TypeError), (object(), TypeError), (float("nan"), ValueError), (5e-324, ValueError)):
        with pytest.raises(err, match="^beta:"):
            gh.kl_optimum(stats.norm(), stats.norm(), beta=bad)


def test_optimum_location_far_from_zero_keeps_its_digits():
    # lam*y - lam*y* at y ~ 1e12 loses 1e-4; the integrand is now evaluated relative to the peak
    r = gh.kl_optimum(stats.norm(1e12, 1.0), stats.norm(-1e12, 2.0), beta=0.5)
    assert r.mean_V == pytest.approx(1e12 + 2.0, rel=1e-15) and r.mean_X == pytest.approx(-1e12 + 8.0, rel=1e-15)
    # the KL is a difference of quadratures at y ~ 1e12 (ulp 1e-4 on a width-1 law): its error bound
    # says how many digits are left
    assert abs(r.kl - 10.0) <= r.kl_err < 1e-3
    assert abs(r.mean_V - (1e12 + 2.0)) <= r.stderr


def test_optimum_bounded_support_tilt():
    # tilted uniform on [0, 1]: mean 1/(1 - e^-lam) - 1/lam, log M = log((e^lam - 1)/lam)
    for lam in (3.0, 1e3, 1e8):
        r = gh.kl_optimum(stats.uniform(), stats.norm(0, 1e-3), beta=1 / lam)
        mean = 1 / -math.expm1(-lam) - 1 / lam
        logm = lam + math.log(-math.expm1(-lam)) - math.log(lam)
        assert r.mean_V == pytest.approx(mean, rel=1e-12, abs=1e-15)
        assert r.kl == pytest.approx(lam * mean - logm + (lam * 1e-3) ** 2 / 2, rel=1e-8)


def test_optimum_tiny_tilt_kl_is_accurate():
    # Gumbel: M(lam) = Gamma(1 - lam), E*[X] = -digamma(1 - lam); KL = lam E* - log M ~ 1e-12 at
    # beta = 1e6, where lam E* - log M cancels to 1e-17 (5e-5 relative before the cumulant series)
    for beta in (1e3, 1e6, 1e9):
        r = gh.kl_optimum(stats.norm(), stats.gumbel_r(), beta=beta)
        with mp.workdps(60):
            lam = mp.mpf(1) / beta
            kl = lam**2 / 2 + lam * (-mp.digamma(1 - lam)) - mp.loggamma(1 - lam)
        assert r.kl == pytest.approx(float(kl), rel=1e-9)


def test_optimum_dependent_odd_error_callables():
    dep = Dependent(stats.norm(), lambda v: stats.norm(0, 1) if v < 3 else 1 / 0)
    with pytest.raises(TypeError, match="^error: .*ZeroDivisionError"):
        gh.kl_optimum(dep, beta=0.5)
    dep = Dependent(stats.norm(), lambda v: stats.norm(0, 1) if v < 3 else {}[v])
    with pytest.raises(TypeError, match="^error: .*KeyError"):
        gh.kl_optimum(dep, beta=0.5)
    # scale 0 is invalid in scipy (every function NaN): it was silently given weight 0
    dep = Dependent(stats.norm(), lambda v: stats.norm(0, max(1 - abs(v), 0.0)) if abs(v) < 3 else point_mass(0.0))
    with pytest.raises(ValueError, match="^error: .*invalid parameters"):
        gh.kl_optimum(dep, beta=12.0)
    # heavy conditional law only above V = 3 (not seen at the probe quantiles): Z = inf
    dep = Dependent(stats.norm(), lambda v: stats.t(3) if v > 3 else stats.norm())
    with pytest.raises(gh.HeavyTailError, match="^X:"):
        gh.kl_optimum(dep, beta=1.0)


def test_optimum_dependent_point_mass_cancelling_the_tilt():
    # X = -V: U = 0, so pi* = pi0 and KL = 0 for every beta
    r = gh.kl_optimum(Dependent(stats.expon(), lambda v: point_mass(-v)), beta=0.1)
    assert r.mean_V == pytest.approx(1.0, rel=1e-9) and r.mean_X == pytest.approx(-1.0, rel=1e-9)
    assert r.log_normaliser == pytest.approx(0.0, abs=1e-9) and r.kl == pytest.approx(0.0, abs=1e-9)


def test_trajectory_regressions():
    p = [1 / 3, 1 / 3, 1 / 3]
    with pytest.raises(ValueError, match="^t:"):   # ZeroDivisionError (t**2 underflow)
        gh.reweight_trajectories(p, [5.0, 5.0, 5.0], 5e-324, c=1e308, exponent=2.0)
    with pytest.raises(ValueError, match="^t:"):   # OverflowError (c**(1/exponent))
        gh.reweight_trajectories(p, [1e-300, 1e300, 3.0], 130.35, c=1e103, exponent=1e-300)
    # exponent = 1e308: m underflows to 0; the KL was NaN (0 * -inf)
    r = gh.reweight_trajectories([0.3, 0.3, 0.4 + 1e-12], [0.0, 1.0, 100.0], 98.7, c=0.8, exponent=1e308)
    assert r.mass == 0.0 and np.allclose(r.weights, [0.5, 0.5, 0.0]) and r.mean_U == pytest.approx(0.5)
    assert r.kl == pytest.approx(-math.log(0.6), rel=1e-9)
    for kw, err, name in ((dict(prob="abc"), TypeError, "prob"), (dict(proxy=["a", "b", "c"]), TypeError, "proxy"),
                          (dict(prob=[object(), 0.5, 0.5]), TypeError, "prob"), (dict(true=[1.0, 2.0]), ValueError, "true")):
        args = {"prob": p, "proxy": [0.0, 1.0, 100.0], "t": 50.0, **kw}
        with pytest.raises(err, match=f"^{name}:"):
            gh.reweight_trajectories(args.pop("prob"), args.pop("proxy"), **args)


def test_optimum_dependent_non_normal_conditional_laws(monkeypatch):
    from goodhart import _kl_optimum

    # an exponential error independent of V through the Dependent path (one inner quadrature, cached)
    lam = 0.5
    E = stats.expon()
    r = gh.kl_optimum(Dependent(stats.norm(), lambda v: E), beta=1 / lam)
    assert r.mean_V == pytest.approx(lam, rel=1e-9) and r.mean_X == pytest.approx(1 / (1 - lam), rel=1e-9)
    assert r.kl == pytest.approx(lam**2 / 2 + lam / (1 - lam) + math.log(1 - lam), rel=1e-8)
    # an exponential error whose rate 1/(1 + |v|) falls below 1/beta for |v| >= 4: Z = inf
    with pytest.raises(ValueError, match="^beta:"):
        gh.kl_optimum(Dependent(stats.norm(), lambda v: stats.expon(scale=1 + abs(v))), beta=5.0)
    # a different non-normal law at every v: each needs its own quadrature, capped per call
    monkeypatch.setattr(_kl_optimum, "_MAX_INNER", 2)
    with pytest.raises(ValueError, match="^error: .*more than 2 different"):
        gh.kl_optimum(Dependent(stats.norm(), lambda v: stats.expon(scale=1 + 0.1 * min(abs(v), 1.0))), beta=5.0)
