"""Best-of-N selection on a proxy U = V + X (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503,
appendix figure "bon_synthetic").

Draw n iid pairs (V_i, X_i), keep the one with the largest U_i = V_i + X_i, and report the
expected utility V, error X and proxy U of the kept pair.

"quad" (exact up to quadrature error): the maximum of n iid copies of U has density
n f_U(u) F_U(u)^{n-1}, and E[V | U = u] = ∫ v f_V(v) f_X(u - v) dv / f_U(u), so

    E[V_sel] = ∫ E[V | U = u] n f_U(u) F_U(u)^{n-1} du.

The integral is taken in the variable s = log F̄_U(u) above a split point u0 and r = log F_U(u)
below it, where the weights are n e^s (1 - e^s)^{n-1} = n e^s exp((n-1) log1p(-e^s)) and n e^{n r}:
smooth bumps of width O(1) at s ≈ -log n whatever the laws are, so one table of
(u, s, r, E[V | U = u]) built by log-space quadrature serves every n up to 1e12.  F̄_U, F_U and f_U
are themselves the convolution integrals ∫ f_V(v) K(u - v) dv with K = F̄_X, F_X, f_X, computed by the
same log-space Gauss-Kronrod integrator as :func:`goodhart.conditional_mean`.

"mc": ``trials`` independent best-of-n draws (numba argmax per trial, one seed per trial), means and
standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import interpolate

from tailpower._common import as_generator, check_int, chunk_seeds, progress

from . import _kernels
from .conditional import _problem, _ZeroMass
from .model import check_distribution

__all__ = ["BestOfN", "best_of_n", "bon_kl"]


@dataclass(frozen=True)
class BestOfN:
    """Utility, error and proxy of the best of n draws.

    Attributes
    ----------
    utility, error, proxy : float or ndarray
        E[V], E[X], E[U] at the argmax of U over n iid draws (arrays when ``n`` is an array).
        ``proxy`` is inf when E[U] is (e.g. Levy error).
    utility_stderr, error_stderr, proxy_stderr : float or ndarray
        Monte Carlo standard errors ("mc") or quadrature error estimates ("quad": the change when
        the table is thinned to every other point, plus the truncation bound).
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


def bon_kl(n) -> np.ndarray | float:
    """KL divergence of the best-of-n law from the base law: log n - (n - 1)/n (continuous U)."""
    n_arr = np.asarray(n, dtype=float)
    if np.any(~np.isfinite(n_arr)) or np.any(n_arr < 1):
        raise ValueError(f"n: must be >= 1 and finite, got {n!r}")
    out = np.log(n_arr) - (n_arr - 1) / n_arr
    return float(out) if out.ndim == 0 else out


def _check_n(n) -> tuple[np.ndarray, bool]:
    if isinstance(n, bool):
        raise TypeError("n: expected an integer >= 1, got bool")
    try:
        arr = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"n: expected an integer >= 1, got {type(n).__name__}") from None
    if arr.size == 0:
        raise ValueError("n: must not be empty")
    if not np.all(np.isfinite(arr)) or np.any(arr < 1) or np.any(arr != np.floor(arr)):
        raise ValueError(f"n: must be an integer >= 1, got {n!r}")
    if np.any(arr > 1e15):
        raise ValueError(f"n: must be <= 1e15, got {n!r}")
    return arr, arr.ndim == 0


# ----------------------------------------------------------------------------- quad table
@dataclass(frozen=True)
class _Table:
    u: np.ndarray
    s: np.ndarray      # log F̄_U(u)
    r: np.ndarray      # log F_U(u)
    m: np.ndarray      # E[V | U = u]
    merr: np.ndarray
    split: int         # index of u0


def _point(prob, u: float):
    """log F̄_U(u), log F_U(u), log f_U(u), E[V | U = u] (with its error)."""
    dens = prob.integrate(u, "pdf", rel=1e-10)
    try:
        s = prob.integrate(u, "sf", rel=1e-10).log_mass
    except _ZeroMass:
        s = -math.inf
    try:
        r = prob.integrate(u, "cdf", rel=1e-10).log_mass
    except _ZeroMass:
        r = -math.inf
    # only the smaller of the two is accurate; recover the other from it
    if s < r:
        r = math.log1p(-math.exp(s))
    else:
        s = math.log1p(-math.exp(r))
    return s, r, dens.log_mass, dens.mean, dens.mean_err


