"""Regression tests for the contract failures found in powerseek, each with its correct value from a
closed form or an independent method (docs/contract.md).  Calls that used to hang or exhaust memory
run in the capped sandbox, so a regression fails one test instead of the suite.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from contract_support import check
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

import powerseek as ps
import tailpower
from powerseek import decisions as D
from powerseek.strategies import stochastic_mdps

EULER = 0.5772156649015329


def check_ps(code: str, params, **kw) -> dict:
    return check(code, params, package="powerseek", **kw)


# ----------------------------------------------------------------------------- E[max of n iid]
@pytest.mark.parametrize("n", [2, 10, 10**5, 10**9, 10**12, 10**18])
def test_expected_max_closed_forms_for_huge_n(n):
    """E[max] for U(0,1) is n/(n+1) (the old quadrature gave 3.8e-22 at n = 1e5), for Exp(1) the
    harmonic number H_n = digamma(n + 1) + Euler's gamma, for Gumbel(0, 1) log n + Euler's gamma
    (the max of n standard Gumbels is Gumbel(log n, 1))."""
    assert ps.expected_max_iid(stats.uniform(), n) == pytest.approx(n / (n + 1), rel=1e-14, abs=0)
    assert ps.expected_max_iid(stats.expon(), n) == pytest.approx(special.digamma(n + 1.0) + EULER, rel=1e-12)
    assert ps.expected_max_iid(stats.gumbel_r(), n) == pytest.approx(math.log(n) + EULER, rel=1e-12)
    assert ps.expected_max_iid(stats.uniform(3, 2), n) == pytest.approx(3 + 2 * n / (n + 1), rel=1e-14)


def test_expected_max_normal_and_pareto_against_independent_values():
    # E[max of n N(0,1)]: mpmath quad of x n phi(x) Phi(x)^(n-1) at 30 digits, split around sqrt(2 log n)
    mp = {2: 0.564189583547756286948, 100: 2.50759363644168437252, 10**6: 4.86289748619646272124,
          10**12: 7.11246368476747103314}
    for n, v in mp.items():
        assert ps.expected_max_iid(stats.norm(), n) == pytest.approx(v, rel=1e-12)
    # location far from zero: the integrand is centred on the median, so 1e12 + 0.564... keeps its digits
    assert ps.expected_max_iid(stats.norm(1e12), 2) - 1e12 == pytest.approx(mp[2], abs=2e-4)
    # Pareto(b): E[max] = Gamma(n + 1) Gamma(1 - 1/b) / Gamma(n + 1 - 1/b)
    for b in (1.5,):
        for n in (2, 1000):
            ex = math.exp(special.gammaln(n + 1) + special.gammaln(1 - 1 / b) - special.gammaln(n + 1 - 1 / b))
            assert ps.expected_max_iid(stats.pareto(b), n) == pytest.approx(ex, rel=1e-9)


def test_expected_max_discrete_laws_exact():
    assert ps.expected_max_iid(stats.randint(0, 2), 3) == pytest.approx(7 / 8, abs=1e-15)
    assert ps.expected_max_iid(stats.bernoulli(0.3), 10**12) == 1.0
    two = stats.rv_discrete(values=([0.0, 2.5], [0.5, 0.5]))()
    assert ps.expected_max_iid(two, 2) == pytest.approx(2.5 * 0.75, abs=1e-15)
    k = np.arange(0, 80)
    F = stats.poisson(3).cdf(k)
    brute = float(np.sum(k * (F**5 - np.r_[0.0, F[:-1]] ** 5)))
    assert ps.expected_max_iid(stats.poisson(3), 5) == pytest.approx(brute, rel=1e-13)
    # geometric on {1, 2, ...}: P(max <= k) = (1 - q^k)^n, E[max] = sum_k 1 - (1 - q^k)^n
    q = 0.5
    brute = sum(1 - (1 - q**j) ** 4 for j in range(0, 200))
    assert ps.expected_max_iid(stats.geom(0.5), 4) == pytest.approx(brute, rel=1e-13)


def test_expected_max_without_a_mean_is_refused_or_infinite():
    with pytest.raises(ValueError, match="^dist: E\\[max\\] needs a law with a finite mean"):
        ps.expected_max_iid(stats.cauchy(), 3)
    assert ps.expected_max_iid(stats.levy(), 3) == math.inf  # max >= X_1 and E[X_1] = +inf
    with pytest.raises(ValueError, match="^dist: scipy's isf is inaccurate"):
        ps.expected_max_iid(stats.levy_stable(1.5, 0), 3)
    with pytest.raises(ValueError, match="^n: must be at most 1e300"):
        ps.expected_max_iid(stats.norm(), 10**400)
    with pytest.raises(TypeError, match="^dist"):
        ps.expected_max_iid(stats.norm, 3)


# ----------------------------------------------------------------------------- discount rates
def test_gamma_near_one_does_not_hang_and_matches_the_limit():
    """power(fig1, gamma = 1 - 1e-9) used to hang in numba (2e10 sweeps). Policy iteration answers
    at once; on common samples it is within Lipschitz distance of the exact gamma = 1 limit (Karp)."""
    out = check_ps("ps.power(ps.examples.turner_fig1(), gamma=1 - 1e-9, samples=10, rng=0)", ["gamma"], timeout=30)
    assert out["status"] == "ok" and out["value"]["method"] == "pi" and out["value"]["bound"] <= 1e-6
    c = ps.power_curve(ps.examples.turner_fig1(), [1 - 1e-9, 1.0], samples=500, rng=1)
    assert np.max(np.abs(c.value[0] - c.value[1])) <= 1e-6
    assert c.bound <= 1e-6


def test_policy_iteration_agrees_with_value_iteration_and_linear_solve():
    rng = np.random.default_rng(5)
    mdp = ps.MDP.from_arrays(rng.dirichlet(np.ones(7) * 0.3, size=(7, 3)))
    R = rng.normal(size=(20, 7))
    for g in (0.9, 0.999):
        vi = ps.value_iteration(mdp, R, g, eps=1e-9, method="vi")
        pi = ps.value_iteration(mdp, R, g, eps=1e-9, method="pi")
        assert vi.method == "vi" and pi.method == "pi"
        assert np.max(np.abs(vi.values - pi.values)) <= vi.bound + pi.bound
        # the greedy policy's exact value (linear solve) agrees too
        Q = ps.q_values(mdp, pi.values, R[0], g)[0]
        pol = [int(np.argmax(Q[s])) for s in range(7)]
        cols = [int(np.flatnonzero(np.flatnonzero(mdp.action_mask[s]) == a)[0]) for s, a in enumerate(pol)]
        assert np.max(np.abs(ps.policy_value(mdp, cols, R[0], g) - pi.values[0])) <= 1e-6 * (1 + np.abs(pi.values[0]).max())


def test_gamma_too_close_to_one_for_float64_is_refused_by_name():
    with pytest.raises(ValueError, match="^gamma: .*float64 cannot certify"):
        ps.power(ps.examples.turner_fig1(), 1 - 1e-15, samples=10, rng=0)
    with pytest.raises(ValueError, match="^gammas: "):
        ps.power_curve(ps.examples.turner_fig1(), [0.5, 1 - 1e-15], samples=10, rng=0)
    with pytest.raises(ValueError, match="^gamma"):
        D.mdp_optimal(ps.examples.turner_fig1(), "star", 1 - 1e-15)


def test_tiny_gamma_is_the_gamma_zero_limit():
    """(1-g)/g (V* - R) cancelled to 0 at g = 1e-300 (R + 1e-300 x rounds to R); POWER is now
    (1 - g) max_a T_a V*, which tends to POWER(0) = E[max_a T_a R] as it should (Lemma 5.3)."""
    mdp = ps.examples.turner_fig1()
    p0 = ps.power(mdp, 0.0, samples=2000, rng=3, method="mc")
    for g in (1e-300, 5e-324, 1e-12):
        pg = ps.power(mdp, g, samples=2000, rng=3)
        np.testing.assert_allclose(pg.value, p0.value, rtol=0, atol=2 * g + 1e-9)
    np.testing.assert_allclose(p0.value, [3 / 4, 1 / 2, 2 / 3, 1 / 2, 2 / 3, 2 / 3, 2 / 3, 2 / 3], atol=5 * p0.stderr.max())


def test_gamma_one_on_a_stochastic_mdp_answers_and_large_ones_are_refused_by_name():
    """gamma = 1 on stochastic MDPs used to raise; now multichain policy iteration answers. On the
    slippery 4x3 world with rewards r(s) = index of s, from every cell but the absorbing off cell
    (index 6) the best cell (index 10) can be reached and held: gain 10; the off cell keeps 6.
    Beyond 2000 states (dense evaluations) gamma = 1 is refused naming gamma, still a
    NotImplementedError for older callers."""
    mdp = ps.examples.aima_4x3(0.2)
    r = np.arange(11.0)
    res = ps.power(mdp, 1.0, rewards=ps.fixed(r))
    assert res.method == "pi" and res.bound <= 1e-10
    np.testing.assert_allclose(res.value, np.where(np.arange(11) == 6, 6.0, 10.0), rtol=0, atol=1e-12)
    big = ps.MDP.gridworld(45, 45, slip=0.1)  # 2025 states
    for call in (lambda: ps.power(big, 1.0, samples=10, rng=0),
                 lambda: ps.optimality_probability(big, "2,0", action="N", gamma=1.0, samples=10, rng=0)):
        with pytest.raises(ValueError, match="^gamma: ") as info:
            call()
        assert isinstance(info.value, NotImplementedError)
    with pytest.raises(ValueError, match="^gammas: "):
        ps.power_curve(big, [0.5, 1.0], samples=10, rng=0)


# ----------------------------------------------------------------------------- reward laws
def test_rewards_without_a_mean_are_refused_and_infinite_variance_is_honest():
    mdp = ps.examples.wait()
    for law in (stats.cauchy(), ps.iid(stats.levy()), ps.independent([stats.norm()] * 4 + [stats.cauchy()])):
        with pytest.raises(ValueError, match="^rewards: POWER is an expectation"):
            ps.power(mdp, 0.5, rewards=law, samples=100, rng=0)
    res = ps.power(mdp, 0.5, rewards=stats.t(1.5), samples=2000, rng=0)
    assert np.all(np.isfinite(res.value)) and np.all(res.stderr == np.inf)
    # a probability exists for any law: Cauchy rewards are fine there; wait vs candy at gamma -> 0 is
    # P(R(wait) > R(candy)) = 1/2 for iid continuous rewards
    p = ps.optimality_probability(mdp, "start", successor="wait", gamma=0.0, rewards=stats.cauchy(), samples=4000, rng=1)
    assert abs(p.value - 0.5) <= 5 * p.stderr


def test_discrete_rewards_exact_limit_matches_monte_carlo():
    """iid randint(0, 3) rewards at gamma = 0 on the detour MDP: POWER(s) = E[max of n iid] with n the
    number of successors, summed exactly (the law used to be refused as not continuous)."""
    mdp = ps.examples.detour()
    law = ps.iid(stats.randint(0, 3))
    ex = ps.power(mdp, 0.0, rewards=law)
    mc = ps.power(mdp, 0.0, rewards=law, samples=20_000, rng=4, method="mc")
    assert ex.method == "exact"
    e2 = 1 * (3 / 9) + 2 * (5 / 9)  # max of two uniform {0,1,2}: P(max=1) = 3/9, P(max=2) = 5/9
    assert ex["s1"].value == pytest.approx(e2, abs=1e-15) and ex["t4"].value == pytest.approx(1.0, abs=1e-15)
    assert np.all(np.abs(mc.value - ex.value) <= 5 * mc.stderr + 1e-12)


def test_rewards_near_the_float64_limits():
    """V* is positively homogeneous: POWER of 1e300 r is 1e300 times POWER of r (it used to overflow
    to inf/NaN), and optimal actions for 1e-20 r are those of r (an absolute 1e-12 tie slack made
    every action 'optimal')."""
    mdp = ps.examples.turner_fig1()
    r = np.random.default_rng(2).random(8)
    a = ps.power(mdp, 0.9, rewards=ps.fixed(r))
    b = ps.power(mdp, 0.9, rewards=ps.fixed(1e300 * r))
    assert np.all(np.abs(b.value / 1e300 - a.value) <= a.bound + b.bound / 1e300 + 1e-15)
    big = ps.power(mdp, 0.9, rewards=ps.iid(stats.norm(0, 1e300)), samples=200, rng=0)
    assert np.all(np.isfinite(big.value)) and np.all(np.isfinite(big.stderr))
    np.testing.assert_array_equal(ps.optimal_actions(mdp, 1e-20 * r, 0.9), ps.optimal_actions(mdp, r, 0.9))
    assert ps.optimal_actions(mdp, 1e-20 * r, 0.9).sum() == mdp.n_states  # one optimal action each (no ties)
    with pytest.raises(ValueError, match="^rewards: V\\* = R/\\(1 - gamma\\)"):
        ps.value_iteration(mdp, np.full(8, 1e308), 0.9)


def test_reward_callables_and_malformed_laws_are_named():
    mdp = ps.examples.wait()
    with pytest.raises(ValueError, match="^rewards: the reward callable"):
        ps.power(mdp, 0.5, rewards=lambda rng, K: 1 / 0, samples=10, rng=0)
    with pytest.raises(TypeError, match="^rewards: got the scipy distribution family"):
        ps.power(mdp, 0.5, rewards=stats.norm, samples=10, rng=0)
    with pytest.raises(ValueError, match="^rewards: fixed vector has 2 entries"):
        ps.power(mdp, 0.5, rewards=[1.0, 2.0])


# ----------------------------------------------------------------------------- sizes
def test_huge_mdps_and_samples_are_refused_before_allocating():
    with pytest.raises(tailpower.BudgetError, match="^rows: a 1000 x 1000 gridworld"):
        ps.MDP.gridworld(1000, 1000)
    # stored sparse since the dense S x A x S array went (it needed 6.4 GB here): it builds
    ring = ps.MDP.from_successors({str(i): [str((i + 1) % 20000), str(i)] for i in range(20000)})
    assert ring.n_states == 20000 and ring.csr[4].nbytes == 8 * 40000
    with pytest.raises(tailpower.BudgetError, match="^mdp: the dense 20000 x 2 x 20000 transition array"):
        ring.transitions
    with pytest.raises(tailpower.BudgetError, match="^samples: "):
        ps.power(ps.examples.turner_fig1(), 0.9, samples=10**12, rng=0)
    with pytest.raises(tailpower.BudgetError, match="^theta: enumerating the orbit"):
        ps.orbit_tendency(D.optimal(), [[1] + [0] * 19], np.eye(20)[1:], np.arange(20.0), method="exact")
    with pytest.raises(ValueError, match="^theta: orbit has about 2.43e\\+18 elements"):
        ps.orbit_array(np.arange(20.0))


def test_many_samples_stream_in_batches_within_a_small_budget():
    """4000 reward vectors on 100 states (3.2 MB at once) fit a 1 MiB budget: the estimators draw and
    solve in batches; the mean matches E[R] = 1/2 (every state of a chain ends on a self-loop, and
    POWER is an average of rewards), and a seed gives the same numbers whatever the budget (for
    U(0, 1) the batches are one stream)."""
    mdp = ps.MDP.from_successors({str(i): [str(min(i + 1, 99))] for i in range(100)})
    with tailpower.set_memory_budget("1MiB"):
        res = ps.power(mdp, 0.5, samples=4000, rng=0)
    assert np.all(np.abs(res.value - 0.5) <= 5 * res.stderr)
    np.testing.assert_allclose(res.value, ps.power(mdp, 0.5, samples=4000, rng=0).value, rtol=0, atol=1e-12)


def test_sampled_orbit_tendency_of_twenty_distinct_values():
    t = ps.orbit_tendency(D.optimal(), [[1] + [0] * 19], np.eye(20)[1:], np.arange(20.0), samples=20_000, rng=0)
    assert t.method == "sampled" and t.orbit_size == math.factorial(20)
    assert abs(t.value - 19 / 20) <= 5 * t.stderr  # B = 19 of the 20 unit options: P(best in B) = 19/20


# ----------------------------------------------------------------------------- long chains
def test_long_chain_lassos_gains_and_limits_without_recursion():
    """A chain of 2500 states (beyond Python's recursion limit): the recursive lasso DFS raised
    RecursionError. The gain of every state is the last state's reward; the only action is optimal."""
    code = ("mdp = ps.MDP.from_successors({str(i): [str(min(i + 1, 2499))] for i in range(2500)})\n"
            "ls = ps.lassos(mdp, '0')\nr = np.random.default_rng(0).random(2500)\n"
            "result = (len(ls), len(ls[0][1]), ls[0][2], float(np.abs(ps.max_gain(mdp, r) - r[-1]).max()), "
            "ps.optimality_probability(mdp, '0', action=0, gamma=0.0, samples=4, rng=0).value)\n"
            "result += (ps.optimality_probability(mdp, '0', action=0, gamma=1.0, samples=4, rng=0).value,)")
    out = check_ps(code, ["mdp", "state"], timeout=60)
    # gamma = 1 used to enumerate the exact series of the 2500-state lasso (refused beyond the work
    # limit); Blackwell policy iteration answers: the only action is optimal
    assert out["status"] == "ok" and out["value"] == [1, 2499, [2499], 0.0, 1.0, 1.0], out


def test_long_horizon_visit_counts_and_high_dimensional_copies():
    mdp = ps.MDP.from_successors({str(i): [str(min(i + 1, 1499))] for i in range(1500)})
    d = D.mdp_finite_horizon(mdp, "0", 1200)  # the path walk recursed once per step
    V = d.option_vectors(["1"])
    assert V.shape == (1, 1500) and V[0, :1201].tolist() == [1.0] * 1201 and V.sum() == 1201
    E = np.eye(1200)  # the search recursed once per coordinate: RecursionError beyond ~1000
    c = ps.find_copies(E[:1], E[1:2], max_nodes=20_000)
    assert c.n == 1 and c.verify(E[:1], E[1:2]) and not c.exhaustive  # the node cap was hit: honest


# ----------------------------------------------------------------------------- decisions and orbits
def test_rules_at_extreme_parameters():
    C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    u = [10, 5, 0]
    assert D.boltzmann(1e-300)([[1, 0, 0]], C, u) == 1.0  # tends to FracOptimal (was NaN)
    assert D.boltzmann(1e-300)([[1, 0, 0]], C, [1, 1, 0]) == 0.5
    assert D.boltzmann(1e300)([[1, 0, 0]], C, u) == pytest.approx(1 / 3, abs=1e-15)
    assert D.best_of_k(2**200)([[1, 0, 0]], C, u) == 1.0  # k beyond float64 (was OverflowError)
    with pytest.raises(ValueError, match="^T: "):
        D.boltzmann(10**400)
    with pytest.raises(ValueError, match="^theta: the utilities x\\^T theta overflow"):
        D.optimal()([[1, 1, 0]], [[1, 1, 0], [0, 0, 1]], [1e308, 1e308, 0])


def test_involutions_with_fractional_entries_are_not_permutations():
    """np.asarray(phi, dtype=int64) truncated [0.5, 1] to [0, 1]: a wrong True."""
    assert not ps.is_involution([0.5, 1])
    assert not ps.is_involution([0, 0, 1]) and ps.is_involution([1.0, 0.0])
    with pytest.raises(ValueError, match="^phi: "):
        ps.orbits.permute([0.5, 1], [1.0, 2.0])


def test_result_accessors_name_their_parameters():
    res = ps.power(ps.examples.wait(), 0.5, samples=10, rng=0)
    with pytest.raises(ValueError, match="^state: index 99"):
        res[99]
    assert res[-1].value == res["hug"].value
    curve = ps.power_curve(ps.examples.wait(), [0.5], samples=10, rng=0)
    with pytest.raises(ValueError, match="^state: unknown state"):
        curve["nowhere"]
    t = ps.orbit_tendency(D.optimal(), [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]], [10, 5, 0])
    with pytest.raises(ValueError, match="^which: "):
        t.ci("bogus")
    assert (t.more, t.less, t.equal) == (2 / 3, 1 / 3, 0.0)


