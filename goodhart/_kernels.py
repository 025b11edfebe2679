"""Numba kernels of goodhart (private).

Deterministic and thread-count independent: work is split into chunks whose boundaries depend
only on the problem size, each chunk seeds numba's generator from its own seed at its start
(``chunk_seeds`` in tailpower._common) and draws only inside the chunk.  Outputs go to ``out=``
arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def sample_piecewise_exp(x, g, cum, seeds, chunk, out):
    """Draw ``out.size`` values from the density ∝ exp(l(v)), l piecewise linear through (x_j, g_j).

    ``cum`` holds the normalised cumulative masses of the pieces [x_j, x_{j+1}].  A piece is chosen
    by inverse CDF on ``cum``; inside it v = inverse CDF of the truncated exponential density with
    slope (g_{j+1} - g_j)/(x_{j+1} - x_j), written so that neither branch overflows.
    """
    n = out.size
    n_chunks = seeds.size
    m = cum.size
    for c in prange(n_chunks):
        np.random.seed(seeds[c])
        start = c * chunk
        stop = min(n, start + chunk)
        for i in range(start, stop):
            u = np.random.random()
            j = np.searchsorted(cum, u, side="right")
            if j >= m:
                j = m - 1
            a = x[j]
            h = x[j + 1] - a
            d = g[j + 1] - g[j]
            w = np.random.random()
            if abs(d) < 1e-10:
                v = a + w * h
            elif d > 0:
                # mass concentrated at the right end: v = b + h*log(w + (1-w) e^{-d})/d
                v = a + h + h * math.log(w + (1.0 - w) * math.exp(-d)) / d
            else:
                v = a + h * math.log1p(w * math.expm1(d)) / d
            if v < a:
                v = a
            elif v > a + h:
                v = a + h
            out[i] = v


@njit(cache=True)
def accept_sums(v, u, ts, acc, s1, s2):
    """For each threshold t_k, add the count, sum and sum of squares of v over u >= t_k."""
    for i in range(v.size):
        ui = u[i]
        vi = v[i]
        for k in range(ts.size):
            if ui >= ts[k]:
                acc[k] += 1
                s1[k] += vi
                s2[k] += vi * vi


@njit(cache=True)
def select_argmax(v, x, out_v, out_x):
    """Row r of the (trials, n) arrays: out_v[r], out_x[r] = v, x at the argmax of v + x.  Serial:
    each call sees at most 65,536 pairs (memory-bound), where starting threads cost more than it
    saves (13 ms a call on a busy machine)."""
    for r in range(v.shape[0]):
        best = -np.inf
        bi = 0
        for j in range(v.shape[1]):
            u = v[r, j] + x[r, j]
            if u > best:
                best = u
                bi = j
        out_v[r] = v[r, bi]
        out_x[r] = x[r, bi]


def warmup() -> None:
    """Compile (or load from the cache) every kernel once."""
    x = np.array([0.0, 1.0, 2.0])
    g = np.array([0.0, -1.0, -0.5])
    cum = np.array([0.5, 1.0])
    out = np.empty(4)
    sample_piecewise_exp(x, g, cum, np.array([1, 2], dtype=np.int64), 2, out)
    acc = np.zeros(1, dtype=np.int64)
    s = np.zeros(1)
    accept_sums(out, out, np.array([0.5]), acc, s, s.copy())
    vv = np.zeros((2, 3))
    select_argmax(vv, vv, np.empty(2), np.empty(2))
