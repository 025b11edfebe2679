"""Exact policy values, Q values and the masks of optimal actions (private; public through
:mod:`powerseek.solvers` and :mod:`powerseek`). Conventions as in :mod:`powerseek.solvers`
(Turner et al. 2021, "Optimal Policies Tend to Seek Power", section 2: rewards on states,
collected from t = 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from tailpower._common import check_memory

from . import _policy_iteration as _pi
from ._bellman import expectations
from ._checks import Unsupported, check_gamma, check_positive, pow2_scale, reward_matrix
from .limits import check_mdp
from .model import MDP
from .solvers import _HUGE, solve

__all__ = ["policy_value", "q_values", "optimal_actions"]


def policy_value(mdp: MDP, policy, reward, gamma: float) -> np.ndarray:
    """Exact V^pi_R by a linear solve: (I - gamma P_pi) V = R (sparse LU and two steps of
    iterative refinement with long-double residuals).

    Parameters
    ----------
    mdp : MDP
    policy : sequence of length S
        ``policy[s]`` is an action of state s: its name, or its position among the state's
        valid actions (ints).
    reward : array (S,)
        One reward vector, in ``mdp.states`` order.
    gamma : float in (0, 1)

    Returns
    -------
    ndarray (S,)
        V^pi_R(s) = E[sum_t gamma^t R(s_t)] from each state, rewards collected from t = 0.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, ``policy`` is not a sequence, or ``reward`` or ``gamma`` is not
        real.
    ValueError
        ``gamma`` outside (0, 1); ``reward`` not one finite vector of length S, or so large that
        R/(1 - gamma) overflows; ``policy`` of the wrong length or naming an action a state does
        not have.
    tailpower.BudgetError
        If the LU factorisation would exceed the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.wait()  # start -> {candy, wait}; wait -> {chocolate, hug}
    >>> mdp.states
    ('start', 'candy', 'wait', 'chocolate', 'hug')
    >>> v = ps.policy_value(mdp, ["wait", "candy", "hug", "chocolate", "hug"], [0, 0, 0, 0, 1], 0.5)
    >>> v.round(12).tolist()  # start -> wait -> hug, then stay: 0.25/(1 - 0.5) = 0.5
    [0.5, 0.0, 1.0, 0.0, 2.0]
    """
    check_mdp(mdp)
    gamma = check_gamma(gamma)
    r, squeeze = reward_matrix(mdp, reward, "reward")
    if not squeeze:
        raise ValueError("reward: expected one reward vector of shape (S,)")
    S = mdp.n_states
    if isinstance(policy, (str, bytes)) or not isinstance(policy, (Sequence, np.ndarray)):
        raise TypeError(f"policy: expected one action per state (a sequence of length {S}), got {type(policy).__name__}")
    if len(policy) != S:
        raise ValueError(f"policy: expected one action per state ({S}), got {len(policy)}")
    rmax = float(np.abs(r).max())
    if rmax / (1.0 - gamma) > _HUGE:
        raise ValueError(f"reward: V = R/(1 - gamma) reaches {rmax:.3g}/{1 - gamma:.3g}, beyond float64")
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    act_ptr, act_col = mdp.csr[0], mdp.csr[1]
    ent = np.empty(S, dtype=np.int64)
    for s in range(S):
        col = mdp.action_index(s, policy[s], name="policy")
        ent[s] = act_ptr[s] + int(np.searchsorted(act_col[act_ptr[s]:act_ptr[s + 1]], col))
    row, t, p = _pi._rows_of(mdp, ent)
    check_memory("mdp", 8.0 * (40 * len(p) + 40 * S) * max(1.0, math.log2(S)),
                 f"the sparse LU factorisation of a {S}-state policy evaluation")
    c = pow2_scale(r)
    M = (sp.identity(S, format="csc") - gamma * sp.csr_matrix((p, (row, t)), shape=(S, S))).tocsc()
    try:
        lu = splu(M)
    except RuntimeError:
        raise Unsupported(f"gamma: I - gamma P is numerically singular at gamma = {gamma!r}") from None
    v = lu.solve(r[0] / c)
    for _ in range(2):  # iterative refinement with long double residuals
        ld = np.longdouble
        Pv = np.zeros(S, dtype=ld)
        np.add.at(Pv, row, p.astype(ld) * v[t].astype(ld))
        v = v + lu.solve(((r[0] / c).astype(ld) + ld(gamma) * Pv - v.astype(ld)).astype(float))
    return v * c


def q_values(mdp: MDP, V, rewards, gamma: float, state=None) -> np.ndarray:
    """Q(s, a) = R(s) + gamma sum_s' T(s, a, s') V(s'); -inf for absent actions.

    Parameters
    ----------
    mdp : MDP
    V : array (S,) or (K, S)
        Values of the states (e.g. ``value_iteration(...).values``).
    rewards : array (S,) or (K, S)
        Rewards on states; one of ``V`` and ``rewards`` may be a single vector for a batch of
        the other.
    gamma : float in [0, 1]
    state : state name or index, optional
        Only this state's actions.

    Returns
    -------
    ndarray
        (S, A) or (K, S, A); with ``state``, (A,) or (K, A). Columns follow ``mdp.action_mask``'s
        action layout; absent actions are -inf.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, or ``V``, ``rewards`` or ``gamma`` is not real.
    ValueError
        ``gamma`` outside [0, 1]; ``V`` or ``rewards`` of the wrong shape or not finite, or
        batches of different sizes; ``state`` unknown; values so large that R + gamma T V would
        overflow.
    tailpower.BudgetError
        If the Q table would exceed the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.wait()
    >>> mdp.states
    ('start', 'candy', 'wait', 'chocolate', 'hug')
    >>> q = ps.q_values(mdp, [0.0, 0.0, 1.0, 0.0, 2.0], [0.0] * 5, 0.5, state="start")
    >>> q[mdp.action_mask[0]].tolist()  # to candy (V = 0) and to wait (V = 1)
    [0.0, 0.5]
    """
    check_mdp(mdp)
    gamma = check_gamma(gamma, open_interval=False)
    V2, sq_v = reward_matrix(mdp, V, "V")
    R2, sq_r = reward_matrix(mdp, rewards)
    if V2.shape[0] != R2.shape[0] and 1 not in (V2.shape[0], R2.shape[0]):
        raise ValueError(f"rewards: {R2.shape[0]} reward vectors for {V2.shape[0]} value vectors")
    s_idx = None if state is None else mdp.index(state)
    if float(np.abs(R2).max()) + gamma * float(np.abs(V2).max()) > _HUGE:
        raise ValueError("V: R + gamma T V would overflow float64; scale rewards and values down")
    Q = _q_table(mdp, V2, R2, gamma, s_idx, "V")
    return Q[0] if (sq_v and sq_r) else Q


def _q_table(mdp: MDP, V2: np.ndarray, R2: np.ndarray, gamma: float, s_idx: int | None, param: str) -> np.ndarray:
    K = max(V2.shape[0], R2.shape[0])
    A = mdp.n_actions
    check_memory(param, K * (len(mdp.csr[4]) + (A if s_idx is not None else mdp.n_states * A)) * 8.0 * 2,
                 f"Q values of {K} value vectors")
    V2 = np.broadcast_to(V2, (K, mdp.n_states))
    R2 = np.broadcast_to(R2, (K, mdp.n_states))
    act_ptr, act_col, _, _, _ = mdp.csr
    if s_idx is not None:
        sel = slice(int(act_ptr[s_idx]), int(act_ptr[s_idx + 1]))
        Q = np.full((K, A), -np.inf)
        Q[:, act_col[sel]] = R2[:, s_idx, None] + gamma * expectations(mdp, V2)[:, sel]
    else:
        ent_state = np.repeat(np.arange(mdp.n_states), np.diff(act_ptr))
        Q = np.full((K, mdp.n_states, A), -np.inf)
        Q[:, ent_state, act_col] = R2[:, ent_state] + gamma * expectations(mdp, V2)
    return Q


def optimal_actions(mdp: MDP, rewards, gamma: float, eps: float = 1e-10, state=None) -> np.ndarray:
    """Boolean mask of optimal actions, ties detected: (S, A) (or (K, S, A), or (K, A) at ``state``).

    With V from :func:`value_iteration` (||V - V*|| <= eps) every Q value is within gamma eps of the
    true Q*, so action a counts as optimal when Q(s, a) >= max_b Q(s, b) - 2 gamma eps (plus 1e-12
    relative rounding slack). Exact ties (e.g. two actions with the same successor) are always
    detected; a non-optimal action is reported optimal only if it is within 2 gamma eps of optimal.
    The rewards are scaled by a power of two first (optimal actions do not change), and eps is
    relative to that scale: rewards of size 1e-20 are compared as carefully as rewards of size 1.

    Parameters
    ----------
    mdp : MDP
    rewards : array (S,) or (K, S)
        Rewards on states, in ``mdp.states`` order.
    gamma : float in (0, 1)
    eps : float > 0
        Accuracy of V* (scaled units); actions within 2 gamma eps of the best count as optimal.
    state : state name or index, optional
        Only this state's actions.

    Returns
    -------
    ndarray of bool
        (S, A), or (K, S, A) for a batch; with ``state``, (A,) or (K, A). Columns follow
        ``mdp.action_mask``'s layout; absent actions are False.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, or ``rewards``, ``gamma`` or ``eps`` is not real.
    ValueError
        ``gamma`` outside (0, 1) or too close to 1 for float64; ``eps`` <= 0; ``rewards`` of the
        wrong shape or not finite; ``state`` unknown.
    tailpower.BudgetError
        If the masks would exceed the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.turner_fig1()
    >>> R = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # only "empty" pays
    >>> ok = ps.optimal_actions(mdp, R, 0.9, state="star")
    >>> [a for a, m in zip(mdp.actions[0], ok[mdp.action_mask[0]]) if m]
    ['empty']
    """
    check_mdp(mdp)
    gamma = check_gamma(gamma)
    eps = check_positive("eps", eps)
    R, squeeze = reward_matrix(mdp, rewards)
    s_idx = None if state is None else mdp.index(state)
    A = mdp.n_actions
    width = A if s_idx is not None else mdp.n_states * A
    K = R.shape[0]
    check_memory("rewards", K * width * 1.0 + R.nbytes, f"the optimal-action masks of {K} reward vectors")
    out = np.empty((K, A) if s_idx is not None else (K, mdp.n_states, A), dtype=bool)
    c = pow2_scale(R)
    rows = max(1, (1 << 21) // (width + len(mdp.csr[4])))
    for lo in range(0, K, rows):  # row blocks: the float Q table is never larger than ~32 MiB
        Rs = R[lo:lo + rows] / c
        V, _, bound, _ = solve(mdp, Rs, gamma, eps)
        Q = _q_table(mdp, V, Rs, gamma, s_idx, "rewards")
        top = Q.max(axis=-1, keepdims=True)
        slack = 2 * gamma * bound + 1e-12 * np.maximum(np.abs(top), 1.0)
        out[lo:lo + rows] = Q >= top - slack
    return out[0] if squeeze else out
