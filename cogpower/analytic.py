"""Closed forms, exact quantiles and asymptotics of the independent-steps model (power-law time).

Notation: one subtask time X of a mind with k approaches has P(X > x) = x^-beta, x >= 1, with
beta = k * a (a the survival exponent of one approach). S_n is the sum of n iid copies and
S_n/n >= 1 the mean time per subtask. S_beta(s, 1, mu) is a totally skewed stable law in the S1
parameterisation (scipy.stats.levy_stable's default; see :func:`stable_cdf`).

Quantiles of S_n/n come from two independent computations (:func:`quantile_per_subtask`):

- exact: numerical Laplace inversion of E[e^{-p(X-1)}]^n (Talbot contour where S_n is spread out,
  Fourier series on a Bromwich line where it is concentrated), each with an error estimate from a
  second discretisation and a rounding floor, accepted below a relative error of 1e-6;
- asymptotic: the generalised CLT with first-order corrections (derived in proofs/cogpower.py from
  the characteristic function of X), served only where the correction is small.

Generalised CLT:

- beta < 1: S_n / n^(1/beta) -> S_beta(sigma, 1, 0), sigma^beta = Gamma(1-beta) cos(pi beta/2); this
  is Gamma(1-beta)^(1/beta) Y0 with E exp(-s Y0) = exp(-s^beta) (Kanter's representation, Kanter
  1975). The drift -beta/(1-beta) comes from the i u term of E[e^{iuX}] - 1 and a 1/n shift from the
  -z^2/2 term of log(1+z) (for beta = 1/2: median(S_n/n) = m n + pi/2 - 1 + O(1/n), m = 3.45278).
- 1/2 <= beta < 2: the S1 form is discontinuous at beta = 1 (two 1/(1-beta) terms cancel), so the
  predictions use Nolan's S0 parameterisation, continuous in beta:
  S_n/n ~ n^e sigma W + n^e c(beta) + (beta/(1-beta)) expm1(e ln n), e = 1/beta - 1,
  c(beta) = sigma tan(pi beta/2) - beta/(1-beta) -> 1 - gamma_Euler + ln(pi/2) at beta = 1.
- beta = 2: (S_n - 2n)/sqrt(n ln n) -> N(0, 1), with a 1/ln n skew correction.
- beta > 3: CLT with the Cornish-Fisher skewness term, Var X = beta/((beta-1)^2 (beta-2)).
  2 < beta <= 3 (infinite skewness; the normal limit is approached like n^(1 - beta/2)) has no
  asymptotic prediction here: the exact inversion covers it.
"""

from __future__ import annotations

import cmath
import math

import numpy as np

from . import _checks, _inversion, _laplace, _predict, _stable
from ._predict import Prediction

__all__ = [
    "Prediction",
    "stable_scale",
    "stable_cdf",
    "stable_quantile",
    "subtask_mean",
    "subtask_variance",
    "regime",
    "quantile_per_subtask",
    "quantile_prediction",
    "median_per_subtask",
    "log_quantile_per_subtask",
    "drift_constant",
    "pareto_cf",
    "pareto_log_cf",
]

EULER_GAMMA = _stable.EULER_GAMMA
METHODS = ("auto", "asymptotic", "exact")
stable_scale = _stable.stable_scale
stable_cdf = _stable.stable_cdf
stable_quantile = _stable.stable_quantile


def _check_beta(beta) -> float:
    return _checks.positive("beta", beta)


def regime(beta: float) -> str:
    """"subcritical" (beta < 1, infinite mean), "critical" (beta = 1) or "supercritical".

    Kwa's (2023) threshold: the subtask time has finite mean iff beta > 1, i.e. Q > Q*.

    Parameters
    ----------
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).

    Returns
    -------
    str
        "subcritical", "critical" or "supercritical".

    Raises
    ------
    ValueError
        ``beta`` not finite and > 0.
    TypeError
        ``beta`` not a real number.

    Examples
    --------
    >>> regime(0.5), regime(1), regime(3.0)
    ('subcritical', 'critical', 'supercritical')
    """
    beta = _check_beta(beta)
    return "subcritical" if beta < 1 else ("critical" if beta == 1 else "supercritical")


