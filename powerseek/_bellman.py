"""Bellman operator pieces on the compressed transitions of an MDP (private): expectations of a
value vector under every valid action, the best continuation max_a T_a V, and the Bellman
residual ||B V - V||_inf computed in extended precision (for a posteriori error bounds).

All work in row blocks of a few MiB, whatever the number of value vectors.
"""

from __future__ import annotations

import numpy as np

_BLOCK = 1 << 21  # entries per temporary


def expectations(mdp, V: np.ndarray, dtype=float) -> np.ndarray:
    """(K, E): sum_s' T(s, a, s') V[k, s'] for every valid (state, action) entry of ``mdp.csr``."""
    _, _, tr_ptr, nxt, prob = mdp.csr
    return np.add.reduceat(V[:, nxt].astype(dtype, copy=False) * prob.astype(dtype, copy=False), tr_ptr[:-1], axis=1)


def continuation(mdp, V: np.ndarray) -> np.ndarray:
    """max_a sum_s' T(s, a, s') V[k, s'] for every row of V (K, S): (K, S)."""
    act_ptr = mdp.csr[0]
    K = V.shape[0]
    out = np.empty((K, mdp.n_states))
    rows = max(1, _BLOCK // max(len(mdp.csr[4]), 1))
    for lo in range(0, K, rows):
        out[lo:lo + rows] = np.maximum.reduceat(expectations(mdp, V[lo:lo + rows]), act_ptr[:-1], axis=1)
    return out


def greedy(mdp, V: np.ndarray) -> np.ndarray:
    """(K, S) the first action entry maximising sum_s' T(s, a, s') V[k, s'] at every state."""
    act_ptr = mdp.csr[0]
    K = V.shape[0]
    out = np.empty((K, mdp.n_states), dtype=np.int64)
    E = len(mdp.csr[1])
    ent_state = mdp.entry_state
    rows = max(1, _BLOCK // max(len(mdp.csr[4]), 1))
    for lo in range(0, K, rows):
        Q = expectations(mdp, V[lo:lo + rows])
        best = np.maximum.reduceat(Q, act_ptr[:-1], axis=1)
        idx = np.where(Q >= best[:, ent_state], np.arange(E)[None, :], E)
        out[lo:lo + rows] = np.minimum.reduceat(idx, act_ptr[:-1], axis=1)
    return out


def residual(mdp, R: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """Per row, ||R + gamma max_a T_a V - V||_inf evaluated in long double (64-bit mantissa on
    x86-64), so the rounding of the residual itself is negligible next to float64 values."""
    act_ptr = mdp.csr[0]
    K = V.shape[0]
    out = np.empty(K)
    ld = np.longdouble
    rows = max(1, _BLOCK // max(len(mdp.csr[4]), 1))
    for lo in range(0, K, rows):
        v = V[lo:lo + rows]
        best = np.maximum.reduceat(expectations(mdp, v, ld), act_ptr[:-1], axis=1)
        res = R[lo:lo + rows].astype(ld) + ld(gamma) * best - v.astype(ld)
        out[lo:lo + rows] = np.abs(res).max(axis=1).astype(float)
    return out