def test_work_limit_is_settable():
    mdp = ps.examples.turner_fig1()
    with ps.set_work_limit(1e6):
        with pytest.raises(tailpower.BudgetError, match="^samples: "):
            ps.power(mdp, 0.5, samples=10_000, rng=0)
    assert ps.work_limit() == 5e9
    assert ps.power(mdp, 0.5, samples=10_000, rng=0).samples == 10_000


# ----------------------------------------------------------------------------- independent methods
@pytest.mark.parametrize("law", ["stats.lognorm(1)", "stats.weibull_min(0.5)", "stats.beta(2, 5)", "stats.t(3, 0, 1e-6)"])
def test_expected_max_against_the_density_integral(law):
    """The quantile-of-the-maximum integral against int x n f(x) F(x)^(n-1) dx split at quantiles
    (an independent formula; fine at small n, where the old method worked)."""
    from scipy import integrate

    d = eval(law)
    for n in (3,):
        pts = sorted({float(d.ppf(q)) for q in (1e-15, 1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-6)}
                     | {float(d.isf(1e-15))})
        pts = [p for p in pts if np.isfinite(p)]
        f = lambda x: x * n * d.pdf(x) * d.cdf(x) ** (n - 1)  # noqa: E731
        ref = sum(integrate.quad(f, a, b, limit=400, epsrel=1e-12, epsabs=0)[0] for a, b in zip(pts[:-1], pts[1:]))
        assert ps.expected_max_iid(d, n) == pytest.approx(ref, rel=1e-8, abs=1e-12 * d.std())


@settings(max_examples=15, deadline=None)
@given(mdp=stochastic_mdps(max_states=5), gamma=st.sampled_from([0.5, 0.95, 0.999, 1 - 1e-6]), seed=st.integers(0, 99))
def test_policy_and_value_iteration_agree_within_their_bounds(mdp, gamma, seed):
    R = np.random.default_rng(seed).normal(size=(4, mdp.n_states))
    pi = ps.value_iteration(mdp, R, gamma, eps=1e-8, method="pi")
    if gamma <= 0.999:
        vi = ps.value_iteration(mdp, R, gamma, eps=1e-8, method="vi")
        assert np.max(np.abs(vi.values - pi.values)) <= vi.bound + pi.bound
    # Bellman's equation holds for the policy-iteration values within the certified bound
    Q = ps.q_values(mdp, pi.values, R, gamma)
    assert np.max(np.abs(Q.max(axis=2) - pi.values)) <= (1 + gamma) * pi.bound + 1e-9 * np.abs(pi.values).max()
