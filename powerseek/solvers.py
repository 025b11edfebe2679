"""Solvers: batched value iteration and policy iteration, exact policy evaluation and optimal
actions; the gamma -> 0 and gamma -> 1 limits live in :mod:`powerseek.limits` and
:mod:`powerseek.average` and are re-exported here.

Conventions (Turner et al. 2021, section 2): rewards live on states and are collected from t = 0,
V*_R(s, gamma) = R(s) + gamma max_a sum_s' T(s, a, s') V*_R(s', gamma).

Two methods, chosen per call by their estimated cost (``method="auto"``) and reported in the
result:

- value iteration ("vi", the reference method): V_{i+1} = B V_i until the step is small; costs
  about log(eps (1 - gamma)) / log(gamma) sweeps, which grows like 1/(1 - gamma);
- policy iteration ("pi"): exact evaluation of the current policy (on deterministic MDPs in O(S)
  on the policy's functional graph; on stochastic ones by dense or sparse LU solves) and greedy
  improvement; a handful of improvement steps at any gamma (:mod:`powerseek._policy_iteration`),
  certified a posteriori by the double-double Bellman residual.

Every solver keeps the contract of docs/contract.md: rewards are scaled by a power of two before
solving (V* is positively homogeneous in R, so nothing overflows near 1e308 or underflows near
5e-324), value iteration has an iteration cap sized from the contraction rate, policy iteration
an improvement cap, discount rates that neither can certify in float64 are refused with a
ValueError naming gamma, and compiled kernels are called on row blocks so that Ctrl-C is
honoured between blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tailpower._common import check_memory
from tailpower._results import ResultMixin

from . import _kernels
from . import _policy_iteration as _pi
from ._bellman import greedy
from ._checks import check_choice, check_gamma, check_positive, pow2_scale, reward_matrix
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
    "policy_iteration",
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
#: one reward vector may cost at most this many steps of value iteration in a single kernel call
_MAX_ROW_STEPS = 2e9
_HUGE = 1e307


@dataclass(frozen=True, eq=False)
class VIResult(ResultMixin):
    """Output of :func:`value_iteration` and :func:`policy_iteration`.

    Attributes
    ----------
    values : ndarray (K, S) or (S,)
        Approximations V of V*_R, with ``max_s |V(s) - V*_R(s)| <= bound`` for every row.
    iterations : ndarray of int
        Bellman sweeps (value iteration) or policy evaluations (policy iteration) per reward
        vector.
    bound : float
        The guaranteed sup-norm error (``eps``, or larger if ``eps`` was below what float64
        arithmetic can certify; see :func:`value_iteration`).
    method : str
        "vi" (value iteration) or "pi" (policy iteration).
    policy : ndarray of int (K, S) or (S,)
        A greedy policy of ``values``: ``policy[s]`` is the column (in ``mdp.action_mask``'s
        action layout) of the first action maximising sum_s' T(s, a, s') V(s'), as QuantEcon's
        ``sigma`` and pymdptoolbox's ``policy``. Its value is within 2 gamma bound / (1 - gamma)
        of V* (and optimal when no two actions are that close).

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.MDP.gridworld(1, 2)  # two cells; actions ("E", "stay") and ("W", "stay")
    >>> res = ps.value_iteration(mdp, [0.0, 1.0], 0.5)  # go east, then stay: 0.5 + 0.25 + ... = 1
    >>> res.values.round(9).tolist(), res.policy.tolist()  # columns: 0 = "E" at 0,0; 1 = "stay" at 0,1
    ([1.0, 2.0], [0, 1])
    """

    values: np.ndarray
    iterations: np.ndarray
    bound: float
    method: str = "vi"
    policy: np.ndarray | None = None
    _value_field = "values"
    _error_field = "bound"


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


def pi_steps(mdp: MDP, gamma: float) -> tuple[float, bool]:
    """Estimated steps of policy iteration for one reward vector, and whether it is available.

    Improvement steps grow slowly with gamma (measured on gridworlds: 3 at gamma = 0.5, 9 at 0.99,
    16 at 1 - 1e-6); each costs an evaluation plus a pass over the actions; the certificate is one
    double-double residual sweep (about 10 steps per transition)."""
    S = mdp.n_states
    _, _, tr_ptr, _, prob = mdp.csr
    nnz, E = len(prob), len(tr_ptr) - 1
    iters = 4.0 + 2.5 * math.log10(1.0 / max(1.0 - gamma, 1e-16))
    cert = 10.0 * nnz + 2.0 * E + S
    if mdp.is_deterministic:
        return iters * (6.0 * S + 2.0 * E) + cert, True
    if S <= _pi.MAX_DENSE:
        return 2.0 * iters * (S**3 / 30 + 6.0 * E + 300.0) + cert, True
    return iters * (3e4 + 60.0 * nnz * math.log2(S + 2.0)) + cert, True


def plan(mdp: MDP, gamma: float, eps: float, rmax: float, method: str = "auto", param: str = "gamma") -> _Plan:
    """Choose value or policy iteration for rewards of size ``rmax`` and accuracy ``eps`` (both in
    the scaled units of the solver), or refuse with a ValueError naming ``param``."""
    S = mdp.n_states
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
    pi_row, pi_ok = pi_steps(mdp, gamma)
    vi_ok = sweeps <= MAX_SWEEPS and vi_row <= _MAX_ROW_STEPS

    if method == "vi":
        if not vi_ok:
            raise ValueError(
                f"{param}: value iteration needs about {sweeps:.2g} sweeps at gamma = {gamma!r} (more than "
                f"{MAX_SWEEPS:.0e} sweeps or {_MAX_ROW_STEPS:.0e} steps per reward vector) and method='vi' was "
                "asked for; use method='pi' or 'auto' (policy iteration)")
        return _Plan("vi", thresh, bound, sweeps, vi_row)
    if method == "pi":
        return _Plan("pi", thresh, bound, sweeps, pi_row)
    certifies = bound <= eps  # else float64 rounding keeps value iteration above eps
    if vi_ok and (not pi_ok or (certifies and vi_row <= pi_row)):
        return _Plan("vi", thresh, bound, sweeps, vi_row)
    return _Plan("pi", thresh, bound, sweeps, pi_row)


def solve(mdp: MDP, Rs: np.ndarray, gamma: float, eps: float, method: str = "auto",
          param: str = "gamma", want_policy: bool = False):
    """V* for rewards ``Rs`` already scaled to size about 1: ``(V, iterations, bound, method)``,
    and the greedy policy's entries as a fifth item when ``want_policy``.

    With ``method="auto"`` the method is chosen per reward vector from scale-free quantities (the
    sweeps value iteration needs for that vector's own max|R| at accuracy eps), so a vector gets
    the same answer, bit for bit, alone or in any batch. ``method`` of the result is "vi", "pi",
    or "vi+pi" when a batch used both."""
    rmax = float(np.abs(Rs).max())
    p = plan(mdp, gamma, eps, rmax, method, param)
    K = Rs.shape[0]
    if p.method == "pi" and method == "auto":  # rows with small rewards may settle in a few sweeps
        row_max = np.abs(Rs).max(axis=1)
        sweeps = np.array([_sweeps(gamma, p.thresh, float(m)) for m in row_max])
        _, _, tr_ptr, _, prob = mdp.csr
        use_pi = (sweeps * (len(prob) + mdp.n_states + len(tr_ptr) - 1) > p.steps_per_row) | (p.bound > eps)
    else:
        use_pi = np.full(K, p.method == "pi")
    V = np.empty_like(Rs)
    iters = np.empty(K, dtype=np.int64)
    pol = np.empty(Rs.shape, dtype=np.int64) if want_policy or use_pi.any() else None
    bound = 0.0
    pi_rows = np.flatnonzero(use_pi)
    vi_rows = np.flatnonzero(~use_pi)
    if pi_rows.size:
        impl = (_pi.functional if mdp.is_deterministic else _pi.dense if mdp.n_states <= _pi.MAX_DENSE
                else _pi.sparse)
        Rp = np.ascontiguousarray(Rs[pi_rows])
        for lo, hi in _row_blocks(pi_rows.size, p.steps_per_row):
            v, it, _ = impl(mdp, Rp[lo:hi], gamma)
            b, pol[pi_rows[lo:hi]] = _pi.certify(mdp, Rp[lo:hi], v, gamma)
            V[pi_rows[lo:hi]], iters[pi_rows[lo:hi]] = v, it
            bound = max(bound, float(b.max()))
    if vi_rows.size:
        act_ptr, _, tr_ptr, nxt, prob = mdp.csr
        Rv = Rs if vi_rows.size == K else np.ascontiguousarray(Rs[vi_rows])
        v = np.empty_like(Rv)
        it = np.empty(vi_rows.size, dtype=np.int64)
        diff = np.empty(vi_rows.size)
        max_iter = int(p.sweeps + 10 + p.sweeps // 100)
        vi_steps = p.sweeps * (len(prob) + mdp.n_states + len(tr_ptr) - 1)
        for lo, hi in _row_blocks(vi_rows.size, vi_steps):
            _kernels.value_iteration(Rv[lo:hi], gamma, p.thresh, act_ptr, tr_ptr, nxt, prob, max_iter,
                                     v[lo:hi], it[lo:hi], diff[lo:hi])
        b = p.bound
        late = it > max_iter
        if late.any():  # rounding kept the sweeps from settling: certify what was reached
            b = max(b, float(diff[late].max()) * gamma / (1.0 - gamma))
        V[vi_rows], iters[vi_rows] = v, it
        bound = max(bound, b)
        if want_policy:
            pol[vi_rows] = greedy(mdp, v)
    _check_certified(bound, eps, rmax, gamma, param)
    meth = "pi" if vi_rows.size == 0 else "vi" if pi_rows.size == 0 else "vi+pi"
    out = (V, iters, float(bound), meth)
    return out + (pol,) if want_policy else out


def _check_certified(bound: float, eps: float, rmax: float, gamma: float, param: str) -> None:
    """Refuse when float64 cannot certify V* to eps nor to 1e-3 of its size (1 - gamma near
    machine epsilon)."""
    if bound > eps and bound > 1e-3 * rmax / (1.0 - gamma):
        raise ValueError(f"{param}: at gamma = {gamma!r} (1 - gamma = {1 - gamma:.3g}) float64 cannot certify V* better "
                         f"than {bound * (1 - gamma) / max(rmax, 1e-300):.2g} relative to the rewards; use "
                         "gamma <= 1 - 1e-12, or gamma = 1 (the exact limit)")


def _solve_public(mdp, rewards, gamma, eps, method) -> VIResult:
    check_mdp(mdp)
    gamma = check_gamma(gamma)
    eps = check_positive("eps", eps)
    R, squeeze = reward_matrix(mdp, rewards)
    check_memory("rewards", R.nbytes * 5.0, f"solving for {R.shape[0]} reward vectors")
    rmax = float(np.abs(R).max())
    if rmax / (1.0 - gamma) > _HUGE:
        raise ValueError(f"rewards: V* = R/(1 - gamma) reaches {rmax:.3g}/{1 - gamma:.3g}, beyond float64; "
                         "scale the rewards down (V* is linear in them)")
    c = pow2_scale(R)
    V, iters, bound, meth, ent = solve(mdp, R / c, gamma, eps / c, method, want_policy=True)
    V *= c
    pol = mdp.csr[1][ent]
    if squeeze:
        return VIResult(V[0], iters[0], float(bound * c), meth, pol[0])
    return VIResult(V, iters, float(bound * c), meth, pol)


def value_iteration(mdp: MDP, rewards, gamma: float, eps: float = 1e-10, method: str = "auto") -> VIResult:
    """V*_R and a greedy policy for a batch of K reward vectors at once (numba, parallel).

    Value iteration iterates V_{i+1} = R + gamma max_a T_a V_i from V_0 = R and stops at the first
    i with ||V_{i+1} - V_i||_inf <= eps (1 - gamma) / gamma. Since the Bellman operator B is a
    gamma-contraction, ||V_{i+1} - V*|| <= gamma/(1 - gamma) ||V_{i+1} - V_i|| <= eps: **the
    returned values are within eps of V* in sup norm** (exact arithmetic; float64 rounding adds
    about S * 1e-16 * max|R| / (1 - gamma)^2). If the threshold eps (1 - gamma)/gamma would be
    below 64 ulp of max|V*| it is raised to that and ``bound`` reports the larger eps.

    Value iteration needs about log(eps (1 - gamma)/max|R|) / log(gamma) sweeps. ``method="auto"``
    uses policy iteration instead (:func:`policy_iteration`) when its estimated cost is lower --
    on deterministic MDPs already at gamma = 0.5, on stochastic ones near gamma = 1 -- and
    ``result.method`` says which ran; "vi" forces value iteration (refused, naming gamma, beyond
    1e6 sweeps), "pi" policy iteration.

    Parameters
    ----------
    mdp : MDP
    rewards : array (S,) or (K, S)
        Rewards on states, in ``mdp.states`` order.
    gamma : float in (0, 1)
    eps : float > 0
        Sup-norm error bound on V*.
    method : "auto" | "vi" | "pi"

    Returns
    -------
    VIResult
        ``values``, ``iterations``, ``bound``, ``method`` and the greedy ``policy`` (action
        columns).

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, or ``rewards``, ``gamma`` or ``eps`` is not real.
    ValueError
        ``gamma`` outside (0, 1), or so close to 1 that float64 cannot certify V* (or value
        iteration was forced beyond 1e6 sweeps); ``eps`` <= 0; ``rewards`` of the wrong shape, not
        finite, or so large that R/(1 - gamma) overflows; ``method`` unknown.
    tailpower.BudgetError
        If the reward matrix would exceed the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.turner_fig1()
    >>> R = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # reward 1 in "empty" only
    >>> res = ps.value_iteration(mdp, R, 0.5)
    >>> round(float(res.values[0]), 9)  # star -> empty forever: 0.5 + 0.25 + ... = 1
    1.0
    """
    method = check_choice("method", method, ("auto", "vi", "pi"))
    return _solve_public(mdp, rewards, gamma, eps, method)


def policy_iteration(mdp: MDP, rewards, gamma: float, eps: float = 1e-10) -> VIResult:
    """V*_R and an optimal policy by policy iteration (Howard 1960), batched over reward vectors.

    Evaluates the current policy exactly and switches every state to its best action, until no
    state improves (by more than a rounding tolerance). On a deterministic MDP a policy is a
    functional graph (one successor per state) and its value is computed in O(S) in numba: V on
    each cycle c_0..c_{L-1} from V(c_0) = sum_j gamma^j R(c_j) / (1 - gamma^L), then backwards
    along the paths into it. Stochastic MDPs solve (I - gamma P_pi) V = R densely (up to 3000
    states) or by sparse LU. The number of improvement steps hardly depends on gamma, so unlike
    value iteration the cost does not grow like 1/(1 - gamma).

    ``bound`` is a posteriori: ||V - V*||_inf <= ||B V - V||_inf / (1 - gamma) with the Bellman
    residual evaluated in double-double arithmetic (plus its own rounding), at least ``eps``'s
    float64 floor; a bound above both ``eps`` and 1e-3 max|R| / (1 - gamma) is refused naming
    gamma.

    Parameters
    ----------
    mdp : MDP
    rewards : array (S,) or (K, S)
    gamma : float in (0, 1)
    eps : float > 0
        Accuracy asked for (policy iteration is exact up to rounding; eps only matters when
        rounding cannot reach it).

    Returns
    -------
    VIResult
        with ``method == "pi"``; ``policy`` gives action columns, like QuantEcon's ``sigma``.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, or ``rewards``, ``gamma`` or ``eps`` is not real.
    ValueError
        ``gamma`` outside (0, 1) or too close to 1 for float64 to certify V*; ``eps`` <= 0;
        ``rewards`` of the wrong shape, not finite, or so large that R/(1 - gamma) overflows.
    tailpower.BudgetError
        If the reward matrix would exceed the memory budget.

    Examples
    --------
    >>> import numpy as np
    >>> import powerseek as ps
    >>> mdp = ps.MDP.gridworld(20, 20)
    >>> res = ps.policy_iteration(mdp, np.random.default_rng(0).random(400), 0.99)
    >>> res.method, bool(res.bound < 1e-9)
    ('pi', True)
    """
    return _solve_public(mdp, rewards, gamma, eps, "pi")


# Exact policy values, Q values and optimal-action masks (powerseek._actions): re-exported.
from ._actions import optimal_actions, policy_value, q_values  # noqa: E402
