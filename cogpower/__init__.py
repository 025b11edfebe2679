"""cogpower: the independent-steps model of cognitive power (Kwa 2023, LessWrong shortform).

A task is n serial independent subtasks; a mind of power Q knows k(Q) approaches per subtask
(default k = Q), each approach takes a heavy-tailed time T >= 1 and the mind uses the fastest.
With P(T > t) = t^-alpha the fastest of k is Pareto(k alpha), so below the critical power
Q* = 1/alpha the per-subtask time has infinite mean and median(S_n/n) grows without bound.

>>> import cogpower as cp
>>> cp.critical_power(alpha=0.5)
2.0
>>> cp.IndependentSteps(alpha=1.0, power=0.5).simulate(n=1000, tasks=10_000, rng=0).shape
(10000,)
"""

from . import analytic
from .analytic import stable_cdf, stable_quantile, stable_scale
from .estimators import (
    FractionEstimate,
    QuantileEstimate,
    budget_fraction,
    order_statistic_ci,
    quantile_per_subtask,
)
from .model import CONVENTIONS, IndependentSteps, critical_power, survival_exponent

__all__ = [
    "CONVENTIONS",
    "FractionEstimate",
    "IndependentSteps",
    "QuantileEstimate",
    "analytic",
    "budget_fraction",
    "critical_power",
    "order_statistic_ci",
    "quantile_per_subtask",
    "stable_cdf",
    "stable_quantile",
    "stable_scale",
    "survival_exponent",
]

from tailpower import __version__  # noqa: E402,F401 -- one version for the whole distribution
