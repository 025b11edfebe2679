"""Orbits, copies and orbit-level tendencies (Turner & Tadepalli 2022) against closed forms,
brute force and independent methods."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

import powerseek as ps
from powerseek import decisions as D

Z = 5.0
TOY_A = [[1, 0, 0]]                    # ghost
TOY_B = [[0, 1, 0], [0, 0, 1]]         # apple, cherry
TOY_C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


# ------------------------------------------------------------------------------ orbits
@pytest.mark.parametrize("theta", [[1, 1, 2, 3], [0, 0, 0], [5, 4, 3, 2, 1], [1, 2, 1, 2, 1, 2, 3]])
def test_orbit_is_the_set_of_distinct_permutations(theta):
    brute = sorted(set(itertools.permutations(theta)))
    got = ps.orbit_array(theta)
    assert ps.orbit_size(theta) == len(brute) == len(got)
    assert [tuple(r) for r in got] == [tuple(map(float, b)) for b in brute]  # lexicographic, no repeats
    assert [tuple(r) for r in ps.orbit(theta)] == [tuple(r) for r in got]


def test_orbit_blocks_cross_block_boundaries():
    from powerseek.orbits import orbit_blocks

    th = [0, 0, 1, 1, 2, 3, 4]  # 7!/(2!2!) = 1260 elements, blocks of 100
    blocks = list(orbit_blocks(th, block=100))
    assert [len(b) for b in blocks] == [100] * 12 + [60]
    allr = np.concatenate(blocks)
    assert len({tuple(r) for r in allr}) == 1260 == ps.orbit_size(th)


def test_orbit_size_large_is_exact_integer():
    th = list(range(20)) + [0] * 5
    assert ps.orbit_size(th) == math.factorial(25) // math.factorial(6)
    with pytest.raises(ValueError, match="^theta: orbit has"):
        ps.orbit_array(th)


def test_sample_orbit_is_uniform_on_distinct_elements():
    th = [0.0, 0.0, 1.0, 2.0]  # 12 distinct arrangements, each with probability 1/12
    N = 24_000
    S = ps.sample_orbit(th, N, rng=3)
    keys, counts = np.unique(S, axis=0, return_counts=True)
    assert len(keys) == 12
    p = 1 / 12
    z = (counts - N * p) / math.sqrt(N * p * (1 - p))
    assert np.max(np.abs(z)) < Z
    assert np.array_equal(ps.sample_orbit(th, 50, rng=7), ps.sample_orbit(th, 50, rng=7))


def test_involutions_and_permute():
    assert ps.is_involution([1, 0, 2]) and ps.is_involution([0, 1, 2])
    assert not ps.is_involution([1, 2, 0])
    np.testing.assert_array_equal(ps.orbits.permute([2, 0, 1], [10.0, 20.0, 30.0]), [20.0, 30.0, 10.0])


# ------------------------------------------------------------------------------ the toy
def test_toy_table2_isoptimal_and_boltzmann():
    t = ps.orbit_tendency(ps.decisions.optimal, TOY_A, TOY_B, [10, 5, 0])  # DESIGN.md line, factory uncalled
    assert (t.more, t.less, t.equal, t.orbit_size, t.method) == (2 / 3, 1 / 3, 0.0, 6, "exact")
    e = np.exp
    zA = e(10) / (e(10) + e(5) + 1)
    b = D.boltzmann(1.0)
    assert b([[1, 0, 0]], TOY_C, [10, 5, 0]) == pytest.approx(zA, rel=1e-14)
    assert b(TOY_B, TOY_C, [10, 5, 0]) == pytest.approx((e(5) + 1) / (e(10) + e(5) + 1), rel=1e-12)
    assert round(zA, 3) == 0.993 and round(1 - zA, 3) == 0.007
    tb = ps.orbit_tendency(b, TOY_A, TOY_B, [10, 5, 0], certify=True)
    assert tb.counts == (4, 2, 0) and tb.copies == 2 and tb.bound_holds


def test_boltzmann_log_space_small_temperature():
    """T = 0.01: e^{u/T} = e^{1000} overflows a naive softmax; log-sum-exp gives f(B) ~ e^{-500}."""
    b = D.boltzmann(0.01)
    assert b([[1, 0, 0]], TOY_C, [10, 5, 0]) == 1.0
    assert b(TOY_B, TOY_C, [10, 5, 0]) == pytest.approx(math.exp(-500), rel=1e-10)
    assert D.boltzmann(1e-4)(TOY_B, TOY_C, [10, 5, 0]) == 0.0  # e^{-50000}: below the smallest double


# ------------------------------------------------------------------------------ decision rules
def test_best_of_k_closed_form_against_monte_carlo():
    """P(choose c) = (F(c)^k - F^-(c)^k)/m(c) against simulated best-of-k (ties in the sample broken
    uniformly by tiny iid noise; utilities differ by >= 1 otherwise)."""
    rng = np.random.default_rng(11)
    u = np.array([3.0, 1.0, 1.0, 0.0, 2.0])  # a tie at 1
    C = np.eye(5)
    k, N = 3, 200_000
    draws = rng.integers(0, 5, size=(N, k))
    key = u[draws] + rng.random((N, k)) * 1e-3
    chosen = draws[np.arange(N), key.argmax(axis=1)]
    f = D.best_of_k(k)
    for X in ([1], [2], [1, 2], [0], [4, 3]):
        exact = f(C[X], C, u)
        p = np.isin(chosen, X).mean()
        assert abs(p - exact) <= Z * math.sqrt(exact * (1 - exact) / N) + 1e-12, (X, p, exact)
    assert f(C[[0]], C, u) == pytest.approx(1 - 0.8**3, abs=1e-15)  # P(top sampled at least once)


def test_quantiliser_satisficer_definitions():
    C = np.eye(4)
    u = np.array([4.0, 3.0, 2.0, 1.0])
    q = D.quantilise(0.6)  # mass 0.25 each: takes 4, 3 whole (0.5) and 0.1 of option 2, / 0.6
    np.testing.assert_allclose([q(C[[i]], C, u) for i in range(4)], [0.25 / 0.6, 0.25 / 0.6, 0.1 / 0.6, 0.0], atol=1e-15)
    assert D.quantilise(1.0)(C[[3]], C, u) == pytest.approx(0.25)
    assert D.quantilise(0.1)(C[[0]], C, u) == pytest.approx(1.0)
    s = D.satisfice(2.5)
    assert s(C[[0, 2]], C, u) == pytest.approx(0.5) and s(C[[3]], C, u) == 0.0
    assert D.satisfice(9)(C[[0]], C, u) == 0.0 and D.satisfice(9, empty="uniform")(C[[0]], C, u) == 0.25
    assert D.epsilon_greedy(0.2)(C[[0]], C, u) == pytest.approx(0.8 + 0.05)
    assert D.anti_optimal()(C[[3]], C, u) == 1.0 and D.anti_optimal()(C[[0]], C, u) == 0.0
    ut = np.array([4.0, 4.0, 1.0, 0.0])
    assert D.optimal()(C[[0]], C, ut) == 1.0 and D.optimal()(C[[1]], C, ut) == 1.0
    assert D.frac_optimal()(C[[0]], C, ut) == 0.5


@pytest.mark.parametrize("dec", [D.frac_optimal(), D.boltzmann(0.7), D.best_of_k(4), D.quantilise(0.3),
                                 D.satisfice(0.5), D.epsilon_greedy(0.3), D.uniform()], ids=lambda d: d.name)
def test_distributions_sum_to_one(dec):
    rng = np.random.default_rng(5)
    U = np.round(rng.random((200, 6)) * 3)  # many ties
    W = dec.evaluate(U, np.eye(6, dtype=bool))
    np.testing.assert_allclose(W.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(W >= -1e-15)


def test_mixture_is_convex_combination():
    rng = np.random.default_rng(1)
    U = rng.random((50, 5))
    masks = rng.random((3, 5)) < 0.5
    m = D.mixture([(0.3, D.optimal()), (0.7, D.boltzmann(0.5))])
    np.testing.assert_allclose(m.evaluate(U, masks), 0.3 * D.optimal().evaluate(U, masks) + 0.7 * D.boltzmann(0.5).evaluate(U, masks))
    assert m.eu_determined and not D.mixture([(1.0, D.ordered_optimal())]).eu_determined


# ------------------------------------------------------------------------------ copies
def test_copies_fig1_cor_d12():
    mdp = ps.examples.turner_fig1()
    dec = D.mdp_average_optimal(mdp, "star")
    A, B = dec.option_vectors(["empty"]), dec.option_vectors(["l", "r"])
    assert A.shape == (1, 8) and B.shape == (5, 8)  # e_empty; e_l_sw, l 2-cycle, e_r_ne, e_r_se, r 2-cycle
    c = ps.find_copies(A, B)
    assert c.n == 3 and c.exhaustive and c.verify(A, B)
    imgs = sorted(mdp.states[int(np.argmax(m[0]))] for m in c.images)
    assert imgs == ["l_sw", "r_ne", "r_se"]
    assert all(ps.is_involution(p) for p in c.involutions)


def test_copies_none_and_shutdown():
    assert ps.find_copies([[1, 0]], [[1, 1]]).n == 0
    mdp = ps.examples.pacman_shutdown(3, 3)
    dec = D.mdp_average_optimal(mdp, "0,0")
    R = dec.option_vectors(["1,0", "0,1", "0,0", "off"])
    off = mdp.index("off")
    A, B = R[R[:, off] == 1], R[R[:, off] == 0]
    c = ps.find_copies(A, B)
    assert c.n == 9 and c.verify(A, B)  # one per cell: the 9 self-loops


# ------------------------------------------------------------------------------ MDP-level
@pytest.mark.parametrize("kind", ["average", "discounted", "horizon"])
def test_mdp_decisions_match_option_vectors(kind):
    """Solver utilities (Karp / value iteration / backward induction) equal the best x^T R over the
    enumerated option vectors (RSDs / visit distributions / T-step visit counts)."""
    mdp = ps.examples.turner_fig1()
    dec = {"average": D.mdp_average_optimal(mdp, "star"), "discounted": D.mdp_optimal(mdp, "star", 0.7),
           "horizon": D.mdp_finite_horizon(mdp, "star", 4)}[kind]
    R = np.random.default_rng(2).random((300, 8))
    Q, tol = dec.action_utilities(R)
    for succ in ("empty", "l", "r"):
        col = dec.action_columns([succ])[0]
        V = dec.option_vectors([succ])
        best = (R @ V.T).max(axis=1)
        assert np.max(np.abs(best - Q[:, col])) <= max(tol, 1e-9), succ
    # and the decisions agree: IsOptimal over actions vs over the option vectors
    A, B = ["empty"], ["l", "r"]
    fa = dec(A, A + B, R)
    Av, Bv = dec.option_vectors(A), dec.option_vectors(B)
    fo = D.optimal()(Av, np.vstack([Av, Bv]), R)
    np.testing.assert_array_equal(fa, fo)


def test_cor_d12_on_random_rewards():
    """Cor. D.12: for >= 3/4 of the orbit of every reward function it is average-optimal to avoid
    empty; exactly, #more >= 3 #less on each orbit (8 states, up to 40320 elements)."""
    mdp = ps.examples.turner_fig1()
    dec = D.mdp_average_optimal(mdp, "star")
    rng = np.random.default_rng(4)
    thetas = [rng.random(8) for _ in range(4)] + [rng.integers(0, 3, 8).astype(float) for _ in range(4)]
    for th in thetas:
        t = ps.orbit_tendency(dec, ["empty"], ["l", "r"], th, certify=True)
        assert t.method == "exact" and t.copies == 3
        assert t.value >= 0.75 and t.satisfies(3), (th, t.counts)


