"""The selection problem U = V + X as a log-space integrand (private).

For independent V and X (Kwa & Thomas 2023, Appendix identity), with K = F̄_X (conditioning on
U >= t), F_X (on U <= t) or f_X (the density of U),

    ∫ f_V(v) K(t - v) dv   and   ∫ v f_V(v) K(t - v) dv;

with a :class:`~goodhart.Dependent` error, K is the conditional law of X given V = v.  This module
turns that into ``logw(v) = log f_V(v) + log K(t - v)``, chooses the starting points, the domain and
the end pieces for :mod:`goodhart._selection_quad`, validates arguments and turns the integrator's
failures into errors that name the parameter at fault (docs/contract.md).

A density of V that is infinite at a finite end of its support (Weibull or gamma with shape < 1,
chi-squared with one degree of freedom, beta with a parameter < 1) is handled by an end piece
[lo, lo + eps] whose mass F_V(lo + eps) K(t - lo) comes from V's distribution function, so the
quadrature never evaluates the singular end.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import _selection_quad as quad
from ._selection_logs import LOSSY_BELOW, is_lossy, log_function
from ._speed import seconds_per_point
from .model import Dependent, PointMass, check_distribution

_MAX_T = 1_000           # thresholds per quadrature call (each costs 10-100 ms)
_MAX_T_MC = 100_000      # thresholds of rejection sampling (they share the draws)
_SLOW = 3e-4             # seconds per point of a vectorised log function above which the quadrature
                         # is impractical (scipy laws take 0.3-5 us; levy_stable about 3-20 ms)
_SLOW_SCALAR = 4e-3      # the same for one scalar call (scipy's overhead is 0.05-0.5 ms, levy_stable ~20 ms)


def check_t(t, *, max_size: int | None = None) -> tuple[np.ndarray, bool]:
    """``t`` as a float array (and whether it was a scalar); finite, non-empty, at most ``max_size``
    values (default ``_MAX_T``)."""
    max_size = _MAX_T if max_size is None else max_size
    if isinstance(t, (bool, np.bool_)):
        raise TypeError("t: expected a real number or array of real numbers, got bool")
    if isinstance(t, (str, bytes, dict, set)) or t is None:
        raise TypeError(f"t: expected a real number or array of real numbers, got {type(t).__name__}")
    try:
        arr = np.asarray(t, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"t: expected a real number or array of real numbers, got {type(t).__name__}") from None
    if arr.size == 0:
        raise ValueError("t: must not be empty")
    if arr.size > max_size:
        raise ValueError(f"t: at most {max_size} thresholds per call (each needs its own quadrature), "
                         f"got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"t: must be finite, got {t!r}")
    return arr, arr.ndim == 0


def support(dist) -> tuple[float, float]:
    try:
        lo, hi = dist.support()
        lo, hi = float(lo), float(hi)
    except Exception:  # duck-typed laws without support()
        return -math.inf, math.inf
    if math.isnan(lo) or math.isnan(hi):
        return -math.inf, math.inf
    return lo, hi


def quantile_points(dist, k: int = 40) -> np.ndarray:
    """Points spreading over ``dist``'s mass: quantiles at 1e-300 .. 0.5 on both sides."""
    if isinstance(dist, PointMass):
        return np.array([dist.value])
    p = np.concatenate([np.logspace(-300, -1, k), np.linspace(0.1, 0.5, 9)])
    with np.errstate(all="ignore"):
        q = np.concatenate([np.asarray(dist.ppf(p), float).ravel(), np.asarray(dist.isf(p), float).ravel()])
    return q[np.isfinite(q)]


def _median(dist) -> float:
    with np.errstate(all="ignore"):
        try:
            m = float(dist.median())
        except Exception:
            m = float(dist.ppf(0.5))
    return m


def check_V_mean(V) -> None:
    with np.errstate(all="ignore"):
        m = float(V.mean())
    if not math.isfinite(m):
        raise ValueError(f"V: E[V] must be finite for E[V | V + X >= t] to exist, got E[V] = {m}")


