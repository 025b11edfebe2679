"""Numba kernel of multichain / Blackwell policy iteration on stochastic MDPs (private).

The iteration of :mod:`powerseek._kernels_avg` (Veinott's policy iteration on the Laurent
coefficients gain, bias, y_1, ...; Puterman 1994, sec. 9.2 and 10.3) with dense evaluations: the
recurrent classes of the policy's chain (Tarjan's strongly connected components, the closed
ones), their stationary distributions and the absorption of the transient states give the Cesaro
limit P*, and the coefficients solve (I - P + P*) y_n = b_n (Puterman 1994, Thm. A.7, A.14), by
LU factorisations written out here (numba compiles them much faster than its LAPACK bindings).
Only the evaluation differs: the comparison of the coefficients, the policy switch and the outputs
are :mod:`powerseek._kernels_avg`'s helpers (``_compare`` takes the expectations P_e y here, the
successor's y there).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import CHUNK
from ._kernels_avg import _absmax, _compare, _finish, _rescale, _reset, _switch, _warm_start

_EPS = np.finfo(np.float64).eps


@njit(cache=True)
def _lu(A, piv):
    """In-place LU factorisation with partial pivoting (Doolittle); singular pivots are left as
    tiny numbers (the systems here are nonsingular: I - P + P* and I - P_TT)."""
    n = A.shape[0]
    for k in range(n):
        p = k
        big = abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > big:
                big = abs(A[i, k])
                p = i
        piv[k] = p
        if p != k:
            for j in range(n):
                t = A[k, j]
                A[k, j] = A[p, j]
                A[p, j] = t
        d = A[k, k]
        if d == 0.0:
            d = 1e-300
            A[k, k] = d
        for i in range(k + 1, n):
            f = A[i, k] / d
            A[i, k] = f
            if f != 0.0:
                for j in range(k + 1, n):
                    A[i, j] -= f * A[k, j]


@njit(cache=True)
def _lu_solve_t(A, piv, b):
    """Solve A^T x = b in place with the factors of :func:`_lu` (P A = L U, so A^T = U^T L^T P)."""
    n = A.shape[0]
    for i in range(n):  # U^T z = b
        acc = b[i]
        for j in range(i):
            acc -= A[j, i] * b[j]
        b[i] = acc / A[i, i]
    for i in range(n - 1, -1, -1):  # L^T w = z (unit diagonal)
        acc = b[i]
        for j in range(i + 1, n):
            acc -= A[j, i] * b[j]
        b[i] = acc
    for k in range(n - 1, -1, -1):  # x = P^T w
        p = piv[k]
        if p != k:
            t = b[k]
            b[k] = b[p]
            b[p] = t


@njit(cache=True)
def _inverse_norm(A, piv, x, z):
    """An estimate of the infinity norm of A^-1 (= the 1-norm of A^-T) from the factors of
    :func:`_lu`: Hager's method (Hager 1984; Higham 1988, "FORTRAN codes for estimating the
    one-norm", Alg. 4.1), at most five pairs of O(n^2) solves; a lower bound, usually exact and
    within a factor 3 in Higham's experiments. ``x`` and ``z`` are work vectors."""
    n = A.shape[0]
    for i in range(n):
        x[i] = 1.0 / n
    est = 0.0
    last = -1
    for _ in range(5):
        _lu_solve_t(A, piv, x)  # y = A^-T x
        est = 0.0
        for i in range(n):
            est += abs(x[i])
        for i in range(n):
            z[i] = 1.0 if x[i] >= 0.0 else -1.0
        _lu_solve(A, piv, z)  # z = A^-1 sign(y)
        j = 0
        for i in range(n):
            if abs(z[i]) > abs(z[j]):
                j = i
        if j == last:
            break
        last = j
        for i in range(n):
            x[i] = 0.0
        x[j] = 1.0
    return est


