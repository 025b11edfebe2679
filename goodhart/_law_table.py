"""Piecewise-Chebyshev tables of a law's log density and log tails (private).

The fast best-of-N table (:mod:`goodhart._bon_table`) needs log f, log F̄ and log F of V and X at
hundreds of thousands of points (the convolutions that give the law of U = V + X).  scipy
evaluates them at 0.2-1 us a point; this module evaluates each law once, at the Chebyshev points
of panels in a coordinate ξ adapted to its support, and the kernels of
:mod:`goodhart._bon_kernels` interpolate (barycentric formula, degree ``D``) at about 0.1 us a point.

Coordinates (c: median, σ: a scale, [lo, hi]: the support):

=====================  ===========================  ============================================
support                ξ(x)                         why
=====================  ===========================  ============================================
(-inf, inf)            asinh((x - c)/σ)             linear in the body, log |x| in the tails
[lo, inf)              log((x - lo)/σ)              also resolves a density singular at lo
(-inf, hi]             -log((hi - x)/σ)
[lo, hi]               log((x - lo)/(hi - x))
=====================  ===========================  ============================================

In these coordinates power-law tails and densities such as x^(a-1) at an end are smooth (nearly
linear), so few panels cover 300 decades.  Near a finite end the functions are evaluated through
the standardised law (z = (x - loc)/scale) at the exact offset from the end, so that rounding x to
a double does not blur a singular density.  Panels are split until the last Chebyshev
coefficients of every tabulated function fall below ``TOL`` times its size (the interpolation
error is then at the level of scipy's own rounding); the table ends where the tail probability
falls below e^``L_MIN`` or where the law's functions stop being trustworthy (lossy scipy tails,
NaN), and the mass beyond each end is recorded so that the convolutions can bound it.

For the utility V the table also holds log h, h(v) = E[(V - E V) 1{V > v}] for v >= E V and
E[(E V - V) 1{V < v}] below (h >= 0, ∫ h = Var V): the density of the zero-bias transform of V
times Var V (Goldstein & Reinert 1997).  It turns E[V_sel] - E[V] into an integral of positive
terms (see :mod:`goodhart._bon_table`), computed here by accumulating ∫ (w - E V) f(w) dw from the
ends of the table inwards (Gauss-Legendre between consecutive nodes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scipy.stats._distn_infrastructure import rv_continuous_frozen as _RV_FROZEN

D = 16                                                     # degree of the Chebyshev interpolants
NODES = -np.cos(np.pi * np.arange(D + 1) / D)              # Chebyshev points, ascending in [-1, 1]
BARY = (-1.0) ** np.arange(D + 1)
BARY[0] *= 0.5
BARY[-1] *= 0.5
_k = np.arange(D + 1)[:, None]
_COEF = (2.0 / D) * np.cos(np.pi * _k * (D - np.arange(D + 1))[None, :] / D)
_COEF[:, [0, -1]] *= 0.5
_COEF[[0, -1], :] *= 0.5                                   # c = _COEF @ values

TOL = 2e-14          # last coefficients below TOL * max(1, |values|)
L_MIN = -700.0       # tables stop where the tail probability is below e^L_MIN (above scipy's
                     # subnormal range, where log(sf) loses digits)
L_MIN_FINITE = -60.0  # ... or, next to a finite end of the support, below e^-60 (the rest is an atom)
MAX_PANELS = 600     # per law
MIN_WIDTH = 1e-9     # panels narrower than this (in ξ) are not split again
X_MAX = 1e300        # tables of unbounded laws stop at |x| = X_MAX

KIND_BOTH, KIND_LO, KIND_HI, KIND_BOUNDED = 0, 1, 2, 3
FUN_LF, FUN_TAIL, FUN_LH = 0, 1, 2      # rows of ``vals``: log f, log tail (F on the left, F̄ on the right), log h


class Unsupported(Exception):
    """The law is outside what the fast tables handle (the caller falls back); ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LawTable:
    """Panels ``pb`` (ascending ξ) with function values ``vals[f, panel, node]`` at the Chebyshev
    points; ``side[p]`` is 0 where the tail row holds log F, 1 where it holds log F̄;
    ``pmax[f, p]`` bounds each function on the panel; ``ends`` = (log F at the first point,
    log F̄ at the last point) are the masses beyond the table, ``finite`` whether each end is an
    end of the support (its mass then sits within ``xcut`` of the end)."""

    kind: int
    par: np.ndarray          # (c, σ, lo, hi)
    pb: np.ndarray
    vals: np.ndarray
    pmax: np.ndarray
    side: np.ndarray
    ends: np.ndarray         # log mass left of the table, right of it
    xends: np.ndarray        # x at the first and last point
    mean: float              # ∫ x f over the table (the mean used by h)
    var: float               # ∫ h (Var V) over the table, inf if it grows without bound
    err: float               # largest interpolation error estimate (relative, of the functions)
    scale: float             # σ
    err_h: float = 0.0       # relative error estimate of h
    coef: np.ndarray = None  # Chebyshev coefficients of ``vals`` (for the kernels)

    @property
    def panels(self) -> int:
        return self.pb.size - 1


