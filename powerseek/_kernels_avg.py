"""Numba kernel of multichain / Blackwell policy iteration on deterministic MDPs (private).

A stationary policy of a deterministic MDP is a functional graph: from every state one path leads
into one cycle. Its value has the Laurent expansion (Puterman 1994, Thm. 8.2.3; rewards from t = 0)
V_gamma = (1 + rho) sum_{n >= -1} rho^n y_n, rho = (1 - gamma)/gamma, with y_{-1} = g the gain (the
mean reward of the cycle reached), y_0 = h the bias and y_n = -H y_{n-1}; each y_n (n >= 0) solves
(I - P) y = b with b = r - g (n = 0) or -y_{n-1}, normalised by P* y = 0 (zero mean on every
cycle) -- O(S) on a functional graph: around a cycle y(c_j) - y(c_{j+1}) = b(c_j), then
y(s) = b(s) + y(next(s)) down the trees.

The advantage of action a at s over the policy, r(s) + gamma T_a V - V(s), expands with the
coefficients (Puterman 1994, sec. 10.3: the nested optimality equations)

    c_{-1} = g(t) - g(s),   c_0 = r(s) + h(t) - h(s) - g(s),   c_n = y_n(t) - y_n(s) - y_{n-1}(s),

t the successor of a. Veinott's policy iteration switches every state with a lexicographically
positive advantage (beyond the tolerance) and stops when none is left; then the policy is
Blackwell-optimal (optimal for all gamma close to 1) when orders up to S are compared (the
advantage is a rational function of gamma whose numerator has degree <= S + 1), and gain- and
bias-optimal when only orders -1 and 0 are (Howard's multichain policy iteration). The actions
whose coefficients all vanish are the ones some Blackwell-optimal policy takes.

The same iteration on stochastic MDPs (dense evaluations) is in :mod:`powerseek._kernels_avg_dense`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import CHUNK


@njit(cache=True)
def _structure(nxtp, state, path, cyc_ptr, cyc_nodes, tree):
    """Cycles (``cyc_nodes[cyc_ptr[c]:cyc_ptr[c+1]]`` in cycle order) and the other states in an
    order where next(s) comes before s. Returns (number of cycles, number of tree states)."""
    S = nxtp.shape[0]
    for s in range(S):
        state[s] = 0
    nc = 0
    ncn = 0
    nt = 0
    cyc_ptr[0] = 0
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
        if state[u] == 1:
            j0 = n - 1
            while path[j0] != u:
                j0 -= 1
            for j in range(j0, n):
                cyc_nodes[ncn] = path[j]
                ncn += 1
                state[path[j]] = 2
            nc += 1
            cyc_ptr[nc] = ncn
            n = j0
        for j in range(n - 1, -1, -1):
            tree[nt] = path[j]
            nt += 1
            state[path[j]] = 2
    return nc, nt


@njit(cache=True)
def _gain(r, nxtp, nc, cyc_ptr, cyc_nodes, nt, tree, g):
    for c in range(nc):
        lo, hi = cyc_ptr[c], cyc_ptr[c + 1]
        acc = 0.0
        for j in range(lo, hi):
            acc += r[cyc_nodes[j]]
        m = acc / (hi - lo)
        for j in range(lo, hi):
            g[cyc_nodes[j]] = m
    for i in range(nt):
        s = tree[i]
        g[s] = g[nxtp[s]]


@njit(cache=True)
def _solve(b, nxtp, nc, cyc_ptr, cyc_nodes, nt, tree, y):
    """(I - P) y = b with zero mean on every cycle (b has zero sum on every cycle)."""
    for c in range(nc):
        lo, hi = cyc_ptr[c], cyc_ptr[c + 1]
        acc = 0.0
        tot = 0.0
        for j in range(lo, hi):
            tot += acc
            acc += b[cyc_nodes[j]]
        x = tot / (hi - lo)
        acc = 0.0
        for j in range(lo, hi):
            y[cyc_nodes[j]] = x - acc
            acc += b[cyc_nodes[j]]
    for i in range(nt):
        s = tree[i]
        y[s] = b[s] + y[nxtp[s]]


@njit(cache=True)
def _by_decreasing_gain(g):
    """The states by decreasing gain, ties in index order: ``np.argsort(-g, kind="mergesort")``
    written out as a bottom-up merge sort (numba's own mergesort took 1.7 s of the package's cold
    compile)."""
    S = g.shape[0]
    a = np.arange(S)
    b = np.empty(S, dtype=np.int64)
    width = 1
    while width < S:
        for lo in range(0, S, 2 * width):
            mid = min(lo + width, S)
            hi = min(lo + 2 * width, S)
            i, j, o = lo, mid, lo
            while i < mid and j < hi:
                if g[a[j]] > g[a[i]]:  # strictly larger: equal gains keep their order (stable)
                    b[o] = a[j]
                    j += 1
                else:
                    b[o] = a[i]
                    i += 1
                o += 1
            while i < mid:
                b[o] = a[i]
                i += 1
                o += 1
            while j < hi:
                b[o] = a[j]
                j += 1
                o += 1
        a, b = b, a
        width *= 2
    return a


@njit(cache=True)
def _jump(g, succ, ent_state, rev_ptr, rev_ent, pol, tol, seen, queue):
    """Gain jumps: every state is pointed, along a shortest path, to the best gain of the current
    policy that it can reach (states in decreasing order of gain, each the root of a backward
    breadth-first search over the states not yet reached). A state that gains more than ``tol``
    switches to the first action of its path; returns whether any did.

    Howard's gain improvement looks one step ahead, so a better gain spreads by one state per
    evaluation (150 evaluations on a 300 x 300 grid); this step moves every state to the best gain
    it can reach at once. It is a policy improvement (switched states gain, the others do not
    lose: their paths only lead into switched states), so the iteration still terminates."""
    S = g.shape[0]
    order = _by_decreasing_gain(g)
    for s in range(S):
        seen[s] = False
    moved = False
    for i in range(S):
        w = order[i]
        if seen[w]:
            continue
        v = g[w]
        seen[w] = True
        head = 0
        tail = 1
        queue[0] = w
        while head < tail:
            x = queue[head]
            head += 1
            for j in range(rev_ptr[x], rev_ptr[x + 1]):
                e = rev_ent[j]
                u = ent_state[e]
                if not seen[u]:
                    seen[u] = True
                    queue[tail] = u
                    tail += 1
                    if v > g[u] + tol:
                        pol[u] = e
                        moved = True
    return moved


@njit(cache=True)
def _absmax(x):
    m = 0.0
    for i in range(x.shape[0]):
        m = max(m, abs(x[i]))
    return m


# ----------------------------------------------------------------- shared with _kernels_avg_dense
@njit(cache=True)
def _reset(pol, alive, imp_ord, max_order):
    """Start comparing the actions with the policy ``pol``: every action entry but the policy's
    own is alive, no state improves yet. Returns the number of live entries."""
    E = alive.shape[0]
    for e in range(E):
        alive[e] = True
    n_alive = E
    for s in range(pol.shape[0]):
        alive[pol[s]] = False
        imp_ord[s] = max_order + 2
        n_alive -= 1
    return n_alive


@njit(cache=True)
def _rescale(y_cur, y_prev):
    """max(|y_cur|, |y_prev|), after scaling the pair by one power of two when that maximum leaves
    [1e-100, 1e100] (the coefficients y_n grow or shrink geometrically with n)."""
    m = max(_absmax(y_cur), _absmax(y_prev))
    if m > 1e100 or (0 < m < 1e-100):
        f = math.ldexp(1.0, -math.frexp(m)[1])
        for s in range(y_cur.shape[0]):
            y_cur[s] *= f
            y_prev[s] *= f
        m *= f
    return m


@njit(cache=True)
def _compare(order, q, succ, r, g, y_cur, y_prev, ent_state, tol, max_order, alive, imp_ord, imp_val, imp_ent,
             n_alive, n_imp):
    """One order of the lexicographic comparison of the live action entries with the policy.

    The successor term of entry e is ``q[succ[e]]`` (deterministic MDPs: q is the order's y at
    the successor) or, when ``succ`` is empty, ``q[e]`` (stochastic: the expectation P_e y). The
    coefficient c (module docstring) beyond ``tol`` improves the entry's state (kept: the first
    order that improves, the largest c there), below -``tol`` it is dropped; entries of states
    that improved at this order need no further orders. Returns (n_alive, n_imp)."""
    gather = succ.shape[0] > 0
    E = ent_state.shape[0]
    for e in range(E):
        if not alive[e]:
            continue
        s = ent_state[e]
        qe = q[succ[e]] if gather else q[e]
        if order == -1:
            c = qe - g[s]
        elif order == 0:
            c = r[s] + qe - y_cur[s] - g[s]
        else:
            c = qe - y_cur[s] - y_prev[s]
        if c > tol:
            alive[e] = False
            n_alive -= 1
            if imp_ord[s] > order:
                if imp_ord[s] == max_order + 2:
                    n_imp += 1
                imp_ord[s] = order
                imp_val[s] = c
                imp_ent[s] = e
            elif imp_ord[s] == order and c > imp_val[s]:
                imp_val[s] = c
                imp_ent[s] = e
        elif c < -tol:
            alive[e] = False
            n_alive -= 1
    for e in range(E):  # a state that improves needs no further orders
        if alive[e] and imp_ord[ent_state[e]] <= order:
            alive[e] = False
            n_alive -= 1
    return n_alive, n_imp


@njit(cache=True)
def _warm_start(k, pol_out, pol):
    """Copy the caller's starting policy ``pol_out[k]`` into ``pol``; False when there is none
    (first entry -1: the caller wants the greedy policy on the next reward)."""
    if pol_out[k, 0] < 0:
        return False
    for s in range(pol.shape[0]):
        pol[s] = pol_out[k, s]
    return True


@njit(cache=True)
def _switch(pol, imp_ord, imp_ent, max_order):
    """Policy improvement: every state that improved takes its best improving entry."""
    for s in range(pol.shape[0]):
        if imp_ord[s] <= max_order:
            pol[s] = imp_ent[s]


@njit(cache=True)
def _finish(k, it, n_imp, g, pol, alive, act_ptr, query, G_out, pol_out, opt_out, iters_out):
    """Write row k's outputs (module docstring of :func:`blackwell_functional`)."""
    iters_out[k] = it if n_imp == 0 else -1
    for s in range(pol.shape[0]):
        G_out[k, s] = g[s]
        pol_out[k, s] = pol[s]
    if query >= 0:
        for e in range(act_ptr[query], act_ptr[query + 1]):
            opt_out[k, e - act_ptr[query]] = alive[e] or e == pol[query]


