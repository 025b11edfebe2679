"""Numba kernels of the independent-steps model (private).

All kernels are deterministic given their ``seeds``: the tasks are cut into chunks of
``CHUNK`` consecutive tasks (boundaries depend only on the number of tasks), chunk ``c`` starts its
own xoshiro256+ generator from ``seeds[c]`` (state filled by splitmix64, Vigna's recommended seeding)
inside the ``prange`` body and draws only for its own tasks. The output is therefore bit-identical at
any ``NUMBA_NUM_THREADS``. The generator is inline (four uint64 words in registers) instead of numba's
Mersenne Twister ``np.random.random``: measured speed-up in benchmarks/bench_cogpower.py.

Sums are streamed: each task keeps one running float64 sum, so memory is O(tasks) whatever ``n``.
The kernels are resumable: each call advances every chunk by a bounded number of draws and saves
its generator words, so a long simulation is a loop of short compiled calls that Ctrl-C can
interrupt between them, and the output does not depend on how the work was cut.

Sampling of one subtask time (survival convention P(T > t) = t^-a, t >= 1):

- uniforms: U = ((x >> 11) + 1) 2^-53 in (0, 1] (never 0), x the 64-bit xoshiro256+ output, i.e.
  1 - V with V = (x >> 11) 2^-53 uniform on the 2^53-grid of [0, 1).
- direct: the fastest of k approaches has P(min > t) = t^-(k a), so T = U^(-1/beta) with
  beta = k a. U >= 2^-53, so the largest value drawn is 2^(53/beta): the tail beyond it (probability
  2^-53 per draw) is cut, and for beta < 53/1024 (about 0.052) a draw can exceed the float64 range
  and the sum becomes +inf -- the true value is then indeed larger than any float.
- naive: draws the k approach times T_j = U_j^(-1/a) and keeps the minimum (integer k only).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

CHUNK = 256  # tasks per chunk; fixed so that results do not depend on the thread count


def n_chunks(tasks: int) -> int:
    return (tasks + CHUNK - 1) // CHUNK


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_M53 = 2.0**-53


@njit(cache=True, inline="always")
def _splitmix64(x):
    """One splitmix64 step: (new state, output)."""
    x = x + _GOLDEN
    z = x
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return x, z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _seed_state(seed):
    """xoshiro256 state (4 words) from a 63-bit chunk seed via splitmix64."""
    x = np.uint64(seed)
    x, s0 = _splitmix64(x)
    x, s1 = _splitmix64(x)
    x, s2 = _splitmix64(x)
    x, s3 = _splitmix64(x)
    return s0, s1, s2, s3


@njit(cache=True, inline="always")
def _next_uniform(s0, s1, s2, s3):
    """xoshiro256+ step: (U in (0, 1], new state words)."""
    r = s0 + s3
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    u = (float(r >> np.uint64(11)) + 1.0) * _TWO_M53
    return u, s0, s1, s2, s3



@njit(cache=True, parallel=True)
def init_states(seeds, state, pos):
    """state[c] = xoshiro256 words of chunk c; pos[c] = (first task of c, 0, 0)."""
    for c in prange(seeds.shape[0]):
        s0, s1, s2, s3 = _seed_state(seeds[c])
        state[c, 0] = s0
        state[c, 1] = s1
        state[c, 2] = s2
        state[c, 3] = s3
        pos[c, 0] = c * CHUNK
        pos[c, 1] = 0
        pos[c, 2] = 0


@njit(cache=True, parallel=True)
def direct_resume(checkpoints, beta, state, pos, psum, budget, out):
    """Advance every chunk by at most ``budget`` draws: out[j, t] = partial sum of task t after
    checkpoints[j] subtasks (checkpoints increasing), T = U^(-1/beta).

    Each chunk resumes from its saved generator words ``state[c]``, position ``pos[c]`` = (task,
    subtasks drawn for it, next checkpoint index) and running sum ``psum[c]``, so the draws of a
    chunk come in the same order however the work is cut into calls: the output is the same as
    one uninterrupted pass, at any thread count. Returns the number of chunks still unfinished.
    """
    tasks = out.shape[1]
    ncp = checkpoints.shape[0]
    inv = min(1.0 / beta, 1.7e308)  # beta below the normal floats: every draw but U = 1 overflows
    nch = state.shape[0]
    left_chunks = 0
    for c in prange(nch):
        t = pos[c, 0]
        hi = min((c + 1) * CHUNK, tasks)
        if t >= hi:
            continue
        s0, s1, s2, s3 = state[c, 0], state[c, 1], state[c, 2], state[c, 3]
        d = pos[c, 1]
        j = pos[c, 2]
        s = psum[c]
        left = budget
        while t < hi and left > 0:
            m = min(checkpoints[j] - d, left)
            for _ in range(m):
                u, s0, s1, s2, s3 = _next_uniform(s0, s1, s2, s3)
                s += math.exp(-inv * math.log(u))
            d += m
            left -= m
            if d == checkpoints[j]:
                out[j, t] = s
                j += 1
                if j == ncp:
                    t += 1
                    d = 0
                    j = 0
                    s = 0.0
        state[c, 0], state[c, 1], state[c, 2], state[c, 3] = s0, s1, s2, s3
        pos[c, 0] = t
        pos[c, 1] = d
        pos[c, 2] = j
        psum[c] = s
    for c in range(nch):
        if pos[c, 0] < min((c + 1) * CHUNK, tasks):
            left_chunks += 1
    return left_chunks


@njit(cache=True, parallel=True)
def naive_resume(n, k, a, state, pos, psum, budget, out):
    """Advance every chunk by at most ``budget`` subtasks (k draws each) of
    out[t] = sum over n subtasks of min_{j<k} U_j^(-1/a) (all k approaches drawn); resumable like
    :func:`direct_resume`. Returns the number of chunks still unfinished."""
    tasks = out.shape[0]
    inv = min(1.0 / a, 1.7e308)
    nch = state.shape[0]
    for c in prange(nch):
        t = pos[c, 0]
        hi = min((c + 1) * CHUNK, tasks)
        if t >= hi:
            continue
        s0, s1, s2, s3 = state[c, 0], state[c, 1], state[c, 2], state[c, 3]
        d = pos[c, 1]
        s = psum[c]
        left = budget
        while t < hi and left > 0:
            m = min(n - d, left)
            for _ in range(m):
                # min_j U_j^(-1/a) = (max_j U_j)^(-1/a) exactly: u -> exp(-log(u)/a) is monotone in
                # floating point too, so one power per subtask instead of k
                umax = 0.0
                for _j in range(k):
                    u, s0, s1, s2, s3 = _next_uniform(s0, s1, s2, s3)
                    if u > umax:
                        umax = u
                s += math.exp(-inv * math.log(umax))
            d += m
            left -= m
            if d == n:
                out[t] = s
                t += 1
                d = 0
                s = 0.0
        state[c, 0], state[c, 1], state[c, 2], state[c, 3] = s0, s1, s2, s3
        pos[c, 0] = t
        pos[c, 1] = d
        psum[c] = s
    left_chunks = 0
    for c in range(nch):
        if pos[c, 0] < min((c + 1) * CHUNK, tasks):
            left_chunks += 1
    return left_chunks


def new_state(seeds: np.ndarray):
    """(state, pos, psum) for the resumable kernels, one row per chunk."""
    nch = seeds.shape[0]
    state = np.empty((nch, 4), dtype=np.uint64)
    pos = np.empty((nch, 3), dtype=np.int64)
    init_states(seeds, state, pos)
    return state, pos, np.zeros(nch)


def warmup() -> None:
    """Compile (or load from the on-disk cache) every kernel once."""
    seeds = np.arange(1, 3, dtype=np.int64)
    direct_resume(np.array([1, 3], dtype=np.int64), 1.5, *new_state(seeds), 2, np.empty((2, 3)))
    naive_resume(2, 2, 1.5, *new_state(seeds), 2, np.empty(3))
    from . import _laplace

    _laplace.warmup()