def _build_table(prob, s_min: float, r_min: float, ds: float) -> _Table:
    V, X = prob.V, prob.X
    with np.errstate(all="ignore"):
        u0 = float(V.median()) + float(X.median())
    rows = {}

    def at(u):
        if u not in rows:
            rows[u] = _point(prob, u)
        return rows[u]

    at(u0)
    for direction in (+1, -1):
        u = u0
        for _ in progress(range(4000), desc="best-of-n table"):
            s, r, lf, _, _ = at(u)
            cur = s if direction > 0 else r
            if cur < (s_min if direction > 0 else r_min):
                break
            lh = lf - cur                      # log hazard f/F̄ (up) or f/F (down)
            step = ds / math.exp(lh)
            for _ in range(60):
                un = u + direction * step
                sn, rn, *_ = at(un)
                curn = sn if direction > 0 else rn
                if cur - curn <= 2 * ds or step < 1e-12 * max(1.0, abs(u)):
                    break
                rows.pop(un, None)
                step /= 2
            if un == u:
                break
            u = un
    us = np.array(sorted(rows))
    vals = np.array([rows[x] for x in us])
    split = int(np.searchsorted(us, u0))
    return _Table(us, vals[:, 0], vals[:, 1], vals[:, 3], vals[:, 4], split)


def _integrate_weight(x: np.ndarray, f: np.ndarray, logw, fine: int = 8) -> float:
    """∫ f(x) w(x) dx over the table abscissae x (increasing), f cubic-interpolated, w exact."""
    if x.size < 2:
        return 0.0
    if x.size < 4:
        spl = interpolate.interp1d(x, f)
    else:
        spl = interpolate.PchipInterpolator(x, f)
    xs = np.concatenate([np.linspace(x[i], x[i + 1], fine, endpoint=False) for i in range(x.size - 1)] + [x[-1:]])
    w = np.exp(logw(xs))
    return float(np.trapezoid(spl(xs) * w, xs))


def _quad_moments(tab: _Table, n: float, step: int = 1):
    """E[V_sel] and E[U_sel] from the table (every ``step``-th point)."""
    up = slice(tab.split, None, step)
    lo = slice(0, tab.split + 1, step)
    # upper side: variable s (ascending order = descending u)
    s = tab.s[up][::-1]
    mu, uu = tab.m[up][::-1], tab.u[up][::-1]

    def lw_up(x):
        with np.errstate(divide="ignore"):
            return math.log(n) + x + (n - 1) * np.log1p(-np.exp(x))

    r = tab.r[lo]
    ml, ul = tab.m[lo], tab.u[lo]

    def lw_lo(x):
        return math.log(n) + n * x

    ev = _integrate_weight(s, mu, lw_up) + _integrate_weight(r, ml, lw_lo)
    eu = _integrate_weight(s, uu, lw_up) + _integrate_weight(r, ul, lw_lo)
    # truncation: the weight mass beyond the table ends, times the largest |value| there
    w_up, w_lo = n * math.exp(s[0]), math.exp(n * r[0])
    tail_v = w_up * abs(mu[0]) + w_lo * abs(ml[0])
    tail_u = w_up * abs(uu[0]) + w_lo * abs(ul[0])
    return ev, eu, tail_v, tail_u


def _infinite_mean(d) -> bool:
    with np.errstate(all="ignore"):
        return not math.isfinite(float(d.mean()))


