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

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_real, float_array

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


def utilities(theta: np.ndarray, C: np.ndarray, name: str = "theta") -> np.ndarray:
    """U = theta C^T (K, m), refusing an overflow (utilities beyond float64) by name."""
    with np.errstate(over="ignore", invalid="ignore"):
        U = np.atleast_2d(theta) @ C.T
    if not np.all(np.isfinite(U)):
        raise ValueError(f"{name}: the utilities x^T theta overflow float64 (|theta| up to "
                         f"{float(np.abs(theta).max()):.3g}); scale theta down")
    return U


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

    Examples
    --------
    >>> import numpy as np, powerseek as ps
    >>> d = ps.decisions.optimal()
    >>> d.name, d.kind, d.eu_determined
    ('optimal', 'indicator', True)
    >>> # f for X = {option 0} and X = {options 1, 2}, utilities (3, 1, 3): both hold a maximiser
    >>> d.evaluate(np.array([[3.0, 1.0, 3.0]]), np.array([[True, False, False], [False, True, True]])).tolist()
    [[1.0, 1.0]]
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
        U = np.atleast_2d(float_array("U", U))
        if U.ndim != 2 or U.shape[1] == 0 or not np.all(np.isfinite(U)):
            raise ValueError(f"U: expected a finite (K, m) utility matrix with m >= 1, got shape {U.shape}")
        try:
            masks = np.atleast_2d(np.asarray(masks, dtype=bool))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"masks: expected boolean masks over the options ({exc})") from None
        if masks.ndim != 2 or masks.shape[1] != U.shape[1]:
            raise ValueError(f"masks: expected shape (nX, {U.shape[1]}), got {masks.shape}")
        tol = tie_tol(U) if tol is None else check_real("tol", tol)
        m = U.shape[1]
        rows = max(1, (1 << 24) // (min(m, 64) * m))  # pairwise rules use (rows, m, m) temporaries up to m = 64
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
        th = float_array("theta", theta)
        if th.ndim not in (1, 2) or th.shape[-1] != Ca.shape[1]:
            raise ValueError(f"theta: expected length {Ca.shape[1]} (the option dimension), got shape {th.shape}")
        if not np.all(np.isfinite(th)):
            raise ValueError("theta: entries must be finite")
        mask = subset_mask(Xa, Ca)
        if self._scalar is not None:
            if th.ndim == 2:
                return np.array([float(self._scalar(Xa, Ca, t)) for t in th])
            return float(self._scalar(Xa, Ca, th))
        U = utilities(th, Ca)
        out = self.evaluate(U, mask[None, :])[:, 0]
        return out if th.ndim == 2 else float(out[0])


def _as_options(name: str, X) -> np.ndarray:
    A = float_array(name, X)
    if A.ndim == 1 and A.size > 0:
        raise ValueError(f"{name}: expected a list of option vectors (2-d), got a 1-d array; wrap one vector as [v]")
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty list of option vectors of equal length, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name}: option vectors must be finite")
    return A


def subset_mask(X: np.ndarray, C: np.ndarray, name: str = "X") -> np.ndarray:
    """Boolean mask over the rows of C of the rows that appear in X (every row of X must be in C);
    errors name ``name`` (the caller's parameter holding X)."""
    if X.shape[1] != C.shape[1]:
        raise ValueError(f"{name}: option vectors have length {X.shape[1]}, C's have {C.shape[1]}")
    from tailpower._common import check_memory

    check_memory("C", X.shape[0] * C.shape[0] * (X.shape[1] + 8.0) * 2, "comparing the option sets")
    eq = np.all(np.isclose(X[:, None, :], C[None, :, :], rtol=0, atol=1e-12), axis=2)
    if not eq.any(axis=1).all():
        i = int(np.argmin(eq.any(axis=1)))
        raise ValueError(f"{name}: option {X[i].tolist()} is not in C")
    return eq.any(axis=0)


# ------------------------------------------------------------------------------------ rules
from ._decision_rules import (  # noqa: E402
    anti_optimal,
    best_of_k,
    boltzmann,
    epsilon_greedy,
    frac_optimal,
    mixture,
    optimal,
    ordered_optimal,
    quantilise,
    rule,
    satisfice,
    uniform,
)

# ----------------------------------------------------------------------------- MDP level
from ._mdp_decisions import MDPDecision, mdp_average_optimal, mdp_finite_horizon, mdp_optimal  # noqa: E402
