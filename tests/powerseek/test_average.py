"""gamma = 1 on any MDP: Blackwell policy iteration against exact rational arithmetic, the
multichain LP, Karp, the lasso series and the discounted solvers near gamma = 1."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import powerseek as ps
from powerseek.strategies import deterministic_mdps, integer_reward_vectors, reward_vectors, stochastic_mdps


@st.composite
def dyadic_mdps(draw, max_states: int = 4, max_actions: int = 3):
    """Stochastic MDPs whose probabilities are exact in binary (1/4, 1/2, 3/4, 1): every action
    moves to t1 with probability p and to t2 with 1 - p."""
    S = draw(st.integers(1, max_states))
    A = draw(st.integers(1, max_actions))
    T = np.zeros((S, A, S))
    mask = np.zeros((S, A), dtype=bool)
    for s in range(S):
        for a in range(draw(st.integers(1, A))):
            t1, t2 = draw(st.integers(0, S - 1)), draw(st.integers(0, S - 1))
            p = draw(st.sampled_from([0.25, 0.5, 0.75, 1.0]))
            T[s, a, t1] += p
            T[s, a, t2] += 1 - p
            mask[s, a] = True
    return ps.MDP.from_arrays(T, action_mask=mask, layout="SAS")


def _exact_optimal_entries(mdp, r, s0, gamma=Fraction(1) - Fraction(1, 2**100)):
    """Optimal action entries at s0 for discount gamma, in exact rational arithmetic (Howard's
    policy iteration with Gaussian elimination over Fractions). With gamma = 1 - 2^-100 these are
    the Blackwell-optimal ones for these small dyadic MDPs (the advantage polynomials have no root
    that close to 1)."""
    act_ptr, _, tr_ptr, nxt, prob = mdp.csr
    S = mdp.n_states
    rows = [[(int(nxt[j]), Fraction(float(prob[j]))) for j in range(tr_ptr[e], tr_ptr[e + 1])]
            for e in range(len(tr_ptr) - 1)]
    rf = [Fraction(float(x)) for x in r]
    pol = [int(act_ptr[s]) for s in range(S)]
    while True:
        M = [[Fraction(int(i == j)) for j in range(S)] + [rf[i]] for i in range(S)]
        for i in range(S):
            for t, p in rows[pol[i]]:
                M[i][t] -= gamma * p
        for c in range(S):  # Gauss-Jordan
            piv = next(i for i in range(c, S) if M[i][c] != 0)
            M[c], M[piv] = M[piv], M[c]
            M[c] = [x / M[c][c] for x in M[c]]
            for i in range(S):
                if i != c and M[i][c] != 0:
                    f = M[i][c]
                    M[i] = [x - f * y for x, y in zip(M[i], M[c])]
        V = [M[i][S] for i in range(S)]
        Q = [rf[s] + gamma * sum(p * V[t] for t, p in rows[e])
             for s in range(S) for e in range(act_ptr[s], act_ptr[s + 1])]
        ent_state = np.repeat(np.arange(S), np.diff(act_ptr))
        new = list(pol)
        for s in range(S):
            best = max(range(act_ptr[s], act_ptr[s + 1]), key=lambda e: Q[e])
            if Q[best] > Q[pol[s]]:
                new[s] = best
        if new == pol:
            return {e - int(act_ptr[s0]) for e in range(act_ptr[s0], act_ptr[s0 + 1]) if Q[e] == V[s0]}
        pol = new


@settings(max_examples=40, deadline=None)
@given(dyadic_mdps(), st.data())
def test_blackwell_optimal_actions_equal_exact_rational_ones(mdp, data):
    """Integer rewards make ties at every order common; the optimal set at state 0 must equal the
    exact set at gamma = 1 - 2^-100 (the optimality probability at gamma = 1 counts these)."""
    r = data.draw(integer_reward_vectors(mdp.n_states))
    got = ps.limit_optimal_actions(mdp, 0, r, "one")[mdp.valid_columns(0)]
    assert set(np.flatnonzero(got).tolist()) == _exact_optimal_entries(mdp, r, 0)


@settings(max_examples=30, deadline=None)
@given(st.one_of(stochastic_mdps(), dyadic_mdps()), st.data())
def test_gain_policy_iteration_lp_and_discounted_limit_agree(mdp, data):
    """Optimal gain three ways: multichain policy iteration, the multichain LP (HiGHS) and
    (1 - gamma) V* at gamma = 1 - 1e-7 (|difference| <= (1 - gamma) max|bias-like terms|, bounded here
    by 1e-5 for rewards in [0, 1] on these 5-state MDPs)."""
    R = np.array([data.draw(reward_vectors(mdp.n_states, 0.0, 1.0)) for _ in range(2)])
    pi = ps.average_optimal(mdp, R)
    lp = ps.average_optimal(mdp, R, method="lp")
    np.testing.assert_allclose(pi.gain, lp.gain, rtol=0, atol=1e-8)
    g = 1 - 1e-7
    vi = ps.value_iteration(mdp, R, g)
    np.testing.assert_allclose((1 - g) * vi.values, pi.gain, rtol=0, atol=1e-5)
    # the gain satisfies g = max_a T_a g and g + h = r + T_pi h for the returned policy
    for k in range(2):
        Tg = ps.q_values(mdp, pi.gain[k], np.zeros(mdp.n_states), 1.0).max(axis=1)
        np.testing.assert_allclose(Tg, pi.gain[k], rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(deterministic_mdps(max_states=6), st.data())
def test_functional_blackwell_equals_karp_and_the_lasso_series(mdp, data):
    """Deterministic MDPs: the O(S) functional-graph policy iteration against Karp's maximum mean
    cycle (gain) and the exact lasso series (Blackwell-optimal first actions, integer rewards)."""
    r = data.draw(integer_reward_vectors(mdp.n_states))
    if data.draw(st.booleans()):
        r = r + np.asarray(data.draw(reward_vectors(mdp.n_states, 0.0, 1.0)))
    np.testing.assert_allclose(ps.average_optimal(mdp, r).gain, ps.max_gain(mdp, r, method="karp"), rtol=0, atol=1e-12)
    s = data.draw(st.integers(0, mdp.n_states - 1))
    np.testing.assert_array_equal(ps.limit_optimal_actions(mdp, s, r, "one"),
                                  ps.limit_optimal_actions(mdp, s, r, "one", method="lassos"))


def test_shutdown_probability_on_a_grid_beyond_lasso_enumeration():
    """Pac-Man shutdown (Turner et al. 2021, Cor. 6.14): P(off optimal at start, gamma = 1) =
    1/(cells + 1) for iid rewards. A 6 x 6 grid has far too many policy trajectories to enumerate
    (the lasso method is refused); Blackwell policy iteration answers."""
    mdp = ps.examples.pacman_shutdown(6, 6)
    with pytest.raises(ValueError, match="^mdp"):
        ps.limit_optimal_actions(mdp, "0,0", np.zeros(mdp.n_states), "one", method="lassos")
    p = ps.optimality_probability(mdp, "0,0", successor="off", gamma=1.0, samples=20_000, rng=3)
    assert p.method == "blackwell"
    assert abs(p.value - 1 / 37) <= 5 * p.stderr


def test_stochastic_power_at_one_is_the_limit_of_discounted_power():
    """Slippery FrozenLake-like grid with a hole: POWER(s, 1) on common samples equals the
    discounted POWER near 1 within its Lipschitz distance (Turner et al. 2021, Lemma 5.3)."""
    mdp = ps.MDP.gridworld(4, 4, terminal=[(1, 1), (3, 3)], slip=0.2)
    c = ps.power_curve(mdp, [1 - 1e-6, 1.0], samples=300, rng=4)
    assert c.method == "pi"
    assert np.max(np.abs(c.value[0] - c.value[1])) <= 1e-4


def test_blackwell_iteration_settles_on_a_slippery_grid_with_tied_rewards():
    mdp = ps.MDP.gridworld(3, 3, slip=0.1, stay=True)
    r = np.array([0.5, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0])  # the bottom row pays 1 forever
    res = ps.average_optimal(mdp, r)
    np.testing.assert_allclose(res.gain, 1.0, rtol=0, atol=res.bound)


def test_blackwell_iteration_settles_on_tied_rewards_and_agrees_with_the_lp():
    """Regression: the higher Laurent coefficients of tied actions carry rounding noise amplified
    by up to ||(I - P + P*)^-1|| per order (13-50x on this grid, while |y_n| grows 1.1x); with a
    tolerance of TAU |y_n| alone 4% of {0, 1/2, 1} reward vectors made the iteration cycle. The
    tolerance now carries that amplification; the gains agree with the multichain LP."""
    from powerseek import average

    mdp = ps.MDP.gridworld(3, 3, slip=0.1, stay=True)
    R = np.random.default_rng(0).integers(0, 3, size=(150, 9)) / 2
    res = ps.average_optimal(mdp, R)
    np.testing.assert_allclose(res.gain, average.lp_gain(mdp, R), rtol=0, atol=res.bound + 1e-9)
