"""Theorem 4's KL-penalised optimum pi*_beta ∝ pi0 exp(U/beta) by quadrature in log space
(Kwa, Thomas & Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503, Theorem 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._kl_mgf import _raise_divergence, mgf_diverges
from ._kl_quad import _as_1d, _log_integrate, _out, _scale
from .model import Dependent, PointMass, check_distribution


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

