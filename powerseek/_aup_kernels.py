"""Numba kernel of policy iteration with rewards on states *and* actions (private; used by
:mod:`powerseek._aup_pi` for the AUP agent's MDP).

The AUP reward (Turner, Hadfield-Menell & Tadepalli 2020, eq. 1) is R(s) - penalty(s, a), so the
Bellman equation is V(s) = R(s) + max_e (c_e + gamma V(succ(e))) over the action entries e of s,
with entry rewards c_e = -penalty. On a deterministic MDP a stationary policy is a functional graph
and its value is the value of the state rewards r_pi(s) = R(s) + c_{pi(s)} on that graph, which
:func:`powerseek._kernels_pi._evaluate` computes exactly in O(S) (cycle sums, then back along the
trees); improvement is one O(E) pass (Howard 1960). The number of improvement steps hardly grows
with gamma, unlike value iteration's ~1/(1 - gamma) sweeps.

Deterministic: no random numbers, each reward row solved on its own in fixed chunks of ``CHUNK``
rows (:func:`powerseek._kernels.run_chunks`), bit-identical at any thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import CHUNK, n_chunks, run_chunks
from ._kernels_pi import _evaluate


def pi_entry_functional(R, C, gamma, act_ptr, succ, pol0, max_iter, V_out, pol_out, iters_out):
    """Policy iteration on a deterministic MDP for state rewards ``R`` (K, S) plus entry rewards
    ``C`` (K, E), from the policies ``pol0`` (K, S) of entries.

    Switches a state to its best entry when that beats the current one by more than 8 ulp of
    max|V| + max|C| (so rounding cannot make it cycle); stops when no state switches or after
    ``max_iter`` evaluations (the iteration cap). Writes the values, the policies and the number
    of evaluations of each row.
    """
    run_chunks(_pi_entry_functional, n_chunks(R.shape[0]), R, C, gamma, act_ptr, succ, pol0, max_iter, V_out,
               pol_out, iters_out)


@njit(cache=True, nogil=True)
def _pi_entry_functional(c_lo, c_hi, R, C, gamma, act_ptr, succ, pol0, max_iter, V_out, pol_out, iters_out):
    K, S = R.shape
    E = C.shape[1]
    denom_log = math.log1p(gamma - 1.0)  # log(gamma), gamma - 1 exact for gamma >= 1/2
    for c in range(c_lo, c_hi):
        pol = np.empty(S, dtype=np.int64)
        nxtp = np.empty(S, dtype=np.int64)
        state = np.empty(S, dtype=np.int8)
        path = np.empty(S, dtype=np.int64)
        V = np.empty(S)
        r = np.empty(S)
        lo = c * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            cmax = 0.0
            for e in range(E):
                cmax = max(cmax, abs(C[k, e]))
            for s in range(S):
                pol[s] = pol0[k, s]
            it = 0
            while True:
                for s in range(S):
                    e = pol[s]
                    nxtp[s] = succ[e]
                    r[s] = R[k, s] + C[k, e]
                _evaluate(r, gamma, denom_log, nxtp, V, state, path)
                it += 1
                vmax = 0.0
                for s in range(S):
                    vmax = max(vmax, abs(V[s]))
                tol = 8 * 2.220446049250313e-16 * (vmax + cmax)
                changed = False
                for s in range(S):
                    cur = pol[s]
                    best = C[k, cur] + gamma * V[succ[cur]]
                    be = cur
                    for e in range(act_ptr[s], act_ptr[s + 1]):
                        q = C[k, e] + gamma * V[succ[e]]
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


def warmup() -> None:
    """Compile (or load from the on-disk cache) the kernel with tiny inputs (read-only structure
    arrays, as an MDP's are)."""
    from ._kernels import frozen

    act_ptr, succ = frozen(np.array([0, 2, 3], dtype=np.int64), np.array([0, 1, 1], dtype=np.int64))
    R = np.array([[0.1, 0.7]])
    C = np.zeros((1, 3))
    pol0 = np.zeros((1, 2), dtype=np.int64)
    pol0[0, 1] = 2
    pi_entry_functional(R, C, 0.5, act_ptr, succ, pol0, 10, np.empty((1, 2)), np.empty((1, 2), dtype=np.int64),
                        np.empty(1, dtype=np.int64))