def _name(dist) -> str:
    d = getattr(dist, "dist", None)
    return getattr(d, "name", type(dist).__name__)


def _probe(who: str, fn: Callable, x: np.ndarray, what: str, alternative: str, limit: float = _SLOW) -> None:
    """Refuse laws whose log functions cost more than ``limit`` seconds per point (scipy's
    levy_stable evaluates each by numerical integration, about 20 ms): the quadrature needs
    thousands of points.  The best of five timings is used, so a busy machine does not trip it."""
    best = seconds_per_point(fn, x, 5, limit)
    if best <= limit:
        return
    raise ValueError(
        f"{who}: evaluating {what} takes about {best * 1e3:.3g} ms per point, and the log-space "
        f"quadrature needs thousands of points per threshold (minutes); refused as impractical. "
        f"{alternative}")


def _probe_points(lo: float, hi: float) -> np.ndarray:
    """16 points inside the support [lo, hi] (where the functions do their work)."""
    if math.isfinite(lo) and math.isfinite(hi):
        return lo + (hi - lo) * np.linspace(0.05, 0.95, 16)
    steps = np.geomspace(0.05, 50.0, 16)
    if math.isfinite(lo):
        return lo + steps
    if math.isfinite(hi):
        return hi - steps
    return np.linspace(-4.0, 4.0, 16)


