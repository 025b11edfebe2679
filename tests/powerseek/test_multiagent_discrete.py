"""Multi-agent POWER with discrete reward laws (powerseek.multiagent.power_with_reward): agent 1's
tie rule (first action in its action order among those tied up to a tolerance relative to the
value scale) on exactly tied rewards, Monte Carlo against brute-force enumeration of every
Bernoulli reward vector weighted by the copula's orthant probabilities, rho = 1 against closed
forms, and the copula's draws against the law's own probabilities."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

import powerseek as ps
from powerseek import _multiagent_kernels as mk
from powerseek import multiagent as ma


def delayed(order):
    """Agent 1 at a chooses between c (reward 0 at c, then d forever) and b (b, then z forever),
    in action order ``order``; agent 0 is stuck in x. With gamma_1 = 1/2, R_c = 0, R_d = 1 and
    R_b = 1, R_z = 0 the two are tied exactly (0 + 1/2 + 1/4 + ... = 1 + 0), but value iteration
    from V_0 = R reaches d's value from below and b's exactly, so the computed Q-values differ by
    its truncation error."""
    a0 = ps.MDP.from_successors({"x": ["x"]})
    a1 = ps.MDP.from_successors({"a": list(order), "b": ["z"], "z": ["z"], "c": ["d"], "d": ["d"]})
    return ma.joint([a0, a1], collide=False)


TIED = {"a": 0.0, "b": 1.0, "z": 0.0, "c": 0.0, "d": 1.0}


def choice_at_a(J, r1, gamma_1=0.5):
    resp = ma.fix_policies(J, {0: "uniform"})
    R1 = np.array([[r1[s[4:-1]] for s in J.states]])
    col = int(mk.agent1_policy(resp, R1, gamma_1)[0, J.index("(x, a)")])
    return J.agents[1].actions[0][list(J.agents[1].valid_columns(0)).index(col)]


@pytest.mark.parametrize("order", [("c", "b"), ("b", "c")])
@pytest.mark.parametrize("a,b", [(1.0, 0.0), (2.0**-70, 0.0), (3.0, 7.0), (0.1, 0.0), (1e300, -1e300), (0.1, 0.3)])
def test_exact_ties_go_to_the_first_action_whatever_the_rounding(order, a, b):
    r1 = {s: a * v + b for s, v in TIED.items()}  # a R + b, a > 0: the same tie, rounded differently
    assert choice_at_a(delayed(order), r1) == order[0]


def test_a_small_real_difference_is_not_a_tie():
    J = delayed(("c", "b"))
    r1 = dict(TIED, d=1.0 - 1e-6)  # c worse by 5e-7 on a value scale of 2: far above the tie tolerance
    assert choice_at_a(J, r1) == "b"
    assert choice_at_a(J, dict(TIED, b=1.0 - 1e-6)) == "c"


def orthant(rho: float) -> dict:
    """P(R_0 = i, R_1 = j) for Bernoulli(1/2) marginals through the Gaussian copula: the normal
    orthant probability P(Z_0 > 0, Z_1 > 0) = 1/4 + arcsin(rho) / (2 pi)."""
    same = 0.25 + math.asin(rho) / (2 * math.pi)
    return {(0, 0): same, (1, 1): same, (0, 1): 0.5 - same, (1, 0): 0.5 - same}


def brute_force(J, gamma, gamma_1, rho, rule):
    """E[POWER of agent 0] at every joint state of ``delayed``, over all 4^5 reward pairs.
    Agent 0 has no choice, so POWER(s) = (1 - gamma) E V_{R_0}(next): from (x, a) the successor n
    agent 1 picks and its absorbing successor n', (1 - gamma) R_0(n) + gamma R_0(n'); elsewhere the
    absorbing state's reward. ``rule(q_c, q_b, r1)`` says whether agent 1 takes c (from the exact
    Q-values and agent 1's rewards)."""
    names = [s[4:-1] for s in J.states]
    P = orthant(rho)
    out = np.zeros(len(names))
    g1 = Fraction(gamma_1)
    for pairs in itertools.product(P, repeat=len(names)):
        w = math.prod(P[p] for p in pairs)
        r0 = {n: p[0] for n, p in zip(names, pairs)}
        r1 = {n: Fraction(p[1]) for n, p in zip(names, pairs)}
        q_c = g1 * (r1["c"] + g1 / (1 - g1) * r1["d"])
        q_b = g1 * (r1["b"] + g1 / (1 - g1) * r1["z"])
        n, n2 = ("c", "d") if rule(q_c, q_b, r1) else ("b", "z")
        value = {"a": (1 - gamma) * r0[n] + gamma * r0[n2], "b": r0["z"], "z": r0["z"], "c": r0["d"], "d": r0["d"]}
        out += w * np.array([value[m] for m in names])
    return out


