"""Discrete and tied reward laws: exact enumeration (method="exact") against hand-computed
polynomials, an independent brute force over every deterministic policy, Monte Carlo, point masses
and the tie rule of Turner et al. 2021, Def. 6.1 (an action counts when SOME optimal policy takes
it, so the probabilities of a state's actions sum to 1 + P(tie))."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy import stats

import powerseek as ps

Z = 4.0


def _two_way():
    """s -> {a, b}, a and b absorbing."""
    return ps.MDP.from_successors({"s": ["a", "b"], "a": ["a"], "b": ["b"]})


def test_wait_power_is_the_hand_polynomial():
    """Wait MDP (start -> {candy, wait}, wait -> {chocolate, hug}), iid Bernoulli(p), gamma = 1/2:
    (1 - g) V*(candy) = c and (1 - g) V*(wait) = (w + max(ch, h))/2, so
    POWER(start) = E[max(c, (w + m)/2)] = p + (1 - p)(3p - p^2)/2 (c = 1 decides; else the mean),
    POWER(wait) = E[max(ch, h)] = 2p - p^2. SymPy sums the 32 reward vectors to the same polynomial."""
    p = sp.Symbol("p")
    hand = p + (1 - p) * (3 * p - p**2) / 2
    total = 0
    for c, w, ch, h in itertools.product((0, 1), repeat=4):
        weight = sp.Mul(*[p if x else 1 - p for x in (c, w, ch, h)])
        total += weight * max(sp.Integer(c), sp.Rational(w + max(ch, h), 2))
    assert sp.expand(total - hand) == 0
    mdp = ps.examples.wait()
    for pv in (0.5, 0.3, 0.9):
        res = ps.power(mdp, 0.5, rewards=ps.iid(stats.bernoulli(pv)), method="exact")
        assert res.method == "exact" and res.samples == 0 and np.all(res.stderr == 0)
        assert res.bound <= 1e-12
        assert abs(res["start"].value - float(hand.subs(p, pv))) <= 1e-13
        assert abs(res["wait"].value - (2 * pv - pv**2)) <= 1e-13


def _brute_force(mdp, vals, probs, gamma):
    """POWER and the optimal-first-action indicator at state 0 by enumerating every deterministic
    stationary policy (linear solves), independent of powerseek's solvers."""
    S = mdp.n_states
    succ = mdp.successor_table
    R = np.array(list(itertools.product(vals, repeat=S)), float)
    w = np.prod(np.array(list(itertools.product(probs, repeat=S))), axis=1)
    V_all, first = [], []
    for pol in itertools.product(*[sorted(set(row)) for row in succ]):
        P = np.zeros((S, S))
        P[np.arange(S), pol] = 1.0
        V_all.append(np.linalg.solve(np.eye(S) - gamma * P, R.T).T)
        first.append(pol[0])
    V_all = np.array(V_all)  # (policies, vectors, S)
    Vstar = V_all.max(axis=0)
    power = w @ ((1 - gamma) / gamma * (Vstar - R))
    first = np.array(first)
    tol = 1e-9 * np.maximum(1.0, np.abs(Vstar[:, 0]))
    opt = {t: w @ (V_all[first == t, :, 0].max(axis=0) >= Vstar[:, 0] - tol) for t in set(first.tolist())}
    return power, opt


@pytest.mark.parametrize("vals, probs, gamma", [((0.0, 1.0), (0.5, 0.5), 0.5), ((0.0, 1.0, 3.0), (0.2, 0.5, 0.3), 0.9)])
def test_fig1_exact_matches_policy_enumeration(vals, probs, gamma):
    mdp = ps.examples.turner_fig1()
    law = ps.iid(ps.tabulated(vals, probs))
    power, opt = _brute_force(mdp, vals, probs, gamma)
    res = ps.power(mdp, gamma, rewards=law, method="exact")
    assert res.bound <= 1e-12 * max(vals)
    np.testing.assert_allclose(res.value, power, rtol=0, atol=1e-11)
    total = 0.0
    for t, p in opt.items():
        e = ps.optimality_probability(mdp, "star", mdp.states[t], gamma, law, method="exact")
        assert e.method == "exact" and e.stderr == 0.0
        assert abs(e.value - p) <= 1e-12
        total += e.value
    assert total > 1.0  # ties between "l" and "r" (and "empty") have positive probability


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0])
def test_symmetric_tie_sums_to_one_plus_q(gamma):
    """Two absorbing options with iid Bernoulli(p) rewards: they tie with probability
    q = p^2 + (1 - p)^2, each is optimal with probability 1 - p(1 - p), and the two sum to 1 + q."""
    mdp = _two_way()
    for pv in (0.5, 0.2):
        law = ps.iid(stats.bernoulli(pv))
        q = pv**2 + (1 - pv) ** 2
        a, b = (ps.optimality_probability(mdp, "s", x, gamma, law, method="exact").value for x in "ab")
        assert abs(a - (1 - pv * (1 - pv))) <= 1e-14 and abs(b - a) <= 1e-14
        assert abs(a + b - (1 + q)) <= 1e-14


