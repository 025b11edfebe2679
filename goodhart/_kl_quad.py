"""Shared pieces of the KL computations (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503):
argument checks, and quadrature in log space around the peak of the integrand (scipy's QUADPACK,
``limit`` subintervals per piece) under a cap on the integrand evaluations per threshold or beta of
a public call (docs/contract.md, bounded time).  The cap counts evaluations, not seconds, so whether
a call answers or is refused does not depend on the machine or its load.

Failures of the quadrature are raised as :class:`QuadratureFailure` (not a ValueError): the
public functions translate them into errors that name the parameter responsible.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import integrate

from tailpower._common import check_memory

from ._gauss_kronrod import GK21_G, GK21_K, GK21_X

#: integrand evaluations the quadrature for one threshold or beta of a public call may make before
#: the call is refused: typical calls make 250-4,200 (Student t construction, normal optimum,
#: dependent tilts), so the cap is about 50 times the largest; it bounds the time of laws whose
#: functions scipy evaluates by numerical integration, such as levy_stable, which otherwise ran for
#: minutes.  Deterministic, unlike a wall-clock limit.
EVAL_LIMIT = 200_000
_EPS = float(np.finfo(float).eps)


# ----------------------------------------------------------------------------- argument checks
def check_real(name: str, value: Any) -> float:
    """``value`` as a finite float; TypeError (bool, complex, str, ...) or ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return x


def check_positive_real(name: str, value: Any) -> float:
    """``value`` as a finite float > 0 (errors name ``name``)."""
    x = check_real(name, value)
    if not x > 0:
        raise ValueError(f"{name}: must be > 0, got {value!r}")
    return x


_check_real = check_real  # the name the first version used


def as_1d(name: str, value: Any, *, bytes_per_element: int = 128) -> tuple[np.ndarray, bool]:
    """``value`` (a real number or 1-D array of them, all finite) as a float array, and whether it
    was a scalar.  TypeError for non-numbers (bool, complex, strings, objects), ValueError for other
    shapes or non-finite values; the result arrays of a call (``bytes_per_element`` per entry) are
    checked against the memory budget."""
    if value is None or isinstance(value, (bool, np.bool_, str, bytes, complex)):
        raise TypeError(f"{name}: expected a real number or a 1-D array of real numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected a real number or a 1-D array of real numbers ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a number or a non-empty 1-D array, got shape {arr.shape}")
    check_memory(name, float(arr.size) * bytes_per_element, f"results for {arr.size} values of {name}")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: must be finite, got {arr[~np.isfinite(arr)][0]!r}")
    return arr, scalar


def out(arr: np.ndarray, scalar: bool):
    return float(arr[0]) if scalar else arr


# ----------------------------------------------------------------------------- work limit
class QuadratureFailure(ArithmeticError):
    """The quadrature cannot give an answer; ``kind`` says why:

    - ``"no-mass"``: the integrand is zero (log -inf) at every probe point;
    - ``"outside"``: its peak lies beyond the probe grid, or next to points where it stops being
      finite (the mass lies where double precision cannot represent the integrand);
    - ``"overflow"``: a value or the result is not finite;
    - ``"precision"``: the log-integrand is so large in magnitude that its rounding leaves no
      digits of the integrand (|log f| > 1e12);
    - ``"work"``: the evaluation cap of the call (``EVAL_LIMIT``) was reached.
    """

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class Clock:
    """The work limit of one public call: :meth:`tick` counts integrand evaluations and raises
    QuadratureFailure("work") beyond ``limit`` (default ``EVAL_LIMIT``)."""

    def __init__(self, limit: int | None = None):
        self.limit = EVAL_LIMIT if limit is None else int(limit)
        self.calls = 0

    def tick(self, n: int = 1) -> None:
        self.calls += n
        if self.calls > self.limit:
            raise QuadratureFailure("work", f"more than {self.limit} integrand evaluations")


# ----------------------------------------------------------------------------- quadrature
def quad(f: Callable[[float], float], a: float, b: float, points=None, max_points: int = 10) -> tuple[float, float]:
    """∫_a^b f by QUADPACK (at most 400 subintervals, relative tolerance 1e-11), with up to
    ``max_points`` of ``points`` inside (a, b) as break points; returns (value, error estimate)."""
    kw = {}
    if points is not None and math.isfinite(a) and math.isfinite(b):
        pts = np.asarray(points, dtype=float)
        pts = pts[(pts > a) & (pts < b)]
        if pts.size > max_points:
            pts = pts[np.linspace(0, pts.size - 1, max_points).astype(int)]
        if pts.size:
            kw["points"] = pts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        val, err = integrate.quad(f, a, b, limit=400, epsabs=0.0, epsrel=1e-11, **kw)
    return float(val), float(err)