def test_bernoulli_rewards_against_brute_force_enumeration():
    J = delayed(("c", "b"))
    gamma, gamma_1, rho = 0.8, 0.5, 0.8
    res = ma.power_with_reward(J, gamma, correlation=rho, gamma_1=gamma_1, rewards=stats.bernoulli(0.5),
                               samples=20_000, rng=11)
    want = brute_force(J, gamma, gamma_1, rho, lambda qc, qb, r1: qc >= qb)  # ties: first action, c
    assert np.all(np.abs(res.value - want) <= 4 * res.stderr + res.bound), (res.value, want, res.stderr)
    # the test tells the rule apart from the one of plain value iteration (greedy on V*, computed
    # to 1e-10, first best entry), which takes b on the tie R_b = R_d = 1, R_z = R_c = 0, since it
    # reaches d's value from below and b's exactly: 0.6 (m_1 - m_0) / 16 = 0.022 lower, 7 stderr
    a = J.index("(x, a)")
    truncation = lambda r1: (r1["b"], r1["z"], r1["c"], r1["d"]) == (1, 0, 0, 1)  # noqa: E731
    alt = brute_force(J, gamma, gamma_1, rho, lambda qc, qb, r1: qc > qb or (qc == qb and not truncation(r1)))[a]
    assert abs(res.value[a] - alt) > 4 * res.stderr[a], (res.value[a], alt, want[a])


def test_rho_one_point_mass_is_deterministic():
    J = delayed(("c", "b"))
    res = ma.power_with_reward(J, 0.5, correlation=1.0, rewards=ps.point_mass(0.3), samples=50, rng=0)
    # every reward 0.3: POWER = (1 - gamma)/gamma (V - R) = 0.3 at every state, every sample the same
    assert np.all(res.stderr == 0.0)
    assert np.all(np.abs(res.value - 0.3) <= res.bound + 1e-15) and res.bound <= 1e-9


@pytest.mark.parametrize("law,want", [
    (stats.bernoulli(0.5), 0.75),                              # E max of two Bernoulli(1/2)
    (ps.tabulated([0.1, 0.7], [0.2, 0.8]), 0.04 * 0.1 + 0.96 * 0.7),
    (stats.randint(0, 3), (0 * 1 + 1 * 3 + 2 * 5) / 9),        # P(max = k) = ((k+1)^2 - k^2) / 9
])
def test_rho_one_common_goal_takes_the_max(law, want):
    a0 = ps.MDP.from_successors({"x": ["x"]})
    a1 = ps.MDP.from_successors({"a": ["b", "c"], "b": ["b"], "c": ["c"]})
    J = ma.joint([a0, a1], collide=False)
    res = ma.power_with_reward(J, 0.5, correlation=1.0, rewards=law, samples=4000, rng=2)
    est = res[("x", "a")]
    assert abs(est.value - want) <= 4 * est.stderr + res.bound, (est, want)


@pytest.mark.parametrize("law", [stats.randint(0, 3), ps.tabulated([0.1, 0.7, 3.3], [0.2, 0.3, 0.5]), stats.poisson(2)])
def test_copula_draws_take_exactly_the_law_values(law):
    Z = np.random.default_rng(5).standard_normal(40_000)
    R = ma._quantiles(law, Z)
    values, counts = np.unique(R, return_counts=True)
    assert np.all(law.pmf(values) > 0)  # only support points, bit for bit
    p = law.pmf(values)
    assert np.all(np.abs(counts / Z.size - p) <= 4 * np.sqrt(p * (1 - p) / Z.size) + 1e-12)


def test_agent_1_policy_is_scale_free_for_continuous_laws():
    # agent 1's rule works on rewards normalised to [0, 1]: a law of scale 1e-9 gives the same
    # choices, so with tol scaled alike agent 0's POWER scales exactly (up to the quantile rounding)
    a0 = ps.MDP.from_successors({"x": ["x"]})
    a1 = ps.MDP.from_successors({"a": ["b", "c"], "b": ["b"], "c": ["c"]})
    J = ma.joint([a0, a1], collide=False)
    big = ma.power_with_reward(J, 0.5, correlation=0.5, samples=500, rng=4, tol=1e-12)
    small = ma.power_with_reward(J, 0.5, correlation=0.5, rewards=stats.uniform(0, 1e-9), samples=500, rng=4,
                                 tol=1e-21)
    np.testing.assert_allclose(small.value / 1e-9, big.value, rtol=1e-9, atol=0)


def test_rewards_near_the_float_limit_give_finite_answers():
    # V* = R/(1 - gamma) and (X - shift)^2 would overflow; agent 0's values are solved on R / 2^k
    a0 = ps.MDP.from_successors({"x": ["x"]})
    a1 = ps.MDP.from_successors({"a": ["b", "c"], "b": ["b"], "c": ["c"]})
    J = ma.joint([a0, a1], collide=False)
    law = ps.tabulated([-1.7e308, 1.7e308], [0.5, 0.5])
    res = ma.power_with_reward(J, 0.5, correlation=1.0, rewards=law, samples=4000, rng=2)
    est = res[("x", "a")]  # E max of two: 3/4 (1.7e308) - 1/4 (1.7e308)
    assert math.isfinite(est.stderr) and 0 < est.stderr < 1e307
    assert abs(est.value - 0.85e308) <= 4 * est.stderr + res.bound, (est, res.bound)