def subtask_mean(beta: float) -> float:
    """E[X] = beta/(beta-1) for beta > 1, +inf otherwise (P(X > x) = x^-beta, x >= 1).

    The mean of the Pareto law: E[X] = 1 + int_1^inf x^-beta dx.

    Parameters
    ----------
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).

    Returns
    -------
    float
        beta/(beta - 1), or ``inf`` for beta <= 1.

    Raises
    ------
    ValueError
        ``beta`` not finite and > 0.
    TypeError
        ``beta`` not a real number.

    Examples
    --------
    >>> subtask_mean(3.0), subtask_mean(0.8)
    (1.5, inf)
    """
    beta = _check_beta(beta)
    if beta <= 1:
        return math.inf
    return 1.0 + 1.0 / (beta - 1.0)


def subtask_variance(beta: float) -> float:
    """Var X = beta/((beta-1)^2 (beta-2)) for beta > 2, +inf otherwise.

    From E[X^2] = beta/(beta - 2) for the Pareto law P(X > x) = x^-beta, x >= 1.

    Parameters
    ----------
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).

    Returns
    -------
    float
        The variance, or ``inf`` for beta <= 2.

    Raises
    ------
    ValueError
        ``beta`` not finite and > 0.
    TypeError
        ``beta`` not a real number.

    Examples
    --------
    >>> subtask_variance(3.0), subtask_variance(2.0)
    (0.75, inf)
    """
    beta = _check_beta(beta)
    if beta <= 2:
        return math.inf
    return (beta / (beta - 1.0)) / (beta - 1.0) / (beta - 2.0)


def drift_constant(beta: float) -> float:
    """c(beta) = sigma tan(pi beta/2) - beta/(1-beta), sigma = stable_scale(beta), 0 < beta < 2.

    Each term is of order 1/(1-beta) near beta = 1; the difference is evaluated with mpmath at
    50 digits there. c(1) = 1 - gamma_Euler + ln(pi/2) (the limit, derived in proofs/cogpower.py).
    It is the constant of the centring of S_n/n in Nolan's S0 parameterisation (module docstring).

    Parameters
    ----------
    beta : float in (0, 2)
        Tail exponent of one subtask time.

    Returns
    -------
    float
        c(beta), continuous through beta = 1.

    Raises
    ------
    ValueError
        ``beta`` not in (0, 2).
    TypeError
        ``beta`` not a real number.

    Examples
    --------
    >>> import math
    >>> c1 = 1 - 0.5772156649015329 + math.log(math.pi / 2)
    >>> abs(drift_constant(1.0) - c1) < 1e-15, abs(drift_constant(1 - 1e-9) - c1) < 1e-8
    (True, True)
    """
    return _stable.drift_constant(_stable.check_beta(beta))


# ----------------------------------------------------------------------------- characteristic fn
def pareto_log_cf(u: float, beta: float) -> complex:
    """log E[e^{iuX}] for P(X > x) = x^-beta, x >= 1, any real u: iu + log psi(-iu), psi the
    Laplace transform of X - 1 (cogpower._laplace, relative accuracy about 1e-13).

    Computed in log form so that it stays accurate where the characteristic function is close to
    1 (small u: log E[e^{iuX}] = i u E[X] - u^2 Var X / 2 + ... for beta > 2).

    Parameters
    ----------
    u : float
        Any finite real argument.
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).
        (at least 1e-300).

    Returns
    -------
    complex
        The principal logarithm continued from 0 at u = 0; conjugate-symmetric in u.

    Raises
    ------
    ValueError
        ``u`` not finite; ``beta`` not finite or below 1e-300.
    TypeError
        ``u`` or ``beta`` not a real number.

    Examples
    --------
    >>> z = pareto_log_cf(1e-3, 3.0)  # i u mean - u^2 Var/2 + O(u^3 log u): mean 1.5, Var 0.75
    >>> abs(z.imag - 1.5e-3) < 1e-8, abs(z.real + 0.75e-6 / 2) < 1e-8
    (True, True)
    """
    u = _checks.real("u", u)
    beta = _check_beta(beta)
    if beta < 1e-300:
        raise ValueError(f"beta: must be >= 1e-300 here (a subnormal beta has too few digits), got {beta!r}")
    if not math.isfinite(u):
        raise ValueError(f"u: must be finite, got {u!r}")
    if u == 0:
        return 0j
    a = abs(u)
    if a < 1e-250 and beta >= 2.5:  # iu mu + O(u^2 Var X): the rest is below 1e-250 relative
        val = 1j * a * (1.0 + 1.0 / (beta - 1.0))
    elif a < 1e-250 and beta >= 0.9:  # below the reach of the ray integrals: mpmath on
        # E e^{iuX} - 1 = expm1(iu) + iu E_beta(-iu) (by parts), a number of size about u, whose
        # log1p is itself to within u^2
        import mpmath as mp

        with mp.workdps(60):
            z = 1j * mp.mpf(a)
            val = complex(mp.expm1(z) + z * mp.expint(mp.mpf(beta), -z))
    else:
        log_p = np.array([complex(math.log(a), -math.pi / 2)])
        val = 1j * a + complex(_laplace.lomax_log_psi(log_p, beta)[0])
    return val if u > 0 else val.conjugate()


