"""Simulated best-of-N with a dependent error (private; ``method="mc"`` of
:func:`goodhart.best_of_n` with a :class:`~goodhart.Dependent` model).

Each trial draws n values of V, then X | V = v from the model's error law (one ``error`` call per
draw in scalar mode, each distinct law object then drawing all its values at once; one call per
chunk in vectorised mode), and keeps V, X at the argmax of U = V + X.  Draws go in chunks of at most
``_DRAW_CHUNK`` pairs, each from its own seed, with the running argmax kept, so memory does not grow
with n and results depend only on (n, trials, rng).
"""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import chunk_seeds

from . import _kernels
from .model import PointMass

_DRAW_CHUNK = 1 << 16
MAX_DRAWS_VECTORIZED = 2 * 10**7     # trials x (sum of n): scipy draws, about 10-40 s
MAX_DRAWS_SCALAR = 2 * 10**6         # one Python call of error per draw (1-5 us for fixed law objects)


def _errors(dep, v: np.ndarray, gen) -> np.ndarray:
    """X | V = v for a flat array v."""
    if dep.vectorized:
        law = dep.error_array(v)
        try:
            x = np.asarray(law.rvs(size=v.size, random_state=gen), float).reshape(v.size)
        except Exception as exc:
            raise ValueError(f"error: drawing from the law returned by error(v) failed: "
                             f"{type(exc).__name__}: {exc}") from exc
        return x
    x = np.empty(v.size)
    groups: dict = {}
    for i, vi in enumerate(v.tolist()):
        law = dep.error_at(vi)
        g = groups.get(id(law))
        if g is None:
            groups[id(law)] = (law, [i])
        else:
            g[1].append(i)
    for law, idx in groups.values():
        ix = np.array(idx)
        if isinstance(law, PointMass):
            x[ix] = law.value
            continue
        try:
            x[ix] = np.asarray(law.rvs(size=ix.size, random_state=gen), float).reshape(ix.size)
        except Exception as exc:
            raise ValueError(f"error: drawing from a law returned by error failed: "
                             f"{type(exc).__name__}: {exc}") from exc
    return x


def mc_select(dep, n: int, trials: int, gen) -> tuple[np.ndarray, np.ndarray]:
    """``trials`` best-of-n selections: V and X at the argmax of V + X in each."""
    V = dep.V
    out_v = np.empty(trials)
    out_x = np.empty(trials)
    if n > _DRAW_CHUNK:
        seeds = chunk_seeds(gen, trials)
        for k in range(trials):
            cg = np.random.default_rng(int(seeds[k]))
            best, bv, bx = -math.inf, math.nan, math.nan
            for start in range(0, n, _DRAW_CHUNK):
                size = min(_DRAW_CHUNK, n - start)
                vb = np.asarray(V.rvs(size=size, random_state=cg), float).reshape(size)
                xb = _errors(dep, vb, cg)
                ov, ox = np.empty(1), np.empty(1)
                _kernels.select_argmax(vb.reshape(1, size), xb.reshape(1, size), ov, ox)
                uu = ov[0] + ox[0]
                if uu > best or math.isnan(bv):
                    best, bv, bx = uu, ov[0], ox[0]
            out_v[k], out_x[k] = bv, bx
        return out_v, out_x
    per = max(1, min(trials, _DRAW_CHUNK // max(n, 1)))
    starts = list(range(0, trials, per))
    seeds = chunk_seeds(gen, len(starts))
    for b, start in enumerate(starts):
        stop = min(trials, start + per)
        cg = np.random.default_rng(int(seeds[b]))
        m = (stop - start) * n
        vb = np.asarray(V.rvs(size=m, random_state=cg), float).reshape(m)
        xb = _errors(dep, vb, cg)
        _kernels.select_argmax(vb.reshape(stop - start, n), xb.reshape(stop - start, n),
                               out_v[start:stop], out_x[start:stop])
    return out_v, out_x
