"""Detectability of threshold policies: closed forms (Pareto, Student t, normal), exact integer
rollouts (mpmath), the kl -> 0 asymptote, and Monte Carlo agreement within standard errors."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, stats

import goodhart as gh


@given(m=st.floats(1e-12, 1.0, exclude_max=True), d=st.floats(1e-300, 1.0, exclude_min=True, exclude_max=True))
def test_rollouts_is_the_least_integer(m, d):
    """(1 - m)^k <= delta < (1 - m)^(k - 1), checked at 50 digits."""
    k = gh.rollouts_to_detect(m, d)
    mpmath.mp.dps = 50
    q = 1 - mpmath.mpf(m)
    assert q**k <= d
    if k > 1:
        assert q ** (k - 1) > d


def _pareto_parts(alpha: float, t: float):
    """Pareto(alpha) on [1, inf): p = t^-alpha, E[X | X > t] = alpha t/(alpha - 1),
    E[X | X <= t] = (E[X] - p E[X | X > t]) / (1 - p) with E[X] = alpha/(alpha - 1)."""
    p = t**-alpha
    up = alpha * t / (alpha - 1)
    lo = (alpha / (alpha - 1) - p * up) / (1 - p)
    return p, up - lo


def _kl(m: float, p: float) -> float:
    mpmath.mp.dps = 40
    m, p = mpmath.mpf(m), mpmath.mpf(p)
    return float(m * mpmath.log(m / p) + (1 - m) * mpmath.log((1 - m) / (1 - p)))


@pytest.mark.parametrize("kl", [0.2, 1e-12])
def test_pareto_root_satisfies_both_equations(kl):
    """The (t, m) returned solve gain = (m - p) D(t) and KL(m, p) = kl in the Pareto closed forms
    (independent of the quadrature behind the solver)."""
    alpha, g = 2.5, 1.0
    r = gh.detectability(stats.pareto(alpha), kl, g)
    p, d = _pareto_parts(alpha, r.t)
    assert r.base_mass == pytest.approx(p, rel=1e-12)
    assert (r.mass - p) * d == pytest.approx(g, rel=1e-9)
    assert _kl(r.mass, p) == pytest.approx(kl, rel=1e-9)
    assert r.rollouts == gh.rollouts_to_detect(r.mass, 0.05)


def test_student_t_threshold_policy_closed_form():
    """Student t (3): E[X | X > t] = f(t)(3 + t^2)/(2 F̄(t)) and, the mean being 0,
    E[X | X <= t] = -F̄ E[X | X > t]/F; a policy of gain 1 at t = 10 has m = p + 1/D."""
    t = 10.0
    r = gh.threshold_policy(stats.t(3), t, gain=1.0)
    p = stats.t.sf(t, 3)
    up = stats.t.pdf(t, 3) * (3 + t * t) / (2 * p)
    d = up + p * up / (1 - p)
    assert r.mass == pytest.approx(p + 1 / d, rel=1e-10)
    assert r.kl == pytest.approx(_kl(r.mass, p), rel=1e-10)
    assert r.false_alarm == pytest.approx(1 - (1 - p) ** r.rollouts, rel=1e-10)
    by_mass = gh.threshold_policy(stats.t(3), t, mass=r.mass)
    assert by_mass.gain == pytest.approx(1.0, rel=1e-10) and by_mass.rollouts == r.rollouts


def test_normal_error_has_a_kl_floor():
    """Light tail: the KL of a gain-1 threshold policy of N(0, 1) has a positive minimum over t
    (closed forms: p = Φ̄(t), D = φ(t)/Φ̄(t) + φ(t)/Φ(t)), found here by scipy's minimiser; budgets
    below it are refused naming kl, above it answered."""
    def kl_at(t):
        p, f = stats.norm.sf(t), stats.norm.cdf(t)
        d = stats.norm.pdf(t) * (1 / p + 1 / f)
        m = p + 1 / d
        return _kl(m, p) if m < 1 else math.inf

    best = optimize.minimize_scalar(kl_at, bounds=(0.5, 3.0), method="bounded", options={"xatol": 1e-10})
    floor = best.fun
    assert 0.7 < floor < 0.8
    with pytest.raises(ValueError, match="^kl: no threshold policy"):
        gh.detectability(stats.norm(), 0.99 * floor, 1.0)
    r = gh.detectability(stats.norm(), 1.01 * floor, 1.0)
    assert r.kl == pytest.approx(1.01 * floor, rel=1e-9) and r.t > best.x  # the larger root


def test_monte_carlo_agrees_within_standard_errors():
    """Draws of the policy through Q's quantile function: the fraction of batches of `rollouts`
    draws with an outlier, the false-alarm fraction under Q and the gain, each within 4 standard errors."""
    r = gh.detectability(stats.t(3), 0.1, 1.0)
    mc = gh.simulate_detection(stats.t(3), r.t, r.mass, r.rollouts, trials=2000, rng=7)
    assert abs(mc.detect - (1 - (1 - r.mass) ** r.rollouts)) <= 4 * mc.detect_stderr
    assert mc.detect >= 0.95 - 4 * mc.detect_stderr
    assert abs(mc.false_alarm - r.false_alarm) <= 4 * mc.false_alarm_stderr
    assert abs(mc.gain - r.gain) <= 4 * mc.gain_stderr


def test_reward_samples_as_the_base_law():
    """An empirical law: p = fraction of scores above t, D = mean above - mean below."""
    x = gh.load_rewards("llama")
    t = float(np.quantile(x, 0.999))
    g = 0.5 * float(x.std())
    r = gh.threshold_policy(x, t, gain=g)
    p = np.mean(x > t)
    d = x[x > t].mean() - x[x <= t].mean()
    assert r.base_mass == pytest.approx(p, rel=1e-14) and r.mass == pytest.approx(p + g / d, rel=1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda: gh.rollouts_to_detect(0.0), "mass"),
    (lambda: gh.rollouts_to_detect(0.5, 1.0), "delta"),
    (lambda: gh.detectability(stats.t(3), 0.0, 1.0), "kl"),
    (lambda: gh.detectability(stats.t(3), 0.1, -1.0), "gain"),
    (lambda: gh.detectability(stats.cauchy(), 0.1, 1.0), "Q"),
    (lambda: gh.threshold_policy(stats.t(3), 1.0, gain=1e9), "gain"),
    (lambda: gh.threshold_policy([1.0, 2.0, float("nan")], 1.5, mass=0.5), "Q"),
    (lambda: gh.threshold_policy([1.0, 2.0], 5.0, mass=0.5), "t"),
    (lambda: gh.simulate_detection(stats.t(3), 5.0, 0.1, 10**6, trials=10**3), "rollouts"),
    (lambda: gh.detection_asymptote(1e-3, 1.0), "tail_index"),
])
def test_bad_input_is_named(call, name):
    with pytest.raises(ValueError, match=f"^{name}: "):
        call()
    with pytest.raises(TypeError, match="^mass: "):
        gh.threshold_policy(stats.t(3), 1.0, mass=0.1, gain=1.0)