class Problem:
    """log f_V(v) + log K(t - v) for K = survival (conditioning), density or cdf of the error."""

    def __init__(self, V, X, dependent: Dependent | None):
        self.V, self.X, self.dep = V, X, dependent
        self.lo, self.hi = support(V)
        self._cache: dict[str, Any] = {}
        self.v_logpdf = log_function(V, "logpdf")
        self._hits: dict[str, Any] = {}

    def _lossy(self, key: str) -> bool:
        """Whether the log function behind ``key`` ("V", "sf", "cdf") underflows inside the support
        (:func:`goodhart._selection_logs.is_lossy`); cached.  Not checked for Dependent errors."""
        if key not in self._cache.setdefault("lossy", {}):
            if key == "V":
                val = any(is_lossy(self.v_logpdf, self.V, side) for side in (1, -1))
            elif self.dep is None and key in ("sf", "cdf"):
                fn = log_function(self.X, "logsf" if key == "sf" else "logcdf")
                val = is_lossy(fn, self.X, 1 if key == "sf" else -1)
            else:
                val = False
            self._cache["lossy"][key] = val
        return self._cache["lossy"][key]

    # ------------------------------------------------------------------ cost and support
    def require_fast(self, alternative: str = "") -> None:
        """Raise ValueError naming V, X or error when the laws' log functions are so slow (more
        than ``_SLOW`` per point) that the quadrature's thousands of evaluations would take minutes."""
        if self._cache.get("fast"):
            return
        pv = _probe_points(self.lo, self.hi)
        _probe("V", self.v_logpdf, pv, f"{_name(self.V)}'s logpdf", alternative)
        if self.dep is None:
            xlo, xhi = support(self.X)
            _probe("X", self.X.logsf, _probe_points(xlo, xhi), f"{_name(self.X)}'s logsf", alternative)
        elif self.dep.vectorized:
            law = self.dep.error_array(pv)
            _probe("error", law.logsf, np.zeros(pv.size), "the error law's logsf", alternative)
        else:
            for v in pv[::5]:
                law = self.dep.error_at(float(v))
                _probe("error", law.logsf, np.zeros(1), f"{_name(law)}'s logsf (returned by error)",
                       alternative, _SLOW_SCALAR)
        self._cache["fast"] = True

    def u_support(self) -> tuple[float, float] | None:
        """Support of U = V + X (None for a dependent error: not known in general)."""
        if self.dep is not None:
            return None
        xlo, xhi = support(self.X)
        with np.errstate(invalid="ignore"):
            return self.lo + xlo, self.hi + xhi

    def _v_info(self) -> dict:
        if "v" not in self._cache:
            V = self.V
            lo, hi = self.lo, self.hi
            med = _median(V)
            if not math.isfinite(med):
                med = 0.5 * (lo + hi) if math.isfinite(lo + hi) else (lo if math.isfinite(lo) else hi)
            with np.errstate(all="ignore"):
                iqr = float(V.ppf(0.75)) - float(V.ppf(0.25))
            scale = iqr if math.isfinite(iqr) and iqr > 0 else max(abs(med), 1.0)
            if math.isfinite(lo) and math.isfinite(hi):
                scale = min(scale, hi - lo)
                ref = max(abs(lo), abs(hi))
                if not hi - lo > 1e6 * np.spacing(ref):
                    raise ValueError(f"V: its support [{lo!r}, {hi!r}] is too narrow to integrate over in "
                                     f"double precision (fewer than 1e6 representable points)")
            ends = []
            for end, sign in ((lo, 1.0), (hi, -1.0)):
                if math.isfinite(end):
                    # wide enough that the nodes of the pieces next to it are not rounded (1e6 spacings)
                    eps = max(1e-14 * scale, 1e6 * float(np.spacing(abs(end))))
                    k = np.arange(0, 2 * math.ceil(math.log10(scale / eps)) + 3)
                    geo = end + sign * eps * 10.0 ** (k / 2.0)
                    ends.append((end, sign, eps, geo))
            self._cache["v"] = {"med": med, "scale": scale, "qv": quantile_points(V), "ends": ends}
        return self._cache["v"]

    # ------------------------------------------------------------------ the integrand
    def _logk(self, t: float, kind: str) -> Callable[[np.ndarray], np.ndarray]:
        """v -> log K_{X | V = v}(t - v), elementwise on a 1-D array."""
        name = {"sf": "logsf", "pdf": "logpdf", "cdf": "logcdf"}[kind]
        if self.dep is None:
            fn = log_function(self.X, name)
            lossy = kind != "pdf" and self._lossy(kind)
            xlo, xhi = support(self.X)
            hits = self._hits

            def logk(v):
                with np.errstate(all="ignore"):
                    x = t - v
                    k = np.asarray(fn(x), dtype=float)
                if lossy and np.any((k < LOSSY_BELOW) & (x > xlo) & (x < xhi)):
                    hits["X"] = True  # a value below ~1e-310 inside the support: not trusted
                return k
            return logk
        dep = self.dep
        if dep.vectorized:
            def logk(v):
                v = np.asarray(v, dtype=float).ravel()
                if v.size == 0:
                    return np.empty(0)
                law = dep.error_array(v)
                with np.errstate(all="ignore"):
                    try:
                        k = np.asarray(getattr(law, name)(t - v), dtype=float)
                    except Exception as exc:
                        raise ValueError(f"error: {name} of the law returned by error(v) failed: "
                                         f"{type(exc).__name__}: {exc}") from exc
                if k.shape != v.shape:
                    raise TypeError(f"error: {name} of the batch law has shape {k.shape}, expected {v.shape}")
                bad = np.isnan(k)
                if np.any(bad):
                    raise ValueError(
                        f"error: the law returned by error(v) gives {name}(t - v) = nan at v = "
                        f"{float(v[bad][0])!r} (t = {t!r}); are its parameters valid there "
                        f"(e.g. a scale that underflows to 0)?")
                return k
            return logk

        def one(law, vi: float) -> float:
            with np.errstate(all="ignore"):
                try:
                    k = np.asarray(getattr(law, name)(t - vi), dtype=float)
                except Exception as exc:
                    raise ValueError(f"error: {name} of the law returned by error({vi!r}) failed: "
                                     f"{type(exc).__name__}: {exc}") from exc
            if k.size != 1:
                raise TypeError(f"error: error({vi!r}) returned a law with array parameters "
                                f"({name} has shape {k.shape}); scalar mode needs one law per v "
                                f"(or pass vectorized=True)")
            k = float(k.reshape(()))
            if math.isnan(k):
                raise ValueError(f"error: the law returned by error({vi!r}) gives {name}(t - v) = nan "
                                 f"(t = {t!r}); are its parameters valid there?")
            return k

        def logk(v):
            """error(v) once per node (as documented), but each distinct law object evaluated once
            on all its nodes (piecewise models return a few objects; one scipy call per node cost
            ~0.1 ms): its first node alone, with the per-node checks, then the rest as an array."""
            v = np.asarray(v, dtype=float).ravel()
            out = np.empty(v.shape)
            groups: dict[int, tuple[Any, list[int]]] = {}
            for i, vi in enumerate(v):
                law = dep.error_at(float(vi))
                if kind == "pdf" and isinstance(law, PointMass):
                    raise ValueError("error: a point mass has no density; this computation needs densities")
                g = groups.get(id(law))
                if g is None:
                    groups[id(law)] = (law, [i])
                else:
                    g[1].append(i)
            for law, idx in groups.values():
                out[idx[0]] = one(law, float(v[idx[0]]))
                if len(idx) == 1:
                    continue
                rest = np.array(idx[1:])
                with np.errstate(all="ignore"):
                    try:
                        k = np.asarray(getattr(law, name)(t - v[rest]), dtype=float)
                    except Exception:  # noqa: BLE001 - a law that takes no arrays: node by node below
                        k = None
                if k is None or k.shape != rest.shape or np.any(np.isnan(k)):
                    k = np.array([one(law, float(v[j])) for j in rest])   # raises naming the node
                out[rest] = k
            return out
        return logk

    def logw(self, t: float, kind: str = "sf") -> Callable[[np.ndarray], np.ndarray]:
        """log f_V(v) + log K(t - v), -inf where f_V(v) = 0; K is only evaluated where f_V(v) > 0."""
        logpdf, logk = self.v_logpdf, self._logk(t, kind)
        dep = self.dep
        lossy, lo, hi, hits = self._lossy("V"), self.lo, self.hi, self._hits
        med = self._v_info()["med"] if lossy else 0.0

        def logw(v):
            v = np.asarray(v, dtype=float)
            flat = v.ravel()
            with np.errstate(all="ignore"):
                lp = np.broadcast_to(np.asarray(logpdf(flat), dtype=float), flat.shape)
            if lossy:
                bad = (lp < LOSSY_BELOW) & (flat > lo) & (flat < hi)
                if np.any(bad):  # innermost lossy point on each side of the median
                    left, right = flat[bad & (flat < med)], flat[bad & (flat >= med)]
                    old_l, old_r = hits.get("V", (-math.inf, math.inf))
                    hits["V"] = (max(old_l, float(left.max())) if left.size else old_l,
                                 min(old_r, float(right.min())) if right.size else old_r)
            out = np.full(flat.shape, -np.inf)
            ok = np.isfinite(lp)
            if np.any(lp == np.inf):
                vi = float(flat[lp == np.inf][0])
                raise ValueError(f"V: its density is infinite at v = {vi!r} inside its support; only "
                                 f"integrable singularities at the ends of the support are handled")
            if np.any(ok):
                if dep is None and np.all(ok):
                    k = logk(flat)
                    with np.errstate(invalid="ignore"):
                        out = lp + k
                else:
                    k = logk(flat[ok])
                    out[ok] = lp[ok] + k
                if np.any(out == np.inf):
                    who = "error" if dep is not None else "X"
                    raise ValueError(f"{who}: the error law's {kind} is infinite at t - v = "
                                     f"{float(t - flat[out == np.inf][0])!r} (t = {t!r}); a density "
                                     f"with a singularity cannot be integrated here")
            return out.reshape(v.shape)
        return logw

    # ------------------------------------------------------------------ points and ends
    def points(self, t: float) -> np.ndarray:
        info = self._v_info()
        med = info["med"]
        vt = min(max(t, self.lo), self.hi)
        if self.dep is None:
            laws = [self.X]
        elif self.dep.vectorized:  # one error call; element laws identical to scalar mode's
            batch = self.dep.error_array(np.array([med, vt]))
            laws = [self.dep._element(batch, i, 2) for i in (0, 1)]
        else:
            laws = [self.dep.error_at(med), self.dep.error_at(vt)]
        with np.errstate(all="ignore"):
            px = [t - quantile_points(law) for law in laws]
            lin = np.linspace(med, t, 65)
        geo = [e[3] for e in info["ends"]]
        return np.concatenate([info["qv"], *px, lin, [t, med], *geo])

    def _atoms(self, t: float, kind: str) -> tuple[tuple[float, float], tuple]:
        """The integration domain (V's support less the end pieces) and the end pieces."""
        info = self._v_info()
        lo, hi = self.lo, self.hi
        atoms = []
        logk = self._logk(t, kind)
        for end, sign, eps, _ in info["ends"]:
            inner = end + sign * eps
            with np.errstate(all="ignore"):
                lf = float(self.V.logcdf(inner)) if sign > 0 else float(self.V.logsf(inner))
            if not lf > -math.inf:
                atoms.append(quad.Atom(min(end, inner), max(end, inner), -math.inf, -math.inf, inner))
                if sign > 0:
                    lo = inner
                else:
                    hi = inner
                continue
            k = logk(np.array([end, inner]))
            k = np.where(np.isnan(k), -np.inf, k)
            kmax = float(np.max(k))
            if kmax == -math.inf:
                lm = le = -math.inf
            else:
                # mass between F * K(min) and F * K(max): midpoint, half the spread as error
                lm = lf + kmax + math.log1p(math.exp(float(np.min(k)) - kmax)) - math.log(2.0)
                spread = -math.expm1(float(np.min(k)) - kmax)
                le = lf + kmax + (math.log(spread / 2) if spread > 0 else -math.inf)
                le = float(np.logaddexp(le, lm + math.log(1e-13)))
            atoms.append(quad.Atom(min(end, inner), max(end, inner), lm, le, inner))
            if sign > 0:
                lo = inner
            else:
                hi = inner
        return (lo, hi), tuple(atoms)

    def integrate(self, t: float, kind: str = "sf", rel: float = 1e-11, need_shape: bool = True) -> quad.Integral:
        domain, atoms = self._atoms(t, kind)
        pts = self.points(t)
        caps = {}
        if self.dep is not None and not self.dep.vectorized:
            caps = {"max_nodes": 20_000, "max_grid": 2_000}  # one Python call of error per node
        self._hits.clear()
        try:
            res = quad.integrate(self.logw(t, kind), pts, domain, rel=rel, atoms=atoms,
                                 need_shape=need_shape, width=self._width(), **caps)
        except quad._ZeroMass:
            # an underflowed kernel inside X's support is the cause (the mass is positive); an
            # underflowed density of V leaves at most e^-714 per unit width: "0 or unresolvable"
            self._check_lossy(t, -math.inf, density=False)
            raise
        except quad._Unresolvable as exc:
            self._check_lossy(t, exc.gmax)
            raise
        self._check_lossy(t, res.log_mass)
        return res

    def _check_lossy(self, t: float, log_mass: float, density: bool = True) -> None:
        """Refuse where values below ~1e-310 of a lossy log function (scipy's log(sf) of gamma,
        log(pdf) of ...) were met and the integral is small enough for them to matter: their mass is
        at most e^-714 (kernel) or e^-714 times the width they span (density), which must stay
        below e^-28 (1e-12) of the integral."""
        if "X" in self._hits and log_mass < LOSSY_BELOW + 1 + 28:
            raise ValueError(
                f"X: {_name(self.X)}'s log survival function underflows (scipy computes it as the log "
                f"of a probability below 1e-308), and at t = {t!r} the integral needs it there "
                f"(log P(V + X >= t) is about {log_mass:.4g}); a law with an exact log tail "
                f"(normal, exponential, Weibull, ...) or a smaller t works")
        if density and "V" in self._hits:
            # the lossy values lie in V's tails beyond the innermost lossy points a (left) and b
            # (right): their mass is at most P(V <= a) + P(V >= b) (the kernel is at most 1)
            a, b = self._hits["V"]
            with np.errstate(all="ignore"):
                la = float(self.V.logcdf(a)) if a > -math.inf else -math.inf
                lb = float(self.V.logsf(b)) if b < math.inf else -math.inf
            la = max(la, -708.0) if a > -math.inf else la   # a lossy tail function: at most 1e-308
            lb = max(lb, -708.0) if b < math.inf else lb
            bound = float(np.logaddexp(la, lb))
            if not bound < log_mass - 28:
                where = " and ".join(w for w, ok in ((f"v <= {a:.4g}", a > -math.inf), (f"v >= {b:.4g}", b < math.inf)) if ok)
                raise ValueError(
                    f"V: {_name(self.V)}'s log density underflows (scipy computes it as the log of a "
                    f"density below 1e-308) at {where}, where the integral at t = {t!r} needs it "
                    f"(log P(V + X >= t) is about {log_mass:.4g})")

    def _width(self) -> float:
        """The narrower of the spreads of V and X (X's at the median of V for a dependent error)."""
        if "width" not in self._cache:
            w = self._v_info()["scale"]
            law = self.X if self.dep is None else None
            if law is not None:
                with np.errstate(all="ignore"):
                    try:
                        wx = float(law.ppf(0.75)) - float(law.ppf(0.25))
                    except Exception:
                        wx = math.nan
                if math.isfinite(wx) and wx > 0:
                    w = min(w, wx)
            self._cache["width"] = w
        return self._cache["width"]


