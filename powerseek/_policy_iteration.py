"""Batched policy iteration (Howard 1960) on the sparse transitions (private).

Value iteration contracts by gamma per sweep, so reaching error eps from V_0 = R takes about
log(eps (1 - gamma)) / log(gamma) sweeps: 2,000 at gamma = 0.99, 2e10 at gamma = 1 - 1e-9. Policy
iteration evaluates the current policy exactly and improves it greedily; it stops after a
handful of improvements whatever gamma is. Three evaluations:

- deterministic MDPs: the policy is a functional graph, evaluated exactly in O(S) by the numba
  kernel :func:`powerseek._kernels_pi.pi_functional` (any number of states);
- stochastic MDPs with at most ``MAX_DENSE`` states: (I - gamma P_pi) V = R solved densely for a
  block of reward vectors at once (numpy), with two steps of iterative refinement on long double
  residuals;
- larger stochastic MDPs: the sparse system factorised by SuperLU (``scipy.sparse.linalg.splu``)
  per reward vector and improvement step, refined the same way.

Every result is certified a posteriori by the Bellman residual evaluated in double-double
arithmetic: ||V - V*||_inf <= ||B V - V||_inf / (1 - gamma) for any V (B is a gamma-contraction),
see :func:`powerseek._kernels_pi.bellman_residual`.
"""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import check_memory

from . import _kernels_pi
from ._bellman import expectations, greedy

_EPS = np.finfo(float).eps
_EPS_LD = float(np.finfo(np.longdouble).eps)
#: improvement steps cap; reached only on degenerate inputs, and then the residual bound stays honest
MAX_ITER = 500
#: stochastic MDPs up to this many states are evaluated with dense solves, larger ones with SuperLU
MAX_DENSE = 3000


