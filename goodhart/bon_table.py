"""The best-of-N table as an object: :class:`BestOfNTable` (curves and the utility peak of one
pair (V, X)), :class:`BestOfNPeak`, and the cache :func:`best_of_n_table` (Kwa, Thomas &
Garriga-Alonso, arXiv 2407.14503, appendix "bon_synthetic"; the method is described in
:mod:`goodhart.best_of_n` and :mod:`goodhart._bon_table`)."""

from __future__ import annotations

import math
import numbers
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from tailpower._common import check_memory
from tailpower._results import ResultMixin

from . import _bon_dependent
from . import _bon_table as bt
from ._bon_common import _MAX_N, BestOfN, _check_n, _check_real, _infinite, _result
from ._bon_legacy import _MAX_TABLE, legacy_moments, legacy_table
from ._law_table import Unsupported
from ._selection_problem import make_problem
from .model import Dependent, check_distribution

__all__ = ["BestOfNPeak", "BestOfNTable", "best_of_n_table"]

_CACHE_SIZE = 32


@dataclass(frozen=True)
class BestOfNPeak(ResultMixin):
    """The n that maximises E[V_sel] on the continuous extension in n (real n >= 1), returned by
    :meth:`BestOfNTable.peak`; prints as ``n ± n_err``.

    Attributes
    ----------
    n : float
        The maximiser (a root of dE/dn), or the end of the range searched when E rises (or falls)
        all the way (``interior`` False).
    n_err : float
        Bound on the error of ``n`` (the error of dE/dn divided by its slope at the root; 0 at an
        end of the range).
    utility, utility_err : float
        E[V_sel] at ``n`` and its error bound.
    interior : bool
        Whether the maximum is inside the range searched.
    n_max : float
        Upper end of the range searched ([1, n_max]).
    best_integer : int
        The integer n (floor or ceiling of ``n``) with the larger E[V_sel].

    Examples
    --------
    >>> from scipy import stats
    >>> import goodhart as gh
    >>> p = gh.best_of_n_table(stats.norm(0, 2), stats.t(3, 0, 3 ** -0.5)).peak()
    >>> round(p.n, 2), p.best_integer, p.interior, round(p.utility, 4)
    (168.59, 169, True, 4.0914)
    >>> print(p)
    168.594079510 ± 0.000000064
    """

    _value_field = "n"
    _error_field = "n_err"

    n: float
    n_err: float
    utility: float
    utility_err: float
    interior: bool
    n_max: float
    best_integer: int


