"""POWER, value iteration and optimality probability against closed forms and independent methods."""

import math

import numba
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import powerseek as ps
from powerseek.strategies import deterministic_mdps, gammas, integer_reward_vectors, reward_vectors, stochastic_mdps
from proofs.powerseek import fig1_power, g as G_SYM, visit_distributions

Z = 5.0


@pytest.mark.parametrize("gamma", [0.1, 0.4, 0.7, 0.95])
def test_fig1_mc_matches_closed_forms(gamma):
    """Monte Carlo POWER on Fig 1 within 5 SE (+ solver bound) of the SymPy closed forms."""
    mdp = ps.examples.turner_fig1()
    res = ps.power(mdp, gamma, rewards=ps.iid(stats.uniform()), samples=20_000, rng=int(gamma * 100))
    assert res.bound <= 1e-9 * (1 + 1e-9)
    for state, expr in fig1_power().items():
        target = float(expr.subs(G_SYM, gamma))
        est = res[state]
        assert abs(est.value - target) <= Z * est.stderr + res.bound, (state, est, target)


def test_fig1_stated_values_exact_and_limits():
    mdp = ps.examples.turner_fig1()
    r0 = ps.power(mdp, 0.0)
    assert r0.method == "exact"
    np.testing.assert_allclose(r0.value, [3 / 4, 1 / 2, 2 / 3, 1 / 2, 2 / 3, 2 / 3, 2 / 3, 2 / 3], atol=1e-12)
    # gamma = 1: l-side needs the 2-cycle, so it is Monte Carlo; compare with lim of closed forms
    r1 = ps.power(mdp, 1.0, samples=20_000, rng=1)
    assert r1.method == "mc"
    for state, expr in fig1_power().items():
        target = float(sp.limit(expr, G_SYM, 1))
        assert abs(r1[state].value - target) <= Z * r1[state].stderr


def test_power_is_lipschitz_near_limits():
    """POWER(gamma) -> POWER(1) and POWER(0): on common samples the curve ends meet the limits.
    Per reward vector, POWER is Lipschitz in gamma; on Fig 1 the closed forms move by < 1/6 per
    unit gamma, so at distance 0.01 the per-sample-mean difference is < 0.01 (the limit
    formulas are different code paths: Karp / next-step max vs value iteration)."""
    mdp = ps.examples.turner_fig1()
    c = ps.power_curve(mdp, [0.0, 0.01, 0.99, 1.0], samples=3000, rng=2)
    assert np.max(np.abs(c.value[0] - c.value[1])) < 0.01
    assert np.max(np.abs(c.value[2] - c.value[3])) < 0.01


def test_exact_expected_max_any_law():
    assert ps.expected_max_iid(stats.uniform(), 4) == pytest.approx(0.8, abs=1e-12)
    # E[max of 2 iid N(0,1)] = 1/sqrt(pi)
    assert ps.expected_max_iid(stats.norm(), 2) == pytest.approx(1 / math.sqrt(math.pi), abs=1e-10)
    mdp = ps.examples.detour()
    ex = ps.power(mdp, 1.0, rewards=ps.iid(stats.norm()))
    mc = ps.power(mdp, 1.0, rewards=ps.iid(stats.norm()), samples=20_000, rng=3, method="mc")
    assert ex.method == "exact"
    for s in mdp.states:
        assert abs(mc[s].value - ex[s].value) <= Z * mc[s].stderr


def test_karp_equals_cycle_enumeration_examples():
    rng = np.random.default_rng(4)
    for mdp in (ps.examples.turner_fig1(), ps.examples.aima_4x3(), ps.examples.pacman_shutdown()):
        R = rng.random((200, mdp.n_states))
        np.testing.assert_allclose(ps.max_gain(mdp, R), ps.max_gain(mdp, R, method="cycles"), rtol=0, atol=1e-12)


@given(deterministic_mdps(max_states=6), st.data())
def test_karp_equals_cycles_property(mdp, data):
    r = data.draw(reward_vectors(mdp.n_states))
    np.testing.assert_allclose(ps.max_gain(mdp, r), ps.max_gain(mdp, r, method="cycles"), rtol=0, atol=1e-12)


