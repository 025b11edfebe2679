"""Numba kernels of the independent-steps model (private).

Streams of random numbers. The tasks are cut into chunks of ``CHUNK`` consecutive tasks (boundaries
depend only on the number of tasks). Chunk ``c`` owns ``LANES`` = 16 xoshiro256+ generators (Blackman
& Vigna 2021, "Scrambled linear pseudorandom number generators", ACM TOMS 47(4)), whose 4 x 16 state
words are the successive outputs of splitmix64 started at ``seeds[c]`` (the seeding those authors
recommend). The chunk's subtasks, counted task after task and subtask after subtask, take their
uniforms from the lanes in turn: subtask s of the chunk uses lane s mod 16 (its next k outputs for
"naive", its next one for "direct"). The 16 lanes step together, which vectorises (four 64-bit lanes
per AVX2 instruction), where one generator's steps form a serial chain. Every stream is a function
of (seed, chunk) alone, so the output is bit-identical at any thread count.

Threads. :func:`advance` releases the GIL and runs a range of chunks; :func:`resume` hands
contiguous groups of chunks to ``numba.get_num_threads()`` Python threads. (A ``prange`` kernel did
the same work but its parfor doubled the cold compile time: 5.3 s of LLVM instead of 2.0 s.)

Blocks. Each chunk works in blocks of at most ``BLOCK`` subtasks held in two per-thread buffers
(16 KiB, in L1): :func:`fill` writes the 53-bit integers v of the block, then
:func:`cogpower._pareto.pareto_block` turns them into subtask times in one vectorised pass, and the
times are added to the running sums of their tasks. A block may span several tasks and checkpoints.
Every block but a chunk's last has a multiple of 16 subtasks (budgets are rounded up to one), so
the lanes never stop mid-turn and the draws do not depend on how the work is cut.

Sums are streamed: each task keeps four running float64 sums, subtask i of the task going to sum
i mod 4 (four independent additions instead of one dependent chain), and the value reported after
n subtasks is (sum0 + sum1) + (sum2 + sum3): a function of the n times alone, never of where a
block or a call ends. Memory is O(tasks) whatever ``n``.

The kernels are resumable: each call advances every chunk by a bounded number of subtasks and saves
its generator words, position and sums, so a long simulation is a loop of short compiled calls that
Ctrl-C can interrupt between them, and the output does not depend on how the work was cut.

Sampling of one subtask time (survival convention P(T > t) = t^-a, t >= 1):

- uniforms: U = (v + 1) 2^-53 in (0, 1] (never 0), v = x >> 11 the top 53 bits of the 64-bit
  xoshiro256+ output x (its best bits), i.e. U = 1 - V with V = v 2^-53 uniform on the 2^53-grid
  of [0, 1).
- direct: the fastest of k approaches has P(min > t) = t^-(k a), so T = U^(-1/beta) with
  beta = k a. U >= 2^-53, so the largest value drawn is 2^(53/beta): the tail beyond it (probability
  2^-53 per draw) is cut, and for beta < 53/1024 (about 0.052) a draw can exceed the float64 range
  and the sum becomes +inf -- the true value is then indeed larger than any float.
- naive: draws the k approach times T_j = U_j^(-1/a) and keeps the minimum (integer k only):
  min_j U_j^(-1/a) = (max_j U_j)^(-1/a) exactly, so the largest of the k integers v is kept and
  transformed once.

T = U^(-1/beta) is computed by :mod:`cogpower._pareto` (no libm calls, so the loop vectorises).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit

from ._pareto import pareto_block

CHUNK = 256  # tasks per chunk; fixed so that results do not depend on the thread count
LANES = 16  # independent xoshiro256+ generators per chunk, stepped together (vectorised)
BLOCK = 1024  # subtasks per block (a multiple of LANES): two buffers of 8 KiB per thread
STATE_WORDS = 4 * LANES
#: bytes per chunk: saved state (generator words, position, four sums), its seed and the
#: temporaries of the progress check in :func:`resume`
CHUNK_BYTES = 8 * (STATE_WORDS + 3 + 4) + 8 + 24
#: bytes of one thread's working buffers (two blocks and a copy of the generator words)
BUFFER_BYTES = 16 * BLOCK + 8 * STATE_WORDS


def n_chunks(tasks: int) -> int:
    return (tasks + CHUNK - 1) // CHUNK


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S11 = np.uint64(11)
_S17 = np.uint64(17)
_S19 = np.uint64(19)
_S45 = np.uint64(45)


@njit(cache=True)
def _splitmix64(x):
    """One splitmix64 step: (new state, output)."""
    x = x + _GOLDEN
    z = x
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return x, z ^ (z >> np.uint64(31))


@njit(cache=True)
def _step(st, l):
    """One xoshiro256+ step of lane l: returns the top 53 bits of its output and advances its four
    words st[l], st[LANES + l], st[2 LANES + l], st[3 LANES + l] (the state is word-major)."""
    s0 = st[l]
    s1 = st[LANES + l]
    s2 = st[2 * LANES + l]
    s3 = st[3 * LANES + l]
    x = (s0 + s3) >> _S11
    t = s1 << _S17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    st[l] = s0
    st[LANES + l] = s1
    st[2 * LANES + l] = s2
    st[3 * LANES + l] = (s3 << _S45) | (s3 >> _S19)
    return x


@njit(cache=True)
def fill(buf, nb, k, st):
    """buf[i] = top 53 bits v of the largest of the next k outputs of lane i mod LANES, i < nb, the
    lanes taking turns (k = 1: one draw per entry); ``st`` (4 LANES words) is advanced in place.

    The loop over the lanes vectorises (its length is the constant LANES). A last partial turn (nb
    not a multiple of LANES: only at a chunk's end) steps only the lanes it uses."""
    for q in range((nb + LANES - 1) // LANES):
        o = q * LANES
        lanes = nb - o
        for j in range(k):
            if lanes >= LANES:
                for l in range(LANES):
                    x = _step(st, l)
                    buf[o + l] = x if j == 0 else max(buf[o + l], x)
            else:
                for l in range(lanes):
                    x = _step(st, l)
                    buf[o + l] = x if j == 0 else max(buf[o + l], x)


def state_bytes(tasks: int) -> float:
    """Memory of the saved state of ``tasks`` tasks and of the block buffers of every thread."""
    return CHUNK_BYTES * float(n_chunks(tasks)) + BUFFER_BYTES * float(numba.config.NUMBA_NUM_THREADS)


@njit(cache=True)
def init_states(seeds, state, pos, psum):
    """state[c] = the xoshiro256 words of the LANES lanes of chunk c, the 4 LANES successive outputs
    of splitmix64 started at seeds[c] (lane 0's four words first); pos[c] = (first task of c, 0, 0);
    psum[c] = 0."""
    for c in range(seeds.shape[0]):
        x = np.uint64(seeds[c])
        for l in range(LANES):
            for w in range(4):
                x, state[c, w * LANES + l] = _splitmix64(x)
        for w in range(4):
            psum[c, w] = 0.0
        pos[c, 0] = c * CHUNK
        pos[c, 1] = 0
        pos[c, 2] = 0


@njit(cache=True)
def _add(tb, i0, m, d, a0, a1, a2, a3):
    """Add tb[i0:i0 + m] (subtasks d, d + 1, ... of one task) to the sums a[(d + i) mod 4]."""
    i = 0
    while i < m and (d + i) & 3 != 0:  # up to the next subtask index divisible by 4
        x = tb[i0 + i]
        r = (d + i) & 3
        if r == 1:
            a1 += x
        elif r == 2:
            a2 += x
        else:
            a3 += x
        i += 1
    while i + 4 <= m:
        a0 += tb[i0 + i]
        a1 += tb[i0 + i + 1]
        a2 += tb[i0 + i + 2]
        a3 += tb[i0 + i + 3]
        i += 4
    if i < m:
        a0 += tb[i0 + i]
    if i + 1 < m:
        a1 += tb[i0 + i + 1]
    if i + 2 < m:
        a2 += tb[i0 + i + 2]
    return a0, a1, a2, a3


@njit(cache=True, nogil=True)
def advance(checkpoints, k, inv, state, pos, psum, budget, out, first, stop):
    """Advance chunks first .. stop - 1 by at most ``budget`` subtasks each (rounded up to a
    multiple of LANES): out[j, t] = partial sum of task t after checkpoints[j] subtasks (checkpoints
    increasing), each subtask time min_{i<k} U_i^(-inv) = (max_i U_i)^(-inv) (k = 1: "direct" with
    inv = 1/(k a); k > 1: "naive" with inv = 1/a).

    Each chunk resumes from its saved generator words ``state[c]``, position ``pos[c]`` = (task,
    subtasks drawn for it, next checkpoint index) and running sums ``psum[c]``, so the draws of a
    chunk come in the same order however the work is cut into calls. Releases the GIL: threads run
    disjoint ranges of chunks (:func:`resume`).
    """
    tasks = out.shape[1]
    ncp = checkpoints.shape[0]
    last = checkpoints[ncp - 1]
    vb = np.empty(BLOCK, dtype=np.uint64)
    tb = np.empty(BLOCK)
    st = np.empty(STATE_WORDS, dtype=np.uint64)  # private: no false sharing of state rows
    for c in range(first, stop):
        t = pos[c, 0]
        hi = min((c + 1) * CHUNK, tasks)
        if t >= hi:
            continue
        for w in range(STATE_WORDS):
            st[w] = state[c, w]
        a0, a1, a2, a3 = psum[c, 0], psum[c, 1], psum[c, 2], psum[c, 3]
        d = pos[c, 1]
        j = pos[c, 2]
        left = (budget + LANES - 1) // LANES * LANES  # whole blocks of lanes until the chunk's end
        while t < hi and left > 0:
            nb = min(BLOCK, left, (hi - t) * last - d)
            fill(vb, nb, k, st)
            pareto_block(vb, tb, nb, inv)
            left -= nb
            i = 0
            while i < nb:
                m = min(nb - i, checkpoints[j] - d)
                a0, a1, a2, a3 = _add(tb, i, m, d, a0, a1, a2, a3)
                i += m
                d += m
                if d == checkpoints[j]:
                    out[j, t] = (a0 + a1) + (a2 + a3)
                    j += 1
                    if j == ncp:
                        t += 1
                        d = 0
                        j = 0
                        a0 = a1 = a2 = a3 = 0.0
        for w in range(STATE_WORDS):
            state[c, w] = st[w]
        psum[c, 0], psum[c, 1], psum[c, 2], psum[c, 3] = a0, a1, a2, a3
        pos[c, 0] = t
        pos[c, 1] = d
        pos[c, 2] = j


def _unfinished(pos: np.ndarray, tasks: int) -> int:
    ends = np.minimum(np.arange(1, pos.shape[0] + 1, dtype=np.int64) * CHUNK, tasks)
    return int(np.count_nonzero(pos[:, 0] < ends))


_POOLS: dict[tuple[int, int], ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    """The worker threads of this process: a pool inherited through fork() has no threads left in
    the child and would never run its work, so pools are kept per process id."""
    key = (os.getpid(), threads)
    pool = _POOLS.get(key)
    if pool is None:
        pool = _POOLS[key] = ThreadPoolExecutor(threads, thread_name_prefix="cogpower")
    return pool


def resume(checkpoints, k, beta, state, pos, psum, budget, out) -> int:
    """One call of :func:`advance` over all chunks, on ``numba.get_num_threads()`` threads (each
    takes contiguous groups of chunks in turn; the result does not depend on which thread ran a
    chunk). Returns the number of chunks still unfinished."""
    inv = min(1.0 / beta, 1.7e308)  # beta below the normal floats: every draw but U = 1 overflows
    nch = state.shape[0]
    threads = min(numba.get_num_threads(), nch)
    args = (checkpoints, k, inv, state, pos, psum, budget, out)
    if threads <= 1:
        advance(*args, 0, nch)
    else:
        pool = _pool(threads)
        cuts = np.linspace(0, nch, min(nch, 4 * threads) + 1).astype(np.int64)
        futures = [pool.submit(advance, *args, int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:])]
        try:
            for f in futures:
                f.result()
        except BaseException:  # Ctrl-C: groups not yet started are dropped, running ones end soon
            for f in futures:
                f.cancel()
            raise
    return _unfinished(pos, out.shape[1])


def new_state(seeds: np.ndarray):
    """(state, pos, psum) for :func:`resume`, one row per chunk."""
    nch = seeds.shape[0]
    state = np.empty((nch, STATE_WORDS), dtype=np.uint64)
    pos = np.empty((nch, 3), dtype=np.int64)
    psum = np.empty((nch, 4))
    init_states(seeds, state, pos, psum)
    return state, pos, psum


def warmup() -> None:
    """Compile (or load from the on-disk cache) every kernel once."""
    seeds = np.arange(1, 3, dtype=np.int64)
    advance(np.array([1, 3], dtype=np.int64), 1, 1.5, *new_state(seeds), 2, np.empty((2, 3)), 0, 2)
    from . import _laplace

    _laplace.warmup()
