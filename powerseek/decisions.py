"""Decision-makers as functions of an option set (Turner & Tadepalli, "Parametrically Retargetable
Decision-Makers Tend To Seek Power", NeurIPS 2022).

A decision function f(X | C, theta) is the probability (or, for IsOptimal, the indicator) that the
decision-maker with parameter theta, facing the option set C, picks an option in X subset C.
Options are outcome vectors x in R^d (or visit distributions of an MDP) and the expected utility of
x under theta = u is x^T u. Every decision-maker here is *EU-determined*: f depends on theta only
through the utilities (x^T u)_{x in C}, and treats options with equal utility symmetrically, so
the orbit theorem of the 2022 paper applies (B containing n copies of A gives
f(B | C, u) >=^n_most f(A | C, u)). :func:`ordered_optimal` and :func:`rule` are the exceptions,
flagged ``eu_determined=False``.

Usage::

    import powerseek as ps
    C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]          # ghost, apple, cherry
    ps.decisions.boltzmann(1.0)([[1, 0, 0]], C, [10, 5, 0])   # -> 0.99326...

Ties: two utilities within ``tol = 1e-12 * max(1, max |utility|)`` of each other count as equal
(exact ties are common: permuted parameter vectors with repeated entries).

MDP-level decision-makers (:func:`mdp_optimal`, :func:`mdp_average_optimal`,
:func:`mdp_finite_horizon`) choose a first action at one state of a :class:`powerseek.MDP`; their
options are the actions (named by successor or action name) and theta is the state-reward vector.
Their utility of an action is computed by the powerseek solvers (value iteration, Karp's maximum
mean cycle, backward induction); :meth:`MDPDecision.option_vectors` gives the equivalent option
sets of visit distributions / recurrent state distributions / visit counts, the objects on which
"contains n copies" is certified.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import logsumexp

from tailpower._common import check_int, check_positive

__all__ = [
    "Decision",
    "MDPDecision",
    "optimal",
    "frac_optimal",
    "anti_optimal",
    "boltzmann",
    "best_of_k",
    "satisfice",
    "quantilise",
    "epsilon_greedy",
    "uniform",
    "mixture",
    "ordered_optimal",
    "rule",
    "mdp_optimal",
    "mdp_average_optimal",
    "mdp_finite_horizon",
]


def tie_tol(U: np.ndarray) -> float:
    """Tolerance below which two utilities count as tied: 1e-12 * max(1, max|U|)."""
    return 1e-12 * max(1.0, float(np.max(np.abs(U))) if U.size else 1.0)


def _ismax(U: np.ndarray, tol: float) -> np.ndarray:
    return U >= U.max(axis=1, keepdims=True) - tol


# ------------------------------------------------------------------------------------ rules
@dataclass(frozen=True, eq=False)
class Decision:
    """An option-set decision function f(X | C, theta).

    Attributes
    ----------
    name : str
        Human-readable name, e.g. ``"boltzmann(T=1)"``.
    kind : str
        ``"indicator"`` (IsOptimal-like: f(X) = 1 if X contains a chosen-best element; f over a
        partition of C may sum to more than 1) or ``"distribution"`` (f(X) = sum over x in X of a
        choice distribution on C).
    eu_determined : bool
        Whether f depends on theta only through the utilities of the options, symmetrically in
        tied options (then the 2022 orbit theorem applies).
    """

    name: str
    kind: str
    eu_determined: bool
    _weights: Callable[[np.ndarray, float], np.ndarray] | None = field(default=None, repr=False)
    _indicator: Callable[[np.ndarray, np.ndarray, float], np.ndarray] | None = field(default=None, repr=False)
    _scalar: Callable | None = field(default=None, repr=False)
    parts: tuple = field(default=(), repr=False)

    # -- core: utilities U (K, m) of the options of C, masks (nX, m) -> (K, nX)
    def evaluate(self, U: np.ndarray, masks: np.ndarray, tol: float | None = None) -> np.ndarray:
        """f(X_j | C, theta_k) for every row k of the utility matrix ``U`` (K, m) of C's options and
        every boolean mask ``masks[j]`` (m,) selecting X_j within C. Returns (K, nX)."""
        U = np.atleast_2d(np.asarray(U, dtype=float))
        masks = np.atleast_2d(np.asarray(masks, dtype=bool))
        if tol is None:
            tol = tie_tol(U)
        m = U.shape[1]
        rows = max(1, (1 << 24) // (m * m))  # pairwise rules use (rows, m, m) temporaries
        if U.shape[0] > rows:
            return np.concatenate([self.evaluate(U[i:i + rows], masks, tol) for i in range(0, U.shape[0], rows)])
        if self.parts:
            out = np.zeros((U.shape[0], masks.shape[0]))
            for w, d in self.parts:
                out += w * d.evaluate(U, masks, tol)
            return out
        if self._indicator is not None:
            return self._indicator(U, masks, tol)
        if self._weights is not None:
            W = self._weights(U, tol)
            return W @ masks.T.astype(float)
        raise TypeError(f"{self.name}: needs option vectors and theta (a plain rule); use __call__")

    def __call__(self, X, C, theta):
        """f(X | C, theta) for option sets given as lists of vectors (X subset of C) and a parameter
        vector theta (d,) -- or a batch (K, d), giving (K,)."""
        Xa, Ca = _as_options("X", X), _as_options("C", C)
        th = np.asarray(theta, dtype=float)
        if th.shape[-1] != Ca.shape[1] or th.ndim > 2:
            raise ValueError(f"theta: expected length {Ca.shape[1]} (the option dimension), got shape {th.shape}")
        mask = subset_mask(Xa, Ca)
        if self._scalar is not None:
            if th.ndim == 2:
                return np.array([float(self._scalar(Xa, Ca, t)) for t in th])
            return float(self._scalar(Xa, Ca, th))
        U = np.atleast_2d(th) @ Ca.T
        out = self.evaluate(U, mask[None, :])[:, 0]
        return out if th.ndim == 2 else float(out[0])


def _as_options(name: str, X) -> np.ndarray:
    A = np.asarray(X, dtype=float)
    if A.ndim == 1 and A.size > 0:
        raise ValueError(f"{name}: expected a list of option vectors (2-d), got a 1-d array; wrap one vector as [v]")
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty list of option vectors of equal length, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name}: option vectors must be finite")
    return A


def subset_mask(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Boolean mask over the rows of C of the rows that appear in X (every row of X must be in C)."""
    if X.shape[1] != C.shape[1]:
        raise ValueError(f"X: option vectors have length {X.shape[1]}, C's have {C.shape[1]}")
    eq = np.all(np.isclose(X[:, None, :], C[None, :, :], rtol=0, atol=1e-12), axis=2)
    if not eq.any(axis=1).all():
        i = int(np.argmin(eq.any(axis=1)))
        raise ValueError(f"X: option {X[i].tolist()} is not in C")
    return eq.any(axis=0)


