"""Numba kernel of multi-agent POWER (private): agent 0's value iteration with agent 1's action fixed
per reward sample.

The joint MDP's action entries carry a tag (agent 1's action column); for reward sample ``k``
agent 1 plays column ``choice[k, s]`` at joint state ``s``, so agent 0 may use exactly the entries
of ``s`` whose tag equals it -- the sub-MDP of :func:`powerseek.multiagent.fix_policies` with a
deterministic policy, without building one MDP per sample. Deterministic: no random numbers,
each sample solved on its own in fixed chunks of ``CHUNK`` samples (run on threads by
:func:`powerseek._kernels.run_chunks`), so results are bit-identical at any thread count.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import CHUNK, n_chunks, run_chunks


def masked_value_iteration(R, gamma, thresh, act_ptr, tr_ptr, nxt, prob, tag, choice, max_iter,
                           cont_out, iters_out, diff_out):
    """Value iteration V_{i+1}(s) = R(s) + gamma max_{e at s, tag[e] = choice[k, s]} sum_j prob V_i,
    from V_0 = R, until ||V_{i+1} - V_i||_inf <= thresh or ``max_iter + 1`` sweeps (the cap is
    sized by the caller from the contraction rate). Writes the continuation
    ``cont_out[k, s] = max_{allowed e} sum_j prob[j] V[nxt[j]]`` of the final V, the sweeps and the
    last sup-norm difference. A state with no allowed entry gets -inf (the caller never lets
    that happen: agent 1's chosen column is always compatible with some action of agent 0)."""
    run_chunks(_masked_value_iteration, n_chunks(R.shape[0]), R, gamma, thresh, act_ptr, tr_ptr, nxt, prob, tag,
               choice, max_iter, cont_out, iters_out, diff_out)


@njit(cache=True, nogil=True)
def _masked_value_iteration(c_lo, c_hi, R, gamma, thresh, act_ptr, tr_ptr, nxt, prob, tag, choice, max_iter,
                            cont_out, iters_out, diff_out):
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
            diff = 0.0
            while True:
                diff = 0.0
                for s in range(S):
                    best = -np.inf
                    want = choice[k, s]
                    for e in range(act_ptr[s], act_ptr[s + 1]):
                        if tag[e] != want:
                            continue
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
                if diff <= thresh or it > max_iter:
                    break
            for s in range(S):
                best = -np.inf
                want = choice[k, s]
                for e in range(act_ptr[s], act_ptr[s + 1]):
                    if tag[e] != want:
                        continue
                    q = 0.0
                    for j in range(tr_ptr[e], tr_ptr[e + 1]):
                        q += prob[j] * V[nxt[j]]
                    if q > best:
                        best = q
                cont_out[k, s] = best
            iters_out[k] = it
            diff_out[k] = diff


def warmup() -> None:
    """Compile (or load from the on-disk cache) the kernel with tiny inputs of the types
    :func:`powerseek.multiagent.power_with_reward` passes."""
    from ._kernels import frozen

    R = np.array([[0.1, 0.7]])
    act_ptr, tr_ptr, nxt, prob = frozen(np.array([0, 2, 3], dtype=np.int64), np.array([0, 1, 2, 3], dtype=np.int64),
                                        np.array([0, 1, 1], dtype=np.int64), np.ones(3))
    tag = np.zeros(3, dtype=np.int64)  # built per joint MDP: writable
    masked_value_iteration(R, 0.5, 1e-8, act_ptr, tr_ptr, nxt, prob, tag, np.zeros((1, 2), dtype=np.int64), 10_000,
                           np.empty((1, 2)), np.empty(1, dtype=np.int64), np.empty(1))
