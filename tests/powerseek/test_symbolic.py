"""Symbolic POWER (powerseek.symbolic): Turner et al.'s Fig. 1 closed forms (proofs/powerseek.py),
the exact gamma -> 0 / gamma -> 1 limits, Monte Carlo at several gamma, and the piecewise envelope
integral against two-dimensional quadrature on both sides of every breakpoint."""

from __future__ import annotations

import pytest

sp = pytest.importorskip("sympy")

from fractions import Fraction  # noqa: E402

import powerseek as ps  # noqa: E402
from powerseek.symbolic import _expected_max_2d, symbolic_power  # noqa: E402

g = sp.Symbol("gamma", positive=True)
FIG1_STATES = ("empty", "l_sw", "l_nw", "l", "r_se", "r_ne", "r")


@pytest.fixture(scope="module")
def fig1():
    mdp = ps.examples.turner_fig1()
    return mdp, {s: symbolic_power(mdp, s) for s in FIG1_STATES}


def test_fig1_closed_forms_of_the_ledger(fig1):
    from proofs.powerseek import fig1_power

    _, got = fig1
    want = fig1_power()
    for s in FIG1_STATES:
        assert sp.simplify(got[s] - want[s]) == 0, (s, got[s], want[s])
    # the paper's stated values (Fig. 3): POWER(l_sw) = (2/3 + g/2)/(1 + g), POWER(r_se) = 2/3
    assert sp.simplify(got["l_sw"] - (sp.Rational(2, 3) + g / 2) / (1 + g)) == 0
    assert got["r_se"] == sp.Rational(2, 3)


def test_limits_equal_the_exact_limits_and_monte_carlo_agrees(fig1):
    mdp, got = fig1
    at0 = ps.power(mdp, 0.0)  # exact: E[max of the successors' rewards]
    at1 = ps.power(mdp, 1.0, samples=20_000, rng=1)  # best reachable cycle mean
    for s in FIG1_STATES:
        assert float(sp.limit(got[s], g, 0, "+")) == pytest.approx(at0[s].value, abs=1e-12)
        e = at1[s]
        assert abs(float(sp.limit(got[s], g, 1, "-")) - e.value) <= 5 * e.stderr + 1e-12, s
    for gv in (0.3, 0.85):
        res = ps.power(mdp, gv, samples=20_000, rng=2)
        for s in FIG1_STATES:
            e = res[s]
            assert abs(float(got[s].subs(g, gv)) - e.value) <= 5 * e.stderr + res.bound + 1e-12, (s, gv)


def _line_max_integral(a, b):
    """int_0^1 max_i (a_i + b_i z) dz exactly (Fractions): trapezoids between all crossings."""
    zs = {Fraction(0), Fraction(1)}
    for i in range(len(a)):
        for k in range(len(a)):
            if b[i] != b[k]:
                z = (a[k] - a[i]) / (b[i] - b[k])
                if 0 < z < 1:
                    zs.add(z)
    zs = sorted(zs)
    h = lambda z: max(x + y * z for x, y in zip(a, b))  # noqa: E731
    return sum((h(lo) + h(hi)) / 2 * (hi - lo) for lo, hi in zip(zs, zs[1:]))


def test_piecewise_envelope_against_an_exact_face_decomposition():
    """Independent exact check: max_i (u_i x + v_i y) is homogeneous of degree 1, so its integral
    over the unit square is 1/3 of its integrals over the two far edges x = 1 and y = 1 (cones
    from the origin); those are 1-d piecewise-linear integrals, computed here with Fractions at a
    rational gamma inside every piece, and must equal the symbolic result exactly."""
    U = [1, g, 0, g**2, sp.Rational(1, 3)]
    V = [0, g, 2 * g, 1 - g, 1 - g**2]
    e = _expected_max_2d(U, V)
    assert isinstance(e, sp.Piecewise) and len(e.args) == 4
    cuts = [float(c.cond.rhs) for c in e.args[:-1]]
    assert cuts == sorted(cuts) and 0 < cuts[0] and cuts[-1] < 1
    for k in range(len(cuts)):  # continuous at every breakpoint
        b = e.args[k].cond.rhs
        assert float(e.args[k].expr.subs(g, b) - e.args[k + 1].expr.subs(g, b)) == pytest.approx(0, abs=1e-12)
    for gv in [cuts[0] / 2] + [(a + b) / 2 for a, b in zip(cuts, cuts[1:])] + [(cuts[-1] + 1) / 2]:
        q = Fraction(gv)
        us = [Fraction(str(sp.Rational(sp.sympify(u).subs(g, sp.Rational(q.numerator, q.denominator))))) for u in U]
        vs = [Fraction(str(sp.Rational(sp.sympify(v).subs(g, sp.Rational(q.numerator, q.denominator))))) for v in V]
        want = (_line_max_integral(us, vs) + _line_max_integral(vs, us)) / 3
        got = e.subs(g, sp.Rational(q.numerator, q.denominator))
        assert got == sp.Rational(want.numerator, want.denominator), gv


def test_two_state_cycle_and_a_choice_between_two_terminals():
    # a -> {b, c}, both terminal: POWER(a) = E[max of 2 iid U(0,1)] = 2/3 for every gamma
    two = ps.MDP.from_successors({"a": ["b", "c"], "b": ["b"], "c": ["c"]})
    assert symbolic_power(two, "a") == sp.Rational(2, 3)
    # a single cycle a -> b -> a: no choice, POWER(a) = (1 - g)/g E[g R_b + g^2 R_a + ...] = 1/2
    cyc = ps.MDP.from_successors({"a": ["b"], "b": ["a"]})
    assert symbolic_power(cyc, "a") == sp.Rational(1, 2)


@pytest.mark.parametrize("mdp,state,param", [
    (ps.MDP.gridworld(2, 2, slip=0.1), "0,0", "mdp"),
    (ps.MDP.from_successors({"s": [str(i) for i in range(11)], **{str(i): [str(i)] for i in range(11)}}), "s", "state"),
    (ps.examples.turner_fig1(), "nowhere", "state"),
    (ps.MDP.gridworld(1, 2), 5, "state"),
    ("fig1", "star", "mdp"),
])
def test_bad_input_is_named(mdp, state, param):
    with pytest.raises((ValueError, TypeError)) as info:
        symbolic_power(mdp, state)
    assert str(info.value).startswith(param + ":"), str(info.value)


def test_too_many_lassos_refused_naming_mdp():
    big = ps.MDP.from_successors({str(i): [str(j) for j in range(7)] for i in range(7)})
    with pytest.raises(ValueError, match=r"^mdp: more than \d+ deterministic paths"):
        symbolic_power(big, "0")
