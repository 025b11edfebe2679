"""Numba kernels of policy iteration and of a posteriori error bounds (private).

- :func:`pi_functional`: batched policy iteration (Howard 1960) on deterministic MDPs, where a
  stationary policy is a *functional graph* (one successor per state): every state's path ends in
  one cycle, so the policy's value is exact in O(S) -- on a cycle c_0 .. c_{L-1},
  V(c_0) = sum_j gamma^j R(c_j) / (1 - gamma^L), then V(s) = R(s) + gamma V(next(s)) backwards along
  the cycle and down the trees hanging off it. A sweep of improvements is O(E), and the number
  of improvement steps hardly depends on gamma, so the cost no longer grows like 1/(1 - gamma) as
  value iteration's does.
- :func:`bellman_residual`: per reward vector, ||B V - V||_inf with B V = R + gamma max_a T_a V,
  evaluated in double-double arithmetic (error-free transformations: Dekker's product, Knuth's
  sum; Ogita, Rump & Oishi 2005, "Accurate sum and dot product"), so the rounding of the residual
  itself is of order 1e-32 relative; and the greedy policy of V. Then ||V - V*|| <= residual /
  (1 - gamma) (B is a gamma-contraction) is a certified bound for any V.

Deterministic: no random numbers, each reward vector solved on its own, fixed chunks of ``CHUNK``
vectors run on threads (:func:`powerseek._kernels.run_chunks`), so results are bit-identical at any
thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import CHUNK, n_chunks, run_chunks

_SPLIT = 134217729.0  # 2^27 + 1


@njit(cache=True, inline="always")
def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(cache=True, inline="always")
def _two_prod(a, b):
    p = a * b
    c = _SPLIT * a
    ah = c - (c - a)
    al = a - ah
    c = _SPLIT * b
    bh = c - (c - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


@njit(cache=True)
def _evaluate(r, gamma, denom_log, nxtp, V, state, path):
    """Exact value of the functional graph ``nxtp`` (policy successors) for rewards ``r``."""
    S = r.shape[0]
    for s in range(S):
        state[s] = 0
    for s0 in range(S):
        if state[s0] != 0:
            continue
        n = 0
        u = s0
        while state[u] == 0:
            state[u] = 1
            path[n] = u
            n += 1
            u = nxtp[u]
        if state[u] == 1:  # a new cycle: path[j0:n]
            j0 = n - 1
            while path[j0] != u:
                j0 -= 1
            L = n - j0
            acc = 0.0
            comp = 0.0
            g = 1.0
            for j in range(j0, n):
                acc, e = _two_sum(acc, g * r[path[j]])
                comp += e
                g *= gamma
            V[u] = (acc + comp) / -math.expm1(L * denom_log)
            state[u] = 2
            for j in range(n - 1, j0, -1):
                w = path[j]
                V[w] = r[w] + gamma * V[nxtp[w]]
                state[w] = 2
            n = j0
        for j in range(n - 1, -1, -1):
            w = path[j]
            V[w] = r[w] + gamma * V[nxtp[w]]
            state[w] = 2


def pi_functional(R, gamma, act_ptr, succ, max_iter, V_out, pol_out, iters_out):
    """Policy iteration on a deterministic MDP for each row of ``R`` (K, S).

    ``succ[e]`` is the successor of action entry ``e``. Starts from the greedy policy on the next
    reward, evaluates exactly (:func:`_evaluate`) and switches a state to its best action when
    that beats the current one by more than 8 ulp of max|V| (so rounding cannot make it cycle);
    stops when no state switches or after ``max_iter`` evaluations. Writes the values, the policy
    (entry indices) and the number of evaluations.
    """
    run_chunks(_pi_functional, n_chunks(R.shape[0]), R, gamma, act_ptr, succ, max_iter, V_out, pol_out, iters_out)


@njit(cache=True, nogil=True)
def _pi_functional(c_lo, c_hi, R, gamma, act_ptr, succ, max_iter, V_out, pol_out, iters_out):
    K, S = R.shape
    denom_log = math.log1p(gamma - 1.0)  # log(gamma), with gamma - 1 exact for gamma >= 1/2
    for c in range(c_lo, c_hi):
        pol = np.empty(S, dtype=np.int64)
        nxtp = np.empty(S, dtype=np.int64)
        state = np.empty(S, dtype=np.int8)
        path = np.empty(S, dtype=np.int64)
        V = np.empty(S)
        lo = c * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            r = R[k]
            for s in range(S):
                best = -np.inf
                be = act_ptr[s]
                for e in range(act_ptr[s], act_ptr[s + 1]):
                    q = r[succ[e]]
                    if q > best:
                        best = q
                        be = e
                pol[s] = be
            it = 0
            while True:
                for s in range(S):
                    nxtp[s] = succ[pol[s]]
                _evaluate(r, gamma, denom_log, nxtp, V, state, path)
                it += 1
                vmax = 0.0
                for s in range(S):
                    vmax = max(vmax, abs(V[s]))
                tol = 8 * 2.220446049250313e-16 * vmax
                changed = False
                for s in range(S):
                    cur = pol[s]
                    best = V[succ[cur]]
                    be = cur
                    for e in range(act_ptr[s], act_ptr[s + 1]):
                        q = V[succ[e]]
                        if q > best + tol:
                            best = q
                            be = e
                    if be != cur:
                        pol[s] = be
                        changed = True
                if not changed or it >= max_iter:
                    break
            for s in range(S):
                V_out[k, s] = V[s]
                pol_out[k, s] = pol[s]
            iters_out[k] = it


def bellman_residual(R, V, gamma, act_ptr, tr_ptr, nxt, prob, res_out, pol_out):
    """``res_out[k]`` = max_s |R(s) + gamma max_a sum_s' T(s,a,s') V(s') - V(s)| in double-double
    arithmetic (relative error ~1e-30 plus the final rounding), ``pol_out[k, s]`` = the first
    entry attaining the max (the greedy policy of V[k])."""
    run_chunks(_bellman_residual, n_chunks(R.shape[0]), R, V, gamma, act_ptr, tr_ptr, nxt, prob, res_out, pol_out)


@njit(cache=True, nogil=True)
def _bellman_residual(c_lo, c_hi, R, V, gamma, act_ptr, tr_ptr, nxt, prob, res_out, pol_out):
    K, S = R.shape
    for c in range(c_lo, c_hi):
        lo = c * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            worst = 0.0
            for s in range(S):
                best = -np.inf
                be = act_ptr[s]
                a1, e1 = _two_sum(R[k, s], -V[k, s])
                for e in range(act_ptr[s], act_ptr[s + 1]):
                    sh = 0.0
                    sl = 0.0
                    for j in range(tr_ptr[e], tr_ptr[e + 1]):
                        p, pe = _two_prod(prob[j], V[k, nxt[j]])
                        sh, se = _two_sum(sh, p)
                        sl += pe + se
                    h, hl = _two_prod(gamma, sh)
                    hl += gamma * sl
                    a2, e2 = _two_sum(a1, h)
                    tot = a2 + (e1 + e2 + hl)
                    if tot > best:
                        best = tot
                        be = e
                pol_out[k, s] = be
                if abs(best) > worst:
                    worst = abs(best)
            res_out[k] = worst


def warmup() -> None:
    """Compile (or load from the on-disk cache) every kernel with tiny inputs."""
    from ._kernels import frozen

    R = np.array([[0.1, 0.7]])
    act_ptr, tr_ptr, nxt, prob = frozen(np.array([0, 2, 3], dtype=np.int64), np.array([0, 1, 2, 3], dtype=np.int64),
                                        np.array([0, 1, 1], dtype=np.int64), np.ones(3))
    V = np.empty((1, 2))
    pol = np.empty((1, 2), dtype=np.int64)
    pi_functional(R, 0.5, act_ptr, nxt, 100, V, pol, np.empty(1, dtype=np.int64))
    bellman_residual(R, V, 0.5, act_ptr, tr_ptr, nxt, prob, np.empty(1), pol)
