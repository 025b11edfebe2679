"""Models of regressional Goodhart: distributions, degenerate errors and dependent errors.

The proxy is U = V + X with true utility V and error X (Kwa & Thomas, "When is Goodhart
catastrophic?", 2023).  Distributions are scipy frozen continuous distributions
(``scipy.stats.t(3)``); an error may also be the degenerate law :func:`point_mass` (X = c with
probability 1), which is what the dependent-error example of the paper's section 5.2 footnote
needs.  :class:`Dependent` lets the law of X depend on the value of V.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import stats

__all__ = ["PointMass", "point_mass", "Dependent", "check_distribution", "is_distribution"]

_REQUIRED = ("logpdf", "logsf", "logcdf", "sf", "cdf", "isf", "ppf", "rvs", "mean")


def is_distribution(obj: Any) -> bool:
    """True if ``obj`` is a scipy frozen continuous distribution (or quacks like one).

    A frozen ``rv_continuous`` always qualifies; other objects qualify if they have the methods
    ``logpdf, logsf, logcdf, sf, cdf, isf, ppf, rvs, mean``.  Discrete scipy laws do not.
    """
    if isinstance(obj, stats.distributions.rv_frozen):
        return isinstance(getattr(obj, "dist", None), stats.rv_continuous)
    if isinstance(obj, type):
        return False
    return all(callable(getattr(obj, m, None)) for m in _REQUIRED)


def check_distribution(name: str, obj: Any) -> Any:
    """Return ``obj`` if it is a continuous distribution (see :func:`is_distribution`), else raise
    TypeError naming the parameter ``name``."""
    if isinstance(obj, PointMass):
        raise TypeError(
            f"{name}: a point mass is only allowed as the error law returned by a Dependent "
            f"error callable, got {obj!r}"
        )
    if isinstance(obj, stats.rv_continuous) or isinstance(obj, stats.rv_discrete):
        raise TypeError(
            f"{name}: expected a frozen scipy distribution such as scipy.stats.norm(), "
            f"got the unfrozen {type(obj).__name__} (call it with its parameters)"
        )
    if not is_distribution(obj):
        raise TypeError(
            f"{name}: expected a scipy frozen continuous distribution (e.g. scipy.stats.t(3)), "
            f"got {type(obj).__name__}"
        )
    return obj


# ----------------------------------------------------------------------------- point mass
@dataclass(frozen=True)
class PointMass:
    """The degenerate law X = ``value`` with probability 1.

    It offers the cumulative methods of a scipy frozen distribution with the degenerate
    semantics, so quadrature code can treat it uniformly:
    ``cdf(x) = 1{x >= c}``, ``sf(x) = P(X > x) = 1{x < c}``, ``logsf`` / ``logcdf`` their logs
    (0 or -inf), ``ppf(q) = isf(q) = c`` for q in [0, 1], ``mean() = median() = c``,
    ``var() = std() = 0``, ``rvs`` returns c.  It has no density (no ``logpdf``).
    """

    value: float

    def __post_init__(self) -> None:
        v = self.value
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"c: expected a real number, got {type(v).__name__}")
        if not math.isfinite(float(v)):
            raise ValueError(f"c: must be finite, got {v!r}")
        object.__setattr__(self, "value", float(v))

    # cumulative functions --------------------------------------------------
    def cdf(self, x):
        return np.where(np.asarray(x, dtype=float) >= self.value, 1.0, 0.0)[()]

    def sf(self, x):
        return np.where(np.asarray(x, dtype=float) < self.value, 1.0, 0.0)[()]

    def logcdf(self, x):
        return np.where(np.asarray(x, dtype=float) >= self.value, 0.0, -np.inf)[()]

    def logsf(self, x):
        return np.where(np.asarray(x, dtype=float) < self.value, 0.0, -np.inf)[()]

    def ppf(self, q):
        q = np.asarray(q, dtype=float)
        return np.where((q >= 0) & (q <= 1), self.value, np.nan)[()]

    def isf(self, q):
        return self.ppf(q)

    # moments ---------------------------------------------------------------
    def mean(self) -> float:
        return self.value

    def median(self) -> float:
        return self.value

    def var(self) -> float:
        return 0.0

    def std(self) -> float:
        return 0.0

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def rvs(self, size=None, random_state=None):
        if size is None:
            return self.value
        return np.full(size, self.value)

    def __repr__(self) -> str:
        return f"point_mass({self.value!r})"


def point_mass(c: float) -> PointMass:
    """The degenerate law X = ``c`` with probability 1 (see :class:`PointMass`)."""
    return PointMass(c)


# ----------------------------------------------------------------------------- dependent error
def _is_error_law(obj: Any) -> bool:
    return isinstance(obj, PointMass) or is_distribution(obj)


@dataclass(frozen=True)
class Dependent:
    """Proxy U = V + X where the law of the error X depends on the true utility V.

    Parameters
    ----------
    V : scipy frozen continuous distribution
        Law of the true utility.
    error : callable
        ``error(v)`` returns the conditional law of X given V = v: a scipy frozen continuous
        distribution or :func:`point_mass` ``(c)``.  It is called with a Python float.

    Notes
    -----
    E[V | V + X >= t] = ∫ v f_V(v) P(X >= t - v | V = v) dv / ∫ f_V(v) P(X >= t - v | V = v) dv,
    the identity of Kwa & Thomas (2023, Appendix) with F̄_X replaced by the conditional
    survival function.  Example (paper §5.2 footnote): V ~ N(0, 1), X | V ~ N(0, 4) if |V| <= 1
    and X = 0 otherwise::

        Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2) if abs(v) <= 1 else point_mass(0.0))

    Construction calls ``error`` at the median of V (and at two quartiles) to validate it.
    """

    V: Any
    error: Callable[[float], Any]

    def __post_init__(self) -> None:
        check_distribution("V", self.V)
        if not callable(self.error):
            raise TypeError(f"error: expected a callable v -> distribution, got {type(self.error).__name__}")
        if isinstance(self.error, type) or is_distribution(self.error):
            raise TypeError(
                "error: expected a callable v -> distribution of X given V = v, got a distribution; "
                "use lambda v: dist for an error independent of V"
            )
        for q in (0.25, 0.5, 0.75):
            self.error_at(float(self.V.ppf(q)))

    def error_at(self, v: float) -> Any:
        """The law of X given V = ``v``, validated."""
        try:
            law = self.error(float(v))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"error: calling error({float(v)!r}) failed: {exc}") from exc
        if not _is_error_law(law):
            raise TypeError(
                f"error: error({float(v)!r}) must return a scipy frozen continuous distribution or "
                f"point_mass(c), got {type(law).__name__}"
            )
        return law
