"""Monte Carlo check of a threshold policy of :mod:`goodhart.detectability` (private; the public
names are ``goodhart.simulate_detection`` and ``goodhart.DetectionMC``).

The policy P_{t,m} of Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, Theorems 1 and 3) is
sampled as a mixture through Q's quantile function: with probability m a draw of Q above t, else
one below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tailpower._common import as_generator, check_int, check_memory
from tailpower._results import ResultMixin

from ._kl_construction import _finite_mean
from ._kl_quad import check_real
from .detectability import _check_mass, _check_speed
from .model import check_distribution

__all__ = ["DetectionMC", "simulate_detection", "MC_DRAW_LIMIT"]

#: most rollouts x trials one :func:`simulate_detection` call draws
MC_DRAW_LIMIT = 50_000_000


@dataclass(frozen=True)
class DetectionMC(ResultMixin):
    """Monte Carlo check of a threshold policy (:func:`simulate_detection`).

    ``str(result)`` prints ``detect ± detect_stderr (mc, samples)``.

    Attributes
    ----------
    detect, false_alarm : float
        Fractions of ``trials`` batches of ``rollouts`` draws from the policy / the base law that
        held at least one draw above ``t``.
    detect_stderr, false_alarm_stderr : float
        Their binomial standard errors.
    gain, gain_stderr : float
        Mean of all policy draws minus E_Q[X], with its standard error.
    rollouts, trials : int
        Draws per batch and number of batches.
    samples : int
        All draws (policy and base law), 2 x rollouts x trials.
    method : str
        "mc".

    Examples
    --------
    >>> from scipy import stats
    >>> from goodhart import simulate_detection
    >>> mc = simulate_detection(stats.t(3), 10.0, 0.05, 20, trials=1000, rng=1)
    >>> mc.samples, bool(abs(mc.detect - (1 - 0.95 ** 20)) < 4 * mc.detect_stderr)
    (40000, True)
    """

    detect: float
    detect_stderr: float
    false_alarm: float
    false_alarm_stderr: float
    gain: float
    gain_stderr: float
    rollouts: int
    trials: int
    samples: int
    method: str = "mc"
    _value_field = "detect"
    _error_field = "detect_stderr"


def simulate_detection(Q, t: float, mass: float, rollouts: int, trials: int = 1000, rng=None) -> DetectionMC:
    """Monte Carlo check of a threshold policy: ``trials`` batches of ``rollouts`` draws from
    P_{t,m} (mixture sampling through Q's quantile function) and from Q.

    Parameters
    ----------
    Q : scipy frozen continuous law with a finite mean
        The base law.
    t : float
        The threshold, inside Q's support.
    mass : float in (0, 1]
        The policy's probability of a draw above ``t``.
    rollouts, trials : int >= 1
        Draws per batch and number of batches; rollouts x trials <= ``MC_DRAW_LIMIT`` (5e7).
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the draws.

    Returns
    -------
    DetectionMC
        Detection and false-alarm frequencies and the mean gain, with standard errors.

    Raises
    ------
    TypeError
        ``Q`` not a continuous law; ``t``/``mass`` not real; ``rollouts``/``trials`` not
        integers; ``rng`` not a seed or generator.
    ValueError
        ``Q`` without a finite mean or with functions too slow for that many draws; ``t`` outside
        Q's support; ``mass`` outside (0, 1]; ``rollouts``/``trials`` < 1 or their product above
        5e7; a block of draws above the memory budget (``BudgetError``, a ValueError naming
        ``rollouts``).

    Examples
    --------
    The exact answer of :func:`threshold_policy` checked by simulation: 44 rollouts reveal the
    policy with probability 1 - (1 - m)^44 = 0.953:

    >>> from scipy import stats
    >>> from goodhart import threshold_policy
    >>> Q = stats.t(3)
    >>> r = threshold_policy(Q, 10.0, gain=1.0)
    >>> mc = simulate_detection(Q, 10.0, r.mass, r.rollouts, trials=2000, rng=0)
    >>> print(mc)
    0.9635 ± 0.0042 (mc, 176000 samples)
    >>> bool(abs(mc.detect - (1 - (1 - r.mass) ** r.rollouts)) < 4 * mc.detect_stderr)
    True
    """
    check_distribution("Q", Q)
    mu = _finite_mean("Q", Q)
    t = check_real("t", t)
    m = _check_mass("mass", mass)
    n = check_int("rollouts", rollouts)
    k = check_int("trials", trials)
    if n * k > MC_DRAW_LIMIT:
        raise ValueError(f"rollouts: rollouts x trials = {n * k:.3g} draws, above the limit {MC_DRAW_LIMIT:.0e}; "
                         f"reduce rollouts or trials")
    gen = as_generator(rng)
    _check_speed(Q, Q.ppf, 2.0 * n * k, "rollouts")
    with np.errstate(all="ignore"):
        p, f = float(Q.sf(t)), float(Q.cdf(t))
    if not (0 < p < 1 and 0 < f < 1):
        raise ValueError(f"t: must lie inside Q's support with both tails resolvable in double precision, got {t!r}")
    block = max(1, min(k, 2_000_000 // n))
    check_memory("rollouts", 4 * 8 * block * n, "the draws of one block of trials")
    hits = alarms = 0
    total = total_sq = 0.0
    for start in range(0, k, block):
        b = min(block, k - start)
        up = gen.random((b, n)) < m
        u = gen.random((b, n))
        with np.errstate(all="ignore"):
            x = np.where(up, Q.isf(u * p), Q.ppf(u * f))
        hits += int(np.count_nonzero((x > t).any(axis=1)))
        total += float(x.sum())
        total_sq += float((x * x).sum())
        base = Q.rvs(size=(b, n), random_state=gen)
        alarms += int(np.count_nonzero((base > t).any(axis=1)))
    draws = n * k
    mean = total / draws
    var = max(total_sq / draws - mean * mean, 0.0)
    pd, pa = hits / k, alarms / k
    return DetectionMC(detect=pd, detect_stderr=math.sqrt(pd * (1 - pd) / k), false_alarm=pa,
                       false_alarm_stderr=math.sqrt(pa * (1 - pa) / k), gain=mean - mu,
                       gain_stderr=math.sqrt(var / draws), rollouts=n, trials=k, samples=2 * draws)
