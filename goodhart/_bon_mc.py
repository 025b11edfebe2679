"""Simulated best-of-N selections (private; ``method="mc"`` of :func:`goodhart.best_of_n`)."""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import chunk_seeds

from . import _kernels

_DRAW_CHUNK = 1 << 16


def _mc_select(V, X, n: int, trials: int, gen) -> tuple[np.ndarray, np.ndarray]:
    """``trials`` best-of-n selections; trial k draws from its own seed (thread-count independent).

    Up to ``_DRAW_CHUNK`` draws per trial are made at once (V then X); a larger n is drawn in
    chunks of that size with the running argmax kept, so memory does not grow with n.
    """
    seeds = chunk_seeds(gen, trials)
    out_v = np.empty(trials)
    out_x = np.empty(trials)
    if n > _DRAW_CHUNK:
        for k in range(trials):
            cg = np.random.default_rng(int(seeds[k]))
            best, bv, bx = -math.inf, math.nan, math.nan
            for start in range(0, n, _DRAW_CHUNK):
                size = min(_DRAW_CHUNK, n - start)
                vb = np.asarray(V.rvs(size=size, random_state=cg), float).reshape(1, size)
                xb = np.asarray(X.rvs(size=size, random_state=cg), float).reshape(1, size)
                ov, ox = np.empty(1), np.empty(1)
                _kernels.select_argmax(vb, xb, ov, ox)
                with np.errstate(over="ignore", invalid="ignore"):
                    uu = ov[0] + ox[0]
                if uu > best or math.isnan(bv):
                    best, bv, bx = uu, ov[0], ox[0]
            out_v[k], out_x[k] = bv, bx
        return out_v, out_x
    per = max(1, min(trials, _DRAW_CHUNK // max(n, 1)))  # trials per batch, memory-bounded
    for start in range(0, trials, per):
        stop = min(trials, start + per)
        vb = np.empty((stop - start, n))
        xb = np.empty((stop - start, n))
        for k in range(start, stop):
            cg = np.random.default_rng(int(seeds[k]))
            vb[k - start] = V.rvs(size=n, random_state=cg)
            xb[k - start] = X.rvs(size=n, random_state=cg)
        _kernels.select_argmax(vb, xb, out_v[start:stop], out_x[start:stop])
    return out_v, out_x
