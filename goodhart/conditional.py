"""E[V | V + X >= t]: conditioning on a high proxy (regressional Goodhart).

Kwa & Thomas, "Catastrophic Regressional Goodhart: Appendix" (2023), use the identity

    E[V | V + X >= t] = ∫ v f_V(v) F̄_X(t - v) dv / ∫ f_V(v) F̄_X(t - v) dv,        (1)

with F̄ = 1 - F, for independent V and X; with a dependent error F̄_X is replaced by the
conditional survival function P(X >= t - v | V = v).  Three methods:

- ``"quad"``: adaptive Gauss-Kronrod (7/15) quadrature of (1) in log space
  (:mod:`goodhart._selection_quad`), exact up to the reported error bound, finite where
  P(V + X >= t) underflows double precision;
- ``"exact_mc"``: draws from the tilted law ∝ f_V(v) F̄_X(t - v) without rejection (inverse CDF
  of a piecewise log-linear interpolation of the tilted density through the quadrature nodes), so
  its cost does not grow with t; then X | X >= t - V by the inverse survival function
  (:mod:`goodhart._selection_sampling`);
- ``"mc"``: naive rejection Monte Carlo (the baseline), reporting how many draws it accepted.

Every function answers or refuses with an error naming the parameter at fault, within the memory
budget and bounded work (docs/contract.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tailpower._common import as_generator, check_int, check_memory
from tailpower._results import ResultMixin

from . import _selection_sampling as sampling
from ._selection_problem import _MAX_T_MC, check_t, integral_or_raise, make_problem, zero_mass_message
from ._selection_quad import _ZeroMass

__all__ = ["ConditionalMean", "conditional_mean", "sample_conditional", "log_tail_probability"]

_MAX_DRAWS = 10**8        # samples per threshold ("exact_mc") and draws of sample_conditional
_MAX_REJECTION = 2 * 10**7    # pairs (V, X) drawn by scipy for "mc" (about 10-40 s for the slowest laws)
_MAX_WORK = 10**9         # samples x thresholds
_MAX_SCALAR_DRAWS = 20_000    # sample_conditional with a scalar-mode Dependent: one error call per draw (~1 ms)


@dataclass(frozen=True)
class ConditionalMean(ResultMixin):
    """E[V | V + X >= t] with its uncertainty.

    ``str(result)`` prints ``value ± stderr (method, samples)``, ``result.to_dict()`` the fields
    as plain Python data, ``float(result)`` the value of a single threshold.

    Attributes
    ----------
    value : float or ndarray
        E[V | V + X >= t] (an array when ``t`` is an array).
    stderr : float or ndarray
        Standard error (Monte Carlo methods) or error bound ("quad": the Kronrod-Gauss differences,
        the mass left out of the refinement and the rounding floor of the integrand).
    method : str
        "quad", "exact_mc" or "mc".
    samples : int
        Draws used (0 for "quad").
    t : float or ndarray
        The thresholds.
    accepted : int or ndarray
        Draws with V + X >= t ("mc"; equals ``samples`` for "exact_mc", 0 for "quad").
    log_prob : float or ndarray
        log P(V + X >= t) ("quad" and "exact_mc"; from the accepted fraction for "mc").

    Examples
    --------
    Exponential V and X: E[V | V + X >= t] = (t² + 2t + 2) / (2(t + 1)) (Kwa & Thomas 2023,
    Appendix identity; 17/8 at t = 3):

    >>> from scipy import stats
    >>> from goodhart import conditional_mean
    >>> r = conditional_mean(stats.expon(), stats.expon(), 3.0)
    >>> round(r.value, 12), abs(r.value - 17 / 8) <= r.stderr < 1e-11, r.method
    (2.125, True, 'quad')
    >>> r.to_dict()["log_prob"] == r.log_prob
    True
    """

    value: Any
    stderr: Any
    method: str
    samples: int
    t: Any
    accepted: Any
    log_prob: Any

    def __float__(self) -> float:
        return float(self.value)


def _pack(vals, errs, method, samples, t_arr, scalar, accepted, logp) -> ConditionalMean:
    vals, errs = np.asarray(vals, float).reshape(t_arr.shape), np.asarray(errs, float).reshape(t_arr.shape)
    accepted = np.asarray(accepted, dtype=np.int64).reshape(t_arr.shape)
    logp = np.asarray(logp, float).reshape(t_arr.shape)
    if scalar:
        return ConditionalMean(float(vals), float(errs), method, int(samples), float(t_arr),
                               int(accepted), float(logp))
    return ConditionalMean(vals, errs, method, int(samples), t_arr.copy(), accepted, logp)


def _check_samples(name: str, value, n_t: int, minimum: int, most: int) -> int:
    n = check_int(name, value, minimum=minimum)
    if n > most:
        raise ValueError(f"{name}: at most {most:.0e} draws, got {value!r}")
    if n * n_t > _MAX_WORK:
        raise ValueError(f"{name}: {name} x number of thresholds must be at most {_MAX_WORK:.0e}, "
                         f"got {n} x {n_t}")
    return n


# ----------------------------------------------------------------------------- public API
def log_tail_probability(V, X=None, t=0.0):
    """log P(V + X >= t) = log ∫ f_V(v) F̄_X(t - v) dv by log-space quadrature (array over t).

    Finite wherever the probability is positive, also far below the double-precision range
    (Kwa & Thomas 2023, Appendix identity; the integrator is described in
    :func:`conditional_mean`).

    Parameters
    ----------
    V : scipy frozen continuous distribution or Dependent
        True utility (finite mean), or a :class:`~goodhart.Dependent` model (then omit ``X``).
    X : scipy frozen continuous distribution
        The error, independent of V.
    t : float or array_like
        Threshold(s), finite; at most 1,000 per call.

    Returns
    -------
    float or ndarray
        log P(V + X >= t); -inf where t is at or beyond the upper end of the support of V + X.

    Raises
    ------
    ValueError
        Naming ``t`` where the probability evaluates to 0 inside the support of V + X (the laws'
        log functions underflow to -inf, so its logarithm cannot be computed), and for a
        :class:`Dependent` model wherever it evaluates to 0 (its support is not known); ``t``
        non-finite, empty or with more than 1,000 values.
    TypeError
        ``V`` or ``X`` not a continuous law (or a Dependent model with an ``X``); ``t`` not real.

    Examples
    --------
    V, X ~ N(0, 1) independent: U = V + X ~ N(0, 2), so log P(U >= 40) = log Φ̄(40/√2), far
    below the smallest double:

    >>> from scipy import stats
    >>> lp = log_tail_probability(stats.norm(), stats.norm(), [0.0, 40.0])
    >>> lp.round(6)
    array([  -0.693147, -404.262491])
    >>> bool(abs(lp[1] - stats.norm(0, 2 ** 0.5).logsf(40.0)) < 1e-10)
    True
    """
    prob = make_problem(V, X)
    t_arr, scalar = check_t(t)
    prob.require_fast("Rejection sampling (conditional_mean(..., method='mc')) needs only draws.")
    out = np.empty(t_arr.size)
    for i, ti in enumerate(t_arr.flat):
        ti = float(ti)
        try:
            out[i] = integral_or_raise(prob, ti, need_shape=False, zero_mass=True).log_mass
        except _ZeroMass:
            us = prob.u_support()
            if us is None or ti < us[1]:  # not provably beyond the support: 0 or an underflow
                raise ValueError(zero_mass_message(prob, ti)) from None
            out[i] = -np.inf
    return float(out[0]) if scalar else out.reshape(t_arr.shape)


def conditional_mean(V, X=None, t=0.0, method: str = "quad", *, samples: int = 100_000, rng=None
                     ) -> ConditionalMean:
    """E[V | V + X >= t] for true utility V and error X (Kwa & Thomas 2023, Appendix identity).

    Parameters
    ----------
    V : scipy frozen continuous distribution or Dependent
        The true utility (finite mean), or a :class:`~goodhart.Dependent` model (then omit ``X``).
    X : scipy frozen continuous distribution
        The error, independent of V.
    t : float or array_like
        Threshold(s) on the proxy U = V + X; finite; at most 1,000 per call (100,000 for "mc").
    method : {"quad", "exact_mc", "mc"}
        "quad": log-space adaptive quadrature of
        ∫ v f_V(v) F̄_X(t - v) dv / ∫ f_V(v) F̄_X(t - v) dv, stderr = propagated error bound.
        A density of V that is infinite at an end of its support (gamma or Weibull with shape
        < 1) is integrated exactly there through V's distribution function.
        "exact_mc": ``samples`` draws of V from the tilted density ∝ f_V(v) F̄_X(t - v) (inverse CDF
        of its piecewise log-linear interpolation through all quadrature nodes, 15 per Kronrod
        interval; the end pieces next to a singular density carry their exact masses), mean and
        Monte Carlo standard error; cost independent of t; streamed, so memory does not grow with
        ``samples``.
        "mc": naive rejection sampling of ``samples`` pairs (V, X) (shared across the ``t`` values);
        independent errors only.
    samples : int
        Draws for the Monte Carlo methods: at least 2; at most 1e8 per threshold and 1e9 in total
        for "exact_mc" (numba draws), 2e7 for "mc" (scipy draws of both laws).
    rng : Generator, int, SeedSequence or None
        Randomness (SPEC 7); the result is bit-identical for a seed at any thread count.

    Returns
    -------
    ConditionalMean
        ``value``, ``stderr``, ``method``, ``samples``, ``t``, ``accepted``, ``log_prob``.

    Raises
    ------
    ValueError
        Naming ``t`` where P(V + X >= t) is 0 or where the integrand's logarithm is so large
        (|log| above about 1e12: light tails at extreme thresholds) that double precision cannot
        resolve the conditional law; naming ``samples`` when "mc" accepts fewer than 2 draws;
        naming V or X for laws whose log functions are impractically slow (scipy's levy_stable)
        with "quad" and "exact_mc"; naming ``method`` when it is unknown (or "mc" with a
        Dependent model); naming ``t`` or ``samples`` out of range (above).
    TypeError
        ``V`` or ``X`` not a continuous law (or a Dependent model with an ``X``); ``t`` not real;
        ``samples`` not an integer; ``rng`` not a seed or generator.

    Notes
    -----
    Theorem 5 (heavy, subexponential X, lighter V): the value tends to E[V] as t -> inf;
    Theorem 6 (F̄_X(t+1)/F̄_X(t) -> 0, V unbounded above): it tends to infinity.

    Examples
    --------
    Light-tailed V with heavy-tailed error (Student t, 3 degrees of freedom): selecting on a
    higher proxy returns V towards E[V] = 0 (Theorem 5); with normal error it grows (Theorem 6):

    >>> from scipy import stats
    >>> heavy = conditional_mean(stats.norm(), stats.t(3), [0.0, 10.0, 100.0])
    >>> heavy.value.round(4)
    array([0.5072, 0.3048, 0.03  ])
    >>> float(heavy.stderr.max()) < 1e-11
    True
    >>> import math
    >>> r = conditional_mean(stats.norm(), stats.norm(), 100.0)  # U ~ N(0, 2): E = φ(s)/(√2 Φ̄(s)), s = t/√2
    >>> s = 100 / math.sqrt(2)
    >>> round(r.value, 6), round(math.exp(stats.norm.logpdf(s) - stats.norm.logsf(s)) / math.sqrt(2), 6)
    (50.009996, 50.009996)
    """
    if not isinstance(method, str) or method not in ("quad", "exact_mc", "mc"):
        raise ValueError(f"method: must be 'quad', 'exact_mc' or 'mc', got {method!r}")
    prob = make_problem(V, X)
    t_arr, scalar = check_t(t, max_size=_MAX_T_MC if method == "mc" else None)
    ts = [float(x) for x in t_arr.flat]
    if method == "quad":
        prob.require_fast("Rejection sampling (method='mc') needs only draws.")
        vals, errs, lps = [], [], []
        for ti in ts:
            res = integral_or_raise(prob, ti)
            vals.append(res.mean)
            errs.append(res.mean_err)
            lps.append(res.log_mass)
        return _pack(vals, errs, "quad", 0, t_arr, scalar, np.zeros(len(ts)), lps)

    if method == "mc" and prob.dep is not None:
        raise ValueError("method: 'mc' supports independent V and X only; use 'quad' or 'exact_mc'")
    n = _check_samples("samples", samples, len(ts), 2, _MAX_DRAWS if method == "exact_mc" else _MAX_REJECTION)
    gen = as_generator(rng)
    if method == "exact_mc":
        prob.require_fast("Rejection sampling (method='mc') needs only draws.")
        vals, errs, lps = [], [], []
        for ti in ts:
            res = integral_or_raise(prob, ti)
            m, se = sampling.tilted_moments(res, n, gen)
            vals.append(m)
            errs.append(se)
            lps.append(res.log_mass)
        return _pack(vals, errs, "exact_mc", n, t_arr, scalar, np.full(len(ts), n), lps)

    acc, s1, s2 = sampling.rejection_sums(prob.V, prob.X, np.asarray(ts), n, gen)
    if np.any(acc < 2):
        k = int(np.argmin(acc))
        raise ValueError(
            f"samples: only {int(acc[k])} of {n} draws reached V + X >= t at t = {ts[k]!r}; rejection "
            f"sampling needs at least 2 (raise samples, or use method='quad' or 'exact_mc', whose cost "
            f"does not grow with t)")
    mean = s1 / acc
    with np.errstate(invalid="ignore", over="ignore"):
        var = np.maximum(s2 - acc * mean**2, 0.0) / (acc - 1)
        err = np.sqrt(var / acc)
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(err))):
        raise ValueError("samples: the accepted draws of V overflow double precision in their sums "
                         "(V has draws near 1e154 or beyond); use method='quad'")
    lp = np.log(acc / n)
    return _pack(mean, err, "mc", n, t_arr, scalar, acc, lp)


def sample_conditional(V, X=None, t=0.0, size: int = 1000, *, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Exact-as-possible draws of (V, X) given V + X >= t, without rejection.

    V comes from the tilted law ∝ f_V(v) P(X >= t - v | V = v) (inverse CDF of its piecewise
    log-linear interpolation on the quadrature nodes: discretised within each sub-interval), then
    X from X | X >= t - V by the inverse survival function, computed in log space (exact up to
    floating point) (Kwa & Thomas 2023, Appendix).  Works for a :class:`Dependent` model too:
    one call of ``error`` per draw (at most 20,000 draws), or one per batch with
    ``vectorized=True``.

    Parameters
    ----------
    V, X, t
        As in :func:`conditional_mean`; ``t`` is one threshold.
    size : int
        Number of pairs; the two arrays (16 bytes a pair, plus temporaries) must fit the memory
        budget (``tailpower.set_memory_budget``), and at most 1e8.
    rng : Generator, int, SeedSequence or None
        Randomness (SPEC 7).

    Returns
    -------
    v, x : ndarray of shape (size,)
        Every pair has v + x >= t (up to rounding).

    Raises
    ------
    ValueError
        ``t`` an array (one threshold only), non-finite, or where P(V + X >= t) is 0 or draws of
        X lie beyond the largest double; ``size`` < 1, above 1e8, above 20,000 for a scalar-mode
        Dependent model, or above the memory budget (``BudgetError``, a ValueError naming
        ``size``); V or X with impractically slow log functions.
    TypeError
        ``V`` or ``X`` not a continuous law (or a Dependent model with an ``X``); ``size`` not an
        integer; ``rng`` not a seed or generator.

    Examples
    --------
    V ~ N(0, 1), X ~ t(3) at t = 10: nearly all of the excess comes from the heavy-tailed error
    (Kwa & Thomas 2023, Theorem 5):

    >>> from scipy import stats
    >>> v, x = sample_conditional(stats.norm(), stats.t(3), 10.0, size=2000, rng=0)
    >>> bool(((v + x) >= 10.0 - 1e-12).all()), bool(x.min() > 6)
    (True, True)
    >>> exact = conditional_mean(stats.norm(), stats.t(3), 10.0).value   # 0.3048
    >>> bool(abs(v.mean() - exact) < 4 * v.std() / 2000 ** 0.5)
    True
    """
    prob = make_problem(V, X)
    t_arr, scalar = check_t(t)
    if not scalar:
        raise ValueError("t: sample_conditional takes one threshold")
    n = check_int("size", size, minimum=1)
    if n > _MAX_DRAWS:
        raise ValueError(f"size: at most {_MAX_DRAWS:.0e} draws per call, got {size!r}")
    check_memory("size", 56.0 * n, f"drawing {n} pairs (V, X)")
    if prob.dep is not None and not prob.dep.vectorized and n > _MAX_SCALAR_DRAWS:
        raise ValueError(f"size: a scalar-mode Dependent model calls error(v) once per draw; at most "
                         f"{_MAX_SCALAR_DRAWS} draws (use Dependent(..., vectorized=True) for more), got {n}")
    gen = as_generator(rng)
    prob.require_fast()
    ti = float(t_arr)
    res = integral_or_raise(prob, ti, what="the conditional law of (V, X)")
    v = sampling.tilted_draws(res, n, gen)
    u = 1.0 - gen.random(n)  # (0, 1]
    if prob.dep is None:
        x = sampling.error_given(prob.X, ti - v, u)
    elif prob.dep.vectorized:
        x = sampling.error_given_batch(prob.dep, ti - v, u, v)
    else:
        x = np.array([sampling.error_given(prob.dep.error_at(vi), np.array([ti - vi]), np.array([ui]))[0]
                      for vi, ui in zip(v, u)])
    if not np.all(np.isfinite(x)):
        raise ValueError(f"t: at t = {ti!r} draws of X given X >= t - V lie beyond the largest double "
                         f"(the error's tail is too heavy there); they cannot be represented")
    return v, x

