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
