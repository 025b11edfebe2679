"""Contract of the public entry points of ``proofs``: the ledger (``all_claims``, ``evaluate``,
``Claim``) and the derivations that take arguments. Each returns the right value -- checked against
an independent closed form or scipy -- or refuses with an error naming the argument; none hangs
on an input that would make it enumerate millions of cases."""

from __future__ import annotations

import math
import textwrap

import pytest
from contract_support import check, ints, reals, wrong_types
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs import ledger as L

PRELUDE = ("import sympy as sp\nimport proofs.ledger as L\nimport proofs.powerseek as pp\n"
           "import proofs.powerseek_orbits as po\nimport proofs.cogpower as pc\nimport proofs.goodhart as pg\n"
           "import proofs.goodhart_kl as pk\n")


def run(body: str, params: list[str], **kw) -> dict:
    """Check ``body`` (statements setting ``result``, or one expression) with the proofs modules imported."""
    body = textwrap.dedent(body).strip()
    if "\n" not in body and not body.startswith("result ="):
        body = f"result = {body}"
    return check(PRELUDE + body, params, package="proofs", **kw)


#: for derivations that integrate symbolically (0.1-1 s a call): a quarter of the profile's examples
SLOW = settings(max_examples=max(8, settings.default.max_examples // 4))

#: every area the ledger discovers (a new proofs module is picked up without editing this test)
AREAS = list(L.areas())


# ----------------------------------------------------------------------------- the ledger
@given(selected=st.one_of(
    st.sampled_from(["None", "[]", "()", "'cogpower'", "5", "[5]", "['nope']", "b'x'", "'_args'", "'ledger'",
                     "['cogpower', 'cogpower']", "{'goodhart_kl': 1}", "iter(['cogpower'])"]),
    st.lists(st.sampled_from(AREAS), max_size=3).map(repr)))
def test_all_claims_answers_or_refuses(selected):
    out = run(f"[c.id for c in L.all_claims({selected})]", ["selected"])
    if out["status"] == "ok":
        ids = out["value"]
        assert len(ids) == len(set(ids)) and ids
        chosen = eval(selected)  # noqa: S307 -- our own literals
        chosen = [chosen] if isinstance(chosen, str) else list(chosen or AREAS)
        assert {i.split(".")[0] for i in ids} == set(chosen)


@given(args=st.sampled_from([
    "'x', 's', 'st', symbolic=lambda: L.Check(True)",
    "5, 's', 'st', symbolic=lambda: L.Check(True)",
    "'', 's', 'st', symbolic=lambda: L.Check(True)",
    "'x', None, 'st', symbolic=lambda: L.Check(True)",
    "'x', 's', 'st'",
    "'x', 's', 'st', symbolic='not callable'",
    "'x', 's', 'st', numeric=3",
    "'x', 's', 'st', symbolic=lambda: L.Check(True), verdict=['holds']",
    "'x', 's', 'st', symbolic=lambda: L.Check(True), verdict='maybe'",
    "'x', 's', 'st', symbolic=lambda: L.Check(True), note=None",
]))
def test_claim_construction_names_the_field(args):
    out = run(f"L.evaluate(L.Claim({args})).status",
              ["id", "source", "statement", "symbolic", "numeric", "verdict", "note"])
    if out["status"] == "ok":
        assert out["value"] == "holds"


@given(ret=st.sampled_from(["L.Check(True)", "L.Check(False)", "L.Check(np.bool_(True))", "L.Check(sp.true)",
                            "L.Check(np.array([True, False]))", "L.Check(sp.Symbol('x') < 1)", "L.Check('yes')",
                            "True", "None", "1 / 0", "sp.oo", "(_ for _ in ()).throw(RecursionError('deep'))",
                            "(_ for _ in ()).throw(MemoryError())"]))
def test_evaluate_turns_any_check_outcome_into_a_status(ret):
    """A check that raises or returns something other than Check(bool) fails the claim, with the reason."""
    out = run(f"""
        res = L.evaluate(L.Claim("t.x", "test", "s", numeric=lambda: {ret}))
        result = {{"status": res.status, "failed": res.failed, "errors": len(res.errors)}}
    """, ["claim"])
    v = out["value"]
    good = ret in ("L.Check(True)", "L.Check(np.bool_(True))", "L.Check(sp.true)")
    assert v["status"] == ("holds" if good else "FAILS")
    assert v["errors"] == (0 if ret.startswith(("L.Check(True", "L.Check(False", "L.Check(np.bool_", "L.Check(sp.true"))
                           else 1)


@pytest.mark.parametrize("claim", ["None", "'powerseek.fig1_power'", "L.Check(True)", "42"])
def test_evaluate_refuses_what_is_not_a_claim(claim):
    out = run(f"L.evaluate({claim})", ["claim"])
    assert out["status"] == "raised" and out["type"] == "TypeError"


def test_an_area_that_fails_to_import_is_a_failing_claim(tmp_path):
    """A broken proofs module used to stop all_claims (and `tailpower claims`) with its exception."""
    out = run("""
        import sys, types, importlib
        real = importlib.import_module
        def fake(name, *a, **k):
            if name == "proofs.cogpower":
                raise SyntaxError("broken for the test")
            return real(name, *a, **k)
        L.importlib.import_module = fake
        try:
            claims = L.all_claims(["cogpower", "goodhart_kl"])
            res = L.evaluate(claims[0])
            result = {"first": claims[0].id, "status": res.status, "error": res.errors[0][-200:], "n": len(claims)}
        finally:
            L.importlib.import_module = real
    """, ["selected"])
    v = out["value"]
    assert v["first"] == "cogpower.import" and v["status"] == "FAILS" and "broken for the test" in v["error"]
    assert v["n"] > 1


# ----------------------------------------------------------------------------- derivations
def symbolic_args(lo: float = -1e3, hi: float = 1e3) -> st.SearchStrategy[str]:
    return st.one_of(reals(lo, hi), wrong_types(), st.sampled_from(
        ["sp.Symbol('s', positive=True)", "sp.Rational(1, 2)", "sp.I", "sp.oo", "sp.nan", "sp.pi / 4", "'s'"]))


@SLOW
@given(beta=symbolic_args(0.05, 1.95))
def test_stable_scale_integral(beta):
    """sigma^beta = int_0^inf sin(y) y^-beta dy = Gamma(1 - beta) cos(pi beta / 2) (0 < beta < 2,
    beta != 1; pi/2 at beta = 1), a Mellin transform evaluated independently with mpmath."""
    out = run(f"""
        b = {beta}
        r = pc.stable_scale_integral(b)
        result = float(r) if r.is_number else str(r)
    """, ["beta"], timeout=60)
    if out["status"] == "ok" and isinstance(out["value"], float):
        import mpmath

        b = float(eval(beta, {"sp": __import__("sympy"), "float": float}))  # noqa: S307
        exact = math.pi / 2 if abs(b - 1) < 1e-12 else float(mpmath.gamma(1 - b) * mpmath.cos(mpmath.pi * b / 2))
        assert out["value"] == pytest.approx(exact, rel=1e-9)


@pytest.mark.parametrize("beta", ["2", "3", "-1", "0"])
def test_stable_scale_integral_outside_the_stable_range_is_refused(beta):
    """beta = 2 gave oo after 10 s and beta = -1 a meaningless Piecewise."""
    out = run(f"pc.stable_scale_integral({beta})", ["beta"], timeout=10)
    assert out["status"] == "raised" and "(0, 2)" in out["message"]


@given(nn=symbolic_args())
def test_expected_max_uniform(nn):
    out = run(f"""
        r = pp.expected_max_uniform({nn})
        result = float(r) if r.is_number else str(r)
    """, ["nn"])
    if out["status"] == "ok" and isinstance(out["value"], float):
        n = float(eval(nn, {"sp": __import__("sympy"), "float": float}))  # noqa: S307
        assert out["value"] == pytest.approx(n / (n + 1), rel=1e-12)


@SLOW
@given(gamma=st.one_of(symbolic_args(-0.5, 1.5), st.sampled_from(["0", "1", "sp.Rational(12, 100)"])))
def test_negative_skew_up_probability(gamma):
    """P(up) is a probability; 1/2 at gamma = 0 (E[r3^2] = 1/2) and 1/3 at gamma = 1 (E[M^2] = 2/3)."""
    out = run(f"""
        r = pp.negative_skew_up_probability({gamma})
        result = float(r) if r.is_number else str(r)
    """, ["gamma"])
    if out["status"] == "ok" and isinstance(out["value"], float):
        assert 0.0 <= out["value"] <= 1.0
        g = float(eval(gamma, {"sp": __import__("sympy"), "float": float}))  # noqa: S307
        if g in (0.0, 1.0):
            assert out["value"] == pytest.approx(0.5 if g == 0 else 1 / 3, rel=1e-12)


@given(d=st.one_of(ints(0, 6), wrong_types(), st.sampled_from(["9", "12", "np.int64(4)", "sp.Integer(3)"])))
def test_involution_preserves_utility(d):
    out = run(f"po.involution_preserves_utility({d})", ["d"], timeout=60)
    if out["status"] == "ok":
        assert out["value"] == 0


@given(mults=st.one_of(st.lists(st.one_of(st.integers(0, 40).map(str), ints(0, 3), wrong_types()), max_size=5)
                       .map(lambda xs: "[" + ", ".join(xs) + "]"),
                       wrong_types(), st.sampled_from(["[10**5, 1]", "iter([2, 2])", "(i % 3 for i in range(10**9))"])))
def test_multiset_orbit_size(mults):
    """d! / prod m_i! (checked with Python's integers); sums above 10^5 and endless inputs refused."""
    # hex: the sandbox reports integers beyond 64 bits only by their size, and hex has no digit limit
    out = run(f"hex(int(po.multiset_orbit_size({mults})))", ["mults"], timeout=30)
    if out["status"] == "ok" and mults.startswith("["):
        m = [int(k) for k in eval(mults)]  # noqa: S307 -- our own literals
        assert out["value"] == hex(math.factorial(sum(m)) // math.prod(math.factorial(k) for k in m))


def test_multiset_orbit_size_counts_the_orbit():
    out = run("""
        from sympy.utilities.iterables import multiset_permutations
        result = [int(po.multiset_orbit_size([2, 1, 1])), len(list(multiset_permutations([0, 0, 1, 2]))),
                  int(po.multiset_orbit_size(iter([1, 1, 1])))]
    """, [])
    assert out["value"] == [12, 12, 6]


@given(name=st.one_of(st.sampled_from(["'normal'", "'cauchy'", "'uniform'", "'nope'", "'Normal'", "''"]),
                      wrong_types(), st.just("['normal']")))
def test_tail_class(name):
    out = run(f"pg.tail_class({name})", ["name"], timeout=60)
    if out["status"] == "ok":
        expected = {"'normal'": [False, True], "'cauchy'": [True, False], "'uniform'": [False, None]}[name]
        assert out["value"] == expected


def _mp_value(src: str):
    import mpmath

    import sympy

    v = eval(src, {"sp": sympy, "float": float})  # noqa: S307 -- our own literals
    return mpmath.mpf(float(v)) if not isinstance(v, sympy.Basic) else mpmath.mpf(str(sympy.N(v, 60)))


@given(nu=symbolic_args(0.1, 50), x=st.one_of(reals(-50, 50), st.just("None")))
def test_student_t_density_matches_mpmath(nu, x):
    """Against mpmath's Gamma with enough digits for the largest input (nu = 1e16 gave 1e-8/sqrt(pi)
    instead of 0.399, and x = 1e308 an OverflowError)."""
    out = run(f"""
        r = pk.student_t_density({nu}, {x})
        result = float(r) if r.is_number else str(r)
    """, ["nu", "x"])
    if out["status"] == "ok" and isinstance(out["value"], float):
        import mpmath

        v, xx = _mp_value(nu), _mp_value(x)
        with mpmath.workdps(40 + int(mpmath.log10(v + 1)) + 2 * int(mpmath.log10(abs(xx) + 1))):
            v, xx = _mp_value(nu), _mp_value(x)
            exact = mpmath.gamma((v + 1) / 2) / (mpmath.sqrt(v * mpmath.pi) * mpmath.gamma(v / 2)) \
                * (1 + xx**2 / v) ** (-(v + 1) / 2)
        assert out["value"] == pytest.approx(float(exact), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("nu, x, exact", [("1e16", "0.0", 1 / math.sqrt(2 * math.pi)), ("1e300", "5", 1.4867195147342977e-06),
                                          ("1.0", "1e308", 0.0), ("3", "0", 2 / (math.pi * math.sqrt(3)))])
def test_student_t_density_reproducers(nu, x, exact):
    out = run(f"float(pk.student_t_density({nu}, {x}))", ["nu", "x"])
    assert out["value"] == pytest.approx(exact, rel=1e-14)


@given(t=st.one_of(reals(-1e3, 1e3), wrong_types(), st.just("sp.Symbol('t')")))
def test_student_t3_sf_matches_mpmath(t):
    out = run(f"""
        r = pk.student_t3_sf({t})
        result = float(sp.N(r, 20, maxn=10**4)) if r.is_number else str(r)
    """, ["t"])
    if out["status"] == "ok" and isinstance(out["value"], float):
        import mpmath

        tt = float(eval(t, {"float": float}))  # noqa: S307
        with mpmath.workdps(40 + 3 * int(math.log10(abs(tt) + 1))):
            T = mpmath.mpf(tt)
            exact = mpmath.mpf(1) / 2 - (mpmath.atan(T / mpmath.sqrt(3)) + mpmath.sqrt(3) * T / (T**2 + 3)) / mpmath.pi
        assert out["value"] == pytest.approx(float(exact), rel=1e-12, abs=1e-300)


@SLOW
@given(c=symbolic_args())
def test_exponent1_limit_is_three_halves_c(c):
    out = run(f"""
        r = pk.exponent1_limit({c})
        result = float(r) if r.is_number else str(r)
    """, ["c"], timeout=60)
    if out["status"] == "ok" and isinstance(out["value"], float):
        cc = float(eval(c, {"sp": __import__("sympy"), "float": float}))  # noqa: S307
        assert out["value"] == pytest.approx(1.5 * cc, rel=1e-12)


@given(mdp=st.sampled_from(["ps.examples.detour()", "ps.examples.wait()", "ps.examples.aima_4x3()",
                            "ps.examples.pacman_shutdown()", "None", "'detour'"]),
       state=st.sampled_from(["0", "'s1'", "'start'", "'nope'", "99", "None", "[1]"]))
def test_visit_distributions_answers_or_refuses_fast(mdp, state):
    """aima_4x3 has 139,968 policies from its corner: enumerating them symbolically took hours."""
    out = run(f"len(pp.visit_distributions({mdp}, {state}))", ["mdp", "state"], timeout=30)
    assert out["seconds"] < 20
    if out["status"] == "ok":
        assert 1 <= out["value"] <= 8


@given(fs=st.sampled_from(["pp.visit_distributions(ps.examples.detour(), 's1')", "[]", "None", "[(1, 2)]",
                           "[({}, [sp.Symbol('q')])]", "[({}, [1, 2]), ({}, [1])]", "[({}, ['a'])]"]),
       gammas=st.sampled_from(["(sp.Rational(1, 2),)", "()", "[0.0]", "[1.0]", "[0.5, 2]", "'abc'",
                               "[sp.Symbol('g')]", "[0.25, 0.75]", "None"]))
def test_non_dominated_answers_or_refuses(fs, gammas):
    out = run(f"pp.non_dominated({fs}, {gammas})", ["fs", "gammas"], timeout=30)
    if out["status"] == "ok":
        assert isinstance(out["value"], list)
