"""Quantiles of the mean time per subtask S_n/n: generalised-CLT asymptotics and exact inversion
(private; the public entry points are in cogpower.analytic).

Each method returns a :class:`Prediction` with the logarithm of the quantile (finite where the
quantile itself overflows), the quantile when it is a float, and an error estimate. The
asymptotic branches also report the size of their first-order correction, from which their
validity range is decided (see ``asymptotic``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy import special

from tailpower._results import ResultMixin

from . import _inversion, _stable
from ._stable import EULER_GAMMA

LOG_FLOAT_MAX = 709.78
KANTER_BELOW = 0.5      # beta < KANTER_BELOW: log-space Kanter branch; 0.5 <= beta < 2: S0 branch
#: validity of the asymptotic branches: first-order correction at most this (relative for the Kanter
#: branch, in units of the stable scale for the S0 branch, of the normal scale beyond beta = 2)
MAX_CORRECTION = 0.05
#: n from which auto prefers a valid asymptotic prediction to the exact inversion
AUTO_ASYMPTOTIC_FROM = 10**5


@dataclass(frozen=True)
class Prediction(ResultMixin):
    """A predicted quantile of S_n/n: ``value`` (None if beyond the float range), its natural log,
    an error estimate (absolute, of ``value``; of ``log_value`` where ``value`` is None) and the
    method that produced it ("exact" or "asymptotic").

    Returned by :func:`cogpower.analytic.quantile_prediction`; prints as ``value ± error (method)``
    and ``to_dict()`` gives its fields as plain data.

    Attributes
    ----------
    value : float or None
        The quantile of S_n/n, or None where it exceeds the largest float.
    log_value : float
        Its natural logarithm (always finite).
    error : float
        Error estimate: absolute, of ``value``; of ``log_value`` where ``value`` is None.
    method : str
        "exact" (Laplace inversion) or "asymptotic" (generalised CLT).

    Examples
    --------
    >>> from cogpower.analytic import quantile_prediction
    >>> p = quantile_prediction(1, 0.75, 1.0)  # one subtask: (1 - q)^(-1/beta) = 4
    >>> p.value, p.method
    (4.0, 'exact')
    """

    value: float | None
    log_value: float
    error: float
    method: str

    _error_field = "error"


class NotValid(Exception):
    """The asymptotic expansion is outside its validity range (message says why)."""


def _from_log(log_x: float, rel_err: float, method: str) -> Prediction:
    if log_x > LOG_FLOAT_MAX:
        return Prediction(None, log_x, rel_err, method)
    x = math.exp(log_x)
    return Prediction(x, log_x, rel_err * x, method)


# ----------------------------------------------------------------------------- asymptotics
def _finish(n: int, q: float, beta: float, log_x: float, size: float, limit: float, err: float,
            strict: bool, what: str) -> Prediction:
    """Common end of the branches: the strict check (auto), the rigorous bounds, the result.

    ``size`` is the first-order correction in the branch's own units and ``limit`` its allowed
    value; ``err`` the error estimate of exp(log_x) (relative if the value overflows)."""
    if strict and not size <= limit:
        raise NotValid(f"its {what} is {size:.3g} (auto needs <= {limit:.3g})")
    lo, hi = _inversion.bracket(n, q, beta)  # log t bounds: t_L <= t_q <= n t_L
    log_lo = math.log1p(math.exp(lo - math.log(n))) if lo - math.log(n) < 30 else lo - math.log(n)
    log_hi = math.log1p(math.exp(lo)) if lo < 30 else lo
    if not (math.isfinite(log_x) and log_lo * (1 - 1e-12) <= log_x <= log_hi * (1 + 1e-12)):
        raise NotValid(f"it gives exp({log_x:.6g}), outside the rigorous bounds "
                       f"[exp({log_lo:.6g}), exp({log_hi:.6g})] of the quantile")
    if log_x > LOG_FLOAT_MAX:
        return Prediction(None, log_x, err, "asymptotic")
    x = math.exp(log_x)
    return Prediction(x, log_x, err, "asymptotic")


def _kanter(n: int, q: float, beta: float, strict: bool) -> Prediction:
    """beta < 1/2: S_n/n = n^(1/beta-1) Gamma(1-beta)^(1/beta) W (1 + rel) - beta/(1-beta)."""
    log_w, ratio = _stable.kanter_quantile_terms(q, beta)
    rel = (1 + (ratio - 1) / (1 - beta)) / (2 * beta * n)  # first-order 1/n shift, relative
    if not rel > -0.5:
        raise NotValid(f"its 1/(beta n) correction is {rel:.3g}")
    log_t = (1 / beta - 1) * math.log(n) + _stable._lgamma_one_minus_over(beta) + log_w + math.log1p(rel)
    drift = (beta / (1 - beta)) * math.exp(-log_t) if log_t > -700 else math.inf
    if not drift < 0.5:
        raise NotValid(f"the drift -beta/(1-beta) is {drift:.3g} of the quantile")
    log_x = log_t + math.log1p(-drift)
    size = max(abs(rel), drift / 10)
    err = 2 * size if log_x > LOG_FLOAT_MAX else 2 * size * math.exp(log_x)
    return _finish(n, q, beta, log_x, size, MAX_CORRECTION, err + 1e-15, strict, "relative 1/(beta n) correction")


def _s0(n: int, q: float, beta: float, strict: bool) -> Prediction:
    """1/2 <= beta < 2, S0 form (continuous in beta through 1)."""
    m, g1, g2, g3, f = _stable.s0_terms(q, beta)
    if not (f > 0 and math.isfinite(m)):
        raise NotValid(f"the stable law's terms at its {q!r}-quantile are not resolved")
    sigma = math.exp(_stable.log_stable_scale(beta))
    ln_n = math.log(n)
    if beta == 1:
        e, bracket = 0.0, _stable.drift_constant(1.0) + ln_n
        b_n = bracket / sigma
    else:
        e = (1.0 - beta) / beta
        c = _stable.drift_constant(beta)
        r = beta / (1.0 - beta)
        bracket = math.exp(e * ln_n) * c + r * math.expm1(e * ln_n)
        b_n = (c - r * math.expm1(-e * ln_n)) / sigma
    a1 = -1.0 / (2 * n)
    a2 = -b_n / n
    a3 = b_n * b_n / (2 * n) + beta * n ** (1 - 2 / beta) / (2 * (2 - beta) * sigma**2)
    h = -(a1 * g1 + a2 * g2 + a3 * g3) / f
    # size of the perturbation: the terms of h without cancellation, and the coefficients
    size = max((abs(a1 * g1) + abs(a2 * g2) + abs(a3 * g3)) / f, abs(a1) + abs(a2) + abs(a3))
    scale = math.exp(e * ln_n) * sigma
    x = scale * (m + h) + bracket
    if not x > 0:
        raise NotValid(f"it gives {x:.6g}, below the support S_n/n >= 1")
    return _finish(n, q, beta, math.log(x), size, MAX_CORRECTION * max(1.0, abs(m)),
                   2 * size * scale + 1e-15 * x, strict, "first-order correction in stable scales")


@lru_cache(maxsize=64)
def _beta2_terms(q: float) -> tuple[float, float, float]:
    """(G_a, G_b, phi) at z_q around N(0, 1): CDF perturbations for the cf weights
    v^2 ln v - i pi v^2/2 (G_a) and v^2 (G_b), and the normal density (beta = 2)."""
    z = float(special.ndtri(q))
    lcf = lambda v: -v * v / 2  # noqa: E731
    ga = _stable.gp_cdf(z, lcf, weight=lambda v: v * v * math.log(v) - 0.5j * math.pi * v * v)
    gb = _stable.gp_cdf(z, lcf, weight=lambda v: v * v)
    return ga, gb, _stable.gp_pdf(z, lcf)


def _beta2(n: int, q: float, strict: bool) -> Prediction:
    ln_n = math.log(n)
    zq = float(special.ndtri(q))
    ga, gb, phi = _beta2_terms(q)
    if not (phi > 0 and math.isfinite(zq)):
        raise NotValid(f"the normal terms at q = {q!r} are not resolved")
    h = -(ga - 0.5 * (math.log(ln_n) - 1 - 2 * EULER_GAMMA) * gb) / (ln_n * phi)
    scale = math.sqrt(ln_n / n)
    x = 2.0 + scale * (zq + h)
    if not x > 0:
        raise NotValid(f"it gives {x:.6g}, below the support S_n/n >= 1")
    return _finish(n, q, 2.0, math.log(x), abs(h), MAX_CORRECTION * max(1.0, abs(zq)),
                   2 * abs(h) * scale + 1e-15 * x, strict, "1/ln n correction in normal scales")


def _clt(n: int, q: float, beta: float, strict: bool) -> Prediction:
    """beta > 3: Cornish-Fisher to first order, mu + s (z + (z^2 - 1) gamma/(6 sqrt n)),
    s^2 = Var X/n, gamma the skewness of X; 2 < beta <= 3 has infinite skewness and is refused."""
    if not beta > 3:
        raise NotValid("for 2 < beta <= 3 the skewness of a subtask time is infinite and the "
                       "normal approximation has no error estimate")
    mu = 1.0 + 1.0 / (beta - 1)
    var = (beta / (beta - 1)) / (beta - 1) / (beta - 2)
    gamma = 2 * (1 + beta) / (beta - 3) * math.sqrt((beta - 2) / beta)
    z = float(special.ndtri(q))
    cf = (z * z - 1) * gamma / (6 * math.sqrt(n))
    scale = math.sqrt(var / n)
    x = mu + scale * (z + cf)
    if not x > 0:
        raise NotValid(f"it gives {x:.6g}, below the support S_n/n >= 1")
    return _finish(n, q, beta, math.log(x), abs(cf), MAX_CORRECTION * max(1.0, abs(z)),
                   2 * abs(cf) * scale + 1e-15 * x, strict, "skewness correction in normal scales")


@lru_cache(maxsize=4096)
def asymptotic(n: int, q: float, beta: float, strict: bool = False) -> Prediction:
    """The generalised-CLT prediction; NotValid where it cannot be evaluated, where it leaves the
    rigorous bounds T_max <= T_n <= n T_max of the quantile, and (``strict``, used by auto) where
    its first-order correction is above MAX_CORRECTION in its own units. n = 1 is exact."""
    if n == 1:
        return exact(1, q, beta)
    if beta < KANTER_BELOW:
        return _kanter(n, q, beta, strict)
    if beta < 2:
        return _s0(n, q, beta, strict)
    if beta == 2:
        return _beta2(n, q, strict)
    return _clt(n, q, beta, strict)


# ----------------------------------------------------------------------------- exact
def spread(n: int, beta: float) -> tuple[float, float]:
    """(m, s): location and width of T_n = S_n - n from the moments of T truncated at the typical
    largest value M = n^(1/beta): m = n E min(T, M), s^2 = n E min(T, M)^2 (smooth in beta;
    used for beta >= 1/2, where both stay far below the float range for n <= 2^62)."""
    log_m = math.log(n) / beta
    lm = math.log1p(math.exp(log_m)) if log_m < 30 else log_m
    a, b = 1.0 - beta, 2.0 - beta
    mean = lm if a == 0 else math.expm1(a * lm) / a
    second = 2 * lm if b == 0 else 2 * math.expm1(b * lm) / b
    return n * mean, math.sqrt(n * second)


@lru_cache(maxsize=4096)
def exact(n: int, q: float, beta: float) -> Prediction:
    """The quantile by Laplace inversion (cogpower._inversion); InversionFailed if neither
    inversion reaches the tolerance."""
    if n == 1:  # P(X > x) = x^-beta: x_q = (1-q)^(-1/beta)
        return _from_log(-math.log1p(-q) / beta, 4e-16, "exact")
    if beta >= 1e8:
        r = _inversion.gamma_limit_quantile(n, q, beta)
    else:
        r = None
        methods = ("talbot",)
        if beta >= 0.5:  # the line inversion is for concentrated sums (beta near 1 and above)
            m, s = spread(n, beta)
            lo, _ = _inversion.bracket(n, q, beta)
            t0 = max(m, math.exp(min(lo, 700.0)))
            methods = ("line", "talbot") if beta > 0.9 and s < 0.15 * m else ("talbot", "line")
            if t0 - m > 100 * s:  # far in the upper tail: the line would need too many nodes
                methods = ("talbot",)
        for name in methods:
            try:
                if name == "talbot":
                    cand = _inversion.talbot_quantile(n, q, beta)
                else:
                    cand = _inversion.line_quantile(n, q, beta, t0, s, m)
            except _inversion.InversionFailed:
                continue
            # relative error of t; for huge t (tiny beta: the CDF is flat in log t) 1e-9 of log t
            if cand.error <= _inversion.REL_TOL * max(1.0, cand.log_t / 100.0):
                r = cand
                break
        if r is None:
            raise _inversion.InversionFailed("tolerance not reached")
    # x = 1 + t/n
    u = r.log_t - math.log(n)
    log_x = u + math.log1p(math.exp(-u)) if u > 0 else math.log1p(math.exp(u))
    frac = 1.0 / (1.0 + math.exp(-u)) if u > -700 else 0.0  # t/(n + t)
    rel = frac * r.error + 4e-16
    if log_x > LOG_FLOAT_MAX:
        return Prediction(None, log_x, rel, "exact")
    x = 1.0 + math.exp(u) if u < 0 else math.exp(log_x)
    return Prediction(x, log_x, rel * x, "exact")