# ----------------------------------------------------------------------------- the table
class BestOfNTable:
    """Best-of-N for one pair (V, X) from one table of the law of U = V + X (Kwa, Thomas &
    Garriga-Alonso, arXiv 2407.14503, appendix "bon_synthetic"; the method is described in
    :mod:`goodhart.best_of_n`).

    Building it is cheap (nothing is evaluated until a curve is asked for); the table grows when
    a larger n needs a deeper tail and is then reused for every later curve and peak.

    Parameters
    ----------
    V, X : scipy frozen continuous distributions
        True utility (finite mean) and independent error.
    tail : float
        Truncation, in [5, 60]: the weights of n are integrated down to log F̄_U = -log n - tail
        and log F_U = -tail/(n - 1); the weight left out (about e^-tail) is added to the error.
    resolution : float
        In (0, 2]: panels of the integrals over log F̄_U are 4 * resolution wide around the peak of
        the weight of n (the error estimate checks them; smaller is slower, not needed for
        accuracy).  The legacy algorithm uses it as the step of its table.

    Raises
    ------
    ValueError, TypeError
        V or X not a continuous distribution or with invalid parameters (named V or X); ``tail``
        outside [5, 60] or ``resolution`` outside (0, 2] (named).  The methods raise as
        :meth:`curve` and :meth:`peak` say.

    Examples
    --------
    >>> from scipy import stats
    >>> import goodhart as gh
    >>> tab = gh.BestOfNTable(stats.norm(0, 2), stats.t(3, 0, 3 ** -0.5))
    >>> r = tab.curve([1, 16, 1024])
    >>> r.utility.round(4).tolist()
    [0.0, 3.1469, 3.3083]
    >>> p = tab.peak()
    >>> round(p.n, 2), p.best_integer, p.interior
    (168.59, 169, True)
    """

    def __init__(self, V, X, *, tail: float = 38.0, resolution: float = 0.25):
        check_distribution("V", V)
        check_distribution("X", X)
        self._prob = make_problem(V, X)
        self.tail = _check_real("tail", tail, 5.0, 60.0, False)
        self.resolution = _check_real("resolution", resolution, 0.0, 2.0, True)
        self.V, self.X = V, X
        with np.errstate(all="ignore"):
            self._ev = float(V.mean())
            self._ex = float(X.mean())
        self._mx_finite = math.isfinite(self._ex)
        self._inf: dict = {}
        self._u = None
        self._why = ""
        self._built = False
        self._legacy = None

    # ------------------------------------------------------------------ building
    def _table(self):
        if not self._built:
            self._built = True
            try:
                vt = bt.law_table(self.V, True)
                xt = bt.law_table(self.X, False)
                scale = vt.scale + abs(self._ev)
                if not abs(vt.mean - self._ev) <= 1e-9 * scale:
                    raise Unsupported(f"the table's mean of V ({vt.mean!r}) differs from scipy's ({self._ev!r})")
                self._u = bt.UTable(vt, xt)
            except Unsupported as exc:
                self._u, self._why = None, exc.reason
        return self._u

    @property
    def algorithm(self) -> str:
        """"table" or "legacy" (see :mod:`goodhart.best_of_n`)."""
        return "table" if self._table() is not None else "legacy"

    def _size_check(self, nmax: float) -> None:
        size = (math.log(nmax) + 2 * self.tail) / self.resolution
        if size > _MAX_TABLE:
            raise ValueError(f"resolution: the table would need about {size:.3g} points (more than "
                             f"{_MAX_TABLE}); use resolution >= {(math.log(nmax) + 2 * self.tail) / _MAX_TABLE:.3g}")

    def _ensure(self, nmax: float, nmin: float) -> None:
        u = self._table()
        # every n >= 2 needs log F_U down to -(tail + 5) at most: build that much at once
        r_min = -(self.tail + 5.0) / max(min(nmin, 2.0) - 1.0, (self.tail + 5.0) / 700.0)
        u.ensure(-math.log(nmax) - self.tail - 3.0, r_min)

    def _moments(self, ns: np.ndarray, derivative: bool = False) -> np.ndarray:
        """(E[V_sel], E[U_sel], bound V, bound U, dE[V_sel]/dn, its bound) for each n > 1."""
        u = self._table()
        out = np.empty((ns.size, 6))
        if u is not None:
            self._ensure(float(ns.max()), float(ns.min()))
            if not (u.up.ls and u.dn.ls):        # not even the panels next to the centre converged
                self._u, self._why = None, "the table of U did not converge next to its centre"
                return self._moments(ns, derivative)
            width = 4.0 * self.resolution
            for i, n in enumerate(ns):
                m = bt.moments(u, float(n), self.tail, width, derivative)
                ev_err = 4e-16 * abs(self._ev)
                out[i] = (self._ev + m.dv, m.eu, m.dv_err + ev_err, m.eu_err, m.ddv, m.ddv_err)
        else:
            nmax = float(ns.max())
            if self._legacy is None or self._legacy[0] < nmax:
                self._legacy = (nmax, legacy_table(self._prob, nmax, self.resolution, self.tail))
            out[:, :4] = legacy_moments(self._legacy[1], ns, self._ev)
            out[:, 4:] = math.nan
        return out

    # ------------------------------------------------------------------ public
    def curve(self, n) -> BestOfN:
        """E[V_sel], E[X_sel], E[U_sel] and their error bounds for every ``n``.

        Parameters
        ----------
        n : float or array_like
            Numbers of draws, 1 <= n <= 1e15 (at most 10,000 values); real n use the continuous
            extension E[V n F_U(U)^(n-1)].

        Returns
        -------
        BestOfN
            ``method`` "quad"; ``n`` as given (floats).

        Raises
        ------
        ValueError
            n outside [1, 1e15]; a table too large for ``resolution`` (named); laws whose
            functions return NaN (named V or X).
        """
        n_arr, scalar = _check_n(n, integer=False)
        integer = bool(np.all(n_arr == np.floor(n_arr)))
        return self._curve(n_arr, scalar, integer=integer)

    def _curve(self, n_arr, scalar, integer: bool) -> BestOfN:
        self._size_check(float(n_arr.max()))
        uniq = np.unique(n_arr)
        vals = {}
        big = uniq[uniq > 1]
        if big.size:
            check_memory("n", 64.0 * big.size, f"best-of-N at {big.size} values of n")
            res = self._moments(big)
            vals = {float(k): r for k, r in zip(big, res)}
        rows = []
        for ni in n_arr.flat:
            if ni == 1:
                rows.append((self._ev, self._ev + self._ex, 0.0, 0.0))
            else:
                r = vals[float(ni)]
                rows.append((r[0], r[1], r[2], r[3]))
        util, prox, uerr, perr = (np.array(c) for c in zip(*rows))
        if self._mx_finite:
            inf = np.zeros(n_arr.size)
        else:
            inf = _infinite(self.V, self.X, n_arr, self._inf)
        return _result(self.V, self.X, n_arr, scalar, util, prox, uerr, perr, None, None, "quad", 0,
                       self.algorithm, integer=integer, inf=inf)

    def peak(self, n_max: float = 1e12) -> BestOfNPeak:
        """The utility peak: the n in [1, ``n_max``] maximising E[V_sel] on the continuous
        extension, located by Brent's method on dE/dn (computed with the same table) between the
        sign changes found on a log grid of 41 points.

        Parameters
        ----------
        n_max : float
            Upper end of the search, in [2, 1e15].

        Returns
        -------
        BestOfNPeak

        Raises
        ------
        ValueError, TypeError
            ``n_max`` outside [2, 1e15] or not a number; a table too large for ``resolution``.
        """
        n_max = _check_real("n_max", n_max, 2.0, _MAX_N, False)
        self._size_check(n_max)
        grid = np.exp(np.linspace(math.log(2.0), math.log(n_max), 41))
        grid[0], grid[-1] = 2.0, n_max
        if self._table() is None:
            return self._peak_legacy(grid, n_max)
        res = self._moments(grid, derivative=True)
        if self._table() is None:          # the table gave up: the legacy algorithm
            return self._peak_legacy(grid, n_max)
        if res[0, 4] <= 0:                  # falling already at n = 2: the peak is in [1.1, 2]
            grid = np.concatenate([np.exp(np.linspace(math.log(1.1), math.log(2.0), 11))[:-1], grid])
            res = np.concatenate([self._moments(grid[:10], derivative=True), res])
        g = res[:, 4]
        cands = []
        for i in range(grid.size - 1):
            if g[i] > 0 >= g[i + 1]:
                f = lambda ln: self._moments(np.array([math.exp(ln)]), True)[0, 4]  # noqa: E731
                root = optimize.brentq(f, math.log(grid[i]), math.log(grid[i + 1]), xtol=1e-12, rtol=1e-13)
                cands.append(math.exp(root))
        ends = [grid[0], grid[-1]]
        best_n, best, interior = None, -math.inf, False
        for c in cands + ends:
            m = self._moments(np.array([c]), True)[0]
            if m[0] > best:
                best_n, best, best_err, best_d = c, m[0], m[2], m[5]
                interior = c not in ends
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

    def _peak_legacy(self, grid, n_max) -> BestOfNPeak:
        """The legacy algorithm has no dE/dn: Brent's minimisation of -E(e^l) around the grid
        argmax; the location's error from the utility's bound and the curvature,
        sqrt(2 bound / |E''|)."""
        res = self._moments(grid)
        k = int(np.argmax(res[:, 0]))
        if k in (0, grid.size - 1):
            n = float(grid[k])
            return BestOfNPeak(n, 0.0, float(res[k, 0]), float(res[k, 2]), False, n_max, int(round(n)))
        f = lambda ln: -self._moments(np.array([math.exp(ln)]))[0, 0]  # noqa: E731
        opt = optimize.minimize_scalar(f, bracket=(math.log(grid[k - 1]), math.log(grid[k]), math.log(grid[k + 1])),
                                       tol=1e-8)
        n = float(min(max(math.exp(opt.x), grid[k - 1]), grid[k + 1]))
        h = 0.05 * n
        m = self._moments(np.array([n - h, n, n + h]))
        d2 = abs(m[0, 0] + m[2, 0] - 2 * m[1, 0]) / h**2
        n_err = math.sqrt(2 * m[1, 2] / d2) if d2 > 0 else math.inf
        lo_i, hi_i = max(1, math.floor(n)), math.ceil(n)
        ints = self.curve(np.array([lo_i, hi_i], float)) if hi_i > lo_i else None
        best = int(lo_i if ints is None or ints.utility[0] >= ints.utility[1] else hi_i)
        return BestOfNPeak(n, n_err, float(m[1, 0]), float(m[1, 2]), True, n_max, best)


