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
Under a discrete reward law two actions can both be optimal with positive probability; each of
them is counted, so a state's action probabilities sum to 1 + P(tie) (more than 1).

Three methods: "mc" samples reward vectors; "exact" computes the expectation itself -- the
closed-form limits E[max of n iid] (gamma = 0, 1; iid rewards on deterministic MDPs), or, for
reward laws of finite discrete support (``stats.bernoulli``, ``stats.randint``, ``ps.tabulated``,
point masses; iid or independent), a weighted sum over every reward vector of the support when
there are at most :data:`MAX_EXACT` = 1e6 of them (the product of the states' support sizes);
"auto" takes "exact" when it applies and costs no more solves than ``samples``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tailpower._common import Estimate, as_generator
from tailpower._results import ResultMixin

from . import _exact_estimators as _ex
from . import average
from ._checks import Unsupported, check_choice, check_gamma, check_positive, check_work, float_array
from ._emax import expected_max_iid
from ._exact import MAX_EXACT
from ._per_sample import (  # noqa: F401 -- _Moments etc. stay importable from here
    _DRAW_STEPS,
    _Moments,
    _action_columns,
    _batch_rows,
    _exact_limit,
    _gamma_steps,
    _law,
    _per_sample_power,
    _sizes,
)
from .limits import check_mdp, limit_optimal_actions, limit_steps, require_deterministic
from .model import MDP
from .rewards import is_discrete
from .solvers import optimal_actions, plan

__all__ = ["PowerResult", "PowerCurve", "power", "power_curve", "optimality_probability", "expected_max_iid",
           "MAX_EXACT"]



@dataclass(frozen=True, eq=False)
class PowerResult(ResultMixin):
    """POWER_D(s, gamma) of every state (Turner et al. 2021, Def. 5.2), as returned by :func:`power`.
    Index by state name (``res["l_sw"]`` -> :class:`tailpower._common.Estimate`) or use the arrays.

    Parameters
    ----------
    states : tuple of str
    gamma : float
    value : ndarray (S,)
        POWER per state, in ``states`` order.
    stderr : ndarray (S,)
        Monte Carlo standard errors (0 for exact values); +inf when the reward law has a finite
        mean but an infinite variance (the sample mean still converges, but no standard error
        describes it).
    method : str
        "vi" (value iteration on sampled rewards), "pi" (policy iteration; at gamma = 1
        multichain policy iteration), "vi+pi" (both, for different reward vectors), "mc" (limit
        formula on sampled rewards: next-step max at gamma = 0, Karp at gamma = 1), "exact"
        (closed-form limit, or enumeration of a discrete law's support).
    samples : int
        Reward vectors drawn (0 when nothing was sampled: exact values, a fixed vector).
    bound : float
        Deterministic error bound: |value - (mean over the samples, or E[...] when exact)| <= bound
        per state (the solver's, plus the summation rounding for "exact").

    Examples
    --------
    >>> import powerseek as ps
    >>> res = ps.power(ps.examples.wait(), 0.0)
    >>> res["start"].value, res.method
    (0.6666666666666666, 'exact')
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
    """POWER vs gamma on common reward samples (or on one exact enumeration), as returned by
    :func:`power_curve`: ``value[g, s]``, ``stderr[g, s]``; ``curve["s"]`` gives (values, stderrs)
    of one state along ``gammas``.

    Parameters
    ----------
    states : tuple of str
    gammas : ndarray (G,)
    value, stderr : ndarray (G, S)
    method : str
        Solvers used ("vi", "pi", "mc", joined by "+"), or "exact".
    samples : int
        Reward vectors drawn (0 when exact or fixed).
    bound : float
        Deterministic error bound per entry (solver, plus rounding when exact).

    Examples
    --------
    >>> import powerseek as ps
    >>> c = ps.power_curve(ps.examples.wait(), [0.0, 1.0], rewards=ps.tabulated([0, 1], [0.5, 0.5]))
    >>> c["start"][0].tolist(), c.method      # E[max of 2], E[max of 3] iid Bernoulli(1/2)
    ([0.75, 0.875], 'exact')
    """

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
    = (1 - gamma) E[max_a E_{s' ~ T(s, a)} V*_R(s', gamma)] (Bellman), computed by solving V*_R
    for reward vectors R and averaging:

    - "mc": ``samples`` reward vectors drawn from ``rewards`` (common to all states; drawn and
      solved in batches, so any number fits the memory budget); ``stderr`` = sample standard
      deviation / sqrt(samples) (+inf if the law's variance is infinite). The solver adds a
      deterministic bias of at most ``bound <= tol`` per state: value iteration with
      eps = tol/(1 - gamma) on V*, or policy iteration with its a posteriori bound, whichever is
      estimated cheaper for each reward vector (see :func:`powerseek.value_iteration`); ``method``
      of the result says which ran ("vi", "pi" or "vi+pi").
    - "exact": at gamma = 0 and 1 with iid rewards on a deterministic MDP where the limit reduces
      to E[max of n iid] (Lemma 5.3's limits; gamma = 1 when every reachable cycle is a
      self-loop), that expectation by quadrature or exact summation; otherwise, for laws of
      finite discrete support (iid or independent; e.g. ``stats.bernoulli(p)``,
      ``stats.randint(0, 3)``, :func:`powerseek.tabulated`, point masses), every reward vector of
      the support -- at most :data:`MAX_EXACT` = 1e6 of them -- solved to 1e-13 of the largest
      |reward| and weighted by its probability: E_{R~D} itself, stderr 0, ``bound`` = solver
      bound plus rounding (about 1e-13 relative for gamma up to ~0.999; larger near gamma = 1,
      where policy iteration's certificate grows like 1e-16/(1 - gamma), and reported).
    - "auto" (default): "exact" when it applies and enumerates no more vectors than ``samples``,
      else "mc".

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
    samples : int >= 2
        Reward samples for "mc" (ignored for a fixed reward vector, which is solved once). The
        estimated work is checked against :func:`powerseek.set_work_limit` before anything is
        drawn.
    rng : Generator | int | SeedSequence | None
    method : "auto" | "mc" | "exact"
    tol : float > 0
        Deterministic error bound on POWER from the solver.

    Returns
    -------
    PowerResult
        ``value``, ``stderr``, ``method``, ``samples`` and ``bound`` per state.

    Raises
    ------
    ValueError
        ``gamma`` outside [0, 1] or too close to 1 for float64; ``rewards`` without a finite mean,
        or with ``method="exact"``: of infinite support (Poisson), or more than :data:`MAX_EXACT`
        reward vectors to enumerate (the message gives the count); ``method="exact"`` with a
        continuous law at 0 < gamma < 1 or a callable law; ``samples``, ``tol`` out of range.
    tailpower.BudgetError
        The work or memory the call implies is above the limits (naming the parameter that
        drives it: ``samples``, ``rewards``, ``mdp``).

    Examples
    --------
    >>> import powerseek as ps
    >>> from scipy import stats
    >>> mdp = ps.examples.wait()      # start -> {candy, wait}; wait -> {chocolate, hug}
    >>> res = ps.power(mdp, 0.5, rewards=ps.iid(stats.bernoulli(0.5)), method="exact")
    >>> round(res["start"].value, 12), res["start"].stderr, res.bound < 1e-12  # p + (1-p)(3p-p^2)/2
    (0.8125, 0.0, True)
    """
    tol = _common_args(mdp, tol)
    gamma = check_gamma(gamma, open_interval=False)
    method = check_choice("method", method, ("auto", "mc", "exact"))
    law, var_ok = _law(mdp, rewards, need_mean=True)
    S = mdp.n_states
    limit_err = None
    if method != "mc" and gamma in (0.0, 1.0):
        try:
            ex = _exact_limit(mdp, law, gamma, required=method == "exact")
        except ValueError as exc:  # E[max] failed for this law: enumeration may still do
            ex, limit_err = None, exc
        if ex is not None:
            return PowerResult(mdp.states, gamma, ex, np.zeros(S), "exact", 0, 0.0)
    K = None if method == "exact" else _sizes(law, samples)
    try:
        tabs = _ex.choose(mdp, law, method, K)
    except ValueError:
        if limit_err is not None:
            raise limit_err from None
        raise
    if tabs is not None:
        return _ex.power_exact(mdp, tabs, gamma, tol)
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


def power_curve(mdp: MDP, gammas, rewards=None, samples: int = 10_000, rng=None, tol: float = 1e-9,
                method: str = "auto") -> PowerCurve:
    """POWER_D(s, gamma) (Turner et al. 2021, Def. 5.2) of every state at each gamma in
    ``gammas`` on one common set of reward vectors.

    "mc": batches of ``samples`` reward vectors are drawn once and solved at every gamma (common
    random numbers, so the curve is smooth and differences are precise; memory stays bounded).
    "exact": every reward vector of a finite discrete law's support (at most :data:`MAX_EXACT`),
    weighted by its probability, as in :func:`power` (the closed-form limits are not used here).
    "auto": "exact" when it applies and enumerates no more vectors than ``samples``.

    Parameters
    ----------
    mdp : MDP
    gammas : sequence of float in [0, 1]
    rewards : as in :func:`power`
    samples : int >= 2
    rng : Generator | int | SeedSequence | None
    tol : float > 0
        Deterministic error bound per entry from the solver.
    method : "auto" | "mc" | "exact"

    Returns
    -------
    PowerCurve

    Raises
    ------
    ValueError
        ``gammas`` empty, not 1-d, or with an entry outside [0, 1]; ``rewards`` as in
        :func:`power` (``method="exact"`` needs finite discrete support and at most
        :data:`MAX_EXACT` reward vectors); ``samples``, ``tol``, ``method`` out of range.
    tailpower.BudgetError
        Work or memory above the limits.

    Examples
    --------
    >>> import powerseek as ps
    >>> c = ps.power_curve(ps.examples.wait(), [0.0, 0.5], rewards=ps.tabulated([0, 1], [0.5, 0.5]))
    >>> c["start"][0].tolist(), c.method
    ([0.75, 0.8125], 'exact')
    """
    tol = _common_args(mdp, tol)
    gs = float_array("gammas", gammas)
    gs = np.atleast_1d(gs)
    if gs.ndim != 1 or gs.size == 0:
        raise ValueError(f"gammas: expected a non-empty 1-d sequence, got shape {gs.shape}")
    for g in gs:
        check_gamma(float(g), open_interval=False, name="gammas")
    method = check_choice("method", method, ("auto", "mc", "exact"))
    law, var_ok = _law(mdp, rewards, need_mean=True)
    K = None if method == "exact" else _sizes(law, samples)
    tabs = _ex.choose(mdp, law, method, K)
    if tabs is not None:
        return _ex.curve_exact(mdp, tabs, gs, tol)
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
    method: str = "auto",
) -> Estimate:
    """P_D(s, a, gamma) = P_{R~D}(some optimal policy takes action a at s) (Turner et al. 2021, Def. 6.1).

    Name the action either by ``successor`` (deterministic MDPs: the state it leads to; every
    action leading there counts) or by ``action`` (its name or index among the state's actions).
    Any reward law works, also one without a mean (a probability always exists).

    Ties: under a discrete law (or a fixed vector) several actions can be optimal at once with
    positive probability; the definition counts the reward vector for each of them, so the
    probabilities of a state's actions sum to 1 + P(a tie at s) -- more than 1. Continuous laws
    tie with probability 0.

    - 0 < gamma < 1: value or policy iteration with ||V - V*|| <= eps (eps relative to the
      reward scale); a is optimal when Q(s, a) is within 2 gamma eps (plus 1e-12 relative
      rounding slack) of the best, so exact ties are always detected (see
      :func:`powerseek.optimal_actions`); the estimate's ``method`` is the planned solver.
    - gamma = 1 (any MDP; stochastic ones up to 2000 states): a is Blackwell-optimal (optimal for
      all gamma close enough to 1): gain first, then bias, then the higher Laurent coefficients
      break ties -- Veinott's policy iteration (:mod:`powerseek.average`), no trajectories
      enumerated; ``method`` "blackwell".
    - gamma = 0 (deterministic MDPs): optimal for all small enough gamma, by lexicographic
      comparison of every deterministic policy's reward sequence (lassos; a stochastic MDP is
      refused, naming gamma).

    ``method``: "mc" draws ``samples`` reward vectors (in batches), stderr = sqrt(p(1 - p)/samples);
    "exact" sums the weights of every reward vector of a finite discrete law's support (at most
    :data:`MAX_EXACT`) at which a is optimal: stderr 0, rounding below 1e-14; "auto" takes
    "exact" when it applies and enumerates no more vectors than ``samples``.

    Parameters
    ----------
    mdp : MDP
    state : str or int
    successor : str or int, optional
        The action's successor state (deterministic MDPs).
    gamma : float in [0, 1]
    rewards : as in :func:`power` (laws without a mean allowed)
    samples : int >= 2
    rng : Generator | int | SeedSequence | None
    action : str or int, optional
        The action's name or index (instead of ``successor``).
    eps : float > 0
        Solver accuracy relative to the reward scale (0 < gamma < 1).
    method : "auto" | "mc" | "exact"

    Returns
    -------
    tailpower._common.Estimate
        ``value`` in [0, 1], ``stderr``, ``method`` ("vi"/"pi"/"blackwell"/"limit0" for Monte
        Carlo, "exact"), ``samples`` (0 when exact or fixed).

    Raises
    ------
    ValueError
        Neither or both of ``successor`` and ``action``; an unknown state or action; ``gamma``
        outside [0, 1], 0 on a stochastic MDP, 1 on a stochastic MDP above 2000 states;
        ``rewards`` with ``method="exact"`` not of finite discrete support or above
        :data:`MAX_EXACT` reward vectors; ``samples``, ``eps``, ``method`` out of range.
    tailpower.BudgetError
        Work or memory above the limits.

    Examples
    --------
    >>> import powerseek as ps
    >>> from scipy import stats
    >>> mdp = ps.MDP.from_successors({"s": ["a", "b"], "a": ["a"], "b": ["b"]})
    >>> law = ps.iid(stats.bernoulli(0.5))     # R(a) = R(b) with probability 1/2
    >>> [round(ps.optimality_probability(mdp, "s", x, 0.5, law, method="exact").value, 12) for x in "ab"]
    [0.75, 0.75]
    """
    check_mdp(mdp)
    gamma = check_gamma(gamma, open_interval=False)
    eps = check_positive("eps", eps)
    method = check_choice("method", method, ("auto", "mc", "exact"))
    s = mdp.index(state)
    cols = _action_columns(mdp, s, successor, action)
    if gamma == 0.0:
        require_deterministic(mdp, "the optimality probability at gamma = 0", param="gamma")
    if gamma == 1.0 and not mdp.is_deterministic and mdp.n_states > average.MAX_DENSE:
        raise Unsupported(f"gamma: gamma = 1 on a stochastic MDP is limited to {average.MAX_DENSE} states, the MDP has "
                         f"{mdp.n_states}; use gamma = 1 - 1e-6")
    law, _ = _law(mdp, rewards, need_mean=False)
    K = None if method == "exact" else _sizes(law, samples)
    tabs = _ex.choose(mdp, law, method, K)
    if gamma in (0.0, 1.0):
        limit = "one" if gamma == 1.0 else "zero"
        ties = tabs is not None or law.kind not in ("iid", "independent") or any(is_discrete(d) for d in law.laws(mdp))
        if gamma == 1.0:
            steps = average.steps(mdp, ties, blackwell=True)
        else:
            steps = limit_steps(mdp, s, limit, ties)
        meth = "blackwell" if gamma == 1.0 else "limit0"

        def optimal(R):
            return limit_optimal_actions(mdp, s, R, limit)
    else:
        p_ = plan(mdp, gamma, eps, 2.0)
        steps = p_.steps_per_row + 2 * len(mdp.csr[4])
        meth = p_.method

        def optimal(R):
            return optimal_actions(mdp, R, gamma, eps=eps, state=s)
    if tabs is not None:
        return _ex.probability_exact(mdp, tabs, steps, optimal, cols)
    check_work("samples", K * (steps + _DRAW_STEPS * mdp.n_states + 100), f"the optimality probability on {K} reward samples")
    gen = as_generator(0 if law.deterministic else rng)
    hits = 0
    rows = _batch_rows(mdp, K)
    for lo in range(0, K, rows):
        R = law.sample(gen, min(rows, K - lo), mdp)
        hits += int(optimal(R)[:, cols].any(axis=1).sum())
    p = hits / K
    se = 0.0 if K == 1 else math.sqrt(p * (1 - p) / K)
    return Estimate(p, se, meth, 0 if law.deterministic else K)
