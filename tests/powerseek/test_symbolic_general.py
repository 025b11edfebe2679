"""The general exact decomposition of powerseek.symbolic (more than two distinguishing rewards) and
symbolic_optimality_probability: an independent exact formula (maxima of independent scaled
uniforms) on both sides of every breakpoint, the two-reward envelope method, the exact
gamma -> 0 / 1 limits, Monte Carlo within 4 standard errors, probabilities adding up to 1.
Fig. 1's star (about 6 s) runs with TAILPOWER_SLOW_TESTS=1."""

from __future__ import annotations

import os
from fractions import Fraction

import pytest

sp = pytest.importorskip("sympy")
pytest.importorskip("flint")

import powerseek as ps  # noqa: E402
from powerseek._symbolic_algebra import RF, from_sympy, poly, to_sympy  # noqa: E402
from powerseek._symbolic_pieces import expected_max_pieces  # noqa: E402
from powerseek.symbolic import _power_general  # noqa: E402

g = sp.Symbol("gamma", positive=True)
Z = 4.0
#: a 10-state MDP: 0 -> {1, 2} -> 3 -> ... -> 8 -> {8, 9}; four distinguishing rewards (1, 2, 8, 9)
TEN = ps.MDP.from_successors({"0": ["1", "2"], "1": ["3"], "2": ["3"], "3": ["4"], "4": ["5"], "5": ["6"],
                              "6": ["7"], "7": ["8"], "8": ["8", "9"], "9": ["9"]})
#: five distinguishing rewards, lassos through 3 successors, cycles of lengths 1 and 2
BRANCH = ps.MDP.from_successors({"s": ["a", "b", "c"], "a": ["d"], "b": ["d", "e"], "c": ["e"],
                                 "d": ["d", "e"], "e": ["e", "d"]})
slow = pytest.mark.skipif(not os.environ.get("TAILPOWER_SLOW_TESTS"),
                          reason="Fig. 1's star takes about 6 s; set TAILPOWER_SLOW_TESTS=1")


def _indep_max(scales, which=None):
    """Exact E[max_k c_k U_k] (or P(k = which attains it)) for independent U_k ~ U(0, 1) and
    positive rationals c_k: int_0^cmax (1 - prod_k min(t/c_k, 1)) dt, piecewise polynomial in t."""
    t = sp.Symbol("t")
    cuts = sorted(set(scales))
    out, lo = sp.Integer(0), sp.Integer(0)
    for hi in cuts:
        live = [c for c in scales if c >= hi]  # F_k(t) = t/c_k on (lo, hi) for these, 1 otherwise
        F = sp.Mul(*[t / c for c in live])
        if which is None:
            out += sp.integrate(1 - F, (t, lo, hi))
        elif scales[which] >= hi:
            out += sp.integrate(sp.diff(t / scales[which], t) * F / (t / scales[which]), (t, lo, hi))
        lo = hi
    return out


def test_independent_uniforms_on_every_piece():
    """max(g x, (1 - g) y, z/3, g^2 w): five breakpoints (1/3, 1/2, 2/3, 1/sqrt3, (sqrt5 - 1)/2);
    the decomposition must equal the exact independent-maximum formula at a rational inside
    every piece, and be continuous across every breakpoint."""
    coefs = [g, 1 - g, sp.Rational(1, 3), g**2]
    A = [[from_sympy(c if k == i else 0, g) for k in range(4)] for i, c in enumerate(coefs)]
    pieces = expected_max_pieces(A, want_volumes=True)
    his = [hi for hi, _, _ in pieces]
    want = sorted([sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(2, 3), 1 / sp.sqrt(3), (sp.sqrt(5) - 1) / 2])
    assert len(his) == 6 and all(sp.simplify(a - b) == 0 for a, b in zip(his[:-1], want)) and his[-1] == 1
    lo = sp.Integer(0)
    for k, (hi, E, vols) in enumerate(pieces):
        q = sp.Rational(str(round(float((lo + hi) / 2), 6)))
        scales = [c.subs(g, q) for c in coefs]
        assert to_sympy(E, g).subs(g, q) == _indep_max(scales), (k, q)
        assert to_sympy(vols[3], g).subs(g, q) == _indep_max(scales, which=3), (k, q)
        assert sum(to_sympy(v, g).subs(g, q) for v in vols.values()) == 1
        if k + 1 < len(pieces):
            nxt = to_sympy(pieces[k + 1][1], g)
            assert abs(sp.N(to_sympy(E, g).subs(g, hi) - nxt.subs(g, hi), 40)) < 1e-30
        lo = hi


def test_general_method_reproduces_the_two_reward_envelope():
    fig1 = ps.examples.turner_fig1()
    for s in ("l_sw", "l_nw", "l", "r_se", "r"):
        assert sp.simplify(_power_general(sp, fig1, fig1.index(s)) - ps.symbolic_power(fig1, s)) == 0, s


