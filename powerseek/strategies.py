"""Public Hypothesis strategies for powerseek property tests.

    from hypothesis import given
    from powerseek.strategies import deterministic_mdps, reward_vectors, gammas

    @given(deterministic_mdps(), gammas(), st.data())
    def test_something(mdp, gamma, data):
        r = data.draw(reward_vectors(mdp.n_states))
"""

from __future__ import annotations

import numpy as np
from tailpower._extras import require

from .model import MDP

st = require("hypothesis.strategies", "strategies", "powerseek.strategies")  # or an error naming the extra

__all__ = ["deterministic_mdps", "stochastic_mdps", "reward_vectors", "integer_reward_vectors", "gammas",
           "copy_environments", "orbit_parameters", "eu_decisions"]


@st.composite
def deterministic_mdps(draw, min_states: int = 1, max_states: int = 6, max_actions: int = 3) -> MDP:
    """Deterministic MDPs (``MDP.from_successors``): every state gets 1..max_actions distinct
    successors, self-loops allowed.

    Parameters
    ----------
    min_states, max_states : int
        The number of states, 1 <= min_states <= max_states.
    max_actions : int >= 1
        The most actions (distinct successors) per state.

    Returns
    -------
    hypothesis strategy of MDP
        States named "s0", "s1", ...

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When drawn, if a bound is out of order (min_states > max_states, or max_actions < 1); Hypothesis checks the arguments lazily.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import deterministic_mdps
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(deterministic_mdps(max_states=4))
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> all(m.is_deterministic and 1 <= m.n_states <= 4 for m in seen)
    True
    """
    S = draw(st.integers(min_states, max_states))
    names = [f"s{i}" for i in range(S)]
    succ = {}
    for nme in names:
        k = draw(st.integers(1, min(max_actions, S)))
        succ[nme] = draw(st.lists(st.sampled_from(names), min_size=k, max_size=k, unique=True))
    return MDP.from_successors(succ)


@st.composite
def stochastic_mdps(draw, min_states: int = 1, max_states: int = 5, max_actions: int = 3) -> MDP:
    """Stochastic MDPs from arrays: every state has 1..max_actions actions whose transition rows are
    normalised integer weights (so exact zeros and exact ties occur).

    Parameters
    ----------
    min_states, max_states : int
        The number of states, 1 <= min_states <= max_states.
    max_actions : int >= 1
        The most actions per state.

    Returns
    -------
    hypothesis strategy of MDP
        Built with ``MDP.from_arrays`` (layout "SAS").

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When drawn, if a bound is out of order (min_states > max_states, or max_actions < 1); Hypothesis checks the arguments lazily.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import stochastic_mdps
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(stochastic_mdps(max_states=3))
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> all(m.n_states <= 3 for m in seen)
    True
    """
    S = draw(st.integers(min_states, max_states))
    A = draw(st.integers(1, max_actions))
    T = np.zeros((S, A, S))
    mask = np.zeros((S, A), dtype=bool)
    for s in range(S):
        n_act = draw(st.integers(1, A))
        for a in range(n_act):
            w = np.array(draw(st.lists(st.integers(0, 3), min_size=S, max_size=S)), dtype=float)
            if w.sum() == 0:
                w[draw(st.integers(0, S - 1))] = 1.0
            T[s, a] = w / w.sum()
            mask[s, a] = True
    return MDP.from_arrays(T, action_mask=mask, layout="SAS")


def reward_vectors(n_states: int, lo: float = -1.0, hi: float = 1.0):
    """Reward vectors of length ``n_states`` with entries in [lo, hi] (floats).

    Parameters
    ----------
    n_states : int >= 0
        The length.
    lo, hi : float
        The range of the entries.

    Returns
    -------
    hypothesis strategy of ndarray (n_states,)

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When drawn, if a bound is out of order (lo > hi, or a negative n_states); Hypothesis checks the arguments lazily.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import reward_vectors
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(reward_vectors(3, 0.0, 1.0))
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> all(v.shape == (3,) and 0 <= v.min() and v.max() <= 1 for v in seen)
    True
    """
    return st.lists(st.floats(lo, hi, allow_nan=False, allow_infinity=False), min_size=n_states, max_size=n_states).map(
        lambda v: np.asarray(v, dtype=float)
    )


def integer_reward_vectors(n_states: int, lo: int = 0, hi: int = 2):
    """Small-integer reward vectors: exact ties between policies are common (tie-handling tests).

    Parameters
    ----------
    n_states : int >= 0
        The length.
    lo, hi : int
        The range of the entries.

    Returns
    -------
    hypothesis strategy of ndarray (n_states,) of float
        Integer-valued floats.

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When drawn, if a bound is out of order (lo > hi, or a negative n_states); Hypothesis checks the arguments lazily.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import integer_reward_vectors
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(integer_reward_vectors(4))
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> all(set(v.tolist()) <= {0.0, 1.0, 2.0} for v in seen)
    True
    """
    return st.lists(st.integers(lo, hi), min_size=n_states, max_size=n_states).map(lambda v: np.asarray(v, dtype=float))


