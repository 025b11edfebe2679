"""Theorem 1's construction P_t: heavy-tailed Q gives unbounded mean at vanishing KL
(Kwa, Thomas & Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503, Theorem 1 and Figure 3).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ._kl_quad import Clock, QuadratureFailure, as_1d, check_positive_real, log_integrate, out, scale, support, vec_quad
from .model import check_distribution
from tailpower._results import ResultMixin

__all__ = ["KLConstruction", "kl_construction", "student_t_upper_mean"]


@dataclass(frozen=True)
class KLConstruction(ResultMixin):
    """Theorem 1's distribution P_t (mass c/t^e above t, Q's shape on both sides; Kwa, Thomas &
    Garriga-Alonso, arXiv 2407.14503). Fields are floats, or arrays over ``t``.

    Attributes
    ----------
    t, mass
        The threshold and the mass c / t**exponent that P_t puts above t.
    mean
        E_{P_t}[X] (with ``utility``: E_{P_t}[U], U = V + X).
    kl
        KL(P_t || Q) in nats, exact closed form.
    mean_above, mean_below
        E_Q[· | · > t] and E_Q[· | · <= t] of the law the path is built on.
    mean_V, mean_X
        With ``utility`` only, E_{P_t}[V] and E_{P_t}[X]; else None.
    value, stderr
        The same as ``mean``, and the quadrature error bound on it.
    method, samples
        "quad" and 0 (deterministic).

    Examples
    --------
    The paper's Figure 3 path (Q = t(3), mass 1/t^0.8 above t) at its last frame, t = 100:

    >>> from scipy import stats
    >>> from goodhart import kl_construction
    >>> r = kl_construction(stats.t(3), 100.0, c=1.0, exponent=0.8)
    >>> round(r.mean, 4), round(r.kl, 5)
    (3.7679, 0.22724)
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


def _pieces(f: Callable[[np.ndarray], np.ndarray], clock: Clock) -> tuple[float, float]:
    """∫_0^∞ f over [0, 1], [1, 10], [10, ∞) by the batched Gauss-Kronrod of
    :func:`goodhart._kl_quad.vec_quad` (``f`` takes an array)."""
    def g(u: np.ndarray) -> np.ndarray:
        clock.tick(max(int(np.size(u)), 1))
        return f(u)[None]

    tot, err = vec_quad(g, [(0.0, 1.0), (1.0, 10.0), (10.0, np.inf)])
    return float(tot[0]), float(err[0])


def _step(Q, t: float, log_tail: float) -> float:
    """Length scale of the tail integral from ``t``: the mean-residual-life proxy tail/density,
    capped by the distance to the body (that ratio is huge on the far side of the body)."""
    with np.errstate(all="ignore"):
        med = float(Q.ppf(0.5))
        h = math.exp(min(log_tail - float(Q.logpdf(t)), 700.0))
    cap = (abs(t - med) if math.isfinite(med) else abs(t)) + scale(Q)
    return min(h, cap) if math.isfinite(h) and h > 0 else cap