def pareto_cf(u: float, beta: float) -> complex:
    """E[e^{iuX}] for P(X > x) = x^-beta, x >= 1: beta E_{beta+1}(-iu) (u > 0; conjugate for u < 0).

    E_s is the generalised exponential integral int_1^inf e^{-zt} t^-s dt (DLMF 8.19.3); the value
    is exp(:func:`pareto_log_cf`).

    Parameters
    ----------
    u : float
        Any finite real argument.
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).

    Returns
    -------
    complex
        The characteristic function at u.

    Raises
    ------
    ValueError
        As :func:`pareto_log_cf`.
    TypeError
        As :func:`pareto_log_cf`.

    Examples
    --------
    >>> import mpmath
    >>> ref = complex(1.5 * mpmath.expint(2.5, -2j))  # beta E_{beta+1}(-iu) at u = 2, beta = 1.5
    >>> abs(pareto_cf(2.0, 1.5) - ref) < 1e-13
    True
    """
    return cmath.exp(pareto_log_cf(u, beta))


# ----------------------------------------------------------------------------- predictions
def _check_prediction(n, q, beta, method) -> tuple[int, float, float, str]:
    n = _checks.count("n", n)
    q = _checks.probability("q", q)
    beta = _check_beta(beta)
    method = _checks.choice("method", method, METHODS)
    lo, _ = _inversion.bracket(n, q, beta)
    if not lo < 1e300:
        raise ValueError(f"beta: at beta = {beta!r} the {q!r}-quantile of S_n/n is beyond exp(1e300) "
                         f"(its logarithm is beyond the float range too)")
    return n, q, beta, method


def _refuse_asymptotic(n, q, beta, why) -> ValueError:
    return ValueError(f"n: the generalised-CLT prediction at n = {n}, q = {q!r}, beta = {beta!r} is "
                      f"outside its validity range: {why}; use method='exact' or 'auto'")


def _refuse_exact(n, q, beta) -> ValueError:
    name = "q" if min(q, 1 - q) < 0.01 else "n"
    return ValueError(f"{name}: the exact inversion does not reach its relative tolerance "
                      f"{_inversion.REL_TOL:g} at n = {n}, q = {q!r}, beta = {beta!r} (extreme "
                      f"quantiles of a concentrated S_n, or n beyond about 1e9 at beta >= 1)")


def _predict_checked(n: int, q: float, beta: float, method: str) -> Prediction:
    if method == "asymptotic":
        try:
            return _predict.asymptotic(n, q, beta)
        except _predict.NotValid as exc:
            raise _refuse_asymptotic(n, q, beta, exc) from None
    if method == "exact" or n < _predict.AUTO_ASYMPTOTIC_FROM:
        try:
            return _predict.exact(n, q, beta)
        except _inversion.InversionFailed:
            if method == "exact":
                raise _refuse_exact(n, q, beta) from None
    try:
        return _predict.asymptotic(n, q, beta, strict=True)
    except _predict.NotValid as exc:
        if n < _predict.AUTO_ASYMPTOTIC_FROM:
            raise _refuse_exact(n, q, beta) from None
        why = exc
    try:
        return _predict.exact(n, q, beta)
    except _inversion.InversionFailed:
        raise ValueError(f"n: at n = {n}, q = {q!r}, beta = {beta!r} neither the exact inversion "
                         f"reaches its tolerance nor is the generalised-CLT prediction valid ({why})") from None


