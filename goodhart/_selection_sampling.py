"""Samplers of the selection problem (private): the tilted law of V given V + X >= t, the error X
given X >= t - V, and the rejection baseline.

The tilted law ∝ f_V(v) P(X >= t - v | V = v) (Kwa & Thomas 2023, Appendix) is sampled without
rejection by inverse CDF of the piecewise log-linear interpolation of its density through the
quadrature nodes (:func:`goodhart._selection_quad.integrate`); the end pieces carry their exact
masses.  Work is cut into chunks whose seeds are drawn from the caller's generator, so the output
is bit-identical for a seed at any thread count, and streamed so that memory does not grow with
the number of draws when only moments are needed.
"""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import chunk_seeds

from . import _kernels
from ._selection_logs import log_function
from ._selection_quad import Integral, loglin_mass
from .model import Dependent, PointMass

_CHUNK = 1 << 14          # draws per seed
_STREAM = 64              # chunks per streamed block (1M draws, 8 MiB)


def sampling_table(res: Integral):
    """Knots, log density at the knots and cumulative masses of the pieces between them."""
    x, g = res.knots, res.gknots
    extra_x, extra_g = [], []
    for a, b, _, inner in res.atoms:
        outer = a if inner == b else b
        j = int(np.searchsorted(x, inner))
        gi = g[j] if j < x.size and x[j] == inner else -np.inf
        extra_x.append(outer)
        extra_g.append(gi)
    if extra_x:
        x = np.concatenate([x, extra_x])
        g = np.concatenate([g, extra_g])
        order = np.argsort(x, kind="stable")
        x, g = x[order], g[order]
    lm = loglin_mass(x[:-1], x[1:], g[:-1], g[1:])
    for a, b, lm_atom, _ in res.atoms:
        j = int(np.searchsorted(x, a))
        if j + 1 < x.size and x[j] == a and x[j + 1] == b:
            lm[j] = lm_atom
    top = np.max(lm)
    m = np.exp(lm - top) if np.isfinite(top) else np.ones(lm.size)
    cum = np.cumsum(m)
    cum /= cum[-1]
    gg = np.where(np.isfinite(g), g, -745.0)
    return x, gg, cum