def test_exact_and_sampled_agree():
    mdp = ps.examples.turner_fig1()
    dec = D.mdp_average_optimal(mdp, "star")
    th = np.random.default_rng(8).random(8)
    ex = ps.orbit_tendency(dec, ["empty"], ["l", "r"], th)
    sa = ps.orbit_tendency(dec, ["empty"], ["l", "r"], th, method="sampled", samples=40_000, rng=9)
    assert ex.orbit_size == sa.orbit_size == 40320 and sa.method == "sampled" and sa.samples == 40_000
    for f in ("more", "less", "equal"):
        assert abs(getattr(ex, f) - getattr(sa, f)) <= Z * sa.stderrs[f] + 1e-12
    lo, hi = sa.ci("value", z=Z)
    assert lo <= ex.value <= hi
    again = ps.orbit_tendency(dec, ["empty"], ["l", "r"], th, method="sampled", samples=40_000, rng=9)
    assert again.counts == sa.counts


def test_shutdown_grid_sampled_orbit():
    """3x3 Pac-Man grid: 10 states, orbit 10! = 3,628,800 > max_exact: sampled. Options are the
    recurrent state distributions from the start; avoiding off: 9 copies, >= 9/10 of the orbit.
    With distinct rewards "off" is the best RSD exactly when R(off) is the largest reward, 1/10 of
    the orbit (every other RSD is a cycle mean <= the max reward)."""
    mdp = ps.examples.pacman_shutdown(3, 3)
    dec = D.mdp_average_optimal(mdp, "0,0")
    R = dec.option_vectors(["1,0", "0,1", "0,0", "off"])
    off = mdp.index("off")
    A, B = R[R[:, off] == 1], R[R[:, off] == 0]
    th = np.random.default_rng(6).random(10)
    t = ps.orbit_tendency(D.optimal(), A, B, th, samples=30_000, rng=1)
    assert t.method == "sampled" and t.orbit_size == math.factorial(10)
    assert abs(t.less - 0.1) <= Z * t.stderrs["less"] and t.satisfies(9)


