"""Solvers: batched value iteration, exact policy evaluation, optimal actions, and the gamma -> 0 and
gamma -> 1 limits of deterministic MDPs (cycles, maximum mean cycles, lassos).

Conventions (Turner et al. 2021, section 2): rewards live on states and are collected from t = 0,
V*_R(s, gamma) = R(s) + gamma max_a sum_s' T(s, a, s') V*_R(s', gamma).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import _kernels
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
]

_EPS_MACH = np.finfo(float).eps


def check_gamma(gamma, *, open_interval: bool = True) -> float:
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.integer, np.floating)):
        raise TypeError(f"gamma: expected a real number, got {type(gamma).__name__}")
    g = float(gamma)
    if open_interval:
        if not (0.0 < g < 1.0):
            raise ValueError(f"gamma: must be in (0, 1) here, got {gamma!r}")
    elif not (0.0 <= g <= 1.0):
        raise ValueError(f"gamma: must be in [0, 1], got {gamma!r}")
    return g


def _rewards_2d(mdp: MDP, rewards) -> tuple[np.ndarray, bool]:
    R = np.asarray(rewards, dtype=float)
    squeeze = R.ndim == 1
    R = np.atleast_2d(R)
    if R.ndim != 2 or R.shape[1] != mdp.n_states:
        raise ValueError(f"rewards: expected shape (S,) or (K, S) with S = {mdp.n_states}, got {np.shape(rewards)}")
    if not np.all(np.isfinite(R)):
        raise ValueError("rewards: must be finite")
    return np.ascontiguousarray(R), squeeze


@dataclass(frozen=True, eq=False)
class VIResult:
    """Output of :func:`value_iteration`.

    Attributes
    ----------
    values : ndarray (K, S) or (S,)
        Approximations V of V*_R, with ``max_s |V(s) - V*_R(s)| <= bound`` for every row.
    iterations : ndarray of int
        Bellman sweeps per reward vector.
    bound : float
        The guaranteed sup-norm error (``eps``, or larger if ``eps`` was below what float64
        arithmetic can certify; see :func:`value_iteration`).
    """

    values: np.ndarray
    iterations: np.ndarray
    bound: float


def value_iteration(mdp: MDP, rewards, gamma: float, eps: float = 1e-10) -> VIResult:
    """V*_R for a batch of K reward vectors at once (numba, parallel over the batch).

    Iterates V_{i+1} = R + gamma max_a T_a V_i from V_0 = R and stops at the first i with
    ||V_{i+1} - V_i||_inf <= eps (1 - gamma) / gamma. Since the Bellman operator B is a
    gamma-contraction, ||V_{i+1} - V*|| <= gamma/(1 - gamma) ||V_{i+1} - V_i|| <= eps: **the
    returned values are within eps of V* in sup norm** (exact arithmetic; float64 rounding adds
    about S * 1e-16 * max|R| / (1 - gamma)^2). If the threshold eps (1 - gamma)/gamma would be
    below 64 ulp of max|V*| it is raised to that and ``bound`` reports the larger eps.

    Parameters
    ----------
    mdp : MDP
    rewards : array (S,) or (K, S)
        Rewards on states, in ``mdp.states`` order.
    gamma : float in (0, 1)
    eps : float > 0
        Sup-norm error bound on V*.
    """
    gamma = check_gamma(gamma)
    if not (isinstance(eps, (int, float)) and eps > 0 and math.isfinite(eps)):
        raise ValueError(f"eps: must be a finite number > 0, got {eps!r}")
    R, squeeze = _rewards_2d(mdp, rewards)
    rmax = float(np.abs(R).max()) if R.size else 0.0
    thresh = eps * (1.0 - gamma) / gamma
    floor = 64 * _EPS_MACH * rmax / (1.0 - gamma)
    if thresh < floor:
        thresh = floor
    bound = thresh * gamma / (1.0 - gamma)
    # ||V_1 - V_0|| <= gamma * 2 max|R| / (1 - gamma) * ... ; the differences shrink by gamma per sweep.
    d0 = max(2.0 * rmax / (1.0 - gamma), 1e-300)
    max_iter = int(math.ceil(math.log(max(thresh, 1e-300) / d0) / math.log(gamma))) + 100 if thresh > 0 else 1
    max_iter = max(max_iter, 100)
    act_ptr, _, tr_ptr, nxt, prob = mdp.csr
    V = np.empty_like(R)
    iters = np.empty(R.shape[0], dtype=np.int64)
    _kernels.value_iteration(R, gamma, thresh, act_ptr, tr_ptr, nxt, prob, max_iter, V, iters)
    if np.any(iters > max_iter):
        raise RuntimeError("value_iteration: did not reach the stopping threshold (rounding?)")
    return VIResult(V[0] if squeeze else V, iters[0] if squeeze else iters, float(bound))


def policy_value(mdp: MDP, policy, reward, gamma: float) -> np.ndarray:
    """Exact V^pi_R by a linear solve: (I - gamma P_pi) V = R.

    ``policy[s]`` is an action of state s: its name, or its position among the state's valid
    actions (ints). Returns V (S,).
    """
    gamma = check_gamma(gamma)
    r, squeeze = _rewards_2d(mdp, reward)
    if not squeeze:
        raise ValueError("reward: expected one reward vector of shape (S,)")
    S = mdp.n_states
    if len(policy) != S:
        raise ValueError(f"policy: expected one action per state ({S}), got {len(policy)}")
    P = np.empty((S, S))
    for s in range(S):
        P[s] = mdp.transitions[s, mdp.action_index(s, policy[s])]
    return np.linalg.solve(np.eye(S) - gamma * P, r[0])


def q_values(mdp: MDP, V, rewards, gamma: float, state=None) -> np.ndarray:
    """Q(s, a) = R(s) + gamma sum_s' T(s, a, s') V(s'); -inf for absent actions.

    With ``state`` given, returns (K, A) for that state only; else (K, S, A).
    """
    V2, squeeze = _rewards_2d(mdp, V)
    R2, _ = _rewards_2d(mdp, rewards)
    if state is not None:
        s = mdp.index(state)
        Q = R2[:, s, None] + gamma * V2 @ mdp.transitions[s].T
        Q[:, ~mdp.action_mask[s]] = -np.inf
    else:
        Q = R2[:, :, None] + gamma * np.einsum("sat,kt->ksa", mdp.transitions, V2)
        Q[:, ~mdp.action_mask] = -np.inf
    return Q[0] if squeeze else Q


def optimal_actions(mdp: MDP, rewards, gamma: float, eps: float = 1e-10, state=None) -> np.ndarray:
    """Boolean mask of optimal actions, ties detected: (S, A) (or (K, S, A), or (K, A) at ``state``).

    With V from :func:`value_iteration` (||V - V*|| <= eps) every Q value is within gamma eps of the
    true Q*, so action a counts as optimal when Q(s, a) >= max_b Q(s, b) - 2 gamma eps (plus 1e-12
    relative rounding slack). Exact ties (e.g. two actions with the same successor) are always
    detected; a non-optimal action is reported optimal only if it is within 2 gamma eps of optimal.
    """
    vi = value_iteration(mdp, rewards, gamma, eps)
    Q = q_values(mdp, vi.values, rewards, gamma, state=state)
    top = Q.max(axis=-1, keepdims=True)
    slack = 2 * gamma * vi.bound + 1e-12 * np.maximum(np.abs(top), 1.0)
    return Q >= top - slack


# ---------------------------------------------------------------------------------------------
# gamma -> 1 and gamma -> 0 in deterministic MDPs
_STRUCT: "weakref.WeakKeyDictionary[MDP, dict]" = weakref.WeakKeyDictionary()


def _struct(mdp: MDP) -> dict:
    d = _STRUCT.get(mdp)
    if d is None:
        d = {}
        _STRUCT[mdp] = d
    return d


def _require_deterministic(mdp: MDP, what: str) -> None:
    if not mdp.is_deterministic:
        raise NotImplementedError(
            f"{what}: the gamma -> 0 / gamma -> 1 limits are implemented for deterministic MDPs only "
            "(use gamma in (0, 1), e.g. 1e-4 or 1 - 1e-4, for stochastic ones)"
        )


def reachable_cycles(mdp: MDP) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """All simple cycles of a deterministic MDP (networkx), and which are reachable from where.

    Returns ``(cycles, reach)`` with ``reach[s, c]`` True when cycle c can be reached from s. In a
    deterministic MDP the recurrent state distributions (RSDs) are exactly the uniform
    distributions over these cycles (Turner et al. 2021, section 5). The number of simple cycles
    can grow exponentially (gridworlds); :func:`max_gain` uses Karp's algorithm instead.
    """
    _require_deterministic(mdp, "reachable_cycles")
    st = _struct(mdp)
    if "cycles" not in st:
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(mdp.n_states))
        for s, row in enumerate(mdp.successor_table):
            g.add_edges_from((s, t) for t in row)
        cycles = sorted(tuple(c) for c in nx.simple_cycles(g))
        reach = np.zeros((mdp.n_states, len(cycles)), dtype=bool)
        for s in range(mdp.n_states):
            desc = nx.descendants(g, s) | {s}
            for c, cyc in enumerate(cycles):
                reach[s, c] = cyc[0] in desc
        st["cycles"] = (cycles, reach)
    return st["cycles"]


def _scc(mdp: MDP) -> dict:
    st = _struct(mdp)
    if "scc" not in st:
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(mdp.n_states))
        for s, row in enumerate(mdp.successor_table):
            g.add_edges_from((s, t) for t in row)
        comps = [sorted(c) for c in nx.strongly_connected_components(g)]
        comps.sort()
        comp_of = np.empty(mdp.n_states, dtype=np.int64)
        for c, nodes in enumerate(comps):
            comp_of[nodes] = c
        scc_ptr = np.zeros(len(comps) + 1, dtype=np.int64)
        scc_nodes, edge_ptr, src, dst, has_cycle = [], [0], [], [], []
        for c, nodes in enumerate(comps):
            local = {v: i for i, v in enumerate(nodes)}
            scc_nodes += nodes
            scc_ptr[c + 1] = len(scc_nodes)
            for v in nodes:
                for t in mdp.successor_table[v]:
                    if t in local:
                        src.append(local[v])
                        dst.append(local[t])
            edge_ptr.append(len(src))
            has_cycle.append(len(nodes) > 1 or nodes[0] in mdp.successor_table[nodes[0]])
        reach = np.zeros((mdp.n_states, len(comps)), dtype=bool)
        for s in range(mdp.n_states):
            for t in nx.descendants(g, s) | {s}:
                reach[s, comp_of[t]] = True
        st["scc"] = dict(
            args=(
                scc_ptr,
                np.asarray(scc_nodes, dtype=np.int64),
                np.asarray(edge_ptr, dtype=np.int64),
                np.asarray(src, dtype=np.int64),
                np.asarray(dst, dtype=np.int64),
                np.asarray(has_cycle, dtype=np.bool_),
            ),
            reach=reach,
            comps=comps,
        )
    return st["scc"]


def max_gain(mdp: MDP, rewards, method: str = "karp") -> np.ndarray:
    """lim_{gamma -> 1} (1 - gamma) V*_R(s, gamma) for every state of a deterministic MDP.

    This is the best average reward reachable from s: the maximum, over cycles reachable from s, of
    the cycle's mean reward (RSDs of deterministic MDPs are uniform over cycles). ``method="karp"``
    computes each strongly connected component's maximum mean cycle with Karp's algorithm
    (polynomial, any size); ``method="cycles"`` enumerates the simple cycles with networkx (small
    MDPs; an independent check). Returns (K, S) (or (S,) for one reward vector).
    """
    _require_deterministic(mdp, "max_gain")
    R, squeeze = _rewards_2d(mdp, rewards)
    if method == "karp":
        sc = _scc(mdp)
        mu = np.empty((R.shape[0], len(sc["comps"])))
        _kernels.karp_max_mean(R, *sc["args"], mu)
        reach = sc["reach"]
    elif method == "cycles":
        cycles, reach = reachable_cycles(mdp)
        D = np.zeros((len(cycles), mdp.n_states))
        for c, cyc in enumerate(cycles):
            D[c, list(cyc)] = 1.0 / len(cyc)
        mu = R @ D.T
    else:
        raise ValueError(f"method: expected 'karp' or 'cycles', got {method!r}")
    G = np.where(reach[None, :, :], mu[:, None, :], -np.inf).max(axis=2)
    return G[0] if squeeze else G


def lassos(mdp: MDP, state, max_lassos: int = 200_000) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
    """Trajectories of the deterministic stationary policies from ``state``: ``(first action
    column, path, cycle)`` -- the states visited once (path, starting at ``state``) and the cycle
    repeated forever. Every deterministic policy's trajectory from ``state`` is one of these."""
    _require_deterministic(mdp, "lassos")
    s0 = mdp.index(state)
    table = mdp.successor_table
    cols = [np.flatnonzero(mdp.action_mask[s]) for s in range(mdp.n_states)]
    out: list = []

    def dfs(path: list[int], first: int) -> None:
        u = path[-1]
        for a, t in enumerate(table[u]):
            f = int(cols[u][a]) if len(path) == 1 else first
            if t in path:
                j = path.index(t)
                out.append((f, tuple(path[:j]), tuple(path[j:])))
                if len(out) > max_lassos:
                    raise ValueError(f"mdp: more than {max_lassos} policy trajectories from {mdp.states[s0]!r}; too large for the exact limit")
            else:
                path.append(t)
                dfs(path, f)
                path.pop()

    dfs([s0], -1)
    return out


def _series_at_one(m: int, L: int, orders: int) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """Taylor coefficients in delta = 1 - gamma of (1 - gamma) gamma^t (path steps t < m) and of
    (1 - gamma) gamma^(m+j) / (1 - gamma^L) (cycle position j)."""
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
    cyc = []
    for j in range(L):
        b = binom(m + j)
        cyc.append([sum((b[i] * h[n - i] for i in range(n + 1)), Fraction(0)) for n in range(orders)])
    return path, cyc


def _lasso_tables(mdp: MDP, state, limit: str):
    key = ("lasso", mdp.index(state), limit)
    st = _struct(mdp)
    if key not in st:
        S = mdp.n_states
        ls = lassos(mdp, state)
        if limit == "one":
            orders = 2 * S + 1
            coef = np.zeros((len(ls), orders, S))
            cache: dict = {}
            for l, (_, path, cyc) in enumerate(ls):
                k = (len(path), len(cyc))
                if k not in cache:
                    cache[k] = _series_at_one(len(path), len(cyc), orders)
                pc, cc = cache[k]
                for t, s in enumerate(path):
                    coef[l, :, s] += [float(x) for x in pc[t]]
                for j, s in enumerate(cyc):
                    coef[l, :, s] += [float(x) for x in cc[j]]
        else:
            orders = S + 1
            coef = np.zeros((len(ls), orders, S))
            for l, (_, path, cyc) in enumerate(ls):
                traj = list(path) + list(cyc) * (orders // len(cyc) + 1)
                for o in range(orders):
                    coef[l, o, traj[o]] = 1.0
        first = np.array([f for f, _, _ in ls], dtype=np.int64)
        rowabs = np.abs(coef).sum(axis=2).max(axis=0)
        st[key] = (coef, first, rowabs)
    return st[key]


def limit_optimal_actions(mdp: MDP, state, rewards, limit: str) -> np.ndarray:
    """Actions at ``state`` optimal in the limit gamma -> 1 (Blackwell) or gamma -> 0: (K, A) bool.

    Exact method, deterministic MDPs. Every deterministic stationary policy's value from s is a
    lasso: V(gamma) = sum_{t<m} gamma^t r(p_t) + sum_{j<L} gamma^(m+j) r(c_j) / (1 - gamma^L).

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
    """
    _require_deterministic(mdp, "limit_optimal_actions")
    if limit not in ("one", "zero"):
        raise ValueError(f"limit: expected 'one' or 'zero', got {limit!r}")
    R, squeeze = _rewards_2d(mdp, rewards)
    coef, first, rowabs = _lasso_tables(mdp, state, limit)
    out = np.zeros((R.shape[0], mdp.action_mask.shape[1]), dtype=np.bool_)
    _kernels.lexicographic_best(R, coef, first, rowabs, 1e-9, out)
    return out[0] if squeeze else out
