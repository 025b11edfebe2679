"""KL-regularised optimisation under a misspecified proxy U = V + X.

Three exact (deterministic) computations from Kwa, Thomas & Garriga-Alonso, "Catastrophic
Goodhart: regularizing RLHF with KL divergence does not mitigate heavy-tailed reward
misspecification" (arXiv 2407.14503, NeurIPS 2024; LessWrong post "Catastrophic Goodhart in RL
with KL penalty", 2024):

- :func:`kl_construction` -- Theorem 1's path P_t: for heavy-tailed Q the mean of P_t grows while
  KL(P_t || Q) -> 0 (the paper's Figure 3 uses the mass c / t**0.8 above t).
- :func:`kl_optimum` -- Theorem 4's KL-penalised optimum pi*_beta ∝ pi0 exp(U / beta) over a
  continuous base law of (V, X); E[V], E[X], E[U] and KL as functions of beta by quadrature in log
  space. A heavy-tailed U has no such optimum (the normaliser diverges): :class:`HeavyTailError`.
- :func:`reweight_trajectories` -- the RL form (Theorem 3) on a finite set of trajectories.

Everything here is quadrature or finite sums: ``stderr`` holds the quadrature error bound and
``samples`` is 0.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import integrate, special

from .model import Dependent, PointMass, check_distribution

__all__ = [
    "HeavyTailError",
    "KLConstruction",
    "KLOptimum",
    "TrajectoryReweighting",
    "kl_construction",
    "kl_optimum",
    "reweight_trajectories",
    "mgf_diverges",
]


class HeavyTailError(ValueError):
    """The tilted law pi0 exp(U/beta) / Z does not exist because Z = E[exp(U/beta)] = inf.

    For a heavy-tailed U (lim e^{λx} P(U > x) = inf for every λ > 0, paper §2.2) the moment
    generating function is infinite at every positive argument, so Theorem 4's optimum
    pi*_beta ∝ pi0 exp(U/beta) is not a probability law at any beta > 0. This is the
    catastrophic-Goodhart regime itself (Theorem 1: policies with unbounded E[U] at vanishing KL,
    see :func:`kl_construction`), not a numerical failure.
    """


# ----------------------------------------------------------------------------- helpers
def _check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return x


def _as_1d(name: str, value: Any) -> tuple[np.ndarray, bool]:
    arr = np.asarray(value, dtype=float) if not isinstance(value, (bool, np.bool_)) else None
    if arr is None:
        raise TypeError(f"{name}: expected real numbers, got bool")
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a number or a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return arr, scalar


def _out(arr: np.ndarray, scalar: bool):
    return float(arr[0]) if scalar else arr


def _quad(f: Callable[[float], float], a: float, b: float, points=None, max_points: int = 60) -> tuple[float, float]:
    kw = {}
    if points is not None and math.isfinite(a) and math.isfinite(b):
        pts = np.asarray(points, dtype=float)
        pts = pts[(pts > a) & (pts < b)]
        if pts.size > max_points:
            pts = pts[np.linspace(0, pts.size - 1, max_points).astype(int)]
        if pts.size:
            kw["points"] = pts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        val, err = integrate.quad(f, a, b, limit=400, epsabs=0.0, epsrel=1e-11, **kw)
    return float(val), float(err)


def _log_integrate(logf: Callable[[np.ndarray], np.ndarray], grid: np.ndarray,
                   max_points: int = 60) -> tuple[float, float, float]:
    """log ∫ exp(logf(y)) dy and the mean of y under exp(logf), by quadrature in log space.

    ``grid`` are candidate points covering the mass; the integrand is shifted by its maximum
    ``m`` at ``y*`` (refined on the grid) and split at ``y*`` and at the edges of the window where
    ``logf > m - 50``.  Returns ``(log I, mean, error bound of mean)``.
    """
    grid = np.unique(np.asarray(grid, dtype=float))
    grid = grid[np.isfinite(grid)]
    with np.errstate(all="ignore"):
        lg = np.asarray(logf(grid), dtype=float)
    lg = np.where(np.isnan(lg), -np.inf, lg)
    if not np.any(np.isfinite(lg)):
        raise ValueError("integrand: the log-integrand is -inf on the whole search grid")
    for _ in range(3):  # refine the peak between its grid neighbours
        i = int(np.argmax(lg))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        fine = np.linspace(lo, hi, 65)
        with np.errstate(all="ignore"):
            lf = np.asarray(logf(fine), dtype=float)
        lf = np.where(np.isnan(lf), -np.inf, lf)
        grid = np.concatenate([grid, fine])
        lg = np.concatenate([lg, lf])
        order = np.argsort(grid, kind="stable")
        grid, lg = grid[order], lg[order]
    i = int(np.argmax(lg))
    ystar, m = float(grid[i]), float(lg[i])
    inside = np.nonzero(lg > m - 50.0)[0]
    lo = float(grid[max(inside[0] - 1, 0)])
    hi = float(grid[min(inside[-1] + 1, grid.size - 1)])
    lo = min(lo, ystar - 1e-12 * max(1.0, abs(ystar)))
    hi = max(hi, ystar + 1e-12 * max(1.0, abs(ystar)))
    edges = [-np.inf, lo, ystar, hi, np.inf]

    def w(y: float) -> float:
        with np.errstate(all="ignore"):
            v = float(logf(np.array([y]))[0]) - m
        return math.exp(v) if v > -745.0 else 0.0

    i0 = e0 = i1 = e1 = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        if not a < b:
            continue
        v0, r0 = _quad(w, a, b, grid, max_points)
        v1, r1 = _quad(lambda y: (y - ystar) * w(y), a, b, grid, max_points)
        i0, e0, i1, e1 = i0 + v0, e0 + r0, i1 + v1, e1 + r1
    if not (i0 > 0 and math.isfinite(i0) and math.isfinite(i1)):
        raise FloatingPointError("integrand: quadrature failed (non-positive or non-finite mass)")
    mean = ystar + i1 / i0
    err = (e1 + abs(i1 / i0) * e0) / i0
    return m + math.log(i0), mean, err


def _scale(dist) -> float:
    """A robust scale of ``dist`` (inter-quartile range, falling back to 1)."""
    try:
        s = float(dist.ppf(0.75) - dist.ppf(0.25))
    except Exception:  # noqa: BLE001 - duck-typed laws
        s = float("nan")
    return s if math.isfinite(s) and s > 0 else 1.0


def mgf_diverges(dist, lam: float) -> bool:
    """True if E[exp(lam X)] = inf for the continuous law ``dist`` (numerical criterion).

    The integral ∫ f(x) e^{λx} dx over the dyadic block [x, 2x] is about x f(x) e^{λx}; the MGF
    is declared infinite when the log of that block mass, log x + logpdf(x) + λx, is not
    decreasing between the last two probes x = 2^k below min(1e300, 1e300/λ) (or it is +inf).
    Laws with a finite upper end never diverge.  Heavy-tailed laws (t, lognormal, Pareto, Lévy)
    diverge at every λ > 0; exponential-tailed laws with rate r diverge for λ >= r; Gaussian
    tails never.
    """
    lam = float(lam)
    if lam <= 0:
        return False
    upper = float(dist.support()[1]) if hasattr(dist, "support") else math.inf
    if math.isfinite(upper):
        return False
    top = min(1e300, 1e300 / lam)
    kmax = int(math.floor(math.log2(top)))
    x = np.ldexp(1.0, np.arange(1, kmax + 1))
    with np.errstate(all="ignore"):
        g = np.asarray(dist.logpdf(x), dtype=float) + lam * x + np.log(x)
    if np.any(g == np.inf):
        return True
    g = g[np.isfinite(g)]  # logpdf under/overflows to -inf or nan far out: use the last finite probes
    return bool(g.size >= 2 and g[-1] >= g[-2])


# ----------------------------------------------------------------------------- Theorem 1
@dataclass(frozen=True)
class KLConstruction:
    """Theorem 1's distribution P_t (mass c/t^e above t, Q's shape on both sides).

    Attributes (floats, or arrays over ``t``)
    ----------
    t, mass : threshold and the mass c / t**exponent that P_t puts above t.
    mean : E_{P_t}[X] (with ``utility``: E_{P_t}[U], U = V + X).
    kl : KL(P_t || Q) in nats, exact closed form.
    mean_above, mean_below : E_Q[· | · > t] and E_Q[· | · <= t] of the law the path is built on.
    mean_V, mean_X : with ``utility`` only, E_{P_t}[V] and E_{P_t}[X]; else None.
    value : same as ``mean``.  stderr : quadrature error bound on ``mean``.
    """

    t: Any
    mass: Any
    mean: Any
    kl: Any
    mean_above: Any
    mean_below: Any
    mean_V: Any
    mean_X: Any
    value: Any
    stderr: Any
    method: str = "quad"
    samples: int = 0


def _pieces(f: Callable[[float], float]) -> tuple[float, float]:
    tot = err = 0.0
    for a, b in ((0.0, 1.0), (1.0, 10.0), (10.0, np.inf)):
        v, e = _quad(f, a, b)
        tot, err = tot + v, err + e
    return tot, err


def _step(Q, t: float, log_tail: float) -> float:
    """Length scale of the tail integral from ``t``: the mean-residual-life proxy tail/density,
    capped by the distance to the body (that ratio is huge on the far side of the body)."""
    cap = abs(t - float(Q.ppf(0.5))) + _scale(Q)
    with np.errstate(all="ignore"):
        h = math.exp(min(log_tail - float(Q.logpdf(t)), 700.0))
    return min(h, cap) if math.isfinite(h) and h > 0 else cap


def _upper_mean(Q, t: float, ls_t: float) -> tuple[float, float]:
    """E[X | X > t] = t + ∫_0^∞ F̄(t+s)/F̄(t) ds (integration by parts; finite mean)."""
    h = _step(Q, t, ls_t)

    def f(u: float) -> float:
        with np.errstate(all="ignore"):
            v = float(Q.logsf(t + h * u)) - ls_t
        return math.exp(v) if v > -745.0 else 0.0

    tot, err = _pieces(f)
    return t + h * tot, h * err


def _lower_mean(Q, t: float, lc_t: float) -> tuple[float, float]:
    """E[X | X <= t] = t - ∫_0^∞ F(t-s)/F(t) ds."""
    h = _step(Q, t, lc_t)

    def f(u: float) -> float:
        with np.errstate(all="ignore"):
            v = float(Q.logcdf(t - h * u)) - lc_t
        return math.exp(v) if v > -745.0 else 0.0

    tot, err = _pieces(f)
    return t - h * tot, h * err


def _sum_parts(V, X, t: float) -> dict[str, float]:
    """For U = V + X (independent), the log-probabilities and conditional means of V and X on
    {U > t} and {U <= t}, each a single integral in log space:

    P(U > t) = ∫ f_V(v) F̄_X(t - v) dv,  E[V 1{U>t}] = ∫ v f_V(v) F̄_X(t - v) dv,
    E[X 1{U>t}] = ∫ x f_X(x) F̄_V(t - x) dx  (and the same with F for {U <= t}).
    """
    out: dict[str, float] = {}
    qs = np.concatenate([np.geomspace(1e-14, 0.5, 60), 1 - np.geomspace(1e-14, 0.5, 60)[::-1]])
    for side, tail in (("above", "logsf"), ("below", "logcdf")):
        for name, A, B in (("V", V, X), ("X", X, V)):
            grid = np.concatenate([A.ppf(qs), t - B.ppf(qs), t - np.geomspace(1e-3, 1e8, 80),
                                   t + np.geomspace(1e-3, 1e8, 80)])
            tailB = getattr(B, tail)
            logI, mean, err = _log_integrate(lambda y: A.logpdf(y) + tailB(t - y), grid)
            out[f"log_{side}" if name == "V" else f"log_{side}_X"] = logI  # both orders: a check
            out[f"{name}_{side}"] = mean
            out[f"err_{name}_{side}"] = err
    return out


def kl_construction(Q, t, c: float = 1.0, exponent: float = 1.0, *, utility=None) -> KLConstruction:
    r"""Mean and KL divergence of Theorem 1's distribution P_t.

    P_t keeps Q's shape below and above ``t`` but moves mass: P_t(X > t) = m = c / t**exponent,

    .. math::
        F̄_{P_t}(x) = 1 - \frac{1-m}{F_Q(t)} F_Q(x) \ (x \le t), \qquad
        \frac{m}{F̄_Q(t)} F̄_Q(x) \ (x > t),

        KL(P_t\|Q) = (1-m)\log\frac{1-m}{F_Q(t)} + m \log\frac{m}{F̄_Q(t)}  \quad\text{(exact)},

        E_{P_t}[X] = (1-m)\,E_Q[X \mid X \le t] + m\,E_Q[X \mid X > t],

    with E[X | X > t] = t + ∫_0^∞ F̄(t+s)/F̄(t) ds and E[X | X <= t] = t - ∫_0^∞ F(t-s)/F(t) ds by
    quadrature of ratios of exp(logsf) / exp(logcdf), finite deep in the tail.  For heavy-tailed
    Q (Student t df = 3, c = 1, exponent 0.8: the paper's Figure 3) the mean grows without bound
    while KL -> 0; with exponent 1 the mean converges to c · lim E[X|X>t]/t = c·ν/(ν-1) = 1.5
    for t3 (the caption says 1).

    Parameters
    ----------
    Q : scipy frozen continuous distribution with a finite mean
        The base law (error X, or the law of the proxy).
    t : float or 1-D array
        Thresholds; each must satisfy 0 < c / t**exponent < 1, i.e. t > c**(1/exponent), and lie
        inside Q's support (0 < F_Q(t) < 1).
    c : float > 0
    exponent : float > 0
        The paper's Theorem 1 uses 1; its figure 0.8.
    utility : scipy frozen continuous distribution, optional
        If given, Q is the law of the error X, V ~ ``utility`` is independent of X, and the
        construction acts on the proxy U = V + X: P_t reweights (V, X) by (1-m)/F_U(t) on
        {U <= t} and m/F̄_U(t) on {U > t}.  ``mean`` is then E[U] under P_t, and ``mean_V``,
        ``mean_X`` the parts (Theorem 1 with a true utility: E[V] stays near E[V] for heavy X).

    Returns
    -------
    KLConstruction

    Raises
    ------
    ValueError
        ``t``/``c``/``exponent`` out of range, or Q with an infinite mean.
    """
    check_distribution("Q", Q)
    c = check_positive_real("c", c)
    exponent = check_positive_real("exponent", exponent)
    ts, scalar = _as_1d("t", t)
    if utility is not None:
        check_distribution("utility", utility)
    for name, law in (("Q", Q), ("utility", utility)):
        if law is None:
            continue
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mu = float(law.mean())
        if not math.isfinite(mu):
            raise ValueError(f"{name}: must have a finite mean (Theorem 1 assumes one), got mean {mu}")
        if law is Q:
            mu_q = mu
    tmin = c ** (1.0 / exponent)
    bad = ts <= tmin
    if np.any(bad):
        raise ValueError(
            f"t: each threshold must satisfy t > c**(1/exponent) = {tmin:.6g} so that the mass "
            f"c/t**exponent above t is in (0, 1); got t = {ts[bad][0]!r}"
        )
    n = ts.size
    res = {k: np.empty(n) for k in ("mass", "mean", "kl", "above", "below", "err", "V", "X")}
    for i, ti in enumerate(ts):
        m = c / ti**exponent
        if utility is None:
            with np.errstate(all="ignore"):
                ls, lc = float(Q.logsf(ti)), float(Q.logcdf(ti))
            if not (math.isfinite(ls) and math.isfinite(lc)):
                raise ValueError(f"t: must lie inside the support of Q (0 < F_Q(t) < 1), got t = {ti!r}")
            # the tail side by its own integral; the bulk side from the mean, which avoids the
            # cancellation t - (t - E[X | X <= t]) when F(t) is close to 1
            if ls <= lc:
                up, eu = _upper_mean(Q, ti, ls)
                lo, el = (mu_q - math.exp(ls) * up) / math.exp(lc), math.exp(ls - lc) * eu
            else:
                lo, el = _lower_mean(Q, ti, lc)
                up, eu = (mu_q - math.exp(lc) * lo) / math.exp(ls), math.exp(lc - ls) * el
            res["V"][i] = res["X"][i] = np.nan
        else:
            parts = _sum_parts(utility, Q, ti)
            ls, lc = parts["log_above"], parts["log_below"]
            if not (math.isfinite(ls) and math.isfinite(lc)):
                raise ValueError(f"t: must lie inside the support of U (0 < F_U(t) < 1), got t = {ti!r}")
            up = parts["V_above"] + parts["X_above"]
            lo = parts["V_below"] + parts["X_below"]
            eu = parts["err_V_above"] + parts["err_X_above"]
            el = parts["err_V_below"] + parts["err_X_below"]
            res["V"][i] = (1 - m) * parts["V_below"] + m * parts["V_above"]
            res["X"][i] = (1 - m) * parts["X_below"] + m * parts["X_above"]
        res["mass"][i] = m
        res["kl"][i] = (1 - m) * (math.log1p(-m) - lc) + m * (math.log(m) - ls)
        res["above"][i], res["below"][i] = up, lo
        res["mean"][i] = (1 - m) * lo + m * up
        res["err"][i] = (1 - m) * el + m * eu
    mv = None if utility is None else _out(res["V"], scalar)
    mx = None if utility is None else _out(res["X"], scalar)
    mean = _out(res["mean"], scalar)
    return KLConstruction(
        t=_out(ts, scalar), mass=_out(res["mass"], scalar), mean=mean, kl=_out(res["kl"], scalar),
        mean_above=_out(res["above"], scalar), mean_below=_out(res["below"], scalar),
        mean_V=mv, mean_X=mx, value=mean, stderr=_out(res["err"], scalar),
    )


def check_positive_real(name: str, value: Any) -> float:
    x = _check_real(name, value)
    if not x > 0:
        raise ValueError(f"{name}: must be > 0, got {value!r}")
    return x


def student_t_upper_mean(df: float, t):
    """Closed form E[X | X > t] = f(t) (df + t²) / ((df - 1) F̄(t)) for the standard Student t,
    df > 1 (derived in ``proofs.goodhart_kl.student_t_upper_mean``); the test oracle of
    :func:`kl_construction`'s quadrature.  Computed as exp(logpdf - logsf)."""
    from scipy import stats

    df = check_positive_real("df", df)
    if df <= 1:
        raise ValueError(f"df: must be > 1 for a finite mean, got {df!r}")
    t = np.asarray(t, dtype=float)
    return np.exp(stats.t.logpdf(t, df) - stats.t.logsf(t, df)) * (df + t * t) / (df - 1.0)


# ----------------------------------------------------------------------------- Theorem 4
@dataclass(frozen=True)
class KLOptimum:
    """Theorem 4's KL-penalised optimum pi*_beta ∝ pi0 exp(U/beta) (floats, or arrays over beta).

    Attributes
    ----------
    beta : KL penalty coefficient.
    mean_V, mean_X, mean_U : expectations under pi*_beta.
    kl : KL(pi*_beta || pi0) = E*[U]/beta - log Z.
    log_normaliser : log Z = log E_pi0[exp(U/beta)].
    value : same as mean_V.  stderr : quadrature error bound on mean_V.
    """

    beta: Any
    mean_V: Any
    mean_X: Any
    mean_U: Any
    kl: Any
    log_normaliser: Any
    value: Any
    stderr: Any
    method: str = "quad"
    samples: int = 0


_QS = np.concatenate([np.geomspace(1e-15, 0.5, 40), 1 - np.geomspace(1e-15, 0.5, 40)[::-1]])


def _tilt_grid(dist, lam: float) -> np.ndarray:
    body = np.asarray(dist.ppf(_QS), dtype=float)
    body = body[np.isfinite(body)]
    med = float(dist.ppf(0.5))
    s = _scale(dist)
    far = med + s * np.geomspace(1e-3, 1e12, 200)
    lo, hi = dist.support()
    g = np.concatenate([body, far, med - s * np.geomspace(1e-3, 1e3, 40)])
    return g[(g > lo) & (g < hi)]


def _tilt(dist, lam: float, name: str) -> tuple[float, float, float]:
    """(log M(λ), tilted mean, error) of a continuous law, raising HeavyTailError on divergence."""
    if mgf_diverges(dist, lam):
        _raise_divergence(dist, lam, name)
    return _log_integrate(lambda y: dist.logpdf(y) + lam * y, _tilt_grid(dist, lam))


def _raise_divergence(dist, lam: float, name: str):
    if mgf_diverges(dist, 1e-6 / _scale(dist)):
        raise HeavyTailError(
            f"{name}: the law {_describe(dist)} is heavy-tailed: E[exp(λ{name})] = inf for every λ > 0, "
            f"so the normaliser E[exp(U/beta)] of pi*_beta ∝ pi0·exp(U/beta) diverges at every beta > 0 "
            f"and no KL-penalised optimum exists. This is catastrophic Goodhart (Theorem 1: E[U] can be "
            f"made arbitrarily large at vanishing KL; see kl_construction), not a numerical failure."
        )
    raise ValueError(
        f"beta: E[exp({name}/beta)] = inf at beta = {1 / lam:.6g} for {_describe(dist)} (its moment "
        f"generating function is finite only below some λ0 > 0): choose a larger beta"
    )


def _describe(dist) -> str:
    d = getattr(dist, "dist", None)
    if d is not None:
        return f"{getattr(d, 'name', type(d).__name__)}{tuple(getattr(dist, 'args', ()))}"
    return repr(dist)


def _cond_tilt(law, lam: float) -> tuple[float, float]:
    """(log M_{X|v}(λ), tilted mean) for a conditional error law (point mass, normal: closed)."""
    if isinstance(law, PointMass):
        return lam * law.value, law.value
    d = getattr(law, "dist", None)
    if d is not None and getattr(d, "name", "") == "norm":
        mu, sd = float(law.mean()), float(law.std())
        return lam * mu + 0.5 * (lam * sd) ** 2, mu + lam * sd * sd
    if mgf_diverges(law, lam):
        _raise_divergence(law, lam, "X")
    lm, mean, _ = _log_integrate(lambda y: law.logpdf(y) + lam * y, _tilt_grid(law, lam))
    return lm, mean


def kl_optimum(V, X=None, *, beta) -> KLOptimum:
    r"""Theorem 4's KL-penalised optimum over a continuous base law of (V, X), U = V + X.

    pi*_beta = argmax_pi E_pi[U] - beta KL(pi || pi0) is the exponential tilt

    .. math::
        \frac{d\pi^*_\beta}{d\pi_0}(v, x) = \frac{e^{(v+x)/\beta}}{Z(\beta)}, \quad
        Z(\beta) = E_{\pi_0}[e^{U/\beta}], \quad
        KL(\pi^*_\beta\|\pi_0) = E^*[U]/\beta - \log Z(\beta).

    Independent V, X: the tilt factorises, Z = M_V(1/beta) M_X(1/beta), and each factor and
    tilted mean is one integral of exp(logpdf(y) + y/beta) computed in log space around its peak.
    Dependent (``gh.Dependent(V, error)``): Z = ∫ f_V(v) e^{v/beta} M_{X|v}(1/beta) dv and
    E*[X] = ∫ f_V e^{v/beta} M_{X|v} E*[X|v] dv / Z (point masses and normal conditional laws in
    closed form, others by an inner quadrature).  Normal V ~ N(0, s_V²), X ~ N(0, s_X²): tilted
    V ~ N(s_V²/beta, s_V²), KL = (s_V² + s_X²)/(2 beta²) (proofs.goodhart_kl).  Theorem 4: with
    light-tailed independent X, E*[V] -> inf as beta -> 0.

    Parameters
    ----------
    V : frozen continuous distribution, or :class:`goodhart.Dependent` (then X must be None)
    X : frozen continuous distribution (independent error)
    beta : float or 1-D array, > 0

    Raises
    ------
    HeavyTailError
        V or X (hence U) is heavy-tailed: Z = inf at every beta (catastrophic Goodhart).
    ValueError
        beta <= 0, or an MGF that is finite only below 1/beta (exponential tails): choose a
        larger beta.
    TypeError
        A base law without a density (discrete law, point mass) where a density is needed.
    """
    betas, scalar = _as_1d("beta", beta)
    if np.any(betas <= 0):
        raise ValueError(f"beta: must be > 0, got {beta!r}")
    if isinstance(V, Dependent):
        if X is not None:
            raise TypeError("X: must be None when V is a Dependent model (the error law is inside it)")
        dep = V
        Vd = dep.V
    else:
        check_distribution("V", V)
        check_distribution("X", X)
        dep, Vd = None, V
    n = betas.size
    out = {k: np.empty(n) for k in ("V", "X", "kl", "logz", "err")}
    for i, b in enumerate(betas):
        lam = 1.0 / b
        if dep is None:
            lmv, ev, errv = _tilt(V, lam, "V")
            lmx, ex, errx = _tilt(X, lam, "X")
            kl = (lam * (ev - 0.0) - lmv) + (lam * ex - lmx)
            out["V"][i], out["X"][i], out["logz"][i], out["kl"][i], out["err"][i] = ev, ex, lmv + lmx, kl, errv
        else:
            if mgf_diverges(Vd, lam):
                _raise_divergence(Vd, lam, "V")
            for v in Vd.ppf([0.01, 0.5, 0.99]):
                law = dep.error_at(float(v))
                if not isinstance(law, PointMass) and mgf_diverges(law, lam):
                    _raise_divergence(law, lam, "X")
            cache: dict[float, tuple[float, float]] = {}

            def cond(v: float) -> tuple[float, float]:
                r = cache.get(v)
                if r is None:
                    r = cache[v] = _cond_tilt(dep.error_at(v), lam)
                return r

            def fill(y: np.ndarray, lam=lam) -> None:
                # vectorised mode: one error(v) call for the uncached nodes; a normal batch law in
                # closed form (log M = λμ + λ²σ²/2, tilted mean μ + λσ²), others element by element
                if not dep.vectorized:
                    return
                todo = np.unique(np.asarray([v for v in map(float, y) if v not in cache], dtype=float))
                if todo.size == 0:
                    return
                batch = dep.error_array(todo)
                if getattr(batch.dist, "name", "") == "norm":
                    mu = np.broadcast_to(np.asarray(batch.mean(), dtype=float), todo.shape)
                    sd = np.broadcast_to(np.asarray(batch.std(), dtype=float), todo.shape)
                    lms, means = lam * mu + 0.5 * (lam * sd) ** 2, mu + lam * sd * sd
                    for v, lm_v, m_v in zip(todo.tolist(), lms.tolist(), means.tolist()):
                        cache[v] = (lm_v, m_v)
                else:
                    for i, v in enumerate(todo.tolist()):
                        cache[v] = _cond_tilt(dep._element(batch, i, todo.size), lam)

            def logf(y: np.ndarray) -> np.ndarray:
                y = np.atleast_1d(y)
                fill(y)
                lm = np.array([cond(float(v))[0] for v in y])
                return Vd.logpdf(y) + lam * y + lm

            grid = _tilt_grid(Vd, lam)
            grid = grid[:: max(grid.size // 60, 1)]  # each point costs a conditional-law call
            logz, ev, err = _log_integrate(logf, grid, 8)
            # E*[X] = ∫ w(v) E*[X | v] dv / ∫ w(v) dv, same weights: integrate in log space the
            # positive and negative parts of E*[X|v] separately.
            ex = 0.0
            for sign in (1.0, -1.0):
                def lg(y, sign=sign):
                    y = np.atleast_1d(y)
                    fill(y)
                    mx = np.array([sign * cond(float(v))[1] for v in y])
                    with np.errstate(divide="ignore"):
                        return logf(y) + np.log(np.maximum(mx, 0.0))
                with np.errstate(all="ignore"):
                    probe = lg(grid)
                if np.any(np.isfinite(probe)):
                    lpart, _, _ = _log_integrate(lg, grid, 8)
                    ex += sign * math.exp(lpart - logz)
            out["V"][i], out["X"][i], out["logz"][i], out["err"][i] = ev, ex, logz, err
            out["kl"][i] = lam * (ev + ex) - logz
    mv = _out(out["V"], scalar)
    return KLOptimum(
        beta=_out(betas, scalar), mean_V=mv, mean_X=_out(out["X"], scalar),
        mean_U=_out(out["V"] + out["X"], scalar), kl=_out(np.maximum(out["kl"], 0.0), scalar),
        log_normaliser=_out(out["logz"], scalar), value=mv, stderr=_out(out["err"], scalar),
    )


# ----------------------------------------------------------------------------- Theorem 3 (RL form)
@dataclass(frozen=True)
class TrajectoryReweighting:
    """Theorem 3's reweighted trajectory distribution.

    Attributes
    ----------
    weights : new trajectory probabilities q_i.
    mean_U, mean_V : E_q[U], E_q[V] (mean_V is None without true returns).
    kl : KL(q || p) = Σ q_i log(q_i / p_i), which in a deterministic MDP equals the expected sum
        over the trajectory of the per-state KL(π(s) || π0(s)) (chain rule).
    base_mean_U, base_mean_V : the same under p.
    value : mean_U.  stderr : 0 (exact finite sums).
    """

    weights: np.ndarray
    mass: float
    mean_U: float
    mean_V: float | None
    kl: float
    base_mean_U: float
    base_mean_V: float | None
    value: float
    stderr: float = 0.0
    method: str = "exact"
    samples: int = 0


def _prob_vector(name: str, p) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name}: must be finite and >= 0")
    if not abs(arr.sum() - 1.0) <= 1e-9:
        raise ValueError(f"{name}: must sum to 1, got {arr.sum()!r}")
    return arr


def reweight_trajectories(prob, proxy, t: float, c: float = 1.0, exponent: float = 1.0,
                          *, true=None) -> TrajectoryReweighting:
    r"""Theorem 3's reweighting of a finite set of trajectories (the RL form, exact).

    Trajectory i has base-policy probability p_i and proxy return U_i (and optionally true
    return V_i).  With m = c / t**exponent, F(t) = Σ_{U_i <= t} p_i, F̄(t) = 1 - F(t):

    .. math:: q_i = p_i \frac{1-m}{F(t)} \ (U_i \le t), \qquad q_i = p_i \frac{m}{F̄(t)} \ (U_i > t),

    so E_q[U] = (1-m) E_p[U | U <= t] + m E_p[U | U > t] and
    KL(q||p) = (1-m) log((1-m)/F(t)) + m log(m/F̄(t)).  In a deterministic MDP with a tree of
    trajectories the policy π(a|s) = q(subtree of a)/q(s) realises q, and KL(q||p) equals the
    expected sum of per-state KL(π(s) || π0(s)) along the trajectory (Kwa & Garriga-Alonso 2024).

    Raises ValueError unless 0 < m < 1 and some trajectory has U_i <= t and some U_i > t
    (with positive probability).
    """
    p = _prob_vector("prob", prob)
    u = np.asarray(proxy, dtype=float)
    if u.shape != p.shape or not np.all(np.isfinite(u)):
        raise ValueError(f"proxy: must be finite with the shape of prob {p.shape}, got {u.shape}")
    v = None
    if true is not None:
        v = np.asarray(true, dtype=float)
        if v.shape != p.shape or not np.all(np.isfinite(v)):
            raise ValueError(f"true: must be finite with the shape of prob {p.shape}, got {v.shape}")
    t = _check_real("t", t)
    c = check_positive_real("c", c)
    exponent = check_positive_real("exponent", exponent)
    if not t > 0:
        raise ValueError(f"t: must be > c**(1/exponent) > 0, got {t!r}")
    m = c / t**exponent
    if not 0 < m < 1:
        raise ValueError(f"t: must be > c**(1/exponent) = {c ** (1 / exponent):.6g} so that c/t**exponent is in (0, 1), got {t!r}")
    above = u > t
    Fb = float(p[above].sum())
    F = float(p[~above].sum())
    if not (Fb > 0 and F > 0):
        raise ValueError(f"t: some trajectory with positive probability must have proxy return > t and some <= t (P(U > t) = {Fb})")
    q = np.where(above, p * (m / Fb), p * ((1 - m) / F))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * (np.log(q) - np.log(np.where(p > 0, p, 1.0))), 0.0)
    kl = float(terms.sum())
    mu = float(q @ u)
    return TrajectoryReweighting(
        weights=q, mass=m, mean_U=mu, mean_V=None if v is None else float(q @ v), kl=max(kl, 0.0),
        base_mean_U=float(p @ u), base_mean_V=None if v is None else float(p @ v), value=mu,
    )
