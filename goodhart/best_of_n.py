"""Best-of-N selection on a proxy U = V + X (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503,
appendix figure "bon_synthetic").

Draw n iid pairs (V_i, X_i), keep the one with the largest U_i = V_i + X_i, and report the
expected utility V, error X and proxy U of the kept pair.

"quad" (exact up to quadrature error).  The kept pair is pair 1 with probability 1/n given that
U_1 beats the others, so E[V_sel] = n E[V_1 F_U(U_1)^{n-1}].  Writing F_U(U_1)^{n-1} as the
integral of d(F_U^{n-1}) over w <= U_1 and exchanging the integrals,

    E[V_sel] = ∫ n E[V 1{U >= w}] d(F_U(w)^{n-1})
             = ∫ m_ge(s) n (n-1) e^{2s} (1 - e^s)^{n-2} ds                        (s = log F̄_U(w))
             = ∫ (E[V] - e^r m_le(r)) n (n-1) e^{(n-1) r} dr                      (r = log F_U(w)),

with m_ge = E[V | U >= w] and m_le = E[V | U <= w], the conditional means that
:func:`goodhart.conditional_mean` computes (the weight in s is a probability density for every
n >= 2).  Above a split point u0 (the median of U) the variable s is used, below it r: the weights
are smooth bumps of width O(1) at s ≈ -log n whatever the laws are, so one table of
(u, s, m_ge) and (u, r, m_le) built by log-space quadrature serves every n up to 1e15, and no
density of U (a convolution that is singular when a density is) is ever needed.  E[U_sel] is
∫ u d(F_U^n) in the same variables.

"mc": ``trials`` independent best-of-n draws (numba argmax per trial, one seed per trial), means and
standard errors.

Infinite means: E[U_sel] and E[X_sel] are +inf when the right tail of X has an infinite mean (Levy,
Cauchy), -inf when the left tail of the maximum does; both methods report them as such.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import interpolate

from tailpower._common import as_generator, check_int, check_memory, chunk_seeds, progress

from . import _kernels
from ._selection_problem import make_problem
from ._selection_quad import _Unresolvable, _ZeroMass
from .model import check_distribution

__all__ = ["BestOfN", "best_of_n", "bon_kl"]

_MAX_N = 1e15
_MAX_NS = 10_000          # values of n per call
_MAX_TABLE = 2_000        # points of the "quad" table
_MAX_DRAWS = 2 * 10**7    # trials x n for "mc" (scipy draws of both laws: about 10-40 s)


@dataclass(frozen=True)
class BestOfN:
    """Utility, error and proxy of the best of n draws.

    Attributes
    ----------
    utility, error, proxy : float or ndarray
        E[V], E[X], E[U] at the argmax of U over n iid draws (arrays when ``n`` is an array).
        ``proxy`` and ``error`` are +inf (-inf) when E[U_sel] is (e.g. Levy error).
    utility_stderr, error_stderr, proxy_stderr : float or ndarray
        Monte Carlo standard errors ("mc") or quadrature error estimates ("quad": the change when
        the table is thinned to every other point, plus the truncation bound and the conditional
        means' error bounds); inf where the mean is infinite.
    value, stderr : float or ndarray
        Same as ``utility`` and ``utility_stderr``.
    method : str
    samples : int
        Trials ("mc"), 0 for "quad".
    n : int or ndarray
    """

    utility: Any
    error: Any
    proxy: Any
    utility_stderr: Any
    error_stderr: Any
    proxy_stderr: Any
    method: str
    samples: int
    n: Any

    @property
    def value(self):
        return self.utility

    @property
    def stderr(self):
        return self.utility_stderr


def _as_n(n, integer: bool) -> tuple[np.ndarray, bool]:
    if isinstance(n, (bool, np.bool_)) or n is None or isinstance(n, (str, bytes, dict, set)):
        raise TypeError(f"n: expected {'an integer' if integer else 'a number'} >= 1, got {type(n).__name__}")
    try:
        arr = np.asarray(n, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"n: expected {'an integer' if integer else 'a number'} >= 1, got {type(n).__name__}") from None
    if arr.size == 0:
        raise ValueError("n: must not be empty")
    if arr.size > _MAX_NS:
        raise ValueError(f"n: at most {_MAX_NS} values per call, got {arr.size}")
    return arr, arr.ndim == 0


def bon_kl(n) -> np.ndarray | float:
    """KL divergence of the best-of-n law from the base law: log n - (n - 1)/n (continuous U).

    Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503); ``n`` is a real number >= 1 (or an array),
    finite.
    """
    n_arr, scalar = _as_n(n, integer=False)
    if np.any(~np.isfinite(n_arr)) or np.any(n_arr < 1):
        raise ValueError(f"n: must be >= 1 and finite, got {n!r}")
    out = np.log(n_arr) - (n_arr - 1) / n_arr
    return float(out) if scalar else out


def _check_n(n) -> tuple[np.ndarray, bool]:
    arr, scalar = _as_n(n, integer=True)
    if not np.all(np.isfinite(arr)) or np.any(arr < 1) or np.any(arr != np.floor(arr)):
        raise ValueError(f"n: must be an integer >= 1, got {n!r}")
    if np.any(arr > _MAX_N):
        raise ValueError(f"n: must be <= 1e15, got {n!r}")
    return arr, scalar


def _check_real(name: str, value, lo: float, hi: float, lo_open: bool) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    x = float(value)
    if not (x > lo if lo_open else x >= lo) or not x <= hi:
        raise ValueError(f"{name}: must be in {'(' if lo_open else '['}{lo:g}, {hi:g}], got {value!r}")
    return x


# ----------------------------------------------------------------------------- infinite means
def _tail_mean_infinite(law, side: int, power: float = 1.0) -> bool | None:
    """Whether ∫_0^∞ P(side * X > x)^power dx = ∞, by regular variation: x P(.)^power does not
    decay by half over eight decades (power-law tails with index * power <= 1).  None when the
    tail cannot be evaluated there (scipy's functions underflow or fail)."""
    with np.errstate(all="ignore"):
        try:
            base = abs(float(law.median())) + float(law.isf(0.25) - law.ppf(0.25))
        except Exception:
            base = 1.0
        base = base if math.isfinite(base) and base > 0 else 1.0

        def lg(x):
            lp = float(law.logsf(x)) if side > 0 else float(law.logcdf(-x))
            return math.log(x) + power * lp

        for k1, k2 in ((8, 16), (20, 28), (4, 8)):
            try:
                a, b = lg(base * 10.0**k1), lg(base * 10.0**k2)
            except Exception:
                continue
            if math.isfinite(a) and math.isfinite(b):
                return b >= a - math.log(2.0)
            if math.isfinite(a) and b == -math.inf and lg(base * 10.0**(k1 + 1)) < a - math.log(2.0):
                return False   # a tail that ends (bounded support) or decays fast enough to underflow
    return None


def _selected_proxy_infinite(V, X, n: float) -> float:
    """0.0 if E[U_sel] is finite, +inf or -inf if it is infinite (n iid draws, n >= 1).

    scipy's mean of X decides whether anything is infinite; which tail is decided numerically
    (scipy reports +inf for the mean of levy_l, whose infinite tail is the left one)."""
    with np.errstate(all="ignore"):
        mx = float(X.mean())
    if math.isfinite(mx):
        return 0.0
    right = _tail_mean_infinite(X, +1)
    left = _tail_mean_infinite(X, -1, n)
    if right is None and left is None:  # cannot tell: trust scipy's sign
        right, left = mx == math.inf, mx == -math.inf
    right, left = bool(right), bool(left)
    if right and left or not (right or left) and n == 1:
        raise ValueError(f"X: the mean of X is {mx} and its tails are too heavy for the selected proxy of "
                         f"best-of-{n:g} to have a mean (E[U_sel] is undefined)")
    return math.inf if right else (-math.inf if left else 0.0)


# ----------------------------------------------------------------------------- quad table
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


# ----------------------------------------------------------------------------- public
def best_of_n(V, X, n, method: str = "quad", *, trials: int = 100, rng=None, resolution: float = 0.25,
              tail: float = 38.0) -> BestOfN:
    """Expected utility V, error X and proxy U = V + X of the best of ``n`` iid draws.

    Parameters
    ----------
    V, X : scipy frozen continuous distributions
        True utility (finite mean) and independent error.
    n : int or array_like of int
        Number of draws (1 <= n <= 1e15; at most 10,000 values per call).
    method : {"quad", "mc"}
        "quad": E[V_sel] = ∫ E[V | U >= w] n (n-1) F̄_U(w) F_U(w)^{n-2} dF_U(w) in the variables
        log F̄_U and log F_U (see the module docstring); one table serves all ``n``.
        "mc": ``trials`` independent best-of-n selections; mean and standard error per field
        (the 95 % band is ± 1.96 stderr); trials x (sum of n) is at most 2e7.
    trials : int
        Trials per n for "mc" (the paper uses 100).
    rng : Generator, int, SeedSequence or None
        Randomness for "mc".
    resolution : float
        Step of the "quad" table in log F̄_U, in (0, 2] (smaller is more accurate and slower); the
        table has at most 2,000 points, (log(max n) + 2 tail) / resolution.
    tail : float
        Truncation of the "quad" table, in [5, 60]: it covers log F̄_U down to -log(max n) - ``tail``
        and log F_U down to -``tail``; the weight left out (about e^-tail) is added to the error.

    Returns
    -------
    BestOfN
        ``utility``, ``error`` (= proxy - utility), ``proxy`` and their stderr.
    """
    if not isinstance(method, str) or method not in ("quad", "mc"):
        raise ValueError(f"method: must be 'quad' or 'mc', got {method!r}")
    check_distribution("V", V)
    check_distribution("X", X)
    n_arr, scalar = _check_n(n)
    prob = make_problem(V, X)
    with np.errstate(all="ignore"):
        ev = float(V.mean())
    inf_u = {float(ni): _selected_proxy_infinite(V, X, float(ni)) for ni in np.unique(n_arr)}
    if method == "quad":
        resolution = _check_real("resolution", resolution, 0.0, 2.0, True)
        tail = _check_real("tail", tail, 5.0, 60.0, False)
        nmax = float(n_arr.max())
        size = (math.log(nmax) + 2 * tail) / resolution
        if size > _MAX_TABLE:
            raise ValueError(f"resolution: the table would need about {size:.3g} points (more than "
                             f"{_MAX_TABLE}); use resolution >= {(math.log(nmax) + 2 * tail) / _MAX_TABLE:.3g}")
        out = np.empty((n_arr.size, 4))
        tab = None
        for i, ni in enumerate(n_arr.flat):
            if ni == 1:  # no selection: the base means
                with np.errstate(all="ignore"):
                    out[i] = (ev, ev + float(X.mean()), 0.0, 0.0)
                continue
            if tab is None:
                prob.require_fast("Simulation (method='mc') needs only draws.")
                tab = _build_table(prob, s_min=-math.log(nmax) - tail, r_min=-tail, ds=resolution)
            e_v, e_u, tail_v, tail_u = _quad_moments(tab, float(ni), ev)
            e_v2, e_u2, _, _ = _quad_moments(tab, float(ni), ev, step=2)
            out[i] = (e_v, e_u, 2 * abs(e_v - e_v2) + tail_v, 2 * abs(e_u - e_u2) + tail_u)
        util, prox, uerr, perr = out.T
        samples = 0
    else:
        t = check_int("trials", trials, minimum=2)
        if t * float(n_arr.sum()) > _MAX_DRAWS:
            raise ValueError(f"n: simulation draws trials x n = {t * float(n_arr.sum()):.3g} pairs, above "
                             f"{_MAX_DRAWS:.0e}; use method='quad' (exact up to n = 1e15) or fewer trials")
        check_memory("trials", 48.0 * t, f"{t} best-of-n trials")
        gen = as_generator(rng)
        out = np.empty((n_arr.size, 6))
        for i, ni in enumerate(n_arr.flat):
            v, x = _mc_select(V, X, int(ni), t, gen)
            with np.errstate(over="ignore", invalid="ignore"):
                u = v + x
                out[i] = (v.mean(), x.mean(), u.mean(),
                          v.std(ddof=1) / math.sqrt(t), x.std(ddof=1) / math.sqrt(t), u.std(ddof=1) / math.sqrt(t))
        util, err_mc, prox, uerr, eerr, perr = out.T
        samples = t
    inf = np.array([inf_u[float(ni)] for ni in n_arr.flat])
    prox = np.where(inf != 0, inf, prox)
    perr = np.where(inf != 0, math.inf, perr)
    with np.errstate(invalid="ignore"):
        if method == "quad":
            err, eerr = prox - util, uerr + perr
        else:
            err = np.where(inf != 0, inf, err_mc)
            eerr = np.where(inf != 0, math.inf, eerr)
    fields = [np.asarray(a, float).reshape(n_arr.shape) for a in (util, err, prox, uerr, eerr, perr)]
    if not all(np.all(~np.isnan(f)) for f in fields):
        raise ValueError("V: the selected means came out undefined (NaN); the laws' functions returned "
                         "NaN where the quadrature needed them")
    if scalar:
        fields = [float(a) for a in fields]
        nn = int(n_arr)
    else:
        nn = n_arr.astype(np.int64)
    return BestOfN(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], method, samples, nn)