@njit(cache=True)
def blackwell_functional(R, act_ptr, succ, ent_state, rev_ptr, rev_ent, max_order, max_iter, tau, query,
                         G_out, H_out, pol_out, opt_out, iters_out):
    """Multichain (``max_order = 0``) or Blackwell (``max_order = S``) policy iteration for each
    row of ``R`` on a deterministic MDP (``succ[e]``: successor of entry e; ``rev_ent[rev_ptr[t]:
    rev_ptr[t+1]]``: the entries leading to t). Each evaluation is followed by gain jumps
    (:func:`_jump`) and, when there are none, by the lexicographic improvement.

    ``pol_out[k]`` holds the first policy on entry (action entries; -1 in its first column for
    the greedy policy on the next reward). Writes the gain and bias of the final policy
    (``G_out``, ``H_out``), its entries (``pol_out``), the number of evaluations (``iters_out[k]``, -1 if ``max_iter`` was reached)
    and, when ``query >= 0``, ``opt_out[k, i]`` = whether the i-th action of state ``query`` is
    optimal in the limit (its advantage coefficients all within the tolerance ``tau`` x the size
    of that order's coefficients).
    """
    K, S = R.shape
    E = succ.shape[0]
    n_chunks = (K + CHUNK - 1) // CHUNK
    for ch in range(n_chunks):
        pol = np.empty(S, dtype=np.int64)
        nxtp = np.empty(S, dtype=np.int64)
        state = np.empty(S, dtype=np.int8)
        seen = np.empty(S, dtype=np.bool_)
        path = np.empty(S, dtype=np.int64)
        cyc_ptr = np.empty(S + 1, dtype=np.int64)
        cyc_nodes = np.empty(S, dtype=np.int64)
        tree = np.empty(S, dtype=np.int64)
        g = np.empty(S)
        y_prev = np.empty(S)
        y_cur = np.empty(S)
        b = np.empty(S)
        alive = np.empty(E, dtype=np.bool_)
        imp_ord = np.empty(S, dtype=np.int64)
        imp_val = np.empty(S)
        imp_ent = np.empty(S, dtype=np.int64)
        lo = ch * CHUNK
        hi = min(K, lo + CHUNK)
        for k in range(lo, hi):
            r = R[k]
            rmax = _absmax(r)
            if not _warm_start(k, pol_out, pol):
                for s in range(S):  # greedy on the next reward
                    best = -np.inf
                    for e in range(act_ptr[s], act_ptr[s + 1]):
                        if r[succ[e]] > best:
                            best = r[succ[e]]
                            pol[s] = e
            it = 0
            while True:
                it += 1
                for s in range(S):
                    nxtp[s] = succ[pol[s]]
                nc, nt = _structure(nxtp, state, path, cyc_ptr, cyc_nodes, tree)
                _gain(r, nxtp, nc, cyc_ptr, cyc_nodes, nt, tree, g)
                if _jump(g, succ, ent_state, rev_ptr, rev_ent, pol, tau * (rmax + _absmax(g)), seen, path):
                    if it >= max_iter:
                        n_imp = 1
                        break
                    continue
                n_alive = _reset(pol, alive, imp_ord, max_order)
                n_imp = 0
                order = -1
                while order <= max_order and n_alive > 0:
                    # coefficients of this order: c = y(t) - (y(s) + y_prev(s)) (+ r - g for order 0)
                    if order == -1:
                        tol = tau * (rmax + _absmax(g))
                    elif order == 0:
                        for s in range(S):
                            b[s] = r[s] - g[s]
                        _solve(b, nxtp, nc, cyc_ptr, cyc_nodes, nt, tree, y_cur)
                        tol = tau * (rmax + _absmax(g) + _absmax(y_cur))
                    else:
                        for s in range(S):
                            y_prev[s] = y_cur[s]
                            b[s] = -y_cur[s]
                        _solve(b, nxtp, nc, cyc_ptr, cyc_nodes, nt, tree, y_cur)
                        tol = tau * _rescale(y_cur, y_prev)
                    n_alive, n_imp = _compare(order, g if order == -1 else y_cur, succ, r, g, y_cur, y_prev, ent_state,
                                              tol, max_order, alive, imp_ord, imp_val, imp_ent, n_alive, n_imp)
                    if order == 0:
                        for s in range(S):
                            H_out[k, s] = y_cur[s]
                    order += 1
                if order == 0:  # bias not computed (nothing left to compare): compute it
                    for s in range(S):
                        b[s] = r[s] - g[s]
                    _solve(b, nxtp, nc, cyc_ptr, cyc_nodes, nt, tree, y_cur)
                    for s in range(S):
                        H_out[k, s] = y_cur[s]
                if n_imp == 0 or it >= max_iter:
                    break
                _switch(pol, imp_ord, imp_ent, max_order)
            _finish(k, it, n_imp, g, pol, alive, act_ptr, query, G_out, pol_out, opt_out, iters_out)


def warmup() -> None:
    """Compile (or load from the on-disk cache) the kernel with tiny inputs."""
    from ._kernels import frozen

    R = np.array([[0.1, 0.7]])
    act_ptr, succ, ent_state = frozen(np.array([0, 2, 3], dtype=np.int64), np.array([0, 1, 1], dtype=np.int64),
                                      np.array([0, 0, 1], dtype=np.int64))
    G = np.empty((1, 2))
    rev_ptr = np.array([0, 1, 3], dtype=np.int64)
    rev_ent = np.array([0, 1, 2], dtype=np.int64)
    blackwell_functional(R, act_ptr, succ, ent_state, rev_ptr, rev_ent, 2, 100, 1e-9, 0, G, np.empty((1, 2)),
                         np.full((1, 2), -1, dtype=np.int64), np.empty((1, 2), dtype=np.bool_), np.empty(1, dtype=np.int64))
