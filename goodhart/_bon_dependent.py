"""Best-of-N with a dependent error (private; public face :func:`goodhart.best_of_n` with a
:class:`~goodhart.Dependent` model, and :func:`goodhart.best_of_n_table`).

Draw n iid pairs (V_i, X_i) with X_i | V_i = v from the model's error law, keep the pair with the
largest U_i = V_i + X_i (Kwa & Thomas, "Catastrophic Goodhart", the non-independent case).  The
kept U has density n F_U(u)^(n-1) f_U(u), so with m(u) = E[V | U = u]

    E[V_sel] = ∫ m(u) n F_U(u)^(n-1) f_U(u) du,     E[U_sel] = ∫ u n F_U(u)^(n-1) f_U(u) du,

and for real n (the continuous extension used to locate the peak)
dE[V_sel]/dn = ∫ (m(u) - E[V_sel]) (1/n + log F_U(u)) n F_U(u)^(n-1) f_U(u) du.

f_U, m, log F̄_U and log F_U at any u come from :class:`goodhart._bon_dependent_law.DependentLaw`
(one shared set of v-nodes, point masses in closed form).  The u-integrals are adaptive
Gauss-Kronrod 7/15 in ξ = asinh((u - c)/s) (c, s: a centre and spread of U), from where
log F_U = -(tail + 5) to where log F̄_U = -log(max n) - tail, with panel ends at the kinks that
point-mass pieces put into f_U; (n - 1) log F_U is computed from log F̄_U (log1p) in the upper half,
so n up to 1e15 loses nothing.  Panels are bisected until the Kronrod-Gauss differences are below
1e-11; the values at the nodes are cached and shared by every n.

Error bound: the summed |K15 - G7|; the errors of the v-integrals carried through
(|m| (n - 1) δ log F + |m| δ log f + δm per node); the weight beyond both ends of the range,
bounded through V's quantile function: for any event A of probability π, E[|V|; A] <=
∫_0^π max(|F_V^{-1}(s/2)|, |F_V^{-1}(1 - s/2)|) ds.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from tailpower._common import check_memory

from ._bon_common import _MAX_N, BestOfN, _check_n, _check_real, _result
from ._bon_dependent_law import DependentLaw, _q
from ._bon_dependent_mixture import NormalMixtureLaw  # noqa: F401 - the independent comparison model
from ._bon_table import _tail_lever
from ._selection_problem import make_problem, support
from ._selection_quad import _GW, _KW, _NODES
from .model import Dependent, PointMass

_ZMARGIN = 60.0          # v-nodes over |logit F_V(v)| <= tail + 60 (n <= 1e15 needs tail + 35)
_TOL = 1e-11
_MAX_YPANELS = 1500
_ROUNDS = 64            # bisections of a panel (a bump next to a finite end of U: width ~1/n)
_CACHE = 16


@dataclass(frozen=True)
class _Sums:
    ev: float
    ev_err: float
    eu: float
    eu_err: float
    de: float
    de_err: float
    mass: float


def _abs_tail(V, logpi: float) -> float:
    """A bound on E[|V|; A] over events A with P(A) <= e^logpi (see the module docstring)."""
    if logpi == -math.inf:
        return 0.0
    logpi = min(logpi, 0.0)
    ks = np.arange(0, 61)
    ls = logpi - ks                           # log s_k
    ls = np.maximum(ls, -700.0)
    s = np.exp(ls)
    with np.errstate(all="ignore"):
        m = np.maximum(np.abs(np.asarray(V.ppf(s / 2), float)), np.abs(np.asarray(V.isf(s / 2), float)))
    if not np.all(np.isfinite(m)):
        return math.inf
    # ∫_{s_{k+1}}^{s_k} M <= M(s_{k+1}) (s_k - s_{k+1}); the rest below s_60 (e^-60 of π) at 10 M(s_60)
    total = float(np.sum(m[1:] * (s[:-1] - s[1:])) + 10.0 * m[-1] * s[-1])
    return total


class DependentTable:
    """Best-of-N for one :class:`~goodhart.Dependent` model from one cached table of the law of
    U = V + X (the counterpart of :class:`goodhart.BestOfNTable` for a dependent error; see
    :mod:`goodhart._bon_dependent`).

    Parameters
    ----------
    model : Dependent
        V (finite mean) and the conditional error law, scalar or vectorised mode (point masses in
        scalar mode).
    tail : float
        Truncation, in [5, 60]: u runs from log F_U = -(tail + 5) to log F̄_U = -log(max n) - tail;
        the weight beyond is bounded and added to the error.
    resolution : float
        In (0, 2]: the starting panels are 4 * resolution wide in ξ (they are refined until the
        error estimate is met).
    """

    def __init__(self, model, *, tail: float = 38.0, resolution: float = 0.25):
        if not isinstance(model, Dependent):
            raise TypeError(f"model: expected a goodhart.Dependent model, got {type(model).__name__}")
        self._prob = make_problem(model, None)
        self._prob.require_fast("Monte Carlo (method='mc') needs only draws.")
        tail = _check_real("tail", tail, 5.0, 60.0, False)
        resolution = _check_real("resolution", resolution, 0.0, 2.0, True)
        law = DependentLaw(model, tail + _ZMARGIN)
        med = float(_q(model.V, np.array([0.0]))[0])
        err = model.error_at(med)
        with np.errstate(all="ignore"):
            iqr_v = float(model.V.ppf(0.75) - model.V.ppf(0.25))
            if isinstance(err, PointMass):
                xm, iqr_x = err.value, 0.0
            else:
                xm, iqr_x = float(err.ppf(0.5)), float(err.ppf(0.75) - err.ppf(0.25))
        c = med + (xm if math.isfinite(xm) else 0.0)
        s = (iqr_v if math.isfinite(iqr_v) else 0.0) + (iqr_x if math.isfinite(iqr_x) else 0.0)
        kinks = [cc + e for cc, lo, hi in law.pm for e in (lo, hi) if math.isfinite(cc + e)]
        self._setup(model, model.V, law, c, s, kinks, tail, resolution)

    @classmethod
    def from_law(cls, law, V, centre: float, spread: float, kinks=(), *, tail: float = 38.0,
                 resolution: float = 0.25) -> "DependentTable":
        """A table for any object with ``evaluate(ys, refine)`` returning the dictionary of
        :meth:`goodhart._bon_dependent_law.DependentLaw.evaluate` (e.g. :class:`NormalMixtureLaw`)."""
        tab = cls.__new__(cls)
        tab._setup(None, V, law, float(centre), float(spread), list(kinks), float(tail), float(resolution))
        return tab

    def _setup(self, model, V, law, c, s, kinks, tail, resolution) -> None:
        self.model, self.V, self._law = model, V, law
        self.tail, self.resolution = tail, resolution
        with np.errstate(all="ignore"):
            self._ev = float(V.mean())
        self._vals: dict = {}
        self._ends: dict = {}      # ξ -> (log F̄_U, log F_U) at panel ends
        self._range: dict = {}
        self._c = c
        self._s = s if s > 0 else max(abs(c), 1.0)
        law.centre = c
        self._kinks = sorted(kinks)

    algorithm = "dependent"

    # ------------------------------------------------------------------ the law of U at nodes
    def _y(self, xi):
        return self._c + self._s * np.sinh(xi)

    def _xi(self, y: float) -> float:
        return math.asinh((y - self._c) / self._s)

    def _values(self, panels) -> None:
        """Evaluate the law of U at the 15 nodes of every panel not yet cached."""
        todo = [p for p in panels if p not in self._vals]
        if not todo:
            return
        a = np.array([p[0] for p in todo])
        b = np.array([p[1] for p in todo])
        half = 0.5 * (b - a)
        xi = 0.5 * (a + b)[:, None] + half[:, None] * _NODES[None, :]
        y = self._y(xi)
        ends = np.unique(np.concatenate([a, b]))
        ends = ends[[e not in self._ends for e in ends]]
        r = self._law.evaluate(np.concatenate([y.ravel(), self._y(ends)]))
        m = y.size
        for e, ls, lc in zip(ends, r["lsf"][m:], r["lcdf"][m:]):
            self._ends[float(e)] = (float(ls), float(lc))
        ldy = np.log(self._s * np.cosh(xi)) + np.log(half)[:, None]
        for i, p in enumerate(todo):
            sl = slice(15 * i, 15 * i + 15)
            self._vals[p] = dict(y=y[i], ldy=ldy[i], **{k: v[sl] for k, v in r.items()})

    def _edge(self, right: bool, target: float) -> float:
        """ξ where log F̄_U (right) or log F_U (left) first falls to ``target`` or below, on the
        doubling grid c ± s (2^k - 1)."""
        key = (right, target)
        if key in self._range:
            return self._range[key]
        k = np.arange(0, 1024, dtype=float)
        with np.errstate(over="ignore"):
            y = self._c + (1 if right else -1) * self._s * (2.0 ** k - 1.0)
        y = y[np.isfinite(y)]
        for start in range(0, y.size, 32):
            r = self._law.evaluate(y[start:start + 32], refine=False)
            lt = r["lsf"] if right else r["lcdf"]
            hit = np.nonzero(lt <= target)[0]
            if hit.size:
                self._range[key] = self._xi(float(y[start + hit[0]]))
                return self._range[key]
        raise ValueError(f"model: the {'upper' if right else 'lower'} tail of U = V + X is too heavy to "
                         f"reach log P = {target:.4g} within the range of doubles")

    # ------------------------------------------------------------------ integrals for one n
    def _sums(self, n: float, lo: float, hi: float, derivative: bool) -> _Sums:
        ends = np.arange(lo, hi, 4.0 * self.resolution)
        ends = np.unique(np.concatenate([ends, [hi], [self._xi(k) for k in self._kinks if lo < self._xi(k) < hi]]))
        panels = [(float(ends[i]), float(ends[i + 1])) for i in range(ends.size - 1)]
        ln = math.log(n)
        done: list = []
        for rnd in range(_ROUNDS):
            self._values(panels)
            res = [self._panel(self._vals[p], n, ln, self._mass(p, n)) for p in panels]
            scale = abs(self._ev) + sum(abs(r[0][1]) for r in res + done) + 1e-300
            # refine where the quadrature error is above the tolerance and above the error the
            # v-integrals carry into the panel (which no refinement in u can remove)
            bad = [i for i, r in enumerate(res)
                   if (r[2][0] > _TOL and r[2][0] > 0.1 * (r[1][0] - r[2][0]))
                   or (r[2][1] > _TOL * scale and r[2][1] > 0.1 * (r[1][1] - r[2][1]))]
            keep = [r for i, r in enumerate(res) if i not in bad]
            done += keep
            if not bad or len(done) + 2 * len(bad) > _MAX_YPANELS or rnd == _ROUNDS - 1:
                done += [res[i] for i in bad]      # unresolved: their errors are in the bound
                break
            panels = [q for i in bad for q in ((panels[i][0], 0.5 * sum(panels[i])), (0.5 * sum(panels[i]), panels[i][1]))
                      if q[1] > q[0]]
        tot = np.sum([r[0] for r in done], axis=0)
        err = np.sum([r[1] for r in done], axis=0)
        i0, i1, i2, i3a, i3b = tot
        ev = i1
        de = i3a - ev * i3b
        # weight beyond the range
        key = ("ends", lo, hi)
        if key not in self._range:
            rlo = self._law.evaluate(self._y(np.array([lo])), refine=False)
            rhi = self._law.evaluate(self._y(np.array([hi])), refine=False)
            self._range[key] = (float(rlo["lcdf"][0]), float(rhi["lsf"][0]),
                                self._lever(lo, False), self._lever(hi, True))
        lf_lo, ls_hi, lev_lo, lev_hi = self._range[key]
        w_lo = math.exp(ln + (n - 1.0) * lf_lo) if lf_lo > -math.inf else 0.0
        t_lo = w_lo * _abs_tail(self.V, lf_lo)
        t_hi = n * _abs_tail(self.V, ls_hi)
        tu = w_lo * math.exp(lf_lo) * lev_lo + (n * math.exp(ls_hi) * lev_hi if ls_hi > -math.inf else 0.0)
        tu = tu if math.isfinite(tu) else math.inf
        ev_err = err[1] + t_lo + t_hi + 4e-16 * abs(ev)
        eu_err = err[2] + tu + 4e-16 * abs(i2)
        lever = 1.0 / n + (abs(lf_lo) if math.isfinite(lf_lo) else 0.0) + ln + self.tail + 5.0
        de_err = err[3] + abs(ev) * err[4] + (t_lo + t_hi) * lever \
            + ev_err * abs(i3b)
        return _Sums(ev, ev_err, i2, eu_err, de, de_err, i0)

    def _lever(self, xi: float, right: bool) -> float:
        """|u| averaged over U beyond ξ, per unit of its mass (a power-law tail bound, as for the
        independent table); 0 at a finite end."""
        y1 = float(self._y(xi))
        y0 = float(self._y(xi - (1.0 if right else -1.0)))
        r = self._law.evaluate(np.array([y0, y1]), refine=False)
        lt = r["lsf"] if right else r["lcdf"]
        if lt[1] == -math.inf:
            return 0.0
        d0, d1 = abs(y0 - self._c), abs(y1 - self._c)
        with np.errstate(all="ignore"):
            alpha = (lt[0] - lt[1]) / math.log(d1 / d0) if d1 > d0 > 0 else math.inf
        alpha = alpha if math.isfinite(alpha) and alpha > 0 else math.inf
        return _tail_lever(d1, alpha, self._c)

    def _mass(self, p, n: float) -> float:
        """P(a < U_sel <= b) = F_U(b)^n - F_U(a)^n for the panel p = (a, b) in ξ, from the tails at
        its ends (exact: no density), to check the quadrature of the weight against."""
        def logF(xi):
            ls, lc = self._ends[xi]
            return lc if lc < -0.6931471805599453 else math.log1p(-math.exp(ls))
        la, lb = n * logF(p[0]), n * logF(p[1])
        if lb == -math.inf:
            return 0.0
        return math.exp(lb) * -math.expm1(min(la - lb, 0.0))

    def _panel(self, v: dict, n: float, ln: float, mass: float):
        """(Kronrod sums, |Kronrod - Gauss| + carried errors, |Kronrod - Gauss|) of (∫ω, ∫mω, ∫uω, ∫mω(1/n + log F),
        ∫ω(1/n + log F)) over one panel."""
        lsf, lcdf = v["lsf"], v["lcdf"]
        with np.errstate(all="ignore"):
            upper = lcdf > -0.6931471805599453
            logF = np.where(upper, np.log1p(-np.exp(lsf)), lcdf)
            dlogF = np.where(upper, np.exp(lsf - logF) * v["esf"], v["ecdf"])
            lw = ln + (n - 1.0) * logF + v["lpdf"] + v["ldy"]
            w = np.where(np.isfinite(lw), np.exp(lw), 0.0)
        m, y = v["mean"], v["y"]
        g = 1.0 / n + logF
        g = np.where(np.isfinite(g), g, 0.0)
        f = np.vstack([w, w * m, w * y, w * m * g, w * g])
        k = f @ _KW
        gg = f @ _GW
        rel = (n - 1.0) * dlogF + v["epdf"]
        carried = np.array([np.sum(_KW * w * rel),
                            np.sum(_KW * w * (np.abs(m) * rel + v["emean"])),
                            np.sum(_KW * w * np.abs(y) * rel),
                            np.sum(_KW * w * np.abs(g) * (np.abs(m) * rel + v["emean"])),
                            np.sum(_KW * w * np.abs(g) * rel)])
        # the weight's quadrature against the exact mass of the panel: a bump missed by the nodes
        # (a narrow one next to a finite end of U) shows here; it is charged at the largest |m|, |u|
        miss = abs(k[0] - mass)
        big = np.array([1.0, np.max(np.abs(m)), np.max(np.abs(y)), np.max(np.abs(m * g)), np.max(np.abs(g))])
        quad = np.abs(k - gg)
        quad[0] = max(quad[0], miss)
        return k, quad + carried + miss * big, quad

    def _moments(self, ns: np.ndarray, derivative: bool = False) -> np.ndarray:
        """(E[V_sel], E[U_sel], bound V, bound U, dE/dn, its bound) for each n > 1."""
        nmax = float(ns.max())
        hi = self._edge(True, -math.log(nmax) - self.tail)
        lo = self._edge(False, -(self.tail + 5.0))
        check_memory("n", 64.0 * ns.size, f"best-of-N at {ns.size} values of n")
        out = np.empty((ns.size, 6))
        for i, n in enumerate(ns):
            s = self._sums(float(n), lo, hi, derivative)
            out[i] = (s.ev, s.eu, s.ev_err, s.eu_err, s.de, s.de_err)
        return out

    # ------------------------------------------------------------------ public
    def curve(self, n) -> BestOfN:
        """E[V_sel], E[X_sel], E[U_sel] with error bounds for every ``n``.

        Parameters
        ----------
        n : float or array_like
            Numbers of draws, 1 <= n <= 1e15 (at most 10,000 values); real n use the continuous
            extension E[V n F_U(U)^(n-1)].

        Returns
        -------
        BestOfN
            ``method`` "quad", ``algorithm`` "dependent"; n = 1 gives E[V] exactly.

        Raises
        ------
        ValueError
            ``n`` outside [1, 1e15]; the error law's functions NaN or its density infinite (named
            ``error``); more than 5e7 evaluations of the error law needed (named ``error``: a
            density with jumps or singularities, or tails the shared v-nodes cannot follow).
        TypeError
            ``n`` not a number.

        Examples
        --------
        >>> from scipy import stats
        >>> import goodhart as gh
        >>> wide, zero = stats.norm(0, 2), gh.point_mass(0.0)
        >>> model = gh.Dependent(stats.norm(), lambda v: wide if abs(v) <= 1 else zero)
        >>> gh.best_of_n_table(model).curve([2, 84.06]).utility.round(4).tolist()
        [0.33, 0.3344]
        """
        n_arr, scalar = _check_n(n, integer=False)
        integer = bool(np.all(n_arr == np.floor(n_arr)))
        return self._curve(n_arr, scalar, integer)

    def _curve(self, n_arr, scalar, integer: bool) -> BestOfN:
        uniq = np.unique(n_arr)
        big = uniq[uniq > 1]
        vals = {}
        if big.size:
            res = self._moments(big)
            vals = {float(k): r for k, r in zip(big, res)}
        rows = []
        for ni in n_arr.flat:
            if ni == 1:
                rows.append(self._n1())
            else:
                r = vals[float(ni)]
                rows.append((r[0], r[1], r[2], r[3]))
        util, prox, uerr, perr = (np.array(c, float) for c in zip(*rows))
        # E[V_sel] lies in V's support: an estimate outside it is moved in, and its bound is at most
        # the support's width (next to a finite end of U at n ~ 1e15 the weight is narrower than
        # double precision resolves, and the bound is loose)
        lo, hi = support(self.V)
        util = np.clip(util, lo, hi)
        if math.isfinite(hi - lo):
            uerr = np.minimum(uerr, hi - lo)
        return _result(self.V, None, n_arr, scalar, util, prox, uerr, perr, None, None, "quad", 0,
                       "dependent", integer=integer, inf=np.zeros(n_arr.size))

    def _n1(self):
        """n = 1: E[V] exactly; E[U] = E[V] + E[X] from the n = 1 integral of u f_U."""
        if "n1" not in self._range:
            lo = self._edge(False, -(self.tail + 5.0))
            hi = self._edge(True, -self.tail)
            s = self._sums(1.0, lo, hi, False)
            self._range["n1"] = (s.eu, s.eu_err)
        eu, eu_err = self._range["n1"]
        return (self._ev, eu, 0.0, eu_err)

    def peak(self, n_max: float = 1e12):
        """The n in [1, ``n_max``] maximising E[V_sel] on the continuous extension: Brent's method
        on dE/dn between the sign changes on a log grid of 41 points (as
        :meth:`goodhart.BestOfNTable.peak`); the largest of the local maxima and the end n_max.

        Parameters
        ----------
        n_max : float
            Upper end of the search, in [2, 1e15].

        Returns
        -------
        BestOfNPeak
            ``interior`` False when E is largest at ``n_max`` (then ``n`` = n_max); every local
            extremum is listed by :meth:`extrema`.

        Raises
        ------
        ValueError, TypeError
            ``n_max`` outside [2, 1e15] or not a number; as :meth:`curve`.

        Examples
        --------
        >>> from scipy import stats
        >>> import goodhart as gh
        >>> wide, zero = stats.norm(0, 2), gh.point_mass(0.0)
        >>> model = gh.Dependent(stats.norm(), lambda v: wide if abs(v) <= 1 else zero)
        >>> p = gh.best_of_n_table(model).peak(n_max=1000)
        >>> round(p.n, 3), round(p.utility, 4), p.interior
        (6.211, 0.6141, True)
        """
        from .bon_table import BestOfNPeak

        n_max = _check_real("n_max", n_max, 2.0, _MAX_N, False)
        grid = np.exp(np.linspace(math.log(1.05), math.log(n_max), 41))
        grid[-1] = n_max
        res = self._moments(grid, derivative=True)
        g = res[:, 4]
        cands = []
        for i in range(grid.size - 1):
            if g[i] > 0 >= g[i + 1]:
                f = lambda ln: self._moments(np.array([math.exp(ln)]), True)[0, 4]  # noqa: E731
                root = optimize.brentq(f, math.log(grid[i]), math.log(grid[i + 1]), xtol=1e-10, rtol=1e-12)
                cands.append(math.exp(root))
        best_n, best, best_err, best_d, interior = 1.0, self._ev, 0.0, 0.0, False
        for c in cands + [float(grid[-1])]:
            m = self._moments(np.array([c]), True)[0]
            if m[0] > best:
                best_n, best, best_err, best_d = c, m[0], m[2], m[5]
                interior = bool(c != grid[-1])
        n_err = 0.0
        if interior:
            h = 1e-3 * best_n
            d2 = (self._moments(np.array([best_n + h]), True)[0, 4]
                  - self._moments(np.array([best_n - h]), True)[0, 4]) / (2 * h)
            n_err = abs(best_d / d2) if d2 != 0 else math.inf
        lo_i, hi_i = max(1, math.floor(best_n)), math.ceil(best_n)
        ints = self.curve(np.array([lo_i, hi_i], float)) if hi_i > lo_i else None
        best_int = int(lo_i if ints is None or ints.utility[0] >= ints.utility[1] else hi_i)
        return BestOfNPeak(float(best_n), float(n_err), float(best), float(best_err), interior, n_max, best_int)

    def extrema(self, n_max: float = 1e12, points: int = 81) -> list:
        """Every local maximum and minimum of E[V_sel] in n on [1.05, ``n_max``]: the roots of
        dE/dn (Brent's method in log n) between the sign changes on a log grid of ``points``
        values, each with whether dE/dn is certain of its sign on the grid (|dE/dn| above its
        bound at every grid point).

        Returns
        -------
        list of dict
            ``{"n", "kind" ("max" or "min"), "utility", "utility_err"}`` in increasing n, and a
            final ``{"grid_signs_certain": bool, "grid": ndarray, "dE_dn": ndarray,
            "dE_dn_err": ndarray}``.
        """
        n_max = _check_real("n_max", n_max, 2.0, _MAX_N, False)
        grid = np.exp(np.linspace(math.log(1.05), math.log(n_max), int(points)))
        grid[-1] = n_max
        res = self._moments(grid, derivative=True)
        g, ge = res[:, 4], res[:, 5]
        out = []
        f = lambda ln: self._moments(np.array([math.exp(ln)]), True)[0, 4]  # noqa: E731
        for i in range(grid.size - 1):
            if (g[i] > 0) != (g[i + 1] > 0):
                root = math.exp(optimize.brentq(f, math.log(grid[i]), math.log(grid[i + 1]), xtol=1e-10, rtol=1e-12))
                m = self._moments(np.array([root]), True)[0]
                out.append({"n": root, "kind": "max" if g[i] > 0 else "min", "utility": float(m[0]),
                            "utility_err": float(m[2])})
        out.append({"grid_signs_certain": bool(np.all(np.abs(g) > ge)), "grid": grid, "dE_dn": g, "dE_dn_err": ge})
        return out


_tables: OrderedDict = OrderedDict()


def dependent_table(model, *, tail: float = 38.0, resolution: float = 0.25) -> DependentTable:
    """The :class:`DependentTable` of ``model`` from a cache of the last 16 (keyed by the model
    object, ``tail`` and ``resolution``)."""
    key = (id(model), float(tail) if isinstance(tail, (int, float)) else tail,
           float(resolution) if isinstance(resolution, (int, float)) else resolution)
    hit = _tables.get(key)
    if hit is not None and hit.model is model:
        _tables.move_to_end(key)
        return hit
    tab = DependentTable(model, tail=tail, resolution=resolution)
    _tables[key] = tab
    while len(_tables) > _CACHE:
        _tables.popitem(last=False)
    return tab