def quantile_prediction(n, q, beta, method: str = "auto") -> Prediction:
    """The q-quantile of S_n/n with its error estimate and the method used (see
    :func:`quantile_per_subtask`); ``value`` is None where the quantile exceeds the float range
    (``log_value`` is then still finite).

    Parameters
    ----------
    n : int >= 1
        Subtasks per task.
    q : float in (0, 1)
        The probability level.
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).
    method : {"auto", "exact", "asymptotic"}
        As in :func:`quantile_per_subtask`.

    Returns
    -------
    Prediction
        ``value`` (float or None), ``log_value``, ``error`` (absolute, of ``value``; of
        ``log_value`` where ``value`` is None) and ``method`` ("exact" or "asymptotic"). It prints
        as ``value ± error (method)``.

    Raises
    ------
    ValueError
        As :func:`quantile_per_subtask`, except that a quantile beyond the float range is returned
        (``value`` None) rather than refused.
    TypeError
        A parameter of the wrong type.

    Examples
    --------
    >>> p = quantile_prediction(100, 0.5, 0.5)
    >>> print(p)  # median(S_n/n) = 3.45278 n + pi/2 - 1 + O(1/n) at beta = 1/2 (module docstring)
    345.848746799 ± 0.000000091 (exact)
    >>> quantile_prediction(10, 0.5, 0.001).value is None  # about 10^1173
    True
    """
    return _predict_checked(*_check_prediction(n, q, beta, method))


def quantile_per_subtask(n, q, beta, method: str = "auto") -> float:
    """The q-quantile of the mean time per subtask S_n/n (always >= 1).

    Parameters
    ----------
    n : int >= 1
    q : float in (0, 1); 0.5 gives the median, 0.25/0.75 the quartiles.
    beta : float > 0, tail exponent of one subtask time (k * a).
    method : "auto" (default), "exact" or "asymptotic".
        "exact": numerical Laplace inversion (cogpower._inversion), relative error below 1e-6 by
        its own (conservative) error estimate, typically 1e-10 (below 1e-8 of the logarithm for
        quantiles beyond e^100); refused
        (ValueError naming q, or n) where it cannot reach that: extreme quantiles of a
        concentrated S_n (beta >= 1), and n beyond about 1e9 at beta >= 1. About 0.1-0.5 s, cached.
        n = 1 is the closed form (1-q)^(-1/beta).
        "asymptotic": the generalised-CLT prediction (Notes) with the size of its first-order
        correction as error estimate; refused (ValueError naming n) where it falls outside the
        rigorous bounds T_max <= T_n <= n T_max of the quantile (T_max the largest excess time of
        the n subtasks: this catches the small-n failures), where its terms cannot be evaluated,
        and for 2 < beta <= 3 (no error estimate: infinite skewness).
        "auto": exact below n = 1e5; from there the asymptotic prediction where its first-order
        correction is below 5 % (of the quantile for beta < 1/2, of the stable or normal scale
        otherwise), else the exact inversion; refused (naming q or n) where neither serves.

    Returns
    -------
    float
        The quantile, >= 1. A quantile beyond the float range (tiny beta) is refused with a
        ValueError naming beta; :func:`log_quantile_per_subtask` gives its logarithm.

    Raises
    ------
    ValueError
        ``n`` < 1, ``q`` outside (0, 1), ``beta`` not > 0, ``method`` unknown; ``q`` or ``n``
        where the chosen method cannot reach its accuracy (see ``method``); ``beta`` where the
        quantile is beyond the float range.
    TypeError
        A parameter of the wrong type.

    Notes
    -----
    Write log E[e^{iuX}] = log(1 + z(u)) = z - z^2/2 + ..., z(u) = E[e^{iuX}] - 1.

    - beta < 1/2 (log space, Kanter): S_n/n = n^(1/beta-1) Gamma(1-beta)^(1/beta) W - beta/(1-beta),
      W -> Y0 with E exp(-s Y0) = exp(-s^beta). The -z^2/2 term multiplies the Laplace transform by
      1 - Gamma(1-beta)^2 s^(2beta)/(2n), which shifts the quantile by the relative amount
      [1 + (M2/M1 - 1)/(1 - beta)]/(2 beta n) (M_k the Kanter moments at y_q).
    - 1/2 <= beta < 2 (S0 form, continuous in beta through 1):
      S_n/n = n^e sigma W + B_n, e = 1/beta - 1, W ~ S_beta(1, 1, 0) in the S0 parameterisation,
      B_n = n^e c(beta) + (beta/(1-beta)) expm1(e ln n) (-> ln n + c(1) at beta = 1),
      c = sigma tan(pi beta/2) - beta/(1-beta) (:func:`drift_constant`). First-order correction
      of the quantile of W from the cf perturbation -(psi0(v) + i v b_n)^2/(2n)
      + beta v^2 n^(1-2/beta)/(2 (2-beta) sigma^2), b_n = B_n/(n^e sigma) (the -z^2/2 term and the
      u^2 term of z). This reproduces the beta = 1/2 constant pi/2 - 1 and the beta = 1 law
      ln n + (pi/2) m_Z + 1 - gamma + ln(pi/2). Near beta = 2 the correction stays of order one
      (the stable scale diverges), so the prediction is refused there.
    - beta = 2: (S_n - 2n)/a_n -> N(0, 1), a_n^2 = n ln n. From
      E[e^{iuX}] = 1 + 2iu + u^2 (ln u + 1/2 + gamma - i pi/2) + O(u^3 ln u) (proofs/cogpower.py) the
      log cf of (S_n - 2n)/a_n is -v^2/2 + eps [v^2 ln v - i pi v^2/2 - (v^2/2)(ln ln n - 1 - 2 gamma)],
      eps = 1/ln n, whose first-order quantile shift is eps h_q; for the median only the skew term
      -i pi v^2/2 acts, h = -sqrt(pi/2): median(S_n/n) = 2 - sqrt(pi/2)/sqrt(n ln n) + O(1/(a_n ln n)).
    - beta > 3: mu + sqrt(Var X / n) (z_q + (z_q^2 - 1) gamma_X/(6 sqrt n)) (Cornish-Fisher).

    Examples
    --------
    >>> round(quantile_per_subtask(1, 0.5, 2.0), 12)  # one subtask: (1 - q)^(-1/beta)
    1.414213562373
    >>> exact = quantile_per_subtask(100, 0.5, 0.5, method="exact")
    >>> bool(abs(exact - (3.45278 * 100 + math.pi / 2 - 1)) < 0.01)  # m n + pi/2 - 1 + O(1/n)
    True
    """
    n, q, beta, method = _check_prediction(n, q, beta, method)
    p = _predict_checked(n, q, beta, method)
    if p.value is None:
        raise ValueError(f"beta: the {q!r}-quantile of S_n/n at n = {n}, beta = {beta!r} is about "
                         f"10^{p.log_value / math.log(10):.6g}, beyond the largest float; "
                         f"log_quantile_per_subtask(n, q, beta) gives its logarithm")
    return p.value


