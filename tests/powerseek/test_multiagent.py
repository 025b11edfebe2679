"""Multi-agent POWER (powerseek.multiagent): joint MDPs against the product structure, the
no-collision rule against brute-force enumeration, fixed policies against hand-built MDPs, and
agent 0's POWER against closed forms (rho = 1, 0, -1), a one-dimensional quadrature (rho = 0.5),
single-agent POWER, and brute-force policy enumeration in numpy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import powerseek as ps
from powerseek import multiagent as ma
from tailpower._common import set_memory_budget


def table(mdp):
    """{state: {action: {successor: probability}}} of an MDP."""
    out = {}
    for s, name in enumerate(mdp.states):
        row = {}
        for a, col in zip(mdp.actions[s], mdp.valid_columns(s).tolist()):
            nxt, p = mdp.row(s, col)
            row[a] = {mdp.states[t]: float(q) for t, q in zip(nxt.tolist(), p.tolist())}
        out[name] = row
    return out


def random_mdp(rng, S, A, names):
    T = rng.random((S, A, S)) * (rng.random((S, A, S)) < 0.6)
    T[:, :, 0] += 0.1
    T /= T.sum(axis=2, keepdims=True)
    return ps.MDP.from_arrays(T, states=names, layout="SAS")


def test_joint_of_one_state_mdps_is_the_product():
    m0 = ps.MDP.from_arrays(np.ones((1, 2, 1)), states=["x"], layout="SAS")
    m1 = ps.MDP.from_arrays(np.ones((1, 3, 1)), states=["y"], layout="SAS")
    J = ma.joint([m0, m1], collide=False)
    assert J.states == ("(x, y)",)
    assert J.actions[0] == tuple(f"({a}, {b})" for a in "01" for b in "012")
    assert table(J) == {"(x, y)": {f"({a}, {b})": {"(x, y)": 1.0} for a in "01" for b in "012"}}


def test_joint_without_collisions_is_the_product_law():
    rng = np.random.default_rng(3)
    m0, m1 = random_mdp(rng, 3, 2, ["a", "b", "c"]), random_mdp(rng, 2, 3, ["u", "v"])
    J = ma.joint([m0, m1], collide=False)
    T0, T1 = m0.transitions, m1.transitions
    want = np.einsum("iat,jbu->ijabtu", T0, T1).reshape(6, 6, 6)
    assert J.states == tuple(f"({s}, {t})" for s in "abc" for t in "uv")
    np.testing.assert_allclose(J.transitions, want, rtol=0, atol=1e-15)


@settings(max_examples=12, deadline=None)
@given(rows=st.integers(1, 3), cols=st.integers(2, 3), slip=st.sampled_from([0.0, 0.2]),
       wall=st.sampled_from([(), ((0, 1),)]))
def test_collide_offers_exactly_the_joint_actions_that_cannot_collide(rows, cols, slip, wall):
    if wall and (rows, cols) in ((1, 2), (1, 3)):
        wall = ()
    g = ps.MDP.gridworld(rows, cols, walls=wall, slip=slip)
    G = table(g)
    wants = {}
    for s, t in itertools.product(g.states, repeat=2):
        if s == t:
            continue
        want = {}
        for a, da in G[s].items():
            for b, db in G[t].items():
                if any(x == y for x in da for y in db):
                    continue
                want[f"({a}, {b})"] = {f"({x}, {y})": p * q for x, p in da.items() for y, q in db.items()}
        wants[f"({s}, {t})"] = want
    try:
        J = ma.joint([g, g], collide=True)
    except ValueError as exc:  # refused: then some joint state really has only colliding actions
        assert str(exc).startswith("collide:")
        assert any(not w for w in wants.values())
        return
    JT = table(J)
    assert set(JT) == set(wants)
    for st_, want in wants.items():
        got = JT[st_]
        assert set(got) == set(want)
        for a in want:
            assert set(got[a]) == set(want[a])
            for k in want[a]:
                assert got[a][k] == pytest.approx(want[a][k], abs=1e-14)


def test_fix_policies_deterministic_equals_hand_built():
    g = ps.MDP.gridworld(1, 3)
    J = ma.joint([g, g], collide=True)
    M = ma.fix_policies(J, {1: lambda s: "stay"})
    # agent 1 stays: agent 0 moves freely except into agent 1's cell
    want = {
        "(0,0, 0,1)": {"stay": {"(0,0, 0,1)": 1.0}},
        "(0,0, 0,2)": {"E": {"(0,1, 0,2)": 1.0}, "stay": {"(0,0, 0,2)": 1.0}},
        "(0,1, 0,0)": {"E": {"(0,2, 0,0)": 1.0}, "stay": {"(0,1, 0,0)": 1.0}},
        "(0,1, 0,2)": {"W": {"(0,0, 0,2)": 1.0}, "stay": {"(0,1, 0,2)": 1.0}},
        "(0,2, 0,0)": {"W": {"(0,1, 0,0)": 1.0}, "stay": {"(0,2, 0,0)": 1.0}},
        "(0,2, 0,1)": {"stay": {"(0,2, 0,1)": 1.0}},
    }
    assert table(M) == want
    same = ma.fix_policies(J, {1: {("0,0", "0,1"): "stay", "(0,0, 0,2)": {"stay": 1.0}, "(0,1, 0,0)": "stay",
                                   "(0,1, 0,2)": "stay", "(0,2, 0,0)": "stay", "(0,2, 0,1)": "stay"}})
    assert same == M


def test_fix_policies_stochastic_mixes_and_conditions_on_no_collision():
    g = ps.MDP.gridworld(1, 3)
    J = ma.joint([g, g], collide=True)
    # agent 1 at 0,2 moves W or stays with probability 1/2 each; agent 0 at 0,0
    pol = {s: ({"W": 0.5, "stay": 0.5} if s == "(0,0, 0,2)" else "stay") for s in J.states}
    M = ma.fix_policies(J, {1: pol})
    row = table(M)["(0,0, 0,2)"]
    assert row["stay"] == pytest.approx({"(0,0, 0,1)": 0.5, "(0,0, 0,2)": 0.5})
    # agent 0 moving E to 0,1 collides with agent 1's W: agent 1's draw is conditioned to stay
    assert row["E"] == {"(0,1, 0,2)": 1.0}
    # agent 0 fixed uniform: agent 1's MDP
    R = ma.fix_policies(J, {0: "uniform"})
    assert table(R)["(0,0, 0,2)"]["W"] == {"(0,0, 0,1)": 1.0}  # agent 0 must stay (E collides)
    assert table(R)["(0,0, 0,2)"]["stay"] == pytest.approx({"(0,0, 0,2)": 0.5, "(0,1, 0,2)": 0.5})


def chooser():
    """Agent 1 chooses between cells b and c once; agent 0 is stuck in x."""
    a0 = ps.MDP.from_successors({"x": ["x"]})
    a1 = ps.MDP.from_successors({"a": ["b", "c"], "b": ["b"], "c": ["c"]})
    return ma.joint([a0, a1], collide=False)


def chooser_exact(rho: float) -> float:
    """E[U_b 1{agent 1 picks b}] + E[U_c 1{picks c}] = 2 E[Phi(X) Phi(a (X - Y))], a = rho /
    sqrt(2 (1 - rho^2)), X, Y iid N(0, 1); averaging over Y: 2 E[Phi(X) Phi(a X / sqrt(1 + a^2))]."""
    a = rho / math.sqrt(2 * (1 - rho * rho))
    c = a / math.sqrt(1 + a * a)
    f = lambda x: stats.norm.cdf(x) * stats.norm.cdf(c * x) * stats.norm.pdf(x)  # noqa: E731
    return 2 * integrate.quad(f, -np.inf, np.inf, epsabs=1e-13)[0]


@pytest.mark.parametrize("rho,exact", [(1.0, 2 / 3), (0.0, 1 / 2), (-1.0, 1 / 3), (0.5, None), (-0.8, None)])
def test_chooser_power_matches_closed_forms(rho, exact):
    if exact is None:
        exact = chooser_exact(rho)
    else:
        assert chooser_exact(max(min(rho, 1 - 1e-12), -1 + 1e-12)) == pytest.approx(exact, abs=1e-5)
    res = ma.power_with_reward(chooser(), 0.6, correlation=rho, samples=20_000, rng=1)
    e = res[("x", "a")]
    assert abs(e.value - exact) < 4 * e.stderr + res.bound, (e, exact)
    # at b and c agent 1 has no choice: agent 0's POWER there is E[U] = 1/2 for every rho
    assert abs(res[("x", "b")].value - 0.5) < 4 * res[("x", "b")].stderr


def test_rho_one_with_a_trivial_agent_0_is_single_agent_power():
    fig1 = ps.examples.turner_fig1()
    J = ma.joint([ps.MDP.from_successors({"x": ["x"]}), fig1], collide=False)
    res = ma.power_with_reward(J, 0.8, correlation=1.0, samples=6000, rng=2)
    ref = ps.power(fig1, 0.8, samples=6000, rng=3)
    for s in fig1.states:
        e, r = res[("x", s)], ref[s]
        assert abs(e.value - r.value) < 4.5 * math.hypot(e.stderr, r.stderr), (s, e, r)


def test_separate_discount_rates_against_numpy_monte_carlo():
    """Agent 1 chooses at a between b (then d forever) and c (forever): the choice depends on
    gamma_1; agent 0 (stuck) collects the rewards of agent 1's path at its own gamma."""
    a1 = ps.MDP.from_successors({"a": ["b", "c"], "b": ["d"], "c": ["c"], "d": ["d"]})
    J = ma.joint([ps.MDP.from_successors({"x": ["x"]}), a1], collide=False)
    g0, rho, n = 0.7, 0.6, 8000
    rng = np.random.default_rng(5)
    Z0 = rng.standard_normal((n, 3))  # columns b, c, d
    Z1 = rho * Z0 + math.sqrt(1 - rho * rho) * rng.standard_normal((n, 3))
    U0, U1 = stats.norm.cdf(Z0), stats.norm.cdf(Z1)
    xs = {}
    for g1 in (0.2, 0.95):
        pick_b = U1[:, 0] + g1 * U1[:, 2] / (1 - g1) > U1[:, 1] / (1 - g1)
        cont = np.where(pick_b, U0[:, 0] + g0 * U0[:, 2] / (1 - g0), U0[:, 1] / (1 - g0))
        xs[g1] = x = (1 - g0) * cont  # (1 - gamma)/gamma (V*(a) - R(a)) = (1 - gamma) E V*(next)
        e = ma.power_with_reward(J, g0, correlation=rho, gamma_1=g1, samples=n, rng=4)[("x", "a")]
        assert abs(e.value - x.mean()) < 4 * math.hypot(e.stderr, x.std() / math.sqrt(n)), (g1, e, x.mean())
    # the two discount rates of agent 1 give agent 0 different POWER (paired difference, same rewards)
    d = xs[0.95] - xs[0.2]
    assert d.mean() > 5 * d.std() / math.sqrt(n)


