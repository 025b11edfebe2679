"""MDP-level decision-makers (Turner & Tadepalli, "Parametrically Retargetable Decision-Makers Tend
To Seek Power", NeurIPS 2022, App. D): a first action at one state of a :class:`powerseek.MDP`,
chosen by a ``powerseek.decisions`` rule applied to the actions' utilities under the reward vector
theta. Public through :mod:`powerseek.decisions`.

Bounded work (docs/contract.md): the finite-horizon recursion runs on the compressed transitions
and its horizon is checked against the work limit; the option vectors (visit distributions,
RSDs, visit counts) are enumerated without recursion and with caps that raise a ValueError naming
the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tailpower._common import check_int, check_memory, memory_budget

from ._checks import check_positive, check_work, float_array, work_limit
from .decisions import Decision, optimal
from .model import MDP

__all__ = ["MDPDecision", "mdp_optimal", "mdp_average_optimal", "mdp_finite_horizon"]

_HUGE = 1e307


@dataclass(frozen=True, eq=False)
class MDPDecision:
    """A first-action decision-maker at ``state`` of a :class:`powerseek.MDP`.

    Options are the actions at ``state``, named by action name or (deterministic MDPs) by
    successor state; theta is the state-reward vector R (in ``mdp.states`` order). The utility of
    an action is ``kind``-dependent (computed by the solvers, batched over rewards):

    - ``"discounted"``: Q*_R(s, a, gamma) = R(s) + gamma sum_s' T(s, a, s') V*_R(s', gamma) (value
      iteration, error <= 2 gamma eps, used as the tie tolerance);
    - ``"average"``: the best average reward (gain) reachable after a -- lim_{gamma->1} (1-gamma) Q*
      -- from Karp's maximum mean cycle; average-optimal actions maximise it;
    - ``"horizon"``: the best total reward R(s_0) + ... + R(s_T) over T transitions starting with a
      (backward induction).

    ``rule`` (default IsOptimal) turns the utilities of the offered actions into f(X | C, R).

    Build one with :func:`mdp_optimal`, :func:`mdp_average_optimal` or :func:`mdp_finite_horizon`.

    Parameters
    ----------
    mdp : MDP
    state : int
        Index of the state where the first action is chosen.
    kind : "discounted" | "average" | "horizon"
    gamma : float
        The discount rate (``kind="discounted"``).
    horizon : int
        T, the number of transitions (``kind="horizon"``).
    rule : Decision
        The rule applied to the action utilities (default IsOptimal).
    eps : float
        Accuracy of the values (``kind="discounted"``).

    Examples
    --------
    >>> import powerseek as ps
    >>> d = ps.decisions.mdp_average_optimal(ps.examples.turner_fig1(), "star")
    >>> d.name, d.option_vectors(["empty"]).tolist()  # empty's RSD: all mass on empty
    ('mdp_average(star, gamma->1, optimal)', [[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    """

    mdp: Any
    state: int
    kind: str
    gamma: float = 0.0
    horizon: int = 0
    rule: Decision = field(default_factory=optimal)
    eps: float = 1e-10

    @property
    def name(self) -> str:
        extra = {"discounted": f"gamma={self.gamma:g}", "average": "gamma->1", "horizon": f"T={self.horizon}"}[self.kind]
        return f"mdp_{self.kind}({self.mdp.states[self.state]}, {extra}, {self.rule.name})"

    @property
    def eu_determined(self) -> bool:
        return self.rule.eu_determined

    # -- naming options
    def action_columns(self, X, param: str = "X") -> list[int]:
        """Action columns (of ``mdp.transitions[state]``) named by ``X`` (names of actions or, in
        deterministic MDPs, successor states; a bare string is one option)."""
        mdp, s = self.mdp, self.state
        if isinstance(X, (str, int, np.integer)):
            items = [X]
        elif hasattr(X, "__iter__"):
            items = list(X)
        else:
            raise TypeError(f"{param}: expected action or successor names, got {type(X).__name__}")
        if not items:
            raise ValueError(f"{param}: empty option set")
        cols: list[int] = []
        valid = mdp.valid_columns(s)
        for it in items:
            name = str(it)
            if name in mdp.actions[s]:
                c = int(valid[mdp.actions[s].index(name)])
            elif mdp.is_deterministic and name in mdp.states:
                t = mdp.index(name)
                hits = [int(a) for a in valid if _sure_successor(mdp, s, a) == t]
                if not hits:
                    raise ValueError(f"{param}: {name!r} is not a successor of {mdp.states[s]!r}")
                c = hits[0]
            else:
                raise ValueError(f"{param}: {name!r} is neither an action nor a successor of {mdp.states[s]!r}")
            if c not in cols:
                cols.append(c)
        return cols

    # -- utilities of all actions of the state, batched
    def action_utilities(self, R: np.ndarray) -> tuple[np.ndarray, float]:
        """(K, A) utilities of the actions of ``state`` (-inf for absent ones) and a tie tolerance."""
        from ._bellman import continuation, expectations
        from .solvers import max_gain, pow2_scale, solve

        mdp, s = self.mdp, self.state
        R = np.atleast_2d(float_array("theta", R))
        if R.ndim != 2 or R.shape[1] != mdp.n_states or not np.all(np.isfinite(R)):
            raise ValueError(f"theta: expected finite reward vectors of length {mdp.n_states}, got shape {R.shape}")
        rmax = float(np.abs(R).max())
        A = mdp.n_actions
        act_ptr, act_col = mdp.csr[0], mdp.csr[1]
        sel = slice(int(act_ptr[s]), int(act_ptr[s + 1]))
        Q = np.full((R.shape[0], A), -np.inf)
        if self.kind == "discounted":
            if rmax / (1.0 - self.gamma) > _HUGE:
                raise ValueError(f"theta: the values R/(1 - gamma) overflow float64 (max|R| = {rmax:.3g}); scale theta down")
            c = pow2_scale(R)
            V, _, bound, _ = solve(mdp, R / c, self.gamma, self.eps / c, param="gamma")
            Q[:, act_col[sel]] = (R[:, s, None] / c + self.gamma * expectations(mdp, V)[:, sel]) * c
            tol = 2 * self.gamma * bound * c + 1e-12 * max(1.0, float(np.abs(Q[np.isfinite(Q)]).max()))
            return Q, tol
        if self.kind == "average":
            G = max_gain(mdp, R)
            for a in mdp.valid_columns(s).tolist():
                Q[:, a] = G[:, _sure_successor(mdp, s, a)]
            return Q, 1e-12 * max(1.0, rmax)
        # finite horizon: V_0 = R, V_k = R + max_a T_a V_{k-1}; Q_T(s, a) = R(s) + T_a V_{T-1}
        if rmax * (self.horizon + 1) > _HUGE:
            raise ValueError(f"theta: total rewards over {self.horizon + 1} steps overflow float64; scale theta down")
        V = R.copy()
        for _ in range(self.horizon - 1):
            V = R + continuation(mdp, V)
        Q[:, act_col[sel]] = R[:, s, None] + expectations(mdp, V)[:, sel]
        return Q, 1e-12 * max(1.0, rmax * (self.horizon + 1))

    def steps(self) -> float:
        """Work (steps) of evaluating the utilities for one reward vector."""
        from .limits import karp_steps
        from .solvers import plan

        nnz = len(self.mdp.csr[4]) + self.mdp.n_states
        if self.kind == "discounted":
            return plan(self.mdp, self.gamma, self.eps, 2.0).steps_per_row + 2 * nnz
        if self.kind == "average":
            return karp_steps(self.mdp) + nnz
        return float(self.horizon) * nnz

    def evaluate_rewards(self, R: np.ndarray, C_cols: list[int], masks: np.ndarray) -> np.ndarray:
        """f(X_j | C, R_k): (K, nX); ``masks`` (nX, |C|) select X_j within the columns ``C_cols``."""
        Q, tol = self.action_utilities(R)
        return self.rule.evaluate(Q[:, C_cols], masks, tol)

    def __call__(self, X, C, theta):
        """f(X | C, R) for action sets X subset C at ``state`` and reward vector(s) ``theta``."""
        xc, cc = self.action_columns(X), self.action_columns(C, "C")
        if not set(xc) <= set(cc):
            raise ValueError("X: must be a subset of C")
        th = float_array("theta", theta)
        if th.ndim not in (1, 2) or th.shape[-1] != self.mdp.n_states or th.size == 0:
            raise ValueError(f"theta: expected a reward vector of length {self.mdp.n_states}, got shape {th.shape}")
        if not np.all(np.isfinite(th)):
            raise ValueError("theta: entries must be finite")
        mask = np.array([c in xc for c in cc])
        out = self.evaluate_rewards(np.atleast_2d(th), cc, mask[None, :])[:, 0]
        return out if th.ndim == 2 else float(out[0])

    # -- equivalent vector option sets (for certifying copies)
    def option_vectors(self, X) -> np.ndarray:
        """The option set of vectors whose utility x^T R is the action utility above, restricted
        to first actions in X (deterministic MDPs):

        - discounted: the visit distributions f^{pi,s}(gamma) = sum_t gamma^t e_{s_t} of the
          deterministic stationary policies starting with an action of X (Turner et al. 2021);
        - average: the recurrent state distributions (uniform on a cycle) reachable after X;
        - horizon: the visit counts sum_{t <= T} e_{s_t} of the T-step paths starting with X.

        Then max_{x in F(X)} x^T R equals the best action utility over X (checked in tests)."""
        from .solvers import lassos, reachable_cycles

        mdp, s = self.mdp, self.state
        if not mdp.is_deterministic:
            from ._checks import Unsupported

            raise Unsupported("mdp: option vectors are implemented for deterministic MDPs")
        cols = self.action_columns(X)
        S = mdp.n_states
        vecs = []
        if self.kind == "discounted":
            g = self.gamma
            for first, path, cyc in lassos(mdp, s):
                if first not in cols:
                    continue
                f = np.zeros(S)
                m, L = len(path), len(cyc)
                for t, st in enumerate(path):
                    f[st] += g**t
                for j, st in enumerate(cyc):
                    f[st] += g ** (m + j) / (1 - g**L)
                vecs.append(f)
        elif self.kind == "average":
            cycles, reach = reachable_cycles(mdp)
            for a in cols:
                t = _sure_successor(mdp, s, a)
                for c, cyc in enumerate(cycles):
                    if reach[t, c]:
                        f = np.zeros(S)
                        f[list(cyc)] = 1.0 / len(cyc)
                        vecs.append(f)
        else:
            vecs = self._horizon_counts(cols)
        V = np.unique(np.round(np.array(vecs), 12) + 0.0, axis=0)
        return V

    def _horizon_counts(self, cols: list[int]) -> list[np.ndarray]:
        """Visit counts sum_{t <= T} e_{s_t} of the T-step paths starting with an action in
        ``cols``: layer by layer, merging paths that are at the same state with the same counts
        (so a chain costs T steps, not a recursion of depth T)."""
        mdp, s, S = self.mdp, self.state, self.mdp.n_states
        table = mdp.successor_table
        layer: dict = {}
        for a in cols:
            t = _sure_successor(mdp, s, a)
            counts = [0] * S
            counts[s] += 1
            counts[t] += 1
            layer[(t, tuple(counts))] = None
        cap = memory_budget() / (16.0 * S + 64)
        steps = 0.0
        for _ in range(1, self.horizon):
            nxt: dict = {}
            for (u, counts) in layer:
                for t in table[u]:
                    c = list(counts)
                    c[t] += 1
                    nxt[(t, tuple(c))] = None
            layer = nxt
            steps += len(layer) * (S + 10) * 100.0
            if len(layer) > cap:
                check_memory("T", len(layer) * (16.0 * S + 64), f"the visit-count vectors of {self.horizon}-step paths")
            if steps > work_limit():
                check_work("T", steps, f"enumerating the visit-count vectors of {self.horizon}-step paths")
        return [np.array(c, dtype=float) for (_, c) in layer]


def _sure_successor(mdp: MDP, s: int, column: int) -> int:
    """The successor of the action in ``column`` at ``s`` if it is sure (probability 1), else -1."""
    nxt, prob = mdp.row(s, column)
    return int(nxt[0]) if len(nxt) == 1 else -1


def _mdp_decision(mdp, state, kind, **kw) -> MDPDecision:
    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp: expected a powerseek.MDP, got {type(mdp).__name__}")
    rule_ = kw.pop("rule", None)
    rule_ = optimal() if rule_ is None else rule_
    if not isinstance(rule_, Decision) or rule_._scalar is not None:
        raise TypeError("rule: expected a built-in ps.decisions rule (optimal(), boltzmann(T), ...)")
    return MDPDecision(mdp, mdp.index(state), kind, rule=rule_, **kw)


def mdp_optimal(mdp, state, gamma: float, rule: Decision | None = None, eps: float = 1e-10) -> MDPDecision:
    """Optimal first action at ``state`` for discount ``gamma`` in (0, 1): IsOptimal over Q*_R(s, .)
    (value iteration; ties within 2 gamma eps). ``rule`` replaces IsOptimal (e.g. boltzmann on Q*).

    Parameters
    ----------
    mdp : MDP
    state : state name or index
    gamma : float in (0, 1), 1 - gamma >= 1e-12
    rule : Decision, optional
        Default :func:`optimal`.
    eps : float > 0
        Accuracy of V* (value iteration).

    Returns
    -------
    MDPDecision
        f(X | C, R) over the actions (or successors) of ``state``.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, ``rule`` not a built-in decision rule, or ``gamma``/``eps`` not real.
    ValueError
        If ``state`` is unknown, ``gamma`` outside (0, 1) or within 1e-12 of 1, or ``eps`` <= 0. Calling the decision raises ValueError naming ``X``,
        ``C`` or ``theta`` (options that are not actions or successors of ``state``, X not in C,
        a reward vector of the wrong length or not finite).

    Examples
    --------
    >>> import powerseek as ps
    >>> d = ps.decisions.mdp_optimal(ps.examples.turner_fig1(), "star", 0.9)
    >>> R = [0, 0.5, 0, 0, 0, 0, 1, 0]  # empty pays 0.5 forever, r_ne pays 1 forever
    >>> d(["r"], ["empty", "l", "r"], R), d(["empty"], ["empty", "l", "r"], R)
    (1.0, 0.0)
    """
    from .solvers import check_gamma, plan

    gamma = check_gamma(gamma)
    eps = check_positive("eps", eps)
    if 1.0 - gamma < 1e-12:
        raise ValueError(f"gamma: 1 - gamma = {1 - gamma:.3g} is below 1e-12, where float64 cannot certify Q*; "
                         "use mdp_average_optimal for the limit gamma -> 1")
    if isinstance(mdp, MDP):
        plan(mdp, gamma, eps, 2.0)  # refuses a gamma no solver can handle, naming gamma
    return _mdp_decision(mdp, state, "discounted", gamma=gamma, rule=rule, eps=eps)


def mdp_average_optimal(mdp, state, rule: Decision | None = None) -> MDPDecision:
    """Average-optimal first action (gamma -> 1, gain only; Turner & Tadepalli 2022, App. D) in a
    deterministic MDP: the action's utility is the best cycle-mean reward reachable after it.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    state : state name or index
    rule : Decision, optional
        Default :func:`optimal`.

    Returns
    -------
    MDPDecision
        f(X | C, R) over the actions (or successors) of ``state``; its option vectors are the
        RSDs (uniform over the cycles reachable after each action).

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, ``rule`` not a built-in decision rule.
    ValueError
        If ``state`` is unknown, or the MDP is stochastic (``mdp``). Calling the decision raises ValueError naming ``X``,
        ``C`` or ``theta`` (options that are not actions or successors of ``state``, X not in C,
        a reward vector of the wrong length or not finite).

    Examples
    --------
    >>> import powerseek as ps
    >>> d = ps.decisions.mdp_average_optimal(ps.examples.turner_fig1(), "star")
    >>> d(["r"], ["empty", "l", "r"], [0, 0.5, 0, 0, 0, 0, 1, 0])  # r_ne's loop (1) beats empty (0.5)
    1.0
    """
    from ._checks import Unsupported

    if isinstance(mdp, MDP) and not mdp.is_deterministic:
        raise Unsupported("mdp: average-optimal decisions need a deterministic MDP")
    return _mdp_decision(mdp, state, "average", rule=rule)


def mdp_finite_horizon(mdp, state, T: int, rule: Decision | None = None) -> MDPDecision:
    """Finite-horizon value iteration: the first action maximising R(s_0) + ... + R(s_T) over T
    transitions (backward induction, T steps, undiscounted).

    Parameters
    ----------
    mdp : MDP
    state : state name or index
    T : int >= 1
        The number of transitions.
    rule : Decision, optional
        Default :func:`optimal`.

    Returns
    -------
    MDPDecision
        f(X | C, R) over the actions (or successors) of ``state``; its option vectors are the
        visit counts of the T-step paths.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP, ``rule`` not a built-in decision rule, or ``T`` not a number.
    ValueError
        If ``state`` is unknown or ``T`` is not a whole number >= 1. Calling the decision raises ValueError naming ``X``,
        ``C`` or ``theta`` (options that are not actions or successors of ``state``, X not in C,
        a reward vector of the wrong length or not finite).
    tailpower.BudgetError
        If T steps of backward induction would exceed the work limit.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp, R = ps.examples.turner_fig1(), [0, 0.5, 0, 0, 0, 0, 1, 0]
    >>> C = ["empty", "l", "r"]
    >>> ps.decisions.mdp_finite_horizon(mdp, "star", 1)(["r"], C, R)  # 0 + 0 against 0 + 0.5
    0.0
    >>> ps.decisions.mdp_finite_horizon(mdp, "star", 2)(["r"], C, R)  # 0 + 0 + 1 ties 0 + 0.5 + 0.5
    1.0
    """
    T = check_int("T", T)
    if isinstance(mdp, MDP):
        check_work("T", float(T) * (len(mdp.csr[4]) + mdp.n_states), f"a {T}-step backward induction per reward vector")
    return _mdp_decision(mdp, state, "horizon", horizon=T, rule=rule)
