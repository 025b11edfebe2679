"""Numba kernels of the fast best-of-N table (private), second part: the integrals over log F̄_U
and log F_U of the weights of n against the table of the law of U (:func:`outer_side`, used by
:func:`goodhart._bon_table.moments`), and the integrals over a law's own table that give its
mean and h (:func:`table_integrals`, used by :mod:`goodhart._law_table`).  Deterministic, no RNG,
outputs in ``out`` arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._cheb import GK_G, GK_K, GK_X, cheb2, dx_of, x_of
from ._law_table import D


# ----------------------------------------------------------------------------- outer integrals
@njit(cache=True)
def _cheb_val_der(c, dc, k, t):
    """Value of series row k of ``c`` and of its derivative series ``dc`` at t."""
    b1 = b2 = d1 = d2 = 0.0
    tt = 2.0 * t
    for j in range(D, 0, -1):
        b1, b2 = tt * b1 - b2 + c[k, j], b1
        d1, d2 = tt * d1 - d2 + dc[k, j], d1
    return t * b1 - b2 + c[k, 0], t * d1 - d2 + dc[k, 0]


@njit(cache=True)
def _invert(s, outer, inner, cs, dcs, right):
    """Panel k and t in [-1, 1] where the tail series equals s (monotone in t: decreasing on the
    right side, increasing on the left); Newton from the linear guess between the panel's end
    values, safeguarded by bisection."""
    m = outer.size
    lo, hi = 0, m - 1
    if s >= outer[0]:
        k = 0
    else:
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if outer[mid] <= s:
                hi = mid
            else:
                lo = mid
        k = hi if outer[lo] > s else lo
    a, b = -1.0, 1.0
    sign = -1.0 if right else 1.0
    # the tail at t = -1 and t = 1
    f_lo, f_hi = (inner[k], outer[k]) if right else (outer[k], inner[k])
    t = -1.0 + 2.0 * (s - f_lo) / (f_hi - f_lo) if f_hi != f_lo else 0.0
    if not (-1.0 <= t <= 1.0):
        t = 0.0
    tolf = 1e-15 * max(1.0, abs(s))
    for _ in range(60):
        f, df = _cheb_val_der(cs, dcs, k, t)
        f -= s
        if abs(f) <= tolf:
            break
        if f * sign < 0:
            a = t
        else:
            b = t
        tn = t - f / df if df != 0.0 else 0.5 * (a + b)
        if not (tn > a and tn < b):
            tn = 0.5 * (a + b)
        if abs(tn - t) <= 1e-16:
            t = tn
            break
        t = tn
    return k, t


@njit(cache=True)
def _outer_panel(n, ln, ln1, right, a0, b0, plo, phi, outer, inner, cs, dcs, ck, dck, es, ek, ukind, upar, r):
    """Gauss-Kronrod 7/15 of the three integrands on [a0, b0]: r = (K15, |K15 - G7| + node
    errors) for Δ, E[U] and dΔ/dn."""
    c = 0.5 * (a0 + b0)
    h = 0.5 * (b0 - a0)
    kv = gv = ku = gu = kd = gd = 0.0
    ev = eu = ed = 0.0
    for i in range(15):
        x = c + h * GK_X[i]
        k, t = _invert(x, outer, inner, cs, dcs, right)
        lk, dlk = _cheb_val_der(ck, dck, k, t)
        ls_, dls = _cheb_val_der(cs, dcs, k, t)
        a, b = plo[k], phi[k]
        xi = 0.5 * (a + b) + 0.5 * (b - a) * t
        y = x_of(ukind, upar, xi)
        if right:
            l1 = math.log1p(-math.exp(x))
            lw = ln + ln1 + (n - 2.0) * l1 + x
            lwu = ln + (n - 1.0) * l1 + x
            dlw = 1.0 / n + 1.0 / (n - 1.0) + l1
        else:
            lw = ln + ln1 + (n - 1.0) * x
            lwu = ln + n * x
            dlw = 1.0 / n + 1.0 / (n - 1.0) + x
        fv = math.exp(lw + lk)
        wu = math.exp(lwu)
        fu = wu * y
        slope = dlk / dls if dls != 0.0 else 0.0
        dyds = dx_of(ukind, upar, xi) * (2.0 / (b - a)) / dls if dls != 0.0 else 0.0
        fve = fv * (ek[k] + abs(slope) * es[k]) * 1.05 + 1e-15 * fv
        fue = abs(wu * dyds) * es[k] + 4e-16 * abs(fu)
        kv += GK_K[i] * fv
        gv += GK_G[i] * fv
        ku += GK_K[i] * fu
        gu += GK_G[i] * fu
        kd += GK_K[i] * fv * dlw
        gd += GK_G[i] * fv * dlw
        ev += GK_K[i] * fve
        eu += GK_K[i] * fue
        ed += GK_K[i] * fve * abs(dlw)
    r[0] = h * kv
    r[1] = h * (abs(kv - gv) + ev)
    r[2] = h * ku
    r[3] = h * (abs(ku - gu) + eu)
    r[4] = h * kd
    r[5] = h * (abs(kd - gd) + ed)
    r[6] = h * abs(kv - gv)
    r[7] = h * abs(ku - gu)


@njit(cache=True)
def outer_side(n, right, nodes_lo, nodes_hi, plo, phi, outer, inner, cs, dcs, ck, dck, es, ek,
               ukind, upar, tol, out):
    """Adaptive Gauss-Kronrod 7/15 over s (right side) or r, starting from the panels
    [nodes_lo[i], nodes_hi[i]], of (n(n-1) (1-e^s)^(n-2) e^s or n(n-1) e^((n-1) r)) K and of
    (n (1-e^s)^(n-1) e^s or n e^(n r)) y: out = (Δ, err, E[U] part, err, dΔ/dn, err).  Panels
    whose |K15 - G7| exceeds ``tol`` times the totals (shared by the panels) are bisected
    (at most 2,000 panels)."""
    ln = math.log(n)
    ln1 = math.log(n - 1.0)
    m = nodes_lo.size
    cap = max(4 * m, 2000)
    pa = np.empty(cap)
    pb = np.empty(cap)
    res = np.empty((cap, 8))
    r = np.empty(8)
    for i in range(m):
        pa[i] = nodes_lo[i]
        pb[i] = nodes_hi[i]
        _outer_panel(n, ln, ln1, right, pa[i], pb[i], plo, phi, outer, inner, cs, dcs, ck, dck, es, ek, ukind, upar, r)
        for j in range(8):
            res[i, j] = r[j]
    cnt = m
    for rnd in range(30):
        tv = tu = 0.0
        qv = qu = 0.0
        for i in range(cnt):
            tv += res[i, 0]
            tu += res[i, 2]
            qv += res[i, 6]
            qu += res[i, 7]
        if qv <= tol * abs(tv) and qu <= tol * abs(tu):
            break
        lim_v = tol * abs(tv) / cnt
        lim_u = tol * abs(tu) / cnt
        c0 = cnt
        for i in range(c0):
            if (res[i, 6] > lim_v or res[i, 7] > lim_u) and cnt < cap:
                mid = 0.5 * (pa[i] + pb[i])
                pa[cnt] = mid
                pb[cnt] = pb[i]
                pb[i] = mid
                _outer_panel(n, ln, ln1, right, pa[i], pb[i], plo, phi, outer, inner, cs, dcs, ck, dck, es, ek,
                             ukind, upar, r)
                for j in range(8):
                    res[i, j] = r[j]
                _outer_panel(n, ln, ln1, right, pa[cnt], pb[cnt], plo, phi, outer, inner, cs, dcs, ck, dck, es, ek,
                             ukind, upar, r)
                for j in range(8):
                    res[cnt, j] = r[j]
                cnt += 1
        if cnt == c0:
            break
    for j in range(6):
        out[j] = 0.0
    for i in range(cnt):
        for j in range(6):
            out[j] += res[i, j]


# ----------------------------------------------------------------------------- law tables
@njit(cache=True)
def table_integrals(kind, par, pb, coef, center, gx, gw, out):
    """For each of the D intervals between consecutive Chebyshev points of every panel:
    out[i] = (∫ f, ∫ (x - center)^+ f, ∫ (center - x)^+ f) over it, by the Gauss-Legendre rule
    (gx, gw) on equal parts across which log f changes by at most 2 (a steep exponential is
    otherwise integrated with too few nodes)."""
    npan = pb.size - 1
    for p in range(npan):
        a, b = pb[p], pb[p + 1]
        for j in range(D):
            t0 = -math.cos(math.pi * j / D)
            t1 = -math.cos(math.pi * (j + 1) / D)
            g0, _ = cheb2(coef, 0, 0, p, t0)
            g1, _ = cheb2(coef, 0, 0, p, t1)
            x0 = 0.5 * (a + b) + 0.5 * (b - a) * t0
            x1 = 0.5 * (a + b) + 0.5 * (b - a) * t1
            g0 += math.log(dx_of(kind, par, x0))
            g1 += math.log(dx_of(kind, par, x1))
            k = 1
            if math.isfinite(g0) and math.isfinite(g1):
                k = int(math.ceil(abs(g1 - g0) / 2.0))
                k = max(1, min(k, 400))
            m0 = mu = md = 0.0
            for q in range(k):
                ua = t0 + (t1 - t0) * q / k
                ub = t0 + (t1 - t0) * (q + 1) / k
                c = 0.5 * (ua + ub)
                h = 0.5 * (ub - ua)
                for r in range(gx.size):
                    t = c + h * gx[r]
                    lf, _ = cheb2(coef, 0, 0, p, t)
                    xi = 0.5 * (a + b) + 0.5 * (b - a) * t
                    w = math.exp(lf) * dx_of(kind, par, xi) * 0.5 * (b - a) * h * gw[r]
                    x = x_of(kind, par, xi)
                    m0 += w
                    if x > center:
                        mu += w * (x - center)
                    else:
                        md += w * (center - x)
            i = p * D + j
            out[i, 0] = m0
            out[i, 1] = mu
            out[i, 2] = md


@njit(cache=True)
def invert_point(s, right, plo, phi, outer, inner, cs, dcs, ck, dck, ukind, upar, out):
    """out = (y, log K) where the tail series of the U table equals s."""
    k, t = _invert(s, outer, inner, cs, dcs, right)
    lk, _ = _cheb_val_der(ck, dck, k, t)
    a, b = plo[k], phi[k]
    out[0] = x_of(ukind, upar, 0.5 * (a + b) + 0.5 * (b - a) * t)
    out[1] = lk
