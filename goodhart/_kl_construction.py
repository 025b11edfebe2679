"""Theorem 1's construction P_t: heavy-tailed Q gives unbounded mean at vanishing KL
(Kwa, Thomas & Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503, Theorem 1 and Figure 3).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ._kl_quad import _as_1d, _log_integrate, _out, _quad, _scale, check_positive_real
from .model import check_distribution


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

