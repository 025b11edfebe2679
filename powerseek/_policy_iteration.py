"""Batched policy iteration (Howard 1960) with exact linear solves, for discount rates so close to 1
that value iteration would need millions of sweeps (private).

Value iteration contracts by gamma per sweep, so reaching error eps from V_0 = R takes about
log(eps (1 - gamma)) / log(gamma) sweeps: 2e10 at gamma = 1 - 1e-9. Policy iteration instead
solves (I - gamma P_pi) V = R exactly for the current policy and improves the policy greedily; it
stops in a handful of iterations whatever gamma is. Its error is certified a posteriori by the
Bellman residual: ||V - V*||_inf <= ||B V - V||_inf / (1 - gamma) for any V (B is a
gamma-contraction); each solve gets two steps of iterative refinement with long double
residuals and policies are improved on long double Q values, so the bound is about (S + 2) ulp(max|V|) / (1 - gamma), i.e. a POWER error of a few
ulp of max|V| (1e-7 relative to the rewards at gamma = 1 - 1e-9).
"""

from __future__ import annotations

import numpy as np

from tailpower._common import check_memory

from ._bellman import expectations, residual

_EPS = np.finfo(float).eps
_EPS_LD = float(np.finfo(np.longdouble).eps)
#: iteration cap; reached only on degenerate inputs, and then the residual bound stays honest
MAX_ITER = 500


def policy_iteration(mdp, R: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Optimal values for each row of ``R`` (K, S): returns ``(V, iterations, bound)`` with
    ``max_s |V[k, s] - V*_R[k](s)| <= bound[k]`` (residual bound).

    Rows are solved in blocks of at most ~32 MiB of (S, S) systems.
    """
    T = np.asarray(mdp.transitions)
    act_ptr, act_col, _, _, prob = mdp.csr
    K, S = R.shape
    A = T.shape[1]
    E = len(act_col)
    per_row = 8.0 * (6 * S * S + 8 * S * A + 8 * E + 8 * S)
    check_memory("mdp", per_row, f"policy iteration on {S} states ({S} x {S} linear systems)")
    rows = int(max(1, (32 << 20) // per_row))
    width = int(np.diff(mdp.csr[2]).max())
    ent_state = np.repeat(np.arange(S), np.diff(act_ptr))
    ent_local = np.arange(E) - act_ptr[ent_state]
    V = np.empty((K, S))
    iters = np.zeros(K, dtype=np.int64)
    bound = np.empty(K)
    eye = np.eye(S)
    sidx = np.arange(S)[None, :]

    def q_pad(r, v, dtype=float):  # (k, S, A) Q values by local action index, -inf for absent ones
        Q = np.full((r.shape[0], S, A), -np.inf, dtype=dtype)
        Q[:, ent_state, ent_local] = r[:, ent_state].astype(dtype) + dtype(gamma) * expectations(mdp, v, dtype)
        return Q

    ld = np.longdouble
    for lo in range(0, K, rows):
        r = R[lo:lo + rows]
        r_ld = r.astype(ld)
        pi = q_pad(np.zeros_like(r), r).argmax(axis=2)  # greedy on the next reward
        todo = np.arange(r.shape[0])
        v = np.empty_like(r)
        for it in range(1, MAX_ITER + 1):
            cols = act_col[act_ptr[:-1][None, :] + pi[todo]]
            P = T[sidx, cols]  # (k, S, S)
            M = eye - gamma * P
            rt = r[todo]
            vt = np.linalg.solve(M, rt[:, :, None])[:, :, 0]
            for _ in range(2):  # iterative refinement with long double residuals
                Pv = np.einsum("kst,kt->ks", P.astype(ld), vt.astype(ld))
                res = (r_ld[todo] + ld(gamma) * Pv - vt.astype(ld)).astype(float)
                vt = vt + np.linalg.solve(M, res[:, :, None])[:, :, 0]
            v[todo] = vt
            iters[lo + todo] = it
            Q = q_pad(rt, vt, ld)
            best = Q.max(axis=2)
            cur = np.take_along_axis(Q, pi[todo][:, :, None], axis=2)[:, :, 0]
            tol = 8 * (width + 2) * _EPS_LD * (np.abs(vt).max(axis=1, keepdims=True) + np.abs(rt).max(axis=1, keepdims=True))
            better = best > cur + tol
            moved = better.any(axis=1)
            if not moved.any():
                break
            pi_t = pi[todo]
            pi_t[better] = Q.argmax(axis=2)[better]
            pi[todo] = pi_t
            todo = todo[moved]
        scale = np.abs(r).max(axis=1) + np.abs(v).max(axis=1)
        V[lo:lo + rows] = v
        bound[lo:lo + rows] = (residual(mdp, r, v, gamma) + 4 * (width + 2) * _EPS_LD * scale) / (1.0 - gamma)
    return V, iters, bound