def test_exact_agrees_with_monte_carlo():
    """Fig. 1 with iid randint(0, 3) (3^8 = 6561 reward vectors) at gamma = 0.7: Monte Carlo
    within 4 standard errors (plus the solver bound) of the enumeration, POWER and P."""
    mdp = ps.examples.turner_fig1()
    law = ps.iid(stats.randint(0, 3))
    ex = ps.power(mdp, 0.7, rewards=law, method="exact")
    mc = ps.power(mdp, 0.7, rewards=law, samples=3000, rng=11, method="mc")
    assert np.all(np.abs(mc.value - ex.value) <= Z * mc.stderr + mc.bound + ex.bound)
    for x in ("empty", "l", "r"):
        pe = ps.optimality_probability(mdp, "star", x, 0.7, law, method="exact")
        pm = ps.optimality_probability(mdp, "star", x, 0.7, law, samples=3000, rng=12, method="mc")
        assert abs(pm.value - pe.value) <= Z * pm.stderr


def test_auto_enumerates_when_cheaper_than_sampling():
    mdp = ps.examples.turner_fig1()
    law = ps.iid(stats.randint(0, 3))
    assert ps.power(mdp, 0.5, rewards=law, samples=6561).method == "exact"
    assert ps.power(mdp, 0.5, rewards=law, samples=6560, rng=0).method != "exact"
    assert ps.power(mdp, 0.5, rewards=stats.poisson(1), samples=50, rng=0).samples == 50  # infinite support: MC


def test_point_masses_equal_the_deterministic_value():
    mdp = ps.examples.detour()
    r = np.array([0.3, -1.0, 2.5, 0.0, 4.0])
    law = ps.independent([ps.point_mass(x) for x in r])
    for gamma in (0.0, 0.3, 0.9, 1.0):
        ex = ps.power(mdp, gamma, rewards=law, method="exact")
        det = ps.power(mdp, gamma, rewards=ps.fixed(r))
        assert np.all(np.abs(ex.value - det.value) <= ex.bound + det.bound + 1e-15)
    c = ps.power(mdp, 0.6, rewards=ps.iid(ps.point_mass(2.0)), method="exact")  # constant reward c: POWER = c
    assert np.all(np.abs(c.value - 2.0) <= c.bound)


def test_independent_mixed_supports_and_curve():
    """Independent laws of different support sizes (2 x 3 x 1 x 2 x 2 = 24 vectors): the curve's
    exact rows equal power(method="exact") at each gamma, and gamma = 0 matches a hand sum."""
    mdp = ps.examples.wait()
    laws = [stats.bernoulli(0.3), stats.randint(-1, 2), ps.point_mass(0.5), ps.tabulated([0, 2], [0.25, 0.75]),
            stats.binom(1, 0.6)]
    law = ps.independent(laws)
    gs = [0.0, 0.5, 0.95, 1.0]
    c = ps.power_curve(mdp, gs, rewards=law, method="exact")
    assert c.method == "exact" and np.all(c.stderr == 0)
    for i, g in enumerate(gs):
        r = ps.power(mdp, g, rewards=law, method="exact")
        np.testing.assert_allclose(c.value[i], r.value, rtol=0, atol=1e-12)
    # gamma = 0 by hand: POWER(start) = E[max(R(candy), R(wait))], POWER(wait) = E[max(R(choc), R(hug))]
    e_start = sum(max(b, 0.5) for b in (-1, 0, 1)) / 3  # R(candy) ~ randint(-1, 2), R(wait) = 0.5
    e_wait = sum(pa * pb * max(a, b) for a, pa in ((0, 0.25), (2, 0.75)) for b, pb in ((0, 0.4), (1, 0.6)))
    assert abs(c.value[0, 0] - e_start) <= 1e-14 and abs(c.value[0, 2] - e_wait) <= 1e-14


def test_continuous_limits_unchanged_and_exact_refusals():
    mdp = ps.examples.turner_fig1()
    r0 = ps.power(mdp, 0.0, method="exact")
    np.testing.assert_allclose(r0.value, [3 / 4, 1 / 2, 2 / 3, 1 / 2, 2 / 3, 2 / 3, 2 / 3, 2 / 3], atol=1e-12)
    with pytest.raises(ValueError, match=r"^rewards: .*continuous"):
        ps.power(mdp, 0.5, method="exact")
    with pytest.raises(ValueError, match=r"^rewards: .*poisson has infinite support"):
        ps.power(mdp, 0.5, rewards=stats.poisson(2), method="exact")
    with pytest.raises(ValueError, match=r"^rewards: .*6\^8 = 1679616 reward vectors, more than the limit 1e\+06"):
        ps.power(mdp, 0.5, rewards=stats.randint(0, 6), method="exact")
    with pytest.raises(ValueError, match=r"^rewards: .*1679616"):
        ps.optimality_probability(mdp, "star", "l", 0.5, rewards=stats.randint(0, 6), method="exact")
    with pytest.raises(ValueError, match=r"^rewards: .*1e\+06"):
        ps.power(mdp, 0.5, rewards=stats.randint(0, 10**9), method="exact")
    assert ps.MAX_EXACT == 10**6


def test_tabulated_validation_and_fractions():
    t = ps.tabulated([Fraction(1, 3), 0, Fraction(1, 3)], [Fraction(1, 4), Fraction(1, 2), Fraction(1, 4)])
    assert t.dist.xk.tolist() == [0.0, 1 / 3] and t.dist.pk.tolist() == [0.5, 0.5]  # repeats merged
    for values, probs, name in (([], [], "values"), ([1, 2], [0.5], "probs"), ([1, 2], [0.7, 0.7], "probs"),
                                ([1, 2], [-0.1, 1.1], "probs"), ([1, np.inf], [0.5, 0.5], "values")):
        with pytest.raises(ValueError, match=f"^{name}: "):
            ps.tabulated(values, probs)
    with pytest.raises(ValueError, match="^value: "):
        ps.point_mass(float("nan"))
