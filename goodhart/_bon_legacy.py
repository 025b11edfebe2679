"""The first best-of-N quadrature (private): a table of conditional means, used where the fast
table of :mod:`goodhart._bon_table` cannot be built (laws with a finite support end away from 0
such as uniform, beta or Pareto; extreme locations or scales; duck-typed laws; kinks in a log
density).

With m_ge(w) = E[V | U >= w] and m_le(w) = E[V | U <= w] from the log-space quadrature of
:mod:`goodhart._selection_quad` (the conditional means :func:`goodhart.conditional_mean` computes),

    E[V_sel] = ∫ m_ge(s) n (n-1) e^{2s} (1 - e^s)^{n-2} ds                (s = log F̄_U(w))
             = ∫ (E[V] - e^r m_le(r)) n (n-1) e^{(n-1) r} dr               (r = log F_U(w)),

above and below the median of U; E[U_sel] is ∫ u d(F_U^n) in the same variables.  The table is
(u, s, m_ge) and (u, r, m_le) at steps of ``resolution`` in s and r, interpolated by cubic splines
(not-a-knot) and integrated with 8-point Gauss-Legendre per step; the error estimate is twice the
change when every other point is dropped, plus the truncation and the conditional means' bounds.
Accuracy about 1e-5 relative (the splines); n may be real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import interpolate

from tailpower._common import progress

from ._selection_quad import _Unresolvable, _ZeroMass

_MAX_TABLE = 2_000        # points of the table


@dataclass(frozen=True)
class _Table:
    """Upper part (u, log F̄_U, E[V | U >= u], bound) and lower part (u, log F_U, E[V | U <= u],
    bound), each ascending in u; ``k_up`` / ``k_lo`` index the split point u0 in them.  Each part
    runs a few points past u0 (``_OVERLAP``), so its spline is not at its end where the weights of
    small n are largest; the integrals stop at u0."""

    up: tuple
    lo: tuple
    k_up: int
    k_lo: int


_OVERLAP = 4


def _point(prob, u: float, kind: str):
    """(log F̄_U(u), E[V | U >= u], bound) for kind "sf"; (log F_U(u), E[V | U <= u], bound) for "cdf";
    None where the probability is 0."""
    try:
        res = prob.integrate(u, kind, rel=1e-10)
    except _ZeroMass:
        return None
    except _Unresolvable as exc:
        raise ValueError(f"V: the selection table at u = {u!r} needs log-densities near {exc.gmax:.3g}, beyond "
                         f"what double precision resolves") from None
    return res.log_mass, res.mean, res.mean_err


def _walk(prob, u0: float, first, direction: int, kind: str, limit: float, ds: float, h0: float,
          max_points: int) -> list:
    """Points beyond u0 in ``direction`` whose log-probability (log F̄_U for "sf", log F_U for "cdf")
    changes by about ``ds`` per step (secant step control, halving when a step changes it by more
    than 2 ds), until it falls below ``limit``, the end of the support of U or ``max_points``."""
    rows = []
    u, cur = u0, first[0]
    h = h0
    for _ in progress(range(max_points), desc="best-of-n table"):
        if cur < limit:
            break
        dsk = ds * min(1.0, max(0.25, abs(cur) / 3.0))  # finer near u0, where small n weigh most
        for _ in range(80):
            un = u + direction * h
            row = _point(prob, un, kind) if un != u else None
            if row is not None and row[0] < cur and cur - row[0] <= 2 * dsk:
                break
            if row is not None and row[0] >= cur and h < 1e6 * abs(u) + 1.0:
                h *= 2     # no decrease: a step below the resolution of the probabilities
                continue
            h /= 2
            if h < 8 * np.spacing(abs(u)) + 1e-300:
                return rows
        else:
            return rows
        step = cur - row[0]
        rows.append((un, *row))
        u, cur = un, row[0]
        h *= min(4.0, dsk / step) if step > 0 else 4.0
    return rows


def _overlap(prob, u0: float, first, direction: int, kind: str, h: float) -> list:
    """Up to ``_OVERLAP`` points past u0 (steps of ``h``) while the log-probability stays below
    log 0.9: there the variable s (or r) is still a good coordinate for the spline."""
    rows, cur = [], first[0]
    for k in range(1, _OVERLAP + 1):
        row = _point(prob, u0 + direction * k * h, kind)
        if row is None or not cur < row[0] <= math.log(0.9):
            break
        rows.append((u0 + direction * k * h, *row))
        cur = row[0]
    return rows


def _build_table(prob, s_min: float, r_min: float, ds: float) -> _Table:
    V, X = prob.V, prob.X
    with np.errstate(all="ignore"):
        u0 = float(V.median()) + float(X.median())
        spread = sum(float(d.ppf(0.75)) - float(d.ppf(0.25)) for d in (V, X))
    if not math.isfinite(u0):
        raise ValueError("V: the median of V + X is not finite")
    if not (math.isfinite(spread) and spread > 0):
        spread = max(abs(u0), 1.0)
    up0, lo0 = _point(prob, u0, "sf"), _point(prob, u0, "cdf")
    if up0 is None or lo0 is None:
        raise ValueError("V: P(V + X >= median) evaluates to 0; the laws' log functions underflow")
    h0 = ds * spread / 1.35
    up_in = _overlap(prob, u0, up0, -1, "sf", h0 / 4)[::-1]
    up_out = _walk(prob, u0, up0, +1, "sf", s_min, ds, h0, _MAX_TABLE)
    lo_in = _overlap(prob, u0, lo0, +1, "cdf", h0 / 4)
    lo_out = _walk(prob, u0, lo0, -1, "cdf", r_min, ds, h0, _MAX_TABLE)[::-1]
    upper = up_in + [(u0, *up0)] + up_out
    lower = lo_out + [(u0, *lo0)] + lo_in
    return _Table(tuple(np.array(c) for c in zip(*upper)), tuple(np.array(c) for c in zip(*lower)),
                  len(up_in), len(lo_out))


_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)


def _integrate_weight(x: np.ndarray, f: np.ndarray, logw, stop: int, linear: bool = False) -> float:
    """∫_{x[0]}^{x[stop]} f(x) w(x) dx (x increasing): f interpolated by a cubic spline through all
    of x (not-a-knot; linear below 4 points or if ``linear``), w exact, 8-point Gauss-Legendre per
    table interval."""
    if stop < 1:
        return 0.0
    spl = interpolate.CubicSpline(x, f) if x.size >= 4 and not linear else interpolate.interp1d(x, f)
    xa, xb = x[:stop], x[1:stop + 1]
    c, h = 0.5 * (xa + xb), 0.5 * (xb - xa)
    xs = (c[:, None] + h[:, None] * _GL_X[None, :]).ravel()
    with np.errstate(over="ignore", under="ignore"):
        w = np.exp(logw(xs))
    return float(np.sum((spl(xs) * w).reshape(-1, _GL_X.size) @ _GL_W * h))


def _thin(arrs: tuple, k0: int, step: int):
    """Every ``step``-th point counted from index k0 (kept) in both directions; new index of k0."""
    idx = np.concatenate([np.arange(k0, -1, -step)[::-1], np.arange(k0 + step, arrs[0].size, step)])
    return tuple(a[idx] for a in arrs), int(np.searchsorted(idx, k0))


def _quad_moments(tab: _Table, n: float, ev: float, step: int = 1):
    """E[V_sel] and E[U_sel] from the table (every ``step``-th point), and truncation bounds."""
    (u_up, s, mge, eup), k_up = _thin(tab.up, tab.k_up, step)
    (u_lo, r, mle, elo), k_lo = _thin(tab.lo, tab.k_lo, step)
    # upper part in increasing s = decreasing u: reverse, so that u0 sits at index size - 1 - k_up
    s, mge, uu, eup = s[::-1], mge[::-1], u_up[::-1], eup[::-1]
    stop_up = s.size - 1 - k_up
    ln, ln1 = math.log(n), math.log(n - 1)

    def w_v_up(x):
        with np.errstate(divide="ignore"):
            return ln + ln1 + 2 * x + (n - 2) * np.log1p(-np.exp(x))

    def w_u_up(x):
        with np.errstate(divide="ignore"):
            return ln + x + (n - 1) * np.log1p(-np.exp(x))

    def w_v_lo(x):
        return ln + ln1 + n * x

    def w_u_lo(x):
        return ln + n * x

    r0 = r[k_lo]
    # lower part: E[V] ∫_{-inf}^{r0} n (n-1) e^{(n-1) r} dr = E[V] n e^{(n-1) r0}, minus the m_le term
    e_v = (ev * n * math.exp((n - 1) * r0) - _integrate_weight(r, mle, w_v_lo, k_lo)
           + _integrate_weight(s, mge, w_v_up, stop_up))
    e_u = _integrate_weight(s, uu, w_u_up, stop_up) + _integrate_weight(r, u_lo, w_u_lo, k_lo)
    # truncation: the weight mass beyond the table ends, times the largest |value| there
    w_up_v = n * (n - 1) * math.exp(2 * s[0]) / 2
    w_up_u = n * math.exp(s[0])
    w_lo_v = n * math.exp(n * r[0])
    w_lo_u = math.exp(n * r[0])
    tail_v = w_up_v * abs(mge[0]) + w_lo_v * abs(mle[0])
    tail_u = w_up_u * abs(uu[0]) + w_lo_u * abs(u_lo[0])
    # the conditional means' own error bounds, carried through the same weights (linearly)
    merr = (_integrate_weight(s, eup, w_v_up, stop_up, linear=True)
            + _integrate_weight(r, elo, w_v_lo, k_lo, linear=True))
    return e_v, e_u, tail_v + merr, tail_u




def legacy_table(prob, nmax: float, resolution: float, tail: float) -> _Table:
    """The table for every n <= ``nmax``."""
    prob.require_fast("Simulation (method='mc') needs only draws.")
    return _build_table(prob, s_min=-math.log(nmax) - tail, r_min=-tail, ds=resolution)


def legacy_moments(tab: _Table, ns, ev: float) -> np.ndarray:
    """(E[V_sel], E[U_sel], bound V, bound U) for each n > 1 of ``ns`` from ``tab``."""
    out = np.empty((len(ns), 4))
    for i, ni in enumerate(ns):
        e_v, e_u, tail_v, tail_u = _quad_moments(tab, float(ni), ev)
        e_v2, e_u2, _, _ = _quad_moments(tab, float(ni), ev, step=2)
        out[i] = (e_v, e_u, 2 * abs(e_v - e_v2) + tail_v, 2 * abs(e_u - e_u2) + tail_u)
    return out
