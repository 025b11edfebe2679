"""A general approach-time law (any scipy frozen continuous law on [1, inf)): the mean and the
simulation of the fastest of k approaches, whose survival function is sf(t)^k (private)."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import integrate

#: most law evaluations one simulation may take (scipy ppf/isf: about an hour at worst)
MAX_LAW_DRAWS = 2**33
_BLOCK = 1 << 20  # draws per vectorised block


def _law_call(what: str, fn, *args):
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    except Exception as exc:  # the user's law failed: report it as a bad argument
        raise ValueError(f"time: the law's {what} raised {type(exc).__name__}: {exc}") from exc


def lower_end(d) -> float:
    """Lower end of the law's support (NaN-safe: a broken law gives nan, refused by the caller)."""
    lo = _law_call("support()", d.support)[0]
    try:
        return float(lo)
    except (TypeError, ValueError):
        return math.nan


def mean_of_min(d, k: float) -> float:
    """E[min of k draws] = lo + int_lo^inf sf(t)^k dt (see IndependentSteps.mean_subtask_time)."""
    lo = lower_end(d)

    def g(w):  # log sf^k at t = lo + e^w
        return k * float(_law_call("logsf", d.logsf, lo + math.exp(w)))

    # far-tail slope; some scipy laws compute logsf as log(sf) and underflow to -inf early, so
    # step back to the farthest pair of points where logsf is finite
    w2, slope, g2 = 700.0, -math.inf, -math.inf
    while w2 > 10:
        g1, g2 = g(w2 / 2), g(w2)
        if math.isnan(g1) or math.isnan(g2):
            raise ValueError(f"time: the law's logsf is nan at t = {lo + math.exp(w2 / 2):.6g}")
        if math.isfinite(g1) and math.isfinite(g2):
            slope = (g2 - g1) / (w2 / 2)
            break
        w2 /= 2
    if slope >= -1.0:
        return math.inf

    def f(w):
        v = w + g(w)
        return math.exp(v) if v < 709.0 else math.inf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        edges = [e for e in (-50.0, 0.0, 10.0, 100.0) if e < w2] + [w2]
        val = sum(integrate.quad(f, p, q, limit=400)[0] for p, q in zip(edges[:-1], edges[1:]))
    if math.isfinite(g2):  # power-law tail beyond e^w2 with the local slope: T sf^k(T)/(-slope-1)
        val += math.exp(min(w2 + g2, 709.0)) / (-slope - 1.0)
    if math.isnan(val):
        raise ValueError("time: the mean of the fastest approach could not be integrated (nan)")
    return lo + val


_LOG_DEEP = -690.0  # log(1e-300)


def _isf_log(d, logp: np.ndarray) -> np.ndarray:
    """T with log sf(T) = logp for logp < log(1e-300), where isf(exp(logp)) would see 0: bisection
    on log T against the law's logsf (a few hundred vectorised evaluations at most). T beyond the
    float range is +inf (the true time is larger than any float); a law whose logsf underflows
    before reaching logp cannot place the draw and is refused naming ``time``."""
    t0 = float(_law_call("isf", d.isf, math.exp(_LOG_DEEP)))
    lo = np.full(logp.shape, math.log(t0)) if t0 > 0 and math.isfinite(t0) else None
    if lo is None:
        raise ValueError("time: the law's isf at 1e-300 is not a positive finite number")
    top = math.log(np.finfo(float).max)
    hi = np.full(logp.shape, top)
    at_top = _law_call("logsf", d.logsf, math.exp(top))
    if not np.isfinite(at_top) and at_top != -np.inf:
        raise ValueError("time: the law's logsf is nan in its far tail")
    beyond = at_top > logp  # sf at the largest double is still above p: T is beyond the float range
    for _ in range(200):  # bisection on [log T_lo, log DBL_MAX]: 200 halvings reach the last bit
        mid = 0.5 * (lo + hi)
        v = np.asarray(_law_call("logsf", d.logsf, np.exp(mid)), dtype=float)
        if np.isnan(v).any():
            raise ValueError("time: the law's logsf returned nan in its far tail")
        below = v < logp  # sf(mid) already below p: T <= mid
        hi = np.where(below, mid, hi)
        lo = np.where(below, lo, mid)
        if np.all(hi - lo <= 4 * np.finfo(float).eps * np.abs(hi)):
            break
    # a logsf that underflows to -inf (scipy computes some as log(sf)) gives no information there
    v_lo = np.asarray(_law_call("logsf", d.logsf, np.exp(lo)), dtype=float)
    lossy = ~beyond & (v_lo - logp > 1.0 + 1e-6 * np.abs(logp))  # relative: T itself is rounded
    if lossy.any():
        raise ValueError("time: the fastest approach's survival function falls below 1e-300 (k small), where "
                         "scipy's logsf for this law underflows; use a law with an exact log tail or a larger power")
    out = np.exp(hi)
    out[beyond] = np.inf
    return out


def block_bytes(tasks: int) -> float:
    """Peak bytes of the temporaries of one block (about 6 arrays of a block's draws) plus the
    running sums."""
    return 8.0 * (6 * min(_BLOCK, max(tasks, 1)) + tasks)


def simulate_path(d, k: float, cps: np.ndarray, tasks: int, gen: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """out[j] = partial sums after cps[j] subtasks; T = F^-1 of the minimum's law, sf(T) = U^(1/k).

    Rows of 2^20/tasks subtasks at a time (the stream of gen.random is consumed row by row, so the
    result does not depend on the block size); rows longer than 2^20 are cut into pieces.
    """
    rows = max(1, _BLOCK // tasks)
    cols = min(tasks, _BLOCK)
    s = np.zeros(tasks)
    done = 0
    for j, c in enumerate(cps):
        while done < c:
            b = int(min(rows, c - done))
            for c0 in range(0, tasks, cols):
                c1 = min(c0 + cols, tasks)
                logp = np.log1p(-gen.random((b, c1 - c0))) / k  # log sf(T) = log(U)/k, U in (0, 1]
                p = np.exp(logp)
                x = _law_call("ppf/isf", lambda: np.where(p > 0.5, d.ppf(-np.expm1(logp)), d.isf(p)))
                if np.isnan(x).any():
                    raise ValueError("time: the law's ppf/isf returned nan for probabilities in (0, 1]")
                deep = logp < _LOG_DEEP  # sf(T) below 1e-300: isf of an underflowed p would be inf
                if deep.any():
                    x[deep] = _isf_log(d, logp[deep])
                s[c0:c1] += x.sum(axis=0)
            done += b
        out[j] = s
    return out
