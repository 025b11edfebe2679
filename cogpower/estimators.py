"""Estimators of the independent-steps model: sample quantiles with order-statistic confidence
intervals, budget fractions, Monte Carlo means. Each returns a frozen result dataclass with at least
``value``, ``stderr``, ``method`` and ``samples``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from tailpower._common import RNGLike, check_int, check_positive

from .model import IndependentSteps

__all__ = ["QuantileEstimate", "order_statistic_ci", "quantile_per_subtask", "budget_fraction", "FractionEstimate"]


@dataclass(frozen=True)
class QuantileEstimate:
    """A sample q-quantile with a distribution-free order-statistic interval.

    ``lower``/``upper`` are the order statistics X_(j), X_(k) with j, k = N q -/+ z sqrt(N q (1-q))
    (normal approximation of the binomial count below the true quantile); ``stderr`` is
    (upper - lower)/(2 z), the order-statistic standard error.
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


def order_statistic_ci(x, q: float = 0.5, z: float = 5.0) -> QuantileEstimate:
    """Sample q-quantile of ``x`` with the order-statistic interval at ``z`` standard errors.

    P(X_(j) <= xi_q <= X_(k)) ~ Phi(z) - Phi(-z) for j = floor(Nq - z s) and k = ceil(Nq + z s),
    s = sqrt(N q (1-q)), whatever the law of X (heavy tails included).
    """
    x = np.sort(np.asarray(x, dtype=float).ravel())
    n = x.size
    if n < 1:
        raise ValueError("x: needs at least one sample")
    q = float(q)
    if not 0 < q < 1:
        raise ValueError(f"q: must be in (0, 1), got {q}")
    z = check_positive("z", z)
    s = math.sqrt(n * q * (1 - q))
    j = max(0, int(math.floor(n * q - z * s)) - 1)
    k = min(n - 1, int(math.ceil(n * q + z * s)))
    value = float(np.quantile(x, q))
    lo, hi = float(x[j]), float(x[k])
    return QuantileEstimate(value, (hi - lo) / (2 * z), "order_statistic", n, q, lo, hi, z)


def quantile_per_subtask(model: IndependentSteps, n: int, q: float = 0.5, tasks: int = 10_000,
                         rng: RNGLike = None, z: float = 5.0) -> QuantileEstimate:
    """Monte Carlo q-quantile of the average time per subtask S_n/n with an order-statistic CI."""
    n = check_int("n", n)
    return order_statistic_ci(model.simulate(n, tasks, rng) / n, q, z)


@dataclass(frozen=True)
class FractionEstimate:
    """Fractions of tasks finished within a budget, one per n (binomial standard errors)."""

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
    below Q* it tends to 0 for every budget (S_n/n grows without bound).
    """
    budget = check_positive("budget", budget)
    ns = np.atleast_1d(np.asarray(n))
    tasks = check_int("tasks", tasks)
    paths = model.simulate_path(ns, tasks, rng)
    p = np.mean(paths <= budget * ns.astype(float)[:, None], axis=1)
    return FractionEstimate(p, np.sqrt(p * (1 - p) / tasks), "mc", tasks, ns.astype(np.int64), budget)


def normal_z(level: float) -> float:
    """Two-sided z for a confidence ``level`` (0.95 -> 1.96)."""
    return float(special.ndtri(0.5 + level / 2))
