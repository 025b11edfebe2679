"""Estimators of the independent-steps model: sample quantiles with order-statistic confidence
intervals, budget fractions, Monte Carlo means. Each returns a frozen result dataclass with at least
``value``, ``stderr``, ``method`` and ``samples``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from tailpower._common import RNGLike, check_memory
from tailpower._results import ResultMixin

from . import _checks
from .model import IndependentSteps

__all__ = ["QuantileEstimate", "order_statistic_ci", "quantile_per_subtask", "budget_fraction", "FractionEstimate",
           "normal_z"]


@dataclass(frozen=True)
class QuantileEstimate(ResultMixin):
    """A sample q-quantile with a distribution-free order-statistic interval.

    ``lower``/``upper`` are the order statistics X_(j), X_(k) with j, k = N q -/+ z sqrt(N q (1-q))
    (normal approximation of the binomial count below the true quantile); ``stderr`` is
    (upper - lower)/(2 z), the order-statistic standard error. Samples beyond the float range
    (+inf, e.g. sums of tiny-beta subtask times) are order statistics like any other, so these
    fields are +inf where the corresponding order statistic is.
    """

    value: float
    stderr: float
    method: str
    samples: int
    q: float
    lower: float
    upper: float
    z: float

    def covers(self, x: float) -> bool:
        return self.lower <= x <= self.upper


def _sample(x) -> np.ndarray:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"x: expected an array of real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"x: expected an array of real numbers ({exc})") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"x: expected an array of real numbers, got dtype {arr.dtype}")
    if arr.size < 1:
        raise ValueError("x: needs at least one sample")
    check_memory("x", 16.0 * arr.size, f"sorting {arr.size} samples")
    arr = np.sort(arr.astype(float, copy=True).ravel())
    if np.isnan(arr[-1]):
        raise ValueError("x: contains NaN")
    return arr


def _interpolate(x: np.ndarray, q: float) -> float:
    """The linearly interpolated sample quantile (numpy's default), without the NaN that
    interpolating between infinities gives."""
    pos = (x.size - 1) * q
    lo = int(math.floor(pos))
    hi = min(lo + 1, x.size - 1)
    frac = pos - lo
    a, b = float(x[lo]), float(x[hi])
    if frac == 0 or a == b:
        return a
    if not (math.isfinite(a) and math.isfinite(b)):
        return b
    return a + (b - a) * frac


def order_statistic_ci(x, q: float = 0.5, z: float = 5.0) -> QuantileEstimate:
    """Sample q-quantile of ``x`` with the order-statistic interval at ``z`` standard errors.

    P(X_(j) <= xi_q <= X_(k)) ~ Phi(z) - Phi(-z) for j = floor(Nq - z s) and k = ceil(Nq + z s),
    s = sqrt(N q (1-q)), whatever the law of X (heavy tails included). Intervals reaching past the
    sample are cut at its extremes. z >= 0.1 (a narrower interval is a single order statistic and
    its (upper - lower)/(2 z) no standard error).
    """
    q = _checks.probability("q", q)
    z = _checks.positive("z", z)
    if not z >= 0.1:  # below, the interval is one order statistic wide and stderr meaningless
        raise ValueError(f"z: must be >= 0.1 standard errors, got {z!r}")
    x = _sample(x)
    n = x.size
    s = math.sqrt(n * q * (1 - q))
    lo_f, hi_f = n * q - z * s, n * q + z * s
    j = max(0, int(math.floor(lo_f)) - 1) if lo_f >= 1 else 0
    k = min(n - 1, int(math.ceil(hi_f))) if hi_f < n else n - 1
    lo, hi = float(x[j]), float(x[k])
    stderr = 0.0 if lo == hi else (hi - lo) / z / 2  # (not / (2 z): 2 z overflows for z near 1.8e308)
    return QuantileEstimate(_interpolate(x, q), stderr, "order_statistic", n, q, lo, hi, z)


def _check_model(model) -> IndependentSteps:
    if not isinstance(model, IndependentSteps):
        raise TypeError(f"model: expected a cogpower.IndependentSteps, got {type(model).__name__}")
    return model


def quantile_per_subtask(model: IndependentSteps, n: int, q: float = 0.5, tasks: int = 10_000,
                         rng: RNGLike = None, z: float = 5.0) -> QuantileEstimate:
    """Monte Carlo q-quantile of the average time per subtask S_n/n with an order-statistic CI."""
    model = _check_model(model)
    n = _checks.count("n", n)
    q = _checks.probability("q", q)
    z = _checks.positive("z", z)
    if not z >= 0.1:
        raise ValueError(f"z: must be >= 0.1 standard errors, got {z!r}")
    tasks = _checks.count("tasks", tasks)
    return order_statistic_ci(model.simulate(n, tasks, rng) / n, q, z)


@dataclass(frozen=True)
class FractionEstimate(ResultMixin):
    """Fractions of tasks finished within a budget, one per n.

    ``stderr`` is the binomial standard error sqrt(p (1-p)/N) at p = (K + 1/2)/(N + 1) (K tasks
    within budget out of N), which stays positive when no task, or every task, is within budget.
    """

    value: np.ndarray
    stderr: np.ndarray
    method: str
    samples: int
    n: np.ndarray
    budget: float


def budget_fraction(model: IndependentSteps, budget: float, n, tasks: int = 10_000,
                    rng: RNGLike = None) -> FractionEstimate:
    """P(S_n <= budget * n) for each n in ``n`` (increasing), from one streamed simulation pass.

    Above Q* (finite mean mu) the fraction tends to 1 for budget > mu and to 0 for budget < mu;
    below Q* it tends to 0 for every budget (S_n/n grows without bound). Since S_n >= n, a budget
    below 1 is never met.
    """
    model = _check_model(model)
    budget = _checks.positive("budget", budget)
    ns = _checks.counts("n", n)
    tasks = _checks.count("tasks", tasks)
    paths = model._path(ns, tasks, rng, "n")
    hits = np.array([np.count_nonzero(row <= budget * float(m)) for row, m in zip(paths, ns)])  # no temporary
    p = hits / tasks
    pt = (hits + 0.5) / (tasks + 1.0)
    return FractionEstimate(p, np.sqrt(pt * (1 - pt) / tasks), "mc", tasks, ns, budget)


def normal_z(level: float) -> float:
    """Two-sided z for a confidence ``level`` (0.95 -> 1.96)."""
    level = _checks.probability("level", level)
    if level < 0.5:  # z = sqrt(2) erfinv(level), accurate for tiny levels
        return math.sqrt(2.0) * float(special.erfinv(level))
    return -float(special.ndtri((1.0 - level) / 2))  # (1 - level is exact for level near 1)
