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
    fields are +inf where the corresponding order statistic is. Prints as
    ``value ± stderr (order_statistic, N samples)``; ``to_dict()`` gives plain data.

    Attributes
    ----------
    value : float
        The linearly interpolated sample q-quantile.
    stderr : float
        (upper - lower)/(2 z).
    method : str
        "order_statistic".
    samples : int
        Sample size N.
    q : float
        The probability level.
    lower, upper : float
        The interval's order statistics.
    z : float
        Its half-width in standard errors of the binomial count.

    Examples
    --------
    >>> import numpy as np
    >>> from cogpower import order_statistic_ci
    >>> est = order_statistic_ci(np.arange(1.0, 1001.0), q=0.5, z=5.0)
    >>> print(est)
    500 ± 16 (order_statistic, 1000 samples)
    >>> est.lower, est.upper, est.covers(500.5)
    (420.0, 581.0, True)
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
        """Whether ``lower <= x <= upper``.

        Parameters
        ----------
        x : float
            A candidate value of the quantile (e.g. a prediction).

        Returns
        -------
        bool
            True if the interval contains ``x``.

        Examples
        --------
        >>> import numpy as np
        >>> from cogpower import order_statistic_ci
        >>> order_statistic_ci(np.arange(1.0, 101.0)).covers(1000.0)
        False
        """
        return bool(self.lower <= x <= self.upper)


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

    Parameters
    ----------
    x : array_like of real numbers
        The sample (any shape, flattened; +-inf allowed, NaN refused).
    q : float in (0, 1)
        The probability level.
    z : float >= 0.1
        Half-width of the interval in standard errors of the binomial count (5 by default:
        coverage 1 - 5.7e-7 in the normal approximation).

    Returns
    -------
    QuantileEstimate
        The sample quantile, the interval ``lower``/``upper`` and ``stderr``.

    Raises
    ------
    ValueError
        ``x`` empty or containing NaN, or too large for the memory budget; ``q`` not in (0, 1);
        ``z`` not finite or below 0.1.
    TypeError
        ``x`` not an array of real numbers; ``q`` or ``z`` not real.

    Examples
    --------
    >>> import numpy as np
    >>> est = order_statistic_ci(np.random.default_rng(0).standard_normal(10_000), q=0.5)
    >>> est.covers(0.0), est.samples
    (True, 10000)
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
    """Monte Carlo q-quantile of the average time per subtask S_n/n with an order-statistic CI.

    Simulates ``tasks`` tasks (:meth:`IndependentSteps.simulate`) and applies
    :func:`order_statistic_ci`; compare with the exact :meth:`IndependentSteps.quantile_per_subtask`.

    Parameters
    ----------
    model : IndependentSteps
        The model to simulate.
    n : int >= 1
        Subtasks per task.
    q : float in (0, 1)
        The probability level (0.5: the median).
    tasks : int >= 1
        Number of simulated tasks.
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness (SciPy SPEC 7).
    z : float >= 0.1
        Half-width of the interval in standard errors.

    Returns
    -------
    QuantileEstimate
        With ``samples = tasks``.

    Raises
    ------
    ValueError
        A parameter out of range (named), or a simulation above the draw cap or memory budget.
    TypeError
        ``model`` not an :class:`IndependentSteps`, or a parameter of the wrong type.

    Examples
    --------
    >>> from cogpower import IndependentSteps, quantile_per_subtask
    >>> m = IndependentSteps(alpha=1.0, power=2.0)
    >>> est = quantile_per_subtask(m, n=1, q=0.5, tasks=10_000, rng=0)
    >>> print(est)
    1.4167 ± 0.0065 (order_statistic, 10000 samples)
    >>> est.covers(m.median_per_subtask(1))  # the exact median 2^(1/2)
    True
    """
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
    Prints as a summary of the fractions; ``to_dict()`` gives plain data.

    Attributes
    ----------
    value : numpy.ndarray
        The fraction of tasks with S_n <= budget n, one per n.
    stderr : numpy.ndarray
        Binomial standard errors.
    method : str
        "mc".
    samples : int
        Number of tasks N.
    n : numpy.ndarray
        The numbers of subtasks.
    budget : float
        The budget per subtask B.

    Examples
    --------
    >>> from cogpower import IndependentSteps, budget_fraction
    >>> print(budget_fraction(IndependentSteps(alpha=1.0, power=2.0), 3.0, [1, 100], tasks=10_000, rng=0))
    [0.8924 ± 0.0031, 0.99050 ± 0.00097] (mc, 10000 samples)
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

    Parameters
    ----------
    model : IndependentSteps
        The model to simulate.
    budget : float > 0
        Budget per subtask B.
    n : sequence of int
        Strictly increasing numbers of subtasks, all simulated in one streamed pass.
    tasks : int >= 1
        Number of simulated tasks.
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness (SciPy SPEC 7).

    Returns
    -------
    FractionEstimate
        The fractions and their binomial standard errors, one per n.

    Raises
    ------
    ValueError
        ``budget`` not finite and > 0, ``n`` not increasing integers >= 1, ``tasks`` < 1, or a
        simulation above the draw cap or memory budget.
    TypeError
        ``model`` not an :class:`IndependentSteps`, or a parameter of the wrong type.

    Examples
    --------
    >>> from cogpower import IndependentSteps, budget_fraction
    >>> est = budget_fraction(IndependentSteps(alpha=1.0, power=2.0), 3.0, [1, 100], tasks=10_000, rng=0)
    >>> exact = 1 - 3.0 ** -2  # one subtask: P(X <= 3) = 1 - 3^-beta
    >>> bool(abs(est.value[0] - exact) < 5 * est.stderr[0])
    True
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
    """Two-sided z for a confidence ``level`` (0.95 -> 1.96).

    Parameters
    ----------
    level : float in (0, 1)
        Coverage of the two-sided normal interval.

    Returns
    -------
    float
        z with P(|N(0, 1)| <= z) = level.

    Raises
    ------
    ValueError
        ``level`` not in (0, 1).
    TypeError
        ``level`` not a real number.

    Examples
    --------
    >>> round(normal_z(0.95), 6)
    1.959964
    """
    level = _checks.probability("level", level)
    if level < 0.5:  # z = sqrt(2) erfinv(level), accurate for tiny levels
        return math.sqrt(2.0) * float(special.erfinv(level))
    return -float(special.ndtri((1.0 - level) / 2))  # (1 - level is exact for level near 1)