_DRAW_CHUNK = 1 << 16


def _mc_select(V, X, n: int, trials: int, gen) -> tuple[np.ndarray, np.ndarray]:
    """``trials`` best-of-n selections; trial k draws from its own seed (thread-count independent).

    Up to ``_DRAW_CHUNK`` draws per trial are made at once (V then X); a larger n is drawn in
    chunks of that size with the running argmax kept, so memory does not grow with n.
    """
    seeds = chunk_seeds(gen, trials)
    out_v = np.empty(trials)
    out_x = np.empty(trials)
    if n > _DRAW_CHUNK:
        for k in range(trials):
            cg = np.random.default_rng(int(seeds[k]))
            best, bv, bx = -math.inf, math.nan, math.nan
            for start in range(0, n, _DRAW_CHUNK):
                size = min(_DRAW_CHUNK, n - start)
                vb = np.asarray(V.rvs(size=size, random_state=cg), float).reshape(1, size)
                xb = np.asarray(X.rvs(size=size, random_state=cg), float).reshape(1, size)
                ov, ox = np.empty(1), np.empty(1)
                _kernels.select_argmax(vb, xb, ov, ox)
                with np.errstate(over="ignore", invalid="ignore"):
                    uu = ov[0] + ox[0]
                if uu > best or math.isnan(bv):
                    best, bv, bx = uu, ov[0], ox[0]
            out_v[k], out_x[k] = bv, bx
        return out_v, out_x
    per = max(1, min(trials, _DRAW_CHUNK // max(n, 1)))  # trials per batch, memory-bounded
    for start in range(0, trials, per):
        stop = min(trials, start + per)
        vb = np.empty((stop - start, n))
        xb = np.empty((stop - start, n))
        for k in range(start, stop):
            cg = np.random.default_rng(int(seeds[k]))
            vb[k - start] = V.rvs(size=n, random_state=cg)
            xb[k - start] = X.rvs(size=n, random_state=cg)
        _kernels.select_argmax(vb, xb, out_v[start:stop], out_x[start:stop])
    return out_v, out_x
