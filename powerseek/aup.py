"""Agents that should not seek power, and whether they do: AUP and power-averse rewards.

- AUP (Turner, Hadfield-Menell & Tadepalli, "Conservative Agency via Attainable Utility
  Preservation", AIES 2020, eq. 1): the agent maximises R(s) - (lam / N) sum_i |Q_i(s, a) - Q_i(s,
  noop)|, where Q_i is the optimal action value of the i-th auxiliary reward R_i. With rewards on
  states, Q_i(s, a) = R_i(s) + gamma E_{s' ~ T(s, a)} V*_{R_i}(s'), so the penalty of action a is
  gamma |E_{T(s,a)} V*_i - E_{T(s,noop)} V*_i| averaged over i.
- Power-averse rewards: the agent maximises R(s) - lam POWER_D(s, gamma), POWER computed under the
  same reward law D (Turner et al., "Optimal Policies Tend to Seek Power", NeurIPS 2021, Def. 5.2).

The power-seeking theorems (Turner et al. 2021, Thm. 6.13 and Cor. 6.14) are about *optimal*
policies of reward functions drawn from D; neither agent is optimal for the reward drawn, so the
theorems do not bind them. :func:`aup_action_frequencies` and :func:`power_averse_frequencies`
measure how often each action is chosen at a state, against lam, for rewards drawn from D
(lam = 0 is the optimal agent).

The AUP agent's reward depends on the action, so its MDP is solved by policy iteration with
entry rewards (Howard 1960; exact evaluation of (I - gamma P_pi) V = r_pi, a handful of greedy
improvements at any gamma, certified by the Bellman residual: :mod:`powerseek._aup_pi`), not by
value iteration's ~1/(1 - gamma) sweeps; the auxiliary values go through
:func:`powerseek.value_iteration` (which picks policy iteration itself where it is cheaper).

An action counts as chosen when its action value is within a rounding tolerance of the best
(so ties count for every tied action, as in the optimality probability's "some optimal policy
takes a").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from tailpower._common import as_generator, check_int, check_memory
from tailpower._results import ResultMixin

from . import _aup_pi
from ._checks import check_gamma, check_work, float_array
from .model import MDP
from .rewards import as_law

__all__ = ["AUPPolicy", "ActionFrequencies", "aup_action_frequencies", "aup_policy", "power_averse_frequencies"]

_EPS = 1e-10  # value-iteration accuracy (sup norm of V)
_SOLVER = "auto"  # "auto" | "vi" | "pi": how _solve solves the AUP MDP (tests and benchmarks force one)


@dataclass(frozen=True)
class AUPPolicy(ResultMixin):
    """An AUP agent's policy for one reward (:func:`aup_policy`).

    Attributes
    ----------
    policy : ndarray (S,) of int
        Action column chosen at each state (first of the best, in the MDP's action order).
    actions : tuple of str
        The chosen action's name at each state.
    values : ndarray (S,)
        Optimal values of the AUP reward, within ``bound`` in sup norm.
    q : ndarray (S, A)
        AUP action values R(s) - penalty + gamma E V (-inf for columns that are not actions).
    penalty : ndarray (S, A)
        lam / N sum_i |Q_i(s, a) - Q_i(s, noop)| (0 for the no-op; +inf for columns that are not
        actions, which can never be taken).
    lam, gamma : float
    bound : float
        Sup-norm error bound on ``values``.

    Examples
    --------
    >>> import numpy as np, powerseek as ps
    >>> mdp = ps.MDP.gridworld(3, 3)
    >>> r = np.zeros(9); r[8] = 1.0
    >>> pol = ps.aup_policy(mdp, r, np.eye(9)[[0]], lam=0.0, gamma=0.9)  # lam = 0: the optimal agent
    >>> pol.actions[8], bool(pol.penalty[8, mdp.action_index(8, "stay")] == 0.0)  # stays where it is paid
    ('stay', True)
    """

    policy: np.ndarray
    actions: tuple
    values: np.ndarray
    q: np.ndarray
    penalty: np.ndarray
    lam: float
    gamma: float
    bound: float
    _value_field = "values"
    _error_field = "bound"


@dataclass(frozen=True)
class ActionFrequencies(ResultMixin):
    """How often each action at ``state`` is chosen, for rewards drawn from a law, against lam.

    Attributes
    ----------
    state : str
    actions : tuple of str
        The actions of ``state``.
    lams : ndarray (L,)
    frequency, stderr : ndarray (L, A)
        Fraction of reward samples for which the action is among the best (ties count for each
        tied action), and its binomial standard error sqrt(f (1 - f) / samples).
    successor_power : ndarray (A,)
        E_{s' ~ T(state, a)} POWER_D(s', gamma) of each action (the "higher-POWER option" is the
        argmax), with ``power_stderr`` its Monte Carlo standard error.
    samples : int
    agent : str
        "aup" or "power-averse".

    Examples
    --------
    >>> import powerseek as ps
    >>> f = ps.power_averse_frequencies(ps.examples.pacman_shutdown(), "0,0", [0.0, 5.0], 0.9,
    ...                                 samples=200, rng=0, power_samples=400)
    >>> f.actions, f["off"].tolist()  # lam = 5: always shut off (POWER 0.52 against 0.89)
    (('1,0', '0,1', '0,0', 'off'), [0.16, 1.0])
    """

    state: str
    actions: tuple
    lams: np.ndarray
    frequency: np.ndarray
    stderr: np.ndarray
    successor_power: np.ndarray
    power_stderr: np.ndarray
    samples: int
    agent: str
    _value_field = "frequency"

    def __getitem__(self, action: str) -> np.ndarray:
        """Frequencies of ``action`` over lams."""
        if action not in self.actions:
            raise KeyError(f"action: {action!r} is not an action of {self.state!r}; actions are {self.actions}")
        return self.frequency[:, self.actions.index(action)]


# ----------------------------------------------------------------------------- plumbing
def _entries(mdp: MDP) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """(M, act_ptr, act_col): M is the (E, S) transition matrix of the action entries."""
    act_ptr, act_col, tr_ptr, nxt, prob = mdp.csr
    E = len(act_col)
    rows = np.repeat(np.arange(E), np.diff(tr_ptr))
    M = sparse.csr_matrix((prob, (rows, nxt)), shape=(E, mdp.n_states))
    return M, act_ptr, act_col


def _noop_entries(mdp: MDP, noop) -> np.ndarray:
    """(S,) the action entry of the no-op at every state: the action named ``noop``, or with
    ``noop="self"`` the action that stays put with probability 1."""
    if not isinstance(noop, str):
        raise TypeError(f"noop: expected an action name or 'self', got {type(noop).__name__}")
    act_ptr, act_col, tr_ptr, nxt, prob = mdp.csr
    out = np.empty(mdp.n_states, dtype=np.int64)
    for s in range(mdp.n_states):
        lo, hi = int(act_ptr[s]), int(act_ptr[s + 1])
        if noop == "self":
            hits = [e for e in range(lo, hi) if tr_ptr[e + 1] - tr_ptr[e] == 1 and nxt[tr_ptr[e]] == s]
        else:
            hits = [lo + k for k, name in enumerate(mdp.actions[s]) if name == noop]
        if not hits:
            what = "a self-loop" if noop == "self" else f"an action named {noop!r}"
            raise ValueError(f"noop: state {mdp.states[s]!r} has no {what} (its actions are {mdp.actions[s]}); "
                             f"the no-op must exist at every state (noop='self' takes the self-loop)")
        out[s] = hits[0]
    return out


def _check_lams(lams) -> tuple[np.ndarray, bool]:
    arr = float_array("lam", lams)
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"lam: expected a number or a 1-D array of numbers, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"lam: every penalty weight must be finite and >= 0, got {arr[~(np.isfinite(arr) & (arr >= 0))][0]!r}")
    return arr, scalar


def _solve(mdp: MDP, M: sparse.csr_matrix, act_ptr: np.ndarray, R: np.ndarray, c: np.ndarray, gamma: float,
           start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """V* for rewards R(s) (K, S) plus entry rewards c (K, E): V = R + max_e (c + gamma M V), and a
    sup-norm bound on its error. Policy iteration (:mod:`powerseek._aup_pi`: a handful of exact
    evaluations at any gamma, certified by the Bellman residual) where it runs and its estimated
    cost is lower, else value iteration; ``_SOLVER`` = "vi" or "pi" forces one (tests, benchmarks).
    ``start`` (K, S) is a warm start (previous lam's values)."""
    scale = float(np.max(np.abs(R))) + float(np.max(np.abs(c), initial=0.0)) + 1.0
    if not scale / (1 - gamma) < 1e300:
        raise ValueError(f"rewards: values up to {scale:.3g} / (1 - gamma) leave the float range; rescale the rewards")
    eps = max(_EPS, 64 * np.finfo(float).eps * scale / (1 - gamma))
    if _agent_row(mdp, gamma, scale, eps)[1]:
        V, _, _, bound, capped = _aup_pi.solve(mdp, R, c, gamma, start)
        b = float(np.max(bound))
        if not (capped.any() and b > eps):  # certified (the cap is reached only on degenerate inputs)
            return V, b
        start = V
    return _value_iteration(M, act_ptr, R, c, gamma, scale, eps, start)


def _agent_row(mdp: MDP, gamma: float, scale: float, eps: float) -> tuple[float, bool]:
    """(estimated steps of one solve of the AUP MDP, whether policy iteration is used)."""
    E, nnz = len(mdp.csr[1]), len(mdp.csr[4])
    vi_row = float(_max_sweeps(gamma, scale, eps) * (nnz + E + mdp.n_states))
    if _SOLVER == "vi" or not _aup_pi.available(mdp):
        return vi_row, False
    pi_row = _aup_pi.steps_per_row(mdp, gamma)
    use_pi = _SOLVER == "pi" or pi_row < vi_row
    return (pi_row if use_pi else vi_row), use_pi


def _value_iteration(M, act_ptr, R, c, gamma, scale, eps, start) -> tuple[np.ndarray, float]:
    """Value iteration; stops when ||V_{i+1} - V_i|| <= eps (1 - gamma)/gamma, so ||V - V*|| <= eps.
    Works on (S, K) / (E, K) arrays so the per-state maximum reduces contiguous rows; ``start``
    (K, S) is a warm start (the stopping rule is a posteriori, so any start is safe)."""
    Rt, ct = np.ascontiguousarray(R.T), np.ascontiguousarray(c.T)
    V = Rt.copy() if start is None else np.ascontiguousarray(start.T)
    starts = act_ptr[:-1]
    sweeps = _max_sweeps(gamma, scale, eps)
    for _ in range(sweeps):
        q = M @ V
        q *= gamma
        q += ct
        Vn = np.maximum.reduceat(q, starts, axis=0)
        Vn += Rt
        done = float(np.max(np.abs(Vn - V))) <= eps * (1 - gamma) / gamma
        V = Vn
        if done:
            return np.ascontiguousarray(V.T), eps
    raise ValueError(f"gamma: value iteration did not reach its tolerance within {sweeps} sweeps")


def _max_sweeps(gamma: float, scale: float, eps: float) -> int:
    """Sweeps enough for a gamma-contraction started within 2 scale/(1 - gamma) of V* (plus slack)."""
    log_ratio = math.log(eps) + 2 * math.log1p(-gamma) - math.log(4.0) - math.log(scale)
    return max(int(log_ratio / math.log(gamma)), 0) + 10


def _check_size(mdp: MDP, K: int, L: int, n_aux: int, gamma: float, parameter: str = "samples",
                entry_rewards: bool = True) -> None:
    """Memory and work of K samples x (n_aux auxiliary solves + L solves of the agent's MDP). State
    rewards go through :func:`powerseek.solvers.value_iteration`, which picks the cheaper of value
    and policy iteration (:func:`powerseek.solvers.plan` estimates it); the AUP MDP's entry rewards
    likewise (:func:`_solve`)."""
    from .solvers import plan

    E = len(mdp.csr[1])
    nnz = len(mdp.csr[4])
    check_memory(parameter, 8.0 * K * (4 * E + 4 * mdp.n_states) * max(n_aux, 1), "the action values of one batch")
    state_row = plan(mdp, gamma, _EPS, 1.0).steps_per_row
    agent_row = _agent_row(mdp, gamma, 10.0, _EPS)[0] if entry_rewards else state_row
    check_work(parameter, float(K) * (n_aux * state_row + L * agent_row), "the value and policy iterations")


def _penalty(M, act_ptr, noop_e: np.ndarray, aux: np.ndarray, gamma: float, mdp: MDP) -> np.ndarray:
    """(K, E) mean_i |E_{T(e)} V*_i - E_{T(noop(s))} V*_i| for aux rewards (K, N, S): the AUP
    penalty divided by lam gamma (Q_i(s, a) - Q_i(s, noop) = gamma (E_{T(s,a)} - E_{T(s,noop)}) V*_i)."""
    from .solvers import value_iteration

    K, N, S = aux.shape
    vals = value_iteration(mdp, aux.reshape(K * N, S), gamma, eps=_EPS).values.reshape(K, N, S)
    ev = (M @ vals.reshape(K * N, S).T).T.reshape(K, N, -1)        # (K, N, E)
    state_of = np.repeat(np.arange(S), np.diff(act_ptr))
    base = ev[:, :, noop_e[state_of]]
    return np.abs(ev - base).mean(axis=1)


def _chosen(q_state: np.ndarray, bound: float) -> np.ndarray:
    """(K, A) actions within the solver's error plus rounding of the best, from action values
    divided by gamma (Q(s, a) / gamma - R(s) / gamma: the solver's error enters as 2 bound, and the
    comparison keeps its scale however small gamma is)."""
    best = q_state.max(axis=1, keepdims=True)
    tol = 2 * bound + 1e-12 * (1.0 + np.abs(best))
    return q_state >= best - tol


# ----------------------------------------------------------------------------- AUP
def aup_policy(mdp: MDP, reward, aux_rewards, lam: float, gamma: float, noop: str = "stay") -> AUPPolicy:
    """The AUP agent's optimal policy for one reward (Turner, Hadfield-Menell & Tadepalli 2020).

    Parameters
    ----------
    mdp : MDP
    reward : array (S,)
        The agent's reward on states.
    aux_rewards : array (N, S)
        Auxiliary rewards R_1 .. R_N whose attainable utility the penalty preserves.
    lam : float >= 0
        Penalty weight; 0 gives an optimal policy of ``reward``.
    gamma : float in (0, 1)
    noop : str
        Name of the no-op action (present at every state), or "self" for the self-loop.

    Returns
    -------
    AUPPolicy

    Raises
    ------
    ValueError
        A state without the no-op (naming ``noop``), shapes that do not match the MDP, lam < 0,
        gamma outside (0, 1).

    Examples
    --------
    >>> import numpy as np, powerseek as ps
    >>> mdp = ps.MDP.gridworld(3, 3)
    >>> r = np.zeros(9); r[8] = 1.0
    >>> ps.aup_policy(mdp, r, np.eye(9)[[0]], lam=0.0, gamma=0.9).actions[0] in ("S", "E")
    True
    """
    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp: expected a powerseek MDP, got {type(mdp).__name__}")
    gamma = check_gamma(gamma)
    lams, _ = _check_lams(lam)
    if lams.size != 1:
        raise ValueError("lam: aup_policy takes one penalty weight (aup_action_frequencies takes several)")
    S = mdp.n_states
    R = float_array("reward", reward)
    if R.shape != (S,) or not np.all(np.isfinite(R)):
        raise ValueError(f"reward: expected {S} finite rewards (one per state), got shape {R.shape}")
    aux = float_array("aux_rewards", aux_rewards)
    if aux.ndim == 1:
        aux = aux[None, :]
    if aux.ndim != 2 or aux.shape[1] != S or aux.shape[0] == 0 or not np.all(np.isfinite(aux)):
        raise ValueError(f"aux_rewards: expected an (N, {S}) array of finite rewards, N >= 1, got shape {aux.shape}")
    _check_size(mdp, 1, 1, aux.shape[0], gamma, "aux_rewards")
    M, act_ptr, act_col = _entries(mdp)
    noop_e = _noop_entries(mdp, noop)
    pen = float(lams[0]) * gamma * _penalty(M, act_ptr, noop_e, aux[None], gamma, mdp)[0]
    V, bound = _solve(mdp, M, act_ptr, R[None], -pen[None], gamma)
    q_e = R[np.repeat(np.arange(S), np.diff(act_ptr))] - pen + gamma * (M @ V[0])
    A = mdp.action_mask.shape[1]
    q = np.full((S, A), -np.inf)
    penalty = np.full((S, A), np.inf)
    state_of = np.repeat(np.arange(S), np.diff(act_ptr))
    q[state_of, act_col] = q_e
    penalty[state_of, act_col] = pen
    first = [int(act_ptr[s] + np.argmax(q_e[act_ptr[s]:act_ptr[s + 1]])) for s in range(S)]
    policy = act_col[first].astype(np.int64)
    names = tuple(mdp.actions[s][first[s] - int(act_ptr[s])] for s in range(S))
    return AUPPolicy(policy=policy, actions=names, values=V[0], q=q, penalty=penalty, lam=float(lams[0]),
                     gamma=gamma, bound=bound)


def _successor_power(mdp: MDP, s: int, gamma: float, law, samples: int, gen) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(E_{T(s,a)} POWER per action of s, its stderr, the POWER vector, its stderr)."""
    from .power import power

    res = power(mdp, gamma, rewards=law, samples=samples, rng=gen)
    M, act_ptr, _ = _entries(mdp)
    rows = M[int(act_ptr[s]):int(act_ptr[s + 1])]
    return rows @ res.value, np.sqrt(rows.multiply(rows) @ res.stderr**2), np.asarray(res.value), np.asarray(res.stderr)


def _start(mdp, state, lam, gamma, samples):
    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp: expected a powerseek MDP, got {type(mdp).__name__}")
    s = mdp.index(state)
    lams, _ = _check_lams(lam)
    gamma = check_gamma(gamma)
    K = check_int("samples", samples, minimum=2)
    return s, lams, gamma, K


def aup_action_frequencies(mdp: MDP, state, lam, gamma: float, rewards=None, n_aux: int = 5, samples: int = 2000,
                           rng=None, noop: str = "stay", power_samples: int = 20_000) -> ActionFrequencies:
    """How often an AUP agent takes each action at ``state``, for rewards and auxiliary rewards
    drawn iid from ``rewards`` (default U(0, 1) on every state), against the penalty weight lam.

    The same reward samples serve every lam (common random numbers), so differences between lams
    are not sampling noise. ``successor_power`` tells which action leads to more POWER.

    Parameters
    ----------
    mdp : MDP
    state : state name or index
    lam : float or 1-D array of floats >= 0
    gamma : float in (0, 1)
    rewards : reward law (as for :func:`powerseek.power`), default iid U(0, 1)
    n_aux : int >= 1
        Auxiliary rewards per sample, drawn from the same law.
    samples : int >= 2
    rng : seed or Generator
    noop : str
        The no-op action's name, or "self" for the self-loop.
    power_samples : int
        Reward samples for the successors' POWER.

    Returns
    -------
    ActionFrequencies

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, ``noop`` not a string, or a count not a number.
    ValueError
        ``state`` unknown; ``lam`` negative, not finite or not 1-D; ``gamma`` outside (0, 1);
        ``samples`` < 2, ``n_aux`` or ``power_samples`` < 1; a state without the ``noop`` action;
        ``rewards`` not a reward law for this MDP; value iteration that does not converge
        (``gamma``) or rewards whose values leave the float range (``rewards``).
    tailpower.BudgetError
        If the work or memory would exceed the work limit or the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> f = ps.aup_action_frequencies(ps.examples.pacman_shutdown(), "0,0", [0.0, 10.0], 0.9, samples=200,
    ...                               rng=0, noop="self", power_samples=400)
    >>> f.actions, f["0,0"].tolist()  # the no-op (stay at 0,0) takes over as lam grows
    (('1,0', '0,1', '0,0', 'off'), [0.12, 0.7])
    >>> float(f["off"][1])  # ... and shutdown, which changes attainable utility most, is avoided
    0.0
    """
    s, lams, gamma, K = _start(mdp, state, lam, gamma, samples)
    N = check_int("n_aux", n_aux)
    law = as_law(_default(rewards))
    _check_size(mdp, K, lams.size, N, gamma)
    gen = as_generator(rng)
    M, act_ptr, _ = _entries(mdp)
    noop_e = _noop_entries(mdp, noop)
    S = mdp.n_states
    R = law.sample(gen, K, mdp)
    aux = law.sample(gen, K * N, mdp).reshape(K, N, S)
    pen = _penalty(M, act_ptr, noop_e, aux, gamma, mdp)
    lo, hi = int(act_ptr[s]), int(act_ptr[s + 1])
    freq = np.empty((lams.size, hi - lo))
    V = None
    for j, lj in enumerate(lams):
        V, bound = _solve(mdp, M, act_ptr, R, -(lj * gamma) * pen, gamma, start=V)
        q = -lj * pen[:, lo:hi] + (M[lo:hi] @ V.T).T  # Q(s, a)/gamma - R(s)/gamma
        freq[j] = _chosen(q, bound).mean(axis=0)
    sp, sp_err, _, _ = _successor_power(mdp, s, gamma, law, power_samples, gen)
    return ActionFrequencies(state=mdp.states[s], actions=tuple(mdp.actions[s]), lams=lams, frequency=freq,
                             stderr=np.sqrt(freq * (1 - freq) / K), successor_power=sp, power_stderr=sp_err,
                             samples=K, agent="aup")


def _default(rewards):
    from scipy import stats

    return stats.uniform() if rewards is None else rewards


# ----------------------------------------------------------------------------- power-averse
def power_averse_frequencies(mdp: MDP, state, lam, gamma: float, rewards=None, samples: int = 2000, rng=None,
                             power_samples: int = 20_000) -> ActionFrequencies:
    """How often an agent optimal for R - lam POWER_D takes each action at ``state``, R ~ D.

    POWER_D(., gamma) is estimated once on ``power_samples`` rewards (its standard error is in
    ``power_stderr``; a POWER error e moves each reward by lam e). lam = 0 is the optimal agent
    (its frequencies are optimality probabilities).

    Parameters
    ----------
    mdp, state, lam, gamma, rewards, samples, rng, power_samples
        As for :func:`aup_action_frequencies`.

    Returns
    -------
    ActionFrequencies

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP or a count is not a number.
    ValueError
        As :func:`aup_action_frequencies`: ``state`` unknown, ``lam`` negative or not finite,
        ``gamma`` outside (0, 1), ``samples`` < 2, ``rewards`` not a law for this MDP.
    tailpower.BudgetError
        If the work or memory would exceed the work limit or the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> f = ps.power_averse_frequencies(ps.examples.pacman_shutdown(), "0,0", [0.0, 5.0], 0.9,
    ...                                 samples=200, rng=0, power_samples=400)
    >>> f["off"].tolist()  # lam = 0 is the optimal agent; at lam = 5 it always shuts off
    [0.16, 1.0]
    """
    from .solvers import value_iteration

    s, lams, gamma, K = _start(mdp, state, lam, gamma, samples)
    law = as_law(_default(rewards))
    _check_size(mdp, K, lams.size, 0, gamma, entry_rewards=False)
    gen = as_generator(rng)
    M, act_ptr, _ = _entries(mdp)
    R = law.sample(gen, K, mdp)
    sp, sp_err, pw, _ = _successor_power(mdp, s, gamma, law, power_samples, gen)
    lo, hi = int(act_ptr[s]), int(act_ptr[s + 1])
    freq = np.empty((lams.size, hi - lo))
    for j, lj in enumerate(lams):  # state rewards only: the package's solvers (policy iteration where cheaper)
        res = value_iteration(mdp, R - lj * pw[None, :], gamma, eps=_EPS)
        q = (M[lo:hi] @ res.values.T).T  # Q(s, a)/gamma - R(s)/gamma
        freq[j] = _chosen(q, res.bound).mean(axis=0)
    return ActionFrequencies(state=mdp.states[s], actions=tuple(mdp.actions[s]), lams=lams, frequency=freq,
                             stderr=np.sqrt(freq * (1 - freq) / K), successor_power=sp, power_stderr=sp_err,
                             samples=K, agent="power-averse")
