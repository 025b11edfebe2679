"""Closed forms and asymptotics of the independent-steps model (power-law time).

Notation: one subtask time X of a mind with k approaches has P(X > x) = x^-beta, x >= 1, with
beta = k * a (a the survival exponent of one approach). S_n is the sum of n iid copies. S_beta(s, 1, mu)
is a totally skewed stable law in the S1 parameterisation (scipy.stats.levy_stable's default):
log E[e^{iuY}] = -s^b |u|^b (1 - i sign(u) tan(pi b/2)) + i mu u (b != 1) and
-s |u| (1 + i (2/pi) sign(u) ln|u|) + i mu u (b = 1).

Generalised CLT (derived in proofs/cogpower.py from the characteristic function of X):

- beta < 1: S_n / n^(1/beta) -> S_beta(sigma, 1, 0), sigma^beta = Gamma(1-beta) cos(pi beta/2).
  To first order in 1/n: (S_n + n beta/(1-beta)) / (sigma n^(1/beta)) = Y + h/n, where the drift
  -beta/(1-beta) comes from the i u term of E[e^{iuX}] - 1 and h from the -z^2/2 term of log(1+z)
  (it matters: for beta = 1/2, h = 1 and median(S_n/n) = m n + pi/2 - 1 + O(1/n), m = 3.45278).
- beta = 1: S_n/n - ln n -> S_1(pi/2, 1, 1 - gamma_Euler). In S1, s Z ~ S_1(s, 1, -(2/pi) s ln s) for
  Z ~ S_1(1, 1, 0), so S_1(pi/2, 1, c) = (pi/2) Z + c + ln(pi/2).
- 1 < beta < 2: (S_n - n mu)/n^(1/beta) -> S_beta(sigma, 1, 0), mu = beta/(beta-1), with a first-order
  correction of relative order n^(1 - 2/beta) from the u^2 term of log E[e^{iuX}].
- beta = 2: (S_n - 2n)/sqrt(n ln n) -> N(0, 1).  beta > 2: CLT, Var X = beta/((beta-1)^2 (beta-2)).

``method="exact"`` inverts the characteristic function of S_n (Gil-Pelaez) numerically.

scipy's levy_stable ppf/median are wrong at b = 1 with scale != 1; this module never uses scipy's
stable law: it inverts the characteristic function itself (tests compare with scipy at scale 1).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
from scipy import integrate, optimize, special, stats

from tailpower._common import check_int, check_positive

__all__ = [
    "stable_scale",
    "stable_cdf",
    "stable_quantile",
    "subtask_mean",
    "subtask_variance",
    "regime",
    "quantile_per_subtask",
    "pareto_cf",
]

EULER_GAMMA = float(np.euler_gamma)


def _quad(f, a, b, limit, epsabs, epsrel) -> float:
    # Oscillatory tails of the inversion integrals trip quad's subdivision warnings although the
    # contribution there is below epsabs; accuracy is checked in tests against closed forms.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return integrate.quad(f, a, b, limit=limit, epsabs=epsabs, epsrel=epsrel)[0]


def _check_beta(beta):
    return check_positive("beta", beta)


def regime(beta: float) -> str:
    """"subcritical" (beta < 1, infinite mean), "critical" (beta = 1) or "supercritical"."""
    beta = _check_beta(beta)
    return "subcritical" if beta < 1 else ("critical" if beta == 1 else "supercritical")


def subtask_mean(beta: float) -> float:
    """E[X] = beta/(beta-1) for beta > 1, +inf otherwise (P(X > x) = x^-beta, x >= 1)."""
    beta = _check_beta(beta)
    return beta / (beta - 1.0) if beta > 1 else math.inf


def subtask_variance(beta: float) -> float:
    """Var X = beta/((beta-1)^2 (beta-2)) for beta > 2, +inf otherwise."""
    beta = _check_beta(beta)
    return beta / ((beta - 1.0) ** 2 * (beta - 2.0)) if beta > 2 else math.inf


def stable_scale(beta: float) -> float:
    """sigma with sigma^beta = Gamma(1-beta) cos(pi beta/2), 0 < beta < 2 (pi/2 at beta = 1).

    Scale of the stable limit of sums of P(X > x) = x^-beta variables (proofs/cogpower.py).
    """
    beta = _check_beta(beta)
    if not beta < 2:
        raise ValueError(f"beta: the stable scale needs 0 < beta < 2, got {beta}")
    if beta == 1:
        return math.pi / 2
    return (math.gamma(1 - beta) * math.cos(math.pi * beta / 2)) ** (1 / beta)


# ----------------------------------------------------------------------------- standard stable law
def _std_log_cf(v: float, beta: float) -> complex:
    """log cf of the standard S_beta(1, 1, 0) (S1) at v > 0."""
    if beta == 1:
        return -v * (1 + 1j * (2 / math.pi) * math.log(v))
    return -(v**beta) * (1 - 1j * math.tan(math.pi * beta / 2))


def _gp_cdf(x: float, logcf, weight=None) -> float:
    """Gil-Pelaez: F(x) = 1/2 - (1/pi) int_0^inf Im[e^{-ivx} phi(v) w(v)]/v dv."""

    def f(v):
        if v == 0:
            return 0.0
        z = np.exp(logcf(v) - 1j * v * x)
        if weight is not None:
            z = z * weight(v)
        return z.imag / v

    pieces = [(0.0, 1.0), (1.0, 10.0), (10.0, np.inf)]
    tot = 0.0
    for a, b in pieces:
        tot += _quad(f, a, b, 400, 1e-13, 1e-11)
    return (0.5 if weight is None else 0.0) - tot / math.pi


def _gp_pdf(x: float, logcf) -> float:
    def f(v):
        return np.exp(logcf(v) - 1j * v * x).real

    tot = sum(
        _quad(f, a, b, 400, 1e-13, 1e-11)
        for a, b in [(0.0, 1.0), (1.0, 10.0), (10.0, np.inf)]
    )
    return tot / math.pi


def stable_cdf(x: float, beta: float) -> float:
    """CDF of the standard totally skewed stable law S_beta(1, 1, 0) (S1), 0 < beta < 2,
    by Gil-Pelaez inversion of its characteristic function."""
    beta = _check_beta(beta)
    if beta < 1 and x <= 0:
        return 0.0
    return min(1.0, max(0.0, _gp_cdf(float(x), lambda v: _std_log_cf(v, beta))))


@lru_cache(maxsize=512)
def _stable_quantile(q: float, beta: float) -> float:
    lo, hi = (1e-3, 5.0) if beta < 1 else (-5.0, 5.0)
    while stable_cdf(lo, beta) > q:
        lo = lo / 4 if beta < 1 else lo * 2
    while stable_cdf(hi, beta) < q:
        hi *= 2
    return optimize.brentq(lambda x: stable_cdf(x, beta) - q, lo, hi, xtol=1e-12, rtol=1e-12)


def stable_quantile(q: float, beta: float) -> float:
    """Quantile of S_beta(1, 1, 0) (S1), computed by inverting :func:`stable_cdf`."""
    q = float(q)
    if not 0 < q < 1:
        raise ValueError(f"q: must be in (0, 1), got {q}")
    beta = _check_beta(beta)
    if not beta < 2:
        raise ValueError(f"beta: stable laws need 0 < beta < 2, got {beta}")
    return _stable_quantile(q, beta)


@lru_cache(maxsize=512)
def _first_order_shift(q: float, beta: float, kind: str) -> float:
    """Shift h of the q-quantile of Y ~ S_beta(1,1,0) under the cf perturbation e^psi (1 + eps p(v)).

    kind "psi2": p = -psi(v)^2/2 (beta < 1);  kind "v2": p = v^2 (1 < beta < 2).
    Quantile(Y_eps) = z_q + eps h + o(eps) with h = -G(z_q)/f(z_q).
    """
    z = _stable_quantile(q, beta)
    if kind == "psi2":
        w = lambda v: -(_std_log_cf(v, beta) ** 2) / 2  # noqa: E731
    else:
        w = lambda v: v * v  # noqa: E731
    G = _gp_cdf(z, lambda v: _std_log_cf(v, beta), weight=w)
    return -G / _gp_pdf(z, lambda v: _std_log_cf(v, beta))


# ----------------------------------------------------------------------------- characteristic fn of X
def _log1p_c(z: complex) -> complex:
    x, y = z.real, z.imag
    return complex(0.5 * math.log1p(2 * x + x * x + y * y), math.atan2(y, 1 + x))


def _cf_minus_one_series(u: float, beta: float) -> complex:
    """E[e^{iuX}] - 1 for u > 0 from the stable part and an entire series (0 < beta < 2)."""
    iu = 1j * u
    if beta == 1:
        head = -(math.pi / 2) * u - iu * math.log(u) + iu * (1 - EULER_GAMMA)
        s, term = 0j, iu
        for m in range(2, 60):
            term = term * iu / m
            s += term / (m - 1)
            if abs(term) < 1e-18 * max(1.0, abs(s)):
                break
        return head - s
    head = -math.gamma(1 - beta) * (u**beta) * complex(math.cos(math.pi * beta / 2), -math.sin(math.pi * beta / 2))
    s, term = 0j, 1 + 0j
    for m in range(1, 60):
        term = term * iu / m
        s += term / (m - beta)
        if m > 2 and abs(term) < 1e-18 * max(1.0, abs(s)):
            break
    return head - beta * s


def pareto_log_cf(u: float, beta: float) -> complex:
    """log E[e^{iuX}], P(X > x) = x^-beta, x >= 1, for u > 0 (series for small u, mpmath otherwise)."""
    if u <= 1.0 and beta < 2 and abs(beta - round(beta)) > 1e-9 or (u <= 1.0 and beta == 1):
        return _log1p_c(_cf_minus_one_series(u, beta))
    import mpmath as mp

    return complex(mp.log(beta * mp.expint(beta + 1, -1j * u)))


def pareto_cf(u: float, beta: float) -> complex:
    """E[e^{iuX}] for P(X > x) = x^-beta, x >= 1: beta E_{beta+1}(-iu) (u > 0)."""
    return complex(np.exp(pareto_log_cf(float(u), float(beta))))


def _exact_cdf_mean(x: float, n: int, beta: float, scale: float) -> float:
    """P(S_n/n <= x) by Gil-Pelaez on E[e^{iuX}]^n, integration variable v = u * scale."""
    nx = n * x

    def f(v):
        if v == 0:
            return 0.0
        u = v / scale
        return np.exp(n * pareto_log_cf(u, beta) - 1j * u * nx).imag / v

    tot = 0.0
    for a, b in [(0.0, 1.0), (1.0, 10.0), (10.0, 100.0), (100.0, np.inf)]:
        tot += _quad(f, a, b, 500, 1e-12, 1e-10)
    return 0.5 - tot / math.pi


# ----------------------------------------------------------------------------- predictions
def quantile_per_subtask(n, q, beta, method: str = "asymptotic") -> float:
    """Predicted q-quantile of the average time per subtask S_n/n.

    Parameters
    ----------
    n : int >= 1
    q : float in (0, 1); 0.5 gives the median, 0.25/0.75 the quartiles.
    beta : float > 0, tail exponent of one subtask time (k * a).
    method : "asymptotic" (generalised CLT with first-order corrections; see module docstring)
        or "exact" (numerical Gil-Pelaez inversion of E[e^{iuX}]^n; about a second per call).

    Returns
    -------
    float
    """
    n = check_int("n", n)
    q = float(q)
    if not 0 < q < 1:
        raise ValueError(f"q: must be in (0, 1), got {q}")
    beta = _check_beta(beta)
    if n == 1:
        return (1 - q) ** (-1 / beta)
    if method == "exact":
        return _exact_quantile(n, q, beta)
    if method != "asymptotic":
        raise ValueError(f"method: must be 'asymptotic' or 'exact', got {method!r}")
    if beta < 1:
        s = stable_scale(beta)
        z = _stable_quantile(q, beta) + _first_order_shift(q, beta, "psi2") / n
        return s * n ** (1 / beta - 1) * z - beta / (1 - beta)
    if beta == 1:
        return math.log(n) + (math.pi / 2) * _stable_quantile(q, 1.0) + 1 - EULER_GAMMA + math.log(math.pi / 2)
    mu = beta / (beta - 1)
    if beta < 2:
        s = stable_scale(beta)
        c = (beta / (2 * (2 - beta)) + mu * mu / 2) / s**2
        z = _stable_quantile(q, beta) + c * n ** (1 - 2 / beta) * _first_order_shift(q, beta, "v2")
        return mu + s * n ** (1 / beta - 1) * z
    zq = float(special.ndtri(q))
    if beta == 2:
        return 2.0 + math.sqrt(math.log(n) / n) * zq
    return mu + math.sqrt(subtask_variance(beta) / n) * zq


def median_per_subtask(n, beta, method: str = "asymptotic") -> float:
    """Predicted median of S_n/n (see :func:`quantile_per_subtask`)."""
    return quantile_per_subtask(n, 0.5, beta, method)


def _exact_quantile(n: int, q: float, beta: float) -> float:
    if beta < 2:
        scale = stable_scale(beta) * n ** (1 / beta)
    else:
        scale = math.sqrt(n * max(math.log(n), 1.0))
    guess = quantile_per_subtask(n, q, beta, "asymptotic") if beta != 2 else 2.0
    width = scale / n
    F = lambda x: _exact_cdf_mean(x, n, beta, scale) - q  # noqa: E731
    lo, hi = max(1.0 + 1e-12, guess - width), guess + width
    while F(lo) > 0:
        if lo <= 1.0 + 1e-9:
            break
        lo = max(1.0 + 1e-12, guess - 2 * (guess - lo) - width)
    while F(hi) < 0:
        hi = hi + 2 * (hi - guess) + width
    return optimize.brentq(F, lo, hi, xtol=1e-10 * max(1.0, abs(guess)), rtol=1e-11)