def brute_values(T, mask, R, gamma):
    """V* by enumerating every deterministic policy (T dense (S, A, S), mask (S, A))."""
    S = T.shape[0]
    best = np.full(S, -np.inf)
    for pol in itertools.product(*[np.flatnonzero(mask[s]) for s in range(S)]):
        P = T[np.arange(S), list(pol)]
        best = np.maximum(best, np.linalg.solve(np.eye(S) - gamma * P, R))
    return best


def test_per_sample_power_against_brute_force_policy_enumeration():
    g = ps.MDP.gridworld(1, 3)
    J = ma.joint([g, g], collide=True)
    resp = ma.fix_policies(J, {0: "uniform"})
    rng = np.random.default_rng(6)
    gamma, g1 = 0.75, 0.5
    R0, R1 = rng.random((4, J.n_states)), rng.random((4, J.n_states))
    X, bound = ma.per_sample_power(J, resp, R0, R1, gamma, g1, 1e-11)
    assert bound <= 1e-11
    Tr, mr = resp.transitions, resp.action_mask
    for k in range(4):
        V1 = brute_values(Tr, mr, R1[k], g1)
        Q1 = np.where(mr, Tr @ V1, -np.inf)
        pol = {}
        for s, name in enumerate(J.states):
            cols = resp.valid_columns(s).tolist()
            best = max(cols, key=lambda c: Q1[s, c])
            pol[name] = resp.actions[s][cols.index(best)]
        M = ma.fix_policies(J, {1: pol})
        V0 = brute_values(M.transitions, M.action_mask, R0[k], gamma)
        want = (V0 - R0[k]) * (1 - gamma) / gamma
        np.testing.assert_allclose(X[k], want, rtol=0, atol=1e-10)