@given(st.one_of(deterministic_mdps(), stochastic_mdps()), gammas(), st.data())
def test_value_iteration_bound_against_linear_solve(mdp, gamma, data):
    """||V - V*|| <= eps: the greedy policy's exact value (linear solve) brackets V*:
    V^greedy <= V* <= V^greedy + 2 gamma eps/(1 - gamma), so V - eps <= ... checks both sides."""
    r = data.draw(reward_vectors(mdp.n_states))
    eps = 1e-8
    vi = ps.value_iteration(mdp, r, gamma, eps=eps)
    Q = ps.q_values(mdp, vi.values, r, gamma)
    greedy = [int(np.argmax(Q[s][mdp.action_mask[s]])) for s in range(mdp.n_states)]
    Vg = ps.policy_value(mdp, greedy, r, gamma)
    slack = 1e-12 * (1 + np.abs(Vg).max())
    assert np.all(Vg <= vi.values + vi.bound + slack)  # V^pi <= V* <= V + eps
    assert np.all(vi.values - vi.bound - 2 * gamma * vi.bound / (1 - gamma) <= Vg + slack)
    # exact V* of the greedy policy satisfies the Bellman equation if greedy is optimal
    Qg = ps.q_values(mdp, Vg, r, gamma).max(axis=1)
    assert np.max(np.abs(Qg - Vg)) <= 2 * gamma * vi.bound / (1 - gamma) * (1 + gamma) + slack


@given(deterministic_mdps(), gammas(), st.data())
def test_batched_equals_per_sample(mdp, gamma, data):
    R = np.array([data.draw(reward_vectors(mdp.n_states)) for _ in range(3)])
    batch = ps.value_iteration(mdp, R, gamma).values
    for k in range(3):
        np.testing.assert_array_equal(batch[k], ps.value_iteration(mdp, R[k], gamma).values)


@given(st.one_of(deterministic_mdps(), stochastic_mdps()), gammas(), st.data())
def test_power_bounds_prop_5_5(mdp, gamma, data):
    """For every reward vector r: POWER(s) <= max r, and if s, s' reach each other in one step
    with probability 1, |POWER(s) - POWER(s')| <= (max r - min r)(1 - gamma) (Prop 5.5, which
    holds per reward: V*(s) >= R(s) + gamma V*(s') needs the move s -> s' to be sure; see
    test_prop_5_5_needs_sure_transitions for a stochastic counterexample)."""
    r = data.draw(reward_vectors(mdp.n_states, 0.0, 1.0))
    res = ps.power(mdp, gamma, rewards=ps.fixed(r))
    tol = res.bound + 1e-12
    assert np.all(res.value <= r.max() + tol)
    assert np.all(res.value >= r.min() - tol)
    reach = ((mdp.transitions == 1.0) & mdp.action_mask[:, :, None]).any(axis=1)
    for s in range(mdp.n_states):
        for t in range(mdp.n_states):
            if reach[s, t] and reach[t, s]:
                assert abs(res.value[s] - res.value[t]) <= (r.max() - r.min()) * (1 - gamma) + 2 * tol



def test_prop_5_5_needs_sure_transitions():
    """Reaching each other with positive probability is not enough for Prop 5.5: in the MDP
    0 -> {0, 1}, 1 -> {0 or 3, probability 1/2 each}, 3 absorbing, r = (1, 0, 0, 0), gamma = 3/4,
    POWER(0) = (1/3)(4 - 1) = 1 and POWER(1) = (1/3)(3/4)(4/2) = 1/2, a gap of 1/2 > (1 - gamma)."""
    T = np.zeros((4, 2, 4))
    T[0, 0, 0] = T[0, 1, 1] = 1.0
    T[1, 0, 0] = T[1, 0, 3] = 0.5
    T[2, 0, 3] = T[3, 0, 3] = 1.0
    mdp = ps.MDP.from_arrays(T)
    res = ps.power(mdp, 0.75, rewards=ps.fixed(np.array([1.0, 0.0, 0.0, 0.0])))
    np.testing.assert_allclose(res.value[:2], [1.0, 0.5], rtol=0, atol=res.bound + 1e-12)
    assert abs(res.value[0] - res.value[1]) > (1 - 0.75) * 1.0

def _sign_near(expr, point):
    """Sign of a rational function of gamma just inside (0, 1) next to ``point`` (exact)."""
    d = sp.symbols("d", positive=True)
    e = sp.cancel(sp.together(expr.subs(G_SYM, point - d if point == 1 else d)))
    num, den = sp.fraction(e)
    def low(p):
        cs = sp.Poly(sp.expand(p), d).all_coeffs()[::-1]
        for c in cs:
            if c != 0:
                return sp.sign(c)
        return 0
    return low(num) * low(den)