@njit(cache=True)
def _lu_solve(A, piv, b):
    """Solve in place with the factors of :func:`_lu`."""
    n = A.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            t = b[k]
            b[k] = b[p]
            b[p] = t
    for i in range(n):
        acc = b[i]
        for j in range(i):
            acc -= A[i, j] * b[j]
        b[i] = acc
    for i in range(n - 1, -1, -1):
        acc = b[i]
        for j in range(i + 1, n):
            acc -= A[i, j] * b[j]
        b[i] = acc / A[i, i]


@njit(cache=True)
def _tarjan(S, pol, tr_ptr, nxt, lab, stack, idx, low, onstk, call, it):
    """Strongly connected components of the policy's transition graph (iterative Tarjan);
    returns their number, ``lab[s]`` = component of s."""
    for v in range(S):
        idx[v] = -1
        onstk[v] = False
    index = 0
    top = 0
    nc = 0
    for v0 in range(S):
        if idx[v0] != -1:
            continue
        sp = 0
        call[0] = v0
        it[0] = tr_ptr[pol[v0]]
        idx[v0] = index
        low[v0] = index
        index += 1
        stack[top] = v0
        top += 1
        onstk[v0] = True
        while sp >= 0:
            v = call[sp]
            if it[sp] < tr_ptr[pol[v] + 1]:
                w = nxt[it[sp]]
                it[sp] += 1
                if idx[w] == -1:
                    idx[w] = index
                    low[w] = index
                    index += 1
                    stack[top] = w
                    top += 1
                    onstk[w] = True
                    sp += 1
                    call[sp] = w
                    it[sp] = tr_ptr[pol[w]]
                elif onstk[w] and idx[w] < low[v]:
                    low[v] = idx[w]
            else:
                if low[v] == idx[v]:
                    while True:
                        top -= 1
                        w = stack[top]
                        onstk[w] = False
                        lab[w] = nc
                        if w == v:
                            break
                    nc += 1
                sp -= 1
                if sp >= 0 and low[v] < low[call[sp]]:
                    low[call[sp]] = low[v]
    return nc


@njit(cache=True)
def _evaluate_dense(S, pol, tr_ptr, nxt, prob, P, Pstar, work_i, work_b):
    """P and its Cesaro limit P* (recurrent classes: stationary distributions; transient states:
    absorption); returns a first-order estimate of P*'s error (residual norms)."""
    lab, stack, idx, low, call, it = work_i[0], work_i[1], work_i[2], work_i[3], work_i[4], work_i[5]
    onstk, closed = work_b[0], work_b[1]
    for i in range(S):
        for j in range(S):
            P[i, j] = 0.0
            Pstar[i, j] = 0.0
    for s in range(S):
        e = pol[s]
        for j in range(tr_ptr[e], tr_ptr[e + 1]):
            P[s, nxt[j]] = prob[j]
    nc = _tarjan(S, pol, tr_ptr, nxt, lab, stack, idx, low, onstk, call, it)
    for c in range(nc):
        closed[c] = True
    for s in range(S):
        e = pol[s]
        for j in range(tr_ptr[e], tr_ptr[e + 1]):
            if lab[nxt[j]] != lab[s]:
                closed[lab[s]] = False
    err = 0.0
    eps = 2.220446049250313e-16
    for c in range(nc):
        if not closed[c]:
            continue
        m = 0
        for s in range(S):
            if lab[s] == c:
                idx[m] = s
                m += 1
        mu = np.ones(1)
        if m > 1:
            A = np.empty((m, m))
            for a in range(m):
                for b in range(m):
                    A[b, a] = (1.0 if a == b else 0.0) - P[idx[a], idx[b]]
            for b in range(m):
                A[m - 1, b] = 1.0
            mu = np.zeros(m)
            mu[m - 1] = 1.0
            piv = np.empty(m, dtype=np.int64)
            _lu(A, piv)
            _lu_solve(A, piv, mu)
            tot = 0.0
            for a in range(m):
                mu[a] = max(mu[a], 0.0)
                tot += mu[a]
            for a in range(m):
                mu[a] /= tot
            res = 0.0
            for b in range(m):
                acc = mu[b]
                for a in range(m):
                    acc -= mu[a] * P[idx[a], idx[b]]
                res += abs(acc)
            err = max(err, res + m * eps)
        for a in range(m):
            for b in range(m):
                Pstar[idx[a], idx[b]] = mu[b]
    nt = 0
    for s in range(S):
        if not closed[lab[s]]:
            low[nt] = s  # transient states
            nt += 1
    if nt > 0:
        M = np.empty((nt, nt))
        B = np.zeros((nt, S))
        for a in range(nt):
            for b in range(nt):
                M[a, b] = (1.0 if a == b else 0.0) - P[low[a], low[b]]
            for j in range(S):
                if closed[lab[j]]:
                    pj = P[low[a], j]
                    if pj != 0.0:
                        for t in range(S):
                            B[a, t] += pj * Pstar[j, t]
        F = M.copy()
        piv = np.empty(nt, dtype=np.int64)
        _lu(F, piv)
        X = np.empty((nt, S))
        col = np.empty(nt)
        for t in range(S):
            nz = False
            for a in range(nt):
                col[a] = B[a, t]
                nz = nz or col[a] != 0.0
            if nz:
                _lu_solve(F, piv, col)
            for a in range(nt):
                X[a, t] = col[a]
        steps = np.ones(nt)
        _lu_solve(F, piv, steps)
        res = 0.0
        for a in range(nt):
            rs = 0.0
            for t in range(S):
                acc = -B[a, t]
                for b in range(nt):
                    acc += M[a, b] * X[b, t]
                rs += abs(acc)
            res = max(res, rs)
        tmax = 0.0
        for a in range(nt):
            tmax = max(tmax, abs(steps[a]))
            for t in range(S):
                Pstar[low[a], t] = X[a, t]
        err += res * tmax + nt * eps
    return err