def median_per_subtask(n, beta, method: str = "auto") -> float:
    """The median of S_n/n (see :func:`quantile_per_subtask`).

    Parameters
    ----------
    n : int >= 1
        Subtasks per task.
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).
    method : {"auto", "exact", "asymptotic"}
        As in :func:`quantile_per_subtask`.

    Returns
    -------
    float
        The median of S_n/n.

    Raises
    ------
    ValueError
        As :func:`quantile_per_subtask`.
    TypeError
        A parameter of the wrong type.

    Examples
    --------
    >>> median_per_subtask(1, 0.5)  # 2^(1/beta)
    4.0
    """
    return quantile_per_subtask(n, 0.5, beta, method)


def log_quantile_per_subtask(n, q, beta, method: str = "auto") -> float:
    """Natural log of the q-quantile of S_n/n (see :func:`quantile_per_subtask`), finite where the
    quantile overflows (tiny beta: the quantile is about n^(1/beta - 1) (ln(1/q))^(-1/beta)).

    Parameters
    ----------
    n : int >= 1
        Subtasks per task.
    q : float in (0, 1)
        The probability level.
    beta : float > 0
        Tail exponent of one subtask time, P(X > x) = x^-beta for x >= 1 (beta = k a).
    method : {"auto", "exact", "asymptotic"}
        As in :func:`quantile_per_subtask`.

    Returns
    -------
    float
        The natural logarithm of the quantile (>= 0).

    Raises
    ------
    ValueError
        As :func:`quantile_per_subtask`, except for quantiles beyond the float range, which are
        answered; ``beta`` where even the logarithm is beyond the float range.
    TypeError
        A parameter of the wrong type.

    Examples
    --------
    >>> import math
    >>> log_quantile_per_subtask(1, 0.5, 0.5) == math.log(4.0)
    True
    >>> round(log_quantile_per_subtask(10, 0.5, 0.001) / math.log(10))  # the median is about 10^1173
    1173
    """
    return _predict_checked(*_check_prediction(n, q, beta, method)).log_value
