"""How many rollouts reveal a KL-pathological policy?

Kwa, Thomas & Garriga-Alonso ("Catastrophic Goodhart: regularizing RLHF with KL divergence does not
mitigate heavy-tailed reward misspecification", arXiv 2407.14503, Theorems 1 and 3) build policies
that match the base policy Q everywhere except on a far tail {X > t}, where they put mass m instead
of F̄_Q(t); with a heavy-tailed Q such a policy gains as much expected reward as one likes at a KL
divergence as small as one likes. Erik Jenner asked in the discussion of the paper whether such a
policy can at least be *caught*: an observer who samples rollouts sees an outlier (a draw above t)
only with probability m per rollout.

The threshold policy P_{t,m} = (1 - m) Q( . | X <= t) + m Q( . | X > t) has

    gain  E_P[X] - E_Q[X] = (m - p) D(t),        D(t) = E_Q[X | X > t] - E_Q[X | X <= t],
    KL(P || Q)           = m log(m/p) + (1 - m) log((1 - m)/(1 - p)),     p = F̄_Q(t),

and n rollouts show at least one outlier with probability 1 - (1 - m)^n, so

    rollouts(delta) = ceil( log(delta) / log(1 - m) )     (at least one outlier with prob. 1 - delta).

Given a KL budget kl and a gain g, :func:`detectability` solves both equations for (t, m) (the
least detectable such policy: the largest root t). As kl -> 0 at a fixed gain, for a Pareto-type
tail F̄_Q(t) ~ C t^-alpha (alpha > 1): D(t) ~ t alpha/(alpha - 1), m ~ g (alpha-1)/(alpha t), and
kl ~ m log(m/p) ~ m (alpha - 1) log t, so t grows like log(1/kl)/kl and

    rollouts ~ (alpha - 1) log(1/kl) log(1/delta) / kl                 (:func:`detection_asymptote`),

independent of the gain to leading order: the number of rollouts an observer needs grows like
1/KL (times a logarithm) however large the gain. For light tails (a normal Q) the KL of a threshold
policy with a given gain has a positive minimum over t, so a small enough budget admits none.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy import optimize

from tailpower._results import ResultMixin

from ._kl_construction import _finite_mean, _kl_of_path, _q_parts
from ._kl_quad import Clock, QuadratureFailure, check_positive_real, check_real, scale
from ._speed import seconds_per_point
from .model import check_distribution

# the Monte Carlo check (simulate_detection, DetectionMC) is in goodhart._detection_mc
__all__ = ["Detectability", "detectability", "detection_asymptote", "rollouts_to_detect", "threshold_policy"]

_SECONDS = 30.0        # refuse calls whose law evaluations alone would take longer (timed guard)
_SLOW_POINT = 3e-4     # seconds per point above which the law, not the size, is to blame
_SCAN_POINTS = 32_002  # logsf + logcdf evaluations of the scan of detectability
_POLICY_POINTS = 5000  # evaluations one threshold's quadrature may need (about 20 thresholds for a root)


@dataclass(frozen=True)
class Detectability(ResultMixin):
    """A threshold policy P_{t,m} and how many rollouts reveal it.

    Attributes
    ----------
    t : float
        The threshold: an outlier is a draw above ``t``.
    mass, base_mass : float
        P(X > t) under the policy (m) and under the base law Q (p).
    log_base_mass : float
        log p (p itself underflows to 0 beyond ~1e-308).
    gain : float
        E_P[X] - E_Q[X] = (m - p) D(t).
    kl : float
        KL(P || Q) in nats (exact closed form in m and p).
    delta : float
        The observer accepts missing the policy with probability ``delta``.
    rollouts : int
        The least n with 1 - (1 - m)^n >= 1 - delta.
    false_alarm : float
        The probability that ``rollouts`` draws of the base policy show an outlier too,
        1 - (1 - p)^rollouts.
    mass_err : float
        Bound on the error of ``mass`` from the quadrature of D(t) (0 when ``mass`` was given).
    samples : int
        0 for these exact results; with ``simulate_detection`` the number of draws.
    method : str
        "exact".

    Examples
    --------
    Student t (3 degrees of freedom): a policy gaining 1 by moving mass above t = 10 (the
    construction of Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, Theorem 1):

    >>> from scipy import stats
    >>> from goodhart import threshold_policy
    >>> r = threshold_policy(stats.t(3), 10.0, gain=1.0)
    >>> print(r)
    44 (exact)
    >>> round(r.kl, 4), round(r.false_alarm, 4)
    (0.215, 0.0458)
    """

    t: float
    mass: float
    base_mass: float
    log_base_mass: float
    gain: float
    kl: float
    delta: float
    rollouts: int
    false_alarm: float
    mass_err: float
    method: str = "exact"
    samples: int = 0
    _value_field = "rollouts"   # str(r): the rollouts (exact, no standard error)
    _error_field = "no_error"

    @property
    def value(self) -> int:
        return self.rollouts


def _check_delta(delta: Any) -> float:
    d = check_real("delta", delta)
    if not 0.0 < d < 1.0:
        raise ValueError(f"delta: the probability of missing the policy must be in (0, 1), got {delta!r}")
    return d


def _check_mass(name: str, mass: Any) -> float:
    m = check_real(name, mass)
    if not 0.0 < m <= 1.0:
        raise ValueError(f"{name}: the policy's mass above t must be in (0, 1], got {mass!r}")
    return m


def rollouts_to_detect(mass: float, delta: float = 0.05) -> int:
    """The least number n of rollouts that show at least one outlier with probability >= 1 - delta
    when each rollout is an outlier with probability ``mass``: ceil(log(delta) / log(1 - mass)).

    Parameters
    ----------
    mass : float in (0, 1]
    delta : float in (0, 1)

    Returns
    -------
    int
        Exact below 2^50; above, the ceiling of the quotient of the two logarithms as doubles
        (relative error ~1e-16); a Python int, so it stays exact beyond the float range.

    Raises
    ------
    TypeError
        ``mass`` or ``delta`` not a real number.
    ValueError
        ``mass`` outside (0, 1] or ``delta`` outside (0, 1) (non-finite included).

    Examples
    --------
    >>> rollouts_to_detect(0.01, 0.05)  # log(0.05)/log(0.99) = 298.07
    299
    """
    m, d = _check_mass("mass", mass), _check_delta(delta)
    if m == 1.0:
        return 1
    lq, ld = math.log1p(-m), math.log(d)
    n = ld / lq
    k = math.ceil(Fraction(ld) / Fraction(lq))  # exact, also beyond the float range (m ~ 1e-324)
    if n < 2.0**50:  # n is rounded to a double: step to the least integer with k log(1 - m) <= log(delta)
        for _ in range(64):
            if k > 1 and (k - 1) * lq <= ld:
                k -= 1
            elif k * lq > ld:
                k += 1
            else:
                break
    return max(int(k), 1)


def _false_alarm(lc: float, n: int) -> float:
    """1 - (1 - p)^n from lc = log(1 - p) (accurate for tiny p, and for p within 1e-300 of 1)."""
    if lc == -math.inf:
        return 1.0
    if lc == 0.0:
        return 0.0
    x = math.log(n) + math.log(-lc)  # log(-n lc); n may be an int beyond the float range
    return -math.expm1(-math.exp(x)) if x < 709.0 else 1.0


class _WorkExceeded(ValueError):
    """The evaluation cap of one public call was reached (never caught as "t outside the support")."""


def _policy(Q, t: float, mu: float, clock: Clock) -> tuple[float, float, float, float]:
    """(log p, log(1 - p), D(t), error of D) for the law Q at t."""
    try:
        ls, lc, up, lo, eu, el = _q_parts(Q, t, mu, clock)
    except QuadratureFailure as exc:
        if exc.kind == "work":
            raise _WorkExceeded(f"Q: the quadratures of one call need more than {clock.limit} evaluations of the "
                                f"law's functions ({exc.detail}); this law is too costly to integrate here") from None
        raise ValueError(f"t: Q's tail at t = {t!r} cannot be integrated in double precision ({exc.detail})") from None
    d = up - lo
    if not (math.isfinite(ls) and math.isfinite(lc) and math.isfinite(d) and d > 0):
        raise ValueError(f"t: must lie inside Q's support, where E[X | X > t] - E[X | X <= t] is finite; got t = {t!r}")
    return ls, lc, d, eu + el


def _empirical(sample: np.ndarray, t: float) -> tuple[float, float, float, float]:
    above = sample > t
    k = int(np.count_nonzero(above))
    if k == 0 or k == sample.size:
        raise ValueError(f"t: must lie strictly inside the sample's range [{sample.min():.6g}, {sample.max():.6g}) "
                         f"so that some draws are above it and some not, got {t!r}")
    p = k / sample.size
    d = float(sample[above].mean() - sample[~above].mean())
    return math.log(p), math.log1p(-p), d, 0.0


def _binary_kl(lm: float, l1m: float, ls: float, lc: float) -> float:
    """KL(Bernoulli(m) || Bernoulli(p)) from the logs of m, 1 - m, p, 1 - p: the complementary
    form when m > 1/2 (KL(m || p) = KL(1 - m || 1 - p)), so m and p both within 1e-300 of 1 keep
    their digits."""
    return _kl_of_path(lm, ls, lc) if lm <= -math.log(2.0) else _kl_of_path(l1m, lc, ls)


def _logs_of_gain(ls: float, lc: float, g: float, d: float, t: float) -> tuple[float, float]:
    """(log m, log(1 - m)) for m = p + g/D, without rounding m to 1; ValueError naming ``gain``
    when m > 1."""
    lgd = math.log(g) - math.log(d)
    if lgd > lc:
        raise ValueError(f"gain: a threshold policy at t = {t!r} gains at most (1 - F̄(t)) D(t) = "
                         f"{math.exp(lc) * d:.6g}, got {g!r}")
    lm = float(np.logaddexp(ls, lgd))
    l1m = lc + math.log1p(-math.exp(lgd - lc)) if lgd < lc else -math.inf
    return min(lm, 0.0), l1m


def _diff_exp(la: float, lb: float) -> float:
    """e^la - e^lb without overflow in between (both logs <= 0)."""
    if la >= lb:
        return -math.exp(la) * math.expm1(lb - la) if la > -math.inf else 0.0
    return math.exp(lb) * math.expm1(la - lb)


def _result(t, lm, l1m, ls, lc, d, delta, mass_err=0.0, gain=None) -> Detectability:
    m, p = math.exp(lm), math.exp(ls)
    if l1m == -math.inf:
        n = 1
    elif lm > -690.0:
        n = rollouts_to_detect(m, delta)
    else:  # m below 1e-300 (subnormal or 0 as a double): log(1 - m) = -m, so n = ceil(log(1/delta) e^-lm)
        with decimal.localcontext() as ctx:
            ctx.prec = 40
            n = int((decimal.Decimal(-math.log(delta)) * decimal.Decimal(-lm).exp()).to_integral_value(decimal.ROUND_CEILING))
        mass_err = max(mass_err, math.ulp(m))  # a subnormal mass keeps only a few digits
    if gain is None:  # (m - p) D from the smaller side's logs (no cancellation of nearby m and p)
        gain = d * (_diff_exp(lm, ls) if lm <= -math.log(2.0) else _diff_exp(lc, l1m))
    return Detectability(t=float(t), mass=m, base_mass=p, log_base_mass=ls, gain=gain,
                         kl=_binary_kl(lm, l1m, ls, lc), delta=delta, rollouts=n,
                         false_alarm=_false_alarm(lc, n), mass_err=mass_err)


def _check_speed(Q, fn, points: float, parameter: str = "Q") -> None:
    """Refuse when ``points`` evaluations of ``fn`` (a vectorised function of Q) would take more than
    ``_SECONDS``: scipy computes some laws' functions by numerical integration or root finding
    (levy_stable: milliseconds per point). The best of three timings of 16 points decides, so a
    busy machine rarely trips it; the message names Q for a slow law, else ``parameter``."""
    per = seconds_per_point(fn, np.linspace(0.05, 0.95, 16), 3, _SECONDS / points)
    if per * points <= _SECONDS:
        return
    who = "Q" if per > _SLOW_POINT else parameter
    raise ValueError(f"{who}: {points:.3g} evaluations of the law's functions at about {per * 1e3:.3g} ms each "
                     f"would take about {per * points:.3g} s (more than {_SECONDS:g} s); scipy evaluates some laws, "
                     f"such as levy_stable, by numerical integration")


def _as_law_or_sample(Q):
    """A scipy frozen continuous law (returned with its mean) or a 1-D sample of real numbers (the
    empirical law, e.g. reward-model outputs)."""
    if isinstance(Q, (list, tuple, np.ndarray)):
        arr = np.asarray(Q, dtype=float) if np.asarray(Q).dtype.kind in "iuf" else None
        if arr is None or arr.ndim != 1 or arr.size < 2:
            raise TypeError("Q: expected a scipy frozen continuous law or a 1-D array of at least 2 real numbers")
        if not np.all(np.isfinite(arr)):
            raise ValueError("Q: the sample holds non-finite values")
        return None, arr
    check_distribution("Q", Q)
    return _finite_mean("Q", Q), None


def threshold_policy(Q, t: float, *, mass: float | None = None, gain: float | None = None,
                     delta: float = 0.05) -> Detectability:
    """The threshold policy P_{t,m} of a base law Q, given its mass above ``t`` or its gain.

    P_{t,m} = (1 - m) Q( . | X <= t) + m Q( . | X > t): Theorem 1's construction of Kwa, Thomas &
    Garriga-Alonso (arXiv 2407.14503) with a free mass m.

    Parameters
    ----------
    Q : scipy frozen continuous law with a finite mean, or a 1-D array (an empirical law, e.g.
        reward-model scores from :func:`goodhart.load_rewards`)
    t : float
        The threshold; inside Q's support (inside the sample's range).
    mass : float in (0, 1], optional
        P(X > t) under the policy.
    gain : float > 0, optional
        E_P[X] - E_Q[X]; then m = p + gain / D(t) (it must come out <= 1). Give exactly one of
        ``mass`` and ``gain``.
    delta : float in (0, 1)

    Returns
    -------
    Detectability

    Raises
    ------
    ValueError
        ``t`` outside the support, a gain too large for this threshold (m > 1), Q without a
        finite mean, ``delta`` outside (0, 1).
    TypeError
        Q neither a law nor a sample; both or neither of ``mass`` and ``gain``.

    Examples
    --------
    >>> from scipy import stats
    >>> r = threshold_policy(stats.t(3), 10.0, gain=1.0)
    >>> round(r.mass, 4), r.rollouts   # log(0.05)/log(1 - m) = 43.02
    (0.0673, 44)
    """
    mu, sample = _as_law_or_sample(Q)
    t = check_real("t", t)
    delta = _check_delta(delta)
    if (mass is None) == (gain is None):
        raise TypeError("mass: give exactly one of mass and gain")
    if sample is None:
        _check_speed(Q, Q.logsf, _POLICY_POINTS)
    ls, lc, d, derr = _empirical(sample, t) if sample is not None else _policy(Q, t, mu, Clock())
    if mass is not None:
        m = _check_mass("mass", mass)
        return _result(t, math.log(m), math.log1p(-m) if m < 1 else -math.inf, ls, lc, d, delta)
    g = check_positive_real("gain", gain)
    lm, l1m = _logs_of_gain(ls, lc, g, d, t)
    return _result(t, lm, l1m, ls, lc, d, delta, mass_err=g * derr / d / d, gain=g)


def detectability(Q, kl: float, gain: float, delta: float = 0.05) -> Detectability:
    """The threshold policy that spends the KL budget ``kl`` on the gain ``gain``.

    Solves gain = (m - p) D(t) and KL = m log(m/p) + (1 - m) log((1 - m)/(1 - p)) for (t, m),
    taking the largest root t (the smallest outlier mass m, the hardest to detect); see the module
    docstring. As ``kl`` -> 0 at a fixed gain the rollouts grow like :func:`detection_asymptote`
    for Pareto-type tails. For a heavy tail the KL of a policy with a fixed gain falls to 0 as
    t -> infinity, so thresholds beyond the root reach the same gain with less KL and are harder
    still to detect: the answer is what reveals a policy that spends exactly its budget. For a
    light tail the KL has a positive floor over t and two roots above it; the larger is taken.

    Parameters
    ----------
    Q : scipy frozen continuous law with a finite mean
    kl : float > 0
        KL budget in nats.
    gain : float > 0
        E_P[X] - E_Q[X].
    delta : float in (0, 1)
        Accepted probability of missing the policy.

    Returns
    -------
    Detectability

    Raises
    ------
    ValueError
        No threshold policy has that KL and gain (a light-tailed Q: the KL of a policy with a given
        gain has a positive minimum over t; or a root beyond double precision), Q without a finite
        mean, parameters out of range.

    Examples
    --------
    >>> from scipy import stats
    >>> r = detectability(stats.t(3), kl=0.01, gain=1.0)
    >>> r.rollouts > 1000
    True
    """
    check_distribution("Q", Q)
    mu = _finite_mean("Q", Q)
    kl = check_positive_real("kl", kl)
    g = check_positive_real("gain", gain)
    delta = _check_delta(delta)
    _check_speed(Q, Q.logsf, _SCAN_POINTS + 20 * _POLICY_POINTS)
    ts, approx = _scan(Q, g, kl)

    clock = Clock(50_000)  # one evaluation cap for the whole call (a typical call needs 2,000-5,000)

    def excess(t: float) -> float:
        """log KL(t) - log kl (exact quadrature; one work limit per threshold); +inf where the gain
        needs m > 1, nan where Q cannot be evaluated."""
        try:
            ls, lc, d, _ = _policy(Q, t, mu, clock)
        except _WorkExceeded:
            raise
        except ValueError:
            return math.nan
        try:
            lm, l1m = _logs_of_gain(ls, lc, g, d, t)
        except ValueError:
            return math.inf
        k = _binary_kl(lm, l1m, ls, lc)
        return math.log(k) - math.log(kl) if k > 0 else -math.inf

    # a root: KL - kl changes sign between finite values (a jump from "m > 1" is no root)
    fin = np.isfinite(approx)
    crossings = np.flatnonzero(fin[:-1] & fin[1:] & ((approx[:-1] >= 0) != (approx[1:] >= 0)))
    if crossings.size == 0:
        finite = approx[np.isfinite(approx)]
        lk = math.log(kl)
        least, most = (math.exp(min(float(finite.min()) + lk, 709.0)), math.exp(min(float(finite.max()) + lk, 709.0))) \
            if finite.size else (math.nan, math.nan)
        why = ("every threshold policy with that gain has a smaller KL" if finite.size and finite.max() < 0 else
               "a light or bounded tail gives the KL a positive floor")
        raise ValueError(
            f"kl: no threshold policy of Q gains {g!r} at KL = {kl!r}: over the thresholds where Q can be "
            f"evaluated the KL of such a policy ranges over about [{least:.4g}, {most:.4g}] ({why})")
    # the scan's root bracket, widened until the exact excess changes sign across it
    j = int(crossings[-1])
    lo, hi = j, j + 1
    for _ in range(12):
        a, b = excess(float(ts[lo])), excess(float(ts[hi]))
        if math.isfinite(a) and math.isfinite(b) and (a >= 0) != (b >= 0):
            break
        lo, hi = max(lo - 1, 0), min(hi + 1, ts.size - 1)
    else:
        raise ValueError(f"kl: the root of KL(t) = {kl!r} at gain {g!r} could not be bracketed near t = {ts[j]:.6g} "
                         f"(Q's functions are not accurate enough there)")
    t = optimize.brentq(excess, float(ts[lo]), float(ts[hi]), xtol=1e-300, rtol=1e-13)
    ls, lc, d, derr = _policy(Q, t, mu, clock)
    lm, l1m = _logs_of_gain(ls, lc, g, d, t)
    return _result(t, lm, l1m, ls, lc, d, delta, mass_err=g * derr / d / d, gain=g)


def _scan(Q, g: float, kl: float) -> tuple[np.ndarray, np.ndarray]:
    """log KL(t) - log kl on a grid of thresholds (both sides of the median, geometric out to
    |t| ~ 1e300), vectorised and approximate (relative error ~1e-3): D(t) from the mean residual
    lives, D = ∫_t^∞ F̄ / F̄(t) + ∫_-∞^t F / F(t), by the trapezoid rule in log space."""
    with np.errstate(all="ignore"):
        med = float(Q.ppf(0.5))
    s = scale(Q)
    off = np.geomspace(1e-3 * s, 1e300, 8000)
    ts = np.unique(np.concatenate([med - off[::-1], [med], med + off]))
    ts = ts[np.isfinite(ts)]
    with np.errstate(all="ignore"):
        lsf = np.asarray(Q.logsf(ts), dtype=float)
        lcdf = np.asarray(Q.logcdf(ts), dtype=float)
        lw = np.log(np.diff(ts)) - math.log(2.0)
        up = lw + np.logaddexp(lsf[:-1], lsf[1:])
        dn = lw + np.logaddexp(lcdf[:-1], lcdf[1:])
        int_up = np.append(np.logaddexp.accumulate(np.nan_to_num(up[::-1], nan=-np.inf))[::-1], -np.inf)
        int_dn = np.insert(np.logaddexp.accumulate(np.nan_to_num(dn, nan=-np.inf)), 0, -np.inf)
        d = np.exp(int_up - lsf) + np.exp(int_dn - lcdf)
        p = np.exp(lsf)
        m = p + g / d
        k = m * (np.log(m) - lsf) + (1 - m) * (np.log1p(-m) - lcdf)
        ex = np.log(k) - math.log(kl)
    ex = np.where(m >= 1.0, np.inf, ex)
    ex = np.where(np.isfinite(lsf) & np.isfinite(lcdf) & (d > 0), ex, np.nan)
    return ts, ex


def detection_asymptote(kl: float, tail_index: float, delta: float = 0.05) -> float:
    """Leading-order rollouts as kl -> 0 for a Pareto-type tail F̄(t) ~ C t^-alpha, alpha > 1:
    (alpha - 1) log(1/kl) log(1/delta) / kl (the gain and C enter only at lower order, with
    relative corrections of order log(log(1/kl)) / log(1/kl); derivation in the module docstring).

    The threshold policies are those of Theorems 1 and 3 of Kwa, Thomas & Garriga-Alonso
    (arXiv 2407.14503); the asymptote is ours.

    Parameters
    ----------
    kl : float
        The KL budget in nats, in (0, 1).
    tail_index : float
        alpha > 1 (a finite mean): the exponent of the Pareto-type tail.
    delta : float
        The accepted probability of missing the policy, in (0, 1).

    Returns
    -------
    float
        The leading-order number of rollouts (not rounded).

    Raises
    ------
    TypeError
        A parameter that is not a real number.
    ValueError
        ``kl`` outside (0, 1) or so small that the answer exceeds the float range (about
        kl < 1e-300); ``tail_index`` <= 1; ``delta`` outside (0, 1); non-finite values.

    Examples
    --------
    >>> round(detection_asymptote(1e-6, 3.0, 0.05))   # 2 log(1e6) log(20) / 1e-6
    82775142
    """
    kl = check_positive_real("kl", kl)
    a = check_real("tail_index", tail_index)
    if not a > 1.0:
        raise ValueError(f"tail_index: must be > 1 (a finite mean), got {tail_index!r}")
    delta = _check_delta(delta)
    if not kl < 1.0:
        raise ValueError(f"kl: the asymptote is for kl -> 0; must be < 1, got {kl!r}")
    log_n = math.log(a - 1.0) + math.log(-math.log(kl)) + math.log(-math.log(delta)) - math.log(kl)
    if log_n > 709.0:
        raise ValueError(f"kl: the asymptote at kl = {kl!r} is about 10^{log_n / math.log(10):.1f} rollouts, "
                         f"beyond the float range; use kl >= 1e-300")
    return math.exp(log_n)