@pytest.mark.parametrize("mdp,state,closed,at1", [  # wait and detour: the ledger row powerseek_symbolic.detour_wait
    (TEN, "0", (g**7 - g + 4) / 6, None),
    # gamma = 1: the best reachable cycle mean, max(R_d, R_e, (R_d + R_e)/2) = max(R_d, R_e): 2/3
    # (ps.power has no exact gamma = 1 value with a 2-cycle)
    (BRANCH, "s", None, sp.Rational(2, 3)),
])
def test_limits_and_monte_carlo(mdp, state, closed, at1):
    e = ps.symbolic_power(mdp, state)
    if closed is not None:
        assert sp.simplify(e - closed) == 0, e
    assert float(sp.limit(e, g, 0, "+")) == pytest.approx(ps.power(mdp, 0.0, method="exact")[state].value, abs=1e-12)
    one = at1 if at1 is not None else ps.power(mdp, 1.0, method="exact")[state].value
    assert float(sp.limit(e, g, 1, "-")) == pytest.approx(float(one), abs=1e-12)
    for gv, seed in ((0.35, 1), (0.8, 2)):
        est = ps.power(mdp, gv, samples=20_000, rng=seed)
        assert abs(float(e.subs(g, sp.Rational(str(gv)))) - est[state].value) <= Z * est[state].stderr + est.bound, gv


@pytest.mark.parametrize("mdp,state", [(ps.examples.detour(), "s1"), (BRANCH, "s")])
def test_optimality_probabilities_add_up_and_agree_with_monte_carlo(mdp, state):
    succ = [mdp.states[t] for t in dict.fromkeys(mdp.successor_table[mdp.index(state)])]
    probs = {t: ps.symbolic_optimality_probability(mdp, state, successor=t) for t in succ}
    assert sp.simplify(sum(probs.values()) - 1) == 0
    gv = sp.Rational(3, 5)
    for k, t in enumerate(succ):
        est = ps.optimality_probability(mdp, state, successor=t, gamma=0.6, samples=20_000, rng=10 + k)
        assert abs(float(probs[t].subs(g, gv)) - est.value) <= Z * max(est.stderr, 1e-3), t
    # by action name as well (deterministic examples name actions by successor)
    assert ps.symbolic_optimality_probability(mdp, state, action=0) == probs[succ[0]]


def test_detour_and_wait_stated_numbers():
    """Turner et al. 2021, Prop. B.1 (detour) and the wait MDP of Turner's explainer: the stated
    gamma -> 1 values are limits of the derived closed forms."""
    det, wait = ps.examples.detour(), ps.examples.wait()
    pN = ps.symbolic_optimality_probability(det, "s1", successor="s2")
    assert sp.limit(pN, g, 1, "-") == sp.Rational(1, 3) and sp.limit(pN, g, 0, "+") == sp.Rational(1, 2)
    assert sp.limit(ps.symbolic_power(det, "s2"), g, 1, "-") == sp.Rational(3, 4)
    assert sp.limit(ps.symbolic_power(det, "s3"), g, 1, "-") == sp.Rational(2, 3)
    pw = ps.symbolic_optimality_probability(wait, "start", successor="wait")
    assert (sp.limit(pw, g, 0, "+"), sp.limit(pw, g, 1, "-")) == (sp.Rational(1, 2), sp.Rational(2, 3))


def test_rational_function_arithmetic():
    x = from_sympy((1 + g) / (1 - g**2), g)  # = 1/(1 - g) in lowest terms
    assert x == RF(poly([1]), poly([1, -1]))
    assert (x * x - x / x).at(Fraction(1, 2)) == 3 and to_sympy(x + x, g) == -2 / (g - 1)


@pytest.mark.parametrize("call,param", [
    (lambda: ps.symbolic_optimality_probability(ps.examples.wait(), "start"), "successor"),
    (lambda: ps.symbolic_optimality_probability(ps.examples.wait(), "start", "wait", action=0), "successor"),
    (lambda: ps.symbolic_optimality_probability(ps.examples.wait(), "start", "hug"), "successor"),
    (lambda: ps.symbolic_optimality_probability(ps.examples.wait(), "start", action="fly"), "action"),
    (lambda: ps.symbolic_optimality_probability(ps.MDP.gridworld(2, 2, slip=0.1), "0,0", action=0), "mdp"),
    (lambda: ps.symbolic_power(ps.MDP.from_successors({"s": [str(i) for i in range(9)],
                                                      **{str(i): [str(i)] for i in range(9)}}), "s"), "state"),
])
def test_bad_input_is_named(call, param):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert str(info.value).startswith(param + ":"), str(info.value)


@slow
def test_fig1_star():
    mdp = ps.examples.turner_fig1()
    e = ps.symbolic_power(mdp, "star")
    assert isinstance(e, sp.Piecewise) and len(e.args) == 4
    assert [c.cond.rhs for c in e.args[:-1]] == [sp.Rational(1, 2), (sp.sqrt(5) - 1) / 2, sp.sqrt(2) / 2]
    assert sp.limit(e.args[0].expr, g, 0, "+") == sp.Rational(3, 4)
    from proofs.powerseek import fig1_star_limits

    EM, Pe = fig1_star_limits()
    assert sp.limit(e.args[-1].expr, g, 1, "-") == EM
    pe = ps.symbolic_optimality_probability(mdp, "star", successor="empty")
    assert sp.limit(pe.args[-1].expr, g, 1, "-") == Pe
    for k, gv in enumerate((0.3, 0.55, 0.65, 0.9)):
        est = ps.power(mdp, gv, samples=40_000, rng=20 + k)["star"]
        assert abs(float(e.subs(g, sp.Rational(str(gv)))) - est.value) <= Z * est.stderr, gv