def _any_indicator(ismax_fn):
    def ind(U, masks, tol):
        M = ismax_fn(U, tol).astype(float)
        return (M @ masks.T.astype(float)) > 0

    return lambda U, masks, tol: ind(U, masks, tol).astype(float)


def optimal() -> Decision:
    """IsOptimal(X | C, u) = 1 if some x in X has x^T u = max_{c in C} c^T u, else 0 (2022 paper).

    Ties: if X and C \\ X both contain an optimal element, IsOptimal is 1 for both (it is an
    indicator, not a probability). Use :func:`frac_optimal` for the tie-splitting distribution."""
    return Decision("optimal", "indicator", True, _indicator=_any_indicator(_ismax))


def frac_optimal() -> Decision:
    """FracOptimal(X | C, u) = |X cap argmax_C u| / |argmax_C u|: the probability that a uniformly
    random optimal element of C lies in X (optimal with uniform tie-breaking)."""

    def w(U, tol):
        M = _ismax(U, tol).astype(float)
        return M / M.sum(axis=1, keepdims=True)

    return Decision("frac_optimal", "distribution", True, _weights=w)


def anti_optimal() -> Decision:
    """AntiOpt(X | C, u) = IsOptimal(X | C, -u): 1 if X contains a utility *minimiser* (2022 paper).
    It is retargetable too: the orbit theorem does not care which way utility points."""
    return Decision("anti_optimal", "indicator", True, _indicator=_any_indicator(lambda U, tol: _ismax(-U, tol)))


def boltzmann(T: float) -> Decision:
    """Boltzmann_T(X | C, u) = sum_{x in X} e^{x^T u / T} / sum_{c in C} e^{c^T u / T} (2022 paper),
    computed with log-sum-exp (no overflow at small T). As T -> 0 it tends to FracOptimal."""
    T = check_positive("T", T)

    def w(U, tol):
        Z = U / T
        return np.exp(Z - logsumexp(Z, axis=1, keepdims=True))

    return Decision(f"boltzmann(T={T:g})", "distribution", True, _weights=w)


