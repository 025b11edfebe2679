"""Numba kernels of the fast best-of-N table (private): the convolutions that give the law of
U = V + X from the piecewise-Chebyshev tables of :mod:`goodhart._law_table`.

For each threshold y, with K_X = F̄_X ("sf") or F_X ("cdf"),

    I_S(y) = ∫ f_V(v) K_X(y - v) dv      (P(U >= y) or P(U <= y))
    I_K(y) = ∫ h(v) f_X(y - v) dv        (Cov(V, 1{U >= y}) >= 0, see goodhart._bon_table)

are integrated by adaptive Gauss-Kronrod 10/21 on the intervals between the panel boundaries of
both tables (so each interval lies inside one panel of each and both factors are smooth on it).
Each interval is integrated in the table coordinate of V or of X: the one furthest from linear on
it (a heavy tail spanning decades, a density singular at an end), else the narrower law's, so that the
integrand is smooth in the variable used.  Intervals are bisected until the summed |K21 - G10| is
below ``tol`` of both integrals (capped: ``_MAX_INTERVALS`` per y, ``_MAX_ROUNDS`` rounds).
Everything is kept in log space: each interval stores the log of its largest node value and the
rescaled sums.  The masses beyond the tables (atoms at finite ends, tails cut at e^-700) enter
as atoms or as error bounds.  Deterministic, no RNG, outputs in ``out`` arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._cheb import GK21_G, GK21_K, GK21_X, cheb2, dx_of, find_panel, log1mexp, panel_t, tail_of, x_dx_of, xi_of, x_of
from ._law_table import D

_MAX_INTERVALS = 3000
_MAX_ROUNDS = 40


# ----------------------------------------------------------------------------- integrand
@njit(cache=True)
def _eval(y, var, t, kV, kX, vk, vpar, vpb, vcoef, xk, xpar, xpb, xcoef, xside, want_right):
    """(log integrand of I_S, of I_K, Jacobian) at node t of variable ``var``."""
    if var == 1:
        xiv = t
        v, jac = x_dx_of(vk, vpar, t)
        xix = xi_of(xk, xpar, y - v)
    elif var == 2:
        xix = t
        x, jac = x_dx_of(xk, xpar, t)
        xiv = xi_of(vk, vpar, y - x)
    else:
        xiv = xi_of(vk, vpar, t)
        xix = xi_of(xk, xpar, y - t)
        jac = 1.0
    if not (math.isfinite(xiv) and math.isfinite(xix)):
        return -math.inf, -math.inf, jac
    lfv, lhv = cheb2(vcoef, 0, 2, kV, panel_t(vpb, kV, xiv))
    lfx, ltx = cheb2(xcoef, 0, 1, kX, panel_t(xpb, kX, xix))
    return lfv + tail_of(ltx, xside[kX], want_right), lhv + lfx, jac


@njit(cache=True)
def _gk(y, var, ta, tb, kV, kX, vk, vpar, vpb, vvals, xk, xpar, xpb, xvals, xside, want_right, gs, gk, js):
    """Gauss-Kronrod 10/21 of both integrands on [ta, tb] in variable ``var``: (log scale m_S,
    K21_S, |K21 - G10|_S, m_K, K21_K, err_K), values relative to e^m."""
    c = 0.5 * (ta + tb)
    h = 0.5 * (tb - ta)
    ms = -math.inf
    mk = -math.inf
    for i in range(21):
        a, b, jac = _eval(y, var, c + h * GK21_X[i], kV, kX, vk, vpar, vpb, vvals, xk, xpar, xpb, xvals,
                          xside, want_right)
        gs[i] = a
        gk[i] = b
        js[i] = jac
        if a > ms:
            ms = a
        if b > mk:
            mk = b
    ks = gs7 = kk = gk7 = 0.0
    if ms > -math.inf:
        for i in range(21):
            e = math.exp(gs[i] - ms) * js[i]
            ks += GK21_K[i] * e
            gs7 += GK21_G[i] * e
    if mk > -math.inf:
        for i in range(21):
            e = math.exp(gk[i] - mk) * js[i]
            kk += GK21_K[i] * e
            gk7 += GK21_G[i] * e
    return ms, h * ks, h * abs(ks - gs7), mk, h * kk, h * abs(kk - gk7)


@njit(cache=True)
def _lse_add(la, lb):
    if la == -math.inf:
        return lb
    if lb == -math.inf:
        return la
    if la > lb:
        return la + math.log1p(math.exp(lb - la))
    return lb + math.log1p(math.exp(la - lb))


@njit(cache=True)
def _log_at(kind, par, pb, coef, side, x, f, want_right):
    """A tabulated function of x (f = 0 log f, 1 log tail (side per want_right), 2 log h);
    -inf outside the table (callers bound that part separately)."""
    xi = xi_of(kind, par, x)
    k = find_panel(pb, xi)
    if k < 0 or k >= pb.size - 1:
        return -math.inf
    a, b = cheb2(coef, f, f, k, panel_t(pb, k, xi))
    if f == 1:
        return tail_of(a, side[k], want_right)
    return a


# ----------------------------------------------------------------------------- the convolutions
@njit(cache=True)
def _interval_var(sva, svb, sxa, sxb, vk, vpar, xk, xpar):
    """The variable of an interval whose ends have V-coordinates sva, svb and X-coordinates sxa,
    sxb: the table coordinate (of V: 1, of X: 2) that is furthest from linear on it (a heavy tail
    over decades, a density singular at an end), or, when both are nearly linear, the coordinate
    of the law with the smaller local scale: its argument is then exact and the other's, y - x or
    y - v rounded to a double, is off by spacing(|y|) only relative to the larger scale."""
    ra = dx_of(vk, vpar, sva)
    rb = dx_of(vk, vpar, svb)
    sa = dx_of(xk, xpar, sxa)
    sb = dx_of(xk, xpar, sxb)
    rv = max(ra, rb) / max(min(ra, rb), 1e-300)
    rx = max(sa, sb) / max(min(sa, sb), 1e-300)
    if not math.isfinite(rv):
        rv = 1e300
    if not math.isfinite(rx):
        rx = 1e300
    if rv < 1.5 and rx < 1.5:
        return 1 if ra + rb <= sa + sb else 2
    return 1 if rv >= rx else 2


@njit(cache=True)
def _split_point(y, sva, svb, sxa, sxb, vk, vpar, xk, xpar):
    """V-coordinate of the point of an interval where the local scales dx/dξ of the two laws are
    equal, when both coordinates are far from linear on it (ratios of dx/dξ above 4 at its ends);
    NaN otherwise (or when the scales do not cross)."""
    ra = dx_of(vk, vpar, sva)
    rb = dx_of(vk, vpar, svb)
    sa = dx_of(xk, xpar, sxa)
    sb = dx_of(xk, xpar, sxb)
    if not (max(ra, rb) > 4.0 * min(ra, rb) and max(sa, sb) > 4.0 * min(sa, sb)):
        return math.nan
    lo, hi = sva, svb
    g_lo = ra - sa
    g_hi = rb - sb
    if not (g_lo * g_hi < 0):
        return math.nan
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        g = dx_of(vk, vpar, mid) - dx_of(xk, xpar, xi_of(xk, xpar, y - x_of(vk, vpar, mid)))
        if not math.isfinite(g):
            return math.nan
        if (g < 0) == (g_lo < 0):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit(cache=True)
def _local_max(nodes, f, k, t0, t1):
    """A bound on row f of panel k's interpolant over [t0, t1] (panel coordinates): the largest
    value at the Chebyshev points inside and the nearest outside, plus a margin for the
    interpolant's overshoot between points."""
    if t0 > t1:
        t0, t1 = t1, t0
    m = -math.inf
    for j in range(D + 1):
        tj = -math.cos(math.pi * j / D)
        tn = -math.cos(math.pi * (j + 1) / D) if j < D else 2.0
        tp = -math.cos(math.pi * (j - 1) / D) if j > 0 else -2.0
        if tn >= t0 and tp <= t1:
            if nodes[f, k, j] > m:
                m = nodes[f, k, j]
    return m + 0.25 + 1e-9 * abs(m)


