"""Simulated best-of-N selections (private; ``method="mc"`` of :func:`goodhart.best_of_n`)."""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import chunk_seeds

from . import _kernels

_DRAW_CHUNK = 1 << 16


def _mc_select(V, X, n: int, trials: int, gen) -> tuple[np.ndarray, np.ndarray]:
    """``trials`` best-of-n selections (V and X at the argmax of V + X in each).

    Trials are drawn in batches of ``_DRAW_CHUNK // n`` (one scipy call per law and batch, each
    batch from its own seed, so results depend only on (n, trials, rng)); an n above
    ``_DRAW_CHUNK`` is drawn per trial in chunks of that size with the running argmax kept, so
    memory does not grow with n.
    """
    out_v = np.empty(trials)
    out_x = np.empty(trials)
    if n > _DRAW_CHUNK:
        seeds = chunk_seeds(gen, trials)
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
    starts = list(range(0, trials, per))
    seeds = chunk_seeds(gen, len(starts))
    for b, start in enumerate(starts):
        stop = min(trials, start + per)
        cg = np.random.default_rng(int(seeds[b]))
        vb = np.asarray(V.rvs(size=(stop - start, n), random_state=cg), float).reshape(stop - start, n)
        xb = np.asarray(X.rvs(size=(stop - start, n), random_state=cg), float).reshape(stop - start, n)
        _kernels.select_argmax(vb, xb, out_v[start:stop], out_x[start:stop])
    return out_v, out_x
