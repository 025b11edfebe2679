"""E[V | V + X >= t]: conditioning on a high proxy (regressional Goodhart).

Kwa & Thomas, "Catastrophic Regressional Goodhart: Appendix" (2023), use the identity

    E[V | V + X >= t] = ∫ v f_V(v) F̄_X(t - v) dv / ∫ f_V(v) F̄_X(t - v) dv,        (1)

with F̄ = 1 - F, for independent V and X; with a dependent error F̄_X is replaced by the
conditional survival function P(X >= t - v | V = v).  Three methods:

- ``"quad"``: adaptive Gauss-Kronrod (7/15) quadrature of (1) in log space (see
  :func:`_integrate`), exact up to the reported error bound, finite where P(V + X >= t)
  underflows double precision;
- ``"exact_mc"``: draws from the tilted law ∝ f_V(v) F̄_X(t - v) without rejection (inverse CDF
  of a piecewise log-linear interpolation of the tilted density through the quadrature nodes), so
  its cost does not grow with t; then X | X >= t - V by the inverse survival function;
- ``"mc"``: naive rejection Monte Carlo (the baseline), reporting how many draws it accepted.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import special

from tailpower._common import as_generator, check_int, chunk_seeds

from . import _kernels
from .model import Dependent, PointMass, check_distribution

__all__ = ["ConditionalMean", "conditional_mean", "sample_conditional", "log_tail_probability"]

# ----------------------------------------------------------------------------- Gauss-Kronrod 7/15
_XGK = np.array([
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0])
_WGK = np.array([
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_WG = np.array([0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                0.381830050505118944950369775488975, 0.417959183673469387755102040816327])
# 15 nodes on [-1, 1] in increasing order, Kronrod weights, Gauss weights (0 off the 7 Gauss nodes)
_NODES = np.concatenate([-_XGK[:-1], _XGK[::-1]])
_KW = np.concatenate([_WGK[:-1], _WGK[::-1]])
_GW = np.zeros(15)
_GW[[1, 3, 5]] = _WG[:3]
_GW[[13, 11, 9]] = _WG[:3]
_GW[7] = _WG[3]

_RELEVANT = 46.0      # intervals whose crude mass is below e^-46 (1e-20) of the total are not refined
_MAX_POINTS = 40_000


def _log_interval_bound(a, b, ga, gb, weight_abs):
    """Crude log of ∫_a^b w(v) e^{g(v)} dv: width * max endpoint value (* max |v| if weighted)."""
    with np.errstate(divide="ignore"):
        lw = np.log(b - a) + np.maximum(ga, gb)
        if weight_abs:
            lw = lw + np.log(np.maximum(np.abs(a), np.abs(b)))
    return lw


def _loglin_mass(a, b, ga, gb):
    """∫_a^b exp(l(v)) dv for l linear between (a, ga) and (b, gb), in log; -inf ends allowed."""
    h = b - a
    out = np.full(np.shape(a), -np.inf)
    both = np.isfinite(ga) & np.isfinite(gb)
    with np.errstate(invalid="ignore"):
        d = np.where(both, gb - ga, 0.0)
    hi = np.maximum(ga, gb)
    # ∫ = h e^{hi} (1 - e^{-|d|}) / |d|
    ad = np.abs(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        fac = np.where(ad > 1e-12, -np.expm1(-ad) / np.where(ad > 0, ad, 1.0), 1.0 - ad / 2)
        out = np.where(both, np.log(h) + hi + np.log(fac), out)
        one = np.isfinite(ga) ^ np.isfinite(gb)  # a jump to zero: at most width * finite end
        out = np.where(one, np.log(h) + np.where(np.isfinite(ga), ga, gb), out)
    return out


def _intervals(pts: np.ndarray, g: np.ndarray):
    """Intervals between the sorted ``pts`` with log integrand ``g`` rescaled by its maximum, and which
    of them can carry more than e^-46 of ∫ e^g or of ∫ |v| e^g (the others are not refined and
    enter the result only through their log-linear estimate and the error)."""
    gmax = float(np.max(g))
    a, b, ga, gb = pts[:-1], pts[1:], g[:-1] - gmax, g[1:] - gmax
    lb0 = _log_interval_bound(a, b, ga, gb, False)
    lb1 = _log_interval_bound(a, b, ga, gb, True)
    tot0 = special.logsumexp(lb0)
    tot1 = special.logsumexp(lb1) if np.any(np.isfinite(lb1)) else -np.inf
    return gmax, a, b, ga, gb, (lb0 > tot0 - _RELEVANT) | (lb1 > tot1 - _RELEVANT)


@dataclass(frozen=True)
class _Integral:
    """Result of :func:`_integrate`: ∫ e^{g} = e^{scale} * i0, ∫ v e^{g} = e^{scale} * i1."""

    scale: float
    i0: float
    i1: float
    err0: float
    err1: float
    abs1: float            # ∫ |v| e^{g - scale}
    knots: np.ndarray      # sorted points where g is known (for sampling)
    gknots: np.ndarray     # g - scale at the knots
    evaluations: int

    @property
    def log_mass(self) -> float:
        return self.scale + math.log(self.i0) if self.i0 > 0 else -math.inf

    @property
    def mean(self) -> float:
        return self.i1 / self.i0

    @property
    def mean_err(self) -> float:
        return (self.err1 + abs(self.mean) * self.err0) / self.i0


def _integrate(logw: Callable[[np.ndarray], np.ndarray], points: np.ndarray,
               support: tuple[float, float], rel: float = 1e-11, max_rounds: int = 40) -> _Integral:
    """∫ e^{g(v)} dv and ∫ v e^{g(v)} dv over ``support`` with g = ``logw`` given in log space.

    Algorithm: (i) evaluate g on ``points`` (quantile points of the laws involved) and bisect
    (geometrically across orders of magnitude, arithmetically otherwise) every interval that can
    carry more than e^-46 of the mass while g changes by more than 0.5 across it or jumps to -inf
    (a jump is located by bisection to 1e-13 relative width); extend the grid outwards while the
    outermost point still carries mass; (ii) on the intervals that carry mass, apply Gauss-Kronrod
    7/15 to e^{g - max g} and v e^{g - max g}, bisecting until the summed |K15 - G7| is below
    ``rel`` times the integral; (iii) the intervals left out contribute their log-linear estimate to
    the value and the same amount to the error.  Nothing is exponentiated before the maximum is
    subtracted, so the result is finite however small e^{max g} is.
    """
    lo_s, hi_s = support
    pts = np.asarray(points, dtype=float)
    pts = pts[np.isfinite(pts)]
    pts = np.clip(pts, lo_s, hi_s)
    extra = [x for x in (lo_s, hi_s) if math.isfinite(x)]
    pts = np.unique(np.concatenate([pts, extra, [0.0] if lo_s < 0 < hi_s else []]))
    if pts.size < 2:
        pts = np.unique(np.concatenate([pts, pts + 1.0, pts - 1.0]))
        pts = pts[(pts >= lo_s) & (pts <= hi_s)]
    g = np.asarray(logw(pts), dtype=float)
    nevals = pts.size
    g = np.where(np.isnan(g), -np.inf, g)

    for _ in range(200):
        if not np.any(np.isfinite(g)):
            raise _ZeroMass()
        gmax, a, b, ga, gb, relevant = _intervals(pts, g)
        new = []
        # extend outwards while an end point carries mass
        for end, step_sign in ((0, -1), (-1, 1)):
            if np.isfinite(g[end]) and g[end] - gmax > -_RELEVANT:
                bound = lo_s if step_sign < 0 else hi_s
                if pts[end] != bound:
                    span = max(pts[-1] - pts[0], 1.0)
                    cand = pts[end] + step_sign * 2.0 * span
                    new.append(float(np.clip(cand, lo_s, hi_s)))
        jump = np.isfinite(ga) ^ np.isfinite(gb)
        with np.errstate(invalid="ignore"):
            steep = np.abs(np.where(np.isfinite(ga) & np.isfinite(gb), gb - ga, 0.0)) > 0.5
        same_sign = (a > 0) & (b > 0) | (a < 0) & (b < 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(same_sign, np.maximum(np.abs(a), np.abs(b)) / np.minimum(np.abs(a), np.abs(b)), 1.0)
        wide = ratio > 4.0
        mid_abs = np.maximum(np.abs(a), np.abs(b))
        splittable = (b - a) > 1e-13 * (1.0 + mid_abs)
        flag = relevant & splittable & (jump | steep | wide)
        if np.any(flag):
            fa, fb = a[flag], b[flag]
            geo = wide[flag] & ~jump[flag]
            mids = np.where(geo, np.sign(fa) * np.sqrt(np.abs(fa) * np.abs(fb)), 0.5 * (fa + fb))
            new.extend(mids.tolist())
        if not new or pts.size > _MAX_POINTS:
            break
        new = np.unique(np.asarray(new))
        gn = np.asarray(logw(new), dtype=float)
        gn = np.where(np.isnan(gn), -np.inf, gn)
        nevals += new.size
        pts = np.concatenate([pts, new])
        g = np.concatenate([g, gn])
        order = np.argsort(pts, kind="stable")
        pts, g = pts[order], g[order]
        keep = np.concatenate([[True], np.diff(pts) > 0])
        pts, g = pts[keep], g[keep]

    gmax, a, b, ga, gb, relevant = _intervals(pts, g)
    # left-out intervals: log-linear estimate, counted again as error
    lm = _loglin_mass(a[~relevant], b[~relevant], ga[~relevant], gb[~relevant])
    out0 = float(np.sum(np.exp(lm)))
    vmax = np.maximum(np.abs(a[~relevant]), np.abs(b[~relevant]))
    mid = 0.5 * (a[~relevant] + b[~relevant])
    out1 = float(np.sum(np.exp(lm) * mid))
    outabs = float(np.sum(np.exp(lm) * vmax))

    # Gauss-Kronrod on the relevant intervals
    ia, ib = a[relevant], b[relevant]
    done0 = done1 = dabs = 0.0
    derr0 = derr1 = 0.0
    knot_x = [pts]
    knot_g = [g - gmax]
    for rnd in range(max_rounds):
        c, h = 0.5 * (ia + ib), 0.5 * (ib - ia)
        x = c[:, None] + h[:, None] * _NODES[None, :]
        gx = np.asarray(logw(x.ravel()), dtype=float).reshape(x.shape)
        gx = np.where(np.isnan(gx), -np.inf, gx) - gmax
        nevals += x.size
        knot_x.append(x.ravel())
        knot_g.append(gx.ravel())
        f = np.exp(gx)
        k0 = h * (f @ _KW)
        g0 = h * (f @ _GW)
        k1 = h * ((f * x) @ _KW)
        g1 = h * ((f * x) @ _GW)
        ka = h * ((f * np.abs(x)) @ _KW)
        e0, e1 = np.abs(k0 - g0), np.abs(k1 - g1)
        tot_i0 = done0 + out0 + k0.sum()
        tot_abs = dabs + outabs + ka.sum()
        tol0, tol1 = rel * tot_i0, rel * max(tot_abs, 1e-300)
        n_int = max(ia.size, 1)
        ok = (e0 <= tol0 / n_int) & (e1 <= tol1 / n_int)
        tiny = (ib - ia) <= 1e-13 * (1.0 + np.maximum(np.abs(ia), np.abs(ib)))
        ok = ok | tiny | (rnd == max_rounds - 1)
        done0 += k0[ok].sum()
        done1 += k1[ok].sum()
        dabs += ka[ok].sum()
        derr0 += e0[ok].sum()
        derr1 += e1[ok].sum()
        if np.all(ok) or e0[~ok].sum() <= 0.1 * tol0 and e1[~ok].sum() <= 0.1 * tol1:
            done0 += k0[~ok].sum()
            done1 += k1[~ok].sum()
            dabs += ka[~ok].sum()
            derr0 += e0[~ok].sum()
            derr1 += e1[~ok].sum()
            break
        ra, rb = ia[~ok], ib[~ok]
        rm = 0.5 * (ra + rb)
        ia = np.concatenate([ra, rm])
        ib = np.concatenate([rm, rb])
    kx = np.concatenate(knot_x)
    kg = np.concatenate(knot_g)
    order = np.argsort(kx, kind="stable")
    kx, kg = kx[order], kg[order]
    keep = np.concatenate([[True], np.diff(kx) > 0])
    i0 = done0 + out0
    i1 = done1 + out1
    eps = np.finfo(float).eps
    return _Integral(
        scale=gmax, i0=i0, i1=i1,
        err0=derr0 + out0 + 50 * eps * i0,
        err1=derr1 + outabs + 50 * eps * (dabs + outabs),
        abs1=dabs + outabs, knots=kx[keep], gknots=kg[keep], evaluations=int(nevals),
    )


class _ZeroMass(ArithmeticError):
    pass


# ----------------------------------------------------------------------------- problem setup
def _quantile_points(dist, k: int = 40) -> np.ndarray:
    """Points spreading over ``dist``'s mass: quantiles at 1e-300 .. 0.5 on both sides."""
    if isinstance(dist, PointMass):
        return np.array([dist.value])
    p = np.concatenate([np.logspace(-300, -1, k), np.linspace(0.1, 0.5, 9)])
    with np.errstate(all="ignore"):
        q = np.concatenate([dist.ppf(p), dist.isf(p)])
    return q[np.isfinite(q)]