def test_power_of_agent_0_grows_with_correlation_on_a_gridworld():
    J = ma.joint([ps.MDP.gridworld(2, 2)] * 2, collide=True)
    lo = ma.power_with_reward(J, 0.8, correlation=-1.0, samples=400, rng=7)[("0,0", "1,1")]
    hi = ma.power_with_reward(J, 0.8, correlation=1.0, samples=400, rng=7)[("0,0", "1,1")]
    assert hi.value - lo.value > 5 * math.hypot(hi.stderr, lo.stderr)


@pytest.mark.parametrize("call,param", [
    (lambda: ma.joint([ps.MDP.gridworld(1, 2)] * 3), "mdps"),
    (lambda: ma.joint([ps.MDP.gridworld(1, 2), ps.MDP.gridworld(1, 3)], collide=True), "mdps"),
    (lambda: ma.joint([ps.MDP.gridworld(1, 2), "x"]), "mdps"),
    (lambda: ma.joint([ps.MDP.from_successors({"x": ["x"]})] * 2, collide=True), "collide"),
    (lambda: ma.joint([ps.MDP.gridworld(1, 2)] * 2, collide=1), "collide"),
    (lambda: ma.fix_policies(ma.joint([ps.MDP.gridworld(1, 3)] * 2), {1: lambda s: "N"}), "policy"),
    (lambda: ma.fix_policies(ma.joint([ps.MDP.gridworld(1, 3)] * 2), {1: {"(0,0, 0,1)": "stay"}}), "policy"),
    (lambda: ma.fix_policies(ma.joint([ps.MDP.gridworld(1, 3)] * 2), {1: lambda s: {"stay": 0.7}}), "policy"),
    (lambda: ma.fix_policies(ma.joint([ps.MDP.gridworld(1, 3)] * 2), {2: "uniform"}), "policies"),
    (lambda: ma.fix_policies(ps.MDP.gridworld(1, 3), {1: "uniform"}), "joint"),
    (lambda: ma.power_with_reward(chooser(), 0.5, correlation=1.5), "correlation"),
    (lambda: ma.power_with_reward(chooser(), 0.5, correlation=float("nan")), "correlation"),
    (lambda: ma.power_with_reward(chooser(), 1.0), "gamma"),
    (lambda: ma.power_with_reward(chooser(), 0.5, gamma_1=0.0), "gamma_1"),
    (lambda: ma.power_with_reward(chooser(), 0.5, rewards=stats.cauchy()), "rewards"),
    (lambda: ma.power_with_reward(chooser(), 0.5, rewards=stats.poisson), "rewards"),  # discrete laws work: frozen ones
    (lambda: ma.power_with_reward(chooser(), 0.5, rewards=stats.zipf(1.5)), "rewards"),  # discrete, infinite mean
    (lambda: ma.power_with_reward(chooser(), 0.5, rewards=[0.0, 1.0]), "rewards"),
    (lambda: ma.power_with_reward(chooser(), 0.5, samples=1), "samples"),
    (lambda: ma.power_with_reward(chooser(), 0.5, samples=10**15), "samples"),
])
def test_bad_input_is_named(call, param):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert str(info.value).startswith(param + ":"), str(info.value)


def test_joint_too_large_for_the_memory_budget_is_refused_first():
    g = ps.MDP.gridworld(60, 60)
    with set_memory_budget(2**28), pytest.raises(ValueError, match=r"^mdps: the joint MDP"):
        ma.joint([g, g])


def test_joint_pickles_to_an_equal_joint():
    import pickle

    J = ma.joint([ps.MDP.gridworld(2, 2)] * 2, collide=True)
    K = pickle.loads(pickle.dumps(J))
    assert isinstance(K, ma.JointMDP) and K == J and K.collide
