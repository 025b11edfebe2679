"""Public Hypothesis strategies for powerseek property tests.

    from hypothesis import given
    from powerseek.strategies import deterministic_mdps, reward_vectors, gammas

    @given(deterministic_mdps(), gammas(), st.data())
    def test_something(mdp, gamma, data):
        r = data.draw(reward_vectors(mdp.n_states))
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .model import MDP

__all__ = ["deterministic_mdps", "stochastic_mdps", "reward_vectors", "integer_reward_vectors", "gammas"]


@st.composite
def deterministic_mdps(draw, min_states: int = 1, max_states: int = 6, max_actions: int = 3) -> MDP:
    """Deterministic MDPs (``MDP.from_successors``): every state gets 1..max_actions distinct
    successors, self-loops allowed."""
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
    normalised integer weights (so exact zeros and exact ties occur)."""
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
    return MDP.from_arrays(T, action_mask=mask)


def reward_vectors(n_states: int, lo: float = -1.0, hi: float = 1.0):
    """Reward vectors of length ``n_states`` with entries in [lo, hi] (floats)."""
    return st.lists(st.floats(lo, hi, allow_nan=False, allow_infinity=False), min_size=n_states, max_size=n_states).map(
        lambda v: np.asarray(v, dtype=float)
    )


def integer_reward_vectors(n_states: int, lo: int = 0, hi: int = 2):
    """Small-integer reward vectors: exact ties between policies are common (tie-handling tests)."""
    return st.lists(st.integers(lo, hi), min_size=n_states, max_size=n_states).map(lambda v: np.asarray(v, dtype=float))


def gammas(lo: float = 0.05, hi: float = 0.95):
    """Discount rates in [lo, hi] (inside (0, 1))."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)
