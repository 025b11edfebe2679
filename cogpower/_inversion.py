"""Exact quantiles of the mean time per subtask S_n/n by numerical Laplace inversion (private).

S_n = n + T_n with T_n the sum of n iid excess times, P(T > t) = (1 + t)^-beta, whose Laplace
transform psi comes from :mod:`cogpower._laplace`. F(t) = P(T_n <= t) and S(t) = 1 - F(t) are the
inverse Laplace transforms of psi(p)^n/p and (1 - psi(p)^n)/p. Two inversions, each run twice with
different discretisations so that the difference estimates the error of the answer:

- Talbot: the cotangent contour p = z/t, z(theta) = N (0.5017 theta cot(0.6407 theta) - 0.6122
  + 0.2645 i theta) with the midpoint rule in theta (Trefethen, Weideman & Schmelzer 2006, BIT 46,
  "Talbot quadratures and rational approximations": error about 3.89^-N). Accurate when T_n is
  spread over a range comparable to its size (beta < 1 at any n; small n at any beta).
- Fourier series on the Bromwich line Re p = c (Abate & Whitt 1992, Queueing Systems 10, "The
  Fourier-series method for inverting transforms of probability distributions"): trapezoid step
  h = 2 pi/L in Im p, aliasing error e^{-cL} F(t + L) + e^{cL} F(t - L). Accurate when T_n is
  concentrated (large n, beta >= 1), where the Talbot contour loses its digits. The transform
  values do not depend on t, so the root search re-uses them.

Every loop here has a fixed cap (iterations, nodes); a quantile whose error estimate stays above
the tolerance is refused by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from tailpower._results import ResultMixin

from ._laplace import cexpm1_array, lomax_log_psi

TALBOT_N = (40, 56)      # the answer uses the larger contour, the smaller one estimates the error
REL_TOL = 1e-6           # accepted relative error of the quantile of T_n (and so of S_n/n - 1)
MAX_LINE_NODES = 20_480
MAX_ITER = 200


@dataclass(frozen=True)
class ExactQuantile(ResultMixin):
    """log t of the q-quantile of T_n = S_n - n, with its estimated absolute error in log t."""

    log_t: float
    error: float
    method: str

    _value_field = "log_t"
    _error_field = "error"


class InversionFailed(Exception):
    """Neither inversion reached the tolerance (the caller turns this into a named refusal)."""


# ----------------------------------------------------------------------------- helpers
def log_sum_imag(g: np.ndarray, ends: bool = False) -> float:
    """log(sum Im exp(g)); no overflow for large Re g. -inf where the sum is not resolved: not
    positive, or below 1e-10 of the sum of the moduli (it then cancels to rounding noise, which
    happens far in a tail, where the function being inverted is tiny). With ``ends``, also -inf
    where the last terms (the end of a Talbot contour) are not negligible."""
    if not np.all(np.isfinite(g.real) | (g.real == -np.inf)):
        return -math.inf
    m = float(np.max(g.real))
    if not math.isfinite(m):
        return -math.inf
    terms = np.exp(g - m)
    val = float(np.sum(terms.imag))
    if not val > 1e-10 * float(np.sum(np.abs(terms))):
        return -math.inf
    if ends and float(np.max(np.abs(terms[-3:]))) > 1e-9 * val:
        return -math.inf  # the integrand has not decayed at the end of the contour
    return m + math.log(val)


def rounding_floor(g: np.ndarray, dg: np.ndarray) -> float:
    """Relative error of sum Im exp(g) when each exponent g_k is uncertain by dg_k (absolute):
    3 sqrt(sum (|exp(g_k)| (dg_k + 1e-15))^2) / |sum Im exp(g)| (cancellation and the transform's
    accuracy)."""
    m = float(np.max(g.real))
    if not math.isfinite(m):
        return math.inf
    terms = np.exp(g - m)
    val = abs(float(np.sum(terms.imag)))
    # errors of the nodes are not all of one sign: root-sum-square with a safety factor of 3
    return 3.0 * math.sqrt(float(np.sum((np.abs(terms) * (dg + 1e-15)) ** 2))) / val if val > 0 else math.inf


def bracket(n: int, q: float, beta: float) -> tuple[float, float]:
    """Bounds on log t_q: T_max <= T_n <= n T_max (T_max the largest excess of the n), so
    (1 - (1 + t)^-beta)^n = q at the lower end and n times that t at the upper end.

    With u = log(q)/n: log1p(t_L) = l = -log(-expm1(u))/beta, computed in log space so that tiny q
    (l -> e^u/beta) and tiny beta (l -> huge) keep their digits."""
    u = math.log(q) / n
    if u < -30.0:  # -log(1 - e^u) = e^u (1 + e^u/2 + ...)
        log_l = u + math.log1p(0.5 * math.exp(u)) - math.log(beta)
    else:
        log_l = math.log(-math.log(-math.expm1(u))) - math.log(beta)
    if log_l < -20.0:  # log(expm1(l)) = log l + l/2 + ...
        lt = log_l + 0.5 * math.exp(log_l)
    elif log_l < math.log(30.0):
        lt = math.log(math.expm1(math.exp(log_l)))
    else:  # l >= 30: log(expm1(l)) = l + log1p(-e^-l); l may exceed the float range
        lt = math.exp(log_l) if log_l < 709.0 else math.inf
    return lt, lt + math.log(n)


def solve_increasing(f, a: float, b: float, tol: float) -> float:
    """Root of an increasing f on [a, b] (f(a) <= 0 <= f(b); -inf/+inf allowed) by the
    Illinois variant of regula falsi with bisection steps; at most MAX_ITER evaluations."""
    fa, fb = f(a), f(b)
    side = 0
    for _ in range(MAX_ITER):
        if b - a <= tol:
            break
        if math.isfinite(fa) and math.isfinite(fb) and fb > fa:
            m = b - fb * (b - a) / (fb - fa)
            lo, hi = a + 0.05 * (b - a), b - 0.05 * (b - a)
            m = min(max(m, lo), hi)
        else:
            m = 0.5 * (a + b)
        fm = f(m)
        if fm == 0:
            return m
        if fm < 0 or math.isnan(fm):
            a, fa = m, fm
            if side == -1 and math.isfinite(fb):
                fb *= 0.5
            side = -1
        else:
            b, fb = m, fm
            if side == 1 and math.isfinite(fa):
                fa *= 0.5
            side = 1
    return 0.5 * (a + b)


def _objective(log_cdf_sf, q: float):
    """Increasing function of log t that vanishes at the q-quantile."""
    if q <= 0.5:
        lq = math.log(q)
        return lambda lt: log_cdf_sf(lt)[0] - lq
    lq = math.log1p(-q)
    return lambda lt: lq - log_cdf_sf(lt)[1]


def _root_with_error(make, q: float, lo: float, hi: float, floor) -> tuple[float, float, float]:
    """Root of the fine discretisation, its error (in log t) from the coarse one and from
    ``floor(root)`` (the rounding floor of the objective, in its units), and the slope there."""
    fine, coarse = _objective(make(1), q), _objective(make(0), q)
    flo, fhi = fine(lo), fine(hi)
    for _ in range(8):  # the bounds are rigorous; widen only for rounding of the transform
        if flo <= 0 or math.isnan(flo):
            break
        lo -= 0.5 * (hi - lo) + 1.0
        flo = fine(lo)
    for _ in range(8):
        if fhi >= 0:
            break
        hi += 0.5 * (hi - lo) + 1.0
        fhi = fine(hi)
    if not (flo <= 0 <= fhi):
        raise InversionFailed("no sign change")
    root = solve_increasing(fine, lo, hi, 1e-13 * max(1.0, abs(lo), abs(hi)))
    if not abs(fine(root)) <= 1e-6:
        raise InversionFailed("the objective does not vanish at the root (unresolved region)")
    d = 1e-6 * max(1.0, abs(root))
    slope = (fine(root + d) - fine(root - d)) / (2 * d)
    gap = abs(coarse(root) - fine(root))
    if not (math.isfinite(slope) and slope > 0 and math.isfinite(gap)):
        raise InversionFailed("flat or non-finite objective")
    # the fine discretisation is at least as good as the coarse one; both share the rounding floor
    return root, (2 * gap + floor(root)) / slope + 1e-13 * max(1.0, abs(root)), slope


# ----------------------------------------------------------------------------- Talbot
_CONTOURS: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _contour(N: int):
    if N not in _CONTOURS:
        th = -math.pi + (np.arange(N) + 0.5) * 2 * math.pi / N
        th = th[th > 0]  # conjugate symmetry: the lower half gives the complex conjugates
        a1, a2, a3, a4 = 0.5017, 0.6407, 0.6122, 0.2645
        z = N * (a1 * th / np.tan(a2 * th) - a3 + 1j * a4 * th)
        dz = N * (a1 / np.tan(a2 * th) - a1 * a2 * th / np.sin(a2 * th) ** 2 + 1j * a4)
        _CONTOURS[N] = (z, np.log(z), np.log(dz / z * (2.0 / N)) + z)
    return _CONTOURS[N]


def talbot_log_cdf_sf(lt: float, n: int, beta: float, N: int) -> tuple[float, float]:
    """(log F, log S) of T_n at t = e^lt by the Talbot contour with N nodes."""
    z, log_z, lw = _contour(N)
    lp = n * lomax_log_psi(log_z - lt, beta)
    em = cexpm1_array(lp, np.empty_like(lp))
    return log_sum_imag(lp + lw, True), log_sum_imag(np.log(-em) + lw, True)


def talbot_floor(lt: float, n: int, beta: float, N: int, q: float) -> float:
    """Relative rounding error of F (q <= 1/2) or S at t = e^lt: psi and 1 - psi are accurate to
    about 1e-13 relative, so log psi to 1e-13 min(|log psi|, 1) absolute, n log psi n times that."""
    z, log_z, lw = _contour(N)
    lp = n * lomax_log_psi(log_z - lt, beta)
    dlp = 1e-13 * np.minimum(np.abs(lp), n)
    if q <= 0.5:
        return rounding_floor(lp + lw, dlp)
    em = cexpm1_array(lp, np.empty_like(lp))
    return rounding_floor(np.log(-em) + lw, np.abs(np.exp(lp)) * dlp / np.abs(em))


def _narrow(lo: float, hi: float) -> ExactQuantile | None:
    """Where the rigorous bounds on log t are within rounding of each other (tiny beta: log t is
    about 1/beta and the bounds differ by log n), they are the answer."""
    if hi - lo <= 1e-9 * max(1.0, abs(lo)):
        return ExactQuantile(0.5 * (lo + hi), 0.5 * (hi - lo) + 4e-16 * abs(lo), "bounds")
    return None


def talbot_quantile(n: int, q: float, beta: float) -> ExactQuantile:
    lo, hi = bracket(n, q, beta)
    done = _narrow(lo, hi)
    if done is not None:
        return done
    make = lambda i: (lambda lt: talbot_log_cdf_sf(lt, n, beta, TALBOT_N[i]))  # noqa: E731
    root, err, _ = _root_with_error(make, q, lo, hi, lambda lt: talbot_floor(lt, n, beta, TALBOT_N[1], q))
    return ExactQuantile(root, err, "talbot")


# ----------------------------------------------------------------------------- Bromwich line
def _line_values(n: int, beta: float, c: float, h: float, t_hi: float, log_eps: float):
    """log G_k = n log psi(c + ikh) - log(c + ikh), k = 0, 1, ..., until the terms fall below
    e^log_eps at every t <= t_hi (blocks of 512 nodes, at most MAX_LINE_NODES)."""
    out = []
    k0 = 0
    while k0 < MAX_LINE_NODES:
        k = np.arange(k0, k0 + 512)
        p = c + 1j * h * k
        lg = n * lomax_log_psi(np.log(p), beta) - np.log(p)
        out.append(lg)
        k0 += 512
        if np.max(lg.real) + c * t_hi + math.log(h / math.pi) < log_eps - 3.0:
            return np.concatenate(out)
    raise InversionFailed("too many line nodes")


def _line_floor(lt: float, c: float, h: float, lg: np.ndarray, q: float, n: int) -> float:
    """Relative rounding error of F (q <= 1/2) or of S = 1 - F: the exponents carry
    1e-13 min(|n log psi|, n) from log psi (see talbot_floor) and 1e-16 k h t from the phase."""
    t = math.exp(lt)
    k = np.arange(lg.size)
    g = lg + c * t + 1j * ((k * h * t) % (2 * math.pi))
    m = float(np.max(g.real))
    terms = np.exp(g - m)
    terms[0] *= 0.5
    mag = np.abs(terms)
    err = 3.0 * math.sqrt(float(np.sum((mag * (1e-13 * np.minimum(np.abs(lg), n) + 1e-16 * k * h * t + 1e-15)) ** 2)))
    val = abs(float(np.sum(terms.real)))
    if not val > 0:
        return math.inf
    rel_f = err / val
    # at the root F = q: the relative error of S = 1 - F is (q/(1-q)) times that of F
    return rel_f if q <= 0.5 else rel_f * q / (1.0 - q)


def _line_log_cdf_sf(lt: float, c: float, h: float, lg: np.ndarray) -> tuple[float, float]:
    t = math.exp(lt)
    k = np.arange(lg.size)
    g = lg + c * t + 1j * ((k * h * t) % (2 * math.pi))
    m = float(np.max(g.real))
    terms = np.exp(g - m).real
    terms[0] *= 0.5
    val = float(np.sum(terms)) * h / math.pi
    if not val > 0:
        return -math.inf, 0.0
    log_f = m + math.log(val)
    return log_f, (math.log(-math.expm1(log_f)) if log_f < 0 else -math.inf)


def line_quantile(n: int, q: float, beta: float, t0: float, sigma: float, center: float) -> ExactQuantile:
    """Quantile by the Bromwich-line Fourier series in a window t0 +- 12 sigma (moved up to
    3 times when the quantile lies outside it); ``center`` is the bulk of T_n: the damping c is
    kept below 3/(t - center) so that e^{c (t - center)} does not eat the digits of F."""
    qs = min(q, 1.0 - q)
    log_eps = math.log(qs) - 28.0  # absolute error target of F near the quantile
    lo_b, hi_b = bracket(n, q, beta)
    if min(q, 1.0 - q) < 1e-12:
        raise InversionFailed("the line inversion resolves F to about 1e-15: q too extreme")
    for attempt in range(4):
        lo = max(lo_b, math.log(max(t0 - 12 * sigma, 1e-300)))
        hi = min(hi_b, math.log(t0 + 12 * sigma))
        if not lo < hi:
            raise InversionFailed("first guess outside the bounds")
        t_hi = math.exp(hi)
        setups = []
        for factor in (1.0, 1.3):
            length = factor * ((t_hi - t0) + sigma * (2 * math.sqrt(-log_eps) + 6.0))
            c = (-log_eps + 3.0) / length
            if c * (t_hi - center) > 3.0:
                c = 3.0 / (t_hi - center)
                length = factor * (-log_eps + 3.0) / c
            h = 2 * math.pi / length
            setups.append((c, h, _line_values(n, beta, c, h, t_hi, log_eps)))
        make = lambda i: (lambda lt: _line_log_cdf_sf(lt, *setups[1 - i]))  # noqa: E731
        fine = _objective(make(1), q)
        if fine(lo) > 0 and lo > lo_b:
            t0 = max(t0 - 10 * sigma * 2**attempt, 0.5 * t0)
            continue
        if fine(hi) < 0 and hi < hi_b:
            t0 = t0 + 10 * sigma * 2**attempt
            continue
        root, err, _ = _root_with_error(make, q, lo, hi, lambda lt: _line_floor(lt, *setups[0], q, n))
        return ExactQuantile(root, err, "line")
    raise InversionFailed("quantile outside every window")


# ----------------------------------------------------------------------------- light-tail limit
def gamma_limit_quantile(n: int, q: float, beta: float) -> ExactQuantile:
    """beta >= 1e8: T = expm1(E/beta) with E ~ Exp(1), so beta T_n = G (1 + O(G/beta)) with
    G ~ Gamma(n, 1); the relative error of t is below 10/beta at the quantiles served here."""
    g = float(special.gammaincinv(n, q)) if q <= 0.5 else float(special.gammainccinv(n, 1.0 - q))
    if not (g > 0 and math.isfinite(g)):
        raise InversionFailed("gamma quantile")
    return ExactQuantile(math.log(g) - math.log(beta), 10.0 * g / beta + 1e-15, "gamma_limit")