@njit(cache=True)
def convolve(ys, want_right, tol,
             vk, vpar, vpb, vvals, vpmax, vnodes, vside, vends, vxends, vfin,
             xk, xpar, xpb, xvals, xpmax, xnodes, xside, xends, xxends, xfin,
             out):
    """For each y: out[i] = (log I_S, log I_K, rel. error of I_S, rel. error of I_K, GK calls).

    ``want_right[i]``: I_S is P(U >= y) (True) or P(U <= y).  ``vfin``/``xfin`` say whether each
    end of a table is an end of the law's support (the mass beyond is then an atom next to it)."""
    nv = vpb.size - 1
    nx = xpb.size - 1
    gs = np.empty(21)
    gk = np.empty(21)
    js = np.empty(21)
    bvx = np.empty(nv + 1)
    for i in range(nv + 1):
        bvx[i] = x_of(vk, vpar, vpb[i])
    bxx = np.empty(nx + 1)
    for i in range(nx + 1):
        bxx[i] = x_of(xk, xpar, xpb[i])
    hmax = -math.inf
    for i in range(nv):
        if vpmax[2, i] > hmax:
            hmax = vpmax[2, i]
    xfmax = -math.inf
    for i in range(nx):
        if xpmax[0, i] > xfmax:
            xfmax = xpmax[0, i]
    fmax = -math.inf
    for i in range(nv):
        if vpmax[0, i] > fmax:
            fmax = vpmax[0, i]
    cap = _MAX_INTERVALS
    ta = np.empty(cap)
    tb = np.empty(cap)
    var = np.empty(cap, np.int64)
    pv = np.empty(cap, np.int64)
    px = np.empty(cap, np.int64)
    bnd = np.empty(cap)
    ms = np.empty(cap)
    vs = np.empty(cap)
    es = np.empty(cap)
    mk = np.empty(cap)
    vk_ = np.empty(cap)
    ek = np.empty(cap)
    done = np.zeros(cap, np.bool_)
    brk = np.empty(nv + nx + 4)
    bsv = np.empty(nv + nx + 4)
    bsx = np.empty(nv + nx + 4)
    ltol = math.log(tol)
    for iy in range(ys.size):
        y = ys[iy]
        wr = want_right[iy]
        ncall = 0
        va = max(bvx[0], y - bxx[nx])
        vb = min(bvx[nv], y - bxx[0])
        # ---- breakpoints: V's panel boundaries and y - X's, inside (va, vb), each with both
        # coordinates: the exact one of the table it comes from, the other computed (v = y - x
        # rounds to a double, so near a finite end of X's support several X boundaries share one
        # v: the intervals are told apart and measured in the coordinates, never in v)
        nb = 0
        if vb > va or (vb == va and bxx[0] != bxx[nx]):
            if bvx[0] >= y - bxx[nx]:
                brk[0], bsv[0], bsx[0] = va, vpb[0], xi_of(xk, xpar, y - va)
            else:
                brk[0], bsv[0], bsx[0] = va, xi_of(vk, vpar, va), xpb[nx]
            nb = 1
            i, j = 1, nx - 1
            while i < nv or j > 0:
                cv = bvx[i] if i < nv else math.inf
                cx = y - bxx[j] if j > 0 else math.inf
                if cv < cx or (cv == cx and i < nv):
                    if va < cv < vb:
                        brk[nb], bsv[nb], bsx[nb] = cv, vpb[i], xi_of(xk, xpar, y - cv)
                        nb += 1
                    i += 1
                else:
                    if va <= cx <= vb and xpb[j] < bsx[nb - 1]:
                        brk[nb], bsv[nb], bsx[nb] = cx, xi_of(vk, vpar, cx), xpb[j]
                        nb += 1
                    j -= 1
            if bvx[nv] <= y - bxx[0]:
                brk[nb], bsv[nb], bsx[nb] = vb, vpb[nv], xi_of(xk, xpar, y - vb)
            else:
                brk[nb], bsv[nb], bsx[nb] = vb, xi_of(vk, vpar, vb), xpb[0]
            nb += 1
        # ---- intervals, their bounds and a one-point estimate of their mass
        n = 0
        est = -math.inf
        for b in range(nb - 1):
            if n >= cap // 2:
                break
            pa, pb_, qa, qb = bsv[b], bsv[b + 1], bsx[b], bsx[b + 1]
            if not (pb_ >= pa and qa >= qb and (pb_ > pa or qa > qb)):
                continue
            if not (math.isfinite(pa) and math.isfinite(pb_) and math.isfinite(qa) and math.isfinite(qb)):
                continue
            # an interval on which both coordinates are far from linear (both laws' ends close,
            # e.g. two densities singular at 0 and y tiny) is split where their scales are equal,
            # so that each piece has one law's end to resolve
            s_split = _split_point(y, pa, pb_, qa, qb, vk, vpar, xk, xpar)
            pieces = 2 if math.isfinite(s_split) else 1
            for piece in range(pieces):
                if pieces == 1:
                    sva, svb, sxa, sxb = pa, pb_, qa, qb
                elif piece == 0:
                    sva, svb, sxa, sxb = pa, s_split, qa, xi_of(xk, xpar, y - x_of(vk, vpar, s_split))
                else:
                    sva, svb, sxa, sxb = s_split, pb_, xi_of(xk, xpar, y - x_of(vk, vpar, s_split)), qb
                if not (svb > sva or sxa > sxb) or not (math.isfinite(sxa) and math.isfinite(sxb)):
                    continue
                kv = find_panel(vpb, 0.5 * (sva + svb))
                kx = find_panel(xpb, 0.5 * (sxa + sxb))
                if kv < 0 or kv >= nv or kx < 0 or kx >= nx:
                    continue
                w = _interval_var(sva, svb, sxa, sxb, vk, vpar, xk, xpar)
                if w == 1:
                    t0, t1 = sva, svb
                    width = x_of(vk, vpar, svb) - x_of(vk, vpar, sva)
                else:
                    t0, t1 = sxb, sxa
                    width = x_of(xk, xpar, sxa) - x_of(xk, xpar, sxb)
                if not (t1 > t0 and width > 0):
                    continue
                ta[n] = t0
                tb[n] = t1
                var[n] = w
                pv[n] = kv
                px[n] = kx
                # bounds of the factors on this interval (not on their whole panels)
                sv0 = panel_t(vpb, kv, sva)
                sv1 = panel_t(vpb, kv, svb)
                sx0 = panel_t(xpb, kx, sxb)
                sx1 = panel_t(xpb, kx, sxa)
                tpx = _local_max(xnodes, 1, kx, sx0, sx1) if (xside[kx] == 1) == wr else 0.0
                if tpx > 0.0:
                    tpx = 0.0
                bnd[n] = math.log(width) + max(_local_max(vnodes, 0, kv, sv0, sv1) + tpx,
                                               _local_max(vnodes, 2, kv, sv0, sv1) + _local_max(xnodes, 0, kx, sx0, sx1))
                g1, g2, jac = _eval(y, w, 0.5 * (t0 + t1), kv, kx, vk, vpar, vpb, vvals, xk, xpar, xpb, xvals,
                                    xside, wr)
                e1 = math.log(jac * (t1 - t0)) + max(g1, g2)
                if e1 > est:
                    est = e1
                done[n] = False
                n += 1
        # ---- adaptive Gauss-Kronrod on the intervals that can matter
        skipped = -math.inf
        ts = tk = er_s = er_k = -math.inf
        for rnd in range(_MAX_ROUNDS):
            lim = est - 36.0 if rnd == 0 else min(ts, tk) - 36.0 if (ts > -math.inf and tk > -math.inf) \
                else max(ts, tk) - 36.0
            new = False
            for i in range(n):
                if not done[i] and bnd[i] > lim:
                    ncall += 1
                    ms[i], vs[i], es[i], mk[i], vk_[i], ek[i] = _gk(
                        y, var[i], ta[i], tb[i], pv[i], px[i], vk, vpar, vpb, vvals, xk, xpar, xpb, xvals,
                        xside, wr, gs, gk, js)
                    done[i] = True
                    new = True
            ts = tk = er_s = er_k = -math.inf
            nd = 0
            for i in range(n):
                if not done[i]:
                    continue
                nd += 1
                if vs[i] > 0:
                    ts = _lse_add(ts, ms[i] + math.log(vs[i]))
                    if es[i] > 0:
                        er_s = _lse_add(er_s, ms[i] + math.log(es[i]))
                if vk_[i] > 0:
                    tk = _lse_add(tk, mk[i] + math.log(vk_[i]))
                    if ek[i] > 0:
                        er_k = _lse_add(er_k, mk[i] + math.log(ek[i]))
            if new and rnd == 0:
                continue            # re-check the skipped intervals against the actual totals
            ok_s = ts == -math.inf or er_s <= ts + ltol
            ok_k = tk == -math.inf or er_k <= tk + ltol
            if ok_s and ok_k:
                if not new:
                    break
                continue
            share_s = ts + ltol - math.log(max(nd, 1))
            share_k = tk + ltol - math.log(max(nd, 1))
            m0 = n
            for i in range(m0):
                if not done[i]:
                    continue
                bad = (not ok_s and es[i] > 0 and ms[i] + math.log(es[i]) > share_s) or \
                      (not ok_k and ek[i] > 0 and mk[i] + math.log(ek[i]) > share_k)
                if not bad or n >= cap or not (tb[i] - ta[i]) > 1e-13 * max(abs(ta[i]), abs(tb[i]), 1e-300):
                    continue
                mid = 0.5 * (ta[i] + tb[i])
                ta[n] = mid
                tb[n] = tb[i]
                var[n] = var[i]
                pv[n] = pv[i]
                px[n] = px[i]
                bnd[n] = bnd[i]
                tb[i] = mid
                ncall += 2
                ms[i], vs[i], es[i], mk[i], vk_[i], ek[i] = _gk(
                    y, var[i], ta[i], tb[i], pv[i], px[i], vk, vpar, vpb, vvals, xk, xpar, xpb, xvals,
                    xside, wr, gs, gk, js)
                ms[n], vs[n], es[n], mk[n], vk_[n], ek[n] = _gk(
                    y, var[n], ta[n], tb[n], pv[n], px[n], vk, vpar, vpb, vvals, xk, xpar, xpb, xvals,
                    xside, wr, gs, gk, js)
                done[n] = True
                n += 1
            if n == m0 and not new:
                break
        for i in range(n):
            if not done[i]:
                skipped = _lse_add(skipped, bnd[i])
        ls = ts
        lk = tk
        err_s = _lse_add(er_s, skipped)
        err_k = _lse_add(er_k, skipped)
        # ---- V's mass beyond its table: an atom next to a finite end, else a bound
        for e in range(2):
            lm = vends[e]
            if lm == -math.inf:
                continue
            xe = vxends[e]
            if vfin[e]:
                kt = _log_at(xk, xpar, xpb, xvals, xside, y - xe, 1, wr)
                if kt == -math.inf:
                    # X's argument beyond its table: the kernel is ~1 on one side (F̄_X below
                    # the table, F_X above it), at most the mass beyond the table on the other
                    below = y - xe < xxends[0]
                    if below == wr:
                        kt = 0.0
                    else:
                        err_s = _lse_add(err_s, lm + (xends[1] if wr else xends[0]))
                ls = _lse_add(ls, lm + kt)
                err_s = _lse_add(err_s, lm + kt - 27.6)          # the kernel varies over 1e-30 of a scale
                # I_K over the atom [end, x_end]: h <= h(x_end) there, times its width and the
                # largest density of X at y - v (its table's maximum where y - v leaves the table)
                lh = _log_at(vk, vpar, vpb, vvals, vside, xe, 2, wr)
                lfx = _log_at(xk, xpar, xpb, xvals, xside, y - xe, 0, wr)
                if lfx == -math.inf:
                    lfx = xfmax
                width = abs(xe - (vpar[2] if e == 0 else vpar[3]))
                if lh > -math.inf and width > 0:
                    err_k = _lse_add(err_k, lh + math.log(width) + lfx + math.log(2.0))
            else:
                err_s = _lse_add(err_s, lm)
                lh = _log_at(vk, vpar, vpb, vvals, vside, xe, 2, wr)
                err_k = _lse_add(err_k, lh)
        # ---- X beyond its table.  Where the kernel K_X(y - v) is ~1 (X below its table for
        # "sf", above it for "cdf") the whole mass of V there counts: P(V > y - x_first) or
        # P(V < y - x_last), the kernel's deficit (at most the mass beyond X's end) as error;
        # where it is ~0 the mass beyond X's end bounds the rest.  For I_K the mass of X beyond
        # an end meets h(v) <= h(y - end) (an atom at a finite end) or at most max h.
        for e in range(2):
            lm = xends[e]
            xe = xxends[e]
            if (e == 0) == wr:
                lv = _log_at(vk, vpar, vpb, vvals, vside, y - xe, 1, wr)
                if lv == -math.inf:
                    beyond = (y - xe > vxends[1]) if wr else (y - xe < vxends[0])
                    # V's mass past its table there: none beyond a finite end of its support
                    # (the atom next to that end is counted above), else at most its tail
                    outside = (vfin[1] and y - xe >= vpar[3]) if wr else (vfin[0] and y - xe <= vpar[2])
                    if not outside:
                        err_s = _lse_add(err_s, vends[1] if wr else vends[0])
                    if not beyond:
                        lv = 0.0     # V's table lies entirely on the kernel-1 side
                if lv > -math.inf:
                    ls = _lse_add(ls, lv)
                    if lm > -math.inf:
                        # the kernel's deficit (at most the mass beyond X's end) only where X can
                        # still be there: next to a finite end of X, just the sliver of v between
                        # y - x_end and y - end (beyond it the kernel is exactly 1)
                        lsl = lv
                        if xfin[e]:
                            xend = xpar[2] if e == 0 else xpar[3]
                            lfv = _log_at(vk, vpar, vpb, vvals, vside, y - xe, 0, wr)
                            if lfv == -math.inf:
                                lfv = fmax
                            lsl = min(lv, lfv + math.log(abs(xe - xend) + 1e-300) + math.log(2.0))
                        err_s = _lse_add(err_s, lsl + lm)
            elif lm > -math.inf:
                # the kernel is at most the mass beyond X's end there, and V's mass on that side
                # (v < y - x_last for "sf", v > y - x_first for "cdf") at most P(V < y - x_last) or
                # P(V > y - x_first); also at most P(V <= y - lo_X) at a finite lower end of X
                lv = _log_at(vk, vpar, vpb, vvals, vside, y - xe, 1, not wr)
                if lv == -math.inf:
                    inside = (y - xe > vxends[0]) if wr else (y - xe < vxends[1])
                    lv = 0.0 if inside else (vends[0] if wr else vends[1])
                if e == 0 and xfin[0]:
                    # below a finite end lo of X the kernel is 0: V's mass there is only
                    # P(y - x_first < V <= y - lo) = F_V(y - lo) - F_V(y - x_first)
                    lb = _log_at(vk, vpar, vpb, vvals, vside, y - xpar[2], 1, False)
                    if lb == -math.inf and y - xpar[2] > vxends[1]:
                        lb = 0.0
                    la = _log_at(vk, vpar, vpb, vvals, vside, y - xe, 1, False)
                    if lb > -math.inf and la > -math.inf and la < lb:
                        lb = lb + log1mexp(la - lb)
                    # when y - x_first and y - lo round to nearly one double: the width times the
                    # density there (twice, for its variation over a width of 1e-30 of a scale)
                    lfv = _log_at(vk, vpar, vpb, vvals, vside, y - xpar[2], 0, False)
                    if lfv > -math.inf and xe > xpar[2]:
                        lb = min(lb, lfv + math.log(xe - xpar[2]) + math.log(2.0)) if lb > -math.inf else lb
                    lv = min(lv, lb) if lb > -math.inf else lb
                err_s = _lse_add(err_s, lm + lv)
            if lm == -math.inf:
                continue
            if xfin[e]:
                lh = _log_at(vk, vpar, vpb, vvals, vside, y - xe, 2, wr)
                if lh > -math.inf:
                    lk = _lse_add(lk, lm + lh)
                    err_k = _lse_add(err_k, lm + lh - 27.6)
            else:
                err_k = _lse_add(err_k, lm + hmax)
        out[iy, 0] = ls
        out[iy, 1] = lk
        out[iy, 2] = math.exp(err_s - ls) if ls > -math.inf else math.inf
        out[iy, 3] = math.exp(err_k - lk) if lk > -math.inf else math.inf
        out[iy, 4] = ncall


def warmup() -> None:
    """Compile (or load from the cache) the kernels once."""
    from ._law_table import build
    from scipy import stats

    from . import _bon_table
    _bon_table.warm(build(stats.norm(), need_h=True), build(stats.norm()))