def _levels(U: np.ndarray, tol: float):
    """For each option: #options with utility <= own + tol, #options < own - tol, #tied."""
    le = (U[:, None, :] <= U[:, :, None] + tol).sum(axis=2)
    lt = (U[:, None, :] < U[:, :, None] - tol).sum(axis=2)
    return le, lt, le - lt


def best_of_k(k: int) -> Decision:
    """Draw k options uniformly with replacement from C and take the best of the sample (ties in
    the sample broken uniformly). Exact: with F(c) = #{c': u(c') <= u(c)}/|C|, F^-(c) = #{c': u(c') <
    u(c)}/|C| and m(c) the number of options tied with c,
        P(choose c) = (F(c)^k - F^-(c)^k) / m(c).
    k = 1 is the uniform choice; k -> infinity tends to FracOptimal."""
    k = check_int("k", k)

    def w(U, tol):
        m = U.shape[1]
        le, lt, tied = _levels(U, tol)
        return ((le / m) ** k - (lt / m) ** k) / tied

    return Decision(f"best_of_k(k={k})", "distribution", True, _weights=w)


def satisfice(t: float, empty: str = "zero") -> Decision:
    """Satisfice_t(X | C, u) = |X cap S_t| / |S_t| with S_t = {c in C : c^T u >= t} (2022 paper):
    pick uniformly among the options whose utility reaches the threshold t.

    If no option reaches t: ``empty="zero"`` gives f = 0 for every X (0/0 := 0; no satisfactory
    choice), ``empty="uniform"`` picks uniformly from C."""
    if isinstance(t, bool) or not isinstance(t, (int, float, np.integer, np.floating)) or not math.isfinite(float(t)):
        raise ValueError(f"t: must be a finite real threshold, got {t!r}")
    if empty not in ("zero", "uniform"):
        raise ValueError(f"empty: expected 'zero' or 'uniform', got {empty!r}")
    t = float(t)

    def w(U, tol):
        S = (U >= t - tol).astype(float)
        n = S.sum(axis=1, keepdims=True)
        fallback = 0.0 if empty == "zero" else 1.0 / U.shape[1]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, S / np.where(n > 0, n, 1.0), fallback)

    return Decision(f"satisfice(t={t:g})", "distribution", True, _weights=w)


def quantilise(q: float) -> Decision:
    """q-quantiliser with a uniform base distribution on C (Taylor 2016; 2022 paper): sample from
    the uniform distribution on C conditioned on the top q of its mass by utility. Each option has
    base mass 1/|C|; from the best down, options are taken whole until mass q is filled, and the
    boundary utility level gets the remaining mass, split equally among its tied options. The
    result is divided by q. q = 1 is uniform; q <= 1/|C| is FracOptimal."""
    q = check_positive("q", q)
    if q > 1:
        raise ValueError(f"q: must be in (0, 1], got {q!r}")

    def w(U, tol):
        m = U.shape[1]
        le, lt, tied = _levels(U, tol)
        above = (m - le) / m  # base mass strictly better than c's level
        level_mass = tied / m
        take = np.clip(q - above, 0.0, level_mass)  # mass the quantiliser takes from c's level
        return take / tied / q

    return Decision(f"quantilise(q={q:g})", "distribution", True, _weights=w)


def uniform() -> Decision:
    """The uniform choice over C: f(X) = |X| / |C| (= best_of_k(1), = quantilise(1))."""
    return Decision("uniform", "distribution", True, _weights=lambda U, tol: np.full(U.shape, 1.0 / U.shape[1]))


def epsilon_greedy(eps: float) -> Decision:
    """With probability 1 - eps a uniformly chosen optimal option, else a uniform option of C:
    (1 - eps) FracOptimal + eps |X|/|C|."""
    eps = check_positive("eps", eps, strict=False)
    if eps > 1:
        raise ValueError(f"eps: must be in [0, 1], got {eps!r}")
    fo, un = frac_optimal(), uniform()
    return Decision(f"epsilon_greedy(eps={eps:g})", "distribution", True, parts=((1 - eps, fo), (eps, un)))


