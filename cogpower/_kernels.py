"""Numba kernels of the independent-steps model (private).

All kernels are deterministic given their ``seeds``: the tasks are cut into chunks of
``CHUNK`` consecutive tasks (boundaries depend only on the number of tasks), chunk ``c`` seeds
numba's generator with ``seeds[c]`` at its start inside the ``prange`` body and draws only for its
own tasks. The output is therefore bit-identical at any ``NUMBA_NUM_THREADS``.

Sums are streamed: each task keeps one running float64 sum, so memory is O(tasks) whatever ``n``.

Sampling of one subtask time (survival convention P(T > t) = t^-a, t >= 1):

- direct: the fastest of k approaches has P(min > t) = t^-(k a), so T = U^(-1/beta) with
  beta = k a and U = 1 - random() in (0, 1] (never 0). U >= 2^-53, so the largest value drawn is
  2^(53/beta): the tail beyond it (probability 2^-53 per draw) is cut, and for beta < 53/1024
  (about 0.052) a draw can exceed the float64 range and the sum becomes +inf -- the true value is
  then indeed larger than any float.
- naive: draws the k approach times T_j = U_j^(-1/a) and keeps the minimum (integer k only).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

CHUNK = 256  # tasks per chunk; fixed so that results do not depend on the thread count


def n_chunks(tasks: int) -> int:
    return (tasks + CHUNK - 1) // CHUNK


@njit(cache=True, parallel=True)
def direct_sums(n, beta, seeds, out):
    """out[t] = sum_{i<n} U_i^(-1/beta) for every task t (one uniform per subtask)."""
    tasks = out.shape[0]
    inv = 1.0 / beta
    nch = (tasks + CHUNK - 1) // CHUNK
    for c in prange(nch):
        np.random.seed(seeds[c])
        lo = c * CHUNK
        hi = min(lo + CHUNK, tasks)
        for t in range(lo, hi):
            s = 0.0
            for _ in range(n):
                u = 1.0 - np.random.random()
                s += math.exp(-inv * math.log(u))
            out[t] = s
    return out


@njit(cache=True, parallel=True)
def direct_checkpoints(checkpoints, beta, seeds, out):
    """out[j, t] = partial sum of task t after checkpoints[j] subtasks (checkpoints increasing).

    One pass to checkpoints[-1]; memory O(len(checkpoints) * tasks).
    """
    tasks = out.shape[1]
    ncp = checkpoints.shape[0]
    inv = 1.0 / beta
    nch = (tasks + CHUNK - 1) // CHUNK
    for c in prange(nch):
        np.random.seed(seeds[c])
        lo = c * CHUNK
        hi = min(lo + CHUNK, tasks)
        for t in range(lo, hi):
            s = 0.0
            done = 0
            for j in range(ncp):
                for _ in range(checkpoints[j] - done):
                    u = 1.0 - np.random.random()
                    s += math.exp(-inv * math.log(u))
                done = checkpoints[j]
                out[j, t] = s
    return out


@njit(cache=True, parallel=True)
def naive_sums(n, k, a, seeds, out):
    """out[t] = sum over n subtasks of min_{j<k} U_j^(-1/a) (all k approaches drawn)."""
    tasks = out.shape[0]
    inv = 1.0 / a
    nch = (tasks + CHUNK - 1) // CHUNK
    for c in prange(nch):
        np.random.seed(seeds[c])
        lo = c * CHUNK
        hi = min(lo + CHUNK, tasks)
        for t in range(lo, hi):
            s = 0.0
            for _ in range(n):
                best = np.inf
                for _j in range(k):
                    u = 1.0 - np.random.random()
                    x = math.exp(-inv * math.log(u))
                    if x < best:
                        best = x
                s += best
            out[t] = s
    return out


def warmup() -> None:
    """Compile (or load from the on-disk cache) every kernel once."""
    seeds = np.arange(1, 3, dtype=np.int64)
    direct_sums(2, 1.5, seeds, np.empty(3))
    direct_checkpoints(np.array([1, 3], dtype=np.int64), 1.5, seeds, np.empty((2, 3)))
    naive_sums(2, 2, 1.5, seeds, np.empty(3))