def make_problem(V, X, who: str = "X") -> Problem:
    """Validate (V, X) or a Dependent model and build the problem (cheap: nothing is evaluated)."""
    if isinstance(V, Dependent):
        if X is not None:
            raise TypeError("X: must be omitted when the first argument is a Dependent model")
        check_V_mean(V.V)
        return Problem(V.V, None, V)
    check_distribution("V", V)
    if X is None:
        raise TypeError("X: missing the error distribution (or pass a Dependent model as V)")
    check_distribution(who, X)
    check_V_mean(V)
    return Problem(V, X, None)


def integral_or_raise(prob: Problem, t: float, kind: str = "sf", *, need_shape: bool = True,
                      what: str = "E[V | V + X >= t]", zero_mass: bool = False) -> quad.Integral:
    """``prob.integrate`` with the integrator's failures turned into errors naming ``t`` (``_ZeroMass``
    is passed on instead when ``zero_mass``)."""
    try:
        res = prob.integrate(t, kind, need_shape=need_shape)
        with np.errstate(all="ignore"):
            ok = math.isfinite(res.log_mass) and (not need_shape or (math.isfinite(res.mean)
                                                                       and math.isfinite(res.mean_err)))
        if not ok:
            raise ValueError(
                f"t: at t = {t!r} the conditional law of V spreads over more than the range of doubles "
                f"(its moments overflow), so {what} cannot be computed there")
        return res
    except quad._ZeroMass:
        if zero_mass:
            raise
        raise ValueError(zero_mass_message(prob, t)) from None
    except quad._Unresolvable as exc:
        raise ValueError(
            f"t: at t = {t!r} the logarithm of the integrand f_V(v) P(X >= t - v) is about {exc.gmax:.3g}; "
            f"its rounding error in double precision (relative {exc.noise:.2g} on the integrand) hides the "
            f"shape of the conditional law, so {what} cannot be resolved there "
            f"(log_tail_probability still answers)") from None


def zero_mass_message(prob: Problem, t: float) -> str:
    us = prob.u_support()
    if us is not None and not (us[0] <= t < us[1]):
        return f"t: P(V + X >= t) = 0 at t = {t!r} (beyond the support [{us[0]}, {us[1]}] of V + X)"
    return (f"t: P(V + X >= t) evaluates to 0 at t = {t!r}: it is 0 there or below what the laws' log "
            f"densities and log survival functions resolve in double precision")