def gammas(lo: float = 0.05, hi: float = 0.95):
    """Discount rates in [lo, hi] (inside (0, 1)).

    Parameters
    ----------
    lo, hi : float
        The range, 0 < lo <= hi < 1 for the solvers (nothing checks it).

    Returns
    -------
    hypothesis strategy of float

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When drawn, if a bound is out of order (lo > hi); Hypothesis checks the arguments lazily.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import gammas
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(gammas())
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> all(0.05 <= g <= 0.95 for g in seen)
    True
    """
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# ------------------------------------------------------------------ orbits (Turner & Tadepalli 2022)
@st.composite
def copy_environments(draw, max_copies: int = 3, max_width: int = 2, max_extra_coords: int = 2,
                      max_options: int = 3, max_extra_options: int = 2):
    """``(A, B, n)``: option sets (arrays of outcome vectors) where B contains n copies of A by
    construction. Coordinates are blocks 0..n of equal width w plus a few extra coordinates; A's
    vectors live on block 0 (nonzero there); phi_i swaps block 0 with block i coordinate by
    coordinate (an involution), B_i = phi_i . A lives on block i, so phi_i . B_j = B_j for j != i.
    B also gets a few arbitrary extra options (any support), which the definition allows
    (Turner & Tadepalli 2022, "Parametrically Retargetable Decision-Makers Tend To Seek Power",
    Def. A.7).

    Parameters
    ----------
    max_copies : int >= 1
        The largest n.
    max_width : int >= 1
        The largest block width w.
    max_extra_coords, max_extra_options : int >= 0
        Extra coordinates and extra options of B.
    max_options : int >= 1
        The most options of A.

    Returns
    -------
    hypothesis strategy of (ndarray, ndarray, int)
        ``(A, B, n)``.

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When drawn, if a bound is out of order (a maximum below its minimum); Hypothesis checks the arguments lazily.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import copy_environments
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(copy_environments())
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> import powerseek as ps; all(ps.find_copies(A, B).n >= n for A, B, n in seen)
    True
    """
    n = draw(st.integers(1, max_copies))
    w = draw(st.integers(1, max_width))
    e = draw(st.integers(0, max_extra_coords))
    d = w * (n + 1) + e
    mA = draw(st.integers(1, max_options))
    A = []
    for _ in range(mA):
        blk = draw(st.lists(st.integers(0, 2), min_size=w, max_size=w).filter(lambda v: any(v)))
        A.append(blk + [0] * (d - w))
    A = np.unique(np.asarray(A, dtype=float), axis=0)
    B = []
    for i in range(1, n + 1):
        phi = np.arange(d)
        phi[:w], phi[i * w:(i + 1) * w] = np.arange(i * w, (i + 1) * w), np.arange(w)
        Bi = np.empty_like(A)
        Bi[:, phi] = A
        B.extend(Bi.tolist())
    for _ in range(draw(st.integers(0, max_extra_options))):
        B.append(draw(st.lists(st.integers(0, 2), min_size=d, max_size=d)))
    B = np.unique(np.asarray(B, dtype=float), axis=0)
    return A, B, n


def orbit_parameters(d: int, tied: bool | None = None):
    """Parameter vectors of length d: small integers 0..3 (many ties, small orbits) or floats in
    [0, 1] (distinct a.s.); ``tied`` picks one kind.

    Parameters
    ----------
    d : int >= 0
        The length.
    tied : bool or None
        True: integers 0..3 only; False: floats only; None: either.

    Returns
    -------
    hypothesis strategy of ndarray (d,)

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When drawn, if a bound is out of order (a negative d); Hypothesis checks the arguments lazily.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import orbit_parameters
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(orbit_parameters(3, tied=True))
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> all(set(v.tolist()) <= {0.0, 1.0, 2.0, 3.0} for v in seen)
    True
    """
    ints = st.lists(st.integers(0, 3), min_size=d, max_size=d).map(lambda v: np.asarray(v, dtype=float))
    flts = st.lists(st.floats(0, 1, allow_nan=False), min_size=d, max_size=d).map(lambda v: np.asarray(v, dtype=float))
    if tied is True:
        return ints
    if tied is False:
        return flts
    return st.one_of(ints, flts)


def eu_decisions():
    """The EU-determined decision-makers of ``powerseek.decisions`` with drawn parameters, and
    mixtures of two of them (for which Turner & Tadepalli 2022's orbit theorem holds).

    Returns
    -------
    hypothesis strategy of Decision

    Raises
    ------
    Nothing: it takes no arguments.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from powerseek.strategies import eu_decisions
    >>> seen = []
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(eu_decisions())
    ... def collect(x):
    ...     seen.append(x)
    >>> collect()
    >>> all(d.eu_determined for d in seen)
    True
    """
    from . import decisions as D

    base = st.one_of(
        st.just(D.optimal()), st.just(D.frac_optimal()), st.just(D.anti_optimal()), st.just(D.uniform()),
        st.floats(0.05, 5).map(D.boltzmann), st.integers(1, 6).map(D.best_of_k),
        st.floats(0, 3).map(D.satisfice), st.floats(0, 3).map(lambda t: D.satisfice(t, empty="uniform")),
        st.floats(0.05, 1).map(D.quantilise), st.floats(0, 1).map(D.epsilon_greedy),
    )
    mix = st.tuples(st.floats(0, 1), base, base).map(lambda x: D.mixture([(x[0], x[1]), (1 - x[0], x[2])]))
    return st.one_of(base, mix)
