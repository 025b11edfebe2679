"""Theorem 4's KL-penalised optimum pi*_beta ∝ pi0 exp(U/beta) by quadrature in log space
(Kwa, Thomas & Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503, Theorem 4).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._kl_mgf import HeavyTailError, describe, raise_if_divergent, tail_class
from ._kl_quad import Clock, QuadratureFailure, as_1d, log_integrate, out, scale, support
from .model import Dependent, PointMass, check_distribution
from tailpower._results import ResultMixin

__all__ = ["KLOptimum", "kl_optimum"]


@dataclass(frozen=True)
class KLOptimum(ResultMixin):
    """Theorem 4's KL-penalised optimum pi*_beta ∝ pi0 exp(U/beta) (floats, or arrays over beta).

    Attributes
    ----------
    beta : KL penalty coefficient.
    mean_V, mean_X, mean_U : expectations under pi*_beta.
    kl : KL(pi*_beta || pi0) = E*[U]/beta - log Z.
    log_normaliser : log Z = log E_pi0[exp(U/beta)].
    value : same as mean_V.  stderr : quadrature error bound on mean_V.
    kl_err : error bound on kl (quadrature error of log Z and of the tilted means).
    method, samples : "quad" and 0 (deterministic).

    Examples
    --------
    V, X ~ N(0, 1): E*[V] = 1/beta and KL = 1/beta² (Kwa, Thomas & Garriga-Alonso,
    arXiv 2407.14503, Theorem 4):

    >>> from scipy import stats
    >>> from goodhart import kl_optimum
    >>> r = kl_optimum(stats.norm(), stats.norm(), beta=0.5)
    >>> round(r.mean_V, 10), round(r.kl, 10), r.method
    (2.0, 4.0, 'quad')
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
    kl_err: Any = 0.0


_QS = np.concatenate([np.geomspace(1e-15, 0.5, 40), 1 - np.geomspace(1e-15, 0.5, 40)[::-1]])
_SMALL_TILT = 1e-4  # lam * sd below this: KL from the cumulant series (quadrature cancels to ~1e-17)
_MAX_INNER = 64     # distinct non-closed-form conditional laws tilted by quadrature in one call


