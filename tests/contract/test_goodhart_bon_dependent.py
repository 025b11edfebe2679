"""Contract tests of best-of-N with a dependent error: goodhart.best_of_n(Dependent(...), n) with
"quad" and "mc", and best_of_n_table(model).curve / .peak (Kwa, Thomas & Garriga-Alonso, arXiv
2407.14503, section 5.2 footnote: a dependent error).

Hypothesis composes the calls from the error callables of test_goodhart_selection (point masses,
piecewise laws, vectorised laws; callables that raise, return junk or invalid parameters) with valid
and invalid n, methods and trials; each call answers (finite utility and bounds; proxy and error
infinite only where allowed) or refuses naming the parameter.  Few examples: a table costs 0.1-10 s.
"""

from __future__ import annotations

import numpy as np
from contract_support import check, wrong_types
from hypothesis import given, settings
from hypothesis import strategies as st
from test_goodhart_selection import _error_callables

FEW = max(2, settings.default.max_examples // 12)
FEWER = max(2, settings.default.max_examples // 16)
V_OK = st.sampled_from(["stats.norm()", "stats.norm(1.0, 0.5)", "stats.expon()", "stats.uniform(0, 1)", "stats.logistic()"])
N_OK = st.sampled_from(["1", "2", "[1, 2, 64]", "1e6", "np.array([4.0, 16.0])", "[2, 1e12]"])
N_BAD = st.one_of(st.sampled_from(["0", "0.5", "2.5", "-1", "float('nan')", "1e16", "[]", "'4'", "None"]), wrong_types())
PARAMS = ["V", "X", "error", "vectorized", "n", "method", "trials", "tail", "resolution", "model", "c", "n_max"]


@settings(max_examples=FEW)
@given(V=V_OK, error=_error_callables(), n=st.one_of(N_OK, N_BAD), method=st.sampled_from(["'quad'", "'mc'", "'bogus'"]),
       trials=st.sampled_from(["20", "1", "'5'"]))
def test_best_of_n_dependent(V, error, n, method, trials):
    fn, vec = error
    code = (f"r = gh.best_of_n(gh.Dependent({V}, {fn}, vectorized={vec}), n={n}, method={method}, trials={trials}, "
            f"rng=0)\n"
            f"result = {{'u': r.utility, 'ub': r.utility_stderr, 'p': r.proxy, 'pb': r.proxy_stderr, 'alg': r.algorithm, "
            f"'text': str(r)}}")
    out = check(code, PARAMS, allow_inf=["p*", "pb*"], timeout=120, package="goodhart")
    if out["status"] == "ok":
        v = out["value"]
        assert v["alg"] in ("dependent", "simulation"), v
        ub = np.atleast_1d(np.asarray(v["ub"], float))
        assert np.all(ub >= 0) and np.all(np.isfinite(ub)), v


@settings(max_examples=FEWER)
@given(error=_error_callables(), n_max=st.sampled_from(["10.0", "1e4", "1.5", "'9'"]))
def test_dependent_table_peak(error, n_max):
    fn, vec = error
    code = (f"p = gh.best_of_n_table(gh.Dependent(stats.norm(), {fn}, vectorized={vec}), tail=10.0).peak(n_max={n_max})\n"
            f"result = [p.n, p.n_err, p.utility, p.utility_err, p.interior, p.best_integer]")
    out = check(code, PARAMS, allow_inf=["[1]"], timeout=120, package="goodhart")
    if out["status"] == "ok":
        n, _, _, uerr, _, best = out["value"]
        assert 1.0 <= float(n) <= float(eval(n_max)) and uerr >= 0 and best >= 1, out["value"]


def test_x_with_a_model_and_simulation_limits_are_refused():
    model = "gh.Dependent(stats.norm(), (lambda a, b: lambda v: a if abs(v) <= 1 else b)(stats.norm(0, 2), gh.point_mass(0.0)))"
    for code, head in ((f"gh.best_of_n({model}, stats.norm(), 4)", "X:"),
                       (f"gh.best_of_n({model}, n=10**5, method='mc', trials=100)", "n:"),
                       (f"gh.best_of_n({model}, n=4, tail=100.0)", "tail:"),
                       (f"gh.best_of_n_table({model}, stats.norm())", "X:")):
        out = check(code, PARAMS, package="goodhart")
        assert out["status"] == "raised" and out["message"].startswith(head), (code, out)
