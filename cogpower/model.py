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
Simulations are refused above MAX_DRAWS random draws (hours of compute) and when their output
would not fit the memory budget (docs/contract.md); below that they run in short compiled calls
that Ctrl-C interrupts.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import optimize, stats

from tailpower._common import RNGLike, as_generator, check_memory, chunk_seeds

from . import _checks, _kernels, _timelaw, analytic

__all__ = ["critical_power", "survival_exponent", "IndependentSteps", "CONVENTIONS", "MAX_DRAWS"]

CONVENTIONS = ("survival", "density")
#: most random draws one simulation may take (about 10^12: tens of minutes on two cores)
MAX_DRAWS = 2**40
#: draws per compiled call (split over the chunks), so that one call takes a fraction of a second
_CALL_DRAWS = 2**27


def _budget(tasks: int, per_draw: int = 1) -> int:
    """Draws (subtasks for "naive") per chunk and call."""
    return max(1, _CALL_DRAWS // (per_draw * _kernels.n_chunks(tasks)))


def survival_exponent(alpha: float, convention: str = "survival") -> float:
    """Survival exponent a of one approach, P(T > t) = t^-a: alpha ("survival") or alpha - 1 ("density").

    The two readings of Kwa's (2023) power-law approach time (see the module docstring).

    Parameters
    ----------
    alpha : float > 0
        The power-law exponent.
    convention : {"survival", "density"}
        P(T > t) = t^-alpha, or a density proportional to t^-alpha on [1, inf) (then alpha > 1).

    Returns
    -------
    float
        The survival exponent a > 0.

    Raises
    ------
    ValueError
        ``alpha`` not finite and > 0 (or not > 1 for "density"); ``convention`` unknown.
    TypeError
        ``alpha`` not a real number, ``convention`` not a string.

    Examples
    --------
    >>> survival_exponent(2.5), survival_exponent(2.5, "density")
    (2.5, 1.5)
    """
    alpha = _checks.positive("alpha", alpha)
    convention = _checks.choice("convention", convention, CONVENTIONS)
    if convention == "density":
        if not alpha > 1:
            raise ValueError(f"alpha: the density t^-alpha on [1, inf) needs alpha > 1, got {alpha!r}")
        return alpha - 1.0
    return alpha


def critical_power(alpha: float, convention: str = "survival") -> float:
    """Critical power Q* for k(Q) = Q: the subtask time has finite mean iff Q > Q*.

    Q* = 1/alpha (survival P(T > t) = t^-alpha) or 1/(alpha - 1) (density p(t) ~ t^-alpha): the
    fastest of k approaches is Pareto with exponent beta = k a, whose mean beta/(beta - 1) is
    finite iff beta > 1 (Kwa 2023's threshold).

    Parameters
    ----------
    alpha : float > 0
        The power-law exponent of one approach's time.
    convention : {"survival", "density"}
        As in :func:`survival_exponent`.

    Returns
    -------
    float
        Q* = 1/a, a the survival exponent.

    Raises
    ------
    ValueError
        As :func:`survival_exponent`; also when 1/a overflows (a below 5.6e-309).
    TypeError
        ``alpha`` not a real number, ``convention`` not a string.

    Examples
    --------
    >>> critical_power(alpha=0.5)
    2.0
    >>> critical_power(alpha=2.0, convention="density")
    1.0
    """
    a = survival_exponent(alpha, convention)
    q = 1.0 / a
    if not math.isfinite(q):
        raise ValueError(f"alpha: Q* = 1/{a!r} is beyond the float range (a survival exponent below 5.6e-309)")
    return q


def _is_frozen_continuous(d: Any) -> bool:
    return hasattr(d, "dist") and isinstance(d.dist, stats.rv_continuous) and hasattr(d, "logsf")


def _call_k(approaches, q: float) -> float:
    try:
        k = approaches(q)
    except Exception as exc:  # a user callable: its failure is reported as a bad argument
        raise ValueError(f"approaches: k(Q) raised {type(exc).__name__} at Q = {q!r}: {exc}") from exc
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Real):
        raise TypeError(f"approaches: k(Q) must be a real number, got {type(k).__name__}")
    return float(k)


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

    Raises
    ------
    ValueError
        A parameter outside its range (the message names it): ``alpha`` missing or not > 0,
        ``power`` not > 0, k(Q) not finite and > 0, a time law whose support starts below 1, both
        ``alpha`` and ``time`` given.
    TypeError
        A parameter of the wrong type (``approaches`` not callable, ``time`` not a scipy law).

    Examples
    --------
    >>> m = IndependentSteps(alpha=1.0, power=0.5)
    >>> m.beta, m.regime, m.critical_power
    (0.5, 'subcritical', 1.0)
    >>> m.simulate(n=1000, tasks=10_000, rng=0).shape
    (10000,)
    >>> IndependentSteps(alpha=1.0, power=3.0).mean_subtask_time  # beta/(beta - 1)
    1.5
    """

    alpha: float | None = None
    power: float = 1.0
    convention: str = "survival"
    approaches: Callable[[float], float] | None = None
    time: Any = None

    def __post_init__(self) -> None:
        _checks.positive("power", self.power)
        _checks.choice("convention", self.convention, CONVENTIONS)
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
            lo = _timelaw.lower_end(self.time)
            if not lo >= 1:
                raise ValueError(f"time: support must lie in [1, inf), got lower end {lo}")
        k = self.k
        if not (math.isfinite(k) and k > 0):
            raise ValueError(f"approaches: k(Q) must be finite and > 0, got {k}")
        if self.time is None:
            b = k * survival_exponent(self.alpha, self.convention)
            if not (math.isfinite(b) and b > 0):
                raise ValueError(f"power: beta = k(Q) a = {k!r} * {survival_exponent(self.alpha, self.convention)!r} "
                                 f"is {b!r}, outside the positive floats")

    # ------------------------------------------------------------------ parameters
    @property
    def k(self) -> float:
        """Number of approaches per subtask, k(Q)."""
        return float(self.power) if self.approaches is None else _call_k(self.approaches, float(self.power))

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

        For k(Q) = Q this is :func:`critical_power`; for a callable k it is found by root-finding
        on [1e-12, 1e300] (at most about 1000 evaluations of k).
        """
        a = self.survival_exponent
        if a is None:
            return None
        if self.approaches is None:
            q = 1.0 / a
            if not math.isfinite(q):
                raise ValueError(f"alpha: Q* = 1/{a!r} is beyond the float range")
            return q

        def g(q):
            v = _call_k(self.approaches, q) * a - 1.0
            if math.isnan(v):
                raise ValueError(f"approaches: k(Q) is nan at Q = {q!r}")
            return v

        lo, hi = 1e-12, 1.0
        while g(hi) < 0:
            hi *= 2
            if hi > 1e300:
                raise ValueError("approaches: k(Q) a stays below 1 for all Q; no critical power")
        if g(lo) > 0:
            raise ValueError("approaches: k(Q) a > 1 already at Q -> 0; no critical power")
        return optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-13, maxiter=500)

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
        there; +inf when the log-log slope of sf^k between t = e^350 and e^700 is >= -1 (the tail
        decays no faster than 1/t: the mean is infinite or, for a tail that steepens only beyond
        e^700, beyond the float range).
        """
        if self.beta is not None:
            return analytic.subtask_mean(self.beta)
        return _timelaw.mean_of_min(self.time, self.k)

    def quantile_per_subtask(self, n: int, q: float, method: str = "auto") -> float:
        """The q-quantile of the mean time per subtask S_n/n (power-law time only).

        Parameters
        ----------
        n : int >= 1
            Subtasks per task.
        q : float in (0, 1)
            The probability level.
        method : {"auto", "exact", "asymptotic"}
            See :func:`cogpower.analytic.quantile_per_subtask`.

        Returns
        -------
        float
            The quantile (>= 1), relative error below 1e-6 by its error estimate ("exact").

        Raises
        ------
        ValueError
            For a general time law (``time``), and as :func:`cogpower.analytic.quantile_per_subtask`.

        Examples
        --------
        >>> m = IndependentSteps(alpha=1.0, power=2.0)
        >>> round(m.quantile_per_subtask(1, 0.5), 12)  # (1 - q)^(-1/beta) for one subtask
        1.414213562373
        """
        if self.beta is None:
            raise ValueError("time: predictions of S_n/n are implemented for the power-law time only")
        return analytic.quantile_per_subtask(n, q, self.beta, method)

    def median_per_subtask(self, n: int, method: str = "auto") -> float:
        """The median of S_n/n (see :meth:`quantile_per_subtask`).

        Parameters
        ----------
        n : int >= 1
            Subtasks per task.
        method : {"auto", "exact", "asymptotic"}
            See :func:`cogpower.analytic.quantile_per_subtask`.

        Returns
        -------
        float
            The median of S_n/n.

        Raises
        ------
        ValueError
            As :meth:`quantile_per_subtask`.

        Examples
        --------
        >>> IndependentSteps(alpha=1.0, power=0.5).median_per_subtask(1)  # 2^(1/beta)
        4.0
        """
        return self.quantile_per_subtask(n, 0.5, method)

    def quartiles_per_subtask(self, n: int, method: str = "auto") -> tuple[float, float]:
        """The lower and upper quartiles of S_n/n (the fluctuation scale).

        Parameters
        ----------
        n : int >= 1
            Subtasks per task.
        method : {"auto", "exact", "asymptotic"}
            See :func:`cogpower.analytic.quantile_per_subtask`.

        Returns
        -------
        tuple of float
            The 0.25- and 0.75-quantiles of S_n/n.

        Raises
        ------
        ValueError
            As :meth:`quantile_per_subtask`.

        Examples
        --------
        >>> lo, hi = IndependentSteps(alpha=1.0, power=1.0).quartiles_per_subtask(1)
        >>> round(lo, 12), round(hi, 12)  # 1/(1 - q) for beta = 1
        (1.333333333333, 4.0)
        """
        return self.quantile_per_subtask(n, 0.25, method), self.quantile_per_subtask(n, 0.75, method)

    # ------------------------------------------------------------------ simulation
    def simulate(self, n: int, tasks: int, rng: RNGLike = None, method: str = "direct") -> np.ndarray:
        """Total times S_n of ``tasks`` independent tasks of ``n`` subtasks.

        Parameters
        ----------
        n, tasks : int >= 1
            Subtasks per task and number of tasks; n x tasks (x k for "naive") at most MAX_DRAWS
            draws.
        rng : numpy.random.Generator, int, SeedSequence or None
            Randomness (SciPy SPEC 7).
        method : {"direct", "naive"}
            "direct": one uniform per subtask, T = U^(-1/beta); "naive": draws all k approaches
            and keeps the fastest (integer k, power-law time only). A general time law uses
            T = F^-1 of the minimum's law, sf(T) = U^(1/k), vectorised in blocks.

        Returns
        -------
        numpy.ndarray
            Shape (tasks,). Memory is O(tasks): sums are streamed. A sum beyond the float range
            (beta below about 0.05: a single draw can exceed 1.8e308) is +inf; the true sum is
            then indeed larger than any float. Power-law draws are exact functions of 53-bit
            uniforms U in (0, 1] up to a relative error (4 + 4 log2 T) 2^-53 per draw T
            (cogpower._pareto); the same ``rng`` gives the same bits at any thread count
            (``numba.set_num_threads``).

        Raises
        ------
        ValueError
            ``n`` or ``tasks`` below 1 or above the draw cap; ``tasks`` when the output exceeds
            the memory budget; ``method`` unknown or "naive" with a non-integer k or a time law.
        TypeError
            ``n``/``tasks`` not integers, ``rng`` of the wrong type.

        Examples
        --------
        >>> m = IndependentSteps(alpha=1.0, power=3.0)
        >>> s = m.simulate(n=100, tasks=20_000, rng=1)
        >>> bool(abs(s.mean() / 100 - 1.5) < 0.02)  # E[S_n/n] = beta/(beta - 1); s.e. about 0.0025
        True
        """
        n = _checks.count("n", n)
        tasks = _checks.count("tasks", tasks)
        method = _checks.choice("method", method, ("direct", "naive"))
        if method == "naive" and self.time is not None:
            raise ValueError("method: 'naive' draws power-law approach times; use 'direct' with time=")
        if self.time is not None or method == "direct":
            return self._path(np.array([n], dtype=np.int64), tasks, rng, "n")[0]
        k = self.k
        if not float(k).is_integer():
            raise ValueError(f"method: 'naive' needs an integer number of approaches, k = {k}")
        k = int(k)
        _check_draws(n, tasks, k)
        check_memory("tasks", 8.0 * tasks + _kernels.state_bytes(tasks), f"simulating {tasks} tasks")
        state = _kernels.new_state(chunk_seeds(rng, _kernels.n_chunks(tasks)))
        out = np.empty((1, tasks))
        budget = _budget(tasks, k)
        while _kernels.resume(np.array([n], dtype=np.int64), k, self.survival_exponent, *state, budget, out):
            pass
        return out[0]

    def simulate_path(self, checkpoints, tasks: int, rng: RNGLike = None, method: str = "direct") -> np.ndarray:
        """Partial sums S_n at increasing ``checkpoints`` n_1 < n_2 < ..., in one streamed pass.

        Parameters
        ----------
        checkpoints : sequence of int
            Strictly increasing numbers of subtasks >= 1.
        tasks : int >= 1
            Number of tasks.
        rng : numpy.random.Generator, int, SeedSequence or None
            Randomness (SciPy SPEC 7).
        method : {"direct"}
            The only method of paths.

        Returns
        -------
        numpy.ndarray
            Shape (len(checkpoints), tasks); the last row equals
            ``simulate(checkpoints[-1], tasks, rng)`` for the same ``rng``.

        Raises
        ------
        ValueError
            ``checkpoints`` empty, not increasing or beyond the draw cap; ``tasks`` or
            ``checkpoints`` when the output exceeds the memory budget.
        TypeError
            ``checkpoints`` not a sequence of integers, ``rng`` of the wrong type.

        Examples
        --------
        >>> m = IndependentSteps(alpha=1.0, power=0.5)
        >>> path = m.simulate_path([1, 10, 100], tasks=1000, rng=0)
        >>> path.shape, bool((path[1:] >= path[:-1]).all())
        ((3, 1000), True)
        >>> bool((path[-1] == m.simulate(100, 1000, rng=0)).all())
        True
        """
        cps = _checks.counts("checkpoints", checkpoints)
        tasks = _checks.count("tasks", tasks)
        _checks.choice("method", method, ("direct",))
        return self._path(cps, tasks, rng, "checkpoints")

    def _path(self, cps: np.ndarray, tasks: int, rng: RNGLike, name: str) -> np.ndarray:
        """Checked sizes, then the streamed pass (``name``: the parameter that set the checkpoints)."""
        if self.time is not None:
            draws = float(cps[-1]) * float(tasks)
            if draws > _timelaw.MAX_LAW_DRAWS:
                who = name if cps[-1] >= tasks else "tasks"
                raise ValueError(f"{who}: simulating {int(cps[-1])} subtasks x {tasks} tasks with a scipy "
                                 f"law is {draws:.3g} evaluations, above the cap of 2^33; reduce n or tasks")
        else:
            _check_draws(int(cps[-1]), tasks, 1, name=name)
        out_bytes = 8.0 * cps.size * tasks
        who = name if cps.size > 1 and 8.0 * tasks <= 0.5 * out_bytes else "tasks"
        extra = _kernels.state_bytes(tasks) if self.time is None else _timelaw.block_bytes(tasks)
        check_memory(who, out_bytes + extra, f"{cps.size} checkpoint(s) x {tasks} tasks")
        out = np.empty((cps.size, tasks))
        if self.time is not None:
            return _timelaw.simulate_path(self.time, self.k, cps, tasks, as_generator(rng), out)
        state = _kernels.new_state(chunk_seeds(rng, _kernels.n_chunks(tasks)))
        budget = _budget(tasks)
        while _kernels.resume(cps, 1, self.beta, *state, budget, out):
            pass
        return out


def _check_draws(n: int, tasks: int, k: int, name: str = "n") -> None:
    draws = float(n) * float(tasks) * float(k)
    if draws > MAX_DRAWS:
        who = name if n >= tasks else "tasks"
        raise ValueError(f"{who}: simulating {n} subtasks x {tasks} tasks"
                         f"{f' x {k} approaches' if k > 1 else ''} = {draws:.3g} random draws is above the "
                         f"cap of 2^40 = {MAX_DRAWS:.3g} (tens of minutes of compute); reduce n or tasks")