def mixture(components: Sequence[tuple[float, Decision]]) -> Decision:
    """Convex combination sum_i w_i f_i(X | C, theta) of decision functions (weights >= 0, sum 1).

    The 2022 paper: "You cannot combine EU-based decision-making functions so that orbit-level
    instrumental convergence doesn't apply to their composite": f_i(B) >=^n_most f_i(A) for each i
    gives the same for the mixture (each component's swap maps are the same involutions)."""
    comps = list(components)
    if not comps:
        raise ValueError("components: need at least one (weight, decision) pair")
    ws = []
    for i, c in enumerate(comps):
        if not (isinstance(c, tuple) and len(c) == 2 and isinstance(c[1], Decision)):
            raise TypeError(f"components: item {i} must be a (weight, Decision) pair")
        ws.append(check_positive(f"components[{i}] weight", c[0], strict=False))
    if abs(sum(ws) - 1.0) > 1e-9:
        raise ValueError(f"components: weights must sum to 1, got {sum(ws)!r}")
    if any(c[1]._scalar is not None for c in comps):
        raise TypeError("components: plain rules (decisions.rule) cannot be mixed; write the mixture as a rule")
    kind = "distribution" if all(c[1].kind == "distribution" for c in comps) else "indicator"
    name = "mixture(" + ", ".join(f"{w:g}*{c.name}" for w, (_, c) in zip(ws, comps)) + ")"
    return Decision(name, kind, all(c.eu_determined for _, c in comps), parts=tuple((w, c) for w, (_, c) in zip(ws, comps)))


def ordered_optimal() -> Decision:
    """NOT EU-determined: optimal with ties broken by the *position* of the option in C (the first
    optimal option in C's order is chosen). Ties are broken by labels, not by utilities, so the
    orbit theorem need not hold; a counterexample rule for :func:`powerseek.orbits.search_counterexample`."""

    def w(U, tol):
        M = _ismax(U, tol)
        first = np.argmax(M, axis=1)
        W = np.zeros_like(U)
        W[np.arange(U.shape[0]), first] = 1.0
        return W

    return Decision("ordered_optimal", "distribution", False, _weights=w)


def rule(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], float], name: str | None = None,
         eu_determined: bool = False) -> Decision:
    """Wrap a plain function ``fn(X, C, theta) -> float`` (X, C arrays of option vectors, theta (d,))
    as a decision function. It is evaluated one theta at a time (slow but fully general)."""
    if not callable(fn):
        raise TypeError(f"fn: expected a callable (X, C, theta) -> float, got {type(fn).__name__}")
    return Decision(name or getattr(fn, "__name__", "rule"), "indicator", bool(eu_determined), _scalar=fn)


