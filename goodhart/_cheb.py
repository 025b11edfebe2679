"""Numba primitives of the Chebyshev tables (private): the coordinates ξ of
:mod:`goodhart._law_table` (asinh, log, logit), panel search, Clenshaw evaluation, log(1 - e^x),
and the Gauss-Kronrod 7/15 and 10/21 rules (QUADPACK's qk15 and qk21)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._law_table import D

_LOG_HALF = math.log(0.5)

_XGK = np.array([
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0])
_WGK = np.array([
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_WG = np.array([0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                0.381830050505118944950369775488975, 0.417959183673469387755102040816327])
GK_X = np.concatenate([-_XGK[:-1], _XGK[::-1]])
GK_K = np.concatenate([_WGK[:-1], _WGK[::-1]])
GK_G = np.zeros(15)
GK_G[[1, 3, 5]] = _WG[:3]
GK_G[[13, 11, 9]] = _WG[:3]
GK_G[7] = _WG[3]

# Gauss-Kronrod 10/21 (QUADPACK's qk21) for the convolutions: its embedded 10-point Gauss rule
# is accurate enough that few intervals need bisecting
_X21 = np.array([
    0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
    0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
    0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
    0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
    0.294392862701460198131126603103866, 0.148874338981631210884826001129720, 0.0])
_W21 = np.array([
    0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
    0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
    0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
    0.123491976262065851077600525086776, 0.134709217311473325928054001771707,
    0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
    0.149445554002916905664936468389821])
_WG10 = np.array([0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
                  0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
                  0.295524224714752870173892994651338])
GK21_X = np.concatenate([-_X21[:-1], _X21[::-1]])
GK21_K = np.concatenate([_W21[:-1], _W21[::-1]])
GK21_G = np.zeros(21)
GK21_G[[1, 3, 5, 7, 9]] = _WG10
GK21_G[[19, 17, 15, 13, 11]] = _WG10

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