# ----------------------------------------------------------------------------- coordinates
def xi_of(kind: int, par, x):
    c, s, lo, hi = par
    x = np.asarray(x, float)
    with np.errstate(all="ignore"):
        if kind == KIND_BOTH:
            return np.arcsinh((x - c) / s)
        if kind == KIND_LO:
            return np.log((x - lo) / s)
        if kind == KIND_HI:
            return -np.log((hi - x) / s)
        return np.log(x - lo) - np.log(hi - x)


def offsets(kind: int, par, xi):
    """(x, offset from the nearer finite end (or x - c), which end: -1 lo, +1 hi, 0 none)."""
    c, s, lo, hi = par
    xi = np.asarray(xi, float)
    with np.errstate(all="ignore"):
        if kind == KIND_BOTH:
            d = s * np.sinh(xi)
            return c + d, d, np.zeros(xi.shape, int)
        if kind == KIND_LO:
            d = s * np.exp(xi)
            return lo + d, d, -np.ones(xi.shape, int)
        if kind == KIND_HI:
            d = s * np.exp(-xi)
            return hi - d, d, np.ones(xi.shape, int)
        w = hi - lo
        left = xi <= 0
        d = np.where(left, w / (1.0 + np.exp(-xi)), w / (1.0 + np.exp(xi)))
        x = np.where(left, lo + d, hi - d)
        return x, d, np.where(left, -1, 1)