# ----------------------------------------------------------------------------- MDP level
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
    def action_columns(self, X) -> list[int]:
        """Action columns (of ``mdp.transitions[state]``) named by ``X`` (names of actions or, in
        deterministic MDPs, successor states; a bare string is one option)."""
        mdp, s = self.mdp, self.state
        items = [X] if isinstance(X, (str, int, np.integer)) else list(X)
        if not items:
            raise ValueError("X: empty option set")
        cols: list[int] = []
        valid = np.flatnonzero(mdp.action_mask[s])
        for it in items:
            name = str(it)
            if name in mdp.actions[s]:
                c = int(valid[mdp.actions[s].index(name)])
            elif mdp.is_deterministic and name in mdp.states:
                t = mdp.index(name)
                hits = [int(a) for a in valid if mdp.transitions[s, a, t] == 1.0]
                if not hits:
                    raise ValueError(f"X: {name!r} is not a successor of {mdp.states[s]!r}")
                c = hits[0]
            else:
                raise ValueError(f"X: {name!r} is neither an action nor a successor of {mdp.states[s]!r}")
            if c not in cols:
                cols.append(c)
        return cols

    # -- utilities of all actions of the state, batched
    def action_utilities(self, R: np.ndarray) -> tuple[np.ndarray, float]:
        """(K, A) utilities of the actions of ``state`` (-inf for absent ones) and a tie tolerance."""
        from .solvers import max_gain, q_values, value_iteration

        mdp, s = self.mdp, self.state
        R = np.atleast_2d(np.asarray(R, dtype=float))
        if self.kind == "discounted":
            vi = value_iteration(mdp, R, self.gamma, eps=self.eps)
            Q = q_values(mdp, vi.values, R, self.gamma, state=s)
            tol = 2 * self.gamma * vi.bound + 1e-12 * max(1.0, float(np.abs(Q[np.isfinite(Q)]).max()))
            return Q, tol
        if self.kind == "average":
            G = max_gain(mdp, R)
            A = mdp.action_mask.shape[1]
            Q = np.full((R.shape[0], A), -np.inf)
            for a in np.flatnonzero(mdp.action_mask[s]):
                t = int(np.argmax(mdp.transitions[s, a]))
                Q[:, a] = G[:, t]
            return Q, 1e-12 * max(1.0, float(np.abs(R).max()))
        # finite horizon: V_0 = R, V_k = R + max_a T_a V_{k-1}; Q_T(s, a) = R(s) + T_a V_{T-1}
        T = mdp.transitions
        V = R.copy()
        for _ in range(self.horizon - 1):
            M = np.einsum("sat,kt->ksa", T, V)
            M[:, ~mdp.action_mask] = -np.inf
            V = R + M.max(axis=2)
        Q = R[:, s, None] + V @ T[s].T
        Q[:, ~mdp.action_mask[s]] = -np.inf
        return Q, 1e-12 * max(1.0, float(np.abs(R).max()) * (self.horizon + 1))

    def evaluate_rewards(self, R: np.ndarray, C_cols: list[int], masks: np.ndarray) -> np.ndarray:
        """f(X_j | C, R_k): (K, nX); ``masks`` (nX, |C|) select X_j within the columns ``C_cols``."""
        Q, tol = self.action_utilities(R)
        return self.rule.evaluate(Q[:, C_cols], masks, tol)

    def __call__(self, X, C, theta):
        """f(X | C, R) for action sets X subset C at ``state`` and reward vector(s) ``theta``."""
        xc, cc = self.action_columns(X), self.action_columns(C)
        if not set(xc) <= set(cc):
            raise ValueError("X: must be a subset of C")
        th = np.asarray(theta, dtype=float)
        if th.shape[-1] != self.mdp.n_states or th.ndim > 2:
            raise ValueError(f"theta: expected a reward vector of length {self.mdp.n_states}, got shape {th.shape}")
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
            raise NotImplementedError("mdp: option vectors are implemented for deterministic MDPs")
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
                t = int(np.argmax(mdp.transitions[s, a]))
                for c, cyc in enumerate(cycles):
                    if reach[t, c]:
                        f = np.zeros(S)
                        f[list(cyc)] = 1.0 / len(cyc)
                        vecs.append(f)
        else:
            table = mdp.successor_table

            def walk(u, depth, counts):
                if depth == self.horizon:
                    vecs.append(counts.copy())
                    return
                for t in table[u]:
                    counts[t] += 1
                    walk(t, depth + 1, counts)
                    counts[t] -= 1

            for a in cols:
                t = int(np.argmax(mdp.transitions[s, a]))
                counts = np.zeros(S)
                counts[s] += 1
                counts[t] += 1
                walk(t, 1, counts)
        V = np.unique(np.round(np.array(vecs), 12) + 0.0, axis=0)
        return V


def _mdp_decision(mdp, state, kind, **kw) -> MDPDecision:
    from .model import MDP

    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp: expected a powerseek.MDP, got {type(mdp).__name__}")
    rule_ = kw.pop("rule", None) or optimal()
    if not isinstance(rule_, Decision) or rule_._scalar is not None:
        raise TypeError("rule: expected a built-in ps.decisions rule (optimal(), boltzmann(T), ...)")
    return MDPDecision(mdp, mdp.index(state), kind, rule=rule_, **kw)


def mdp_optimal(mdp, state, gamma: float, rule: Decision | None = None, eps: float = 1e-10) -> MDPDecision:
    """Optimal first action at ``state`` for discount ``gamma`` in (0, 1): IsOptimal over Q*_R(s, .)
    (value iteration; ties within 2 gamma eps). ``rule`` replaces IsOptimal (e.g. boltzmann on Q*)."""
    from .solvers import check_gamma

    return _mdp_decision(mdp, state, "discounted", gamma=check_gamma(gamma), rule=rule, eps=check_positive("eps", eps))


def mdp_average_optimal(mdp, state, rule: Decision | None = None) -> MDPDecision:
    """Average-optimal first action (gamma -> 1, gain only; Turner & Tadepalli 2022, App. D) in a
    deterministic MDP: the action's utility is the best cycle-mean reward reachable after it."""
    if not getattr(mdp, "is_deterministic", False):
        raise NotImplementedError("mdp: average-optimal decisions need a deterministic MDP")
    return _mdp_decision(mdp, state, "average", rule=rule)


def mdp_finite_horizon(mdp, state, T: int, rule: Decision | None = None) -> MDPDecision:
    """Finite-horizon value iteration: the first action maximising R(s_0) + ... + R(s_T) over T
    transitions (backward induction, T steps, undiscounted)."""
    return _mdp_decision(mdp, state, "horizon", horizon=check_int("T", T), rule=rule)
