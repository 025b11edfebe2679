"""Kernels of multi-agent POWER (private): agent 1's best response with its tie rule
(:func:`agent1_policy`, numpy) and agent 0's value iteration with agent 1's action fixed per
reward sample (numba).

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

from ._bellman import _BLOCK, expectations
from ._kernels import CHUNK, n_chunks, run_chunks

#: agent 1's actions whose Q-values differ by at most TIE_REL (max R_1 - min R_1) / (1 - gamma_1)
#: are tied; VI_EPS is the accuracy of agent 1's V* on the same scale (far below TIE_REL)
TIE_REL = 1e-9
VI_EPS = 1e-12


def normalised(R: np.ndarray) -> np.ndarray:
    """Every row of ``R`` (K, S) mapped affinely onto [0, 1]: (R - min R) / (max R - min R), zeros
    for a constant row. Optimal policies (rewards on states, discounting) do not change under
    R -> a R + b with a > 0, and tied reward values stay equal (the map is one function applied
    entrywise); the value scale of the result is 1 / (1 - gamma) whatever the rewards' size."""
    lo = R.min(axis=1, keepdims=True)
    hi = R.max(axis=1, keepdims=True)
    with np.errstate(over="ignore"):
        span = hi - lo
    wide = ~np.isfinite(span)  # rewards near +-1.8e308: halve first (exact away from subnormals)
    if wide.any():
        lo = np.where(wide, 0.5 * lo, lo)
        span = np.where(wide, 0.5 * hi - lo, span)
        R = np.where(wide, 0.5 * R, R)
    flat = span <= 0
    out = (R - lo) / np.where(flat, 1.0, span)
    out[np.broadcast_to(flat, out.shape)] = 0.0
    return np.clip(out, 0.0, 1.0)


def agent1_policy(resp, R1: np.ndarray, gamma_1: float) -> np.ndarray:
    """(K, S) action columns of agent 1 in ``resp`` (its MDP against agent 0's baseline) for the
    reward rows ``R1``: at every state the FIRST action, in agent 1's action order (column
    order), whose Q-value is within ``TIE_REL / (1 - gamma_1)`` of the best, on rewards
    normalised to [0, 1] (:func:`normalised`).

    V* comes from value iteration to ``VI_EPS`` (sup norm, normalised units), so every computed
    Q-value is within gamma_1 * bound of the true one; the tolerance adds 2 gamma_1 bound, so
    actions tied in exact arithmetic always count as tied (rounding and the truncation of value
    iteration cannot split them), and an action counts as tied only if it is within
    TIE_REL / (1 - gamma_1) + 4 gamma_1 bound of optimal."""
    from .solvers import value_iteration

    Rn = normalised(R1)
    res = value_iteration(resp, Rn, gamma_1, eps=VI_EPS, method="vi")
    V = np.atleast_2d(res.values)
    tol = TIE_REL / (1.0 - gamma_1) + 2.0 * gamma_1 * float(res.bound)
    act_ptr, act_col = resp.csr[0], resp.csr[1]
    E = len(act_col)
    ent_state = np.repeat(np.arange(resp.n_states, dtype=np.int64), np.diff(act_ptr))
    K = V.shape[0]
    out = np.empty((K, resp.n_states), dtype=np.int64)
    rows = max(1, _BLOCK // max(len(resp.csr[4]), E, 1))
    for lo in range(0, K, rows):
        Q = gamma_1 * expectations(resp, V[lo:lo + rows])  # Q(s, a) - R(s): R(s) is common to s's actions
        best = np.maximum.reduceat(Q, act_ptr[:-1], axis=1)
        idx = np.where(Q >= best[:, ent_state] - tol, np.arange(E)[None, :], E)
        out[lo:lo + rows] = act_col[np.minimum.reduceat(idx, act_ptr[:-1], axis=1)]
    return out


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