# Gauss-Kronrod 10/21 (QUADPACK's qk21; the one copy is in _gauss_kronrod)
GK_X, GK_K, GK_G = GK21_X, GK21_K, GK21_G
_VEC_REL = 1e-11          # summed |K21 - G10| below this of ∫|f|, per integrand
_VEC_MAX_INTERVALS = 4000


def vec_quad(fn: Callable[[np.ndarray], np.ndarray], pieces, points=None, max_points: int = 10,
             k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """∫ over the pieces [(a, b), ...] of the ``k`` rows of ``fn(y)`` (an array of shape (k,) +
    y.shape), by adaptive Gauss-Kronrod 10/21 that evaluates every interval of a round in one call
    of ``fn`` (the batched counterpart of :func:`quad`, whose scalar callback went through scipy's
    functions point by point).  Each piece starts split at up to ``max_points`` of ``points``
    inside it; an infinite end is mapped to a finite one by y = a + s t/(1 - t).  Intervals are
    bisected until the summed |K21 - G10| of every row is below 1e-11 of its ∫|f| (at most
    ``_VEC_MAX_INTERVALS`` intervals; the caller's evaluation cap bounds the work).  Returns the
    integrals and their error estimates (the summed |K21 - G10|)."""
    ia, ib, kind, org, scl = [], [], [], [], []
    pts = np.asarray(points, dtype=float) if points is not None else np.empty(0)
    for a, b in pieces:
        if not a < b:
            continue
        if math.isfinite(a) and math.isfinite(b):
            inner = pts[(pts > a) & (pts < b)]
            if inner.size > max_points:
                inner = inner[np.linspace(0, inner.size - 1, max_points).astype(int)]
            e = np.unique(np.concatenate([[a], inner, [b]]))
            ia += list(e[:-1])
            ib += list(e[1:])
            kind += [0] * (e.size - 1)
            org += [0.0] * (e.size - 1)
            scl += [1.0] * (e.size - 1)
        else:  # [a, inf) or (-inf, b]: t in [0, 1), y = end +- s t / (1 - t)
            end = a if math.isfinite(a) else b
            ia.append(0.0)
            ib.append(1.0)
            kind.append(1 if math.isfinite(a) else -1)
            org.append(end)
            scl.append(max(1.0, abs(end)))
    ia, ib = np.array(ia), np.array(ib)
    kind, org, scl = np.array(kind), np.array(org), np.array(scl)
    tot = np.zeros(k)
    err = np.zeros(k)
    absint = np.zeros(k)
    for _ in range(60):
        if ia.size == 0:
            break
        c, h = 0.5 * (ia + ib), 0.5 * (ib - ia)
        t = c[:, None] + h[:, None] * GK_X[None, :]
        y = np.where(kind[:, None] == 0, t, 0.0)
        jac = np.ones(t.shape)
        inf = kind != 0
        if np.any(inf):
            u = t[inf]
            with np.errstate(divide="ignore"):
                y[inf] = org[inf, None] + kind[inf, None] * scl[inf, None] * u / (1.0 - u)
                jac[inf] = scl[inf, None] / (1.0 - u) ** 2
        f = np.asarray(fn(y), dtype=float).reshape((k,) + y.shape) * jac[None]
        f = np.where(np.isfinite(f), f, 0.0)
        kv = (f @ GK_K) * h[None]
        gv = (f @ GK_G) * h[None]
        av = (np.abs(f) @ GK_K) * h[None]
        ev = np.abs(kv - gv)
        all_abs = absint + av.sum(axis=1)
        limit = _VEC_REL * np.maximum(all_abs, 1e-300)
        n_int = ia.size
        ok = np.all(ev <= limit[:, None] / n_int, axis=0) | ((ib - ia) <= 1e-13 * np.maximum(np.abs(ia), np.abs(ib)))
        if np.all(err + ev.sum(axis=1) <= limit) or n_int * 2 > _VEC_MAX_INTERVALS:
            ok[:] = True
        tot += kv[:, ok].sum(axis=1)
        err += ev[:, ok].sum(axis=1)
        absint += av[:, ok].sum(axis=1)
        if np.all(ok):
            break
        ra, rb = ia[~ok], ib[~ok]
        rm = 0.5 * (ra + rb)
        ia, ib = np.concatenate([ra, rm]), np.concatenate([rm, rb])
        kind, org, scl = (np.concatenate([z[~ok], z[~ok]]) for z in (kind, org, scl))
    return tot, err


@dataclass(frozen=True)
class LogIntegral:
    """∫ exp(logf) = exp(peak + log_i0); the mean of y under exp(logf) is ``peak_at + shift``."""

    log_mass: float
    mean: float
    err: float       # error bound of ``mean``
    peak_at: float   # y*, where logf is largest on the refined grid
    peak: float      # logf(y*)
    log_i0: float    # log ∫ exp(logf - peak)
    shift: float     # mean - y*
    base_at_peak: float  # base(y*)
    log_i0_err: float = 0.0  # error bound of log_i0 (relative error bound of the mass)
    wmean: float = 0.0       # with ``weight``: the mean of weight(y) under exp(logf)
    wmean_err: float = 0.0

    def kl(self, lam: float) -> float:
        """KL(tilted || exp(base)/∫exp(base)) when exp(base) is a probability density:
        lam·E[y] - log ∫ exp(base + lam·y) = lam·shift - base(y*) - log_i0 (no large terms cancel)."""
        return lam * self.shift - self.base_at_peak - self.log_i0

    def kl_err(self, lam: float) -> float:
        """Error bound of :meth:`kl`: lam times that of the mean plus that of log_i0."""
        return lam * self.err + self.log_i0_err


def _finite_logs(base, lam: float, y: np.ndarray, clock: Clock | None = None) -> np.ndarray:
    if clock is not None:
        clock.tick(max(int(np.size(y)), 1))
    with np.errstate(all="ignore"):
        lg = np.asarray(base(y), dtype=float) + lam * y if lam else np.asarray(base(y), dtype=float)
    return np.where(np.isnan(lg), -np.inf, lg)


def log_integrate(base: Callable[[np.ndarray], np.ndarray], grid: np.ndarray, *, lam: float = 0.0,
                  support=(-math.inf, math.inf), max_points: int = 10, strict: bool = True,
                  clock: Clock | None = None, rounds: int = 3,
                  weight: Callable[[float], float] | None = None,
                  magnitude: Callable[[float], float] | None = None) -> LogIntegral:
    """log ∫ exp(logf(y)) dy over ``support`` and the mean of y under exp(logf), in log space, for
    logf(y) = base(y) + lam·y (an exponential tilt of exp(base)).

    The integrand is evaluated as exp(base(y) - base(y*) + lam (y - y*)), so a tilt far from 0
    (y ~ 1e12) does not lose the digits that lam·y - lam·y* would.

    ``grid`` are probe points covering the mass (inside ``support``); the integrand is shifted by
    its maximum ``m`` at ``y*`` (refined ``rounds`` times between the neighbouring probes, 32-fold
    each) and integrated piecewise over the range where ``logf > m - 745`` (found by scanning
    outwards from ``y*`` in geometric steps), split at ``y*`` and at the ends of the window where
    ``logf > m - 50``, with scan points as break points.  Raises :class:`QuadratureFailure`
    ("no-mass", "outside", "overflow", "work").  With ``strict``, a peak at an unbounded end of the
    grid, next to a probe inside the support where logf is not finite, or an integrand that stops
    being finite (or is still above e^-745 at 1e300) before it becomes negligible is "outside":
    the mass lies where the integrand cannot be represented (for a density, exp(logf) is positive
    on the whole support).  With ``weight``, the mean of weight(y) under exp(logf) is integrated
    over the same pieces (``wmean``, ``wmean_err``).  ``magnitude(y)`` bounds the size of the terms
    that base(y) sums (when they can cancel), for the rounding error; by default |base(y*)|.
    """
    lo_s, hi_s = float(support[0]), float(support[1])
    grid = np.unique(np.asarray(grid, dtype=float))
    grid = grid[np.isfinite(grid) & (grid > lo_s) & (grid < hi_s)]
    if grid.size == 0:
        raise QuadratureFailure("no-mass", "no probe point inside the support")
    lg = _finite_logs(base, lam, grid, clock)
    keep = lg < np.inf  # an infinite density (an integrable singularity) cannot be a peak to shift by
    grid, lg = grid[keep], lg[keep]
    if not np.any(np.isfinite(lg)):
        raise QuadratureFailure("no-mass", "the integrand is zero at every probe point")
    for attempt in range(4):  # a scan that finds higher values than the peak restarts the search
        for _ in range(rounds):  # refine the peak between its neighbouring probes
            i = int(np.argmax(lg))
            lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
            fine = np.linspace(lo, hi, 65)[1:-1]
            lf = _finite_logs(base, lam, fine, clock)
            ok = lf < np.inf
            grid = np.concatenate([grid, fine[ok]])
            lg = np.concatenate([lg, lf[ok]])
            order = np.argsort(grid, kind="stable")
            grid, lg = grid[order], lg[order]
        i = int(np.argmax(lg))
        ystar, m = float(grid[i]), float(lg[i])
        with np.errstate(all="ignore"):
            b_star = float(np.asarray(base(np.array([ystar])), dtype=float).ravel()[0])
        # base(y) is a double of size |b_star|: its rounding, e^{eps |b*|} - 1, is a relative error of
        # every integrand value that no quadrature removes (log f ~ -5e27 keeps no digit of e^{log f})
        size = abs(b_star) if magnitude is None else max(abs(b_star), float(magnitude(ystar)))
        noise = 4 * _EPS * (size + 50.0)
        if not noise < 1e-3:
            raise QuadratureFailure("precision", f"the log-integrand is {b_star:.3g} at its peak y = {ystar:.6g}, "
                                                 f"where double precision leaves a relative error of {noise:.2g}")
        if strict:
            if (i == 0 and lo_s == -math.inf) or (i == grid.size - 1 and hi_s == math.inf):
                raise QuadratureFailure("outside", f"the integrand is largest at the end of the probe grid, y = {ystar:.6g}")
            if (i > 0 and not np.isfinite(lg[i - 1])) or (i < grid.size - 1 and not np.isfinite(lg[i + 1])):
                raise QuadratureFailure("outside", f"the integrand stops being finite next to its peak at y = {ystar:.6g}")
        # the window where logf > m - 50 and the range where logf > m - 745 (beyond it the integrand
        # underflows), scanned outwards from y* in geometric steps (x11); a heavy tail keeps mass far
        # beyond the window, so the range up to the underflow is integrated too (with scan points as
        # break points) instead of an infinite interval
        span = np.geomspace(1e-12 * max(1.0, abs(ystar)), 1e300, 300)
        cuts, probes, scanned, pending = {}, [], [], None
        for sign in (-1.0, 1.0):
            end_s = hi_s if sign > 0 else lo_s
            pts = ystar + sign * span
            pts = pts[(pts > lo_s) & (pts < hi_s)]
            lp = np.full(pts.size, np.nan)
            for j in range(0, pts.size, 25):  # in pieces: most integrands vanish within a few
                lp[j:j + 25] = _finite_logs(base, lam, pts[j:j + 25], clock)
                if np.any(lp[j:j + 25] < m - 745.0):
                    break
            scanned.append((pts, lp))
            gone = np.nonzero(~(lp >= m - 745.0))[0]  # NaN: not evaluated (beyond the cut)
            stop = int(gone[0]) if gone.size else pts.size
            if strict:
                if stop < pts.size and lp[stop] == -np.inf:
                    # it stops being finite (overflow in the law's functions) at pts[stop]: refuse unless
                    # what lies beyond is negligible, bounded by w(cut) (cut distance / width)^2 < 1e-17
                    prev = float(lp[stop - 1]) if stop > 0 else m
                    dist = abs(float(pts[stop - 1]) - ystar) if stop > 0 else float(span[0])
                    one = np.nonzero(lp[:stop] < m - 1.0)[0]
                    width = abs(float(pts[one[0]]) - ystar) if one.size else dist
                    if prev - m + 2.0 * math.log(max(dist / width, 1.0)) > -39.0:
                        pending = pending or QuadratureFailure(
                            "outside", f"the integrand stops being finite at y = {pts[stop]:.6g} before it becomes negligible")
                if stop == pts.size and math.isinf(end_s) and pts.size:
                    pending = pending or QuadratureFailure(
                        "outside", f"the integrand is still above e^-745 of its peak at y = {pts[-1]:.6g}")
            inner = np.nonzero(lp < m - 50.0)[0]
            cuts[sign] = (float(pts[inner[0]]) if inner.size else end_s, float(pts[stop]) if stop < pts.size else end_s)
            probes.append(pts[:stop])
        higher = [(p_, l_) for p_, l_ in scanned if np.any(l_ > m + 1.0)]
        if not higher:
            if pending is not None:
                raise pending
            break
        if attempt == 3:
            raise QuadratureFailure("outside", f"the peak search did not settle (last peak y = {ystar:.6g})")
        extra_p = np.concatenate([p_ for p_, _ in scanned])
        extra_l = np.concatenate([l_ for _, l_ in scanned])
        ok = np.isfinite(extra_l) & (extra_l < np.inf)
        grid, lg = np.concatenate([grid, extra_p[ok]]), np.concatenate([lg, extra_l[ok]])
        order = np.argsort(grid, kind="stable")
        grid, lg = grid[order], lg[order]
    edges = [cuts[-1.0][1], cuts[-1.0][0], ystar, cuts[1.0][0], cuts[1.0][1]]
    grid = np.concatenate([grid] + probes)

    def rows(y: np.ndarray) -> np.ndarray:
        """w(y) = exp(logf(y) - logf(y*)), (y - y*) w and weight(y) w, for an array of y."""
        if clock is not None:
            clock.tick(max(int(y.size), 1))
        with np.errstate(all="ignore"):
            v = np.asarray(base(y), dtype=float).reshape(y.shape) - b_star + lam * (y - ystar)
        if np.any(v > 700.0):
            yb = float(y[v > 700.0][0])
            raise QuadratureFailure("overflow", f"the integrand at y = {yb:.6g} exceeds its value at the peak by "
                                                f"e^{float(np.max(v)):.3g}")
        with np.errstate(under="ignore"):
            w = np.where(v > -745.0, np.exp(np.where(v > -745.0, v, 0.0)), 0.0)   # NaN: weight 0
        out = [w, (y - ystar) * w]
        if weight is not None:
            wv = np.array([weight(float(t)) if wi > 0 else 0.0 for t, wi in zip(y.ravel(), w.ravel())])
            out.append(wv.reshape(y.shape) * w)
        return np.stack(out)

    pieces = [(a, b) for a, b in zip(edges[:-1], edges[1:]) if a < b]
    vals, errs = vec_quad(rows, pieces, grid, max_points, 3 if weight is not None else 2)
    i0, i1, e0, e1 = vals[0], vals[1], errs[0], errs[1]
    ig, eg = (vals[2], errs[2]) if weight is not None else (0.0, 0.0)
    if not (i0 > 0 and math.isfinite(i0) and math.isfinite(i1) and math.isfinite(e0 + e1)):
        raise QuadratureFailure("overflow", f"non-finite or non-positive mass ({i0!r}, {i1!r})")
    shift = i1 / i0
    mean = ystar + shift
    err = (e1 + abs(shift) * e0) / i0
    if not (math.isfinite(mean) and math.isfinite(err)):
        raise QuadratureFailure("overflow", "the mean is not finite")
    # the rounding of base: relative error `noise` of every value, so of i0, and of the mean by at
    # most 2 noise times the distance from y* to the ends of the window
    reach = max(abs(edges[1] - ystar), abs(edges[3] - ystar))
    reach = reach if math.isfinite(reach) else abs(shift)
    e0 += noise * i0
    err += 2 * noise * (reach + abs(shift))
    wmean = ig / i0
    wmean_err = (eg + abs(wmean) * e0) / i0 + 2 * noise * abs(wmean)
    if not (math.isfinite(wmean) and math.isfinite(wmean_err)):
        raise QuadratureFailure("overflow", "the weighted mean is not finite")
    return LogIntegral(m + math.log(i0), mean, err, ystar, m, math.log(i0), shift, b_star, e0 / i0,
                       wmean, wmean_err)


def scale(dist) -> float:
    """A robust scale of ``dist`` (inter-quartile range, falling back to 1)."""
    try:
        with np.errstate(all="ignore"):
            s = float(dist.ppf(0.75) - dist.ppf(0.25))
    except Exception:  # noqa: BLE001 - duck-typed laws
        s = float("nan")
    return s if math.isfinite(s) and s > 0 else 1.0


def support(dist) -> tuple[float, float]:
    try:
        lo, hi = dist.support()
        return float(lo), float(hi)
    except Exception:  # noqa: BLE001 - duck-typed laws without support()
        return -math.inf, math.inf

