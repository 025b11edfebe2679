"""Policy iteration for rewards on states and actions (private): the AUP agent's MDP.

The AUP agent (Turner, Hadfield-Menell & Tadepalli 2020, eq. 1) maximises R(s) - penalty(s, a), a
reward that depends on the action, so V* solves V(s) = R(s) + max_e (c_e + gamma sum_s' T_e(s') V(s'))
with entry rewards c_e = -penalty(s, a). Value iteration needs about log(eps (1 - gamma)) /
log(gamma) sweeps (7,000 at gamma = 0.999); policy iteration (Howard 1960) evaluates the current
policy exactly -- (I - gamma P_pi) V = r_pi with r_pi(s) = R(s) + c_{pi(s)} -- and improves it
greedily, a handful of times at any gamma:

- deterministic MDPs: exact evaluation on the policy's functional graph in O(S) (numba,
  :func:`powerseek._aup_kernels.pi_entry_functional`, reusing the state-reward evaluator);
- stochastic MDPs with at most ``MAX_DENSE`` states: batched dense solves with two steps of
  iterative refinement on long double residuals (as :func:`powerseek._policy_iteration.dense`).

Every result is certified a posteriori: ||V - V*||_inf <= ||B V - V||_inf / (1 - gamma) for any V
(the Bellman operator B is a gamma-contraction for entry rewards too), with the residual evaluated
in long double and its own rounding added.
"""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import check_memory

from ._aup_kernels import pi_entry_functional
from ._bellman import expectations
from ._policy_iteration import MAX_DENSE, MAX_ITER, _rows_of

_EPS = np.finfo(float).eps
_EPS_LD = float(np.finfo(np.longdouble).eps)
_BLOCK = 1 << 20  # entries per long double temporary


def available(mdp) -> bool:
    """Whether policy iteration runs on ``mdp`` (deterministic, or at most MAX_DENSE states)."""
    return bool(mdp.is_deterministic or mdp.n_states <= MAX_DENSE)


def steps_per_row(mdp, gamma: float) -> float:
    """Estimated steps (~10 ns each) for one reward row: the improvement steps grow slowly with
    gamma (the law measured for state rewards, :func:`powerseek.solvers.pi_steps`: about
    4 + 2.5 log10(1/(1 - gamma))), each an evaluation plus a pass over the entries; plus the greedy
    start and the long double certificate (numpy passes over the transitions). The iteration cap
    (MAX_ITER + S evaluations) bounds the worst case."""
    S = mdp.n_states
    _, _, tr_ptr, _, prob = mdp.csr
    nnz, E = len(prob), len(tr_ptr) - 1
    iters = 4.0 + 2.5 * math.log10(1.0 / max(1.0 - gamma, 1e-16))
    fixed = 30.0 * nnz + 10.0 * E + 2.0 * S
    if mdp.is_deterministic:
        return iters * (8.0 * S + 3.0 * E) + fixed
    return 2.0 * iters * (S**3 / 30 + 30.0 * nnz + 6.0 * E + 300.0) + fixed