def _support(dist) -> tuple[float, float]:
    try:
        lo, hi = dist.support()
    except Exception:  # duck-typed laws without support()
        lo, hi = -math.inf, math.inf
    return float(lo), float(hi)


def _check_t(t) -> tuple[np.ndarray, bool]:
    if isinstance(t, bool):
        raise TypeError("t: expected a real number or array of real numbers, got bool")
    try:
        arr = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"t: expected a real number or array of real numbers, got {type(t).__name__}") from None
    if arr.size == 0:
        raise ValueError("t: must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"t: must be finite, got {t!r}")
    return arr, arr.ndim == 0


def _check_V_mean(V) -> None:
    with np.errstate(all="ignore"):
        m = float(V.mean())
    if not math.isfinite(m):
        raise ValueError(f"V: E[V] must be finite for E[V | V + X >= t] to exist, got E[V] = {m}")


class _Problem:
    """log f_V(v) + log K(t - v) for K = survival (conditioning), density or cdf of the error."""

    def __init__(self, V, X, dependent: Dependent | None):
        self.V, self.X, self.dep = V, X, dependent
        self.support = _support(V)

    def logw(self, t: float, kind: str = "sf") -> Callable[[np.ndarray], np.ndarray]:
        V = self.V
        if self.dep is None:
            X = self.X
            fn = {"sf": X.logsf, "pdf": getattr(X, "logpdf", None), "cdf": X.logcdf}[kind]

            def logw(v):
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    return V.logpdf(v) + fn(t - v)
            return logw

        dep = self.dep
        if dep.vectorized:
            return self._logw_vectorized(t, kind)

        def logw(v):
            v = np.asarray(v, dtype=float)
            out = np.empty(v.shape)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                lp = V.logpdf(v)
                for i, vi in enumerate(v.flat):
                    if not np.isfinite(lp.flat[i]):
                        out.flat[i] = -np.inf
                        continue
                    law = dep.error_at(vi)
                    if kind == "sf":
                        k = law.logsf(t - vi)
                    elif kind == "cdf":
                        k = law.logcdf(t - vi)
                    else:
                        if isinstance(law, PointMass):
                            raise ValueError("error: a point mass has no density; best-of-N needs densities")
                        k = law.logpdf(t - vi)
                    out.flat[i] = lp.flat[i] + float(k)
            return out
        return logw

    def _logw_vectorized(self, t: float, kind: str) -> Callable[[np.ndarray], np.ndarray]:
        """``logw`` for ``Dependent(..., vectorized=True)``: one ``error`` call per batch of nodes.

        log f_V(v) + log K_{X|v}(t - v) with K the conditional survival function, density or cdf,
        evaluated by the batch law's ``logsf``/``logpdf``/``logcdf`` elementwise; ``error`` is only
        called where f_V(v) > 0, as in scalar mode.  A NaN from the error law (parameters scipy
        rejects) raises ValueError instead of silently counting as zero weight.
        """
        V, dep = self.V, self.dep
        name = {"sf": "logsf", "pdf": "logpdf", "cdf": "logcdf"}[kind]

        def logw(v):
            v = np.asarray(v, dtype=float)
            flat = v.ravel()
            out = np.full(flat.shape, -np.inf)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                lp = np.broadcast_to(np.asarray(V.logpdf(flat), dtype=float), flat.shape)
                ok = np.isfinite(lp)
                if np.any(ok):
                    vv = flat[ok]
                    law = dep.error_array(vv)
                    k = np.asarray(getattr(law, name)(t - vv), dtype=float)
                    if k.shape != vv.shape:
                        raise TypeError(f"error: {name} of the batch law has shape {k.shape}, expected {vv.shape}")
                    bad = np.isnan(k)
                    if np.any(bad):
                        raise ValueError(
                            f"error: the law returned by error(v) gives {name}(t - v) = nan at v = "
                            f"{float(vv[bad][0])!r} (t = {t!r}); are its parameters valid there "
                            f"(e.g. a scale that underflows to 0)?")
                    out[ok] = lp[ok] + k
            return out.reshape(v.shape)
        return logw

    def points(self, t: float) -> np.ndarray:
        V = self.V
        pv = _quantile_points(V)
        with np.errstate(all="ignore"):
            med = float(V.median())
        if self.dep is None:
            laws = [self.X]
        elif self.dep.vectorized:  # one error call; element laws identical to scalar mode's
            batch = self.dep.error_array(np.array([med, t]))
            laws = [self.dep._element(batch, i, 2) for i in (0, 1)]
        else:
            laws = [self.dep.error_at(med), self.dep.error_at(t)]
        px = [t - _quantile_points(law) for law in laws]
        lin = np.linspace(med, t, 65)
        return np.concatenate([pv, *px, lin, [t, med]])

    def integrate(self, t: float, kind: str = "sf", rel: float = 1e-11) -> _Integral:
        return _integrate(self.logw(t, kind), self.points(t), self.support, rel=rel)


def _problem(V, X, who: str = "X") -> _Problem:
    if isinstance(V, Dependent):
        if X is not None:
            raise TypeError("X: must be omitted when the first argument is a Dependent model")
        _check_V_mean(V.V)
        return _Problem(V.V, None, V)
    check_distribution("V", V)
    if X is None:
        raise TypeError("X: missing the error distribution (or pass a Dependent model as V)")
    check_distribution(who, X)
    _check_V_mean(V)
    return _Problem(V, X, None)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ConditionalMean:
    """E[V | V + X >= t] with its uncertainty.

    Attributes
    ----------
    value : float or ndarray
        E[V | V + X >= t] (an array when ``t`` is an array).
    stderr : float or ndarray
        Standard error (Monte Carlo methods) or error bound from the quadrature's Kronrod-Gauss
        differences ("quad").
    method : str
        "quad", "exact_mc" or "mc".
    samples : int
        Draws used (0 for "quad").
    t : float or ndarray
        The thresholds.
    accepted : int or ndarray
        Draws with V + X >= t ("mc"; equals ``samples`` for "exact_mc", 0 for "quad").
    log_prob : float or ndarray
        log P(V + X >= t) ("quad" and "exact_mc"; from the accepted fraction for "mc", -inf if none).
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


def _integral_or_raise(prob: _Problem, t: float, kind: str = "sf") -> _Integral:
    try:
        return prob.integrate(t, kind)
    except _ZeroMass:
        raise ValueError(f"t: P(V + X >= t) = 0 at t = {t!r} (beyond the support of V + X)") from None


# ----------------------------------------------------------------------------- public API
def log_tail_probability(V, X=None, t=0.0):
    """log P(V + X >= t) = log ∫ f_V(v) F̄_X(t - v) dv by log-space quadrature (array over t).

    Finite wherever the probability is positive, also far below the double-precision range.
    """
    prob = _problem(V, X)
    t_arr, scalar = _check_t(t)
    out = np.empty(t_arr.size)
    for i, ti in enumerate(t_arr.flat):
        try:
            out[i] = prob.integrate(float(ti)).log_mass
        except _ZeroMass:
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
        Threshold(s) on the proxy U = V + X; finite.
    method : {"quad", "exact_mc", "mc"}
        "quad": log-space adaptive quadrature of
        ∫ v f_V(v) F̄_X(t - v) dv / ∫ f_V(v) F̄_X(t - v) dv, stderr = propagated error bound.
        "exact_mc": ``samples`` draws of V from the tilted density ∝ f_V(v) F̄_X(t - v) (inverse CDF
        of its piecewise log-linear interpolation through the quadrature nodes: the interval masses
        are Gauss-Kronrod exact, the shape inside each sub-interval is discretised), mean and
        standard error; cost independent of t.
        "mc": naive rejection sampling of ``samples`` pairs (V, X) (shared across the ``t`` values);
        independent errors only.
    samples : int
        Draws for the Monte Carlo methods.
    rng : Generator, int, SeedSequence or None
        Randomness (SPEC 7); the result is bit-identical for a seed at any thread count.

    Returns
    -------
    ConditionalMean
        ``value``, ``stderr``, ``method``, ``samples``, ``t``, ``accepted``, ``log_prob``.

    Notes
    -----
    Theorem 5 (heavy, subexponential X, lighter V): the value tends to E[V] as t -> inf;
    Theorem 6 (F̄_X(t+1)/F̄_X(t) -> 0, V unbounded above): it tends to infinity.
    """
    if not isinstance(method, str) or method not in ("quad", "exact_mc", "mc"):
        raise ValueError(f"method: must be 'quad', 'exact_mc' or 'mc', got {method!r}")
    prob = _problem(V, X)
    t_arr, scalar = _check_t(t)
    ts = [float(x) for x in t_arr.flat]
    if method == "quad":
        vals, errs, lps = [], [], []
        for ti in ts:
            res = _integral_or_raise(prob, ti)
            vals.append(res.mean)
            errs.append(res.mean_err)
            lps.append(res.log_mass)
        return _pack(vals, errs, "quad", 0, t_arr, scalar, np.zeros(len(ts)), lps)

    n = check_int("samples", samples, minimum=2)
    gen = as_generator(rng)
    if method == "exact_mc":
        vals, errs, lps = [], [], []
        for ti in ts:
            res = _integral_or_raise(prob, ti)
            v = _sample_tilted(res, n, gen)
            vals.append(float(np.mean(v)))
            errs.append(float(np.std(v, ddof=1) / math.sqrt(n)))
            lps.append(res.log_mass)
        return _pack(vals, errs, "exact_mc", n, t_arr, scalar, np.full(len(ts), n), lps)

    if prob.dep is not None:
        raise ValueError("method: 'mc' supports independent V and X only; use 'quad' or 'exact_mc'")
    acc, s1, s2 = _rejection_sums(prob.V, prob.X, np.asarray(ts), n, gen)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(acc > 0, s1 / np.maximum(acc, 1), np.nan)
        var = np.where(acc > 1, (s2 - acc * mean**2) / np.maximum(acc - 1, 1), np.nan)
        err = np.where(acc > 1, np.sqrt(np.maximum(var, 0.0) / np.maximum(acc, 1)), np.inf)
        lp = np.log(acc / n)
    return _pack(mean, err, "mc", n, t_arr, scalar, acc, lp)


# ----------------------------------------------------------------------------- sampling
_CHUNK = 1 << 14


def _sampling_table(res: _Integral):
    """Pieces of the piecewise log-linear interpolation of the tilted density, with their masses."""
    x, g = res.knots, res.gknots
    lm = _loglin_mass(x[:-1], x[1:], g[:-1], g[1:])
    m = np.exp(lm - np.max(lm))
    cum = np.cumsum(m)
    cum /= cum[-1]
    gg = np.where(np.isfinite(g), g, -745.0)
    return x, gg, cum


def _sample_tilted(res: _Integral, n: int, gen: np.random.Generator) -> np.ndarray:
    x, g, cum = _sampling_table(res)
    n_chunks = -(-n // _CHUNK)
    seeds = chunk_seeds(gen, n_chunks)
    out = np.empty(n)
    _kernels.sample_piecewise_exp(x, g, cum, seeds, _CHUNK, out)
    return out


def _rejection_sums(V, X, ts: np.ndarray, n: int, gen: np.random.Generator):
    """Draw n pairs (V, X) in fixed-size chunks, each from its own seed; sums over V + X >= t."""
    n_chunks = -(-n // _CHUNK)
    seeds = chunk_seeds(gen, n_chunks)
    acc = np.zeros(ts.size, dtype=np.int64)
    s1 = np.zeros(ts.size)
    s2 = np.zeros(ts.size)
    for k in range(n_chunks):
        size = min(_CHUNK, n - k * _CHUNK)
        cg = np.random.default_rng(int(seeds[k]))
        v = np.asarray(V.rvs(size=size, random_state=cg), dtype=float)
        x = np.asarray(X.rvs(size=size, random_state=cg), dtype=float)
        _kernels.accept_sums(v, v + x, ts, acc, s1, s2)
    return acc, s1, s2


def _sample_error_given(law, a: np.ndarray, u: np.ndarray, sub=None) -> np.ndarray:
    """X | X >= a by inverse survival function: P(X >= x) = u P(X >= a), computed in log space.

    q = log u + log F̄(a); if q < log 1/2 the upper side isf(e^q) is used (by bisection on logsf when
    e^q underflows), otherwise ppf(-expm1(q)).  ``law`` is one law for every draw, or a batch law
    with one parameter set per draw; then ``sub(mask)`` must return the batch law restricted to the
    draws selected by ``mask`` (each branch evaluates only its own draws).
    """
    a = np.asarray(a, float)
    if isinstance(law, PointMass):
        return np.full(a.shape, law.value)
    if sub is None:
        def sub(mask):
            return law
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        q = np.log(u) + np.asarray(law.logsf(a), dtype=float)
        out = np.empty(a.shape)
        upper = q < math.log(0.5)
        deep = upper & (q < -700.0)
        mid = upper & ~deep
        low = ~upper
        if np.any(mid):
            out[mid] = sub(mid).isf(np.exp(q[mid]))
        if np.any(low):
            out[low] = sub(low).ppf(-np.expm1(q[low]))
        if np.any(deep):
            dl = sub(deep)
            lo = a[deep].copy()
            qd = q[deep]
            step = np.maximum(1.0, np.abs(lo))
            hi = lo + step
            for _ in range(2000):
                bad = dl.logsf(hi) > qd
                if not np.any(bad):
                    break
                step = np.where(bad, 2 * step, step)
                hi = np.where(bad, lo + step, hi)
            for _ in range(200):
                m = 0.5 * (lo + hi)
                above = dl.logsf(m) > qd
                lo = np.where(above, m, lo)
                hi = np.where(above, hi, m)
                if np.all(hi - lo <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(hi))):
                    break
            out[deep] = 0.5 * (lo + hi)
    return np.maximum(out, a)


def sample_conditional(V, X=None, t=0.0, size: int = 1000, *, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Exact-as-possible draws of (V, X) given V + X >= t, without rejection.

    V comes from the tilted law ∝ f_V(v) P(X >= t - v | V = v) (inverse CDF of its piecewise
    log-linear interpolation on the quadrature nodes: discretised within each sub-interval), then
    X from X | X >= t - V by the inverse survival function, computed in log space (exact up to
    floating point).  Works for a :class:`Dependent` model too: one call of ``error`` per draw, or one per batch
    with ``vectorized=True``.

    Returns
    -------
    v, x : ndarray of shape (size,)
        Every pair has v + x >= t (up to rounding).
    """
    prob = _problem(V, X)
    t_arr, scalar = _check_t(t)
    if not scalar:
        raise ValueError("t: sample_conditional takes one threshold")
    n = check_int("size", size, minimum=1)
    gen = as_generator(rng)
    ti = float(t_arr)
    res = _integral_or_raise(prob, ti)
    v = _sample_tilted(res, n, gen)
    u = 1.0 - gen.random(n)  # (0, 1]
    if prob.dep is None:
        x = _sample_error_given(prob.X, ti - v, u)
    elif prob.dep.vectorized:
        x = _sample_error_given_batch(prob.dep, ti - v, u, v)
    else:
        x = np.array([_sample_error_given(prob.dep.error_at(vi), np.array([ti - vi]), np.array([ui]))[0]
                      for vi, ui in zip(v, u)])
    return v, x


def _sample_error_given_batch(dep: Dependent, a: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """X | X >= a for ``Dependent(..., vectorized=True)``: one ``error(v)`` call for all draws,
    then :func:`_sample_error_given` on the batch law (each branch on its own draws' parameters)."""
    law = dep.error_array(v)
    return _sample_error_given(law, a, u, sub=lambda mask: Dependent._element(law, np.nonzero(mask)[0], a.size))