@njit(cache=True)
def blackwell_dense(R, act_ptr, tr_ptr, nxt, prob, ent_state, max_order, max_iter, tau, query,
                    G_out, H_out, pol_out, opt_out, iters_out, err_out):
    """Multichain (``max_order = 0``) or Blackwell (``max_order = S``) policy iteration for each
    row of ``R`` on a stochastic MDP, with dense evaluations (P*, the deviation matrix
    (I - P + P*)^-1). Inputs and outputs as :func:`blackwell_functional`, and ``err_out[k]``, the first-order
    error estimate of P* (residuals of the stationary and absorption equations)."""
    K, S = R.shape
    E = ent_state.shape[0]
    n_chunks = (K + CHUNK - 1) // CHUNK
    for ch in range(n_chunks):
        pol = np.empty(S, dtype=np.int64)
        P = np.empty((S, S))
        Pstar = np.empty((S, S))
        work_i = np.empty((6, S + 1), dtype=np.int64)
        work_b = np.empty((2, S + 1), dtype=np.bool_)
        g = np.empty(S)
        y_prev = np.empty(S)
        y_cur = np.empty(S)
        b = np.empty(S)
        q = np.empty(E)
        alive = np.empty(E, dtype=np.bool_)
        imp_ord = np.empty(S, dtype=np.int64)
        imp_val = np.empty(S)
        imp_ent = np.empty(S, dtype=np.int64)
        M = np.empty((S, S))
        mpiv = np.empty(S, dtype=np.int64)
        probe = np.empty(S)  # work vector of the norm estimate of (I - P + P*)^-1
        no_succ = np.empty(0, dtype=np.int64)  # _compare reads q[e]: the expectations
        lo = ch * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            r = R[k]
            rmax = _absmax(r)
            if not _warm_start(k, pol_out, pol):
                for s in range(S):  # greedy on the expected next reward
                    best = -np.inf
                    for e in range(act_ptr[s], act_ptr[s + 1]):
                        acc = 0.0
                        for j in range(tr_ptr[e], tr_ptr[e + 1]):
                            acc += prob[j] * r[nxt[j]]
                        if acc > best:
                            best = acc
                            pol[s] = e
            it = 0
            err = 0.0
            while True:
                it += 1
                err = _evaluate_dense(S, pol, tr_ptr, nxt, prob, P, Pstar, work_i, work_b)
                for i in range(S):
                    acc = 0.0
                    for j in range(S):
                        acc += Pstar[i, j] * r[j]
                    g[i] = acc
                for i in range(S):
                    for j in range(S):
                        M[i, j] = (1.0 if i == j else 0.0) - P[i, j] + Pstar[i, j]
                _lu(M, mpiv)
                n_alive = _reset(pol, alive, imp_ord, max_order)
                n_imp = 0
                order = -1
                h_done = False
                noise = 0.0
                amp = 1.0
                while order <= max_order and n_alive > 0:
                    if order == -1:
                        for s in range(S):
                            y_cur[s] = g[s]
                        tol = tau * (rmax + _absmax(g))
                    else:
                        for s in range(S):
                            y_prev[s] = y_cur[s]
                            b[s] = r[s] - g[s] if order == 0 else -y_cur[s]
                        _lu_solve(M, mpiv, b)
                        for s in range(S):
                            y_cur[s] = b[s]
                        if order == 0:
                            for s in range(S):
                                H_out[k, s] = y_cur[s]
                            h_done = True
                            # h = (I - P + P*)^-1 (r - g) carries the noise of g and of the solve,
                            # amplified by up to the inverse's norm (10-50 on slippery grids), and
                            # so does each y_n = -(I - P + P*)^-1 y_(n-1): that can far exceed the
                            # growth of y_n itself. Without this term tied actions' coefficients
                            # differ by amplified noise beyond TAU |y_n| and the iteration cycles.
                            amp = _inverse_norm(M, mpiv, b, probe)
                            size = rmax + _absmax(g) + _absmax(y_cur)
                            noise = amp * (err + S * _EPS) * size
                            tol = tau * size + 4.0 * noise
                        else:
                            m_before = max(_absmax(y_cur), _absmax(y_prev))
                            m = _rescale(y_cur, y_prev)
                            noise = amp * (noise + S * _EPS * m_before) * (m / m_before if m_before > 0 else 1.0)
                            tol = tau * m + 4.0 * noise
                    for e in range(E):
                        acc = 0.0
                        for j in range(tr_ptr[e], tr_ptr[e + 1]):
                            acc += prob[j] * y_cur[nxt[j]]
                        q[e] = acc
                    n_alive, n_imp = _compare(order, q, no_succ, r, g, y_cur, y_prev, ent_state, tol, max_order, alive,
                                              imp_ord, imp_val, imp_ent, n_alive, n_imp)
                    order += 1
                if not h_done:
                    for s in range(S):
                        b[s] = r[s] - g[s]
                    _lu_solve(M, mpiv, b)
                    for s in range(S):
                        H_out[k, s] = b[s]
                if n_imp == 0 or it >= max_iter:
                    break
                _switch(pol, imp_ord, imp_ent, max_order)
            err_out[k] = err
            _finish(k, it, n_imp, g, pol, alive, act_ptr, query, G_out, pol_out, opt_out, iters_out)


def warmup() -> None:
    """Compile (or load from the on-disk cache) the kernel with tiny inputs."""
    from ._kernels import frozen

    R = np.array([[0.1, 0.7]])
    act_ptr, ent_state, tr_ptr, nxt, prob = frozen(
        np.array([0, 2, 3], dtype=np.int64), np.array([0, 0, 1], dtype=np.int64), np.array([0, 1, 3, 4], dtype=np.int64),
        np.array([0, 0, 1, 1], dtype=np.int64), np.array([1.0, 0.5, 0.5, 1.0]))
    blackwell_dense(R, act_ptr, tr_ptr, nxt, prob, ent_state, 2, 100, 1e-9, 0, np.empty((1, 2)), np.empty((1, 2)),
                    np.full((1, 2), -1, dtype=np.int64), np.empty((1, 2), dtype=np.bool_), np.empty(1, dtype=np.int64),
                    np.empty(1))