# ------------------------------------------------------------------------------ counterexamples
def _distinct_b(X, C, theta):
    u = X @ theta
    if len(X) > 1 and len(np.unique(u)) < len(u):
        return 0.0
    return float(np.any(u >= (C @ theta).max() - 1e-12))


def test_counterexample_search_finds_non_eu_rules_and_not_eu_ones():
    r = ps.search_counterexample(D.ordered_optimal(), TOY_A, TOY_B, trials=20, local_steps=10, rng=0)
    assert r.violates and r.value < r.bound == 2 / 3
    r2 = ps.search_counterexample(D.rule(_distinct_b), TOY_A, TOY_B, trials=20, local_steps=10, rng=0)
    assert r2.violates and r2.tendency.counts[0] < 2 * r2.tendency.counts[1]
    for dec in (D.optimal(), D.boltzmann(0.5), D.mixture([(0.5, D.best_of_k(2)), (0.5, D.anti_optimal())])):
        r3 = ps.search_counterexample(dec, TOY_A, TOY_B, trials=20, local_steps=10, rng=0)
        assert not r3.violates and r3.value >= 2 / 3


# ------------------------------------------------------------------------------ bad input
def test_bad_input_messages():
    with pytest.raises(ValueError, match="^T: "):
        D.boltzmann(0.0)
    with pytest.raises(ValueError, match="^k: "):
        D.best_of_k(0)
    with pytest.raises(ValueError, match="^q: "):
        D.quantilise(1.5)
    with pytest.raises(ValueError, match="^components: "):
        D.mixture([(0.5, D.optimal())])
    with pytest.raises(ValueError, match="^theta: "):
        ps.orbit_tendency(D.optimal(), TOY_A, TOY_B, [1, 2])
    with pytest.raises(ValueError, match="^A: "):
        ps.orbit_tendency(D.optimal(), [1, 0, 0], TOY_B, [1, 2, 3])
    with pytest.raises(ValueError, match="^method: "):
        ps.orbit_tendency(D.optimal(), TOY_A, TOY_B, [1, 2, 3], method="quad")
    with pytest.raises(ValueError, match="^X: "):
        D.optimal()([[0, 0, 2]], TOY_C, [1, 2, 3])
    with pytest.raises(TypeError, match="^decide: "):
        ps.orbit_tendency(3, TOY_A, TOY_B, [1, 2, 3])
    with pytest.raises(ValueError, match="^A: "):  # the parameter of orbit_tendency holding the option
        ps.orbit_tendency(D.mdp_average_optimal(ps.examples.turner_fig1(), "star"), ["nowhere"], ["l"], np.zeros(8))
