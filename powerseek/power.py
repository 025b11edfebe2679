"""POWER and optimality probability (Turner et al., "Optimal Policies Tend to Seek Power", 2021).

POWER_D(s, gamma) = (1 - gamma)/gamma * E_{R ~ D}[V*_R(s, gamma) - R(s)]   (Def. 5.2), gamma in (0, 1),
with the limits (Lipschitz in gamma, Lemma 5.3):

- gamma -> 0: POWER_D(s, 0) = E[max_a E_{s' ~ T(s, a)} R(s')] (the best next-step reward);
- gamma -> 1: POWER_D(s, 1) = E[max over RSDs d reachable from s of d^T R] -- in a deterministic
  MDP the best mean reward of a cycle reachable from s.

P_D(s, a, gamma) = P_{R ~ D}(some optimal policy takes a at s) (Def. 6.1); at gamma = 1 "optimal"
means Blackwell-optimal (the limit of the optimal policy sets), at gamma = 0 the limit gamma -> 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from tailpower._common import Estimate, as_generator, check_int

from .model import MDP
from .rewards import RewardLaw, as_law
from .solvers import (
    check_gamma,
    limit_optimal_actions,
    max_gain,
    optimal_actions,
    q_values,
    value_iteration,
    _scc,
)

__all__ = ["PowerResult", "PowerCurve", "power", "power_curve", "optimality_probability", "expected_max_iid"]


@dataclass(frozen=True, eq=False)
class PowerResult:
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
        "vi" (value iteration on sampled rewards), "mc" (limit formula on sampled rewards), "exact".
    samples : int
    bound : float
        Deterministic error bound of the solver (value iteration): |bias| <= bound per state.
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
        if isinstance(state, (int, np.integer)) and not isinstance(state, bool):
            return int(state)
        try:
            return self.states.index(str(state))
        except ValueError:
            raise ValueError(f"state: unknown state {str(state)!r}; states are {list(self.states)}") from None

    def as_dict(self) -> dict[str, float]:
        return dict(zip(self.states, map(float, self.value)))


@dataclass(frozen=True, eq=False)
class PowerCurve:
    """POWER vs gamma on common reward samples: ``value[g, s]``, ``stderr[g, s]``."""

    states: tuple[str, ...]
    gammas: np.ndarray
    value: np.ndarray
    stderr: np.ndarray
    method: str
    samples: int
    bound: float = 0.0

    def __getitem__(self, state) -> tuple[np.ndarray, np.ndarray]:
        i = self.states.index(str(state)) if not isinstance(state, (int, np.integer)) else int(state)
        return self.value[:, i], self.stderr[:, i]


def expected_max_iid(dist, n: int) -> float:
    """E[max of n iid draws of ``dist``] by quadrature: int x n f(x) F(x)^(n-1) dx, integrand in log
    space (exp(log n + logpdf + (n-1) logcdf)). For U(0, 1) this is n/(n+1)."""
    n = check_int("n", n)
    if n == 1:
        return float(dist.mean())
    lo, hi = dist.support()
    med = float(dist.median())

    def f(x):
        with np.errstate(divide="ignore"):
            lp = dist.logpdf(x) + (n - 1) * dist.logcdf(x)
        return x * math.exp(math.log(n) + lp) if np.isfinite(lp) else 0.0

    a, _ = integrate.quad(f, lo, med, limit=200, epsabs=1e-13, epsrel=1e-12)
    b, _ = integrate.quad(f, med, hi, limit=200, epsabs=1e-13, epsrel=1e-12)
    return a + b


def _exact_limit(mdp: MDP, law: RewardLaw, gamma: float) -> np.ndarray | None:
    """Exact POWER(s, 0) / POWER(s, 1) for deterministic MDPs with iid rewards, where it reduces
    to E[max of n iid]: gamma = 0 always (n = number of successors); gamma = 1 when every cycle
    reachable from s is a self-loop (n = number of reachable absorbing-loop states). Else None."""
    if law.kind != "iid" or not mdp.is_deterministic:
        return None
    S = mdp.n_states
    out = np.empty(S)
    if gamma == 0.0:
        for s in range(S):
            out[s] = expected_max_iid(law.dist, len(set(mdp.successor_table[s])))
        return out
    sc = _scc(mdp)
    sizes = np.array([len(c) for c in sc["comps"]])
    has_cycle = sc["args"][5]
    for s in range(S):
        comps = np.flatnonzero(sc["reach"][s] & has_cycle)
        if np.any(sizes[comps] > 1):
            return None
        out[s] = expected_max_iid(law.dist, len(comps))
    return out


def _per_sample_power(mdp: MDP, R: np.ndarray, gamma: float, tol: float) -> tuple[np.ndarray, float]:
    """(K, S) per-sample POWER contributions and the deterministic error bound."""
    if gamma == 0.0:
        X = np.empty_like(R)
        T = mdp.transitions
        for s in range(mdp.n_states):
            m = R @ T[s].T  # (K, A): expected next reward of each action
            m[:, ~mdp.action_mask[s]] = -np.inf
            X[:, s] = m.max(axis=1)
        return X, 0.0
    if gamma == 1.0:
        return max_gain(mdp, R), 0.0
    # POWER error = (1-gamma)/gamma * (V error) <= tol: ask value iteration for eps = tol gamma/(1-gamma).
    vi = value_iteration(mdp, R, gamma, eps=tol * gamma / (1.0 - gamma))
    X = (1.0 - gamma) / gamma * (vi.values - R)
    return X, vi.bound * (1.0 - gamma) / gamma


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

    POWER_D(s, gamma) = (1 - gamma)/gamma E_{R~D}[V*_R(s, gamma) - R(s)], estimated by solving
    V*_R with batched value iteration on ``samples`` reward vectors drawn from ``rewards`` (common
    to all states); ``stderr`` = sample standard deviation / sqrt(samples). The solver's error
    adds a deterministic bias of at most ``bound = tol`` per state (value iteration is run with
    eps = tol gamma/(1 - gamma) on V*, see :func:`powerseek.value_iteration`).

    gamma = 0 and gamma = 1 give the limits: E[max_a E_{T(s,a)} R] and, for deterministic MDPs, E[best
    mean reward of a cycle reachable from s] (maximum mean cycle by Karp's algorithm).

    Parameters
    ----------
    mdp : MDP
    gamma : float in [0, 1]
    rewards : RewardLaw, frozen scipy law (iid), reward vector, or callable (rng, K) -> (K, S)
        Default: iid U(0, 1), the papers' law.
    samples : int
        Reward samples (ignored for a fixed reward vector, which is solved once).
    rng : Generator | int | SeedSequence | None
    method : "auto" | "mc" | "exact"
        "exact" (limits only, iid rewards, deterministic MDP; E[max of n iid] by quadrature) where
        available; "auto" uses it when it applies to every state, else samples.
    tol : float
        Deterministic error bound on POWER from value iteration.
    """
    from scipy import stats

    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp: expected a powerseek.MDP, got {type(mdp).__name__}")
    gamma = check_gamma(gamma, open_interval=False)
    law = as_law(stats.uniform() if rewards is None else rewards)
    if method not in ("auto", "mc", "exact"):
        raise ValueError(f"method: expected 'auto', 'mc' or 'exact', got {method!r}")
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol: must be > 0, got {tol!r}")
    if gamma == 1.0 and not mdp.is_deterministic:
        raise NotImplementedError("gamma: POWER at gamma = 1 is implemented for deterministic MDPs only")
    S = mdp.n_states
    if method in ("auto", "exact") and gamma in (0.0, 1.0):
        ex = _exact_limit(mdp, law, gamma)
        if ex is not None:
            return PowerResult(mdp.states, gamma, ex, np.zeros(S), "exact", 0, 0.0)
        if method == "exact":
            raise ValueError("method: 'exact' needs iid rewards on a deterministic MDP (and at gamma = 1 only self-loop cycles)")
    elif method == "exact":
        raise ValueError("method: 'exact' is available at gamma = 0 and gamma = 1 only")
    if law.deterministic:
        K = 1
        R = law.sample(as_generator(0), 1, mdp)
    else:
        K = check_int("samples", samples, minimum=2)
        R = law.sample(as_generator(rng), K, mdp)
    X, bound = _per_sample_power(mdp, R, gamma, tol)
    value = X.mean(axis=0)
    stderr = np.zeros(S) if K == 1 else X.std(axis=0, ddof=1) / math.sqrt(K)
    meth = "vi" if 0.0 < gamma < 1.0 else "mc"
    return PowerResult(mdp.states, gamma, value, stderr, meth, 0 if law.deterministic else K, bound)