_tables: OrderedDict = OrderedDict()


def best_of_n_table(V, X=None, *, tail: float = 38.0, resolution: float = 0.25):
    """The :class:`BestOfNTable` of (V, X), or the dependent table of a
    :class:`~goodhart.Dependent` model, from a cache of the last 32 (16 dependent models).

    The key is the laws' scipy names and parameters with ``tail`` and ``resolution``, so equal
    laws built anew (as in a search over parameters) find the table; laws that are not plain
    scipy frozen laws with numeric parameters are not cached (scipy compares frozen laws by
    identity).  A Dependent model is keyed by the model object itself (its ``error`` callable
    cannot be compared by value).  ``best_of_n_table.cache_clear()`` empties the caches.

    Parameters
    ----------
    V : scipy frozen continuous distribution or Dependent
        True utility, or a Dependent model (then omit ``X``).
    X : scipy frozen continuous distribution, optional
        Independent error.
    tail, resolution : float
        As for :class:`BestOfNTable`.

    Returns
    -------
    BestOfNTable or goodhart._bon_dependent.DependentTable
        Both offer ``curve(n)`` (a :class:`BestOfN`) and ``peak(n_max)`` (a :class:`BestOfNPeak`).

    Raises
    ------
    ValueError, TypeError
        As :class:`BestOfNTable` (named V, X, tail or resolution); X given with a Dependent model;
        a Dependent error law too slow to integrate (named ``error``).

    Examples
    --------
    >>> from scipy import stats
    >>> import goodhart as gh
    >>> a = gh.best_of_n_table(stats.norm(0, 2), stats.t(3))
    >>> a is gh.best_of_n_table(stats.norm(0, 2.0), stats.t(3.0))
    True
    >>> wide, zero = stats.norm(0, 2), gh.point_mass(0.0)
    >>> model = gh.Dependent(stats.norm(), lambda v: wide if abs(v) <= 1 else zero)
    >>> p = gh.best_of_n_table(model).peak(n_max=20)
    >>> round(p.n, 3), p.best_integer, p.interior
    (6.211, 6, True)
    """
    if isinstance(V, Dependent):
        if X is not None:
            raise TypeError("X: must be omitted when the first argument is a Dependent model")
        return _bon_dependent.dependent_table(V, tail=tail, resolution=resolution)
    if X is None:
        raise TypeError("X: missing the error distribution (or pass a Dependent model as V)")
    kv, kx = bt.law_key(V), bt.law_key(X)
    if kv is None or kx is None:
        return BestOfNTable(V, X, tail=tail, resolution=resolution)
    key = (kv, kx, float(tail) if isinstance(tail, numbers.Real) else tail,
           float(resolution) if isinstance(resolution, numbers.Real) else resolution)
    hit = _tables.get(key)
    if hit is not None:
        _tables.move_to_end(key)
        return hit
    tab = BestOfNTable(V, X, tail=tail, resolution=resolution)
    _tables[key] = tab
    while len(_tables) > _CACHE_SIZE:
        _tables.popitem(last=False)
    return tab


def _cache_clear() -> None:
    """Empty the caches of tables (of (V, X) pairs and of single laws)."""
    _tables.clear()
    bt._law_cache.clear()
    _bon_dependent._tables.clear()


best_of_n_table.cache_clear = _cache_clear
