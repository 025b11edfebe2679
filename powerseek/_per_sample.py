"""Per-reward-vector machinery of the POWER estimators (private): the reward law and its checks,
batch sizes within the memory budget, the work per vector at a discount rate, the POWER
contribution (1 - gamma) max_a E_{T(s,a)} V*_R of a batch of reward vectors, streaming moments,
and the closed-form limits E[max of n iid] at gamma = 0 and 1 (Turner et al. 2021, Def. 5.2,
Lemma 5.3). Shared by :mod:`powerseek.power` (Monte Carlo) and :mod:`powerseek._exact_estimators`.
"""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import check_int, check_memory, memory_budget

from . import average
from ._bellman import continuation
from ._checks import Unsupported, pow2_scale
from ._emax import expected_max_iid
from .limits import gain_steps, karp_steps, max_gain, self_loop_counts
from .model import MDP
from .rewards import RewardLaw, as_law
from .solvers import plan, solve

#: steps charged per reward vector and state for drawing and bookkeeping (scipy rvs, numpy)
_DRAW_STEPS = 40


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


def _action_columns(mdp: MDP, s: int, successor, action) -> list[int]:
    if (successor is None) == (action is None):
        raise ValueError("successor: give exactly one of successor= or action=")
    if action is not None:
        return [mdp.action_index(s, action)]
    if not mdp.is_deterministic:
        raise ValueError("successor: naming an action by its successor needs a deterministic MDP; use action=")
    t = mdp.index(successor, name="successor")
    cols = [int(a) for a in mdp.valid_columns(s) if mdp.row(s, a)[0].tolist() == [t]]
    if not cols:
        raise ValueError(f"successor: {mdp.states[t]!r} is not a successor of {mdp.states[s]!r}")
    return cols
