"""The decision rules of :mod:`powerseek.decisions` (private; public there): IsOptimal and its
relatives, Boltzmann, best-of-k, satisficers, quantilisers, epsilon-greedy, mixtures -- the
EU-determined decision functions of Turner & Tadepalli, "Parametrically Retargetable
Decision-Makers Tend To Seek Power", NeurIPS 2022 -- and two that are not (label tie-breaking and
plain rules).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from tailpower._common import check_int

from ._checks import check_choice, check_positive, check_real
from .decisions import Decision, _ismax

__all__ = ["optimal", "frac_optimal", "anti_optimal", "boltzmann", "best_of_k", "satisfice", "quantilise",
           "epsilon_greedy", "uniform", "mixture", "ordered_optimal", "rule"]


def _any_indicator(ismax_fn):
    def ind(U, masks, tol):
        M = ismax_fn(U, tol).astype(float)
        return (M @ masks.T.astype(float)) > 0

    return lambda U, masks, tol: ind(U, masks, tol).astype(float)


def optimal() -> Decision:
    """IsOptimal(X | C, u) = 1 if some x in X has x^T u = max_{c in C} c^T u, else 0 (2022 paper).

    Ties: if X and C \\ X both contain an optimal element, IsOptimal is 1 for both (it is an
    indicator, not a probability). Use :func:`frac_optimal` for the tie-splitting distribution.

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    Nothing when built. Calling the Decision raises ValueError naming ``X``, ``C`` or ``theta``
    when an option set is empty or not finite, ``X`` is not a subset of ``C``, or ``theta`` has
    the wrong length or is not finite (TypeError when one of them is not real).

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> ps.decisions.optimal()([[0, 1, 0]], C, [1, 1, 0])  # tied with option 0: still 1
    1.0
    """
    return Decision("optimal", "indicator", True, _indicator=_any_indicator(_ismax))


def frac_optimal() -> Decision:
    """FracOptimal(X | C, u) = |X cap argmax_C u| / |argmax_C u|: the probability that a uniformly
    random optimal element of C lies in X (optimal with uniform tie-breaking).

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    Nothing when built. Calling the Decision raises ValueError naming ``X``, ``C`` or ``theta``
    when an option set is empty or not finite, ``X`` is not a subset of ``C``, or ``theta`` has
    the wrong length or is not finite (TypeError when one of them is not real).

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> ps.decisions.frac_optimal()([[0, 1, 0]], C, [1, 1, 0])  # two maximisers: half each
    0.5
    """

    def w(U, tol):
        M = _ismax(U, tol).astype(float)
        return M / M.sum(axis=1, keepdims=True)

    return Decision("frac_optimal", "distribution", True, _weights=w)


def anti_optimal() -> Decision:
    """AntiOpt(X | C, u) = IsOptimal(X | C, -u): 1 if X contains a utility *minimiser* (2022 paper).
    It is retargetable too: the orbit theorem does not care which way utility points.

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    Nothing when built. Calling the Decision raises ValueError naming ``X``, ``C`` or ``theta``
    when an option set is empty or not finite, ``X`` is not a subset of ``C``, or ``theta`` has
    the wrong length or is not finite (TypeError when one of them is not real).

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> ps.decisions.anti_optimal()([[0, 0, 1]], C, [10, 5, 0])  # option 2 has the least utility
    1.0
    """
    return Decision("anti_optimal", "indicator", True, _indicator=_any_indicator(lambda U, tol: _ismax(-U, tol)))


def boltzmann(T: float) -> Decision:
    """Boltzmann_T(X | C, u) = sum_{x in X} e^{x^T u / T} / sum_{c in C} e^{c^T u / T} (2022 paper),
    computed with log-sum-exp (no overflow at small T). As T -> 0 it tends to FracOptimal.

    Parameters
    ----------
    T : float > 0
        The temperature.

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    TypeError
        If ``T`` is not a real number.
    ValueError
        If ``T`` is not > 0 or not finite. (Calling the Decision raises as :func:`optimal`'s.)

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> round(ps.decisions.boltzmann(1.0)([[1, 0, 0]], C, [10, 5, 0]), 12)  # 1/(1 + e^-5 + e^-10)
    0.993262356842
    """
    T = check_positive("T", T)

    def w(U, tol):
        # utilities relative to the best, so nothing overflows whatever T is (exp(0) = 1 is in
        # the normaliser, exp(-inf) = 0)
        with np.errstate(over="ignore", under="ignore"):
            Z = (U - U.max(axis=1, keepdims=True)) / T
            E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)

    return Decision(f"boltzmann(T={T:g})", "distribution", True, _weights=w)


def _levels(U: np.ndarray, tol: float):
    """For each option: #options with utility <= own + tol, #options < own - tol, #tied.

    Pairwise comparisons for small option sets; for more than 64 options, binary search in each
    sorted row (O(m log m) memory and time instead of m^2)."""
    if U.shape[1] <= 64:
        le = (U[:, None, :] <= U[:, :, None] + tol).sum(axis=2)
        lt = (U[:, None, :] < U[:, :, None] - tol).sum(axis=2)
        return le, lt, le - lt
    srt = np.sort(U, axis=1)
    le = np.empty(U.shape, dtype=np.int64)
    lt = np.empty(U.shape, dtype=np.int64)
    for k in range(U.shape[0]):
        le[k] = np.searchsorted(srt[k], U[k] + tol, side="right")
        lt[k] = np.searchsorted(srt[k], U[k] - tol, side="left")
    return le, lt, le - lt


def best_of_k(k: int) -> Decision:
    """Draw k options uniformly with replacement from C and take the best of the sample (ties in
    the sample broken uniformly). Exact: with F(c) = #{c': u(c') <= u(c)}/|C|, F^-(c) = #{c': u(c') <
    u(c)}/|C| and m(c) the number of options tied with c,
        P(choose c) = (F(c)^k - F^-(c)^k) / m(c).
    k = 1 is the uniform choice; k -> infinity tends to FracOptimal.

    Parameters
    ----------
    k : int >= 1
        The sample size.

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    TypeError
        If ``k`` is not a number, or is a bool.
    ValueError
        If ``k`` is not a whole number >= 1. (Calling the Decision raises as :func:`optimal`'s.)

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> round(ps.decisions.best_of_k(2)([[1, 0, 0]], C, [10, 5, 0]), 12)  # 1 - (2/3)^2 = 5/9
    0.555555555556
    """
    k = check_int("k", k)
    kf = float(k) if k < 2**1000 else math.inf  # (x/m)^k for k beyond float64 is 0 (x < m) or 1

    def w(U, tol):
        m = U.shape[1]
        le, lt, tied = _levels(U, tol)
        with np.errstate(under="ignore"):
            return ((le / m) ** kf - (lt / m) ** kf) / tied

    return Decision(f"best_of_k(k={k})", "distribution", True, _weights=w)


def satisfice(t: float, empty: str = "zero") -> Decision:
    """Satisfice_t(X | C, u) = |X cap S_t| / |S_t| with S_t = {c in C : c^T u >= t} (2022 paper):
    pick uniformly among the options whose utility reaches the threshold t.

    If no option reaches t: ``empty="zero"`` gives f = 0 for every X (0/0 := 0; no satisfactory
    choice), ``empty="uniform"`` picks uniformly from C.

    Parameters
    ----------
    t : float
        The utility threshold.
    empty : "zero" | "uniform"
        What to do when no option reaches ``t``.

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    TypeError
        If ``t`` is not a real number.
    ValueError
        If ``t`` is not finite or ``empty`` is unknown. (Calling the Decision raises as
        :func:`optimal`'s.)

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> ps.decisions.satisfice(4)([[1, 0, 0]], C, [10, 5, 0])  # options 0 and 1 reach 4
    0.5
    >>> ps.decisions.satisfice(20, empty="uniform")([[1, 0, 0]], C, [10, 5, 0])  # none reaches 20
    0.3333333333333333
    """
    t = check_real("t", t)
    empty = check_choice("empty", empty, ("zero", "uniform"))

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
    result is divided by q. q = 1 is uniform; q <= 1/|C| is FracOptimal.

    Parameters
    ----------
    q : float in (0, 1]
        The top fraction of the base distribution's mass that is kept.

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    TypeError
        If ``q`` is not a real number.
    ValueError
        If ``q`` is not in (0, 1]. (Calling the Decision raises as :func:`optimal`'s.)

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> d = ps.decisions.quantilise(0.5)  # the best third whole, then 1/6 of the middle one
    >>> round(d([[1, 0, 0]], C, [10, 5, 0]), 12), round(d([[0, 1, 0]], C, [10, 5, 0]), 12)
    (0.666666666667, 0.333333333333)
    """
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
    """The uniform choice over C: f(X) = |X| / |C| (= best_of_k(1), = quantilise(1)).

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    Nothing when built. Calling the Decision raises ValueError naming ``X``, ``C`` or ``theta``
    when an option set is empty or not finite, ``X`` is not a subset of ``C``, or ``theta`` has
    the wrong length or is not finite (TypeError when one of them is not real).

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> round(ps.decisions.uniform()([[1, 0, 0], [0, 1, 0]], C, [10, 5, 0]), 12)
    0.666666666667
    """
    return Decision("uniform", "distribution", True, _weights=lambda U, tol: np.full(U.shape, 1.0 / U.shape[1]))


def epsilon_greedy(eps: float) -> Decision:
    """With probability 1 - eps a uniformly chosen optimal option, else a uniform option of C:
    (1 - eps) FracOptimal + eps |X|/|C|.

    Parameters
    ----------
    eps : float in [0, 1]
        The exploration probability.

    Returns
    -------
    Decision
        f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    TypeError
        If ``eps`` is not a real number.
    ValueError
        If ``eps`` is not in [0, 1]. (Calling the Decision raises as :func:`optimal`'s.)

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> round(ps.decisions.epsilon_greedy(0.3)([[1, 0, 0]], C, [10, 5, 0]), 12)  # 0.7 + 0.3/3
    0.8
    """
    eps = check_positive("eps", eps, strict=False)
    if eps > 1:
        raise ValueError(f"eps: must be in [0, 1], got {eps!r}")
    fo, un = frac_optimal(), uniform()
    return Decision(f"epsilon_greedy(eps={eps:g})", "distribution", True, parts=((1 - eps, fo), (eps, un)))


def mixture(components: Sequence[tuple[float, Decision]]) -> Decision:
    """Convex combination sum_i w_i f_i(X | C, theta) of decision functions (weights >= 0, sum 1).

    The 2022 paper: "You cannot combine EU-based decision-making functions so that orbit-level
    instrumental convergence doesn't apply to their composite": f_i(B) >=^n_most f_i(A) for each i
    gives the same for the mixture (each component's swap maps are the same involutions).

    Parameters
    ----------
    components : sequence of (float, Decision)
        The weights (>= 0, summing to 1) and the decision functions (not plain rules).

    Returns
    -------
    Decision
        the mixture; ``eu_determined`` when every component is, f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    TypeError
        If ``components`` is not a sequence of (weight, Decision) pairs, or holds a plain rule.
    ValueError
        If it is empty, a weight is negative or not finite, or the weights do not sum to 1.

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> mix = ps.decisions.mixture([(0.5, ps.decisions.optimal()), (0.5, ps.decisions.anti_optimal())])
    >>> mix.name, mix([[1, 0, 0]], C, [10, 5, 0]), mix.eu_determined
    ('mixture(0.5*optimal, 0.5*anti_optimal)', 0.5, True)
    """
    if isinstance(components, (str, bytes)) or not hasattr(components, "__iter__"):
        raise TypeError(f"components: expected a list of (weight, decision) pairs, got {type(components).__name__}")
    comps = list(components)
    if not comps:
        raise ValueError("components: need at least one (weight, decision) pair")
    ws = []
    for i, c in enumerate(comps):
        if not (isinstance(c, tuple) and len(c) == 2 and isinstance(c[1], Decision)):
            raise TypeError(f"components: item {i} must be a (weight, Decision) pair")
        ws.append(check_positive(f"components[{i}] weight", c[0], strict=False))
    if not math.isfinite(sum(ws)):
        raise ValueError(f"components: weights must sum to 1, got {sum(ws)!r}")
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
    orbit theorem need not hold; a counterexample rule for :func:`powerseek.search_counterexample`.

    Returns
    -------
    Decision
        ``eu_determined=False``; f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    Nothing when built. Calling the Decision raises ValueError naming ``X``, ``C`` or ``theta``
    when an option set is empty or not finite, ``X`` is not a subset of ``C``, or ``theta`` has
    the wrong length or is not finite (TypeError when one of them is not real).

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> d = ps.decisions.ordered_optimal()
    >>> d([[1, 0, 0]], C, [1, 1, 0]), d([[0, 1, 0]], C, [1, 1, 0])  # the tie goes to the first label
    (1.0, 0.0)
    """

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
    as a decision function. It is evaluated one theta at a time (slow but fully general).

    Parameters
    ----------
    fn : callable (X, C, theta) -> float
        The decision probability (or indicator) of the options X within C.
    name : str, optional
        Default: ``fn.__name__``.
    eu_determined : bool, default False
        Declare that ``fn`` depends on theta only through the utilities, symmetrically in ties
        (nothing checks it).

    Returns
    -------
    Decision
        the wrapped rule, f(X | C, theta); call it with option sets and theta, or use
        :meth:`Decision.evaluate` on utilities.

    Raises
    ------
    TypeError
        If ``fn`` is not callable or ``name`` not a string.

    Examples
    --------
    >>> import powerseek as ps
    >>> C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]  # three options, theta = their utilities
    >>> r = ps.decisions.rule(lambda X, C, th: float((X @ th).max() >= 5), name="reaches 5")
    >>> r.name, r([[0, 1, 0]], C, [10, 5, 0]), r.eu_determined
    ('reaches 5', 1.0, False)
    """
    if not callable(fn):
        raise TypeError(f"fn: expected a callable (X, C, theta) -> float, got {type(fn).__name__}")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name: expected a string, got {type(name).__name__}")
    return Decision(name or getattr(fn, "__name__", "rule"), "indicator", bool(eu_determined), _scalar=fn)
