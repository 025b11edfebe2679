"""Numba kernels of powerseek (private). Deterministic: no random numbers are drawn here (reward
samples come in from numpy), and each reward sample is solved independently of the others, so the
output is bit-identical at any thread count. Work is cut into fixed chunks of ``CHUNK`` samples
(boundaries depend only on the number of samples); a compiled kernel ``_name(c_lo, c_hi, ...)``
solves the chunks c_lo..c_hi - 1 without the GIL, and :func:`run_chunks` hands contiguous groups
of chunks to ``numba.get_num_threads()`` Python threads. (The kernels were ``prange`` loops: a
``parallel=True`` kernel took about 1 s longer to compile, 6 of them about 6 s of the cold start.)
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit

CHUNK = 64

_POOLS: dict = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    """The worker threads of this process (a pool inherited through fork() has no threads left)."""
    key = (os.getpid(), threads)
    pool = _POOLS.get(key)
    if pool is None:
        pool = _POOLS[key] = ThreadPoolExecutor(threads, thread_name_prefix="powerseek")
    return pool


def run_chunks(kernel, n_chunks: int, *args) -> None:
    """``kernel(c_lo, c_hi, *args)`` over the chunks 0..n_chunks - 1, on ``numba.get_num_threads()``
    threads (each takes contiguous groups of chunks; which thread ran a chunk does not change it)."""
    threads = min(numba.get_num_threads(), n_chunks)
    if threads <= 1:
        kernel(0, n_chunks, *args)
        return
    cuts = np.linspace(0, n_chunks, min(n_chunks, 4 * threads) + 1).astype(np.int64)
    pool = _pool(threads)
    futures = [pool.submit(kernel, int(lo), int(hi), *args) for lo, hi in zip(cuts[:-1], cuts[1:]) if hi > lo]
    for f in futures:
        f.result()


def n_chunks(K: int) -> int:
    """The number of chunks of ``K`` reward samples."""
    return (K + CHUNK - 1) // CHUNK


def value_iteration(R, gamma, thresh, act_ptr, tr_ptr, nxt, prob, max_iter, V_out, iters_out, diff_out):
    """Batched value iteration, rewards on states collected from t = 0.

    For each row ``R[k]``: V_{i+1}(s) = R(s) + gamma * max_a sum_s' T(s,a,s') V_i(s'), from
    V_0 = R, until ||V_{i+1} - V_i||_inf <= thresh or ``max_iter + 1`` sweeps (the iteration cap:
    the caller sizes it from the contraction rate, so it is reached only through rounding). Writes
    V_{i+1} to ``V_out[k]``, the number of sweeps to ``iters_out[k]`` and the last
    ||V_{i+1} - V_i||_inf to ``diff_out[k]`` (from which the caller bounds the error).
    """
    run_chunks(_value_iteration, n_chunks(R.shape[0]), R, gamma, thresh, act_ptr, tr_ptr, nxt, prob, max_iter,
               V_out, iters_out, diff_out)


@njit(cache=True, nogil=True)
def _value_iteration(c_lo, c_hi, R, gamma, thresh, act_ptr, tr_ptr, nxt, prob, max_iter, V_out, iters_out, diff_out):
    K, S = R.shape
    for c in range(c_lo, c_hi):
        V = np.empty(S)
        W = np.empty(S)
        lo = c * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            for s in range(S):
                V[s] = R[k, s]
            it = 0
            while True:
                diff = 0.0
                for s in range(S):
                    best = -np.inf
                    for e in range(act_ptr[s], act_ptr[s + 1]):
                        q = 0.0
                        for j in range(tr_ptr[e], tr_ptr[e + 1]):
                            q += prob[j] * V[nxt[j]]
                        if q > best:
                            best = q
                    w = R[k, s] + gamma * best
                    d = abs(w - V[s])
                    if d > diff:
                        diff = d
                    W[s] = w
                for s in range(S):
                    V[s] = W[s]
                it += 1
                if diff <= thresh:
                    break
                if it > max_iter:
                    break
            for s in range(S):
                V_out[k, s] = V[s]
            iters_out[k] = it
            diff_out[k] = diff


def karp_max_mean(R, scc_ptr, scc_nodes, edge_ptr, edge_src, edge_dst, has_cycle, out):
    """Maximum mean cycle of each strongly connected component, for each reward vector.

    Node weights: a cycle's mean is the average reward of its states. Karp (1978): with
    D_0(v) = 0 and D_j(v) = max_{u -> v} D_{j-1}(u) + r(u) (walks of exactly j edges inside the
    component), mu* = max_v min_{0 <= j < n} (D_n(v) - D_j(v)) / (n - j). ``out[k, c] = -inf`` for
    a component without a cycle.
    """
    run_chunks(_karp_max_mean, n_chunks(R.shape[0]), R, scc_ptr, scc_nodes, edge_ptr, edge_src, edge_dst,
               has_cycle, out)


@njit(cache=True, nogil=True)
def _karp_max_mean(c_lo, c_hi, R, scc_ptr, scc_nodes, edge_ptr, edge_src, edge_dst, has_cycle, out):
    K = R.shape[0]
    n_scc = scc_ptr.shape[0] - 1
    nmax = 0
    for c in range(n_scc):
        nmax = max(nmax, scc_ptr[c + 1] - scc_ptr[c])
    for ch in range(c_lo, c_hi):
        D = np.empty((nmax + 1, nmax))
        lo = ch * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            for c in range(n_scc):
                if not has_cycle[c]:
                    out[k, c] = -np.inf
                    continue
                n = scc_ptr[c + 1] - scc_ptr[c]
                base = scc_ptr[c]
                for v in range(n):
                    D[0, v] = 0.0
                for j in range(1, n + 1):
                    for v in range(n):
                        D[j, v] = -np.inf
                    for e in range(edge_ptr[c], edge_ptr[c + 1]):
                        u = edge_src[e]
                        v = edge_dst[e]
                        cand = D[j - 1, u] + R[k, scc_nodes[base + u]]
                        if cand > D[j, v]:
                            D[j, v] = cand
                best = -np.inf
                for v in range(n):
                    if D[n, v] == -np.inf:
                        continue
                    worst = np.inf
                    for j in range(n):
                        if D[j, v] == -np.inf:
                            continue
                        val = (D[n, v] - D[j, v]) / (n - j)
                        if val < worst:
                            worst = val
                    if worst > best:
                        best = worst
                out[k, c] = best


def lexicographic_best(R, coef, first_col, rowabs, rel_tol, out):
    """Which first actions start a lexicographically maximal lasso, for each reward vector.

    ``coef[l, o, :] @ R[k]`` is the o-th series coefficient of lasso l's value (in delta = 1 - gamma
    at gamma -> 1, in gamma at gamma -> 0). Lassos are pruned order by order, keeping those within
    ``rel_tol * rowabs[o] * max|R[k]|`` of the best; ``out[k, first_col[l]] = True`` for survivors.
    """
    run_chunks(_lexicographic_best, n_chunks(R.shape[0]), R, coef, first_col, rowabs, rel_tol, out)


@njit(cache=True, nogil=True)
def _lexicographic_best(c_lo, c_hi, R, coef, first_col, rowabs, rel_tol, out):
    K, S = R.shape
    L, O, _ = coef.shape
    for ch in range(c_lo, c_hi):
        cand = np.empty(L, dtype=np.bool_)
        val = np.empty(L)
        lo = ch * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            rmax = 0.0
            for s in range(S):
                rmax = max(rmax, abs(R[k, s]))
            for l in range(L):
                cand[l] = True
            n_cand = L
            for o in range(O):
                if n_cand <= 1:
                    break
                best = -np.inf
                for l in range(L):
                    if cand[l]:
                        v = 0.0
                        for s in range(S):
                            v += coef[l, o, s] * R[k, s]
                        val[l] = v
                        if v > best:
                            best = v
                tol = rel_tol * rowabs[o] * rmax
                n_cand = 0
                for l in range(L):
                    if cand[l]:
                        if val[l] >= best - tol:
                            n_cand += 1
                        else:
                            cand[l] = False
            for l in range(L):
                if cand[l]:
                    out[k, first_col[l]] = True


def frozen(*arrays):
    """Read-only copies: an MDP's structure arrays (``mdp.csr``, ``entry_state``, ...) are
    read-only, and numba compiles a separate version of a kernel for read-only arrays, so the
    warm-ups pass them read-only too (with writable ones they compiled versions no call used, and
    each kernel was compiled twice in a cold session)."""
    out = []
    for a in arrays:
        a = np.array(a)
        a.setflags(write=False)
        out.append(a)
    return out


def warmup() -> None:
    """Compile (or load from the on-disk cache) every kernel with tiny inputs of the types the
    package passes (read-only structure arrays where they come from the MDP)."""
    R = np.array([[0.1, 0.7]])
    act_ptr, tr_ptr, nxt, prob = frozen(np.array([0, 2, 3], dtype=np.int64), np.array([0, 1, 2, 3], dtype=np.int64),
                                        np.array([0, 1, 1], dtype=np.int64), np.ones(3))
    V = np.empty((1, 2))
    it = np.empty(1, dtype=np.int64)
    value_iteration(R, 0.5, 1e-8, act_ptr, tr_ptr, nxt, prob, 10_000, V, it, np.empty(1))
    out = np.empty((1, 2))
    karp_max_mean(
        R,
        np.array([0, 1, 2], dtype=np.int64),
        np.array([0, 1], dtype=np.int64),
        np.array([0, 1, 2], dtype=np.int64),
        np.array([0, 0], dtype=np.int64),
        np.array([0, 0], dtype=np.int64),
        np.array([True, True]),
        out,
    )
    coef = np.ones((2, 2, 2))
    o = np.zeros((1, 2), dtype=np.bool_)
    lexicographic_best(R, coef, np.array([0, 1], dtype=np.int64), np.ones(2), 1e-9, o)
    from . import _aup_kernels, _kernels_avg, _kernels_avg_dense, _kernels_pi, _multiagent_kernels

    _kernels_pi.warmup()
    _kernels_avg.warmup()
    _kernels_avg_dense.warmup()
    _multiagent_kernels.warmup()
    _aup_kernels.warmup()