def certify(mdp, R: np.ndarray, V: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """``(bound, greedy entries)`` per row: bound >= max_s |V[k, s] - V*_{R[k]}(s)|, from the
    double-double Bellman residual (rounding of the residual itself included)."""
    act_ptr, _, tr_ptr, nxt, prob = mdp.csr
    K = R.shape[0]
    res = np.empty(K)
    pol = np.empty(R.shape, dtype=np.int64)
    _kernels_pi.bellman_residual(R, V, gamma, act_ptr, tr_ptr, nxt, prob, res, pol)
    width = float(np.diff(tr_ptr).max()) + 3.0
    scale = np.abs(R).max(axis=1) + np.abs(V).max(axis=1)
    bound = (res * (1 + 4 * _EPS) + 64 * width * width * _EPS * _EPS * scale) / (1.0 - gamma) * (1 + 4 * _EPS)
    return bound, pol


def functional(mdp, R: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deterministic MDPs: ``(V, iterations, policy entries)`` for each row of ``R`` (K, S)."""
    act_ptr = mdp.csr[0]
    K, S = R.shape
    V = np.empty((K, S))
    pol = np.empty((K, S), dtype=np.int64)
    iters = np.empty(K, dtype=np.int64)
    _kernels_pi.pi_functional(R, gamma, act_ptr, np.asarray(mdp.successor_array), MAX_ITER + S, V, pol, iters)
    return V, iters, pol


def _rows_of(mdp, ent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For action entries ``ent`` (n,): (row number, successor, probability) of all their
    transitions, row number = position in ``ent``."""
    _, _, tr_ptr, nxt, prob = mdp.csr
    cnt = tr_ptr[ent + 1] - tr_ptr[ent]
    offs = np.repeat(tr_ptr[ent] - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt)
    j = offs + np.arange(int(cnt.sum()))
    return np.repeat(np.arange(ent.size), cnt), nxt[j], prob[j]


def _greedy_start(mdp, R: np.ndarray) -> np.ndarray:
    """Entries of the greedy policy on the next reward (the first policy of the iteration)."""
    return greedy(mdp, R)


def _improve(mdp, r: np.ndarray, v: np.ndarray, gamma: float, pol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Switch states whose best action beats the current one by more than a rounding tolerance
    (long double Q values): returns (new entries, which rows moved)."""
    act_ptr, _, tr_ptr, _, _ = mdp.csr
    Q = expectations(mdp, v, np.longdouble)  # (k, E) sum_s' T V, long double
    ent_state = mdp.entry_state
    best = np.maximum.reduceat(Q, act_ptr[:-1], axis=1)
    cur = np.take_along_axis(Q, pol, axis=1)
    width = float(np.diff(tr_ptr).max())
    tol = 8 * (width + 2) * _EPS_LD * np.abs(v).max(axis=1, keepdims=True)
    better = best > cur + tol
    moved = better.any(axis=1)
    if moved.any():
        # first entry attaining the best value
        hit = Q >= best[:, ent_state]
        idx = np.where(hit, np.arange(Q.shape[1])[None, :], Q.shape[1])
        arg = np.minimum.reduceat(idx, act_ptr[:-1], axis=1)
        pol = np.where(better, arg, pol)
    return pol, moved


def dense(mdp, R: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stochastic MDPs with at most ``MAX_DENSE`` states: ``(V, iterations, policy entries)``.
    Blocks of rows share one batched dense solve per improvement step (~32 MiB of systems)."""
    K, S = R.shape
    E = len(mdp.csr[1])
    per_row = 8.0 * (6 * S * S + 10 * E + 8 * S)
    check_memory("mdp", per_row, f"policy iteration on {S} states ({S} x {S} linear systems)")
    rows = int(max(1, (32 << 20) // per_row))
    V = np.empty((K, S))
    pol_all = np.empty((K, S), dtype=np.int64)
    iters = np.zeros(K, dtype=np.int64)
    eye = np.eye(S)
    ld = np.longdouble
    for lo in range(0, K, rows):
        r = R[lo:lo + rows]
        r_ld = r.astype(ld)
        pol = _greedy_start(mdp, r)
        todo = np.arange(r.shape[0])
        v = np.empty_like(r)
        for it in range(1, MAX_ITER + 1):
            k = todo.size
            row, t, p = _rows_of(mdp, pol[todo].ravel())
            P = np.zeros((k, S, S))
            P[row // S, row % S, t] = p
            M = eye - gamma * P
            rt = r[todo]
            vt = np.linalg.solve(M, rt[:, :, None])[:, :, 0]
            for _ in range(2):  # iterative refinement with long double residuals
                Pv = np.einsum("kst,kt->ks", P.astype(ld), vt.astype(ld))
                res = (r_ld[todo] + ld(gamma) * Pv - vt.astype(ld)).astype(float)
                vt = vt + np.linalg.solve(M, res[:, :, None])[:, :, 0]
            v[todo] = vt
            iters[lo + todo] = it
            new, moved = _improve(mdp, rt, vt, gamma, pol[todo])
            pol[todo] = new
            if not moved.any():
                break
            todo = todo[moved]
        V[lo:lo + rows] = v
        pol_all[lo:lo + rows] = pol
    return V, iters, pol_all


def sparse(mdp, R: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stochastic MDPs of any size: ``(V, iterations, policy entries)``, one SuperLU
    factorisation of the sparse I - gamma P_pi per reward vector and improvement step."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    K, S = R.shape
    nnz = len(mdp.csr[4])
    check_memory("mdp", 8.0 * (40 * nnz + 40 * S) * max(1.0, math.log2(S)),
                 f"sparse LU factorisations of policy iteration on {S} states")
    V = np.empty((K, S))
    pol_all = np.empty((K, S), dtype=np.int64)
    iters = np.zeros(K, dtype=np.int64)
    ld = np.longdouble
    eye = sp.identity(S, format="csc")
    for k in range(K):
        r = R[k:k + 1]
        pol = _greedy_start(mdp, r)
        for it in range(1, MAX_ITER + 1):
            row, t, p = _rows_of(mdp, pol[0])
            P = sp.csr_matrix((p, (row, t)), shape=(S, S))
            lu = splu((eye - gamma * P).tocsc())
            v = lu.solve(r[0])
            for _ in range(2):
                Pv = np.zeros(S, dtype=ld)
                np.add.at(Pv, row, p.astype(ld) * v[t].astype(ld))
                res = (r[0].astype(ld) + ld(gamma) * Pv - v.astype(ld)).astype(float)
                v = v + lu.solve(res)
            iters[k] = it
            pol, moved = _improve(mdp, r, v[None, :], gamma, pol)
            if not moved.any():
                break
        V[k] = v
        pol_all[k] = pol[0]
    return V, iters, pol_all