# ----------------------------------------------------------------------------- evaluation
class _Evaluator:
    """log f, log F̄, log F of a scipy frozen law at points given as (end, offset) or x: through the
    standardised law, z = (x - loc)/scale, with z = a + offset/scale at a finite end a of the
    standard support (exact, no rounding of x).  The points are inside the support, so scipy's
    private methods (which skip the argument checks that cost ~0.3 ms a call) are used; Laplace
    and Gumbel use exact formulas (scipy's log tails of them underflow)."""

    def __init__(self, law):
        dist = getattr(law, "dist", None)
        if dist is None or not hasattr(dist, "_parse_args") or not isinstance(law, _RV_FROZEN):
            raise Unsupported("not a scipy frozen law")
        try:
            shapes, loc, scale = dist._parse_args(*law.args, **law.kwds)
        except Exception:  # noqa: BLE001 - reported as unsupported, the caller falls back
            raise Unsupported("parameters not parsed") from None
        self.dist, self.shapes = dist, tuple(float(a) for a in shapes)
        self.loc, self.sc = float(loc), float(scale)
        self.lsc = math.log(self.sc)
        self.name = getattr(dist, "name", "")
        with np.errstate(all="ignore"):
            a, b = dist.support(*self.shapes)
        self.a, self.b = float(a), float(b)

    def z(self, x, d, end, c=None):
        """Standardised points: from the offset d to a finite end (end = -1, +1), else from the
        offset to the centre c (x = c + d; c - loc is exact, x - loc would carry the rounding of
        x: 1e-10 relative at a location 1e6 times the scale)."""
        with np.errstate(all="ignore"):
            z = (x - self.loc) / self.sc if c is None else (c - self.loc) / self.sc + d / self.sc
            z = np.where(end < 0, self.a + d / self.sc, z)
            return np.where(end > 0, self.b - d / self.sc, z)

    def _call(self, name: str, z):
        with np.errstate(all="ignore"):
            try:
                out = np.asarray(getattr(self.dist, "_" + name)(z, *self.shapes), float)
                if out.shape == z.shape:
                    return out
            except Exception:  # noqa: BLE001 - the public method below
                pass
            return np.asarray(getattr(self.dist, name)(z, *self.shapes), float)

    def logs(self, z, want):
        """log f and the requested log tails ("sf", "cdf") at standardised points z."""
        out = {}
        with np.errstate(all="ignore"):
            if self.name == "laplace":
                out["pdf"] = -math.log(2.0) - np.abs(z) - self.lsc
                out["sf"] = np.where(z >= 0, math.log(0.5) - z, np.log1p(-0.5 * np.exp(-np.abs(z))))
                out["cdf"] = np.where(z <= 0, math.log(0.5) + z, np.log1p(-0.5 * np.exp(-np.abs(z))))
                return out
            out["pdf"] = self._call("logpdf", z) - self.lsc
            for w in want:
                if self.name == "gumbel_r" and w == "sf":
                    e = np.exp(-z)
                    out["sf"] = np.where(e < 1e-8, -z + np.log1p(-e / 2), np.where(
                        e > 1.0, np.log1p(-np.exp(-e)), np.log(-np.expm1(-e))))
                else:
                    out[w] = self._call("log" + w, z)
        return out

    def ppf(self, q):
        q = np.asarray(q, float)
        with np.errstate(all="ignore"):
            try:
                z = np.asarray(self.dist._ppf(q, *self.shapes), float)
                if z.shape != q.shape:
                    raise ValueError
            except Exception:  # noqa: BLE001
                z = np.asarray(self.dist.ppf(q, *self.shapes), float)
        return z * self.sc + self.loc


# ----------------------------------------------------------------------------- building
def _cut_offset(end: float, width: float) -> float:
    """How close to a finite end of the support the table goes: 1e-30 of the support's width (or
    scale).  The law's functions are evaluated at the exact offset (see :class:`_Evaluator`) and
    the convolutions integrate in ξ there, so nothing is lost to rounding x; the mass left over
    is an atom at the end whose position is known to within the offset."""
    return 1e-30 * width


def _coeff_err(v: np.ndarray) -> np.ndarray:
    """Interpolation error estimate of rows of values at the Chebyshev points: the size of the
    last three coefficients relative to max(1, |values|)."""
    c = v @ _COEF.T
    return np.max(np.abs(c[..., -3:]), axis=-1) / np.maximum(1.0, np.max(np.abs(v), axis=-1))


def _choose_map(ev: _Evaluator):
    lo, hi = ev.loc + ev.sc * ev.a, ev.loc + ev.sc * ev.b
    if math.isnan(lo) or math.isnan(hi):
        raise Unsupported("support not defined")
    q1, c, q3 = (float(v) for v in ev.ppf(np.array([0.25, 0.5, 0.75])))
    iqr = q3 - q1
    if not (math.isfinite(c) and math.isfinite(iqr) and iqr > 0 and lo < c < hi):
        raise Unsupported("median or quartiles not finite")
    if abs(c) > 1e6 * iqr or iqr < 1e-150 or abs(c) + iqr > 1e150:
        raise Unsupported("location or scale too extreme for the tables")
    if (math.isfinite(ev.a) and ev.a != 0.0) or (math.isfinite(ev.b) and ev.b != 0.0):
        # the offset from such an end is rounded in z = a + offset (scipy takes z only): log F
        # near it would lose its digits
        raise Unsupported("a finite end of the standard support away from 0")
    if math.isfinite(lo) and math.isfinite(hi):
        if hi - lo < 1e-6 * max(abs(lo), abs(hi)):
            raise Unsupported("support too narrow")
        return KIND_BOUNDED, np.array([c, iqr, lo, hi]), lo, hi
    if math.isfinite(lo):
        return KIND_LO, np.array([c, max(c - lo, 1e-3 * iqr), lo, hi]), lo, hi
    if math.isfinite(hi):
        return KIND_HI, np.array([c, max(hi - c, 1e-3 * iqr), lo, hi]), lo, hi
    return KIND_BOTH, np.array([c, iqr, lo, hi]), lo, hi


