"""gamma = 1: average-optimal policies with Blackwell tie-breaking, for any finite MDP.

As gamma -> 1 the discounted value of a stationary policy expands as (Puterman 1994, "Markov
Decision Processes", Thm. 8.2.3; rewards collected from t = 0, rho = (1 - gamma)/gamma)

    V_gamma = (1 + rho) (rho^-1 g + h + rho y_1 + rho^2 y_2 + ...),

g = P* r the gain (long-run average reward; P* the Cesaro limit of P^t), h = H r the bias, and
y_n = -H y_{n-1} (H the deviation matrix). A policy is Blackwell-optimal when it is optimal for
every gamma close enough to 1; comparing policies near gamma = 1 is comparing these coefficient
sequences lexicographically: gain first, then bias, then the higher terms. The optimal gain g* is
lim (1 - gamma) V*_gamma, so POWER(s, 1) = E[g*(s)] (Turner et al. 2021, Lemma 5.3), and an action
is optimal at gamma = 1 in the sense of the optimality probability (Def. 6.1) when some
Blackwell-optimal policy takes it.

Methods:

- ``"pi"`` (default): multichain policy iteration (Howard 1960; Puterman 1994, sec. 9.2) --
  gain, then bias -- extended to the higher orders for Blackwell optimality (Veinott 1966; Miller &
  Veinott 1969; Puterman sec. 10.3). Each policy is evaluated exactly: on deterministic MDPs on
  its functional graph in O(S) per order (numba, :mod:`powerseek._kernels_avg`), on stochastic
  ones by its recurrent classes (stationary distributions), absorption probabilities and an LU
  factorisation of I - P + P* (dense, at most ``MAX_DENSE`` states). No trajectories are
  enumerated.
- ``"lp"``: the multichain linear program (Puterman 1994, sec. 9.3): minimise sum_s g(s)
  subject to g >= P_a g and g + h >= r + P_a h for every action, solved by HiGHS
  (``scipy.optimize.linprog``); gain only, an independent check of ``"pi"`` (accurate to
  HiGHS's tolerances, set to 1e-10).

Ties: coefficients within ``TAU`` = 1e-9 times the size of their order (largest |coefficient
term| of that order) count as equal; exact ties are equal to rounding, far inside that. On
stochastic MDPs the tolerance of the bias and of each y_n also carries their rounding noise, which
each solve can amplify by up to the infinity norm of (I - P + P*)^-1 (10-50 on slippery
gridworlds; Hager's estimate):
a difference below that noise cannot be resolved in double precision and counts as a tie (both
actions are then reported optimal), instead of making the iteration cycle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from tailpower._common import check_memory

from . import _kernels_avg, _kernels_avg_dense
from ._checks import Unsupported, check_bool, check_choice, pow2_scale, reward_matrix
from .model import MDP

__all__ = ["AverageResult", "average_optimal", "TAU", "MAX_DENSE"]

TAU = 1e-9
#: stochastic MDPs up to this many states (dense S x S matrices per policy)
MAX_DENSE = 2000
#: improvement steps cap (Veinott's iteration improves strictly: never reached in exact arithmetic)
MAX_ITER = 10_000
_EPS = np.finfo(float).eps


@dataclass(frozen=True, eq=False)
class AverageResult:
    """Output of :func:`average_optimal`.

    Attributes
    ----------
    gain : ndarray (K, S) or (S,)
        The optimal gain g*(s) = lim_{gamma -> 1} (1 - gamma) V*_gamma(s), the best long-run
        average reward from s.
    bias : ndarray (K, S) or (S,)
        The bias of the returned policy (bias-optimal when ``blackwell`` or method "pi").
        NaN-free; zeros for method "lp" (which solves for the gain only).
    policy : ndarray of int (K, S) or (S,)
        A Blackwell-optimal (``blackwell=True``) or gain- and bias-optimal policy, as action
        columns; -1 for method "lp".
    iterations : ndarray of int
        Policy evaluations per reward vector.
    bound : float
        Error bound on ``gain``: rounding of the exact evaluation (deterministic MDPs: a few ulp
        of max|R| per cycle state; stochastic: a first-order a posteriori estimate from the
        residuals of the stationary and absorption equations); HiGHS's tolerance for "lp".
    method : str
        "pi" or "lp".

    Examples
    --------
    >>> import powerseek as ps
    >>> res = ps.average_optimal(ps.examples.turner_fig1(), [0, 1, 0, 0, 0, 0, 0, 0.5])
    >>> res.gain.tolist()  # empty pays 1 forever; from r the best loop is r_se's (0.5)
    [1.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.5]
    >>> float(res.bias[0])  # star pays 0 once before empty: sum_t (r_t - g) = -1
    -1.0
    """

    gain: np.ndarray
    bias: np.ndarray
    policy: np.ndarray
    iterations: np.ndarray
    bound: float
    method: str


# ----------------------------------------------------------------------------- dispatch
def steps(mdp: MDP, ties: bool, blackwell: bool) -> float:
    """Estimated work (steps of ~10 ns) of one reward vector."""
    S = mdp.n_states
    E = len(mdp.csr[1])
    orders = (S + 2.0 if ties else 3.0) if blackwell else 2.0
    # evaluations, measured: 5.5 on a 37-state grid, 7.5 on FrozenLake 8x8 (64 states), 9 on a 20x20
    # grid, 21 on 100x100, 33 on 300x300 (with the gain jumps; 150 without)
    iters = 4.0 + 2.0 * math.log2(S + 1.0) + 0.05 * math.sqrt(S)
    if mdp.is_deterministic:  # measured 16-25 steps per state and evaluation on gridworlds
        return iters * (6.0 * S + 1.5 * E + orders * (S + 0.5 * E))
    # dense evaluation ~0.1 S^3 steps (measured 0.26 ms per evaluation at S = 64), plus the norm
    # estimate of (I - P + P*)^-1 (at most 10 solves of ~2 S^2) when the bias is compared
    return iters * (0.3 * S**3 + 20.0 * S * S + orders * (S * S + 2.0 * len(mdp.csr[4])) + 1e3)


def solve(mdp: MDP, Rs: np.ndarray, blackwell: bool, query: int = -1):
    """``(gain, bias, policy entries, iterations, optimal-at-query (K, n) or None, bound)`` for
    rewards ``Rs`` (K, S) scaled to size about 1."""
    K, S = Rs.shape
    max_order = S if blackwell else 0
    if mdp.is_deterministic:
        act_ptr = mdp.csr[0]
        G = np.empty((K, S))
        H = np.empty((K, S))
        pol = np.full((K, S), -1, dtype=np.int64)  # start from the greedy policy on the next reward
        n_q = int(act_ptr[query + 1] - act_ptr[query]) if query >= 0 else 1
        opt = np.zeros((K, n_q), dtype=np.bool_)
        iters = np.empty(K, dtype=np.int64)
        succ = np.asarray(mdp.successor_array)
        rev_ent = np.argsort(succ, kind="stable")
        rev_ptr = np.zeros(S + 1, dtype=np.int64)
        np.cumsum(np.bincount(succ, minlength=S), out=rev_ptr[1:])
        _kernels_avg.blackwell_functional(Rs, act_ptr, succ, np.asarray(mdp.entry_state), rev_ptr, rev_ent,
                                          max_order, MAX_ITER, TAU, query, G, H, pol, opt, iters)
        if np.any(iters < 0):
            raise ValueError(f"mdp: policy iteration at gamma = 1 did not settle in {MAX_ITER} steps (rounding); "
                             "use gamma = 1 - 1e-9")
        bound = 4.0 * (S + 1) * _EPS * float(np.abs(Rs).max())
        return G, H, pol, iters, (opt if query >= 0 else None), bound
    if S > MAX_DENSE:
        raise Unsupported(f"mdp: gamma = 1 on a stochastic MDP is limited to {MAX_DENSE} states (dense {MAX_DENSE} x "
                          f"{MAX_DENSE} evaluations), the MDP has {S}; use gamma = 1 - 1e-6 instead")
    threads = numba.get_num_threads()
    check_memory("mdp", 8.0 * 6 * S * S * min(threads, (K + 63) // 64), f"dense evaluations of {S}-state policies at gamma = 1")
    act_ptr, _, tr_ptr, nxt, prob = mdp.csr
    G = np.empty((K, S))
    H = np.empty((K, S))
    pol = np.full((K, S), -1, dtype=np.int64)
    n_q = int(act_ptr[query + 1] - act_ptr[query]) if query >= 0 else 1
    opt = np.zeros((K, n_q), dtype=np.bool_)
    iters = np.empty(K, dtype=np.int64)
    err = np.empty(K)
    _kernels_avg_dense.blackwell_dense(Rs, act_ptr, tr_ptr, nxt, prob, np.asarray(mdp.entry_state), max_order, MAX_ITER,
                                 TAU, query, G, H, pol, opt, iters, err)
    if np.any(iters < 0):
        raise ValueError(f"mdp: policy iteration at gamma = 1 did not settle in {MAX_ITER} steps (rounding); "
                         "use gamma = 1 - 1e-9")
    scale = np.abs(H).max(axis=1) + np.abs(Rs).max(axis=1)
    bound = float(np.max(err * scale)) + 8.0 * S * _EPS * float(np.abs(Rs).max())
    return G, H, pol, iters, (opt if query >= 0 else None), bound


def lp_gain(mdp: MDP, Rs: np.ndarray) -> np.ndarray:
    """Optimal gain by the multichain linear program (Puterman 1994, sec. 9.3), one HiGHS solve
    per row of ``Rs``: minimise sum g subject to g(s) - P_a g >= 0 and g(s) + h(s) - P_a h >= r(s)."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    S = mdp.n_states
    _, _, tr_ptr, nxt, prob = mdp.csr
    ent_state = mdp.entry_state
    E = len(ent_state)
    ent = np.repeat(np.arange(E), np.diff(tr_ptr))
    # P_a g - g(s) <= 0  (rows 0..E-1, columns g);  P_a h - h(s) - g(s) <= -r(s)  (rows E..2E-1)
    Pm = sp.csr_matrix((prob, (ent, nxt)), shape=(E, S))
    I_s = sp.csr_matrix((np.ones(E), (np.arange(E), ent_state)), shape=(E, S))
    A = sp.vstack([sp.hstack([Pm - I_s, sp.csr_matrix((E, S))]), sp.hstack([-I_s, Pm - I_s])]).tocsc()
    cost = np.concatenate([np.ones(S), np.zeros(S)])
    out = np.empty(Rs.shape)
    for k, r in enumerate(Rs):
        b = np.concatenate([np.zeros(E), -r[ent_state]])
        res = linprog(cost, A_ub=A, b_ub=b, bounds=[(None, None)] * (2 * S), method="highs",
                      options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
        if res.status != 0:
            raise ValueError(f"method: HiGHS did not solve the gain LP ({res.message}); use method='pi'")
        out[k] = res.x[:S]
    return out


def average_optimal(mdp: MDP, rewards, method: str = "pi", blackwell: bool = True) -> AverageResult:
    """Optimal gain, bias and a Blackwell-optimal policy (gamma = 1) for a batch of reward vectors.

    Parameters
    ----------
    mdp : MDP
        Any finite MDP (multichain allowed); stochastic ones with method "pi" up to
        ``MAX_DENSE`` = 2000 states, deterministic ones of any size.
    rewards : array (S,) or (K, S)
        Rewards on states.
    method : "pi" | "lp"
        Policy iteration (exact evaluation) or the multichain LP solved by HiGHS (gain only).
    blackwell : bool
        Compare all orders of the Laurent expansion (a Blackwell-optimal policy) or only gain and
        bias (Howard's multichain policy iteration; faster on ties).

    Returns
    -------
    AverageResult

    Raises
    ------
    ValueError
        naming ``mdp`` for a stochastic MDP above 2000 states, ``method`` for an unknown method.

    Examples
    --------
    >>> import numpy as np
    >>> import powerseek as ps
    >>> mdp = ps.examples.aima_4x3(slip=0.2)
    >>> res = ps.average_optimal(mdp, np.arange(11.0))
    >>> round(float(res.gain.max()), 12), float(res.bound) < 1e-10   # best cell reachable from all
    (10.0, True)
    """
    from .limits import check_mdp

    check_mdp(mdp)
    method = check_choice("method", method, ("pi", "lp"))
    blackwell = check_bool("blackwell", blackwell)
    R, squeeze = reward_matrix(mdp, rewards)
    check_memory("rewards", R.nbytes * 6.0, f"gains and biases of {R.shape[0]} reward vectors")
    c = pow2_scale(R)
    Rs = R / c
    if method == "lp":
        G = lp_gain(mdp, Rs) * c
        H = np.zeros_like(G)
        pol = np.full(R.shape, -1, dtype=np.int64)
        iters = np.zeros(R.shape[0], dtype=np.int64)
        bound = 1e-8 * c
    else:
        G, H, ent, iters, _, bound = solve(mdp, Rs, blackwell)
        G, H, bound = G * c, H * c, bound * c
        pol = mdp.csr[1][ent]
    if squeeze:
        return AverageResult(G[0], H[0], pol[0], iters[0], float(bound), method)
    return AverageResult(G, H, pol, iters, float(bound), method)
