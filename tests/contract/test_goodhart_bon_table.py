"""Contract tests of the best-of-N table: goodhart.BestOfNTable (curve, peak) and
best_of_n_table (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, appendix "bon_synthetic").

Hypothesis composes the calls from the laws of test_goodhart_selection (light, heavy, bounded,
singular, no mean, extreme scales; and things that are not laws), real n (continuous extension)
including invalid ones, and the table's parameters; each call answers (finite utility and bounds,
proxy and error infinite only for errors with an infinite mean) or refuses naming the parameter.
The plain tests pin what the contract needs of the fast tables.
"""

from __future__ import annotations

import math

import numpy as np
from contract_support import call_code, check, reals, wrong_types
from hypothesis import given, settings
from hypothesis import strategies as st
from test_goodhart_selection import LAW_BAD, LAW_OK

#: the table is built for every example: a third of the profile (peaks: a sixth)
FEW = max(5, settings.default.max_examples // 3)
FEWER = max(4, settings.default.max_examples // 6)

N_OK = st.one_of(st.sampled_from(["1", "2", "2.5", "[1, 2, 3, 4]", "[1.5, 64, 1e6]", "1e12", "[2, 1e15]",
                                  "np.array([4.0, 16.0])"]),
                 st.floats(1.0, 1e6).map(repr))
N_BAD = st.one_of(st.sampled_from(["0.5", "0", "-1", "float('nan')", "float('inf')", "1e16", "[]", "'4'", "None",
                                   "np.zeros(10001) + 2", "[2, float('nan')]"]), wrong_types())
ARGS = {
    "V": (LAW_OK, LAW_BAD), "X": (LAW_OK, LAW_BAD), "n": (N_OK, N_BAD),
    "tail": (st.sampled_from(["8.0", "5.0", "20.0", "38.0"]), st.sampled_from(["4.0", "60.5", "float('nan')", "'8'"])),
    "resolution": (st.sampled_from(["1.0", "2.0", "0.25"]), st.sampled_from(["0.0", "-1.0", "float('inf')", "True"])),
    "n_max": (st.sampled_from(["2.0", "1e4", "1e9"]), st.one_of(reals(-10.0, 1.99), st.sampled_from(["1e16", "'1e4'"]))),
}


def _draw(data, names):
    bad = data.draw(st.sampled_from([None] * len(names) + names), label="invalid")
    return {k: data.draw(ARGS[k][1] if k == bad else ARGS[k][0], label=k) for k in names}


@settings(max_examples=FEW)
@given(data=st.data())
def test_curve(data):
    a = _draw(data, ["V", "X", "n", "tail", "resolution"])
    code = (f"tab = gh.BestOfNTable({a['V']}, {a['X']}, tail={a['tail']}, resolution={a['resolution']})\n"
            f"r = tab.curve({a['n']})\n"
            f"result = {{'u': r.utility, 'ub': r.utility_stderr, 'rel': r.utility_rel_err, 'p': r.proxy, "
            f"'e': r.error, 'pb': r.proxy_stderr, 'eb': r.error_stderr, 'alg': r.algorithm}}")
    out = check(code, list(a), allow_inf=["p*", "e*", "pb*", "eb*", "rel*"], timeout=120, package="goodhart")
    if out["status"] == "ok":
        v = out["value"]
        assert v["alg"] in ("table", "legacy"), v
        ub = np.atleast_1d(np.asarray(v["ub"], float))
        assert np.all(ub >= 0) and np.all(np.isfinite(ub)), v
        for f in ("p", "e"):
            vals = [x for x in np.atleast_1d(np.asarray(v[f], object)) if isinstance(x, str)]
            assert all(x in ("inf", "-inf") for x in vals), v
            if vals:  # only errors with an infinite mean in a tail
                assert "levy" in a["X"] or "cauchy" in a["X"] or "t(1.5)" in a["X"] or "pareto" in a["X"], (a, v)


@settings(max_examples=FEWER)
@given(data=st.data())
def test_peak(data):
    a = _draw(data, ["V", "X", "n_max"])
    code = (f"p = gh.BestOfNTable({a['V']}, {a['X']}, tail=10.0, resolution=1.0).peak(n_max={a['n_max']})\n"
            f"result = [p.n, p.n_err, p.utility, p.utility_err, p.interior, p.best_integer]")
    out = check(code, list(a), allow_inf=["[1]"], timeout=120, package="goodhart")
    if out["status"] == "ok":
        n, _, _, uerr, _, best = out["value"]
        assert 1.0 <= float(n) <= float(eval(a["n_max"])) and uerr >= 0 and best >= 1, out["value"]


@given(V=LAW_OK, X=LAW_OK)
def test_cache(V, X):
    """The cached table of equal laws (new objects) is the same table; results as without it."""
    code = (f"a = gh.best_of_n_table({V}, {X}, tail=8.0, resolution=2.0)\n"
            f"b = gh.best_of_n_table({V}, {X}, tail=8.0, resolution=2.0)\n"
            f"result = [a is b, bool(gh.best_of_n_table.cache_clear() is None)]")
    out = check(code, ["V", "X", "tail", "resolution"], package="goodhart")
    if out["status"] == "ok":
        assert out["value"] == [True, True], out


def test_regression_tiny_utility_bound_is_relative():
    """normal V, Levy X, n = 1e9: the utility (1.88e-17) with a relative bound <= 1e-8 (the old
    table answered 3.8 times the value inside an absolute bound 1e7 times the value)."""
    out = check("r = gh.best_of_n(stats.norm(0, 2), stats.levy(), 10**9)\nresult = [r.utility, r.utility_rel_err]",
                ["V", "X", "n"], package="goodhart")
    u, rel = out["value"]
    exact = 1.5 * math.pi * 4 / ((1e9 + 1) * (1e9 + 2))
    assert abs(u - exact) <= 1e-8 * exact and rel <= 1e-8, out


def test_regression_memory_and_table_caps():
    """The table's size is bounded: a resolution too fine for 1e15 is refused naming resolution."""
    out = check("gh.BestOfNTable(stats.norm(), stats.norm(), resolution=0.01).curve(1e15)", ["resolution"],
                package="goodhart")
    assert out["status"] == "raised" and out["message"].startswith("resolution:"), out


def test_call_codes_are_pasteable():
    assert call_code("gh.best_of_n_table", "stats.norm()", "stats.t(3)") == "gh.best_of_n_table(stats.norm(), stats.t(3))"