def _values(ev, kind, par, xi, right):
    """(log f, log tail) at ξ; the tail is log F̄ where ``right`` else log F."""
    x, d, end = offsets(kind, par, xi)
    z = ev.z(x, d, end, par[0] if kind == KIND_BOTH else None)
    out = ev.logs(z, ("sf", "cdf"))
    return out["pdf"], np.where(right, out["sf"], out["cdf"])


def _range(ev, kind, par, xi_c, xi_stop, direction, lmin):
    """Where the table of one side ends: probing ξ in steps of 1 from the centre, the last point
    before the tail falls below ``lmin`` (included) or the functions stop being finite."""
    n = int(min(abs(xi_stop - xi_c), 2000.0)) + 1
    xi = xi_c + direction * np.minimum(np.arange(1, n + 1, dtype=float), abs(xi_stop - xi_c))
    lf, ltl = _values(ev, kind, par, xi, np.full(xi.shape, direction > 0))
    good = np.isfinite(lf) & np.isfinite(ltl) & (lf < 1e300) & (lf > L_MIN) & (ltl <= 1e-12)
    # a log tail must decrease outwards
    with np.errstate(invalid="ignore"):
        good &= np.concatenate([[True], np.diff(ltl) <= 1e-9])
    stop = int(np.argmin(good)) if not np.all(good) else n
    if stop == 0:
        raise Unsupported("the law's functions are not finite next to its median")
    below = np.nonzero(ltl[:stop] < lmin)[0]
    end = int(below[0]) if below.size else stop - 1
    xi_end, tail_end = float(xi[end]), float(ltl[end])
    if not below.size and stop < n and tail_end >= lmin:
        # a light tail can fall from above lmin to far below L_MIN within one step of the probe
        # (Weibull(4): from -38 to -2000): the outermost acceptable point of the step
        def ok(f, t):
            return np.isfinite(f) & np.isfinite(t) & (f > L_MIN) & (t <= tail_end + 1e-9)
        m, tm = _last(ev, kind, par, xi_end, float(xi[stop]), direction, ok)
        if m is not None:
            xi_end, tail_end = m, tm
    # the outermost panel starts where the tail is below -450: the values there (h extrapolated
    # beyond the table) are not needed to full accuracy and cannot spoil the panels inside
    pts = np.append(xi[:end + 1], xi_end) if xi_end != float(xi[end]) else xi[:end + 1]
    tails = np.append(ltl[:end + 1], tail_end) if xi_end != float(xi[end]) else ltl[:end + 1]
    inner = np.nonzero(tails >= -450.0)[0]
    mark = None
    if inner.size and inner[-1] < pts.size - 1:
        i = int(inner[-1])
        m, _ = _last(ev, kind, par, float(pts[i]), float(pts[i + 1]), direction,
                     lambda f, t: np.isfinite(t) & (t >= -450.0))
        mark = m if m is not None else float(pts[i])
        if abs(mark - xi_end) < 0.02 or abs(mark - xi_c) < 0.02:
            mark = None
    return xi_end, mark


def _last(ev, kind, par, a: float, b: float, direction: int, accept):
    """The last point from a towards b where ``accept(log f, log tail)`` holds (two grids of 33
    points, one scipy call each), with its log tail; None if none does."""
    best, tail = None, None
    for _ in range(2):
        g = np.linspace(a, b, 33)
        f, t = _values(ev, kind, par, g, np.full(g.shape, direction > 0))
        ok = accept(f, t)
        if not ok[0]:
            break
        j = int(np.argmin(ok)) - 1 if not np.all(ok) else g.size - 1
        best, tail = float(g[j]), float(t[j])
        if j == g.size - 1:
            break
        a, b = float(g[j]), float(g[j + 1])
    return best, tail


