"""The law of U = V + X as a table, and best-of-N from it (private; public face in
:mod:`goodhart.best_of_n`).

Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, appendix "bon_synthetic"): draw n iid (V_i, X_i),
keep the pair with the largest U_i = V_i + X_i.  With w_n(u) = n F_U(u)^(n-1) (the density ratio
of the kept U), E[V_sel] = E[V w_n(U)], and since E[w_n(U)] = 1,

    E[V_sel] - E[V] = Cov(V, w_n(U)) = ∫ w_n'(y) K(y) dy,    K(y) = Cov(V, 1{U >= y}) >= 0,

(write w_n(U) = ∫_{y <= U} w_n'(y) dy and exchange).  K(y) = ∫ h(v) f_X(y - v) dv with
h(v) = E[(V - E V) 1{V > v}] (v >= E V), E[(E V - V) 1{V < v}] (v < E V), h >= 0 (integrate
Cov(V, F̄_X(y - V)) by parts; h / Var V is the zero-bias density of V, Goldstein & Reinert 1997).
Both factors are positive, so E[V_sel] - E[V] is computed to relative accuracy however small it
is (normal V, Levy X, n = 1e9: about 1e-18, where V + X and X agree to 18 digits and a
difference of conditional means would keep none).  In the variables s = log F̄_U(y) (upper half)
and r = log F_U(y) (lower half):

    E[V_sel] - E[V] = ∫ K n (n-1) (1 - e^s)^(n-2) e^s ds + ∫ K n (n-1) e^((n-1) r) dr,
    E[U_sel]        = ∫ y n (1 - e^s)^(n-1) e^s ds + ∫ y n e^(n r) dr,

whose weights are bumps of width O(1) at s = -log n (a Gumbel shape) for every n, so one table of
(y, s or r, log K) serves every n up to 1e15, and real n too (the continuous extension used to
locate the utility peak by root-finding on dE/dn).

The table: log F̄_U (right of the centre), log F_U (left) and log K at the Chebyshev points of
panels in a coordinate of y (asinh or log, as for the laws, :mod:`goodhart._law_table`), each
value a convolution of the laws' tables (:func:`goodhart._bon_kernels.convolve`, relative error
about 1e-12); panels are split until the interpolants converge, and the table grows lazily when a
larger n needs a deeper tail.  For each n the integrals in s and r are Gauss-Kronrod 7/15 on panels
of width <= 1 around the bump (3 in its exponential flank), the nodes mapped to y by Newton's method
on the interpolants.  Error bound: the summed |K15 - G7|, plus the table's errors carried through
(relative error of K, and of s times |d log K / ds|), plus the weight beyond the ends of the table
times the largest K (or |y|) there.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from tailpower._common import check_memory

from . import _bon_kernels as bk
from . import _bon_outer as bo
from . import _law_table as lt
from ._law_table import D, NODES, Unsupported

_TOL_IN = 1e-10       # relative tolerance of the convolutions (the |K21 - G10| it bounds overstates the
                      # error: values agree with tolerance 1e-12 to 1e-14)
_TOL_U = 1e-10        # interpolation tolerance of the U table (absolute in log, times max(1, |log|))
_MAX_UPANELS = 400
_TOL_OUT = 1e-11       # outer integrals: summed |K15 - G7| below this of the totals
_BOTH_Y = 1e300
_CACHE_LAWS = 64

_law_cache: OrderedDict = OrderedDict()


def law_key(law):
    """(scipy name, args, kwds) of a frozen law with plain numeric parameters, else None (not
    cacheable: scipy frozen laws are compared by identity, not by value)."""
    dist = getattr(law, "dist", None)
    name = getattr(dist, "name", None)
    if name is None or not isinstance(getattr(law, "args", None), tuple):
        return None
    try:
        args = tuple(float(a) for a in law.args)
        kwds = tuple(sorted((str(k), float(v)) for k, v in law.kwds.items()))
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(a) for a in args) or not all(math.isfinite(v) for _, v in kwds):
        return None
    return (type(dist).__name__, name, args, kwds)


def law_table(law, need_h: bool) -> lt.LawTable:
    key = law_key(law)
    if key is not None and (key, need_h) in _law_cache:
        _law_cache.move_to_end((key, need_h))
        return _law_cache[(key, need_h)]
    tab = lt.build(law, need_h)
    if key is not None:
        _law_cache[(key, need_h)] = tab
        while len(_law_cache) > _CACHE_LAWS:
            _law_cache.popitem(last=False)
    return tab


def _targs(t: lt.LawTable, fin):
    return (t.kind, t.par, t.pb, t.coef, t.pmax, t.vals, t.side, t.ends, t.xends, np.asarray(fin, np.bool_))


def _fin(t: lt.LawTable):
    lo, hi = t.par[2], t.par[3]
    return (math.isfinite(lo) and t.kind in (lt.KIND_LO, lt.KIND_BOUNDED),
            math.isfinite(hi) and t.kind in (lt.KIND_HI, lt.KIND_BOUNDED))


def warm(vt, xt) -> None:
    out = np.empty((2, 5))
    bk.convolve(np.array([0.0, 1.0]), np.array([True, False]), 1e-10, *_targs(vt, _fin(vt)),
                *_targs(xt, _fin(xt)), out)


# ----------------------------------------------------------------------------- Chebyshev helpers
_DER = np.zeros((D + 1, D + 1))
for _j in range(D + 1):
    _e = np.zeros(D + 1)
    _e[_j] = 1.0
    _d = np.polynomial.chebyshev.chebder(_e)
    _DER[_j, :_d.size] = _d
_DER = _DER.T          # derivative coefficients = _DER @ coefficients


@dataclass
class _Side:
    """Panels of one half of the U table, in marching order (away from the centre)."""

    right: bool
    a: list            # panel ends in ξ (inner end, outer end)
    b: list
    ls: list           # log tail values at the nodes (log F̄ right, log F left)
    lk: list           # log K at the nodes
    err_s: list        # per panel: absolute error of the log tail values
    err_k: list
    done: bool = False  # reached the end of the support / of what can be resolved
    end_reason: str = ""

    def arrays(self):
        n = len(self.a)
        lo = np.array([min(a, b) for a, b in zip(self.a, self.b)])
        hi = np.array([max(a, b) for a, b in zip(self.a, self.b)])
        ls = np.array(self.ls).reshape(n, D + 1)
        lk = np.array(self.lk).reshape(n, D + 1)
        return lo, hi, ls, lk, np.array(self.err_s), np.array(self.err_k)


class UTable:
    """The law of U = V + X: log F̄_U / log F_U and log K on Chebyshev panels (see module doc)."""

    def __init__(self, vt: lt.LawTable, xt: lt.LawTable):
        self.vt, self.xt = vt, xt
        self._vargs = _targs(vt, _fin(vt))
        self._xargs = _targs(xt, _fin(xt))
        lo = vt.par[2] + xt.par[2] if (_fin(vt)[0] and _fin(xt)[0]) else -math.inf
        hi = vt.par[3] + xt.par[3] if (_fin(vt)[1] and _fin(xt)[1]) else math.inf
        c = vt.par[0] + xt.par[0]
        s = vt.scale + xt.scale
        if math.isfinite(lo) and math.isfinite(hi):
            kind, par = lt.KIND_BOUNDED, np.array([c, s, lo, hi])
        elif math.isfinite(lo):
            kind, par = lt.KIND_LO, np.array([c, max(c - lo, 1e-3 * s), lo, hi])
        elif math.isfinite(hi):
            kind, par = lt.KIND_HI, np.array([c, max(hi - c, 1e-3 * s), lo, hi])
        else:
            kind, par = lt.KIND_BOTH, np.array([c, s, lo, hi])
        if not lo < c < hi:
            raise Unsupported("centre of U outside its support")
        self.kind, self.par = kind, par
        self.lo, self.hi = lo, hi
        self.xi_c = float(lt.xi_of(kind, par, c))
        width = (hi - lo) if math.isfinite(hi - lo) else s
        self.xi_hi = (float(lt.xi_of(kind, par, hi - lt._cut_offset(hi, width))) if math.isfinite(hi)
                      else float(lt.xi_of(kind, par, _BOTH_Y)))
        self.xi_lo = (float(lt.xi_of(kind, par, lo + lt._cut_offset(lo, width))) if math.isfinite(lo)
                      else float(lt.xi_of(kind, par, -_BOTH_Y)))
        self.up = _Side(True, [], [], [], [], [], [])
        self.dn = _Side(False, [], [], [], [], [], [])
        self.evaluations = 0
        self._cache = None

    # ------------------------------------------------------------------ building
    def _values(self, xis: np.ndarray, right: bool):
        ys = lt.offsets(self.kind, self.par, xis)[0]
        out = np.empty((ys.size, 5))
        bk.convolve(ys, np.full(ys.size, right), _TOL_IN, *self._vargs, *self._xargs, out)
        self.evaluations += ys.size
        out[:, 2:4] += self.floor(out[:, :2])
        return out

    def floor(self, logs: np.ndarray) -> np.ndarray:
        """The laws' tables' own interpolation errors (relative to max(1, |log value|) there) carried
        into the convolutions: a relative error of about that times the size of the integrands' logs
        (the integral's log plus 50 for the range its integrand spans), and h's own error for K."""
        e = self.vt.err + self.xt.err
        with np.errstate(invalid="ignore"):
            size = np.where(np.isfinite(logs), np.abs(logs), 0.0) + 50.0
        fl = e * size
        fl[:, 1] += self.vt.err_h
        return fl

    def _extend(self, side: _Side, target: float) -> None:
        """March ``side`` outwards until its log tail is below ``target`` (or it cannot go on)."""
        direction = 1 if side.right else -1
        stop = self.xi_hi if side.right else self.xi_lo
        a = side.b[-1] if side.a else self.xi_c
        w = getattr(side, "_w", 1.0)
        while not side.done:
            if side.ls and side.ls[-1][-1 if side.right else 0] < target:
                break
            if len(self.up.a) + len(self.dn.a) >= _MAX_UPANELS:
                side.done, side.end_reason = True, "panel cap"
                break
            if direction * (stop - a) <= 1e-12:
                side.done, side.end_reason = True, "end of support"
                break
            b = a + direction * w
            if direction * (b - stop) > 0:
                b = stop
            lo_, hi_ = min(a, b), max(a, b)
            xis = 0.5 * (lo_ + hi_) + 0.5 * (hi_ - lo_) * NODES
            out = self._values(xis, side.right)
            ls, lk = out[:, 0], out[:, 1]
            ok = np.all(np.isfinite(ls)) and np.all(np.isfinite(lk)) and np.all(ls <= 1e-12)
            rho = math.inf
            if ok:
                vals = np.vstack([ls, lk])
                c = vals @ lt._COEF.T
                ierr = np.max(np.abs(c[:, -3:]), axis=1)
                scale = np.maximum(1.0, np.max(np.abs(vals), axis=1))
                inner = np.max(out[:, 2:4], axis=0)
                rho = float(np.max(ierr / (_TOL_U * scale)))      # <= 1: converged
                ok = bool(rho <= 1.0 and np.all(inner <= 1e-9))
            if not ok:
                if abs(b - a) <= lt.MIN_WIDTH * max(1.0, abs(a)):
                    side.done, side.end_reason = True, "not resolved"
                    break
                # the last coefficients scale like width^D: aim at a quarter of the tolerance
                w *= min(0.7, max(0.2, 0.8 * rho ** (-1.0 / D))) if math.isfinite(rho) else 0.5
                continue
            inner = np.max(out[:, 2:4], axis=0)
            side.a.append(a)
            side.b.append(b)
            side.ls.append(np.minimum(ls, 0.0))
            side.lk.append(lk)
            side.err_s.append(float(ierr[0] + inner[0]))
            side.err_k.append(float(ierr[1] + inner[1]))
            a = b
            w = min(w * min(4.0, max(1.0, 0.8 * max(rho, 1e-30) ** (-1.0 / D))), 256.0)
        side._w = w
        self._cache = None

    def ensure(self, s_min: float, r_min: float) -> None:
        check_memory("n", 8.0 * 4 * (D + 1) * _MAX_UPANELS, "the best-of-N table")
        self._extend(self.up, s_min)
        self._extend(self.dn, r_min)

    # ------------------------------------------------------------------ interpolants
    def _prep(self):
        if self._cache is None:
            sides = {}
            for side in (self.up, self.dn):
                lo, hi, ls, lk, es, ek = side.arrays()
                if side.right:
                    order = np.arange(lo.size)
                else:
                    order = np.arange(lo.size)[::-1]
                cs = ls @ lt._COEF.T
                ck = lk @ lt._COEF.T
                sides[side.right] = dict(lo=lo, hi=hi, cs=cs, ck=ck, dcs=cs @ _DER.T, dck=ck @ _DER.T,
                                         es=es, ek=ek, ls=ls, lk=lk, order=order,
                                         outer=ls[:, -1] if side.right else ls[:, 0],
                                         inner=ls[:, 0] if side.right else ls[:, -1])
            self._cache = sides
        return self._cache

    def reach(self, right: bool) -> float:
        """The deepest log tail the table covers on that side."""
        side = self.up if right else self.dn
        if not side.ls:
            return 0.0
        return float(side.ls[-1][-1 if right else 0])

    def centre_tail(self, right: bool) -> float:
        side = self.up if right else self.dn
        return float(side.ls[0][0 if right else -1])


# ----------------------------------------------------------------------------- outer integrals


def _panels(lo: float, hi: float, peak: float, fine: float, coarse: float) -> np.ndarray:
    """Panel ends covering [lo, hi]: width ``fine`` within 3 of ``peak`` and above, ``coarse``
    below it."""
    if not hi > lo:
        return np.array([])
    cut = min(max(peak - 3.0, lo), hi)
    left = np.linspace(lo, cut, max(1, int(math.ceil((cut - lo) / coarse))) + 1) if cut > lo else np.array([lo])
    right = np.linspace(cut, hi, max(1, int(math.ceil((hi - cut) / fine))) + 1)
    return np.unique(np.concatenate([left, right]))


@dataclass(frozen=True)
class Moments:
    """E[V_sel] - E[V] (``dv``), E[U_sel] (``eu``) for one n, their error bounds, and d(dv)/dn."""

    dv: float
    dv_err: float
    eu: float
    eu_err: float
    ddv: float
    ddv_err: float


def moments(tab: UTable, n: float, tail: float, width: float, derivative: bool = False) -> Moments:
    """Both halves of the integrals for one (real) n > 1 (see the module docstring)."""
    ln, ln1 = math.log(n), math.log(n - 1.0)
    acc = np.zeros(6)
    part = np.empty(6)
    kmax = -math.inf
    for right in (True, False):
        side = tab.up if right else tab.dn
        if not side.ls:
            continue
        p = tab._prep()[right]
        t0 = float(p["inner"][0])                   # log tail at the centre (s0 or r0)
        reach = float(p["outer"][-1])
        kmax = max(kmax, float(np.max(p["lk"])))
        if right:
            lo = max(reach, -ln - tail - 2.0)
            hi = min(t0, math.log(tail + 60.0) - ln)
            ends = _panels(lo, hi, -ln, width, 3.0 * width)
        else:
            lo = max(reach, t0 - (tail + 5.0) / (n - 1.0))
            hi = t0
            fine = min(width, 2.0 / (n - 1.0))
            ends = _panels(lo, hi, hi, fine, fine)
        if ends.size >= 2:
            bo.outer_side(float(n), right, ends[:-1], ends[1:], p["lo"], p["hi"], p["outer"], p["inner"], p["cs"],
                          p["dcs"], p["ck"], p["dck"], p["es"], p["ek"], tab.kind, tab.par, _TOL_OUT, part)
            acc += part
        # the weight beyond the panels: below ``lo`` (the deep tail) and, on the right, above ``hi``
        deep_lk = float(np.max(p["lk"][-1]))        # K over the deepest panel (K decreases beyond)
        if side.done and side.end_reason != "end of support":
            # the table stopped early: only K <= E[(V - E V)^+] = max h is known beyond it
            deep_lk = max(deep_lk, float(np.max(tab.vt.pmax[2])))
        deep_y = float(lt.offsets(tab.kind, tab.par, np.array([p["hi"][-1] if right else p["lo"][-1]]))[0][0])
        deep_d, deep_alpha = _deep_tail(p, tab, right)
        if lo > reach:
            # the weight is cut at ``lo`` inside the table: K and y there (K decreases beyond)
            pt = np.empty(2)
            bo.invert_point(lo, right, p["lo"], p["hi"], p["outer"], p["inner"], p["cs"], p["dcs"], p["ck"],
                            p["dck"], tab.kind, tab.par, pt)
            y_lo, lk_lo = float(pt[0]), float(pt[1])
            deep_lk = max(lk_lo, deep_lk) if side.done and side.end_reason != "end of support" else lk_lo
            deep_y, deep_d = y_lo, abs(y_lo - float(tab.par[0]))
        if right:
            w_dv = math.exp(ln + ln1 + lo)                      # ∫_{-inf}^{lo} n(n-1) e^s ds
            w_eu = math.exp(ln + lo)
            top = math.exp(ln + (n - 1.0) * math.log1p(-math.exp(hi))) if hi < t0 else 0.0
        else:
            w_dv = math.exp(ln + (n - 1.0) * lo)
            w_eu = math.exp(n * lo)
            top = 0.0
        acc[1] += 2.0 * w_dv * math.exp(deep_lk) + top * math.exp(kmax)
        if w_eu > 0:
            end = tab.hi if right else tab.lo
            # beyond the table: within a finite end of U's support, else a power-law tail bound
            acc[3] += w_eu * (max(abs(end), abs(deep_y)) if math.isfinite(end)
                              else _tail_lever(deep_d, deep_alpha, float(tab.par[0])))
        acc[3] += top * (abs(tab.par[0]) + 10.0 * tab.par[1])
        if derivative:
            acc[5] += (2.0 * w_dv * math.exp(deep_lk) + top * math.exp(kmax)) * (2.0 + abs(lo) + ln)
    return Moments(acc[0], acc[1], acc[2], acc[3], acc[4], acc[5])


def _deep_tail(p, tab, right) -> tuple[float, float]:
    """(distance d of the table's deep end from the centre of U, tail index α of the last panel):
    α = -Δ log tail / Δ log d between the ends of the deepest panel (a power-law tail has a
    constant α, an exponential one a large and growing α)."""
    k = -1
    xa, xb = (p["lo"][k], p["hi"][k]) if right else (p["hi"][k], p["lo"][k])     # inner, outer
    ya, yb = (float(v) for v in lt.offsets(tab.kind, tab.par, np.array([xa, xb]))[0])
    c = float(tab.par[0])
    da, db = abs(ya - c), abs(yb - c)
    ta, tb = float(p["inner"][k]), float(p["outer"][k])
    with np.errstate(all="ignore"):
        alpha = (ta - tb) / math.log(db / da) if db > da > 0 else math.inf
    return db, alpha if math.isfinite(alpha) and alpha > 0 else math.inf


def _tail_lever(d: float, alpha: float, c: float) -> float:
    """A bound on |y| averaged over the law of U beyond the deep end, per unit of its mass:
    |c| + 2 d α/(α - 1) for a tail of index α (d: the end's distance from the centre c); inf when
    α <= 1.05 (the mean may not exist)."""
    if alpha <= 1.05:
        return math.inf
    return abs(c) + 2.0 * d * (alpha / (alpha - 1.0) if math.isfinite(alpha) else 1.0)