@settings(max_examples=12)
@given(deterministic_mdps(max_states=4, max_actions=2), st.data())
def test_limit_optimal_actions_exact_sympy(mdp, data):
    """Blackwell (gamma -> 1) and gamma -> 0 optimal first actions from lassos + kernel equal those from
    exact rational-function comparison of every policy's value (SymPy), with integer rewards (ties)."""
    r = data.draw(integer_reward_vectors(mdp.n_states))
    s0 = mdp.states[0]
    fs = visit_distributions(mdp, s0)
    vals = [sum(sp.Integer(int(r[i])) * f[i] for i in range(mdp.n_states)) for _, f in fs]
    for point, limit in ((1, "one"), (0, "zero")):
        best = [i for i, v in enumerate(vals) if all(_sign_near(v - w, point) >= 0 for w in vals)]
        expected = {pol[s0] for i, (pol, _) in enumerate(fs) if i in best}
        got = ps.limit_optimal_actions(mdp, s0, r, limit)
        names = {mdp.actions[0][k] for k in range(len(mdp.actions[0])) if got[np.flatnonzero(mdp.action_mask[0])[k]]}
        assert names == expected, (limit, names, expected)


def test_optimality_probability_fig1_and_ties():
    mdp = ps.examples.turner_fig1()
    ps_ = [ps.optimality_probability(mdp, "star", successor=s, gamma=0.5, samples=20_000, rng=5) for s in ("empty", "l", "r")]
    # continuous rewards: exactly one optimal action a.s., so the three probabilities sum to 1
    assert sum(p.value for p in ps_) == pytest.approx(1.0, abs=1e-12)
    # exact tie: constant reward -> every action optimal at every gamma
    for gm in (0.0, 0.5, 1.0):
        e = ps.optimality_probability(mdp, "star", successor="empty", gamma=gm, rewards=ps.fixed(np.ones(8)))
        assert e.value == 1.0 and e.stderr == 0.0


def test_optimality_probability_gamma1_matches_vi_near_one():
    """Blackwell probability vs value iteration at gamma = 0.99 on common samples: decisions
    differ only where the Blackwell threshold exceeds 0.99 (a set of rewards of measure O(0.01))."""
    mdp = ps.examples.detour()
    a = ps.optimality_probability(mdp, "s1", successor="s2", gamma=1.0, samples=4000, rng=6)
    b = ps.optimality_probability(mdp, "s1", successor="s2", gamma=0.99, samples=4000, rng=6)
    assert abs(a.value - b.value) <= 0.02 and abs(a.value - 1 / 3) <= Z * a.stderr


def test_same_seed_same_answer_any_thread_count():
    mdp = ps.MDP.gridworld(6, 6, walls=[(2, 2), (3, 3)])
    prev = numba.get_num_threads()
    try:
        out = []
        for nt in (1, 2):
            numba.set_num_threads(min(nt, numba.config.NUMBA_NUM_THREADS))
            out.append(ps.power(mdp, 0.8, samples=700, rng=7).value)
            out.append(ps.power(mdp, 1.0, samples=700, rng=7).value)
            out.append(ps.optimality_probability(ps.examples.turner_fig1(), "star", successor="l", gamma=1.0, samples=700, rng=7).value)
    finally:
        numba.set_num_threads(prev)
    for x, y in zip(out[:3], out[3:]):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(ps.power(mdp, 0.8, samples=700, rng=8).value, out[0])


def test_stochastic_gridworld_power_runs_and_bounds():
    mdp = ps.examples.aima_4x3(slip=0.2)
    res = ps.power(mdp, 0.9, samples=2000, rng=9)
    assert np.all(np.isfinite(res.value)) and np.all(res.value <= 1.0)
    # gamma = 1 (multichain policy iteration): every cell can reach every cell and stay, so the
    # optimal gain is the largest of the 11 rewards, E = 11/12; the off cell only stays: 1/2
    r1 = ps.power(mdp, 1.0, samples=4000, rng=11)
    assert r1.method == "pi"
    for s in mdp.states:
        target = 0.5 if s == "1,3" else 11 / 12
        assert abs(r1[s].value - target) <= Z * r1[s].stderr + r1.bound, (s, r1[s])
    # gamma -> 0 on a stochastic MDP: E[max_a E_T R]; the off cell only stays: its own reward mean
    r0 = ps.power(mdp, 0.0, samples=20_000, rng=10)
    assert abs(r0["1,3"].value - 0.5) <= Z * r0["1,3"].stderr