def _split(c: float, end: float, mark) -> list:
    """Initial panels from the centre ``c`` to ``end``: widths 0.5, 1, 2, 4, ... (tails in ξ are
    smooth over long stretches; the refinement splits where they are not), with a boundary at
    ``mark`` (where the tail falls below -450) if given."""
    direction = 1.0 if end > c else -1.0
    edges, x, w = [c], c, 0.5
    stop = mark if mark is not None else end
    while direction * (stop - x) > 1e-12:
        x = x + direction * w if direction * (stop - (x + direction * w)) > 0.25 * w else stop
        edges.append(x)
        w *= 2.0
    if mark is not None and direction * (end - mark) > 1e-12:
        edges.append(end)
    out = [(min(a, b), max(a, b)) for a, b in zip(edges[:-1], edges[1:])]
    return out


def _refine(ev, kind, par, panels: list, right: bool, budget: list):
    """Split panels (ξ ascending pairs) until their interpolants converge; batched evaluation.
    A panel that does not converge before it is narrower than ``MIN_WIDTH`` ends the table there
    if its log tail is below -200 (far out: lossy scipy functions, the rest of the mass is bounded
    by the tail at the cut); elsewhere the law is unsupported.  Returns [(a, b, lf, ltail, err)]
    sorted by ξ."""
    done, todo = [], panels
    cut = None                      # ξ beyond which the table is dropped
    while todo:
        if len(done) + len(todo) > budget[0]:
            raise Unsupported("more panels than the table allows")
        a = np.array([p[0] for p in todo])
        b = np.array([p[1] for p in todo])
        xi = (0.5 * (a + b))[:, None] + (0.5 * (b - a))[:, None] * NODES[None, :]
        lf, ltl = _values(ev, kind, par, xi.ravel(), np.full(xi.size, right))
        lf, ltl = lf.reshape(xi.shape), ltl.reshape(xi.shape)
        vals = np.stack([lf, ltl], axis=1)                       # (m, 2, D+1)
        finite = np.all(np.isfinite(vals), axis=(1, 2)) & np.all(vals < 1e300, axis=(1, 2))
        with np.errstate(all="ignore"):
            err = np.where(finite, np.max(_coeff_err(np.where(np.isfinite(vals), vals, 0.0)), axis=1), np.inf)
        nxt = []
        for i in range(len(todo)):
            if err[i] <= TOL:
                done.append((a[i], b[i], lf[i], ltl[i], float(err[i])))
            elif (b[i] - a[i]) <= 1e-3 * max(1.0, abs(a[i])) and \
                    np.all(~(ltl[i] > -200.0)):
                inner = a[i] if right else b[i]
                cut = inner if cut is None else (min(cut, inner) if right else max(cut, inner))
            elif (b[i] - a[i]) <= MIN_WIDTH * max(1.0, abs(a[i])):
                raise Unsupported("the interpolants do not converge (a kink or noise in the law's functions)")
            else:
                m = 0.5 * (a[i] + b[i])
                nxt += [(a[i], m), (m, b[i])]
        if cut is not None:
            nxt = [p for p in nxt if (p[0] < cut if right else p[1] > cut)]
        todo = nxt
    if cut is not None:
        done = [p for p in done if (p[1] <= cut if right else p[0] >= cut)]
    if not done:
        raise Unsupported("no panel converged next to the median")
    done.sort(key=lambda p: p[0])
    # the kept panels must be contiguous from the centre
    for p, q in zip(done[:-1], done[1:]):
        if p[1] != q[0]:
            raise Unsupported("the table has a gap")
    return done, True


