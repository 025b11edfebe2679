"""POWER of one agent beside another on a shared environment (Turner, "POWER in multi-agent games";
the setting of the POWERplay experiments, where agent 1 ("agent B") learns its policy first and
agent 0 ("agent A") then faces it).

- :func:`joint`: the joint MDP of two agents -- state tuples, joint actions chosen simultaneously,
  product transitions; with ``collide=True`` the agents may never be in the same state: joint
  states whose two component states have *equal names* (e.g. the same gridworld cell "1,2") are
  removed, and a joint action that would reach one with positive probability is not offered
  (POWERplay's no-overlap rule; swapping cells is allowed).
- :func:`fix_policies`: agent ``k`` follows a fixed policy; the result is the ordinary
  :class:`~powerseek.MDP` the other agent faces, so :func:`powerseek.power` and everything else
  work on it.
- :func:`power_with_reward`: agent 1 best-responds to its own reward R_1, correlated with agent
  0's reward R_0; agent 0's POWER (Turner et al., "Optimal Policies Tend to Seek Power", NeurIPS
  2021, Def. 5.2) in the MDP agent 1's policy leaves it, averaged over the joint reward law.

Rewards are on joint states, iid across joint states. The correlation is that of a Gaussian
copula: R_i = F^{-1}(Phi(Z_i)) with standard normals Z_1 = rho Z_0 + sqrt(1 - rho^2) Z', F the
marginal law (default U(0, 1), the papers' law). So both agents keep the single-agent marginal
law (rho = 0 compares with :func:`powerseek.power`), rho = 1 gives R_1 = R_0 (a common goal),
rho = -1 the antithetic R_1 = F^{-1}(1 - F(R_0)) (for U(0,1): 1 - R_0, opposed goals). rho is the
correlation of the latent normals: the Pearson correlation of R_0, R_1 equals rho for a normal
marginal law and is (6/pi) arcsin(rho/2) (within 0.018 of rho) for U(0, 1).

F may be discrete (scipy discrete laws, :func:`powerseek.tabulated`, :func:`powerseek.point_mass`):
with F^{-1}(u) = min{x : F(x) >= u} the rewards take exactly the law's values with its
probabilities, rho = 1 still gives R_1 = R_0 exactly, and for a Bernoulli(1/2) law
P(R_0 = R_1 = 1) = 1/4 + arcsin(rho)/(2 pi) (the normal orthant probability). Ties between agent
1's actions then have positive probability; :func:`power_with_reward` states the rule that breaks
them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tailpower._common import Estimate, as_generator, check_int, check_memory
from tailpower._results import ResultMixin

from . import _multiagent_kernels as _mk
from ._checks import check_bool, check_gamma, check_positive, check_real, check_work, pow2_scale
from ._multiagent_build import JointMDP, build_joint, fixed_mdp, joint_bytes
from .model import MDP

__all__ = ["JointMDP", "MultiAgentPower", "joint", "fix_policies", "power_with_reward"]

_DRAW_STEPS = 60  # steps per reward entry for two normals, the copula map and bookkeeping
_MAX_SWEEPS = 1_000_000  # value-iteration sweeps per sample, as powerseek.value_iteration allows


def joint(mdps: Sequence[MDP], collide: bool = True) -> JointMDP:
    """The joint MDP of two agents moving simultaneously on their own MDPs.

    Joint state ``(s0, s1)`` is named ``"(s0, s1)"`` and joint action ``(a0, a1)`` ``"(a0, a1)"``;
    T((s0, s1), (a0, a1), (t0, t1)) = T0(s0, a0, t0) T1(s1, a1, t1). With ``collide=True`` the
    agents never share a state: joint states whose component states have equal names are removed
    and joint actions reaching one with positive probability are not offered (POWERplay's
    no-overlap rule; "same cell" means equal state names, so both MDPs need the same state names).
    The result is an ordinary :class:`~powerseek.MDP` (a :class:`JointMDP` that remembers its
    components), so ``ps.power(joint, ...)`` gives the POWER of a controller moving both agents.

    Parameters
    ----------
    mdps : sequence of two MDP
        Agent 0's and agent 1's MDPs (two agents only).
    collide : bool
        Remove collisions (default True).

    Returns
    -------
    JointMDP

    Raises
    ------
    ValueError
        ``mdps`` not two MDPs; with ``collide=True`` different state-name sets; a joint above the
        memory budget (estimated from the component sizes first). ``collide`` when a joint state
        is left with no joint action (every one may collide).

    Examples
    --------
    >>> import powerseek as ps
    >>> g = ps.MDP.gridworld(1, 2)
    >>> J = ps.multiagent.joint([g, g], collide=True)
    >>> J.states
    ('(0,0, 0,1)', '(0,1, 0,0)')
    >>> J.actions[0]                # the agents may swap cells, never share one
    ('(E, W)', '(stay, stay)')
    """
    collide = check_bool("collide", collide)
    if isinstance(mdps, (str, bytes, MDP)) or not isinstance(mdps, Sequence):
        raise TypeError(f"mdps: expected a sequence of two powerseek.MDP, got {type(mdps).__name__}")
    if len(mdps) != 2:
        raise ValueError(f"mdps: joint MDPs of exactly 2 agents are supported, got {len(mdps)}")
    for k, m in enumerate(mdps):
        if not isinstance(m, MDP):
            raise TypeError(f"mdps: entry {k} is a {type(m).__name__}, expected a powerseek.MDP")
    m0, m1 = mdps
    if collide and set(m0.states) != set(m1.states):
        only = sorted(set(m0.states) ^ set(m1.states))[:5]
        raise ValueError("mdps: with collide=True both agents must move on the same states (same state names, "
                         f"which define 'same cell'); names in only one of them: {only}")
    return build_joint(m0, m1, collide)


def _check_joint(joint_mdp: Any) -> JointMDP:
    if not isinstance(joint_mdp, JointMDP):
        raise TypeError(f"joint: expected the result of powerseek.multiagent.joint, got {type(joint_mdp).__name__}")
    return joint_mdp


def _policy_weights(J: JointMDP, k: int, policy: Any) -> np.ndarray:
    """Probability, under agent ``k``'s policy, of every joint entry's agent-``k`` action."""
    mk = J.agents[k]
    S = J.n_states
    comp = J.pair_state
    names = [mk.actions[i] for i in comp[:, k].tolist()]
    if isinstance(policy, str) and policy == "uniform":
        dists = [np.full(len(n), 1.0 / len(n)) for n in names]
    else:
        if callable(policy) and not isinstance(policy, Mapping):
            get = lambda s: policy((J.agents[0].states[comp[s, 0]], J.agents[1].states[comp[s, 1]]))  # noqa: E731
        elif isinstance(policy, Mapping):
            table = {}
            for key, val in policy.items():
                if isinstance(key, tuple) and len(key) == 2:
                    key = f"({key[0]}, {key[1]})"
                table[str(key)] = val
            unknown = set(table) - set(J.states)
            if unknown:
                raise ValueError(f"policy: {sorted(unknown)[:3]} are not joint states; keys are joint state names "
                                 "'(s0, s1)' or tuples (s0, s1)")

            def get(s):
                if J.states[s] not in table:
                    raise ValueError(f"policy: no action given for joint state {J.states[s]!r}; the mapping must "
                                     "cover every joint state")
                return table[J.states[s]]
        else:
            raise TypeError(f"policy: expected a mapping, a callable or 'uniform', got {type(policy).__name__}")
        dists = [_one_dist(get(s), names[s], J.states[s], k) for s in range(S)]
    ent_state = np.repeat(np.arange(S, dtype=np.int64), np.diff(J.csr[0]))
    pos = J.pair_entry[:, k]
    flat = np.concatenate(dists)
    off = np.zeros(S + 1, dtype=np.int64)
    np.cumsum([len(d) for d in dists], out=off[1:])
    return flat[off[ent_state] + pos]


def _one_dist(val: Any, names: tuple, state: str, k: int) -> np.ndarray:
    out = np.zeros(len(names))
    items = val.items() if isinstance(val, Mapping) else [(val, 1.0)]
    for a, p in items:
        if str(a) not in names:
            raise ValueError(f"policy: at joint state {state!r} agent {k} has no action {str(a)!r}; its actions "
                             f"there are {list(names)[:10]}")
        if isinstance(p, (bool, complex, np.complexfloating)):
            raise TypeError(f"policy: probability of {a!r} at {state!r} is not a real number: {p!r}")
        try:
            x = float(p)
        except (TypeError, ValueError):
            raise TypeError(f"policy: probability of {a!r} at {state!r} is not a number: {p!r}") from None
        except OverflowError:
            raise ValueError(f"policy: probability of {a!r} at {state!r} is too large: must be in [0, 1]") from None
        if not (math.isfinite(x) and x >= 0):
            raise ValueError(f"policy: probabilities must be finite and >= 0, got {p!r} at {state!r}")
        out[names.index(str(a))] += x
    if abs(out.sum() - 1.0) > 1e-9:
        raise ValueError(f"policy: probabilities at {state!r} sum to {out.sum()!r}, not 1")
    return out / out.sum()


def fix_policies(joint: JointMDP, policies: Mapping[int, Any]) -> MDP:
    """The MDP one agent faces when the other follows a fixed policy.

    ``policies = {1: policy}`` fixes agent 1 (the result is agent 0's MDP), ``{0: policy}`` fixes
    agent 0. ``policy`` is ``"uniform"`` (uniform over the agent's actions), a mapping
    {joint state name or (s0, s1): action name or {action name: probability}} covering every
    joint state, or a callable taking the pair ``(s0, s1)`` of component state names and returning
    an action name or a dict of probabilities. The free agent's action g at joint state s moves
    with sum_a pi(a|s) T(s, (g, a), .) -- stochastic if the policy is. With collisions removed, the
    fixed agent's draw is conditioned on not colliding with g (its probabilities renormalised over
    the actions compatible with g); g compatible with none of them is not offered.

    Parameters
    ----------
    joint : JointMDP
        From :func:`joint`.
    policies : mapping {0 or 1: policy}
        The one agent whose policy is fixed, and the policy (see above).

    Returns
    -------
    MDP
        On the joint states (same names and order), actions named by the free agent's own action
        names.

    Raises
    ------
    ValueError
        ``policy`` naming an action the agent does not have at a state, probabilities not summing
        to 1, a mapping missing a joint state, or leaving the free agent no action; ``policies``
        not a single entry {0 or 1: policy}.

    Examples
    --------
    >>> import powerseek as ps
    >>> J = ps.multiagent.joint([ps.MDP.gridworld(1, 3)] * 2, collide=True)
    >>> M = ps.multiagent.fix_policies(J, {1: lambda s: "stay"})
    >>> M.actions[J.index("(0,0, 0,2)")]
    ('E', 'stay')
    """
    J = _check_joint(joint)
    if not isinstance(policies, Mapping) or len(policies) != 1:
        raise ValueError("policies: expected one entry {k: policy} with k = 0 or 1 (the agent whose policy is fixed)")
    (k, policy), = policies.items()
    if isinstance(k, bool) or k not in (0, 1):
        raise ValueError(f"policies: the agent must be 0 or 1, got {k!r}")
    return fixed_mdp(J, int(k), _policy_weights(J, int(k), policy))


@dataclass(frozen=True, eq=False)
class MultiAgentPower(ResultMixin):
    """POWER of agent 0 at every joint state (:func:`power_with_reward`); ``res["(s0, s1)"]`` or
    ``res[("s0", "s1")]`` -> Estimate.

    Attributes
    ----------
    states : tuple of str
        Joint states.
    value, stderr : ndarray (S,)
        POWER of agent 0 and its Monte Carlo standard error (+inf when the reward law has a finite
        mean but an infinite variance).
    gamma, gamma_1 : float
        Discount rates of agent 0 and agent 1.
    correlation : float
        rho of the Gaussian copula linking R_1 to R_0.
    samples : int
    bound : float
        Deterministic error bound from value iteration on agent 0's values (per state).

    Examples
    --------
    >>> import powerseek as ps
    >>> a0 = ps.MDP.from_successors({"x": ["x"]})
    >>> J = ps.multiagent.joint([a0, a0], collide=False)
    >>> res = ps.multiagent.power_with_reward(J, 0.5, samples=1000, rng=0)
    >>> res.states, bool(abs(res.value[0] - 0.5) < 5 * res.stderr[0])  # one state: POWER = E[R] = 1/2
    (('(x, x)',), True)
    """

    states: tuple[str, ...]
    value: np.ndarray
    stderr: np.ndarray
    gamma: float
    gamma_1: float
    correlation: float
    samples: int
    bound: float

    def __getitem__(self, state) -> Estimate:
        if isinstance(state, tuple) and len(state) == 2:
            state = f"({state[0]}, {state[1]})"
        if isinstance(state, (int, np.integer)) and not isinstance(state, bool):
            if not 0 <= int(state) < len(self.states):
                raise ValueError(f"state: index {state} out of range for {len(self.states)} joint states")
            i = int(state)
        elif str(state) in self.states:
            i = self.states.index(str(state))
        else:
            raise ValueError(f"state: unknown joint state {str(state)!r}; states are {list(self.states[:5])}...")
        return Estimate(float(self.value[i]), float(self.stderr[i]), "mc", self.samples)


def _marginal(rewards: Any):
    from scipy import stats

    if rewards is None:
        return stats.uniform(), True
    if isinstance(rewards, (stats.rv_continuous, stats.rv_discrete)):
        raise TypeError(f"rewards: got the scipy distribution family {getattr(rewards, 'name', '?')!r} itself; freeze "
                        "it with its parameters, e.g. stats.uniform() or stats.bernoulli(0.5)")
    dist = getattr(rewards, "dist", None)
    if not isinstance(dist, (stats.rv_continuous, stats.rv_discrete)) or not hasattr(rewards, "ppf"):
        raise TypeError("rewards: expected a frozen scipy law, continuous or discrete (e.g. stats.uniform(), "
                        f"stats.bernoulli(0.5), ps.tabulated(values, probs)), got {type(rewards).__name__}")
    with np.errstate(all="ignore"):  # moments of laws near 1e308 overflow inside scipy
        mean = float(rewards.mean())
        var = float(rewards.var())
    if not math.isfinite(mean):
        raise ValueError("rewards: POWER is an expectation and this law has no finite mean; use a law with one")
    lo, hi = (float(x) for x in rewards.support())
    # bounded support: finite variance even when float64 cannot hold it (values near 1e308)
    return rewards, math.isfinite(var) or (math.isfinite(lo) and math.isfinite(hi))


def _quantiles(dist, Z: np.ndarray) -> np.ndarray:
    """F^{-1}(Phi(Z)) accurately in both tails (isf of the upper tail for Z > 0). For a discrete law
    scipy's ppf/isf return support points themselves (F^{-1}(u) = min{x : F(x) >= u}), so
    rewards take exactly the law's values, with the law's probabilities."""
    from scipy.special import ndtr

    out = np.empty_like(Z)
    lo = Z <= 0
    with np.errstate(all="ignore"):
        out[lo] = dist.ppf(ndtr(Z[lo]))
        out[~lo] = dist.isf(ndtr(-Z[~lo]))
    if not np.all(np.isfinite(out)):
        raise ValueError("rewards: the law's quantile function gave non-finite rewards for some normal draws; use a "
                         "law with finite quantiles on (0, 1)")
    return out


def _sweeps(gamma: float, thresh: float, rmax: float) -> int:
    """Value-iteration sweeps from V_0 = R to a step below ``thresh`` (||V_1 - V_0|| <= 2 rmax gamma)."""
    start = 2.0 * rmax * gamma / (1.0 - gamma)
    if not start > thresh:
        return 1
    return int(math.ceil(math.log(thresh / start) / math.log(gamma))) + 1


def agent0_power(J: JointMDP, R0: np.ndarray, choice: np.ndarray, gamma: float, tol: float):
    """Per-sample POWER of agent 0, (1 - gamma) max_{a0} E V*_{R0} (Bellman form of Def. 5.2), with
    agent 1 playing column ``choice[k, s]``; and the deterministic error bound. Solved on R0 / c
    with c a power of two (exact; POWER is positively homogeneous in R0), so rewards near 1e308
    cannot overflow V* = R/(1 - gamma)."""
    act_ptr, act_col, tr_ptr, nxt, prob = J.csr
    tag = act_col % J.agents[1].n_actions
    K, S = R0.shape
    c = pow2_scale(R0)
    R0 = R0 / c
    eps = tol / c / (1.0 - gamma)  # sup-norm error on V* (scaled units)
    rmax = float(np.abs(R0).max()) if R0.size else 0.0
    floor = 64 * np.finfo(float).eps * max(rmax, 1e-300) / (1.0 - gamma)
    thresh = max(eps * (1.0 - gamma) / gamma, floor)
    max_iter = _sweeps(gamma, thresh, rmax) + 10
    cont = np.empty((K, S))
    iters = np.empty(K, dtype=np.int64)
    diff = np.empty(K)
    _mk.masked_value_iteration(np.ascontiguousarray(R0), gamma, thresh, act_ptr, tr_ptr, nxt, prob, tag,
                               np.ascontiguousarray(choice), max_iter, cont, iters, diff)
    bound = float(diff.max()) * gamma / (1.0 - gamma) if K else 0.0
    return (cont * (1.0 - gamma)) * c, (1.0 - gamma) * bound * c


def per_sample_power(J: JointMDP, resp: MDP, R0: np.ndarray, R1: np.ndarray, gamma: float, gamma_1: float,
                     tol: float) -> tuple[np.ndarray, float]:
    """(K, S) POWER of agent 0 for reward pairs (R0[k], R1[k]): agent 1 plays its optimal policy for
    R1[k] in ``resp`` (its MDP against agent 0's uniform baseline), ties broken by
    :func:`powerseek._multiagent_kernels.agent1_policy`; agent 0 answers optimally."""
    choice = _mk.agent1_policy(resp, R1, gamma_1)
    X, b = agent0_power(J, R0, choice, gamma, tol)
    if not np.all(np.isfinite(X)):  # never: agent 1's choice always leaves agent 0 an action
        raise RuntimeError("internal error: agent 0 had no action compatible with agent 1's choice")
    return X, b


def power_with_reward(joint: JointMDP, gamma: float, correlation: float = 0.0, gamma_1: float | None = None,
                      rewards=None, samples: int = 10_000, rng=None, tol: float = 1e-9) -> MultiAgentPower:
    """POWER of agent 0 when agent 1 best-responds to a reward correlated with agent 0's.

    For each sample: rewards (R_0, R_1) on joint states from the Gaussian copula with correlation
    ``correlation`` (module docstring); agent 1's optimal policy for R_1 at discount ``gamma_1``
    while agent 0 moves uniformly at random (POWERplay's "agent B learns first": agent 0's
    baseline draw is uniform over its actions compatible with agent 1's); then agent 0's
    POWER_D(s, gamma) = (1 - gamma)/gamma (V*_{R_0}(s) - R_0(s)) in :func:`fix_policies`'s MDP with
    agent 1's policy fixed. The mean over samples estimates E over the joint law; ``stderr`` is
    the sample standard deviation / sqrt(samples).

    Ties (agent 1's rule). With a discrete reward law agent 1's optimal actions tie with positive
    probability (e.g. two successors with equal rewards), and agent 0's POWER depends on which one
    agent 1 takes. Agent 1 takes, at every state, the **first action in its own action order**
    (its MDP's column order) among those whose Q-value is within 1e-9 (max R_1 - min R_1) /
    (1 - gamma_1) of the best -- a tolerance relative to the value scale, far above the error of
    the computed V* (1e-12 on that scale) and of rounding. So actions tied in exact arithmetic
    always count as tied, whatever the rounding (R_1 and a R_1 + b with a > 0 give the same
    policy), and a tie is broken the same way however it arises; actions closer than that
    tolerance to optimal, without being optimal, also count as tied. The setting (Turner, "POWER
    in multi-agent games"; POWERplay) has agent 1 play one fixed policy optimal for its own
    reward; which optimal action it takes on a tie is this rule's choice. With continuous laws
    ties have probability 0 and the rule does not matter.

    Parameters
    ----------
    joint : JointMDP
        From :func:`joint`.
    gamma : float in (0, 1)
        Agent 0's discount rate.
    correlation : float in [-1, 1]
        rho of the Gaussian copula (the Pearson correlation for a normal marginal law).
    gamma_1 : float in (0, 1), optional
        Agent 1's discount rate (default ``gamma``).
    rewards : frozen scipy law, optional
        Marginal law of every reward (default U(0, 1)): continuous, or discrete -- any frozen
        scipy discrete law (``stats.bernoulli(0.5)``, ``stats.randint(0, 3)``, ...) or
        :func:`powerseek.tabulated` / :func:`powerseek.point_mass`; rewards then take exactly the
        law's values (ties broken as above). Needs a finite mean.
    samples : int >= 2
    rng : Generator | int | SeedSequence | None
    tol : float > 0
        Deterministic error bound on agent 0's POWER from value iteration.

    Returns
    -------
    MultiAgentPower

    Raises
    ------
    TypeError
        If ``joint`` is not a JointMDP, ``rewards`` not a frozen scipy law (continuous or
        discrete), or a number or count has the wrong type.
    ValueError
        ``gamma`` or ``gamma_1`` outside (0, 1) or so close to 1 that value iteration needs too
        many sweeps; ``correlation`` outside [-1, 1]; ``samples`` < 2; ``tol`` <= 0; ``rewards``
        without a finite mean or with non-finite quantiles.
    tailpower.BudgetError
        If the samples would exceed the work limit or the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> a0 = ps.MDP.from_successors({"x": ["x"]})
    >>> a1 = ps.MDP.from_successors({"a": ["b", "c"], "b": ["b"], "c": ["c"]})
    >>> J = ps.multiagent.joint([a0, a1], collide=False)
    >>> res = ps.multiagent.power_with_reward(J, 0.5, correlation=1.0, samples=20_000, rng=0)
    >>> abs(res[("x", "a")].value - 2 / 3) < 0.01   # agent 1 picks max(R_b, R_c) for agent 0
    True
    >>> from scipy import stats                      # Bernoulli(1/2) rewards: E max(R_b, R_c) = 3/4
    >>> res = ps.multiagent.power_with_reward(J, 0.5, correlation=1.0, rewards=stats.bernoulli(0.5),
    ...                                       samples=20_000, rng=0)
    >>> abs(res[("x", "a")].value - 3 / 4) < 0.01
    True
    """
    J = _check_joint(joint)
    gamma = check_gamma(gamma)
    g1 = gamma if gamma_1 is None else check_gamma(gamma_1, name="gamma_1")
    rho = check_real("correlation", correlation)
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"correlation: must be in [-1, 1], got {correlation!r}")
    dist, var_ok = _marginal(rewards)
    K = check_int("samples", samples, minimum=2)
    tol = check_positive("tol", tol)
    S = J.n_states
    resp = fix_policies(J, {0: "uniform"})  # agent 1's MDP while agent 0 is uniformly random
    act_ptr, act_col, tr_ptr, nxt, prob = J.csr
    per_row = len(prob) + len(act_col) + S
    resp_row = len(resp.csr[4]) + len(resp.csr[1]) + S
    for name, g, sw in (("gamma", gamma, _sweeps(gamma, min(tol, 1e-9), 1.0)), ("gamma_1", g1, _sweeps(g1, 1e-12, 1.0))):
        if sw > _MAX_SWEEPS:
            raise ValueError(f"{name}: value iteration at {name} = {g!r} needs about {sw:.2g} sweeps per sample, "
                             f"above {_MAX_SWEEPS:.0e}; use {name} <= 0.9999")
    sweeps = _sweeps(gamma, min(tol, 1e-9), 1.0) + _sweeps(g1, 1e-12, 1.0)
    check_work("samples", K * (sweeps * max(per_row, resp_row) + _DRAW_STEPS * S),
               f"multi-agent POWER on {K} reward samples")
    rows = max(1, min(K, (1 << 20) // S))
    check_memory("samples", 12 * 8.0 * rows * S, f"a batch of {rows} reward samples on {S} joint states")
    gen = as_generator(rng)
    total = np.zeros(S)
    total2 = np.zeros(S)
    shift = None
    bound = 0.0
    c = math.sqrt(max(0.0, 1.0 - rho * rho))
    for lo in range(0, K, rows):
        k = min(rows, K - lo)
        Z0 = gen.standard_normal((k, S))
        Z1 = rho * Z0 + c * gen.standard_normal((k, S))
        X, b = per_sample_power(J, resp, _quantiles(dist, Z0), _quantiles(dist, Z1), gamma, g1, tol)
        bound = max(bound, b)
        if shift is None:
            shift = X[0].copy()  # shifted sums: no cancellation in the variance
            unit = pow2_scale(X)  # and scaled ones: no overflow of D^2 for rewards near 1e308
        D = X / unit - shift / unit  # powers of two: exact, and no overflow of X - shift
        total += D.sum(axis=0)
        total2 += (D * D).sum(axis=0)
    mean_d = total / K
    var = np.maximum(total2 / K - mean_d * mean_d, 0.0) * K / (K - 1)
    with np.errstate(over="ignore"):  # a standard error beyond float64 is reported as inf
        se = np.sqrt(var / K) * unit
    if not var_ok:  # the sample mean converges, but no standard error describes it
        se = np.where(se > 0, np.inf, se)
    return MultiAgentPower(J.states, (shift / unit + mean_d) * unit, se, gamma, g1, rho, K, bound)
