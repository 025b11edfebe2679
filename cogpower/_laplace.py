"""Laplace transform of the excess time of one subtask (private, numba).

One subtask time is X = 1 + T with P(T > t) = (1 + t)^-beta (Lomax). Its Laplace transform
psi(p) = E exp(-pT) = beta e^p E_{beta+1}(p) is analytic in the plane cut along p <= 0 and is
needed there by the Talbot inversion (:mod:`cogpower._inversion`). Both psi and 1 - psi are computed
directly, each to about 1e-13 relative accuracy, so that log psi(p)^n keeps its digits both where
psi is tiny (lower tail of S_n) and where psi is close to 1 (upper tail):

    psi(p)     = beta int_0^inf e^{-pt} (1 + t)^(-beta-1) dt,
    1 - psi(p) = p    int_0^inf e^{-pt} (1 + t)^-beta     dt       (integration by parts).

The integrals run along the ray t = w e^{-i arg(p)/2} (the analytic continuation to |arg p| < pi;
there Re(pt) > 0 and Re(t) > 0, so neither factor grows), with w = e^y/(|p| + beta) and the
trapezoid rule in y. The integrand is analytic in the strip |Im y| < pi/2 - |arg p|/2, so the step
h = 0.9 * 2 pi (strip width)/36 gives a discretisation error of about e^-36 (Trefethen & Weideman
2014, "The exponentially convergent trapezoidal rule", Thm 5.1). The y-range is cut where the
integrand is below e^-38 of its scale; every loop has a fixed length computed beforehand.

For beta < 0.9 and |p| < 0.05 the convergent series (DLMF 8.19.10 for E_{beta+1})
1 - psi = e^p Gamma(1-beta) p^beta - expm1(p) - e^p beta sum_{k>=1} (-p)^k/(k! (beta-k)) is used
instead (tiny beta makes the ray integrals long); it takes log p, so p below the float range works.
"""

from __future__ import annotations

import cmath
import math

import numpy as np
from numba import njit

DIGITS = 36.0  # trapezoid error about exp(-DIGITS)
MAX_NODES = 200_000  # cap on the trapezoid nodes of one transform value


@njit(cache=True)
def clog1p(z):
    """log(1 + z), accurate for small |z| (the real part keeps its digits)."""
    if abs(z) < 0.5:
        x, y = z.real, z.imag
        return complex(0.5 * math.log1p(2.0 * x + x * x + y * y), math.atan2(y, 1.0 + x))
    return cmath.log(1.0 + z)


@njit(cache=True)
def cexpm1(z):
    """exp(z) - 1, accurate for small |z|."""
    x, y = z.real, z.imag
    s = math.sin(0.5 * y)
    return complex(math.expm1(x) * math.cos(y) - 2.0 * s * s, math.exp(x) * math.sin(y))


@njit(cache=True)
def _ray(p, beta):
    """(log psi, 1 - psi) at p (|arg p| < pi) by the rotated-ray trapezoid rule; log psi is formed
    from logs (psi ~ beta/p underflows for |p| near the float range)."""
    th = math.atan2(p.imag, p.real)
    e = cmath.exp(-0.5j * th)
    c = p * e
    s = abs(p) + beta
    h = 2.0 * math.pi * 0.9 * (0.5 * math.pi - 0.5 * abs(th)) / DIGITS
    ylo = -38.0
    yhi = min(math.log(40.0 * s / c.real), 700.0)
    if beta > 1.1:
        yhi = min(yhi, math.log(s) + 40.0 / (beta - 1.0))
    nodes = int(math.ceil((yhi - ylo) / h)) + 1
    if nodes > MAX_NODES:
        nodes = MAX_NODES
    a = 0j
    b = 0j
    cs = c / s
    for j in range(nodes):
        v = math.exp(ylo + h * j)  # v = w s
        lg = clog1p((v / s) * e)
        wt = cmath.exp(-cs * v) * v
        f = cmath.exp(-beta * lg)
        b += wt * f
        a += wt * f * cmath.exp(-lg)
    # psi = beta e a h/s, 1 - psi = p e b h/s
    return math.log(beta) + cmath.log(e * a * h) - math.log(s), (p / s) * e * b * h


@njit(cache=True)
def _series(log_p, beta, lgamma1mb):
    """(psi, 1 - psi) from the small-p series, given log p (beta < 0.9, |p| < 0.05):
    psi = e^p (-expm1(log Gamma(1-beta) + beta log p) + beta sum_{k>=1} (-p)^k/(k! (beta-k))),
    so that psi keeps its digits when it is tiny (tiny beta) and 1 - psi when it is."""
    if log_p.real < -700.0:
        p = 0j
    else:
        p = cmath.exp(log_p)
    ep = cmath.exp(p)
    lead = lgamma1mb + beta * log_p
    ssum = 0j
    term = 1.0 + 0j
    for k in range(1, 30):
        term = term * (-p) / k
        ssum += term / (beta - k)
        if abs(term) < 1e-20:
            break
    psi = ep * (-cexpm1(lead) + beta * ssum)
    omp = ep * cmath.exp(lead) - cexpm1(p) - ep * beta * ssum
    return psi, omp


@njit(cache=True)
def log_psi(log_p, beta, lgamma1mb, out):
    """out[k] = log psi(p_k) for p_k = exp(log_p[k]) (|Im log_p| < pi)."""
    for k in range(log_p.size):
        lp = log_p[k]
        if lp.real > 690.0:  # |p| > 1e299: psi = (beta/p) (1 - (beta + 1)/p + ...)
            out[k] = math.log(beta) - lp
            continue
        if lp.real < -690.0 and beta >= 0.9:
            # |p| < 1e-300: 1 - psi is at most about |p| (1 + log(1/|p|)/|1 - beta|), far below
            # the resolution of log psi next to the other terms it is ever added to
            out[k] = 0j
            continue
        if beta < 0.9 and lp.real < math.log(0.05):
            psi, omp = _series(lp, beta, lgamma1mb)
            log_psi_direct = cmath.log(psi)
        else:
            log_psi_direct, omp = _ray(cmath.exp(lp), beta)
        if abs(omp) < 0.5:
            out[k] = clog1p(-omp)
        else:
            out[k] = log_psi_direct
    return out


def lgamma_one_minus(beta: float) -> float:
    """log Gamma(1 - beta) for 0 < beta < 1, accurate for tiny beta: beta (gamma_Euler +
    sum_{k>=2} zeta(k) beta^(k-1)/k) below 1/4."""
    if beta > 0.25:
        return math.lgamma(1.0 - beta)
    from scipy import special

    s, p = 0.5772156649015329, 1.0
    for k in range(2, 40):
        p *= beta
        s += float(special.zeta(k)) * p / k
    return beta * s


def lomax_log_psi(log_p, beta: float) -> np.ndarray:
    """log E exp(-pT) at p = exp(log_p) (array), P(T > t) = (1 + t)^-beta."""
    log_p = np.ascontiguousarray(log_p, dtype=np.complex128).ravel()
    lg = lgamma_one_minus(beta) if beta < 0.9 else 0.0
    return log_psi(log_p, float(beta), lg, np.empty_like(log_p))


@njit(cache=True)
def cexpm1_array(z, out):
    for k in range(z.size):
        out[k] = cexpm1(z[k])
    return out


def warmup() -> None:
    lomax_log_psi(np.array([0.3 + 0.1j, -5.0 + 1.0j]), 0.5)
    lomax_log_psi(np.array([0.3 + 0.1j]), 2.0)
    cexpm1_array(np.array([0.1 + 0.1j]), np.empty(1, dtype=np.complex128))