def build(law, need_h: bool = False) -> LawTable:
    """The table of ``law`` (raises :class:`Unsupported` when the law is outside its reach)."""
    ev = _Evaluator(law)
    kind, par, lo, hi = _choose_map(ev)
    width = (hi - lo) if math.isfinite(hi - lo) else par[1]
    xi_lo = math.log(_cut_offset(lo, width) / par[1]) if math.isfinite(lo) else float(xi_of(kind, par, -X_MAX))
    xi_hi = -math.log(_cut_offset(hi, width) / par[1]) if math.isfinite(hi) else float(xi_of(kind, par, X_MAX))
    if kind == KIND_BOUNDED:
        xi_lo = math.log(_cut_offset(lo, width)) - math.log(hi - lo)
        xi_hi = math.log(hi - lo) - math.log(_cut_offset(hi, width))
    xi_c = float(xi_of(kind, par, par[0]))
    if not (math.isfinite(xi_lo) and math.isfinite(xi_hi) and xi_lo < xi_c < xi_hi):
        raise Unsupported("coordinate range not finite")
    ends_xi = []
    for direction, stop, fin in ((1, xi_hi, math.isfinite(hi)), (-1, xi_lo, math.isfinite(lo))):
        ends_xi.append(_range(ev, kind, par, xi_c, stop, direction, L_MIN_FINITE if fin else L_MIN))
    (xi_r, mark_r), (xi_l, mark_l) = ends_xi
    budget = [MAX_PANELS]
    right, ok_r = _refine(ev, kind, par, _split(xi_c, xi_r, mark_r), True, budget)
    budget[0] -= len(right)
    left, ok_l = _refine(ev, kind, par, _split(xi_c, xi_l, mark_l), False, budget)
    panels = left + right
    if not (ok_r and ok_l):
        raise Unsupported("the interpolants do not converge (a kink or noise in the law's functions)")
    pb = np.array([p[0] for p in panels] + [panels[-1][1]])
    n = len(panels)
    vals = np.full((3, n, D + 1), -np.inf)
    for i, p in enumerate(panels):
        vals[0, i], vals[1, i] = p[2], p[3]
    side = np.array([0] * len(left) + [1] * len(right), dtype=np.int64)
    ends = np.array([left[0][3][0], right[-1][3][-1]])
    x_first = float(offsets(kind, par, pb[:1])[0][0])
    x_last = float(offsets(kind, par, pb[-1:])[0][0])
    err = max(p[4] for p in panels)
    fin = (math.isfinite(lo), math.isfinite(hi))
    with np.errstate(invalid="ignore"):
        coef = np.where(np.isfinite(vals), vals, 0.0) @ _COEF.T
    mean, var = _moments(kind, par, pb, coef, ends, (x_first, x_last), fin, (lo, hi))
    if need_h:
        vals[2], err_h = _log_h(kind, par, pb, coef, vals, mean, ends, (x_first, x_last))
        with np.errstate(invalid="ignore"):
            coef = np.where(np.isfinite(vals), vals, 0.0) @ _COEF.T
    else:
        err_h = 0.0
    with np.errstate(invalid="ignore"):
        top = np.max(vals, axis=2)
        pmax = np.where(np.isfinite(top), top + 1e-9 * np.abs(top) + 0.05, top)
    return LawTable(kind, par, pb, vals, pmax, side, ends, np.array([x_first, x_last]), mean, var, err,
                    float(par[1]), err_h, np.ascontiguousarray(coef))


# ----------------------------------------------------------------------------- moments and h
_GL_X, _GL_W = np.polynomial.legendre.leggauss(12)
_GL6_X, _GL6_W = np.polynomial.legendre.leggauss(6)


def _integrals(kind, par, pb, coef, center, rule):
    from . import _bon_outer as bo
    out = np.empty(((pb.size - 1) * D, 3))
    bo.table_integrals(kind, par, pb, coef, float(center), rule[0], rule[1], out)
    return out


def _moments(kind, par, pb, coef, ends, xends, fin, support):
    """The mean over the table (Gauss-Legendre between Chebyshev points, about the median), with
    the masses beyond the ends placed at the ends of the support (finite ends) or of the table."""
    c = float(par[0])
    parts = _integrals(kind, par, pb, coef, c, (_GL_X, _GL_W))
    with np.errstate(all="ignore"):
        at_m = np.exp(np.asarray(ends, float))
        at_x = np.array([support[0] if fin[0] else xends[0], support[1] if fin[1] else xends[1]])
        ok = at_m > 0
        tot = float(np.sum(parts[:, 0]) + np.sum(at_m[ok]))
        mean = c + float((np.sum(parts[:, 1]) - np.sum(parts[:, 2]) + np.sum(at_m[ok] * (at_x[ok] - c))) / tot)
    if not math.isfinite(mean):
        raise Unsupported("mean over the table not finite")
    return mean, math.nan