def tilted_draws(res: Integral, n: int, gen: np.random.Generator) -> np.ndarray:
    """``n`` draws of V from the tilted law (``n`` must fit the memory budget: checked by callers)."""
    x, g, cum = sampling_table(res)
    seeds = chunk_seeds(gen, -(-n // _CHUNK))
    out = np.empty(n)
    _kernels.sample_piecewise_exp(x, g, cum, seeds, _CHUNK, out)
    return out


def tilted_moments(res: Integral, n: int, gen: np.random.Generator) -> tuple[float, float]:
    """Mean and standard error of ``n`` tilted draws, streamed in blocks (the same draws as
    :func:`tilted_draws` with the same generator)."""
    x, g, cum = sampling_table(res)
    n_chunks = -(-n // _CHUNK)
    seeds = chunk_seeds(gen, n_chunks)
    shift = res.mean
    s1 = s2 = 0.0
    for c0 in range(0, n_chunks, _STREAM):
        c1 = min(n_chunks, c0 + _STREAM)
        size = min(n, c1 * _CHUNK) - c0 * _CHUNK
        out = np.empty(size)
        _kernels.sample_piecewise_exp(x, g, cum, seeds[c0:c1], _CHUNK, out)
        d = out - shift
        s1 += float(np.sum(d))
        s2 += float(np.sum(d * d))
    mean = s1 / n
    var = max(s2 - n * mean * mean, 0.0) / (n - 1)
    return shift + mean, math.sqrt(var / n)


def rejection_sums(V, X, ts: np.ndarray, n: int, gen: np.random.Generator):
    """Draw n pairs (V, X) in fixed-size chunks, each from its own seed; sums over V + X >= t."""
    n_chunks = -(-n // _CHUNK)
    seeds = chunk_seeds(gen, n_chunks)
    acc = np.zeros(ts.size, dtype=np.int64)
    s1 = np.zeros(ts.size)
    s2 = np.zeros(ts.size)
    for k in range(n_chunks):
        size = min(_CHUNK, n - k * _CHUNK)
        cg = np.random.default_rng(int(seeds[k]))
        v = np.asarray(V.rvs(size=size, random_state=cg), dtype=float).ravel()
        x = np.asarray(X.rvs(size=size, random_state=cg), dtype=float).ravel()
        if v.shape != (size,) or x.shape != (size,):
            raise TypeError(f"{'V' if v.shape != (size,) else 'X'}: rvs(size={size}) returned the wrong shape")
        with np.errstate(over="ignore", invalid="ignore"):
            u = v + x
        _kernels.accept_sums(v, u, ts, acc, s1, s2)
    return acc, s1, s2


def error_given(law, a: np.ndarray, u: np.ndarray, sub=None) -> np.ndarray:
    """X | X >= a by inverse survival function: P(X >= x) = u P(X >= a), computed in log space.

    q = log u + log F̄(a); if q < log 1/2 the upper side isf(e^q) is used (by bisection on logsf when
    e^q underflows: geometric while the bracket spans orders of magnitude, then arithmetic, at most
    a few hundred passes over the draws still unresolved), otherwise ppf(-expm1(q)).  ``law`` is
    one law for every draw, or a batch law with one parameter set per draw; then ``sub(mask)`` must
    return the batch law restricted to the draws selected by ``mask``.
    """
    a = np.asarray(a, float)
    if isinstance(law, PointMass):
        return np.full(a.shape, law.value)
    if sub is None:
        def sub(mask):
            return law
    logsf = log_function(law, "logsf")  # exact where scipy's is log(sf) (Laplace, Gumbel)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        q = np.log(u) + np.asarray(logsf(a), dtype=float)
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
            idx = np.flatnonzero(deep)
            dl = sub(deep)
            out[idx] = _deep_isf(log_function(dl, "logsf"), a[idx], q[idx])
        out = np.where(np.isnan(out), a, out)
    return np.maximum(out, a)


def _deep_isf(logsf, a: np.ndarray, q: np.ndarray) -> np.ndarray:
    """x >= a with logsf(x) = q (q below log of the smallest double), by bracketing and bisection."""
    lo = a.copy()
    step = np.maximum(1.0, np.abs(lo))
    hi = lo + step
    for _ in range(1100):  # doubling reaches 1e308 from 1 in 1024 steps
        with np.errstate(all="ignore"):
            bad = np.asarray(logsf(hi), float) > q
        if not np.any(bad):
            break
        lo = np.where(bad, hi, lo)
        step = np.where(bad, 2 * step, step)
        with np.errstate(over="ignore"):
            hi = np.where(bad, lo + step, hi)
    for _ in range(400):
        geo = (lo > 0) & (hi > 4 * lo)
        with np.errstate(all="ignore"):
            m = np.where(geo, np.sqrt(lo) * np.sqrt(hi), 0.5 * (lo + hi))
            m = np.where(np.isfinite(m), m, 0.5 * lo + 0.5 * hi)
            above = np.asarray(logsf(m), float) > q
        lo = np.where(above, m, lo)
        hi = np.where(above, hi, m)
        if np.all(hi - lo <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(hi))):
            break
    return 0.5 * lo + 0.5 * hi


def error_given_batch(dep: Dependent, a: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """X | X >= a for ``Dependent(..., vectorized=True)``: one ``error(v)`` call for all draws,
    then :func:`error_given` on the batch law (each branch on its own draws' parameters)."""
    law = dep.error_array(v)
    return error_given(law, a, u, sub=lambda mask: Dependent._element(law, np.nonzero(mask)[0], a.size))
