"""Numba primitives of the Chebyshev tables (private): the coordinates ξ of
:mod:`goodhart._law_table` (asinh, log, logit), panel search, Clenshaw evaluation, log(1 - e^x),
and the Gauss-Kronrod 7/15 and 10/21 rules (QUADPACK's qk15 and qk21)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._gauss_kronrod import GK15_G, GK15_K, GK15_X, GK21_G, GK21_K, GK21_X  # noqa: F401 (re-exported)
from ._law_table import D

_LOG_HALF = math.log(0.5)

# the 7/15 rule for the outer integrals, 10/21 for the convolutions (one copy: _gauss_kronrod)
GK_X, GK_K, GK_G = GK15_X, GK15_K, GK15_G


# ----------------------------------------------------------------------------- coordinates
@njit(cache=True)
def xi_of(kind, par, x):
    c, s, lo, hi = par[0], par[1], par[2], par[3]
    if kind == 0:
        return math.asinh((x - c) / s)
    if kind == 1:
        d = x - lo
        return math.log(d / s) if d > 0 else -math.inf
    if kind == 2:
        d = hi - x
        return -math.log(d / s) if d > 0 else math.inf
    d1, d2 = x - lo, hi - x
    if d1 <= 0:
        return -math.inf
    if d2 <= 0:
        return math.inf
    return math.log(d1) - math.log(d2)


@njit(cache=True)
def x_of(kind, par, xi):
    c, s, lo, hi = par[0], par[1], par[2], par[3]
    if kind == 0:
        return c + s * math.sinh(xi)
    if kind == 1:
        return lo + s * math.exp(xi)
    if kind == 2:
        return hi - s * math.exp(-xi)
    w = hi - lo
    if xi <= 0:
        return lo + w / (1.0 + math.exp(-xi))
    return hi - w / (1.0 + math.exp(xi))


@njit(cache=True)
def dx_of(kind, par, xi):
    s = par[1]
    if kind == 0:
        return s * math.cosh(xi)
    if kind == 1:
        return s * math.exp(xi)
    if kind == 2:
        return s * math.exp(-xi)
    return (par[3] - par[2]) / (2.0 + 2.0 * math.cosh(xi))


@njit(cache=True)
def x_dx_of(kind, par, xi):
    """x(ξ) and dx/dξ with one exponential."""
    c, s, lo, hi = par[0], par[1], par[2], par[3]
    if kind == 0:
        e = math.exp(xi) if abs(xi) < 700.0 else math.exp(min(max(xi, -700.0), 700.0))
        if abs(xi) < 1e-5:
            sh = xi + xi * xi * xi / 6.0
        else:
            sh = 0.5 * (e - 1.0 / e)
        return c + s * sh, s * 0.5 * (e + 1.0 / e)
    if kind == 1:
        e = s * math.exp(xi)
        return lo + e, e
    if kind == 2:
        e = s * math.exp(-xi)
        return hi - e, e
    w = hi - lo
    e = math.exp(-abs(xi))
    d = w * e / ((1.0 + e) * (1.0 + e))
    if xi <= 0:
        return lo + w * e / (1.0 + e), d
    return hi - w * e / (1.0 + e), d


# ----------------------------------------------------------------------------- interpolation
@njit(cache=True)
def find_panel(pb, xi):
    """Index k with pb[k] <= xi <= pb[k+1]; -1 below the table, pb.size - 1 above it."""
    n = pb.size - 1
    if not xi >= pb[0]:
        return -1
    if xi > pb[n]:
        return n
    lo, hi = 0, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pb[mid] <= xi:
            lo = mid
        else:
            hi = mid
    return lo


@njit(cache=True)
def panel_t(pb, k, xi):
    """The point's position in [-1, 1] inside panel k (clamped)."""
    a, b = pb[k], pb[k + 1]
    t = (2.0 * xi - a - b) / (b - a)
    if t < -1.0:
        return -1.0
    if t > 1.0:
        return 1.0
    return t


@njit(cache=True)
def cheb2(coef, f1, f2, k, t):
    """Two Chebyshev series (rows f1 and f2 of panel k) at t (Clenshaw)."""
    b1 = b2 = c1 = c2 = 0.0
    tt = 2.0 * t
    for j in range(D, 0, -1):
        b1, b2 = tt * b1 - b2 + coef[f1, k, j], b1
        c1, c2 = tt * c1 - c2 + coef[f2, k, j], c1
    return t * b1 - b2 + coef[f1, k, 0], t * c1 - c2 + coef[f2, k, 0]


@njit(cache=True)
def log1mexp(x):
    """log(1 - e^x) for x <= 0."""
    if x > _LOG_HALF:
        return math.log(-math.expm1(x))
    return math.log1p(-math.exp(x))


@njit(cache=True)
def tail_of(v, side_k, want_right):
    """log F̄ (want_right) or log F from the tail row's value ``v`` on a panel of ``side_k``."""
    if v > 0.0:
        v = 0.0
    if (side_k == 1) == want_right:
        return v
    return log1mexp(v)