def _log_h(kind, par, pb, coef, vals, mean, ends, xends):
    """log h at every Chebyshev point, and a relative error estimate: ∫ (w - mean) f(w) dw
    accumulated from the right end of the table down to the points at or above the mean, and
    ∫ (mean - w) f(w) dw from the left end up to those below it (positive integrands, relative
    accuracy); Gauss-Legendre (12 and 6 points, their difference the error) on parts of the
    intervals between consecutive Chebyshev points across which log f changes by at most 2."""
    n = pb.size - 1
    sums = []
    for rule in ((_GL_X, _GL_W), (_GL6_X, _GL6_W)):
        parts = _integrals(kind, par, pb, coef, mean, rule)
        sums.append((parts[:, 1], parts[:, 2]))
    t = np.stack([NODES[:-1], NODES[1:]], axis=1)
    a = (0.5 * (pb[:-1, None] + pb[1:, None]) + 0.5 * (pb[1:, None] - pb[:-1, None]) * t[None, :, 0]).ravel()
    b = (0.5 * (pb[:-1, None] + pb[1:, None]) + 0.5 * (pb[1:, None] - pb[:-1, None]) * t[None, :, 1]).ravel()
    xr, xl = xends[1], xends[0]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        mrl_r = math.exp(ends[1] - vals[0, -1, -1]) if math.isfinite(ends[1]) else 0.0
        mrl_l = math.exp(ends[0] - vals[0, 0, 0]) if math.isfinite(ends[0]) else 0.0
        tail_r = math.exp(ends[1]) * (abs(xr - mean) + mrl_r) if math.isfinite(ends[1]) else 0.0
        tail_l = math.exp(ends[0]) * (abs(xl - mean) + mrl_l) if math.isfinite(ends[0]) else 0.0
    tail_r = tail_r if math.isfinite(tail_r) else 0.0
    tail_l = tail_l if math.isfinite(tail_l) else 0.0
    pts = np.concatenate([a, b[-1:]])
    px, _, _ = offsets(kind, par, pts)
    hs = []
    for up, dn in sums:
        cum_r = tail_r + np.concatenate([np.cumsum(up[::-1])[::-1], [0.0]])
        cum_l = tail_l + np.concatenate([[0.0], np.cumsum(dn)])
        hs.append(np.where(px >= mean, cum_r, cum_l))
    with np.errstate(divide="ignore", invalid="ignore"):
        lh = np.log(hs[0])
        rel = np.abs(hs[0] - hs[1]) / hs[0]
    idx = np.arange(n)[:, None] * D + np.arange(D + 1)[None, :]
    relevant = lh > -400.0
    err = float(np.max(rel[relevant])) if np.any(relevant) else 0.0
    return lh[idx], err


def evaluate(tab: LawTable, row: int, x) -> np.ndarray:
    """Row ``row`` (0 log f, 1 log F on the left panels / log F̄ on the right, 2 log h) of the
    table at points x inside it (numpy; NaN outside)."""
    xi = np.atleast_1d(xi_of(tab.kind, tab.par, x)).astype(float)
    k = np.searchsorted(tab.pb, xi, side="right") - 1
    inside = (k >= 0) & (k < tab.panels) | (xi == tab.pb[-1])
    k = np.clip(k, 0, tab.panels - 1)
    a, b = tab.pb[k], tab.pb[k + 1]
    t = np.clip((2 * xi - a - b) / (b - a), -1.0, 1.0)
    c = tab.coef[row, k]
    b1 = np.zeros(t.shape)
    b2 = np.zeros(t.shape)
    for j in range(D, 0, -1):
        b1, b2 = 2 * t * b1 - b2 + c[:, j], b1
    val = t * b1 - b2 + c[:, 0]
    return np.where(inside, val, np.nan)
