"""Log densities and log tails of the laws in the selection integrals, and where they are lossy
(private).

The log-space quadrature of Kwa & Thomas's identity needs log f_V and log F̄_X far below the
double-precision range of f and F̄.  Many scipy laws compute them as log(pdf) or log(sf), which
underflow to -inf (or lose their digits) once the value drops below about 1e-300: gamma and
chi2 (log F̄), Laplace (both), Gumbel (log F̄).  Integrating such values silently drops the mass
and returns a wrong number (E[V | V + X >= 1000] for N(0,1) utility and Laplace error came out
256 instead of 1).  This module

- gives exact log functions for the registered families whose scipy versions are lossy (Laplace,
  Gumbel), written with the location and scale of the frozen law;
- detects, by probing the tail, whether a law's log function is lossy: going outwards in steps of
  2x, a lossy function jumps from above log(1e-300) to -inf inside the support, an exact one keeps
  decreasing smoothly (a normal's log density goes from -690 to -2738);

so that :class:`goodhart._selection_problem.Problem` can refuse, naming the law, where the
integral would depend on values below 1e-300 (docs/contract.md: never a wrong number).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

#: values of a lossy log function below this are not trusted: log(sf) of a subnormal sf has relative
#: precision 5e-324 / sf, 2.5e-13 at e^-715, and is -inf below 5e-324
LOSSY_BELOW = -715.0


def _loc_scale(law) -> tuple[float, float] | None:
    try:
        shapes, loc, scale = law.dist._parse_args(*law.args, **law.kwds)
        return float(loc), float(scale)
    except Exception:
        return None


def _laplace(loc: float, scale: float, name: str) -> Callable:
    def logpdf(x):
        z = (np.asarray(x, float) - loc) / scale
        return -math.log(2.0 * scale) - np.abs(z)

    def logsf(x):
        z = (np.asarray(x, float) - loc) / scale
        with np.errstate(over="ignore"):
            return np.where(z >= 0, math.log(0.5) - np.abs(z), np.log1p(-0.5 * np.exp(-np.abs(z))))

    def logcdf(x):
        return logsf(2 * loc - np.asarray(x, float))

    return {"logpdf": logpdf, "logsf": logsf, "logcdf": logcdf}[name]


def _gumbel_r_logsf(loc: float, scale: float) -> Callable:
    def logsf(x):
        z = (np.asarray(x, float) - loc) / scale
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            w = np.exp(-z)                                   # F̄ = 1 - exp(-w) = -expm1(-w)
            small = w < 1e-8                                 # log(w - w^2/2 + ...) = -z + log1p(-w/2)
            big = w > 1.0                                    # log(1 - e^-w), no cancellation
            mid = np.log(-np.expm1(-np.where(small | big, 1.0, w)))
            return np.where(small, -z + np.log1p(-w / 2), np.where(big, np.log1p(-np.exp(-w)), mid))
    return logsf


def log_function(law, name: str) -> Callable:
    """``law``'s ``name`` ("logpdf", "logsf" or "logcdf"), exact where scipy's is lossy and the
    family is one of the registered ones (Laplace; Gumbel's logsf), else the law's own."""
    dist = getattr(law, "dist", None)
    family = getattr(dist, "name", None)
    ls = _loc_scale(law) if family in ("laplace", "gumbel_r") else None
    if ls is not None and family == "laplace":
        return _laplace(*ls, name)
    if ls is not None and family == "gumbel_r" and name == "logsf":
        return _gumbel_r_logsf(*ls)
    return getattr(law, name)


def is_lossy(fn: Callable, law, side: int) -> bool:
    """Whether ``fn`` (a log density or log tail of ``law``) underflows to -inf inside the support on
    the ``side`` (+1 right, -1 left) tail: a jump from a moderate value to -inf within one step of 2x."""
    try:
        lo, hi = (float(a) for a in law.support())
        with np.errstate(all="ignore"):
            med = float(law.median())
            spread = float(law.ppf(0.75)) - float(law.ppf(0.25))
    except Exception:
        return False
    if not (math.isfinite(med) and math.isfinite(spread) and spread > 0):
        return False
    with np.errstate(over="ignore"):
        steps = spread * 2.0 ** np.arange(0, 1030, dtype=float)
        x = med + side * steps
    x = x[np.isfinite(x) & (x > lo) & (x < hi)]
    if x.size < 2:
        return False
    with np.errstate(all="ignore"):
        try:
            y = np.asarray(fn(x), dtype=float)
        except Exception:
            return False
    # an exact log function cannot fall from above -1e4 to below -1.8e308 in one step of 2x
    jump = (y[:-1] > -1e4) & (y[1:] == -np.inf)
    return bool(np.any(jump))
