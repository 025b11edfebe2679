"""Solvers: batched value iteration (policy iteration where value iteration is impractical), exact
policy evaluation and optimal actions; the gamma -> 0 and gamma -> 1 limits of deterministic MDPs
live in :mod:`powerseek.limits` and are re-exported here.

Conventions (Turner et al. 2021, section 2): rewards live on states and are collected from t = 0,
V*_R(s, gamma) = R(s) + gamma max_a sum_s' T(s, a, s') V*_R(s', gamma).

Every solver keeps the contract of docs/contract.md: rewards are scaled by a power of two before
solving (V* is positively homogeneous in R, so nothing overflows near 1e308 or underflows near
5e-324), value iteration has an iteration cap sized from the contraction rate, discount rates that
would need more than ``MAX_SWEEPS`` sweeps go to policy iteration (exact linear solves, a
posteriori residual bound) or are refused with a ValueError naming gamma, and compiled kernels are
called on row blocks so that Ctrl-C is honoured between blocks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tailpower._common import check_memory

from . import _kernels
from ._bellman import expectations
from ._checks import Unsupported, check_choice, check_gamma, check_positive, pow2_scale, reward_matrix
from ._policy_iteration import policy_iteration
from .limits import (
    _row_blocks,
    _scc,  # noqa: F401 -- re-exported for the estimators
    check_mdp,
    lassos,
    limit_optimal_actions,
    max_gain,
    reachable_cycles,
)
from .model import MDP

__all__ = [
    "VIResult",
    "value_iteration",
    "policy_value",
    "q_values",
    "optimal_actions",
    "reachable_cycles",
    "lassos",
    "max_gain",
    "limit_optimal_actions",
    "MAX_SWEEPS",
]

_EPS_MACH = np.finfo(float).eps
#: value iteration is never asked for more sweeps than this per reward vector
MAX_SWEEPS = 1_000_000
#: below this many sweeps value iteration is always used (it is the reference method)
_PREFER_VI_SWEEPS = 10_000
#: policy iteration solves dense S x S systems: at most this many states
_MAX_PI_STATES = 3000
#: one reward vector may cost at most this many steps of value iteration in a single kernel call
_MAX_ROW_STEPS = 2e9
_PI_ITERS = 8
_HUGE = 1e307


@dataclass(frozen=True, eq=False)
class VIResult:
    """Output of :func:`value_iteration`.

    Attributes
    ----------
    values : ndarray (K, S) or (S,)
        Approximations V of V*_R, with ``max_s |V(s) - V*_R(s)| <= bound`` for every row.
    iterations : ndarray of int
        Bellman sweeps (value iteration) or policy-improvement steps (policy iteration) per
        reward vector.
    bound : float
        The guaranteed sup-norm error (``eps``, or larger if ``eps`` was below what float64
        arithmetic can certify; see :func:`value_iteration`).
    method : str
        "vi" (value iteration) or "pi" (policy iteration).
    """

    values: np.ndarray
    iterations: np.ndarray
    bound: float
    method: str = "vi"


@dataclass(frozen=True)
class _Plan:
    method: str
    thresh: float
    bound: float
    sweeps: float
    steps_per_row: float


def _sweeps(gamma: float, thresh: float, rmax: float) -> float:
    """Sweeps until ||V_{i+1} - V_i|| <= thresh, from ||V_{i+1} - V_i|| <= gamma^(i+1) rmax."""
    if rmax == 0.0 or thresh >= gamma * rmax:
        return 1.0
    return float(math.ceil(math.log(thresh / rmax) / math.log(gamma)))


def plan(mdp: MDP, gamma: float, eps: float, rmax: float, method: str = "auto", param: str = "gamma") -> _Plan:
    """Choose value or policy iteration for rewards of size ``rmax`` and accuracy ``eps`` (both in
    the scaled units of the solver), or refuse with a ValueError naming ``param``."""
    S = mdp.n_states
    A = mdp.transitions.shape[1]
    _, _, tr_ptr, _, prob = mdp.csr
    nnz, E = len(prob), len(tr_ptr) - 1
    eps = min(eps, 1e100)
    with np.errstate(over="ignore"):
        thresh = eps * (1.0 - gamma) / gamma
    floor = 64 * _EPS_MACH * rmax / (1.0 - gamma)
    if thresh < floor:
        thresh, bound = floor, floor * gamma / (1.0 - gamma)
    else:
        bound = eps
    sweeps = _sweeps(gamma, thresh, rmax)
    vi_row = sweeps * (nnz + S + E)
    pi_row = _PI_ITERS * (S**3 / 30 + S * A * S / 5 + 300.0)
    pi_ok = S <= _MAX_PI_STATES
    vi_ok = sweeps <= MAX_SWEEPS and vi_row <= _MAX_ROW_STEPS

    def refuse(why: str):
        hint = ", or gamma = 1 (the exact limit)" if mdp.is_deterministic else ""
        raise ValueError(
            f"{param}: value iteration needs about {sweeps:.2g} sweeps at gamma = {gamma!r} "
            f"(more than {MAX_SWEEPS:.0e} sweeps or {_MAX_ROW_STEPS:.0e} steps per reward vector), {why}; "
            f"use a smaller gamma{hint}")

    if method == "vi":
        if not vi_ok:
            refuse("and method='vi' was asked for")
        return _Plan("vi", thresh, bound, sweeps, vi_row)
    if method == "pi":
        if not pi_ok:
            raise ValueError(f"method: policy iteration is limited to {_MAX_PI_STATES} states, the MDP has {S}")
        return _Plan("pi", thresh, bound, sweeps, pi_row)
    certifies = bound <= eps  # else float64 rounding keeps value iteration above eps
    if vi_ok and (not pi_ok or (certifies and (sweeps <= _PREFER_VI_SWEEPS or vi_row <= 4 * pi_row))):
        return _Plan("vi", thresh, bound, sweeps, vi_row)
    if pi_ok:
        return _Plan("pi", thresh, bound, sweeps, pi_row)
    refuse(f"and policy iteration is limited to {_MAX_PI_STATES} states (the MDP has {S})")


def solve(mdp: MDP, Rs: np.ndarray, gamma: float, eps: float, method: str = "auto",
          param: str = "gamma") -> tuple[np.ndarray, np.ndarray, float, str]:
    """V* for rewards ``Rs`` already scaled to size about 1: ``(V, iterations, bound, method)``."""
    rmax = float(np.abs(Rs).max())
    p = plan(mdp, gamma, eps, rmax, method, param)
    K = Rs.shape[0]
    if p.method == "pi":
        V, iters, bounds = policy_iteration(mdp, Rs, gamma)
        bound = float(bounds.max())
        _check_certified(bound, eps, rmax, gamma, param)
        return V, iters, max(min(p.bound, eps), bound), "pi"
    act_ptr, _, tr_ptr, nxt, prob = mdp.csr
    V = np.empty_like(Rs)
    iters = np.empty(K, dtype=np.int64)
    diff = np.empty(K)
    max_iter = int(p.sweeps + 10 + p.sweeps // 100)
    for lo, hi in _row_blocks(K, p.steps_per_row):
        _kernels.value_iteration(Rs[lo:hi], gamma, p.thresh, act_ptr, tr_ptr, nxt, prob, max_iter,
                                 V[lo:hi], iters[lo:hi], diff[lo:hi])
    bound = p.bound
    late = iters > max_iter
    if late.any():  # rounding kept the sweeps from settling: certify what was reached
        bound = max(bound, float(diff[late].max()) * gamma / (1.0 - gamma))
    _check_certified(bound, eps, rmax, gamma, param)
    return V, iters, float(bound), "vi"


def _check_certified(bound: float, eps: float, rmax: float, gamma: float, param: str) -> None:
    """Refuse when float64 cannot certify V* to eps nor to 1e-3 of its size (1 - gamma near
    machine epsilon)."""
    if bound > eps and bound > 1e-3 * rmax / (1.0 - gamma):
        raise ValueError(f"{param}: at gamma = {gamma!r} (1 - gamma = {1 - gamma:.3g}) float64 cannot certify V* better "
                         f"than {bound * (1 - gamma) / max(rmax, 1e-300):.2g} relative to the rewards; use "
                         "gamma <= 1 - 1e-12, or gamma = 1 (the exact limit) on a deterministic MDP")


def value_iteration(mdp: MDP, rewards, gamma: float, eps: float = 1e-10, method: str = "auto") -> VIResult:
    """V*_R for a batch of K reward vectors at once (numba, parallel over the batch).

    Iterates V_{i+1} = R + gamma max_a T_a V_i from V_0 = R and stops at the first i with
    ||V_{i+1} - V_i||_inf <= eps (1 - gamma) / gamma. Since the Bellman operator B is a
    gamma-contraction, ||V_{i+1} - V*|| <= gamma/(1 - gamma) ||V_{i+1} - V_i|| <= eps: **the
    returned values are within eps of V* in sup norm** (exact arithmetic; float64 rounding adds
    about S * 1e-16 * max|R| / (1 - gamma)^2). If the threshold eps (1 - gamma)/gamma would be
    below 64 ulp of max|V*| it is raised to that and ``bound`` reports the larger eps.

    Value iteration needs about log(eps (1 - gamma)/max|R|) / log(gamma) sweeps. When that is
    more than 10,000 and policy iteration (Howard; exact solves of (I - gamma P_pi) V = R) is
    cheaper, ``method="auto"`` uses policy iteration (at most 3000 states), whose ``bound`` is the
    a posteriori residual bound ||B V - V|| / (1 - gamma) including rounding; beyond
    ``MAX_SWEEPS`` = 1e6 sweeps without that option the call is refused (ValueError naming gamma).

    Parameters
    ----------
    mdp : MDP
    rewards : array (S,) or (K, S)
        Rewards on states, in ``mdp.states`` order.
    gamma : float in (0, 1)
    eps : float > 0
        Sup-norm error bound on V*.
    method : "auto" | "vi" | "pi"
    """
    check_mdp(mdp)
    gamma = check_gamma(gamma)
    eps = check_positive("eps", eps)
    method = check_choice("method", method, ("auto", "vi", "pi"))
    R, squeeze = reward_matrix(mdp, rewards)
    check_memory("rewards", R.nbytes * 3.0, f"value iteration on {R.shape[0]} reward vectors")
    rmax = float(np.abs(R).max())
    if rmax / (1.0 - gamma) > _HUGE:
        raise ValueError(f"rewards: V* = R/(1 - gamma) reaches {rmax:.3g}/{1 - gamma:.3g}, beyond float64; "
                         "scale the rewards down (V* is linear in them)")
    c = pow2_scale(R)
    V, iters, bound, meth = solve(mdp, R / c, gamma, eps / c, method)
    V *= c
    return VIResult(V[0] if squeeze else V, iters[0] if squeeze else iters, float(bound * c), meth)


def policy_value(mdp: MDP, policy, reward, gamma: float) -> np.ndarray:
    """Exact V^pi_R by a linear solve: (I - gamma P_pi) V = R.

    ``policy[s]`` is an action of state s: its name, or its position among the state's valid
    actions (ints). Returns V (S,).
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
    check_memory("mdp", 3.0 * S * S * 8, f"the {S} x {S} linear system of policy evaluation")
    rmax = float(np.abs(r).max())
    if rmax / (1.0 - gamma) > _HUGE:
        raise ValueError(f"reward: V = R/(1 - gamma) reaches {rmax:.3g}/{1 - gamma:.3g}, beyond float64")
    P = np.empty((S, S))
    for s in range(S):
        P[s] = mdp.transitions[s, mdp.action_index(s, policy[s], name="policy")]
    c = pow2_scale(r)
    try:
        return np.linalg.solve(np.eye(S) - gamma * P, r[0] / c) * c
    except np.linalg.LinAlgError:
        raise Unsupported(f"gamma: I - gamma P is numerically singular at gamma = {gamma!r}") from None


def q_values(mdp: MDP, V, rewards, gamma: float, state=None) -> np.ndarray:
    """Q(s, a) = R(s) + gamma sum_s' T(s, a, s') V(s'); -inf for absent actions.

    ``V`` and ``rewards`` are (S,) or (K, S) (one of them may be a single vector). With ``state``
    given, returns (K, A) for that state only; else (K, S, A).
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
    A = mdp.transitions.shape[1]
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
    """
    check_mdp(mdp)
    gamma = check_gamma(gamma)
    eps = check_positive("eps", eps)
    R, squeeze = reward_matrix(mdp, rewards)
    s_idx = None if state is None else mdp.index(state)
    A = mdp.transitions.shape[1]
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
