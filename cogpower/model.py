"""The independent-steps model of cognitive power (Kwa 2023, LessWrong shortform).

A task of difficulty n is n serial independent subtasks. A mind of power Q knows k(Q) approaches
to each subtask (default k(Q) = Q; any increasing callable), each approach takes a time T >= 1, the
mind uses the fastest approach, and the task time is the sum over subtasks.

Time laws
---------
- ``convention="survival"`` (default): P(T > t) = t^-alpha, t >= 1. The fastest of k approaches has
  P(min > t) = t^-(k alpha): Pareto with beta = k alpha (real k allowed: the law of the minimum
  extends to any k > 0 as sf(t)^k).
- ``convention="density"``: p(t) proportional to t^-alpha on [1, inf): survival exponent alpha - 1
  (needs alpha > 1), so beta = k (alpha - 1).
- ``time=<scipy frozen continuous distribution>`` with support in [1, inf) (e.g.
  ``stats.lognorm(1, loc=1)``): the fastest of k has survival sf(t)^k. Then ``alpha`` and
  ``convention`` must be left at their defaults (they describe the power law only).

The subtask time has finite mean iff beta > 1: Q* = 1/a for k(Q) = Q (a the survival exponent).
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import integrate, optimize, stats

from tailpower._common import RNGLike, as_generator, check_int, check_positive, chunk_seeds

from . import _kernels, analytic

__all__ = ["critical_power", "survival_exponent", "IndependentSteps", "CONVENTIONS"]

CONVENTIONS = ("survival", "density")


def survival_exponent(alpha: float, convention: str = "survival") -> float:
    """Survival exponent a of one approach: alpha ("survival") or alpha - 1 ("density")."""
    alpha = check_positive("alpha", alpha)
    if convention not in CONVENTIONS:
        raise ValueError(f"convention: must be one of {CONVENTIONS}, got {convention!r}")
    if convention == "density":
        if not alpha > 1:
            raise ValueError(f"alpha: the density t^-alpha on [1, inf) needs alpha > 1, got {alpha}")
        return alpha - 1.0
    return alpha


def critical_power(alpha: float, convention: str = "survival") -> float:
    """Critical power Q* for k(Q) = Q: the subtask time has finite mean iff Q > Q*.

    Q* = 1/alpha (survival P(T > t) = t^-alpha) or 1/(alpha - 1) (density p(t) ~ t^-alpha).

    >>> critical_power(alpha=0.5)
    2.0
    """
    return 1.0 / survival_exponent(alpha, convention)


def _is_frozen_continuous(d: Any) -> bool:
    return hasattr(d, "dist") and isinstance(d.dist, stats.rv_continuous) and hasattr(d, "logsf")


@dataclass(frozen=True)
class IndependentSteps:
    """A mind of power ``power`` on tasks of independent serial subtasks.

    Parameters
    ----------
    alpha : float > 0
        Exponent of the power-law approach time (see ``convention``). Must be None when ``time`` is
        given.
    power : float > 0
        Cognitive power Q.
    convention : "survival" (default) or "density"
        P(T > t) = t^-alpha, or density proportional to t^-alpha (survival exponent alpha - 1).
    approaches : callable Q -> k, optional
        Number of approaches per subtask (default k(Q) = Q). Real k > 0 is allowed.
    time : scipy frozen continuous distribution, optional
        Any approach-time law with support in [1, inf), instead of the power law.

    Examples
    --------
    >>> IndependentSteps(alpha=1.0, power=0.5).simulate(n=1000, tasks=10_000, rng=0).shape
    (10000,)
    """

    alpha: float | None = None
    power: float = 1.0
    convention: str = "survival"
    approaches: Callable[[float], float] | None = None
    time: Any = None

    def __post_init__(self) -> None:
        check_positive("power", self.power)
        if self.convention not in CONVENTIONS:
            raise ValueError(f"convention: must be one of {CONVENTIONS}, got {self.convention!r}")
        if self.approaches is not None and not callable(self.approaches):
            raise TypeError(f"approaches: expected a callable Q -> k, got {type(self.approaches).__name__}")
        if self.time is None:
            if self.alpha is None:
                raise ValueError("alpha: required unless a time law is given with time=")
            survival_exponent(self.alpha, self.convention)
        else:
            if self.alpha is not None:
                raise ValueError("alpha: give either alpha (power-law time) or time= (a scipy law), not both")
            if self.convention != "survival":
                raise ValueError("convention: applies to the power-law time only; leave it with time=")
            if not _is_frozen_continuous(self.time):
                raise TypeError(f"time: expected a scipy frozen continuous distribution, got {type(self.time).__name__}")
            lo = float(self.time.support()[0])
            if not lo >= 1:
                raise ValueError(f"time: support must lie in [1, inf), got lower end {lo}")
        k = self.k
        if not (math.isfinite(k) and k > 0):
            raise ValueError(f"approaches: k(Q) must be finite and > 0, got {k}")

    # ------------------------------------------------------------------ parameters
    @property
    def k(self) -> float:
        """Number of approaches per subtask, k(Q)."""
        k = float(self.power) if self.approaches is None else self.approaches(self.power)
        if isinstance(k, bool) or not isinstance(k, numbers.Real):
            raise TypeError(f"approaches: k(Q) must be a real number, got {type(k).__name__}")
        return float(k)

    @property
    def survival_exponent(self) -> float | None:
        """a with P(T > t) = t^-a for one approach (None for a general time law)."""
        return None if self.time is not None else survival_exponent(self.alpha, self.convention)

    @property
    def beta(self) -> float | None:
        """Tail exponent of the fastest approach, k(Q) a (None for a general time law)."""
        a = self.survival_exponent
        return None if a is None else self.k * a

    @property
    def critical_power(self) -> float | None:
        """Q* solving k(Q*) a = 1 (k must be increasing); None for a general time law.

        For k(Q) = Q this is :func:`critical_power`; for a callable k it is found by root-finding.
        """
        a = self.survival_exponent
        if a is None:
            return None
        if self.approaches is None:
            return 1.0 / a
        g = lambda q: self.approaches(q) * a - 1.0  # noqa: E731
        lo, hi = 1e-12, 1.0
        while g(hi) < 0:
            hi *= 2
            if hi > 1e300:
                raise ValueError("approaches: k(Q) a stays below 1 for all Q; no critical power")
        if g(lo) > 0:
            raise ValueError("approaches: k(Q) a > 1 already at Q -> 0; no critical power")
        return optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-13)

    @property
    def regime(self) -> str:
        """"subcritical" (beta < 1: infinite mean), "critical" (beta = 1), "supercritical" (beta > 1).

        For a general time law: "supercritical" if the mean is finite, else "subcritical".
        """
        if self.beta is not None:
            return analytic.regime(self.beta)
        return "supercritical" if math.isfinite(self.mean_subtask_time) else "subcritical"

    # ------------------------------------------------------------------ analytics
    @property
    def mean_subtask_time(self) -> float:
        """E[min of k approach times]: beta/(beta-1) or inf (power law); else 1 + int_1^inf sf^k.

        For a general time law E[X] = lo + int_lo^inf sf(t)^k dt (lo >= 1 the lower support end),
        by quadrature in t = lo + e^w up to t = e^700 plus a power-law tail with the local slope
        there; divergence is declared when the log-log slope of sf^k between t = e^350 and e^700 is
        >= -1 (the tail decays no faster than 1/t).
        """
        if self.beta is not None:
            return analytic.subtask_mean(self.beta)
        d, k = self.time, self.k
        lo = float(d.support()[0])
        g = lambda w: k * float(d.logsf(lo + math.exp(w)))  # noqa: E731  log sf^k at t = lo + e^w
        # far-tail slope; some scipy laws compute logsf as log(sf) and underflow to -inf early, so
        # step back to the farthest pair of points where logsf is finite
        w2, slope = 700.0, -math.inf
        while w2 > 10:
            g1, g2 = g(w2 / 2), g(w2)
            if math.isfinite(g1) and math.isfinite(g2):
                slope = (g2 - g1) / (w2 / 2)
                break
            w2 /= 2
        if slope >= -1.0:
            return math.inf
        f = lambda w: math.exp(w + g(w))  # noqa: E731
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            edges = [e for e in (-50.0, 0.0, 10.0, 100.0) if e < w2] + [w2]
            val = sum(integrate.quad(f, p, q, limit=400)[0] for p, q in zip(edges[:-1], edges[1:]))
        if math.isfinite(g2):  # power-law tail beyond e^w2 with the local slope: T sf^k(T)/(-slope-1)
            val += math.exp(w2 + g2) / (-slope - 1.0)
        return lo + val

    def quantile_per_subtask(self, n: int, q: float, method: str = "asymptotic") -> float:
        """Predicted q-quantile of the average time per subtask S_n/n (power-law time only).

        See :func:`cogpower.analytic.quantile_per_subtask` for the asymptotics per regime.
        """
        if self.beta is None:
            raise ValueError("time: predictions of S_n/n are implemented for the power-law time only")
        return analytic.quantile_per_subtask(n, q, self.beta, method)

    def median_per_subtask(self, n: int, method: str = "asymptotic") -> float:
        """Predicted median of S_n/n (see :meth:`quantile_per_subtask`)."""
        return self.quantile_per_subtask(n, 0.5, method)

    def quartiles_per_subtask(self, n: int, method: str = "asymptotic") -> tuple[float, float]:
        """Predicted lower and upper quartiles of S_n/n (the fluctuation scale)."""
        return self.quantile_per_subtask(n, 0.25, method), self.quantile_per_subtask(n, 0.75, method)

    # ------------------------------------------------------------------ simulation
    def simulate(self, n: int, tasks: int, rng: RNGLike = None, method: str = "direct") -> np.ndarray:
        """Total times S_n of ``tasks`` independent tasks of ``n`` subtasks.

        Parameters
        ----------
        n, tasks : int >= 1
        rng : Generator | int | SeedSequence | None
        method : "direct" (one uniform per subtask, T = U^(-1/beta)) or "naive" (draws all k
            approaches and keeps the fastest; integer k, power-law time only). A general time law
            uses T = F^-1 of the minimum's law, sf(T) = U^(1/k), vectorised in blocks.

        Returns
        -------
        ndarray of shape (tasks,). Memory is O(tasks): sums are streamed.
        """
        return self.simulate_path([n], tasks, rng, method)[0] if self.time is not None else self._simulate_pl(n, tasks, rng, method)

    def _simulate_pl(self, n, tasks, rng, method):
        n = check_int("n", n)
        tasks = check_int("tasks", tasks)
        seeds = chunk_seeds(rng, _kernels.n_chunks(tasks))
        out = np.empty(tasks)
        if method == "direct":
            return _kernels.direct_checkpoints(np.array([n], dtype=np.int64), self.beta, seeds, out[None, :])[0]
        if method == "naive":
            k = self.k
            if not float(k).is_integer():
                raise ValueError(f"method: 'naive' needs an integer number of approaches, k = {k}")
            return _kernels.naive_sums(n, int(k), self.survival_exponent, seeds, out)
        raise ValueError(f"method: must be 'direct' or 'naive', got {method!r}")

    def simulate_path(self, checkpoints, tasks: int, rng: RNGLike = None, method: str = "direct") -> np.ndarray:
        """Partial sums S_n at increasing ``checkpoints`` n_1 < n_2 < ..., in one streamed pass.

        Returns an array of shape (len(checkpoints), tasks).
        """
        cp = np.asarray(checkpoints)
        if cp.ndim != 1 or cp.size == 0 or not np.issubdtype(cp.dtype, np.number):
            raise ValueError("checkpoints: expected a non-empty 1-d sequence of integers")
        cp_int = np.array([check_int("checkpoints", float(c)) for c in cp], dtype=np.int64)
        if np.any(np.diff(cp_int) <= 0):
            raise ValueError("checkpoints: must be strictly increasing")
        tasks = check_int("tasks", tasks)
        if method != "direct":
            raise ValueError(f"method: simulate_path supports 'direct' only, got {method!r}")
        out = np.empty((cp_int.size, tasks))
        if self.time is None:
            seeds = chunk_seeds(rng, _kernels.n_chunks(tasks))
            return _kernels.direct_checkpoints(cp_int, self.beta, seeds, out)
        gen = as_generator(rng)
        d, k = self.time, self.k
        rows = max(1, (1 << 20) // tasks)
        s = np.zeros(tasks)
        done = 0
        for j, c in enumerate(cp_int):
            while done < c:
                b = int(min(rows, c - done))
                logp = np.log1p(-gen.random((b, tasks))) / k  # log sf(T) = log(U)/k, U in (0, 1]
                p = np.exp(logp)
                with np.errstate(divide="ignore"):
                    x = np.where(p > 0.5, d.ppf(-np.expm1(logp)), d.isf(p))
                s += x.sum(axis=0)
                done += b
            out[j] = s
        return out
