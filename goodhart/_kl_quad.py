"""Shared pieces of the KL computations (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503):
argument checks and quadrature in log space (scipy's QUADPACK around the peak of the integrand).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable

import numpy as np
from scipy import integrate


def _check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return x


def _as_1d(name: str, value: Any) -> tuple[np.ndarray, bool]:
    arr = np.asarray(value, dtype=float) if not isinstance(value, (bool, np.bool_)) else None
    if arr is None:
        raise TypeError(f"{name}: expected real numbers, got bool")
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a number or a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return arr, scalar


def _out(arr: np.ndarray, scalar: bool):
    return float(arr[0]) if scalar else arr


def _quad(f: Callable[[float], float], a: float, b: float, points=None, max_points: int = 60) -> tuple[float, float]:
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


def _log_integrate(logf: Callable[[np.ndarray], np.ndarray], grid: np.ndarray,
                   max_points: int = 60) -> tuple[float, float, float]:
    """log ∫ exp(logf(y)) dy and the mean of y under exp(logf), by quadrature in log space.

    ``grid`` are candidate points covering the mass; the integrand is shifted by its maximum
    ``m`` at ``y*`` (refined on the grid) and split at ``y*`` and at the edges of the window where
    ``logf > m - 50``.  Returns ``(log I, mean, error bound of mean)``.
    """
    grid = np.unique(np.asarray(grid, dtype=float))
    grid = grid[np.isfinite(grid)]
    with np.errstate(all="ignore"):
        lg = np.asarray(logf(grid), dtype=float)
    lg = np.where(np.isnan(lg), -np.inf, lg)
    if not np.any(np.isfinite(lg)):
        raise ValueError("integrand: the log-integrand is -inf on the whole search grid")
    for _ in range(3):  # refine the peak between its grid neighbours
        i = int(np.argmax(lg))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        fine = np.linspace(lo, hi, 65)
        with np.errstate(all="ignore"):
            lf = np.asarray(logf(fine), dtype=float)
        lf = np.where(np.isnan(lf), -np.inf, lf)
        grid = np.concatenate([grid, fine])
        lg = np.concatenate([lg, lf])
        order = np.argsort(grid, kind="stable")
        grid, lg = grid[order], lg[order]
    i = int(np.argmax(lg))
    ystar, m = float(grid[i]), float(lg[i])
    inside = np.nonzero(lg > m - 50.0)[0]
    lo = float(grid[max(inside[0] - 1, 0)])
    hi = float(grid[min(inside[-1] + 1, grid.size - 1)])
    lo = min(lo, ystar - 1e-12 * max(1.0, abs(ystar)))
    hi = max(hi, ystar + 1e-12 * max(1.0, abs(ystar)))
    edges = [-np.inf, lo, ystar, hi, np.inf]

    def w(y: float) -> float:
        with np.errstate(all="ignore"):
            v = float(logf(np.array([y]))[0]) - m
        return math.exp(v) if v > -745.0 else 0.0

    i0 = e0 = i1 = e1 = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        if not a < b:
            continue
        v0, r0 = _quad(w, a, b, grid, max_points)
        v1, r1 = _quad(lambda y: (y - ystar) * w(y), a, b, grid, max_points)
        i0, e0, i1, e1 = i0 + v0, e0 + r0, i1 + v1, e1 + r1
    if not (i0 > 0 and math.isfinite(i0) and math.isfinite(i1)):
        raise FloatingPointError("integrand: quadrature failed (non-positive or non-finite mass)")
    mean = ystar + i1 / i0
    err = (e1 + abs(i1 / i0) * e0) / i0
    return m + math.log(i0), mean, err


def _scale(dist) -> float:
    """A robust scale of ``dist`` (inter-quartile range, falling back to 1)."""
    try:
        s = float(dist.ppf(0.75) - dist.ppf(0.25))
    except Exception:  # noqa: BLE001 - duck-typed laws
        s = float("nan")
    return s if math.isfinite(s) and s > 0 else 1.0



def check_positive_real(name: str, value: Any) -> float:
    x = _check_real(name, value)
    if not x > 0:
        raise ValueError(f"{name}: must be > 0, got {value!r}")
    return x