def _tilt_grid(dist, n_far: int = 300, n_body: int = 80) -> np.ndarray:
    """Probe points for a tilt of ``dist``: its quantiles, geometric steps from the median out to
    1e300 (where a tilt by a small beta moves the mass) and towards finite ends of the support."""
    lo, hi = support(dist)
    with np.errstate(all="ignore"):
        body = np.asarray(dist.ppf(_QS[:: max(_QS.size // n_body, 1)]), dtype=float)
        med = float(dist.ppf(0.5))
    med = med if math.isfinite(med) else 0.0
    s = scale(dist)
    parts = [body[np.isfinite(body)], med + np.geomspace(1e-3 * s, 1e300, n_far),
             med - s * np.geomspace(1e-3, 1e3, 40)]
    if math.isfinite(hi):
        parts.append(hi - (hi - med) * np.geomspace(1e-16, 1.0, 40))
    if math.isfinite(lo):
        parts.append(lo + (med - lo) * np.geomspace(1e-16, 1.0, 40))
    g = np.concatenate(parts)
    return g[np.isfinite(g) & (g > lo) & (g < hi)]


def _cumulant_kl(dist, lam: float) -> float | None:
    """KL of the tilt by e^{lam x} from the cumulant series Σ_{n>=2} (n-1) κ_n lam^n / n!
    (κ2 lam²/2 + κ3 lam³/3 + κ4 lam⁴/8), used when lam·sd < 1e-4 so that the omitted terms are
    below 1e-12 relative; None if scipy's moments are not finite."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            var, skew, kurt = (float(v) for v in dist.stats(moments="vsk"))
    except Exception:  # noqa: BLE001 - duck-typed laws without stats()
        return None
    if not (math.isfinite(var) and var > 0 and math.isfinite(skew) and math.isfinite(kurt)):
        return None
    sd = math.sqrt(var)
    if not lam * sd < _SMALL_TILT:
        return None
    x = lam * sd
    return x * x / 2 + skew * x**3 / 3 + kurt * x**4 / 8


def _tilt(dist, lam: float, clock: Clock):
    """(LogIntegral, KL, error bound of KL) of the tilt of ``dist`` by e^{lam x}."""
    li = log_integrate(dist.logpdf, _tilt_grid(dist), lam=lam, support=support(dist), clock=clock)
    kl = _cumulant_kl(dist, lam)
    if kl is None:
        return li, li.kl(lam), li.kl_err(lam)
    return li, kl, 1e-10 * abs(kl)  # scipy's moments and the omitted terms (lam sd)^3 < 1e-12


def _refusal(exc: QuadratureFailure, name: str, b: float) -> ValueError:
    if exc.kind == "work":
        return ValueError(
            f"{name}: the quadrature did not converge within its work limit ({exc.detail}); the law's "
            f"functions are too slow to integrate (scipy evaluates some laws, such as levy_stable, by "
            f"numerical integration)")
    if exc.kind == "no-mass":
        return ValueError(f"{name}: its density is zero or NaN at every probe point ({exc.detail})")
    if exc.kind in ("overflow", "precision"):
        return ValueError(
            f"beta: at beta = {b:.6g} the tilted law pi*_beta sits where the law's log-density is too large "
            f"in magnitude to resolve it in double precision ({exc.detail}); choose a larger beta")
    return ValueError(
        f"beta: at beta = {b:.6g} the tilted law pi*_beta puts its mass where the integrand cannot be "
        f"represented in double precision ({exc.detail}): log E[exp(U/beta)] or the tilted mean is "
        f"beyond its range; choose a larger beta")


# ----------------------------------------------------------------------------- dependent errors
def _law_key(law):
    d = getattr(law, "dist", None)
    if d is None:
        return None
    try:
        return (getattr(d, "name", type(d).__name__), tuple(float(a) for a in law.args),
                tuple(sorted((k, float(v)) for k, v in law.kwds.items())))
    except (TypeError, ValueError):
        return None


def _loc_scale(law):
    """(mean, sd) of a frozen scipy normal law, from its parameters (law.mean()/std() cost ~1 ms)."""
    try:
        _, loc, scale = law.dist._parse_args(*law.args, **law.kwds)   # (shapes, loc, scale)
        return loc, scale
    except Exception:  # noqa: BLE001 - a future scipy without _parse_args
        return law.mean(), law.std()


class _Conditional:
    """log M_{X|v}(lam) and the tilted mean E*[X | v] of the conditional error laws of a
    :class:`~goodhart.Dependent` model, cached by v: point masses and normal laws in closed form
    (log M = lam μ + lam²σ²/2, mean μ + lam σ²), others by a quadrature per distinct law (at most
    ``_MAX_INNER`` of them)."""

    def __init__(self, dep: Dependent, lam: float, clock: Clock):
        self.dep, self.lam, self.clock = dep, lam, clock
        self.cache: dict[float, tuple[float, float]] = {}
        self.inner: dict[Any, tuple[float, float]] = {}
        self.by_id: dict[int, tuple[Any, tuple[float, float]]] = {}
        self.classes: dict[Any, Any] = {}

    def law(self, v: float):
        try:
            return self.dep.error_at(v)
        except (TypeError, ValueError):
            raise
        except Exception as exc:  # noqa: BLE001 - the user's callable: report it as its fault
            raise TypeError(f"error: error({v!r}) raised {type(exc).__name__}: {exc}") from None

    def check_tail(self, law, v: float) -> None:
        if isinstance(law, PointMass):
            return
        key = _law_key(law)
        cls = self.classes.get(key) if key is not None else None
        if cls is None:
            cls = tail_class(law, 1)
            if key is not None:
                self.classes[key] = cls
        raise_if_divergent(law, self.lam, "X", cls)

    def _normal(self, mu, sd, where: str):
        mu = np.asarray(mu, dtype=float)
        sd = np.asarray(sd, dtype=float)
        bad = ~(np.isfinite(mu) & np.isfinite(sd) & (sd > 0))
        if np.any(bad):
            raise ValueError(f"error: {where} returned a normal law with invalid parameters (mean "
                             f"{np.ravel(mu)[np.ravel(bad)][0]!r}, sd {np.ravel(sd)[np.ravel(bad)][0]!r}); "
                             f"scipy needs a finite mean and a scale > 0")
        lam = self.lam
        return lam * mu + 0.5 * (lam * sd) ** 2, mu + lam * sd * sd

    def tilt(self, law, v: float) -> tuple[float, float]:
        lam = self.lam
        if isinstance(law, PointMass):
            return lam * law.value, law.value
        hit = self.by_id.get(id(law))
        if hit is not None and hit[0] is law:      # the same law object as at an earlier node
            return hit[1]
        if getattr(getattr(law, "dist", None), "name", "") == "norm":
            with np.errstate(all="ignore"):
                lm, mean = self._normal(*_loc_scale(law), f"error({v!r})")
            res = (float(lm), float(mean))
            self.by_id[id(law)] = (law, res)       # the law is kept, so its id is not reused
            return res
        self.check_tail(law, v)
        key = _law_key(law)
        if key is not None and key in self.inner:
            return self.inner[key]
        if len(self.inner) >= _MAX_INNER:
            raise ValueError(
                f"error: error(v) returns more than {_MAX_INNER} different non-normal laws; each needs its "
                f"own quadrature of the tilt (normal laws and point masses have closed forms): use those, "
                f"or a law that does not change with v")
        try:
            li = log_integrate(law.logpdf, _tilt_grid(law, 100, 40), lam=lam, support=support(law), clock=self.clock)
        except QuadratureFailure as exc:
            if exc.kind == "no-mass":
                raise ValueError(f"error: error({v!r}) returned {describe(law)}, whose density is zero or "
                                 f"NaN everywhere (invalid parameters?)") from None
            raise
        res = (li.log_mass, li.mean)
        self.inner[key if key is not None else ("id", id(law), len(self.inner))] = res
        return res

    def fill(self, y: np.ndarray) -> None:
        """Vectorised models: one error(v) call for the uncached nodes of ``y``."""
        if not self.dep.vectorized:
            return
        todo = np.unique(np.asarray([v for v in map(float, y) if v not in self.cache], dtype=float))
        if todo.size == 0:
            return
        try:
            batch = self.dep.error_array(todo)
        except (TypeError, ValueError):
            raise
        except Exception as exc:  # noqa: BLE001
            raise TypeError(f"error: error(v) on an array of {todo.size} values raised {type(exc).__name__}: {exc}") from None
        if getattr(batch.dist, "name", "") == "norm":
            with np.errstate(all="ignore"):
                mu = np.broadcast_to(np.asarray(batch.mean(), dtype=float), todo.shape)
                sd = np.broadcast_to(np.asarray(batch.std(), dtype=float), todo.shape)
            lms, means = self._normal(mu, sd, "error(v)")
            for v, lm_v, m_v in zip(todo.tolist(), lms.tolist(), means.tolist()):
                self.cache[v] = (lm_v, m_v)
        else:
            for i, v in enumerate(todo.tolist()):
                self.cache[v] = self.tilt(self.dep._element(batch, i, todo.size), v)

    def at(self, v: float) -> tuple[float, float]:
        r = self.cache.get(v)
        if r is None:
            r = self.cache[v] = self.tilt(self.law(v), v)
        return r


class _LogDensity:
    """``base`` seen as a log-density with the support and quantiles of ``law`` (for tail_class)."""

    def __init__(self, base, law):
        self.logpdf, self.law = base, law

    def __repr__(self) -> str:
        return "f_V(v)·M_X|v(1/beta) of the Dependent model"

    def support(self):
        return support(self.law)

    def ppf(self, q):
        return self.law.ppf(q)


def _dependent(dep: Dependent, lam: float, clock: Clock) -> tuple[float, float, float, float, float, float]:
    """(E*[V], E*[X], log Z, KL, error bound of E*[V], error bound of KL) for a Dependent model."""
    Vd = dep.V
    cond = _Conditional(dep, lam, clock)
    with np.errstate(all="ignore"):
        probes = np.asarray(Vd.ppf([0.01, 0.5, 0.99]), dtype=float)
    for v in probes[np.isfinite(probes)]:
        cond.check_tail(cond.law(float(v)), float(v))

    def base(y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=float)
        flat = y.ravel()
        cond.fill(flat)
        lm = np.array([cond.at(float(v))[0] for v in flat]).reshape(y.shape)
        with np.errstate(all="ignore"):
            return np.asarray(Vd.logpdf(y), dtype=float) + lm

    # Z = ∫ exp(base(v) + lam v) dv is finite iff base decays faster than e^{-lam v}: classify the
    # tail of base like a log-density (the error may cancel V's tail: X = -V gives U = 0)
    cls = tail_class(_LogDensity(base, Vd), 1)
    if cls.kind == "heavy":
        raise HeavyTailError(
            "V: under this Dependent model f_V(v) M_X|v(lam) decays only polynomially in v (U = V + X is "
            "heavy-tailed): the normaliser E[exp(U/beta)] diverges at every beta > 0 and no KL-penalised "
            "optimum exists (catastrophic Goodhart, Theorem 1; see kl_construction)")
    raise_if_divergent(_LogDensity(base, Vd), lam, "U", cls)

    grid = _tilt_grid(Vd, 40, 20)  # each probe costs a conditional-law call
    # E*[X] = ∫ w(v) E*[X | v] dv / ∫ w(v) dv with the same weights w = f_V e^{lam v} M_X|v(lam):
    # integrated over the same pieces as the mass
    def magnitude(v: float) -> float:  # log f_V and log M_X|v can cancel in base
        with np.errstate(all="ignore"):
            return abs(float(Vd.logpdf(v))) + abs(cond.at(float(v))[0])

    li = log_integrate(base, grid, lam=lam, support=support(Vd), max_points=4, clock=clock,
                       weight=lambda v: cond.at(float(v))[1], magnitude=magnitude)
    logz, ex, ex_err = li.log_mass, li.wmean, li.wmean_err
    # KL = lam (E*V + E*X) - log Z with log Z = base(y*) + lam y* + log i0
    kl = li.kl(lam) + lam * ex
    return li.mean, ex, logz, kl, li.err, li.kl_err(lam) + lam * ex_err


def kl_optimum(V, X=None, *, beta) -> KLOptimum:
    r"""Theorem 4's KL-penalised optimum over a continuous base law of (V, X), U = V + X.

    pi*_beta = argmax_pi E_pi[U] - beta KL(pi || pi0) is the exponential tilt

    .. math::
        \frac{d\pi^*_\beta}{d\pi_0}(v, x) = \frac{e^{(v+x)/\beta}}{Z(\beta)}, \quad
        Z(\beta) = E_{\pi_0}[e^{U/\beta}], \quad
        KL(\pi^*_\beta\|\pi_0) = E^*[U]/\beta - \log Z(\beta).

    Independent V, X: the tilt factorises, Z = M_V(1/beta) M_X(1/beta), and each factor and
    tilted mean is one integral of exp(logpdf(y) + y/beta) computed in log space around its peak
    (the KL of a factor as lam·(E* - y*) - logpdf(y*) - log ∫ e^{logpdf(y) - logpdf(y*) + lam (y - y*)},
    so no large terms cancel; for lam·sd < 1e-4 from the cumulant series κ2 lam²/2 + κ3 lam³/3 + κ4 lam⁴/8).
    Dependent (``gh.Dependent(V, error)``): Z = ∫ f_V(v) e^{v/beta} M_{X|v}(1/beta) dv and
    E*[X] = ∫ f_V e^{v/beta} M_{X|v} E*[X|v] dv / Z (point masses and normal conditional laws in
    closed form, up to 64 other distinct laws by an inner quadrature).  Normal V ~ N(0, s_V²),
    X ~ N(0, s_X²): tilted V ~ N(s_V²/beta, s_V²), KL = (s_V² + s_X²)/(2 beta²) (proofs.goodhart_kl).
    Theorem 4: with light-tailed independent X, E*[V] -> inf as beta -> 0.

    Parameters
    ----------
    V : frozen continuous distribution, or :class:`goodhart.Dependent` (then X must be None)
        The true utility under the base policy pi0.
    X : frozen continuous distribution
        The independent error.
    beta : float or 1-D array, > 0
        The KL penalty coefficient(s).

    Returns
    -------
    KLOptimum
        E[V], E[X], E[U], KL and log Z under pi*_beta (floats, or arrays over ``beta``), with
        quadrature error bounds ``stderr`` (on E[V]) and ``kl_err``.

    Raises
    ------
    HeavyTailError
        V or X (hence U) is heavy-tailed: Z = inf at every beta (catastrophic Goodhart); the tail
        classification is :func:`mgf_diverges`'.
    ValueError
        beta <= 0; an exponential tail with rate <= 1/beta (MGF infinite: choose a larger beta);
        a beta so small that log Z or the tilted mean leaves double precision (mass beyond 1e300);
        a Dependent error callable returning invalid laws (named ``error``); a law whose functions
        are too slow to integrate within 30 s per beta (scipy's levy_stable).
    TypeError
        A base law without a density (discrete law, point mass) where a density is needed, or an
        error callable that fails (named ``error``).

    Examples
    --------
    Light-tailed (normal) error: E*[V] = s_V²/beta grows without bound as beta -> 0 (Theorem 4):

    >>> from scipy import stats
    >>> r = kl_optimum(stats.norm(), stats.norm(), beta=[0.5, 1.0, 2.0])
    >>> r.mean_V.round(10), r.kl.round(10)
    (array([2. , 1. , 0.5]), array([4.  , 1.  , 0.25]))

    Heavy-tailed error: no optimum exists at any beta (catastrophic Goodhart):

    >>> kl_optimum(stats.norm(), stats.t(3), beta=1.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    goodhart._kl_mgf.HeavyTailError: X: the law t(3,) is heavy-tailed: ...
    """
    betas, scalar = as_1d("beta", beta)
    if np.any(betas <= 0):
        raise ValueError(f"beta: must be > 0, got {betas[betas <= 0][0]!r}")
    if isinstance(V, Dependent):
        if X is not None:
            raise TypeError("X: must be None when V is a Dependent model (the error law is inside it)")
        dep = V
    else:
        check_distribution("V", V)
        check_distribution("X", X)
        dep = None
    classes = None if dep is not None else (tail_class(V, 1), tail_class(X, 1))
    n = betas.size
    res = {k: np.empty(n) for k in ("V", "X", "kl", "logz", "err", "klerr")}
    for i, b in enumerate(betas):
        clock = Clock()  # the work limit holds for each beta
        with np.errstate(over="ignore"):
            lam = 1.0 / b
        if not math.isfinite(lam):
            raise ValueError(f"beta: must be >= 5.6e-309 (1/beta overflows), got {b!r}")
        name = "V"
        try:
            if dep is None:
                raise_if_divergent(V, lam, "V", classes[0])
                raise_if_divergent(X, lam, "X", classes[1])
                lv, klv, ekv = _tilt(V, lam, clock)
                name = "X"
                lx, klx, ekx = _tilt(X, lam, clock)
                ev, ex, logz, kl, err = lv.mean, lx.mean, lv.log_mass + lx.log_mass, klv + klx, lv.err
                klerr = ekv + ekx
            else:
                name = "error"
                ev, ex, logz, kl, err, klerr = _dependent(dep, lam, clock)
        except QuadratureFailure as exc:
            raise _refusal(exc, name, b) from None
        vals = (ev, ex, logz, kl, err, klerr, ev + ex)
        if not all(math.isfinite(v) for v in vals):
            raise ValueError(f"beta: at beta = {b:.6g} log E[exp(U/beta)] = {logz!r} or the tilted means "
                             f"({ev!r}, {ex!r}) leave the double-precision range; choose a larger beta")
        res["V"][i], res["X"][i], res["logz"][i], res["kl"][i], res["err"][i] = ev, ex, logz, kl, err
        res["klerr"][i] = klerr
    mv = out(res["V"], scalar)
    return KLOptimum(
        beta=out(betas, scalar), mean_V=mv, mean_X=out(res["X"], scalar),
        mean_U=out(res["V"] + res["X"], scalar), kl=out(np.maximum(res["kl"], 0.0), scalar),
        log_normaliser=out(res["logz"], scalar), value=mv, stderr=out(res["err"], scalar),
        kl_err=out(res["klerr"], scalar),
    )