def _blocks(K: int, E: int):
    rows = max(1, _BLOCK // max(E, 1))
    return ((lo, min(K, lo + rows)) for lo in range(0, K, rows))


def greedy_start(mdp, C: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """(K, S) the first entry maximising c_e + gamma T_e V at every state."""
    act_ptr = mdp.csr[0]
    K, E = C.shape
    ent_state = mdp.entry_state
    out = np.empty(V.shape, dtype=np.int64)
    for lo, hi in _blocks(K, E):
        Q = C[lo:hi] + gamma * expectations(mdp, V[lo:hi])
        best = np.maximum.reduceat(Q, act_ptr[:-1], axis=1)
        idx = np.where(Q >= best[:, ent_state], np.arange(E)[None, :], E)
        out[lo:hi] = np.minimum.reduceat(idx, act_ptr[:-1], axis=1)
    return out


def certify(mdp, R: np.ndarray, C: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """(K,) bound >= max_s |V[k, s] - V*[k, s]|: the Bellman residual R + max_e (c_e + gamma T_e V) - V
    in long double, plus its rounding, divided by 1 - gamma."""
    act_ptr, _, tr_ptr, _, _ = mdp.csr
    K, E = C.shape
    ld = np.longdouble
    res = np.empty(K)
    for lo, hi in _blocks(K, E):
        Q = C[lo:hi].astype(ld) + ld(gamma) * expectations(mdp, V[lo:hi], ld)
        best = np.maximum.reduceat(Q, act_ptr[:-1], axis=1)
        res[lo:hi] = np.abs(R[lo:hi].astype(ld) + best - V[lo:hi].astype(ld)).max(axis=1).astype(float)
    width = float(np.diff(tr_ptr).max()) + 4.0
    scale = np.abs(R).max(axis=1) + np.abs(C).max(axis=1, initial=0.0) + np.abs(V).max(axis=1)
    return (res * (1 + 4 * _EPS) + 16 * width * _EPS_LD * scale) / (1.0 - gamma) * (1 + 4 * _EPS)


def _functional(mdp, R, C, gamma, pol0):
    act_ptr = mdp.csr[0]
    K, S = R.shape
    V = np.empty((K, S))
    pol = np.empty((K, S), dtype=np.int64)
    iters = np.empty(K, dtype=np.int64)
    cap = MAX_ITER + S
    pi_entry_functional(R, C, gamma, act_ptr, np.asarray(mdp.successor_array), pol0, cap, V, pol, iters)
    return V, pol, iters, iters >= cap


def _improve(mdp, c, v, gamma, pol):
    """Switch states whose best entry beats the current one by more than a rounding tolerance
    (long double Q): (new entries, which rows moved)."""
    act_ptr, _, tr_ptr, _, _ = mdp.csr
    ld = np.longdouble
    Q = c.astype(ld) + ld(gamma) * expectations(mdp, v, ld)
    best = np.maximum.reduceat(Q, act_ptr[:-1], axis=1)
    cur = np.take_along_axis(Q, pol, axis=1)
    width = float(np.diff(tr_ptr).max())
    tol = 8 * (width + 2) * _EPS_LD * (np.abs(v).max(axis=1, keepdims=True) + np.abs(c).max(axis=1, keepdims=True))
    better = best > cur + tol
    moved = better.any(axis=1)
    if moved.any():
        hit = Q >= best[:, mdp.entry_state]
        idx = np.where(hit, np.arange(Q.shape[1])[None, :], Q.shape[1])
        pol = np.where(better, np.minimum.reduceat(idx, act_ptr[:-1], axis=1), pol)
    return pol, moved


def _dense(mdp, R, C, gamma, pol0):
    K, S = R.shape
    E = C.shape[1]
    per_row = 8.0 * (6 * S * S + 12 * E + 8 * S)
    check_memory("mdp", per_row, f"policy iteration on {S} states ({S} x {S} linear systems)")
    rows = int(max(1, (32 << 20) // per_row))
    V = np.empty((K, S))
    pol_all = pol0.copy()
    iters = np.zeros(K, dtype=np.int64)
    capped = np.zeros(K, dtype=bool)
    eye = np.eye(S)
    ld = np.longdouble
    for lo in range(0, K, rows):
        r, c, pol = R[lo:lo + rows], C[lo:lo + rows], pol_all[lo:lo + rows]
        todo = np.arange(r.shape[0])
        for it in range(1, MAX_ITER + 1):
            k = todo.size
            row, t, p = _rows_of(mdp, pol[todo].ravel())
            P = np.zeros((k, S, S))
            P[row // S, row % S, t] = p
            M = eye - gamma * P
            ct = np.take_along_axis(c[todo], pol[todo], axis=1)
            r_ld = r[todo].astype(ld) + ct.astype(ld)
            vt = np.linalg.solve(M, r_ld.astype(float)[:, :, None])[:, :, 0]
            for _ in range(2):  # iterative refinement with long double residuals
                Pv = np.einsum("kst,kt->ks", P.astype(ld), vt.astype(ld))
                res = (r_ld + ld(gamma) * Pv - vt.astype(ld)).astype(float)
                vt = vt + np.linalg.solve(M, res[:, :, None])[:, :, 0]
            V[lo + todo] = vt
            iters[lo + todo] = it
            new, moved = _improve(mdp, c[todo], vt, gamma, pol[todo])
            pol[todo] = new
            if not moved.any():
                break
            todo = todo[moved]
        else:
            capped[lo + todo] = True
    return V, pol_all, iters, capped


def solve(mdp, R: np.ndarray, C: np.ndarray, gamma: float, start: np.ndarray | None = None):
    """V* for state rewards ``R`` (K, S) plus entry rewards ``C`` (K, E) by policy iteration from
    the greedy policy of ``start`` (K, S; default R): ``(V, policy entries, evaluations, bound per
    row, rows that reached the iteration cap)``."""
    R = np.ascontiguousarray(R, dtype=float)
    C = np.ascontiguousarray(C, dtype=float)
    pol0 = greedy_start(mdp, C, R if start is None else start, gamma)
    impl = _functional if mdp.is_deterministic else _dense
    V, pol, iters, capped = impl(mdp, R, C, gamma, pol0)
    return V, pol, iters, certify(mdp, R, C, V, gamma), capped