def power_curve(mdp: MDP, gammas, rewards=None, samples: int = 10_000, rng=None, tol: float = 1e-9) -> PowerCurve:
    """POWER of every state at each gamma in ``gammas`` (values in [0, 1]) on one common set of
    reward samples (common random numbers, so the curve is smooth and differences are precise)."""
    from scipy import stats

    gs = np.atleast_1d(np.asarray(gammas, dtype=float))
    if gs.ndim != 1 or gs.size == 0:
        raise ValueError("gammas: expected a non-empty 1-d sequence")
    for g in gs:
        check_gamma(float(g), open_interval=False)
    law = as_law(stats.uniform() if rewards is None else rewards)
    K = 1 if law.deterministic else check_int("samples", samples, minimum=2)
    R = law.sample(as_generator(0 if law.deterministic else rng), K, mdp)
    vals, errs, bound = [], [], 0.0
    for g in gs:
        if g == 1.0 and not mdp.is_deterministic:
            raise NotImplementedError("gammas: POWER at gamma = 1 is implemented for deterministic MDPs only")
        X, b = _per_sample_power(mdp, R, float(g), tol)
        bound = max(bound, b)
        vals.append(X.mean(axis=0))
        errs.append(np.zeros(mdp.n_states) if K == 1 else X.std(axis=0, ddof=1) / math.sqrt(K))
    return PowerCurve(mdp.states, gs, np.array(vals), np.array(errs), "vi", 0 if K == 1 else K, bound)


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
    ``action`` (its name or index among the state's actions). Monte Carlo over reward samples;
    stderr = sqrt(p(1 - p)/samples).

    - 0 < gamma < 1: value iteration with ||V - V*|| <= eps; a is optimal when Q(s, a) is within
      2 gamma eps of the best (ties detected; see :func:`powerseek.optimal_actions`).
    - gamma = 1: a is Blackwell-optimal (optimal for all gamma close enough to 1): gain first, then
      the rewards earned on the way break ties; gamma = 0: optimal for all small enough gamma.
      Both exact (lexicographic comparison of the exact Laurent/Taylor coefficients of every
      deterministic policy's value; :func:`powerseek.solvers.limit_optimal_actions`), for
      deterministic MDPs.
    """
    from scipy import stats

    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp: expected a powerseek.MDP, got {type(mdp).__name__}")
    gamma = check_gamma(gamma, open_interval=False)
    s = mdp.index(state)
    if (successor is None) == (action is None):
        raise ValueError("successor: give exactly one of successor= or action=")
    if successor is not None:
        if not mdp.is_deterministic:
            raise ValueError("successor: naming an action by its successor needs a deterministic MDP; use action=")
        t = mdp.index(successor, name="successor")
        cols = [a for a in np.flatnonzero(mdp.action_mask[s]) if mdp.transitions[s, a, t] == 1.0]
        if not cols:
            raise ValueError(f"successor: {mdp.states[t]!r} is not a successor of {mdp.states[s]!r}")
    else:
        cols = [mdp.action_index(s, action)]
    law = as_law(stats.uniform() if rewards is None else rewards)
    K = 1 if law.deterministic else check_int("samples", samples, minimum=2)
    R = law.sample(as_generator(0 if law.deterministic else rng), K, mdp)
    if gamma == 1.0:
        opt = limit_optimal_actions(mdp, s, R, "one")
        meth = "blackwell"
    elif gamma == 0.0:
        opt = limit_optimal_actions(mdp, s, R, "zero")
        meth = "limit0"
    else:
        opt = optimal_actions(mdp, R, gamma, eps=eps, state=s)
        meth = "vi"
    hit = opt[:, cols].any(axis=1)
    p = float(hit.mean())
    se = 0.0 if K == 1 else math.sqrt(p * (1 - p) / K)
    return Estimate(p, se, meth, 0 if law.deterministic else K)