# ----------------------------------------------------------------------------- public
def best_of_n(V, X, n, method: str = "quad", *, trials: int = 100, rng=None, resolution: float = 0.25,
              tail: float = 38.0) -> BestOfN:
    """Expected utility V, error X and proxy U = V + X of the best of ``n`` iid draws.

    Parameters
    ----------
    V, X : scipy frozen continuous distributions
        True utility (finite mean) and independent error, each with a density.
    n : int or array_like of int
        Number of draws (1 <= n <= 1e15; "quad" is checked to n = 1e12).
    method : {"quad", "mc"}
        "quad": E[V_sel] = ∫ E[V | U = u] n f_U(u) F_U(u)^{n-1} du in the variables log F̄_U and
        log F_U (see the module docstring); one table serves all ``n``.
        "mc": ``trials`` independent best-of-n selections; mean and standard error per field
        (the 95 % band is ± 1.96 stderr).
    trials : int
        Trials per n for "mc" (the paper uses 100).
    rng : Generator, int, SeedSequence or None
        Randomness for "mc".
    resolution : float
        Step of the "quad" table in log F̄_U (smaller is more accurate and slower).
    tail : float
        Truncation of the "quad" table: it covers log F̄_U down to -log(max n) - ``tail`` and log F_U
        down to -``tail``; the weight left out (about e^-tail) is added to the error estimate.

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
    prob = _problem(V, X)
    if method == "quad":
        if not (isinstance(resolution, (int, float)) and 0 < resolution <= 2):
            raise ValueError(f"resolution: must be in (0, 2], got {resolution!r}")
        nmax = float(n_arr.max())
        tail = float(tail)
        if not 5.0 <= tail <= 60.0:
            raise ValueError(f"tail: must be in [5, 60], got {tail!r}")
        tab = _build_table(prob, s_min=-math.log(nmax) - tail, r_min=-tail, ds=resolution)
        inf_u = _infinite_mean(V) or _infinite_mean(X)
        out = np.empty((n_arr.size, 6))
        for i, ni in enumerate(n_arr.flat):
            if ni == 1:  # no selection: the base means
                with np.errstate(all="ignore"):
                    ev = float(V.mean())
                    eu = ev + float(X.mean())
                out[i] = (ev, eu, 0.0, 0.0, 0.0, 0.0)
                continue
            ev, eu, tail_v, tail_u = _quad_moments(tab, float(ni))
            ev2, eu2, _, _ = _quad_moments(tab, float(ni), step=2)
            merr = float(np.max(tab.merr))
            out[i] = (ev, eu, abs(ev - ev2) + tail_v + merr, abs(eu - eu2) + tail_u, 0, 0)
        util, prox = out[:, 0], out[:, 1]
        uerr, perr = out[:, 2], out[:, 3]
        if inf_u:
            prox = np.where(n_arr.ravel() >= 2, math.inf, prox)
            perr = np.where(n_arr.ravel() >= 2, math.inf, perr)
        with np.errstate(invalid="ignore"):
            err = prox - util
        eerr = uerr + perr
        samples = 0
    else:
        t = check_int("trials", trials, minimum=2)
        gen = as_generator(rng)
        out = np.empty((n_arr.size, 6))
        for i, ni in enumerate(n_arr.flat):
            v, x = _mc_select(V, X, int(ni), t, gen)
            u = v + x
            out[i] = (v.mean(), x.mean(), u.mean(),
                      v.std(ddof=1) / math.sqrt(t), x.std(ddof=1) / math.sqrt(t), u.std(ddof=1) / math.sqrt(t))
        util, err, prox, uerr, eerr, perr = out.T
        samples = t
    shape = n_arr.shape
    fields = [np.asarray(a, float).reshape(shape) for a in (util, err, prox, uerr, eerr, perr)]
    if scalar:
        fields = [float(a) for a in fields]
        nn = int(n_arr)
    else:
        nn = n_arr.astype(np.int64)
    return BestOfN(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], method, samples, nn)


_DRAW_CHUNK = 1 << 16


def _mc_select(V, X, n: int, trials: int, gen) -> tuple[np.ndarray, np.ndarray]:
    """``trials`` best-of-n selections; trial k draws from its own seed (thread-count independent)."""
    seeds = chunk_seeds(gen, trials)
    out_v = np.empty(trials)
    out_x = np.empty(trials)
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
