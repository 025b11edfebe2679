"""Dependent(..., vectorized=True): the error law evaluated on arrays of v.

The vectorised mode must give the numbers of the scalar mode (same quadrature nodes, the same
scipy formulas elementwise), agree with closed forms for jointly normal (V, U), and reject error
callables that do not return one frozen scipy law with the batch shape of v.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

import goodhart as gh

Z = 5.0
REL = 1e-10


def mills(x: float) -> float:
    """phi(x) / Phi-bar(x) = sqrt(2/pi) / erfcx(x/sqrt 2), stable at x ~ 400 (exp(logpdf - logsf)
    loses ~1e-11 relative there: both logs are ~ -1e5 with 1e-16 relative error each)."""
    return math.sqrt(2 / math.pi) / special.erfcx(x / math.sqrt(2))


def _pair(make, V=None):
    """(scalar-mode, vectorised-mode) models from ``make(v)`` written with numpy functions."""
    V = stats.norm() if V is None else V
    return (gh.Dependent(V=V, error=lambda v: make(v)),
            gh.Dependent(V=V, error=make, vectorized=True))


MODELS = {
    # the example of the brief: normal error whose sd shrinks with |v|
    "normal_sd": (lambda v: stats.norm(0.0, 2.0 / (1.0 + np.abs(v))), [3.0, 20.0]),
    # Student t error (heavy tailed) with v-dependent location and scale
    "student_t": (lambda v: stats.t(4.0, 0.2 * v, 1.0 + 0.5 * np.abs(v)), [5.0, 30.0]),
    # heteroscedastic normal, deep tail: log P(U >= 1000) ~ -2891
    "hetero_normal": (lambda v: stats.norm(0.5 * v, 1.0 + 0.3 * np.abs(v)), [100.0, 1000.0]),
}


def _close(a, b, rel=REL):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.all(np.isfinite(a)) and np.all(np.abs(a - b) <= rel * np.maximum(np.abs(b), 1e-300))


@pytest.mark.parametrize("name", list(MODELS))
def test_quad_vectorized_equals_scalar(name):
    make, ts = MODELS[name]
    scal, vec = _pair(make)
    rs = gh.conditional_mean(scal, t=ts)
    rv = gh.conditional_mean(vec, t=ts)
    assert _close(rv.value, rs.value), (rv.value, rs.value)
    assert _close(rv.log_prob, rs.log_prob), (rv.log_prob, rs.log_prob)
    assert _close(rv.stderr, rs.stderr, 1e-6)
    assert np.all(np.isfinite(rv.log_prob)) and np.all(rv.log_prob < 0)
    # conditioning on a higher proxy raises the conditional mean here (both error laws are
    # symmetric or centred at v/2, so a larger U is evidence of a larger V)
    assert rv.value[1] > 0


def test_other_kernels_vectorized_equals_scalar():
    """The density ("pdf") and cdf kernels of logw, used by best-of-N, agree too."""
    from goodhart._selection_problem import make_problem as _problem

    make, _ = MODELS["normal_sd"]
    scal, vec = _pair(make)
    v = np.linspace(-8.0, 8.0, 41)
    for kind in ("sf", "pdf", "cdf"):
        a = _problem(scal, None).logw(7.0, kind)(v)
        b = _problem(vec, None).logw(7.0, kind)(v)
        assert np.array_equal(np.isfinite(a), np.isfinite(b))
        assert _close(b, a, 1e-13), kind


@pytest.mark.parametrize("t", [0.0, 10.0, 100.0, 1000.0])
def test_vectorized_closed_form_linear_gaussian(t):
    """X | V = v ~ N(a v, s^2): U = (1 + a) V + X is normal with variance (1 + a)^2 + s^2 and
    Cov(V, U) = 1 + a, so E[V | U >= t] = (1 + a)/su * phi(t/su) / Phi-bar(t/su) (inverse Mills
    ratio) and log P(U >= t) = log Phi-bar(t/su) -- finite at t = 1000 (about -1.5e5)."""
    a, s = 0.5, 1.7
    model = gh.Dependent(V=stats.norm(), error=lambda v: stats.norm(a * v, s), vectorized=True)
    su = math.hypot(1 + a, s)
    exact = (1 + a) / su * mills(t / su)   # checked against mpmath (50 digits) at t = 1000
    r = gh.conditional_mean(model, t=t)
    assert abs(r.value - exact) <= Z * r.stderr + 1e-12 * abs(exact)
    assert abs(r.log_prob - stats.norm.logsf(t / su)) <= 1e-9 * abs(stats.norm.logsf(t / su))


@pytest.mark.parametrize("t", [2.0, 15.0])
def test_exact_mc_vectorized_agrees_with_quad(t):
    make, _ = MODELS["normal_sd"]
    vec = gh.Dependent(V=stats.norm(), error=make, vectorized=True)
    q = gh.conditional_mean(vec, t=t)
    mc = gh.conditional_mean(vec, t=t, method="exact_mc", samples=40_000, rng=7)
    assert mc.stderr > 0 and abs(mc.value - q.value) <= Z * math.hypot(mc.stderr, q.stderr)


def test_sample_conditional_vectorized_matches_scalar():
    """Same seed -> same tilted V draws and same uniforms, so X | X >= t - V must coincide."""
    make, _ = MODELS["student_t"]
    scal, vec = _pair(make)
    t = 6.0
    vs, xs = gh.sample_conditional(scal, t=t, size=150, rng=3)
    vv, xv = gh.sample_conditional(vec, t=t, size=150, rng=3)
    assert np.array_equal(vs, vv)
    assert np.all(vv + xv >= t - 1e-9 * t)
    assert np.allclose(xv, xs, rtol=1e-10, atol=1e-12)


def test_sample_conditional_vectorized_closed_form():
    """Error independent of V but given as a batch law (N(0, 2^2) for every v): jointly normal,
    E[X | U >= t] = s_X^2/su * phi(t/su)/Phi-bar(t/su); t = 200 (log P(X >= t - V | V) ~ -3200) exercises the
    bisection branch, t = 1 the ppf and isf branches. The mean of the draws must be within 5 standard errors."""
    vec = gh.Dependent(V=stats.norm(), error=lambda v: stats.norm(0.0, 2.0 * np.ones_like(v)), vectorized=True)
    for t in (1.0, 200.0):
        v, x = gh.sample_conditional(vec, t=t, size=20_000, rng=11)
        su = math.sqrt(5.0)
        assert np.all(v + x >= t - 1e-9 * t)
        for draws, var in ((x, 4.0), (v, 1.0)):
            exact = var / su * mills(t / su)
            se = np.std(draws, ddof=1) / math.sqrt(draws.size)
            assert abs(np.mean(draws) - exact) <= Z * se, (t, np.mean(draws), exact, se)


def test_error_at_in_vectorized_mode_is_the_scalar_law():
    make, _ = MODELS["student_t"]
    scal, vec = _pair(make)
    x = np.linspace(-5, 40, 7)
    for v in (-2.0, 0.3, 7.5):
        assert _close(vec.error_at(v).logsf(x), scal.error_at(v).logsf(x), 1e-14)


def test_kl_optimum_vectorized_equals_scalar_and_closed_form():
    """kl_optimum's dependent tilt with X | V = v ~ N(a v, s^2) (normal batch law in closed form).

    Integrating x out, pi* ∝ f_V(v) e^{λ(1+a)v} so V* ~ N((1+a)λ, 1), E*[X] = a(1+a)λ + λ s^2,
    log Z = ((1+a)^2 + s^2) λ^2 / 2 = KL (λ = 1/beta)."""
    a, s, beta = 0.5, 1.7, 2.0
    lam = 1.0 / beta
    scal, vec = _pair(lambda v: stats.norm(a * v, s))
    ra = gh.kl_optimum(scal, beta=beta)
    rb = gh.kl_optimum(vec, beta=beta)
    c = ((1 + a) ** 2 + s * s) * lam**2 / 2
    exact = {"mean_V": (1 + a) * lam, "mean_X": a * (1 + a) * lam + lam * s * s, "kl": c, "log_normaliser": c}
    for f, want in exact.items():
        assert _close(getattr(rb, f), getattr(ra, f)), f
        assert abs(getattr(rb, f) - want) <= Z * rb.stderr + 1e-12 * abs(want), (f, getattr(rb, f), want)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("error, match", [
    (lambda v: gh.point_mass(0.0), "point_mass"),
    (lambda v: [stats.norm(0, 1 + abs(x)) for x in v], "one scipy frozen"),
    (lambda v: 3.0, "one scipy frozen"),
    (lambda v: stats.norm, "one scipy frozen"),
    (lambda v: stats.norm(0.0, np.ones(3)), "batch shape|broadcast"),
    (lambda v: stats.norm(0.0, 1.0 + np.abs(v)[:, None]), "batch shape"),
    (lambda v: stats.norm(0.0, 1.0 + math.fabs(v)), "calling error"),
])
def test_bad_vectorized_error_raises_typeerror(error, match):
    with pytest.raises(TypeError, match=r"^error: ") as info:
        gh.Dependent(V=stats.norm(), error=error, vectorized=True)
    assert info.match(match)


def test_vectorized_flag_validated_and_scalar_mode_unchanged():
    with pytest.raises(TypeError, match=r"^vectorized: "):
        gh.Dependent(V=stats.norm(), error=lambda v: stats.norm(), vectorized="yes")
    scal = gh.Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 1 + abs(v)))
    assert scal.vectorized is False
    with pytest.raises(TypeError, match=r"^error: "):
        scal.error_array(np.zeros(3))
    # scalar mode still accepts point masses (the paper's section 5.2 footnote example)
    gh.Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2) if abs(v) <= 1 else gh.point_mass(0.0))


def test_nan_from_invalid_parameters_raises_not_zero_weight():
    """A scale that is 0 for |v| > 3 makes scipy return NaN there; that must not be read as zero mass."""
    bad = gh.Dependent(V=stats.norm(), error=lambda v: stats.norm(0.0, np.where(np.abs(v) > 3, 0.0, 1.0)),
                       vectorized=True)
    with pytest.raises(ValueError, match=r"^error: "):
        gh.conditional_mean(bad, t=5.0)
