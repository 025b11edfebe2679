"""Lassos -- the trajectories of deterministic stationary policies, a path then a cycle repeated
forever -- and the exact limits gamma -> 1 and gamma -> 0 of the optimal actions at a state
(private; public through :mod:`powerseek.limits` and :mod:`powerseek`).

Turner et al. 2021 ("Optimal Policies Tend to Seek Power", section 5): in a deterministic MDP
every deterministic stationary policy's trajectory from s is a lasso, and its value is a
rational function of gamma whose series at gamma = 1 (or 0) decides the limit optimal actions.
Enumerations have caps that raise a ValueError naming the parameter (docs/contract.md).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from tailpower._common import check_int, check_memory, memory_budget

from . import _kernels
from ._checks import check_choice, check_work, pow2_scale, reward_matrix
from .limits import _PY_STEP, _row_blocks, _struct, check_mdp, require_deterministic
from .model import MDP

__all__ = ["lassos", "limit_steps", "limit_optimal_actions"]


def lassos(mdp: MDP, state, max_lassos: int = 200_000) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
    """Trajectories of the deterministic stationary policies from ``state``: ``(first action
    column, path, cycle)`` -- the states visited once (path, starting at ``state``) and the cycle
    repeated forever. Every deterministic policy's trajectory from ``state`` is one of these.

    Depth-first search with an explicit stack (chains of any length). Their number grows
    exponentially with the branching: more than ``max_lassos`` trajectories, or more than the
    memory budget or work limit to hold or find them, is refused with a ValueError naming ``mdp``.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    state : state name or index
        Where the trajectories start.
    max_lassos : int, default 200,000
        The most trajectories to enumerate.

    Returns
    -------
    list of (int, tuple of int, tuple of int)
        ``(first action column, path, cycle)`` per trajectory, state indices.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP or ``max_lassos`` not a number.
    ValueError
        If the MDP is stochastic, ``state`` is unknown, ``max_lassos`` is not a whole number >= 1,
        or there are more than ``max_lassos`` trajectories (``mdp``).
    tailpower.BudgetError
        If holding or finding them would exceed the memory budget or the work limit.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.turner_fig1()
    >>> [([mdp.states[i] for i in p], [mdp.states[i] for i in c]) for _, p, c in ps.lassos(mdp, "l")]
    [(['l', 'l_nw'], ['l_sw']), (['l'], ['l_nw', 'l_sw']), (['l'], ['l_sw']), (['l'], ['l_sw', 'l_nw'])]
    """
    check_mdp(mdp)
    max_lassos = check_int("max_lassos", max_lassos)
    require_deterministic(mdp, "lassos")
    s0 = mdp.index(state)
    table = mdp.successor_table
    ptr, colv = mdp.csr[0].tolist(), mdp.csr[1].tolist()
    cols = [colv[ptr[s]:ptr[s + 1]] for s in range(mdp.n_states)]
    out: list = []
    pos = [-1] * mdp.n_states
    path = [s0]
    pos[s0] = 0
    stack = [(s0, 0, -1)]  # (state, next action index, first action column)
    stored = 0
    steps = 0
    max_stored = memory_budget() / 16
    max_steps = _work_limit_steps()
    while stack:
        u, a, f = stack[-1]
        if a == len(table[u]):
            stack.pop()
            pos[u] = -1
            path.pop()
            continue
        stack[-1] = (u, a + 1, f)
        t = table[u][a]
        ff = cols[u][a] if len(stack) == 1 else f
        steps += 1
        if pos[t] >= 0:
            j = pos[t]
            out.append((ff, tuple(path[:j]), tuple(path[j:])))
            stored += len(path) + 8
            if len(out) > max_lassos:
                raise ValueError(f"mdp: more than {max_lassos} policy trajectories from {mdp.states[s0]!r}; "
                                 "too large for the exact limit (raise max_lassos, or use gamma in (0, 1))")
            if stored > max_stored:
                check_memory("mdp", stored * 16.0, f"the policy trajectories from {mdp.states[s0]!r}")
        else:
            pos[t] = len(path)
            path.append(t)
            stack.append((t, 0, ff))
        if steps > max_steps:
            check_work("mdp", steps * _PY_STEP * 2.0, f"enumerating the policy trajectories from {mdp.states[s0]!r}")
    return out


def _work_limit_steps() -> float:
    from ._checks import work_limit

    return work_limit() / _PY_STEP


# ----------------------------------------------------------------------------- exact limits
def _series_at_one(m: int, L: int, orders: int) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """Taylor coefficients in delta = 1 - gamma of (1 - gamma) gamma^t (path steps t < m) and of
    (1 - gamma) gamma^(m+j) / (1 - gamma^L) (cycle position j).

    With 1 - gamma^L = delta q(delta) and h = 1/q, the cycle coefficient is (1 - delta)^(m+j) h:
    each j follows from the previous one by one multiplication with (1 - delta) (exact rationals).
    """
    q = [Fraction(math.comb(L, i + 1) * (-1) ** i) for i in range(L)]
    h = [Fraction(0)] * orders
    h[0] = 1 / q[0]
    for n in range(1, orders):
        acc = sum((q[i] * h[n - i] for i in range(1, min(n, L - 1) + 1)), Fraction(0))
        h[n] = -acc / q[0]

    def binom(n: int) -> list[Fraction]:
        return [Fraction(math.comb(n, i) * (-1) ** i) for i in range(orders)]

    path = []
    for t in range(m):
        b = binom(t)
        path.append([Fraction(0)] + b[: orders - 1])
    cur = [sum((b * hh for b, hh in zip(binom(m)[: n + 1], reversed(h[: n + 1]))), Fraction(0)) for n in range(orders)]
    cyc = [cur]
    for _ in range(1, L):
        cur = [cur[0]] + [cur[n] - cur[n - 1] for n in range(1, orders)]
        cyc.append(cur)
    return path, cyc


def limit_steps(mdp: MDP, state, limit: str, ties: bool = True) -> float:
    """Work (steps) of the exact limit comparison for one reward vector at ``state`` (builds the
    lasso tables on first use). Every order of the series is compared only among the trajectories
    still tied, so without ties (continuous rewards) the first order costs L x S and the rest
    little; with ties (``ties``: discrete or fixed rewards) up to all O orders.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    state : state name or index
    limit : "one" | "zero"
        gamma -> 1 or gamma -> 0.
    ties : bool, default True
        Whether rewards may tie (then every order may be compared).

    Returns
    -------
    float
        Steps of about 10 ns (the unit of :func:`powerseek.work_limit`).

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP or ``ties`` not a bool.
    ValueError
        If the MDP is stochastic (``mdp``), ``state`` is unknown, ``limit`` is not "one" or
        "zero", or the trajectories are too many (``mdp``).
    tailpower.BudgetError
        If the lasso tables would exceed the memory budget or the work limit.

    Examples
    --------
    >>> import powerseek as ps
    >>> from powerseek.limits import limit_steps
    >>> limit_steps(ps.examples.turner_fig1(), "star", "one")  # 11 trajectories x 17 orders x 8 states + 8
    1504.0
    """
    from ._checks import check_bool

    check_mdp(mdp)
    limit = check_choice("limit", limit, ("one", "zero"))
    ties = check_bool("ties", ties)
    require_deterministic(mdp, "limit_steps")
    coef, _, _ = _lasso_tables(mdp, state, limit)
    L, O, S = coef.shape
    return float(L * S * (O if ties else min(O, 1.25))) + mdp.n_states


def _lasso_tables(mdp: MDP, state, limit: str):
    key = ("lasso", mdp.index(state), limit)
    st = _struct(mdp)
    if key not in st:
        S = mdp.n_states
        ls = lassos(mdp, state)
        orders = 2 * S + 1 if limit == "one" else S + 1
        check_memory("mdp", len(ls) * orders * S * 8.0 * 2,
                     f"the series table of {len(ls)} policy trajectories x {orders} orders x {S} states")
        coef = np.zeros((len(ls), orders, S))
        if limit == "one":
            pairs = {(len(p), len(c)) for _, p, c in ls}
            check_work("mdp", _PY_STEP * 20.0 * sum((m + L + orders) * orders for m, L in pairs),
                       "the exact rational series of the gamma -> 1 limit")
            cache: dict = {}
            for l, (_, path, cyc) in enumerate(ls):
                k = (len(path), len(cyc))
                if k not in cache:
                    pc, cc = _series_at_one(len(path), len(cyc), orders)
                    try:
                        cache[k] = ([[float(x) for x in row] for row in pc], [[float(x) for x in row] for row in cc])
                    except OverflowError:
                        raise ValueError(
                            f"mdp: the gamma -> 1 series of a {len(path) + len(cyc)}-state trajectory has coefficients "
                            f"beyond float64 (S = {S} states); use gamma = 1 - 1e-6 instead of the exact limit") from None
                pc, cc = cache[k]
                for t, s in enumerate(path):
                    coef[l, :, s] += pc[t]
                for j, s in enumerate(cyc):
                    coef[l, :, s] += cc[j]
        else:
            for l, (_, path, cyc) in enumerate(ls):
                traj = list(path) + list(cyc) * (orders // len(cyc) + 1)
                coef[l, np.arange(orders), traj[:orders]] = 1.0
        first = np.array([f for f, _, _ in ls], dtype=np.int64)
        rowabs = np.abs(coef).sum(axis=2).max(axis=0)
        st[key] = (coef, first, rowabs)
    return st[key]


def limit_optimal_actions(mdp: MDP, state, rewards, limit: str, method: str = "auto") -> np.ndarray:
    """Actions at ``state`` optimal in the limit gamma -> 1 (Blackwell) or gamma -> 0: (K, A) bool.

    ``method="pi"`` (gamma -> 1, any MDP; the default there): Veinott's policy iteration on the
    Laurent expansion of the values (:mod:`powerseek.average`): gain first, then bias, then the
    higher orders up to S; an action is optimal when its advantage over the Blackwell-optimal
    policy vanishes at every order, i.e. some Blackwell-optimal policy takes it. No trajectories
    are enumerated (work polynomial in S).

    ``method="lassos"`` (deterministic MDPs; the default for gamma -> 0): every deterministic
    stationary policy's value from s is a lasso, V(gamma) = sum_{t<m} gamma^t r(p_t) + sum_{j<L}
    gamma^(m+j) r(c_j) / (1 - gamma^L), and the lassos are enumerated (their number grows
    exponentially; refused naming ``mdp`` beyond a cap).

    - gamma -> 1: (1 - gamma) V is analytic in delta = 1 - gamma; its Taylor coefficients (computed
      in exact rational arithmetic, then applied to r) start with the gain (cycle mean) and then
      carry the bias and higher terms. For small delta > 0 the order of two policies is the
      lexicographic order of these coefficient sequences, and two lasso values that agree on the
      first 2S + 1 coefficients are equal (their difference times (1 - gamma^L1)(1 - gamma^L2) is
      a polynomial of degree <= 2S). The lexicographic maxima are the Blackwell-optimal
      policies: gain first, then rewards on the way break ties.
    - gamma -> 0: V = sum_t gamma^t r(s_t), so compare (r(s_0), r(s_1), ...) lexicographically; S + 1
      terms decide.

    Ties: coefficients within 1e-9 x (largest coefficient row norm) x max|r| count as equal;
    exact ties (equal rational coefficients) are equal in float64 up to rounding far inside that.
    Rewards are scaled by a power of two first (the order is invariant), so no sum overflows.

    Parameters
    ----------
    mdp : MDP
    state : state name or index
    rewards : array (S,) or (K, S)
        Rewards on states, in ``mdp.states`` order.
    limit : "one" | "zero"
        gamma -> 1 (Blackwell optimality) or gamma -> 0.
    method : "auto" | "pi" | "lassos"

    Returns
    -------
    ndarray of bool (A,) or (K, A)
        Columns in ``mdp.action_mask``'s layout; absent actions are False.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP or ``rewards`` not real.
    ValueError
        ``limit`` or ``method`` unknown, or "pi" with ``limit="zero"`` (``method``); "lassos" on a
        stochastic MDP or with too many trajectories (``mdp``); ``state`` unknown; ``rewards`` of
        the wrong shape or not finite; policy iteration that does not settle (``mdp``).
    tailpower.BudgetError
        If the work would exceed the memory budget or the work limit.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.turner_fig1()
    >>> R = [0, 0.5, 0, 0, 0, 0, 1, 1]  # r_ne and r_se pay 1: going r is Blackwell-optimal
    >>> ok = ps.limit_optimal_actions(mdp, "star", R, "one")
    >>> [a for a, m in zip(mdp.actions[0], ok[mdp.action_mask[0]]) if m]
    ['r']
    """
    check_mdp(mdp)
    limit = check_choice("limit", limit, ("one", "zero"))
    method = check_choice("method", method, ("auto", "pi", "lassos"))
    s = mdp.index(state)
    R, squeeze = reward_matrix(mdp, rewards)
    if method == "auto":
        method = "pi" if limit == "one" else "lassos"
    if method == "pi":
        if limit == "zero":
            raise ValueError("method: 'pi' computes the gamma -> 1 limit; use method='lassos' for limit='zero'")
        from . import average

        Rs = R / pow2_scale(R)
        out = np.zeros((R.shape[0], mdp.n_actions), dtype=np.bool_)
        for lo, hi in _row_blocks(R.shape[0], average.steps(mdp, ties=True, blackwell=True)):
            opt = average.solve(mdp, np.ascontiguousarray(Rs[lo:hi]), True, query=s)[4]
            out[lo:hi, mdp.valid_columns(s)] = opt
        return out[0] if squeeze else out
    require_deterministic(mdp, "limit_optimal_actions with method='lassos'")
    coef, first, rowabs = _lasso_tables(mdp, s, limit)
    Rs = R / pow2_scale(R)
    out = np.zeros((R.shape[0], mdp.n_actions), dtype=np.bool_)
    for lo, hi in _row_blocks(R.shape[0], float(coef.size)):
        _kernels.lexicographic_best(Rs[lo:hi], coef, first, rowabs, 1e-9, out[lo:hi])
    return out[0] if squeeze else out
