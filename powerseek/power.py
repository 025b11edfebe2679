"""POWER and optimality probability (Turner et al., "Optimal Policies Tend to Seek Power", 2021).

POWER_D(s, gamma) = (1 - gamma)/gamma * E_{R ~ D}[V*_R(s, gamma) - R(s)]   (Def. 5.2), gamma in (0, 1),
with the limits (Lipschitz in gamma, Lemma 5.3):

- gamma -> 0: POWER_D(s, 0) = E[max_a E_{s' ~ T(s, a)} R(s')] (the best next-step reward);
- gamma -> 1: POWER_D(s, 1) = E[max over RSDs d reachable from s of d^T R] = E[g*_R(s)], the optimal
  gain (best long-run average reward) -- in a deterministic MDP the best mean reward of a cycle
  reachable from s (Karp), in any MDP by multichain policy iteration (:mod:`powerseek.average`).

The solver for 0 < gamma < 1 (value or policy iteration) is chosen per reward vector by its
estimated cost and reported in the result's ``method``.

P_D(s, a, gamma) = P_{R ~ D}(some optimal policy takes a at s) (Def. 6.1); at gamma = 1 "optimal"
means Blackwell-optimal (the limit of the optimal policy sets), at gamma = 0 the limit gamma -> 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tailpower._common import Estimate, as_generator, check_int, check_memory, memory_budget
from tailpower._results import ResultMixin

from ._checks import Unsupported, check_choice, check_gamma, check_positive, check_work, float_array, pow2_scale
from ._emax import expected_max_iid
from . import average
from .limits import check_mdp, gain_steps, karp_steps, limit_optimal_actions, limit_steps, max_gain, require_deterministic, self_loop_counts
from .model import MDP
from .rewards import RewardLaw, as_law, is_discrete
from ._bellman import continuation
from .solvers import optimal_actions, plan, solve

__all__ = ["PowerResult", "PowerCurve", "power", "power_curve", "optimality_probability", "expected_max_iid"]

#: steps charged per reward vector and state for drawing and bookkeeping (scipy rvs, numpy)
_DRAW_STEPS = 40


@dataclass(frozen=True, eq=False)
class PowerResult(ResultMixin):
    """POWER of every state. Index by state name (``res["l_sw"]`` -> Estimate) or use the arrays.

    Attributes
    ----------
    states : tuple of str
    gamma : float
    value : ndarray (S,)
        POWER per state, in ``states`` order.
    stderr : ndarray (S,)
        Monte Carlo standard errors (0 for exact values).
    method : str
        "vi" (value iteration on sampled rewards), "pi" (policy iteration; at gamma = 1
        multichain policy iteration), "vi+pi" (both, for different reward vectors), "mc" (limit
        formula on sampled rewards: next-step max at gamma = 0, Karp at gamma = 1), "exact".
    samples : int
    bound : float
        Deterministic error bound of the solver: |bias| <= bound per state.

    ``stderr`` is +inf when the reward law has a finite mean but an infinite variance (the sample
    mean still converges, but no standard error describes it).
    """

    states: tuple[str, ...]
    gamma: float
    value: np.ndarray
    stderr: np.ndarray
    method: str
    samples: int
    bound: float = 0.0

    def __getitem__(self, state) -> Estimate:
        i = self._idx(state)
        return Estimate(float(self.value[i]), float(self.stderr[i]), self.method, self.samples)

    def _idx(self, state) -> int:
        return _state_index(self.states, state)

    def as_dict(self) -> dict[str, float]:
        return dict(zip(self.states, map(float, self.value)))


@dataclass(frozen=True, eq=False)
class PowerCurve(ResultMixin):
    """POWER vs gamma on common reward samples: ``value[g, s]``, ``stderr[g, s]``."""

    states: tuple[str, ...]
    gammas: np.ndarray
    value: np.ndarray
    stderr: np.ndarray
    method: str
    samples: int
    bound: float = 0.0

    def __getitem__(self, state) -> tuple[np.ndarray, np.ndarray]:
        i = _state_index(self.states, state)
        return self.value[:, i], self.stderr[:, i]


def _state_index(states: tuple[str, ...], state) -> int:
    if isinstance(state, (int, np.integer)) and not isinstance(state, bool):
        if not -len(states) <= int(state) < len(states):
            raise ValueError(f"state: index {int(state)} out of range for {len(states)} states")
        return int(state) % len(states)
    key = str(state)
    if key not in states:
        head = list(states[:10]) + (["..."] if len(states) > 10 else [])
        raise ValueError(f"state: unknown state {key!r}; states are {head}")
    return states.index(key)


class _Moments:
    """Streaming per-column mean and variance (Chan et al.'s pairwise update) in units of a power of
    two that grows with the data, so values near 1e308 neither overflow nor lose the mean."""

    def __init__(self, S: int):
        self.n = 0
        self.mean = np.zeros(S)
        self.m2 = np.zeros(S)
        self.scale = 0.0

    def add(self, X: np.ndarray) -> None:
        c = pow2_scale(X)
        if c > self.scale:
            if self.scale > 0:
                r = self.scale / c
                self.mean *= r
                self.m2 *= r * r
            self.scale = c
        Y = X / self.scale
        k = Y.shape[0]
        mb = Y.mean(axis=0)
        m2b = ((Y - mb) ** 2).sum(axis=0)
        tot = self.n + k
        d = mb - self.mean
        self.mean = self.mean + d * (k / tot)
        self.m2 = self.m2 + m2b + d * d * (self.n * k / tot)
        self.n = tot

    def result(self, finite_variance: bool) -> tuple[np.ndarray, np.ndarray]:
        value = self.mean * self.scale
        if self.n < 2:
            return value, np.zeros_like(value)
        se = np.sqrt(self.m2 / (self.n - 1)) / math.sqrt(self.n) * self.scale
        if not finite_variance:
            se = np.where(se > 0, np.inf, se)
        return value, se


def _law(mdp: MDP, rewards, *, need_mean: bool) -> tuple[RewardLaw, bool]:
    """The reward law and whether its variance is finite; refuses laws without a mean when
    ``need_mean`` (POWER is an expectation)."""
    from scipy import stats

    law = as_law(stats.uniform() if rewards is None else rewards)
    if law.kind == "fixed" and law.vector.shape != (mdp.n_states,):
        raise ValueError(f"rewards: fixed vector has {law.vector.shape[0]} entries, the MDP has {mdp.n_states} states")
    mean_ok, var_ok = law.finite_moments(mdp)
    if need_mean and not mean_ok:
        raise ValueError("rewards: POWER is an expectation over rewards and this reward law has no finite mean "
                         "(e.g. Cauchy, Levy); use a law with a finite mean")
    return law, var_ok


def _row_bytes(mdp: MDP) -> float:
    _, _, tr_ptr, _, prob = mdp.csr
    return 8.0 * (6 * mdp.n_states + 2 * len(prob) + 2 * len(tr_ptr))


def _batch_rows(mdp: MDP, K: int) -> int:
    """Reward vectors per batch: about 4M entries (32 MiB), fewer if the budget is smaller. The
    batch size depends only on the MDP (and the budget), so a seed gives the same numbers."""
    per = _row_bytes(mdp)
    check_memory("mdp", per, "solving for one reward vector")
    rows = max(1, (1 << 22) // max(mdp.n_states, 1))
    rows = min(rows, max(1, int(memory_budget() // (4 * per))))
    return min(K, rows)


def _sizes(law: RewardLaw, samples) -> int:
    return 1 if law.deterministic else check_int("samples", samples, minimum=2)


def _gamma_steps(mdp: MDP, gamma: float, tol: float, param: str = "gamma") -> tuple[float, str | None]:
    """Steps per reward vector at ``gamma`` and the planned solver (None at the limits)."""
    if gamma == 0.0:
        return float(len(mdp.csr[4])), None
    if gamma == 1.0:
        if mdp.is_deterministic and karp_steps(mdp) <= gain_steps(mdp):
            return karp_steps(mdp), "karp"
        if not mdp.is_deterministic and mdp.n_states > average.MAX_DENSE:
            raise Unsupported(f"{param}: gamma = 1 on a stochastic MDP is limited to {average.MAX_DENSE} states, the MDP "
                             f"has {mdp.n_states}; use gamma = 1 - 1e-6")
        return gain_steps(mdp), "pi"
    p = plan(mdp, gamma, tol / (1.0 - gamma), 2.0, param=param)
    return p.steps_per_row, None  # the solver chooses per reward vector


def _per_sample_power(mdp: MDP, R: np.ndarray, gamma: float, tol: float, method: str | None,
                      param: str = "gamma") -> tuple[np.ndarray, float, str]:
    """(K, S) per-sample POWER contributions (1 - gamma) max_a E_{T(s,a)} V*_R, the deterministic
    error bound and the solver used. Uses V* - R = gamma max_a T_a V* (Bellman), so there is no
    division by gamma and no cancellation at small gamma."""
    c = pow2_scale(R)
    Rs = R / c
    if gamma == 0.0:
        return continuation(mdp, Rs) * c, 0.0, "mc"
    if gamma == 1.0:
        if method == "karp":
            return max_gain(mdp, R, method="karp"), 0.0, "mc"
        res = average.average_optimal(mdp, R, blackwell=False)
        return res.gain, res.bound, "pi"
    V, _, bound, meth = solve(mdp, Rs, gamma, tol / c / (1.0 - gamma), method or "auto", param=param)
    X = continuation(mdp, V)
    X *= (1.0 - gamma) * c
    return X, (1.0 - gamma) * bound * c, meth


def _exact_limit(mdp: MDP, law: RewardLaw, gamma: float, required: bool) -> np.ndarray | None:
    """Exact POWER(s, 0) / POWER(s, 1) for deterministic MDPs with iid rewards, where it reduces
    to E[max of n iid]: gamma = 0 always (n = number of successors); gamma = 1 when every cycle
    reachable from s is a self-loop (n = number of reachable absorbing-loop states). Else None
    (also when E[max] cannot be computed for the law, unless the exact method is ``required``)."""
    if law.kind != "iid" or not mdp.is_deterministic:
        return None
    try:
        return _exact_values(mdp, law, gamma)
    except ValueError as exc:
        if not required:
            return None
        raise ValueError("rewards: " + str(exc).split(": ", 1)[-1]) from None


def _exact_values(mdp: MDP, law: RewardLaw, gamma: float) -> np.ndarray | None:
    if gamma == 0.0:
        counts = np.array([len(set(row)) for row in mdp.successor_table])
    else:
        counts = self_loop_counts(mdp)
        if counts is None:
            return None
    cache = {int(k): expected_max_iid(law.dist, int(k)) for k in np.unique(counts)}
    return np.array([cache[int(k)] for k in counts], dtype=float)


def _common_args(mdp, tol) -> float:
    check_mdp(mdp)
    return check_positive("tol", tol)


def power(
    mdp: MDP,
    gamma: float,
    rewards=None,
    samples: int = 10_000,
    rng=None,
    method: str = "auto",
    tol: float = 1e-9,
) -> PowerResult:
    """POWER_D(s, gamma) of every state (Turner et al. 2021, Def. 5.2).

    POWER_D(s, gamma) = (1 - gamma)/gamma E_{R~D}[V*_R(s, gamma) - R(s)]
    = (1 - gamma) E[max_a E_{s' ~ T(s, a)} V*_R(s', gamma)] (Bellman), estimated by solving V*_R
    on ``samples`` reward vectors drawn from ``rewards`` (common to all states; drawn and solved
    in batches, so any number fits the memory budget); ``stderr`` = sample standard deviation /
    sqrt(samples) (+inf if the law's variance is infinite). The solver's error adds a
    deterministic bias of at most ``bound <= tol`` per state: value iteration with
    eps = tol/(1 - gamma) on V*, or policy iteration with its a posteriori bound, whichever is
    estimated cheaper for each reward vector (see :func:`powerseek.value_iteration`); ``method``
    of the result says which ran ("vi", "pi" or "vi+pi"); gamma too close to 1 for float64 is
    refused, naming gamma.

    gamma = 0 and gamma = 1 give the limits: E[max_a E_{T(s,a)} R] and E[g*(s)], the optimal gain
    (best long-run average reward from s): on deterministic MDPs the best mean reward of a cycle
    reachable from s (Karp's maximum mean cycle, method "mc"), or multichain policy iteration
    (method "pi", also for stochastic MDPs up to 2000 states; :mod:`powerseek.average`),
    whichever is estimated cheaper.

    Parameters
    ----------
    mdp : MDP
    gamma : float in [0, 1]
    rewards : RewardLaw, frozen scipy law (iid), reward vector, or callable (rng, K) -> (K, S)
        Default: iid U(0, 1), the papers' law. Laws without a finite mean (Cauchy) are refused:
        POWER is an expectation.
    samples : int
        Reward samples (ignored for a fixed reward vector, which is solved once). The estimated
        work is checked against :func:`powerseek.set_work_limit` before anything is drawn.
    rng : Generator | int | SeedSequence | None
    method : "auto" | "mc" | "exact"
        "exact" (limits only, iid rewards, deterministic MDP; E[max of n iid] by quadrature) where
        available; "auto" uses it when it applies to every state, else samples.
    tol : float
        Deterministic error bound on POWER from the solver.
    """
    tol = _common_args(mdp, tol)
    gamma = check_gamma(gamma, open_interval=False)
    method = check_choice("method", method, ("auto", "mc", "exact"))
    law, var_ok = _law(mdp, rewards, need_mean=True)
    S = mdp.n_states
    if method in ("auto", "exact") and gamma in (0.0, 1.0):
        ex = _exact_limit(mdp, law, gamma, required=method == "exact")
        if ex is not None:
            return PowerResult(mdp.states, gamma, ex, np.zeros(S), "exact", 0, 0.0)
        if method == "exact":
            raise ValueError("method: 'exact' needs iid rewards on a deterministic MDP (and at gamma = 1 only self-loop cycles)")
    elif method == "exact":
        raise ValueError("method: 'exact' is available at gamma = 0 and gamma = 1 only")
    K = _sizes(law, samples)
    steps, planned = _gamma_steps(mdp, gamma, tol)
    check_work("samples", K * (steps + _DRAW_STEPS * S + 100), f"POWER on {K} reward samples")
    gen = as_generator(0 if law.deterministic else rng)
    acc = _Moments(S)
    bound, meth = 0.0, "mc"
    rows = _batch_rows(mdp, K)
    for lo in range(0, K, rows):
        R = law.sample(gen, min(rows, K - lo), mdp)
        X, b, meth = _per_sample_power(mdp, R, gamma, tol, planned)
        bound = max(bound, b)
        acc.add(X)
    value, stderr = acc.result(var_ok)
    return PowerResult(mdp.states, gamma, value, stderr, meth, 0 if law.deterministic else K, bound)


def power_curve(mdp: MDP, gammas, rewards=None, samples: int = 10_000, rng=None, tol: float = 1e-9) -> PowerCurve:
    """POWER of every state at each gamma in ``gammas`` (values in [0, 1]) on one common set of
    reward samples (common random numbers, so the curve is smooth and differences are precise).
    Batches of samples are drawn once and solved at every gamma, so memory stays bounded."""
    tol = _common_args(mdp, tol)
    gs = float_array("gammas", gammas)
    gs = np.atleast_1d(gs)
    if gs.ndim != 1 or gs.size == 0:
        raise ValueError(f"gammas: expected a non-empty 1-d sequence, got shape {gs.shape}")
    for g in gs:
        check_gamma(float(g), open_interval=False, name="gammas")
    law, var_ok = _law(mdp, rewards, need_mean=True)
    K = _sizes(law, samples)
    S = mdp.n_states
    plans = []
    total = 0.0
    for g in gs:
        steps, planned = _gamma_steps(mdp, float(g), tol, param="gammas")
        plans.append(planned)
        total += steps
    check_work("samples", K * (total + _DRAW_STEPS * S + 100), f"POWER at {gs.size} discount rates on {K} reward samples")
    gen = as_generator(0 if law.deterministic else rng)
    accs = [_Moments(S) for _ in gs]
    bound, meths = 0.0, set()
    rows = _batch_rows(mdp, K)
    for lo in range(0, K, rows):
        R = law.sample(gen, min(rows, K - lo), mdp)
        for i, g in enumerate(gs):
            X, b, m = _per_sample_power(mdp, R, float(g), tol, plans[i], param="gammas")
            bound = max(bound, b)
            meths.add(m)
            accs[i].add(X)
    res = [a.result(var_ok) for a in accs]
    meth = "+".join(m for m in ("vi", "pi", "mc") if any(m in x.split("+") for x in meths))
    return PowerCurve(mdp.states, gs, np.array([v for v, _ in res]), np.array([e for _, e in res]), meth,
                      0 if K == 1 else K, bound)


def optimality_probability(
    mdp: MDP,
    state,
    successor=None,
    gamma: float = 0.5,
    rewards=None,
    samples: int = 10_000,
    rng=None,
    *,
    action=None,
    eps: float = 1e-10,
) -> Estimate:
    """P_D(s, a, gamma) = P_{R~D}(some optimal policy takes action a at s) (Turner et al. 2021, Def. 6.1).

    Name the action either by ``successor`` (deterministic MDPs: the state it leads to) or by
    ``action`` (its name or index among the state's actions). Monte Carlo over reward samples
    (drawn and solved in batches); stderr = sqrt(p(1 - p)/samples). Any reward law works, also
    one without a mean (a probability always exists).

    - 0 < gamma < 1: value or policy iteration with ||V - V*|| <= eps (eps relative to the
      reward scale); a is optimal when Q(s, a) is within 2 gamma eps of the best (ties detected;
      see :func:`powerseek.optimal_actions`); the estimate's ``method`` is the planned solver.
    - gamma = 1 (any MDP; stochastic ones up to 2000 states): a is Blackwell-optimal (optimal for
      all gamma close enough to 1): gain first, then bias, then the higher Laurent coefficients
      break ties -- Veinott's policy iteration (:mod:`powerseek.average`), no trajectories
      enumerated; ``method`` "blackwell".
    - gamma = 0 (deterministic MDPs): optimal for all small enough gamma, by lexicographic
      comparison of every deterministic policy's reward sequence (lassos; a stochastic MDP is
      refused, naming gamma).
    """
    check_mdp(mdp)
    gamma = check_gamma(gamma, open_interval=False)
    eps = check_positive("eps", eps)
    s = mdp.index(state)
    if (successor is None) == (action is None):
        raise ValueError("successor: give exactly one of successor= or action=")
    if successor is not None:
        if not mdp.is_deterministic:
            raise ValueError("successor: naming an action by its successor needs a deterministic MDP; use action=")
        t = mdp.index(successor, name="successor")
        cols = [int(a) for a in mdp.valid_columns(s) if mdp.row(s, a)[0].tolist() == [t]]
        if not cols:
            raise ValueError(f"successor: {mdp.states[t]!r} is not a successor of {mdp.states[s]!r}")
    else:
        cols = [mdp.action_index(s, action)]
    if gamma == 0.0:
        require_deterministic(mdp, "the optimality probability at gamma = 0", param="gamma")
    if gamma == 1.0 and not mdp.is_deterministic and mdp.n_states > average.MAX_DENSE:
        raise Unsupported(f"gamma: gamma = 1 on a stochastic MDP is limited to {average.MAX_DENSE} states, the MDP has "
                         f"{mdp.n_states}; use gamma = 1 - 1e-6")
    law, _ = _law(mdp, rewards, need_mean=False)
    K = _sizes(law, samples)
    if gamma in (0.0, 1.0):
        limit = "one" if gamma == 1.0 else "zero"
        ties = law.kind not in ("iid", "independent") or any(is_discrete(d) for d in law.laws(mdp))
        if gamma == 1.0:
            steps = average.steps(mdp, ties, blackwell=True)
        else:
            steps = limit_steps(mdp, s, limit, ties)
        meth = "blackwell" if gamma == 1.0 else "limit0"
    else:
        p_ = plan(mdp, gamma, eps, 2.0)
        steps = p_.steps_per_row + 2 * len(mdp.csr[4])
        meth = p_.method
    check_work("samples", K * (steps + _DRAW_STEPS * mdp.n_states + 100), f"the optimality probability on {K} reward samples")
    gen = as_generator(0 if law.deterministic else rng)
    hits = 0
    rows = _batch_rows(mdp, K)
    for lo in range(0, K, rows):
        R = law.sample(gen, min(rows, K - lo), mdp)
        if gamma in (0.0, 1.0):
            opt = limit_optimal_actions(mdp, s, R, limit)
        else:
            opt = optimal_actions(mdp, R, gamma, eps=eps, state=s)
        hits += int(opt[:, cols].any(axis=1).sum())
    p = hits / K
    se = 0.0 if K == 1 else math.sqrt(p * (1 - p) / K)
    return Estimate(p, se, meth, 0 if law.deterministic else K)
