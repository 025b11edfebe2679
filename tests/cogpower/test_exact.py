"""The exact quantiles of S_n/n (Laplace inversion, cogpower._inversion) against independent
computations: a one-dimensional convolution at n = 2, mpmath's own Talbot inversion of mpmath's
exponential integral, the rigorous bounds T_max <= T_n <= n T_max, the light-tail (Gamma) limit,
and simulation; and the two inversions (Talbot contour, Bromwich line) against each other."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special

import cogpower as cp
from cogpower import _inversion, _laplace, _predict, analytic


def s2_quantile(q: float, beta: float) -> float:
    """q-quantile of S_2/2 by the convolution P(S_2 <= s) = int_1^{s-1} F(s - x) f(x) dx."""
    def cdf(s):
        f = lambda x: (1 - (s - x) ** -beta) * beta * x ** (-beta - 1)  # noqa: E731
        return integrate.quad(f, 1, s - 1, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
    hi = 4.0
    while cdf(hi) < q:
        hi *= 2
    return optimize.brentq(lambda s: cdf(s) - q, 2.0, hi, xtol=1e-14, rtol=1e-14) / 2


@pytest.mark.parametrize("beta", [0.35, 1.0, 2.0, 2.0609, 6.0])
@pytest.mark.parametrize("q", [0.05, 0.5, 0.9])
def test_n2_against_convolution(beta, q):
    p = analytic.quantile_prediction(2, q, beta, "exact")
    ref = s2_quantile(q, beta)
    assert p.value == pytest.approx(ref, rel=1e-9)
    assert abs(p.value - ref) <= p.error + 2e-13 * ref  # the error estimate is honest


def test_against_mpmath_talbot():
    """mpmath's Talbot inversion of (beta e^p E_{beta+1}(p))^n/p at 30 digits: an independent
    transform and inversion. The former Gil-Pelaez 'exact' gave 1027.5342023 here (2.8e-7 off)."""
    import mpmath as mp

    n, beta, q = 10, 0.3, 0.5
    x = analytic.quantile_per_subtask(n, q, beta, "exact")
    with mp.workdps(30):
        b = mp.mpf(beta)
        f = lambda p: (b * mp.exp(p) * mp.expint(b + 1, p)) ** n / p  # noqa: E731
        cdf = lambda s: mp.invertlaplace(f, (s - 1) * n, method="talbot")  # noqa: E731
        at_x = cdf(mp.mpf(x))
        dens = (cdf(mp.mpf(x) * (1 + 1e-7)) - at_x) / (mp.mpf(x) * 1e-7)
    assert abs(float(at_x) - q) / float(dens) < 1e-8 * x
    assert abs(float(cdf(mp.mpf(1027.5342023407793))) - q) / float(dens) > 2e-4  # the old value


@pytest.mark.parametrize("beta, n", [(0.01, 2), (0.05, 30), (0.3, 10**4), (0.8, 10**5), (1.0, 3), (1.5, 10**3),
                                     (2.0, 10**6), (3.0, 50), (30.0, 7), (1e5, 1000)])
@pytest.mark.parametrize("q", [1e-6, 0.25, 0.5, 0.75, 1 - 1e-6])
def test_inside_the_rigorous_bounds(beta, n, q):
    try:
        p = analytic.quantile_prediction(n, q, beta, "exact")
    except ValueError as exc:  # a named refusal is allowed only for the extreme q of concentrated sums
        assert str(exc).startswith("q:") and min(q, 1 - q) < 1e-5 and beta >= 1, exc
        return
    lo, _ = _inversion.bracket(n, q, beta)
    log_lo = math.log1p(math.exp(lo - math.log(n))) if lo - math.log(n) < 30 else lo - math.log(n)
    log_hi = math.log1p(math.exp(lo)) if lo < 30 else lo
    assert log_lo - 1e-12 <= p.log_value <= log_hi + 1e-12


@pytest.mark.parametrize("beta, n, q", [(1.0, 10, 0.5), (1.5, 100, 0.25), (1.9, 100, 0.75), (3.0, 10, 0.5),
                                        (10.0, 10, 0.9), (0.8, 300, 0.5)])
def test_talbot_and_line_agree(beta, n, q):
    a = _inversion.talbot_quantile(n, q, beta)
    m, s = _predict.spread(n, beta)
    b = _inversion.line_quantile(n, q, beta, max(m, math.exp(a.log_t)), s, m)
    assert abs(a.log_t - b.log_t) < 1e-9 and abs(a.log_t - b.log_t) <= a.error + b.error + 1e-12


def test_light_tail_limit():
    """beta -> inf: beta T_n -> Gamma(n, 1); at beta = 1e6 the inversion and the limit agree to
    the O(1/beta) correction, and from beta = 1e8 the limit is used."""
    n, q = 5, 0.3
    t = math.exp(_inversion.talbot_quantile(n, q, 1e6).log_t)
    assert t * 1e6 == pytest.approx(special.gammaincinv(n, q), rel=1e-5)
    p = analytic.quantile_prediction(n, q, 1e9, "exact")
    assert (p.value - 1) * n * 1e9 == pytest.approx(special.gammaincinv(n, q), rel=1e-6)


def test_simulation_covers_exact_quantiles_of_tiny_and_large_beta():
    for beta, n in ((0.08, 20), (4.0, 30)):
        m = cp.IndependentSteps(alpha=beta, power=1.0)
        x = m.simulate(n, 20_000, rng=11) / n
        for q in (0.1, 0.5, 0.9):
            est = cp.order_statistic_ci(x, q, z=5)
            assert est.covers(m.quantile_per_subtask(n, q, "exact")), (beta, q, est)


def test_transform_against_mpmath():
    import mpmath as mp

    pts = np.array([math.log(1e-7) + 0.3j, math.log(0.04) - 2.0j, 0.2 + 1.5707963j, math.log(30.0) + 2.6j])
    for beta in (1e-3, 0.5, 1.0, 2.0, 7.5, 1e4):
        got = _laplace.lomax_log_psi(pts, beta)
        with mp.workdps(40):
            for lp, g in zip(pts, got):
                p = mp.exp(mp.mpc(lp))
                one_minus = p * mp.exp(p) * mp.expint(beta, p)
                ref = complex(mp.log1p(-one_minus))
                assert abs(g - ref) <= 2e-13 * abs(ref), (beta, lp, g, ref)
