"""Closed forms and asymptotics of the independent-steps model (power-law time).

Notation: one subtask time X of a mind with k approaches has P(X > x) = x^-beta, x >= 1, with
beta = k * a (a the survival exponent of one approach). S_n is the sum of n iid copies. S_beta(s, 1, mu)
is a totally skewed stable law in the S1 parameterisation (scipy.stats.levy_stable's default):
log E[e^{iuY}] = -s^b |u|^b (1 - i sign(u) tan(pi b/2)) + i mu u (b != 1) and
-s |u| (1 + i (2/pi) sign(u) ln|u|) + i mu u (b = 1).

Generalised CLT (derived in proofs/cogpower.py from the characteristic function of X):

- beta < 1: S_n / n^(1/beta) -> S_beta(sigma, 1, 0), sigma^beta = Gamma(1-beta) cos(pi beta/2); this
  is Gamma(1-beta)^(1/beta) Y0 with E exp(-s Y0) = exp(-s^beta), whose CDF is computed from Kanter's
  representation (Kanter 1975; Zolotarev): Y0 = (A(U)/E)^((1-beta)/beta), U ~ U(0, pi), E ~ Exp(1).
  The drift -beta/(1-beta) comes from the i u term of E[e^{iuX}] - 1 and a 1/n shift from the
  -z^2/2 term of log(1+z) (for beta = 1/2: median(S_n/n) = m n + pi/2 - 1 + O(1/n), m = 3.45278).
- 1/2 <= beta < 2: the S1 form is discontinuous at beta = 1 (two 1/(1-beta) terms cancel), so the
  predictions use Nolan's S0 parameterisation, continuous in beta:
  S_n/n ~ n^e sigma W + n^e c(beta) + (beta/(1-beta)) expm1(e ln n), e = 1/beta - 1,
  c(beta) = sigma tan(pi beta/2) - beta/(1-beta) -> 1 - gamma_Euler + ln(pi/2) at beta = 1.
- beta = 1: S_n/n - ln n -> S_1(pi/2, 1, 1 - gamma_Euler). In S1, s Z ~ S_1(s, 1, -(2/pi) s ln s) for
  Z ~ S_1(1, 1, 0), so S_1(pi/2, 1, c) = (pi/2) Z + c + ln(pi/2).
- 1 < beta < 2: (S_n - n mu)/n^(1/beta) -> S_beta(sigma, 1, 0), mu = beta/(beta-1), with a first-order
  correction of relative order n^(1 - 2/beta) from the u^2 term of log E[e^{iuX}].
- beta = 2: (S_n - 2n)/sqrt(n ln n) -> N(0, 1), with a 1/ln n skew correction.
  beta > 2: CLT, Var X = beta/((beta-1)^2 (beta-2)).

See :func:`quantile_per_subtask` for the corrections and the measured validity ranges.
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
    "median_per_subtask",
    "log_quantile_per_subtask",
    "drift_constant",
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
    eps = 1.0 - beta  # exact (Sterbenz) for beta in [1/2, 2]; cos(pi beta/2) = sin(pi eps/2) keeps digits near 1
    return (math.gamma(eps) * math.sin(math.pi * eps / 2)) ** (1 / beta)


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
    """CDF of the standard totally skewed stable law S_beta(1, 1, 0) (S1), 0 < beta < 2.

    beta < 1: Kanter's integral (1/pi) int_0^pi exp(-A(u) y^(-beta/(1-beta))) du with
    y = x cos(pi beta/2)^(1/beta) (bounded smooth integrand, accurate for small beta, where the
    Gil-Pelaez integrand oscillates without decay). 1 <= beta < 2: Gil-Pelaez inversion of the cf.
    """
    beta = _check_beta(beta)
    if not beta < 2:
        raise ValueError(f"beta: stable laws need 0 < beta < 2, got {beta}")
    if beta < 1:
        return _kanter_cdf_s1(float(x), beta)
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
    """Quantile of S_beta(1, 1, 0) (S1), computed by inverting :func:`stable_cdf` (in log space
    for beta < 1; +inf where it exceeds the float range, beta below about 5e-4 at q = 1/2)."""
    q = float(q)
    if not 0 < q < 1:
        raise ValueError(f"q: must be in (0, 1), got {q}")
    beta = _check_beta(beta)
    if not beta < 2:
        raise ValueError(f"beta: stable laws need 0 < beta < 2, got {beta}")
    if beta < 1:
        lx = _kanter_log_quantile(q, beta)[0] - _log_cos_half(beta) / beta
        return math.inf if lx > 709.78 else math.exp(lx)
    return _stable_quantile(q, beta)


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


# ----------------------------------------------------------------------------- one-sided law (beta < 1)
def _kanter_log_a(u: float, beta: float) -> float:
    """log A(u) of Kanter's representation, 0 < u < pi:
    A(u) = [sin(beta u)^beta sin((1-beta) u)^(1-beta) / sin(u)]^(1/(1-beta))."""
    return (beta * math.log(math.sin(beta * u)) + (1 - beta) * math.log(math.sin((1 - beta) * u))
            - math.log(math.sin(u))) / (1 - beta)


def _kanter_moment(log_tau: float, beta: float, k: int = 0) -> float:
    """M_k(tau) = (1/pi) int_0^pi (A(u) tau)^k exp(-A(u) tau) du, computed from log A + log tau.

    M_0(tau) = P(Y0 <= y) with tau = y^(-beta/(1-beta)), Y0 the one-sided stable law with
    E exp(-s Y0) = exp(-s^beta) (Kanter 1975: Y0 = (A(U)/E)^((1-beta)/beta), U ~ U(0, pi), E ~ Exp(1)).
    The integrand is smooth and bounded by 1 whatever beta, unlike the Gil-Pelaez integrand.
    """

    def f(u):
        lx = _kanter_log_a(u, beta) + log_tau
        if lx > 700.0:
            return 0.0
        return math.exp(k * lx - math.exp(lx))

    return _quad(f, 0.0, math.pi, 400, 1e-15, 1e-12) / math.pi


@lru_cache(maxsize=512)
def _kanter_log_quantile(q: float, beta: float) -> tuple[float, float]:
    """(log y_q, M_2/M_1 at y_q) for the q-quantile y_q of Y0 (E exp(-s Y0) = exp(-s^beta), beta < 1)."""
    h = lambda lt: _kanter_moment(lt, beta) - q  # noqa: E731  decreasing in log tau
    lo, hi = -2.0, 2.0
    while h(lo) < 0:
        lo = 2 * lo - 1
    while h(hi) > 0:
        hi = 2 * hi + 1
    lt = optimize.brentq(h, lo, hi, xtol=1e-13, rtol=1e-14)
    ratio = _kanter_moment(lt, beta, 2) / _kanter_moment(lt, beta, 1)
    return -(1 - beta) / beta * lt, ratio


def _log_cos_half(beta: float) -> float:
    """log cos(pi beta/2) = log sin(pi (1-beta)/2), accurate near beta = 1."""
    return math.log(math.sin(math.pi * (1.0 - beta) / 2))


def _kanter_cdf_s1(x: float, beta: float) -> float:
    """P(Y <= x) for Y ~ S_beta(1, 1, 0) (S1), beta < 1: Y = Y0 cos(pi beta/2)^(-1/beta)."""
    if x <= 0:
        return 0.0
    log_y = math.log(x) + _log_cos_half(beta) / beta
    return min(1.0, max(0.0, _kanter_moment(-beta / (1 - beta) * log_y, beta)))


# ----------------------------------------------------------------------------- S0 parameterisation
def _s0_log_cf(v: float, beta: float) -> complex:
    """log cf of the standard S_beta(1, 1, 0) in Nolan's S0 parameterisation at v > 0:
    -v^beta + i v tan(pi beta/2) (v^(beta-1) - 1), and -v - i (2/pi) v ln v at beta = 1.

    Y_S0 = Y_S1 - tan(pi beta/2). Written as expm1((beta-1) ln v) / tan(pi (1-beta)/2) the
    imaginary part is continuous in beta through 1 without cancellation.
    """
    eps = 1.0 - beta
    lv = math.log(v)
    t = -(2 / math.pi) * lv if eps == 0 else math.expm1(-eps * lv) / math.tan(math.pi * eps / 2)
    return complex(-math.exp(beta * lv), v * t)


@lru_cache(maxsize=512)
def _s0_terms(q: float, beta: float) -> tuple[float, float, float, float, float]:
    """(m, G1, G2, G3, f): the S0 q-quantile m, the CDF perturbations at m for cf weights psi0^2,
    i v psi0 and v^2 (Gil-Pelaez), and the density f at m."""
    lcf = lambda v: _s0_log_cf(v, beta)  # noqa: E731
    F = lambda x: _gp_cdf(x, lcf) - q  # noqa: E731
    lo, hi = -2.0, 2.0
    while F(lo) > 0:
        lo = 2 * lo - 1
    while F(hi) < 0:
        hi = 2 * hi + 1
    m = optimize.brentq(F, lo, hi, xtol=1e-12, rtol=1e-12)
    g1 = _gp_cdf(m, lcf, weight=lambda v: lcf(v) ** 2)
    g2 = _gp_cdf(m, lcf, weight=lambda v: 1j * v * lcf(v))
    g3 = _gp_cdf(m, lcf, weight=lambda v: v * v)
    return m, g1, g2, g3, _gp_pdf(m, lcf)


@lru_cache(maxsize=512)
def drift_constant(beta: float) -> float:
    """c(beta) = sigma tan(pi beta/2) - beta/(1-beta), sigma = stable_scale(beta), 0 < beta < 2.

    Each term is of order 1/(1-beta) near beta = 1; the difference is evaluated with mpmath at
    50 digits. c(1) = 1 - gamma_Euler + ln(pi/2) (the limit, derived in proofs/cogpower.py).
    """
    beta = _check_beta(beta)
    if not beta < 2:
        raise ValueError(f"beta: needs 0 < beta < 2, got {beta}")
    import mpmath as mp

    with mp.workdps(50):
        if beta == 1:
            return float(1 - mp.euler + mp.log(mp.pi / 2))
        b = mp.mpf(beta)
        eps = 1 - b
        sig = (mp.gamma(eps) * mp.sin(mp.pi * eps / 2)) ** (1 / b)
        return float(sig / mp.tan(mp.pi * eps / 2) - b / eps)


# ----------------------------------------------------------------------------- predictions
KANTER_BELOW = 0.5  # beta < KANTER_BELOW: log-space Kanter branch; 0.5 <= beta < 2: S0 branch


def _log_quantile_kanter(n: int, q: float, beta: float) -> float:
    """log of the predicted q-quantile of S_n/n for beta < 1/2 (log space; see quantile_per_subtask)."""
    log_w, ratio = _kanter_log_quantile(q, beta)
    rel = (1 + (ratio - 1) / (1 - beta)) / (2 * beta * n)  # first-order 1/n shift, relative
    log_t = (1 / beta - 1) * math.log(n) + math.log(math.gamma(1 - beta)) / beta + log_w + math.log1p(rel)
    return log_t + math.log1p(-(beta / (1 - beta)) * math.exp(-log_t))


def _quantile_s0(n: int, q: float, beta: float) -> float:
    """Predicted q-quantile of S_n/n for 1/2 <= beta < 2 in the S0 form (continuous through 1)."""
    m, g1, g2, g3, f = _s0_terms(q, beta)
    sigma = stable_scale(beta)
    ln_n = math.log(n)
    if beta == 1:
        e, bracket, b_n = 0.0, drift_constant(1.0) + ln_n, (drift_constant(1.0) + ln_n) / sigma
    else:
        e = (1.0 - beta) / beta
        c = drift_constant(beta)
        r = beta / (1.0 - beta)
        bracket = math.exp(e * ln_n) * c + r * math.expm1(e * ln_n)
        b_n = (c - r * math.expm1(-e * ln_n)) / sigma
    a1 = -1.0 / (2 * n)
    a2 = -b_n / n
    a3 = b_n * b_n / (2 * n) + beta * n ** (1 - 2 / beta) / (2 * (2 - beta) * sigma**2)
    h = -(a1 * g1 + a2 * g2 + a3 * g3) / f
    return math.exp(e * ln_n) * sigma * (m + h) + bracket


@lru_cache(maxsize=64)
def _beta2_terms(q: float) -> tuple[float, float, float]:
    """(G_a, G_b, phi) at z_q around N(0, 1): CDF perturbations for the cf weights
    v^2 ln v - i pi v^2/2 (G_a) and v^2 (G_b), and the normal density (beta = 2)."""
    z = float(special.ndtri(q))
    lcf = lambda v: -v * v / 2  # noqa: E731
    ga = _gp_cdf(z, lcf, weight=lambda v: v * v * math.log(v) - 0.5j * math.pi * v * v)
    gb = _gp_cdf(z, lcf, weight=lambda v: v * v)
    return ga, gb, _gp_pdf(z, lcf)


def quantile_per_subtask(n, q, beta, method: str = "asymptotic") -> float:
    """Predicted q-quantile of the average time per subtask S_n/n.

    Parameters
    ----------
    n : int >= 1
    q : float in (0, 1); 0.5 gives the median, 0.25/0.75 the quartiles.
    beta : float > 0, tail exponent of one subtask time (k * a).
    method : "asymptotic" (generalised CLT with first-order corrections, below) or "exact"
        (numerical Gil-Pelaez inversion of E[e^{iuX}]^n; about a second per call; 0.3 <= beta).

    Returns
    -------
    float (may be +inf for tiny beta: the true quantile then exceeds the float range;
    :func:`log_quantile_per_subtask` gives its logarithm).

    Notes
    -----
    Write log E[e^{iuX}] = log(1 + z(u)) = z - z^2/2 + ..., z(u) = E[e^{iuX}] - 1.

    - beta < 1/2 (log space, Kanter): S_n/n = n^(1/beta-1) Gamma(1-beta)^(1/beta) W - beta/(1-beta),
      W -> Y0 with E exp(-s Y0) = exp(-s^beta). Quantiles of Y0 from Kanter's representation
      P(Y0 <= y) = (1/pi) int_0^pi exp(-A(u) y^(-beta/(1-beta))) du. The -z^2/2 term multiplies the
      Laplace transform by 1 - Gamma(1-beta)^2 s^(2beta)/(2n), which shifts the quantile by the
      relative amount [1 + (M2/M1 - 1)/(1 - beta)]/(2 beta n) (M_k the Kanter moments at y_q).
      Validity: the expansion is in 1/(beta n). At beta = 1/32 the prediction is inside the z = 5
      order-statistic CI of a 20,000-task log-space simulation for n = 16 ... 1024 (tests); for
      beta n < 1/2 it is not checked.
    - 1/2 <= beta < 2 (S0 form, continuous in beta through 1):
      S_n/n = n^e sigma W + B_n, e = 1/beta - 1, W ~ S_beta(1, 1, 0) in the S0 parameterisation,
      B_n = n^e c(beta) + (beta/(1-beta)) expm1(e ln n) (-> ln n + c(1) at beta = 1),
      c = sigma tan(pi beta/2) - beta/(1-beta) (:func:`drift_constant`). First-order correction
      of the quantile of W from the cf perturbation -(psi0(v) + i v b_n)^2/(2n)
      + beta v^2 n^(1-2/beta)/(2 (2-beta) sigma^2), b_n = B_n/(n^e sigma) (the -z^2/2 term and the
      u^2 term of z). This reproduces the beta = 1/2 constant pi/2 - 1, the beta = 1 law
      ln n + (pi/2) m_Z + 1 - gamma + ln(pi/2) and the earlier 1 < beta < 2 correction.
      Near beta = 2 the stable scale diverges and convergence is slow: at beta = 1.9, n = 300 the
      median is off by 0.016 (7 % of the fluctuation scale sigma n^(1/beta-1)) against the exact
      inversion; use method="exact" there.
    - beta = 2: (S_n - 2n)/a_n -> N(0, 1), a_n^2 = n ln n. From
      E[e^{iuX}] = 1 + 2iu + u^2 (ln u + 1/2 + gamma - i pi/2) + O(u^3 ln u) (proofs/cogpower.py) the
      log cf of (S_n - 2n)/a_n is -v^2/2 + eps [v^2 ln v - i pi v^2/2 - (v^2/2)(ln ln n - 1 - 2 gamma)],
      eps = 1/ln n, whose first-order quantile shift is eps h_q; for the median only the skew term
      -i pi v^2/2 acts, h = -sqrt(pi/2): median(S_n/n) = 2 - sqrt(pi/2)/sqrt(n ln n) + O(1/(a_n ln n)).
      Against the exact inversion: n = 1000: 1.98492 vs 1.98426 (leading term 2.0); n = 10:
      1.7387 vs 1.7999. Not valid for n < 10 (at n = 2 it gives 0.94 < 1).
    - beta > 2: CLT, mu + sqrt(Var X / n) z_q, without a skew correction: for 2 < beta < 3 the
      correction is of relative order n^(1 - beta/2), not small at practical n near beta = 2
      (beta = 2.1, n = 300: prediction 1.9091 = mu, exact median 1.8857; use method="exact").
    """
    n = check_int("n", n)
    q = float(q)
    if not 0 < q < 1:
        raise ValueError(f"q: must be in (0, 1), got {q}")
    beta = _check_beta(beta)
    if method not in ("asymptotic", "exact"):
        raise ValueError(f"method: must be 'asymptotic' or 'exact', got {method!r}")
    if n == 1:
        return (1 - q) ** (-1 / beta)
    if method == "exact":
        return _exact_quantile(n, q, beta)
    if beta < KANTER_BELOW:
        with np.errstate(over="ignore"):
            lq = _log_quantile_kanter(n, q, beta)
        return math.inf if lq > 709.78 else math.exp(lq)
    if beta < 2:
        return _quantile_s0(n, q, beta)
    mu = beta / (beta - 1)
    zq = float(special.ndtri(q))
    if beta == 2:
        ln_n = math.log(n)
        ga, gb, phi = _beta2_terms(q)
        h = -(ga - 0.5 * (math.log(ln_n) - 1 - 2 * EULER_GAMMA) * gb) / (ln_n * phi)
        return 2.0 + math.sqrt(ln_n / n) * (zq + h)
    return mu + math.sqrt(subtask_variance(beta) / n) * zq


def log_quantile_per_subtask(n, q, beta) -> float:
    """Natural log of the asymptotic q-quantile of S_n/n, finite where the quantile overflows
    (tiny beta: the quantile is about n^(1/beta - 1) (ln(1/q))^(-1/beta))."""
    n = check_int("n", n)
    q = float(q)
    if not 0 < q < 1:
        raise ValueError(f"q: must be in (0, 1), got {q}")
    beta = _check_beta(beta)
    if n == 1:
        return -math.log1p(-q) / beta
    if beta < KANTER_BELOW:
        return _log_quantile_kanter(n, q, beta)
    return math.log(quantile_per_subtask(n, q, beta))


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