def _ratio_mean(Q, t: float, log_tail: float, side: int, clock: Clock) -> tuple[float, float]:
    """E[X | X > t] = t + ∫_0^∞ F̄(t+s)/F̄(t) ds (side = 1) or E[X | X <= t] = t - ∫_0^∞ F(t-s)/F(t) ds
    (side = -1), integration by parts with a finite mean; the ratios in log space."""
    h = _step(Q, t, log_tail)
    fn = Q.logsf if side > 0 else Q.logcdf

    def f(u: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            v = np.asarray(fn(t + side * h * u), dtype=float) - log_tail
            return np.where(v > -745.0, np.exp(np.where(v > -745.0, v, 0.0)), 0.0)  # NaN: weight 0

    tot, err = _pieces(f, clock)
    # log_tail is a double of size |log_tail|: every ratio carries a factor up to e^{noise} from its
    # rounding (normal laws near 1e8, log F̄ ~ -5e15: the correction h·tot is then far below ulp(t))
    noise = 4 * _EPS * (abs(log_tail) + 50.0)
    return t + side * h * tot, h * (err + tot * math.expm1(min(noise, 700.0)))


def _density_mean(Q, t: float, side: int, clock: Clock) -> tuple[float, float, float]:
    """(log P(X > t), E[X | X > t], error) for side = 1 (X <= t for -1) from the density alone:
    for t so far out that scipy's logsf/logcdf underflow while logpdf(t) is finite."""
    lo, hi = support(Q)
    s = scale(Q)
    off = np.concatenate([abs(t) * np.geomspace(1e-15, 1e3, 90), s * np.geomspace(1e-12, 1e12, 90)])
    grid = t + side * off
    sup = (t, hi) if side > 0 else (lo, t)
    li = log_integrate(Q.logpdf, grid, support=sup, clock=clock)
    return li.log_mass, li.mean, li.err


def _exp_times(log_a: float, b: float) -> float:
    """exp(log_a) * b without overflow or underflow in between (b may be negative)."""
    if b == 0 or log_a == -math.inf:
        return 0.0
    v = log_a + math.log(abs(b))
    if v > 709.7:
        return math.copysign(math.inf, b)
    return math.copysign(math.exp(v), b)


def _log1mexp(la: float) -> float:
    """log(1 - e^la) for la <= 0, accurate at both ends (-inf at la >= 0)."""
    if la >= 0:
        return -math.inf
    return math.log(-math.expm1(la)) if la > -0.6931 else math.log1p(-math.exp(la))


def _collapsed(Q, t: float, side: int, lp: float):
    """(length, log hazard) if the density falls by more than e^50 within 16 ulps of t on ``side``
    (so E[X | X > t] = t to double precision; normal laws beyond ~1e8), else None.  The drop over
    16 ulps is far above the rounding of log f when it is that large."""
    if not math.isfinite(lp):
        return None
    s_len = 16 * math.ulp(t)
    with np.errstate(all="ignore"):
        d = lp - float(Q.logpdf(t + side * s_len))
    if not d > 50.0:
        return None
    return s_len / 50.0, math.log(d / s_len)


_EPS = float(np.finfo(float).eps)
_LOG_TINY = math.log(2.2250738585072014e-308)  # log of the smallest normal double
_LOG_SUBNORMAL = math.log(5e-324) - 0.1          # below: not the log of any double


def _q_parts(Q, t: float, mu: float, clock: Clock) -> tuple[float, float, float, float, float, float]:
    """(log F̄(t), log F(t), E[X|X>t], E[X|X<=t], errors) for the law Q: the smaller side by its own
    integral, the larger from the mean, which avoids the cancellation t - (t - E[X | X <= t]) when
    F(t) is close to 1."""
    lo_s, hi_s = support(Q)
    with np.errstate(all="ignore"):
        ls, lc, lp = float(Q.logsf(t)), float(Q.logcdf(t)), float(Q.logpdf(t))
    if not lo_s < t < hi_s or math.isnan(ls) or math.isnan(lc):
        raise ValueError(f"t: must lie inside the support of Q (0 < F_Q(t) < 1), got t = {t!r}")
    # a log-tail that scipy computed as log(F̄) of a subnormal F̄ has lost digits (and -inf below):
    # there the tail is integrated from the density, which stays accurate; values below -745.2
    # cannot come from log of a double, so they were computed in log space and are kept
    usable = {side: math.isfinite(v) and not _LOG_SUBNORMAL < v < _LOG_TINY for side, v in ((1, ls), (-1, lc))}
    side = 1 if ls <= lc else -1
    if not usable[side] and not math.isfinite(lp):
        raise ValueError(
            f"t: at t = {t!r} scipy gives log F̄ = {ls!r}, log F = {lc!r} and log f = {lp!r} for Q: t is too far "
            f"in the tail to evaluate this law in double precision")
    collapsed = _collapsed(Q, t, side, lp)
    if collapsed is not None:
        # the tail's mass lies within a few ulps of t: its conditional mean is t to double precision
        # and its log-mass, where scipy's is not usable, the Laplace estimate log f(t) - log(hazard)
        s_len, log_hazard = collapsed
        if not usable[side]:
            if side > 0:
                ls = lp - log_hazard
            else:
                lc = lp - log_hazard
        usable[side] = "collapsed"
    if side > 0:  # upper tail is the small side
        if usable[1] == "collapsed":
            up, eu = t, s_len
        elif usable[1]:
            up, eu = _ratio_mean(Q, t, ls, 1, clock)
        else:
            ls, up, eu = _density_mean(Q, t, 1, clock)
        lc = _log1mexp(ls)
        lo = (mu - _exp_times(ls, up)) / math.exp(lc)
        el = _exp_times(ls - lc, eu)
    else:
        if usable[-1] == "collapsed":
            lo, el = t, s_len
        elif usable[-1]:
            lo, el = _ratio_mean(Q, t, lc, -1, clock)
        else:
            lc, lo, el = _density_mean(Q, t, -1, clock)
        ls = _log1mexp(lc)
        up = (mu - _exp_times(lc, lo)) / math.exp(ls)
        eu = _exp_times(lc - ls, el)
    return ls, lc, up, lo, eu, el


_QS = np.concatenate([np.geomspace(1e-14, 0.5, 50), 1 - np.geomspace(1e-14, 0.5, 50)[::-1]])


def _quantiles(law, clock: Clock) -> np.ndarray:
    """law.ppf at the probe levels, in pieces under the clock (scipy inverts some laws, such as
    levy_stable, by root finding on a numerically integrated cdf: seconds per point)."""
    out = []
    for j in range(0, _QS.size, 10):
        clock.tick(10)
        with np.errstate(all="ignore"):
            out.append(np.asarray(law.ppf(_QS[j:j + 10]), dtype=float))
    q = np.concatenate(out)
    return q[np.isfinite(q)]


def _sum_grid(qa: np.ndarray, qb: np.ndarray, sa: float, t: float) -> np.ndarray:
    """Probe points for ∫ f_A(y) K_B(t - y) dy: A's quantiles ``qa``, t minus B's quantiles ``qb``,
    and points between 0 and t and beyond t (the peak can sit anywhere in between for two light
    tails); ``sa`` is A's scale."""
    u = np.concatenate([np.geomspace(1e-6, 1.0, 60), 1 - np.geomspace(1e-16, 1.0, 60)])
    g = np.concatenate([qa, t - qb, t * u, t + sa * np.geomspace(1e-3, 1e12, 60), t - sa * np.geomspace(1e-3, 1e12, 60)])
    return g[np.isfinite(g)]


def _sum_part(A, B, t: float, side: int, clock: Clock, quant: dict):
    """log P(side·(U - t) > 0) and E[A | that event] as one integral in log space over a:
    ∫ f_A(a) F̄_B(t - a) da (side 1) or ∫ f_A(a) F_B(t - a) da (side -1)."""
    tail = B.logsf if side > 0 else B.logcdf

    def base(y):
        with np.errstate(all="ignore"):
            return np.asarray(A.logpdf(y), dtype=float) + np.asarray(tail(t - y), dtype=float)

    (qa, sa), (qb, _) = quant[id(A)], quant[id(B)]
    return log_integrate(base, _sum_grid(qa, qb, sa, t), support=support(A), strict=False, clock=clock, rounds=6)


def _sum_parts(V, X, t: float, mv: float, mx: float, clock: Clock, quant: dict) -> dict[str, float]:
    """For U = V + X (independent), log P(U > t), log P(U <= t) and E[V | ·], E[X | ·] on both
    sides.  P(U > t) = ∫ f_V(v) F̄_X(t - v) dv, E[V 1{U>t}] = ∫ v f_V(v) F̄_X(t - v) dv,
    E[X 1{U>t}] = ∫ x f_X(x) F̄_V(t - x) dx (F for {U <= t}): the smaller side by these integrals,
    the other from E[V] and E[X]."""
    va = _sum_part(V, X, t, 1, clock, quant)
    side = 1 if va.log_mass <= -math.log(2) else -1
    if side > 0:
        xa = _sum_part(X, V, t, 1, clock, quant)
        small = {"log": va.log_mass, "V": va.mean, "X": xa.mean, "eV": va.err, "eX": xa.err}
    else:
        vb, xb = _sum_part(V, X, t, -1, clock, quant), _sum_part(X, V, t, -1, clock, quant)
        small = {"log": vb.log_mass, "V": vb.mean, "X": xb.mean, "eV": vb.err, "eX": xb.err}
    ls = min(small["log"], 0.0)
    lb = _log1mexp(ls)
    big = {"V": (mv - _exp_times(ls, small["V"])) / math.exp(lb), "X": (mx - _exp_times(ls, small["X"])) / math.exp(lb),
           "eV": _exp_times(ls - lb, small["eV"]), "eX": _exp_times(ls - lb, small["eX"])}
    above, below = (small, big) if side > 0 else (big, small)
    return {"log_above": ls if side > 0 else lb, "log_below": lb if side > 0 else ls,
            "V_above": above["V"], "X_above": above["X"], "V_below": below["V"], "X_below": below["X"],
            "err_V_above": above["eV"], "err_X_above": above["eX"],
            "err_V_below": below["eV"], "err_X_below": below["eX"]}


def _kl_of_path(lm: float, ls: float, lc: float) -> float:
    """KL(P_t || Q) = (1-m) log((1-m)/F) + m log(m/F̄) from log m, log F̄, log F, written as
    (1-m) log1p((F̄ - m)/F) + m log(m/F̄) with F̄ - m = -F̄ expm1(log m - log F̄): accurate when m
    and F̄ are both tiny (even subnormal) or nearly equal, where the two logs would cancel."""
    m = math.exp(lm)
    x = lm - ls
    if x > 0:  # (F̄ - m)/F = -exp(lr) in (-1, 0)
        lr = lm - lc + _log1mexp(-x)  # = ls - lc + log(expm1(x)), without ls + x (x ~ 1e-162 too)
        d = _log1mexp(lr)
    elif x == 0:
        d = 0.0
    else:  # (F̄ - m)/F = exp(lr) > 0
        lr = ls - lc + math.log(-math.expm1(x))
        d = float(np.logaddexp(0.0, lr))
    return (1 - m) * d + _exp_times(lm, x)


def _finite_mean(name: str, law) -> float:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mu = float(law.mean())
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValueError(f"{name}: cannot compute its mean ({exc})") from None
    if not math.isfinite(mu):
        raise ValueError(f"{name}: must have a finite mean (Theorem 1 assumes one), got mean {mu}")
    return mu


def _fmt_exp(x: float) -> str:
    return f"{math.exp(x):.6g}" if x < 709.0 else f"exp({x:.6g})"


def _slower(Q, utility) -> str:
    """The name of the law whose density takes longer to evaluate (for a time-limit refusal)."""
    cost = {}
    for name, law in (("Q", Q), ("utility", utility)):
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            law.logpdf(np.linspace(-3.0, 3.0, 16))
        cost[name] = time.perf_counter() - t0
    return max(cost, key=cost.get)


def kl_construction(Q, t, c: float = 1.0, exponent: float = 1.0, *, utility=None) -> KLConstruction:
    r"""Mean and KL divergence of Theorem 1's distribution P_t.

    P_t keeps Q's shape below and above ``t`` but moves mass: P_t(X > t) = m = c / t**exponent,

    .. math::
        F̄_{P_t}(x) = 1 - \frac{1-m}{F_Q(t)} F_Q(x) \ (x \le t), \qquad
        \frac{m}{F̄_Q(t)} F̄_Q(x) \ (x > t),

        KL(P_t\|Q) = (1-m)\log\frac{1-m}{F_Q(t)} + m \log\frac{m}{F̄_Q(t)}  \quad\text{(exact)},

        E_{P_t}[X] = (1-m)\,E_Q[X \mid X \le t] + m\,E_Q[X \mid X > t],

    with E[X | X > t] = t + ∫_0^∞ F̄(t+s)/F̄(t) ds and E[X | X <= t] = t - ∫_0^∞ F(t-s)/F(t) ds by
    quadrature of ratios of exp(logsf) / exp(logcdf), finite deep in the tail (where scipy's
    logsf underflows, from the density alone: ∫_t^∞ f in log space).  m = exp(log c - e log t) and
    the products m·E[X | X > t] are formed in log space, so thresholds up to 1e308 and any c and
    exponent whose mass is in (0, 1) work.  For heavy-tailed Q (Student t df = 3, c = 1, exponent
    0.8: the paper's Figure 3) the mean grows without bound while KL -> 0; with exponent 1 the mean
    converges to c · lim E[X|X>t]/t = c·ν/(ν-1) = 1.5 for t3 (the caption says 1).

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
        Mass, mean and KL at each threshold (see the class).

    Raises
    ------
    ValueError
        ``t``/``c``/``exponent`` out of range, Q (or ``utility``) with an infinite mean, a
        threshold where E[X | X > t] leaves double precision, or laws too slow to integrate
        within 30 s per threshold (scipy's levy_stable as ``utility``).
    TypeError
        Q or ``utility`` not a continuous law; ``t``, ``c`` or ``exponent`` not real numbers.

    Examples
    --------
    Heavy-tailed Q = t(3): E[X] grows while the KL falls (Theorem 1; the paper's Figure 3):

    >>> from scipy import stats
    >>> r = kl_construction(stats.t(3), [10.0, 100.0], c=1.0, exponent=0.8)
    >>> r.mean.round(4), r.kl.round(4)
    (array([2.378 , 3.7679]), array([0.6487, 0.2272]))

    With a true utility V ~ N(0, 1) the gain is all error: E[V] stays at about 0.

    >>> r = kl_construction(stats.t(3), 100.0, c=1.0, exponent=0.8, utility=stats.norm())
    >>> round(r.mean_X, 3), round(r.mean_V, 4)
    (3.767, 0.0008)
    """
    check_distribution("Q", Q)
    c = check_positive_real("c", c)
    exponent = check_positive_real("exponent", exponent)
    ts, scalar = as_1d("t", t)
    if utility is not None:
        check_distribution("utility", utility)
    mu_q = _finite_mean("Q", Q)
    mu_v = None if utility is None else _finite_mean("utility", utility)
    if np.any(ts <= 0):
        raise ValueError(f"t: each threshold must be > c**(1/exponent) > 0, got t = {ts[ts <= 0][0]!r}")
    log_c = math.log(c)
    log_m = log_c - exponent * np.log(ts)
    bad = log_m >= 0
    if np.any(bad):
        raise ValueError(
            f"t: each threshold must satisfy t > c**(1/exponent) = {_fmt_exp(log_c / exponent)} so that the "
            f"mass c/t**exponent above t is in (0, 1); got t = {ts[bad][0]!r}")
    n = ts.size
    res = {k: np.empty(n) for k in ("mass", "mean", "kl", "above", "below", "err", "V", "X")}
    quant: dict = {}
    for i, ti in enumerate(ts):
        lm = float(log_m[i])
        m = math.exp(lm)
        clock = Clock()  # the work limit holds for each threshold
        try:
            if utility is not None and not quant:
                quant = {id(law): (_quantiles(law, clock), scale(law)) for law in (utility, Q)}
            if utility is None:
                ls, lc, up, lo, eu, el = _q_parts(Q, float(ti), mu_q, clock)
                res["V"][i] = res["X"][i] = np.nan
            else:
                parts = _sum_parts(utility, Q, float(ti), mu_v, mu_q, clock, quant)
                ls, lc = parts["log_above"], parts["log_below"]
                up = parts["V_above"] + parts["X_above"]
                lo = parts["V_below"] + parts["X_below"]
                eu = parts["err_V_above"] + parts["err_X_above"]
                el = parts["err_V_below"] + parts["err_X_below"]
                res["V"][i] = (1 - m) * parts["V_below"] + _exp_times(lm, parts["V_above"])
                res["X"][i] = (1 - m) * parts["X_below"] + _exp_times(lm, parts["X_above"])
        except QuadratureFailure as exc:
            if exc.kind == "work":
                who = "Q" if utility is None else _slower(Q, utility)
                raise ValueError(
                    f"{who}: the quadrature did not converge within its work limit ({exc.detail}); the law's "
                    f"functions are too slow to integrate (scipy evaluates some laws, such as levy_stable, by "
                    f"numerical integration)") from None
            law = "Q" if utility is None else "U = V + X"
            raise ValueError(f"t: the tail of {law} above t = {ti!r} cannot be integrated in double precision "
                             f"({exc.kind}: {exc.detail}); t is beyond the support or too far in the tail") from None
        if not (math.isfinite(ls) and math.isfinite(lc)):
            raise ValueError(f"t: must lie inside the support of {'Q' if utility is None else 'U'} "
                             f"(0 < F(t) < 1), got t = {ti!r}")
        res["kl"][i] = _kl_of_path(lm, ls, lc)
        res["mass"][i] = m
        res["above"][i], res["below"][i] = up, lo
        res["mean"][i] = (1 - m) * lo + _exp_times(lm, up)
        res["err"][i] = (1 - m) * el + _exp_times(lm, eu)
        vals = [res[k][i] for k in ("kl", "above", "below", "mean", "err")]
        if not all(math.isfinite(v) for v in vals):
            raise ValueError(
                f"t: at t = {ti!r} E[X | X > t] = {up!r}, E[X | X <= t] = {lo!r} or the KL = {res['kl'][i]!r} "
                f"leave the double-precision range; use a smaller threshold")
    mv = None if utility is None else out(res["V"], scalar)
    mx = None if utility is None else out(res["X"], scalar)
    mean = out(res["mean"], scalar)
    return KLConstruction(
        t=out(ts, scalar), mass=out(res["mass"], scalar), mean=mean, kl=out(res["kl"], scalar),
        mean_above=out(res["above"], scalar), mean_below=out(res["below"], scalar),
        mean_V=mv, mean_X=mx, value=mean, stderr=out(res["err"], scalar),
    )


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

