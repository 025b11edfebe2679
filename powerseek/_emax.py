"""E[max of n iid draws] of a scipy law, for any n up to 1e300 (private; public as
``powerseek.expected_max_iid``).

POWER at gamma = 0 (and at gamma = 1 when every reachable cycle is a self-loop) reduces to this
expectation (Turner et al. 2021, section 5). The classical integral int x n f(x) F(x)^(n-1) dx
puts all its mass in a sliver near the top of the support when n is large, which adaptive
quadrature misses (it returned 3.8e-22 instead of 0.99999 for U(0, 1) and n = 1e5). Here the
maximum is written through the quantile: max = F^{-1}(U^(1/n)) with U uniform, and with
U^(1/n) = 1 - w, w = -expm1(-t/n), t ~ Exp(1) exactly:

    E[max] = int_0^inf isf(-expm1(-t/n)) e^(-t) dt,

an integral against the Exp(1) density whatever n is (for U(0, 1) the integrand is e^(-t/n) and
the value n/(n+1)). Discrete laws (integer support) are summed exactly:
E[max] = c + sum_{k >= c} P(max > k) - sum_{k < c} P(max <= k).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
from scipy import integrate

from tailpower._common import check_int

from .rewards import _check_dist, is_discrete, moments

_N_MAX = 1e300
_MAX_TERMS = 10_000_000
_EVALS = 4000  # quantile evaluations a quadrature may need
_SECONDS = 30.0  # refuse laws whose quantiles would make it slower than this


def expected_max_iid(dist, n: int) -> float:
    """E[max of n iid draws of ``dist``] for a scipy frozen law, n from 1 to 1e300.

    Continuous laws: E[max] = int_0^inf isf(1 - e^(-t/n)) e^(-t) dt (the quantile of the maximum
    integrated against the Exp(1) density; exact change of variables, adaptive quadrature,
    relative accuracy about 1e-12; for U(0, 1) this is n/(n+1), for Exp(1) the harmonic number
    H_n, for Gumbel(0, 1) log n + Euler's gamma). Discrete laws with integer support: exact
    summation of P(max > k) = 1 - F(k)^n. A law with E[X] = +inf gives +inf (max >= X_1); a law
    without a mean (Cauchy) is refused, as is a law whose scipy ``isf`` is inaccurate in the tail
    that matters (checked: sf(isf(w)) = w).

    POWER at gamma -> 0 is this expectation over the successors (Turner et al. 2021, "Optimal
    Policies Tend to Seek Power", section 5).

    Parameters
    ----------
    dist : scipy.stats frozen distribution
        The law of each draw, e.g. ``stats.uniform()``.
    n : int
        The number of draws, 1 to 1e300.

    Returns
    -------
    float
        E[max]; ``inf`` for a law with an infinite mean.

    Raises
    ------
    TypeError
        If ``dist`` is not a frozen scipy law (or is a family such as ``stats.norm`` itself), or
        ``n`` is not a number (or is a bool).
    ValueError
        If ``n`` is not a whole number in [1, 1e300]; ``dist`` has no mean (Cauchy), its quantiles are too
        inaccurate or too slow to evaluate in the tail that matters, or the quadrature or the
        discrete sum does not converge.

    Examples
    --------
    >>> from scipy import stats
    >>> import powerseek as ps
    >>> round(ps.expected_max_iid(stats.uniform(), 3), 12)  # n/(n + 1)
    0.75
    >>> round(ps.expected_max_iid(stats.expon(), 3), 12)  # the harmonic number H_3 = 11/6
    1.833333333333
    """
    dist = _check_dist("dist", dist)
    n = check_int("n", n)
    if n > _N_MAX:
        raise ValueError(f"n: must be at most 1e300, got about {float(min(n, 1 << 1020)):.3g}")
    mean, _ = moments(dist)
    if mean == math.inf:
        return math.inf
    if not math.isfinite(mean):
        raise ValueError(f"dist: E[max] needs a law with a finite mean; scipy reports mean = {mean} "
                         "(e.g. Cauchy: the expectation does not exist)")
    if n == 1:
        return float(mean)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            if is_discrete(dist):
                if hasattr(dist.dist, "xk"):  # rv_discrete(values=...): finite support, any points
                    return _finite_support(dist, float(n))
                return _discrete(dist, float(n))
            return _continuous(dist, float(n))
        except ValueError as exc:
            if str(exc).startswith("dist: "):
                raise
            raise ValueError(f"dist: scipy failed to evaluate the law's quantiles ({type(exc).__name__}: {exc})") from None
        except (RuntimeError, ArithmeticError) as exc:  # e.g. brentq not converging inside scipy's ppf
            raise ValueError(f"dist: scipy failed to evaluate the law's quantiles ({type(exc).__name__}: {exc})") from None


def _isf(dist, t: float, n: float) -> float:
    """The quantile at 1 - w, w = 1 - e^(-t/n): isf(w) for w <= 1/2, ppf(e^(-t/n)) above."""
    x = t / n
    if x < math.log(2.0):
        return float(dist.isf(-math.expm1(-x)))
    return float(dist.ppf(math.exp(-x)))


def _check_tail(dist, n: float, lo: float, hi: float, spread: float) -> None:
    """Refuse laws whose isf is wrong where the integral needs it: sf(isf(w)) must be w, up to
    1e-6 relative or, through the density, a quantile error below 1e-6 spreads plus rounding."""
    for w in (0.25, 1e-3, 1.0 / n, 1e-4 / n):
        if not 1e-300 < w < 0.5:
            continue
        x = float(dist.isf(w))
        if x == hi or (math.isfinite(hi) and x >= hi - 1e-12 * max(1.0, abs(hi))):
            continue  # the quantile rounds to the top of a bounded support
        back = float(dist.sf(x)) if math.isfinite(x) else math.nan
        if math.isfinite(back) and abs(back / w - 1.0) > 1e-6:
            dens = float(dist.pdf(x))
            dx = abs(back - w) / dens if dens > 0 else math.inf
            if dx <= 1e-6 * spread + 16 * math.ulp(x):
                back = w  # the quantile is right; sf moved only because x was rounded
        if not (math.isfinite(x) and abs(back / w - 1.0) <= 1e-6):
            raise ValueError(f"dist: scipy's isf is inaccurate in the tail this n needs (isf({w:.3g}) = {x!r}, "
                             f"sf of it = {back!r}); E[max] would be wrong")


def _continuous(dist, n: float) -> float:
    lo, hi = (float(v) for v in dist.support())
    mid = float(dist.median())
    spread = float(dist.isf(0.25) - dist.isf(0.75))
    if not (math.isfinite(mid) and math.isfinite(spread) and spread > 0):
        raise ValueError(f"dist: cannot locate the law (median {mid!r}, interquartile range {spread!r})")
    _check_tail(dist, n, lo, hi, spread)

    def f(t: float) -> float:
        y = _isf(dist, t, n)
        if math.isnan(y):
            y = hi if t / n < 0.5 else lo
        return (y - mid) * math.exp(-t)

    # scipy inverts some laws numerically (levy_stable: brentq on an integrated cdf, ~0.1 s per
    # quantile); the quadrature needs a few thousand quantiles, so time a few first
    per = math.inf
    for t in (0.1, 1.0, 5.0, 20.0):  # the fastest of four (the first call may pay scipy's setup)
        t0 = time.perf_counter()
        f(t)
        per = min(per, time.perf_counter() - t0)
    if per * _EVALS > _SECONDS:
        raise ValueError(f"dist: scipy computes this law's quantiles numerically ({per * 1e3:.0f} ms each); "
                         f"E[max] by quadrature would take about {per * _EVALS:.0f} s")

    total, err = 0.0, 0.0
    for a, b in ((0.0, 1.0), (1.0, 10.0), (10.0, 50.0), (50.0, math.inf)):
        v, e = integrate.quad(f, a, b, limit=200, epsabs=1e-15 * spread, epsrel=1e-12)
        total += v
        err += e
    value = mid + total
    if not (math.isfinite(value) and err <= 1e-7 * (abs(total) + spread) + 16 * math.ulp(abs(mid) + abs(total))):
        raise ValueError(f"dist: the quadrature of E[max of {n:.3g}] did not converge (estimate {value!r}, "
                         f"error {err:.2g}); the law's tail is too heavy or its isf unreliable for this n")
    return float(value)


def _finite_support(dist, n: float) -> float:
    """E[max] = x_0 + sum_i (x_i - x_{i-1}) P(max > x_{i-1}) over the sorted support points."""
    x = np.asarray(dist.dist.xk, dtype=float)
    loc = float(dist.kwds.get("loc", dist.args[0] if dist.args else 0.0))
    x = np.unique(x + loc)
    p_gt = -np.expm1(n * np.log1p(-np.minimum(dist.sf(x[:-1]), 1.0)))
    return float(x[0] + np.sum(np.diff(x) * p_gt))


def _discrete(dist, n: float) -> float:
    lo, hi = (float(v) for v in dist.support())
    c = float(dist.median())
    if not math.isfinite(c):
        raise ValueError(f"dist: cannot locate the law (median {c!r})")
    total = c
    # upper part: sum_{k >= c} P(max > k), P(max > k) = 1 - (1 - sf(k))^n
    k0 = c
    done = False
    for _ in range(0, _MAX_TERMS, 4096):
        if k0 >= hi:
            done = True
            break
        k = k0 + np.arange(4096.0)
        k = k[k < hi] if math.isfinite(hi) else k
        p = -np.expm1(n * np.log1p(-np.minimum(dist.sf(k), 1.0)))
        total += float(p.sum())
        k0 = float(k[-1]) + 1.0
        if p[-1] <= 1e-17 * max(1.0, abs(total)):
            done = True
            break
    if not done:
        raise ValueError(f"dist: the upper tail of this discrete law needs more than {_MAX_TERMS:.0e} terms "
                         "for E[max]; too heavy for exact summation")
    # lower part: sum_{k < c} P(max <= k) = sum exp(n log F(k))
    k0 = c - 1.0
    done = False
    for _ in range(0, _MAX_TERMS, 4096):
        if k0 < lo:
            done = True
            break
        k = k0 - np.arange(4096.0)
        k = k[k >= lo] if math.isfinite(lo) else k
        p = np.exp(n * dist.logcdf(k))
        total -= float(p.sum())
        k0 = float(k[-1]) - 1.0
        if p[-1] <= 1e-17 * max(1.0, abs(total)):
            done = True
            break
    if not done:
        raise ValueError(f"dist: the lower tail of this discrete law needs more than {_MAX_TERMS:.0e} terms "
                         "for E[max]; too heavy for exact summation")
    return float(total)
