"""The totally skewed stable laws of the generalised CLT (private; re-exported by cogpower.analytic).

S_beta(s, 1, mu) in the S1 parameterisation (scipy.stats.levy_stable's default):
log E[e^{iuY}] = -s^b |u|^b (1 - i sign(u) tan(pi b/2)) + i mu u (b != 1) and
-s |u| (1 + i (2/pi) sign(u) ln|u|) + i mu u (b = 1).

- beta < 1 (one-sided): Kanter's representation (Kanter 1975; Zolotarev 1986, Thm 2.2.3) of
  Y0 = Y cos(pi beta/2)^(1/beta), E exp(-s Y0) = exp(-s^beta):
  P(Y0 <= y) = (1/pi) int_0^pi exp(-A(u) tau) du, tau = y^(-beta/(1-beta)),
  A(u) = [sin(beta u)^beta sin((1-beta) u)^(1-beta) / sin u]^(1/(1-beta)), increasing from
  A(0+) = (1-beta) beta^(beta/(1-beta)). Both tails are computed with relative accuracy: the lower
  one as exp(-A(0+) tau) times an integral of order one, the upper one as
  (1/pi) int -expm1(-A(u) tau) du near u = pi.
- 0.9 <= beta < 2: Gil-Pelaez inversion of the characteristic function in Nolan's S0 form
  (absolute accuracy about 1e-12; for |x| > 30 as Fourier integrals with QUADPACK's QAWF), with the
  tail limits outside the range where it is reliable: the upper tail is
  2 Gamma(beta) sin(pi beta/2)/pi y^-beta (2/pi y^-1 at beta = 1) to first order once below 1e-9,
  the lower tail below 1e-14. Lower quantiles are therefore served for q >= Q_MIN_GP only.

scipy's levy_stable ppf/median are wrong at b = 1 with scale != 1 and its sf underflows to 0 at
y = 1000; this module never uses scipy's stable law (tests compare with it at scale 1, centrally).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
from scipy import integrate, optimize, special

from . import _checks
from ._inversion import solve_increasing

EULER_GAMMA = float(np.euler_gamma)
#: probabilities the Gil-Pelaez branch (1 <= beta < 2) resolves to a relative error below 1e-3
Q_MIN_GP = 1e-9


def _quad(f, a, b, limit=400, epsabs=1e-13, epsrel=1e-11, points=None) -> float:
    # Oscillatory tails of the inversion integrals trip quad's subdivision warnings although the
    # contribution there is below epsabs; accuracy is checked in tests against closed forms.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return integrate.quad(f, a, b, limit=limit, epsabs=epsabs, epsrel=epsrel, points=points)[0]


def check_beta(beta, upper: float = 2.0) -> float:
    """beta as a float in (0, upper) (the stable laws need beta < 2)."""
    b = _checks.positive("beta", beta)
    if not b < upper:
        raise ValueError(f"beta: stable laws need 0 < beta < {upper:g}, got {b!r}")
    return b


# ----------------------------------------------------------------------------- scale
def _lgamma_one_minus_over(beta: float) -> float:
    """log Gamma(1 - beta)/beta, accurate for tiny beta (series sum zeta(k) beta^(k-1)/k)."""
    if beta > 0.25:
        return math.lgamma(1.0 - beta) / beta
    s, p = EULER_GAMMA, 1.0
    for k in range(2, 40):
        p *= beta
        s += float(special.zeta(k)) * p / k
    return s


def log_stable_scale(beta: float) -> float:
    """log sigma, sigma^beta = Gamma(1-beta) cos(pi beta/2)."""
    if beta == 1:
        return math.log(math.pi / 2)
    eps = 1.0 - beta  # exact (Sterbenz) for beta in [1/2, 2]
    if beta < 1:
        log_cos = math.log1p(-2.0 * math.sin(math.pi * beta / 4) ** 2) if beta < 0.5 else \
            math.log(math.sin(math.pi * eps / 2))
        return _lgamma_one_minus_over(beta) + log_cos / beta
    # 1 < beta < 2: Gamma(eps) < 0 and sin(pi eps/2) < 0
    return (math.log(-math.gamma(eps)) + math.log(-math.sin(math.pi * eps / 2))) / beta


def stable_scale(beta: float) -> float:
    """sigma with sigma^beta = Gamma(1-beta) cos(pi beta/2), 0 < beta < 2 (pi/2 at beta = 1).

    The scale of the stable limit of sums of P(X > x) = x^-beta variables (generalised CLT,
    Gnedenko & Kolmogorov 1954; derived in proofs/cogpower.py from the characteristic function):
    (S_n - b_n)/(sigma n^(1/beta)) -> S_beta(1, 1, 0). It tends to e^gamma_Euler as beta -> 0
    and grows like (2 - beta)^(-1/2) as beta -> 2.

    Parameters
    ----------
    beta : float in (0, 2)
        Tail exponent of one subtask time.

    Returns
    -------
    float
        sigma > 0.

    Raises
    ------
    ValueError
        ``beta`` not in (0, 2).
    TypeError
        ``beta`` not a real number.

    Examples
    --------
    >>> import math
    >>> stable_scale(1.0) == math.pi / 2
    True
    >>> abs(stable_scale(0.5) - math.pi / 2) < 1e-15  # sigma^(1/2) = Gamma(1/2) cos(pi/4)
    True
    """
    return math.exp(log_stable_scale(check_beta(beta)))


# ----------------------------------------------------------------------------- Kanter (beta < 1)
def _log_cos_half(beta: float) -> float:
    """log cos(pi beta/2), accurate near beta = 0 and beta = 1."""
    if beta < 0.5:
        return math.log1p(-2.0 * math.sin(math.pi * beta / 4) ** 2)
    return math.log(math.sin(math.pi * (1.0 - beta) / 2))


def _log_sin(x: float) -> float:
    """log sin(x) for 0 <= x <= pi (-inf at the ends)."""
    if x < 1e-5:
        return math.log(x) + math.log1p(-x * x / 6) if x > 0 else -math.inf
    sx = math.sin(x)
    return math.log(sx) if sx > 0 else -math.inf


def _beta_log_sin(beta: float, w: float) -> float:
    """beta log sin(beta w) for 0 < beta w <= pi, finite even where beta w underflows."""
    x = beta * w
    if x < 1e-5:
        return beta * (math.log(beta) + math.log(w) + math.log1p(-x * x / 6)) if w > 0 else -math.inf
    return beta * math.log(math.sin(x))


def _kanter_log_a(u: float, beta: float) -> float:
    """log A(u) of Kanter's representation, 0 <= u < pi, accurate as u -> 0 (the log u terms
    cancel: written with sinc) and for tiny beta."""
    if u < 1e-5:
        return _kanter_log_a0(beta) + (beta * math.log1p(-(beta * u) ** 2 / 6) + (1 - beta) * math.log1p(
            -((1 - beta) * u) ** 2 / 6) - math.log1p(-u * u / 6)) / (1 - beta)
    return (_beta_log_sin(beta, u) + (1 - beta) * _log_sin((1 - beta) * u) - _log_sin(u)) / (1 - beta)


def _kanter_log_a_from_pi(v: float, beta: float) -> float:
    """log A(pi - v), accurate for small v: sin((1-beta)(pi - v)) = sin(v + beta (pi - v))."""
    if v <= 0:
        return math.inf
    w = math.pi - v
    return (_beta_log_sin(beta, w) + (1 - beta) * _log_sin(v + beta * w) - _log_sin(v)) / (1 - beta)


def _kanter_log_a0(beta: float) -> float:
    """log A(0+) = log(1-beta) + beta log(beta)/(1-beta)."""
    return math.log1p(-beta) + beta * math.log(beta) / (1 - beta)


def _log_sinc(x: np.ndarray) -> np.ndarray:
    """log(sin(x)/x) for 0 <= x < pi, accurate near 0."""
    small = x < 1e-4
    xs = np.where(small, 1.0, x)
    return np.where(small, -x * x / 6 - x**4 / 180, np.log(np.sin(xs) / xs))


#: Kanter integrals use the trapezoid rule in s with u = pi expit(s) (so u ~ pi e^s as s -> -inf
#: and pi - u ~ pi e^-s as s -> inf); the integrands are double exponentials in s, analytic in a
#: strip of half-width min(pi/4, pi (1-beta)/2), so this step gives an error of about e^-30
KANTER_MAX = 0.9  # beta >= KANTER_MAX: Kanter's A(u) is too steep near pi; Gil-Pelaez on S0 instead


def _kanter_grids(log_tau: float, beta: float):
    """(h, log of the weight du/ds, log(A(u) tau) - log(A0 tau), log A0 tau) on the s-grid.

    D = log A(u) - log A0 = [beta lsinc(beta u) + (1-beta) lsinc((1-beta) u) - lsinc(u)]/(1-beta)
    (lsinc = log(sin x/x)), with sin((1-beta) u) = sin(v + beta u) and sin u = sin v, v = pi - u,
    for u > pi/2, so that no term cancels as u -> 0 or u -> pi.
    """
    k = _kanter_log_a0(beta) + log_tau
    h = 0.8 * 2 * math.pi * min(math.pi / 4, math.pi * (1 - beta) / 2) / 37.0
    s_lo = min(0.0, -0.5 * k) - 42.0
    s_hi = max(0.0, -(1 - beta) * k) + 42.0
    s = np.arange(s_lo, s_hi + h, h)
    u = math.pi * special.expit(s)
    v = math.pi * special.expit(-s)
    left = u <= math.pi / 2
    d = np.empty_like(s)
    ul = u[left]
    d[left] = (beta * _log_sinc(beta * ul) + (1 - beta) * _log_sinc((1 - beta) * ul) - _log_sinc(ul)) / (1 - beta)
    ur, vr = u[~left], v[~left]
    d[~left] = (beta * _log_sinc(beta * ur) + (1 - beta) * np.log(np.sin(vr + beta * ur) / ((1 - beta) * ur))
                - np.log(np.sin(vr) / ur)) / (1 - beta)
    log_w = np.log(u) + np.log(v) - math.log(math.pi)  # du/ds = u v/pi
    return h, log_w, d, k


def _far_upper_log_sf(log_tau: float, beta: float) -> float | None:
    """log P(Y0 > y) = (1-beta) log tau - log Gamma(1-beta) + O(tau^(1-beta)) once that is below
    e^-60 (Feller's series P(Y0 > y) = sum_k (-1)^(k+1) Gamma(k beta) sin(k pi beta) y^(-k beta)/(k! pi);
    the second term is relatively tau^(1-beta)); None above."""
    lead = (1 - beta) * log_tau - math.lgamma(1 - beta)
    return lead if lead < -60.0 else None


def kanter_log_cdf(log_tau: float, beta: float) -> float:
    """log P(Y0 <= y), tau = y^(-beta/(1-beta)): -A0 tau + log (1/pi) int exp(-A0 tau expm1(D)) du,
    D = log A - log A0 >= 0 (relative accuracy in the lower tail)."""
    if log_tau > 700.0:
        return -math.inf
    far = _far_upper_log_sf(log_tau, beta)
    if far is not None:
        return -math.exp(far)  # log(1 - S) with S < e^-60
    h, log_w, d, k = _kanter_grids(log_tau, beta)
    a0t = math.exp(k)
    with np.errstate(over="ignore"):
        val = float(np.sum(np.exp(-a0t * np.expm1(d) + log_w))) * h / math.pi
    return -a0t + math.log(val) if val > 0 else -math.inf


def kanter_log_sf(log_tau: float, beta: float) -> float:
    """log P(Y0 > y) = log (1/pi) int -expm1(-A(u) tau) du (relative accuracy in the upper tail)."""
    if log_tau > 700.0:
        return 0.0
    far = _far_upper_log_sf(log_tau, beta)
    if far is not None:
        return far
    h, log_w, d, k = _kanter_grids(log_tau, beta)
    val = float(np.sum(-np.expm1(-np.exp(np.minimum(k + d, 700.0))) * np.exp(log_w))) * h / math.pi
    return math.log(val) if val > 0 else -math.inf


def _kanter_moment(log_tau: float, beta: float, k: int) -> float:
    """M_k(tau) = (1/pi) int (A(u) tau)^k exp(-A(u) tau) du; M_0 = P(Y0 <= y)."""
    log_tau = min(max(log_tau, -60.0 / (1 - beta) - 50.0), 710.0)
    h, log_w, d, kk = _kanter_grids(log_tau, beta)
    lx = np.minimum(kk + d, 700.0)
    return float(np.sum(np.exp(k * lx - np.exp(lx) + log_w))) * h / math.pi


@lru_cache(maxsize=1024)
def kanter_log_quantile(q: float, beta: float) -> float:
    """log of the q-quantile of Y0 (E exp(-s Y0) = exp(-s^beta), 0 < beta < KANTER_MAX), any q."""
    if q <= 0.5:
        lq = math.log(q)
        # log F is decreasing in log tau; lower-tail start: tau ~ -log q / A0
        fn = lambda lt: lq - kanter_log_cdf(lt, beta)  # noqa: E731
        start = math.log(max(-lq, 1e-3)) - _kanter_log_a0(beta)
    else:
        lq = math.log1p(-q)
        # log S is increasing in log tau; upper-tail start: S ~ tau^(1-beta)/Gamma(1-beta)
        fn = lambda lt: kanter_log_sf(lt, beta) - lq  # noqa: E731
        start = min((lq + math.lgamma(1 - beta)) / (1 - beta), 0.0)
    lo, hi = start - 2.0, start + 2.0
    for _ in range(40):
        if fn(lo) <= 0:
            break
        lo -= 2.0 * (hi - lo)
    for _ in range(40):
        if fn(hi) >= 0:
            break
        hi += 2.0 * (hi - lo)
    if not (fn(lo) <= 0 <= fn(hi)):
        raise ValueError(f"q: the {q!r}-quantile of the stable law at beta = {beta!r} could not be bracketed")
    lt = solve_increasing(fn, lo, hi, 1e-14 * max(1.0, abs(lo), abs(hi)))
    return -(1 - beta) / beta * lt


@lru_cache(maxsize=1024)
def kanter_quantile_terms(q: float, beta: float) -> tuple[float, float]:
    """(log y_q, M_2/M_1 at y_q) for the q-quantile y_q of Y0 (used by the beta < 1/2 prediction)."""
    log_y = kanter_log_quantile(q, beta)
    lt = -beta / (1 - beta) * log_y
    m1 = _kanter_moment(lt, beta, 1)
    ratio = _kanter_moment(lt, beta, 2) / m1 if m1 > 0 else 1.0
    return log_y, ratio


# ----------------------------------------------------------------------------- Gil-Pelaez (1 <= beta < 2)
def std_log_cf(v: float, beta: float) -> complex:
    """log cf of the standard S_beta(1, 1, 0) (S1) at v > 0."""
    if beta == 1:
        return -v * (1 + 1j * (2 / math.pi) * math.log(v))
    return -(v**beta) * (1 - 1j * math.tan(math.pi * beta / 2))


def gp_cdf(x: float, logcf, weight=None) -> float:
    """Gil-Pelaez: F(x) = 1/2 - (1/pi) int_0^inf Im[e^{-ivx} phi(v) w(v)]/v dv."""

    def f(v):
        if v == 0:
            return 0.0
        z = np.exp(logcf(v) - 1j * v * x)
        if weight is not None:
            z = z * weight(v)
        return z.imag / v

    tot = sum(_quad(f, a, b) for a, b in [(0.0, 1.0), (1.0, 10.0), (10.0, np.inf)])
    return (0.5 if weight is None else 0.0) - tot / math.pi


def gp_pdf(x: float, logcf) -> float:
    def f(v):
        return np.exp(logcf(v) - 1j * v * x).real

    return sum(_quad(f, a, b) for a, b in [(0.0, 1.0), (1.0, 10.0), (10.0, np.inf)]) / math.pi


def _upper_tail_constant(beta: float) -> float:
    """P(Y > y) ~ C y^-beta for the S1 law: C = 2 Gamma(beta) sin(pi beta/2)/pi (2/pi at beta = 1)."""
    return 2.0 / math.pi if beta == 1 else 2.0 * math.gamma(beta) * math.sin(math.pi * beta / 2) / math.pi


def _s1_to_s0(beta: float) -> float:
    """Y_S0 = Y_S1 - tan(pi beta/2) (0 at beta = 1)."""
    return 0.0 if beta == 1 else math.tan(math.pi * beta / 2)


@lru_cache(maxsize=256)
def _gp_range(beta: float) -> tuple[float, float]:
    """(x_lo, x_hi) in S0 units: F < 1e-14 below x_lo; above x_hi the upper tail is C y^-beta
    (y = x + tan(pi beta/2)) to within a relative 1e-3 and below 1e-9 (loops capped)."""
    lcf = lambda v: s0_log_cf(v, beta)  # noqa: E731
    x_lo = -1.0
    for _ in range(60):
        if gp_cdf(x_lo, lcf) < 1e-14:
            break
        x_lo = 1.5 * x_lo - 1.0
    y_hi = (_upper_tail_constant(beta) / 1e-9) ** (1.0 / beta)
    return x_lo, y_hi - _s1_to_s0(beta)


def _gp_far(x: float, beta: float) -> float:
    """Gil-Pelaez for large |x| as two Fourier integrals (QUADPACK's QAWF, made for oscillatory
    integrands): F = 1/2 - (I1 - I2)/pi, I1 = int Im phi(v)/v cos(vx) dv, I2 = int Re phi(v)/v
    sin(vx) dv = int (Re phi(v) - e^-v)/v sin(vx) dv + arctan(x) (the 1/v at 0 taken out)."""
    def im_over(v):
        return np.exp(s0_log_cf(v, beta)).imag / v if v > 0 else 0.0

    def re_over(v):
        return (np.exp(s0_log_cf(v, beta)).real - math.exp(-v)) / v if v > 0 else 0.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        i1 = integrate.quad(im_over, 0, np.inf, weight="cos", wvar=x, limlst=200, limit=400, epsabs=1e-14)[0]
        i2 = integrate.quad(re_over, 0, np.inf, weight="sin", wvar=x, limlst=200, limit=400, epsabs=1e-14)[0]
    return 0.5 - (i1 - i2 - math.atan(x)) / math.pi


def _tail_series(y: float, beta: float) -> tuple[float, float]:
    """P(Y > y) for the S1 law from the series sum_k a_k y^(-k beta),
    a_k = -(1/pi) ((-c)^k/k!) Gamma(k beta) sin(pi k beta), c = 1/cos(pi beta/2) (termwise Fourier
    inversion of the cf; convergent for beta < 1, asymptotic for 1 < beta < 2: Zolotarev 1986,
    Thm 2.5.1), summed until its envelope |c|^k Gamma(k beta)/(k! pi) y^(-k beta) stops falling.
    Returns (sum, error bound = the first envelope left out)."""
    c = 1.0 / math.cos(math.pi * beta / 2)
    ly = math.log(y)
    tot, prev = 0.0, math.inf
    for k in range(1, 80):
        env = math.exp(math.lgamma(k * beta) - math.lgamma(k + 1) + k * math.log(abs(c)) - k * beta * ly) / math.pi
        if env > prev:
            return tot, env
        sign = (-1.0) ** (k + 1) * (1.0 if c > 0 else (-1.0) ** k)
        tot += sign * env * math.sin(math.pi * k * beta)
        prev = env
        if env < 1e-17 * abs(tot):
            break
    return tot, prev


def _sf_s0_far(x: float, beta: float) -> float:
    """P(W > x) of the S0 law for x > 30: the tail series (in y = x + tan(pi beta/2)) where it has
    converged to 1e-13 of the tail, else Gil-Pelaez as Fourier integrals (QAWF) up to x = 1e6, else
    the first-order tail C x^-beta (beta near 1 only: relative error about log(x)/x)."""
    y = x + _s1_to_s0(beta)
    if beta != 1 and y > 30.0:
        sf, err = _tail_series(y, beta)
        if 0 < sf and err <= 1e-13 * sf:
            return sf
    if x <= 1e6:
        return max(0.0, 1.0 - _gp_far(x, beta))
    return _upper_tail_constant(beta) * x ** -beta


def _gp_cdf_s0(x: float, beta: float) -> float:
    """CDF of the S0 law: 0 below x_lo (where it is below 1e-14), Gil-Pelaez up to x = 30, the
    upper tail beyond (:func:`_sf_s0_far`)."""
    x_lo, _ = _gp_range(beta)
    if x <= x_lo:
        return 0.0
    if x <= 30.0:
        return min(1.0, max(0.0, gp_cdf(x, lambda v: s0_log_cf(v, beta))))
    return 1.0 - _sf_s0_far(x, beta)


def stable_cdf(x: float, beta: float) -> float:
    """CDF of the standard totally skewed stable law S_beta(1, 1, 0) (S1), 0 < beta < 2.

    beta < 0.9: Kanter's integral (Kanter 1975; trapezoid rule in a double-exponential variable),
    both tails to about 1e-13 relative. 0.9 <= beta < 2: Gil-Pelaez inversion of the S0
    characteristic function (Nolan 2020; absolute error about 1e-12), the first-order power tail
    1 - C y^-beta beyond the point where it is below 1e-9, and 0 below the point where the CDF is
    below 1e-14. S1 is the parameterisation of Samorodnitsky & Taqqu (1994) and scipy's
    ``levy_stable`` default.

    Parameters
    ----------
    x : float
        Where to evaluate (any real, +-inf included).
    beta : float in (0, 2)
        Stability index.

    Returns
    -------
    float
        P(W <= x) for W ~ S_beta(1, 1, 0).

    Raises
    ------
    ValueError
        ``x`` NaN; ``beta`` not in (0, 2).
    TypeError
        ``x`` or ``beta`` not a real number.

    Examples
    --------
    >>> stable_cdf(0.0, 0.5)  # beta < 1: the law lives on (0, inf)
    0.0
    >>> abs(stable_cdf(0.0, 1.5) - 2 / 3) < 1e-12  # 1/2 - arctan(tan(pi beta/2))/(pi beta) (Zolotarev 1986)
    True
    """
    x = _checks.real("x", x)
    beta = check_beta(beta)
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    if beta < KANTER_MAX:
        if x <= 0:
            return 0.0
        log_y0 = math.log(x) + _log_cos_half(beta) / beta
        lt = -beta / (1 - beta) * log_y0
        lf = kanter_log_cdf(lt, beta)
        if lf < math.log(0.5):
            return math.exp(lf)
        return -math.expm1(kanter_log_sf(lt, beta))
    return _gp_cdf_s0(x - _s1_to_s0(beta), beta)


@lru_cache(maxsize=512)
def _upper_quantile_s0(q: float, beta: float) -> float:
    """The S0 q-quantile for q > 0.999, solving log P(W > x) = log(1-q) in log x."""
    lq = math.log1p(-q)

    def f(lx):  # increasing in log x
        x = math.exp(lx)
        sf = 1.0 - gp_cdf(x, lambda v: s0_log_cf(v, beta)) if x <= 30.0 else _sf_s0_far(x, beta)
        return lq - math.log(sf) if sf > 0 else math.inf

    start = (math.log(_upper_tail_constant(beta)) - lq) / beta  # first-order tail
    lo, hi = max(start - 1.0, 0.0), start + 1.0
    for _ in range(40):
        if f(lo) <= 0 or lo <= 0.0:
            break
        lo = max(lo - 1.0, 0.0)
    for _ in range(40):
        if f(hi) >= 0:
            break
        hi += 1.0
    if not (f(lo) <= 0 <= f(hi)):
        raise ValueError(f"q: the {q!r}-quantile of the stable law at beta = {beta!r} could not be bracketed")
    return math.exp(solve_increasing(f, lo, hi, 1e-14 * max(1.0, abs(lo), abs(hi))))


@lru_cache(maxsize=512)
def _gp_quantile_s0(q: float, beta: float) -> float:
    x_lo, x_hi = _gp_range(beta)
    f = lambda x: _gp_cdf_s0(x, beta) - q  # noqa: E731
    lo, hi = -1.0, 1.0
    for _ in range(80):
        if f(lo) <= 0 or lo <= x_lo:
            break
        lo = 2 * lo - 1
    for _ in range(80):
        if f(hi) >= 0 or hi >= x_hi:
            break
        hi = 2 * hi + 1
    lo, hi = max(lo, x_lo), min(hi, x_hi)
    if not (f(lo) <= 0 <= f(hi)):
        raise ValueError(f"q: the {q!r}-quantile of the stable law at beta = {beta!r} could not be bracketed")
    return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=200)


def stable_quantile(q: float, beta: float) -> float:
    """Quantile of S_beta(1, 1, 0) (S1), by inverting :func:`stable_cdf`.

    beta < 0.9: any q in (0, 1), in log space (a quantile beyond the float range is refused, one
    below it rounds to 0.0). 0.9 <= beta < 2: q >= 1e-9 from the CDF (above q = 0.999 by solving
    for the tail probability, so q up to 1 - 2^-53 keeps its digits); q < 1e-9 is refused (the
    lower tail is super-exponentially thin and below the Gil-Pelaez resolution).

    Parameters
    ----------
    q : float in (0, 1)
        The probability level.
    beta : float in (0, 2)
        Stability index.

    Returns
    -------
    float
        x with P(W <= x) = q, W ~ S_beta(1, 1, 0).

    Raises
    ------
    ValueError
        ``q`` not in (0, 1) (or below 1e-9 for beta >= 0.9); ``beta`` not in (0, 2); ``beta`` when
        the quantile is beyond the float range.
    TypeError
        ``q`` or ``beta`` not a real number.

    Examples
    --------
    >>> x = stable_quantile(0.3, 1.2)
    >>> abs(stable_cdf(x, 1.2) - 0.3) < 1e-10
    True
    """
    q = _checks.probability("q", q)
    beta = check_beta(beta)
    if beta < KANTER_MAX:
        lx = kanter_log_quantile(q, beta) - _log_cos_half(beta) / beta
        if lx > 709.78:
            raise ValueError(f"beta: the {q!r}-quantile of the stable law at beta = {beta!r} is about "
                             f"10^{lx / math.log(10):.4g}, beyond the float range")
        return math.exp(lx)
    if q < Q_MIN_GP:
        raise ValueError(f"q: for 0.9 <= beta < 2 the stable quantile is computed for q >= {Q_MIN_GP:g} "
                         f"(the lower tail is super-exponentially thin), got {q!r}")
    if q > 0.999:  # the upper tail from P(W > x) itself: solve in log x
        return _upper_quantile_s0(q, beta) + _s1_to_s0(beta)
    return _gp_quantile_s0(q, beta) + _s1_to_s0(beta)


# ----------------------------------------------------------------------------- S0 form (1/2 <= beta < 2)
def s0_log_cf(v: float, beta: float) -> complex:
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
def s0_terms(q: float, beta: float) -> tuple[float, float, float, float, float]:
    """(m, G1, G2, G3, f): the S0 q-quantile m, the CDF perturbations at m for cf weights psi0^2,
    i v psi0 and v^2 (Gil-Pelaez), and the density f at m (0 where the Gil-Pelaez integrals are
    not resolved: far upper quantiles of beta < 0.9)."""
    lcf = lambda v: s0_log_cf(v, beta)  # noqa: E731
    F = lambda x: gp_cdf(x, lcf) - q  # noqa: E731
    if beta < KANTER_MAX:  # the quantile from Kanter's integral; the Gil-Pelaez CDF must agree there
        ly = kanter_log_quantile(q, beta) - _log_cos_half(beta) / beta
        if ly > 700.0:
            return math.inf, 0.0, 0.0, 0.0, 0.0
        m = math.exp(ly) - _s1_to_s0(beta)
        if not abs(F(m)) <= 1e-9:
            return m, 0.0, 0.0, 0.0, 0.0  # Gil-Pelaez not resolved here: density reported as 0
        g1 = gp_cdf(m, lcf, weight=lambda v: lcf(v) ** 2)
        g2 = gp_cdf(m, lcf, weight=lambda v: 1j * v * lcf(v))
        g3 = gp_cdf(m, lcf, weight=lambda v: v * v)
        return m, g1, g2, g3, gp_pdf(m, lcf)
    lo, hi = -2.0, 2.0
    for _ in range(60):
        if F(lo) <= 0:
            break
        lo = 2 * lo - 1
    for _ in range(60):
        if F(hi) >= 0:
            break
        hi = 2 * hi + 1
    m = optimize.brentq(F, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=200)
    g1 = gp_cdf(m, lcf, weight=lambda v: lcf(v) ** 2)
    g2 = gp_cdf(m, lcf, weight=lambda v: 1j * v * lcf(v))
    g3 = gp_cdf(m, lcf, weight=lambda v: v * v)
    return m, g1, g2, g3, gp_pdf(m, lcf)


@lru_cache(maxsize=512)
def drift_constant(beta: float) -> float:
    """c(beta) = sigma tan(pi beta/2) - beta/(1-beta), sigma = stable_scale(beta), 0 < beta < 2.

    Each term is of order 1/(1-beta) near beta = 1; there the difference is evaluated with mpmath
    at 50 digits. c(1) = 1 - gamma_Euler + ln(pi/2) (the limit, derived in proofs/cogpower.py).
    """
    beta = check_beta(beta)
    if abs(1.0 - beta) > 0.05:  # sigma tan(pi beta/2) written so that tiny beta keeps its digits
        return math.exp(log_stable_scale(beta)) * math.tan(math.pi * beta / 2) - beta / (1.0 - beta)
    import mpmath as mp

    with mp.workdps(50):
        if beta == 1:
            return float(1 - mp.euler + mp.log(mp.pi / 2))
        b = mp.mpf(beta)
        eps = 1 - b
        sig = (mp.gamma(eps) * mp.sin(mp.pi * eps / 2)) ** (1 / b)
        return float(sig / mp.tan(mp.pi * eps / 2) - b / eps)
