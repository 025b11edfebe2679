"""Contract tests of powerseek's orbits and decision-makers (Turner & Tadepalli, "Parametrically
Retargetable Decision-Makers Tend To Seek Power", 2022): every public function answers correctly or
refuses with a ValueError/TypeError naming the parameter, within the memory budget and a time limit
(docs/contract.md).
"""

from __future__ import annotations

from contract_support import call_code, check, ints, probabilities, reals, wrong_types
from hypothesis import given, settings
from hypothesis import strategies as st


def check_ps(code: str, params, **kw) -> dict:
    return check(code, params, package="powerseek", **kw)


#: parameter vectors: ties, distinct values (20 distinct = 20! elements), long, extreme, malformed
THETAS = st.one_of(
    st.lists(st.integers(0, 3), min_size=1, max_size=7).map(repr),
    st.sampled_from([
        "[10, 5, 0]", "np.arange(20.0)", "np.arange(12.0)", "[0.0] * 2000 + [1.0]", "np.arange(3000.0)",
        "[1e308, -1e308, 0.0]", "[5e-324, 0.0, -0.0]", "[0.0, -0.0, 0.0]", "[]", "[[1, 2]]", "[np.nan, 1]",
        "[np.inf, 1]", "'abc'", "None", "[1, 'a']", "np.zeros(250000)", "[1j, 2]",
    ]))
SIZES = st.one_of(st.integers(1, 200).map(str), st.sampled_from(["0", "-1", "10**9", "10**12", "1.5", "None", "'5'"]))


@given(theta=THETAS, max_size=st.sampled_from(["1_000_000", "10", "0", "None", "10**18"]), size=SIZES)
def test_orbit_functions(theta, max_size, size):
    check_ps(f"ps.orbit_size({theta}).bit_length()", ["theta"])
    out = check_ps(call_code("ps.orbit_array", theta, max_size=max_size) + ".shape", ["theta", "max_size"])
    if out["status"] == "ok":
        rows, d = out["value"]
        assert rows >= 1 and d >= 1
    check_ps(call_code("ps.sample_orbit", theta, size, rng="0") + ".shape", ["theta", "size", "rng"])
    check_ps(f"sum(1 for _ in __import__('itertools').islice(ps.orbit({theta}), 5000))", ["theta"])


PERMS = st.sampled_from(["[1, 0, 2]", "[0, 1, 2]", "[1, 2, 0]", "[0, 0, 1]", "[0.0, 1.0]", "[0.5, 1]", "[]",
                         "[[0, 1]]", "None", "'ab'", "[np.nan, 0]", "[0, 1, 5]", "np.arange(10**5)[::-1]", "[-1, 0]"])


@given(phi=PERMS, x=st.sampled_from(["[1.0, 2.0, 3.0]", "np.ones((4, 3))", "[1, 2]", "'abc'", "None", "[[[1.0]]]"]))
def test_permutations(phi, x):
    out = check_ps(call_code("ps.is_involution", phi), ["phi"])
    if out["status"] == "ok":
        assert isinstance(out["value"], bool)
    check_ps(call_code("ps.orbits.permute", phi, x), ["phi", "x"])


OPTION_SETS = st.one_of(
    st.lists(st.lists(st.integers(0, 2), min_size=3, max_size=3), min_size=1, max_size=3).map(repr),
    st.sampled_from([
        "[[1, 0, 0]]", "[[0, 1, 0], [0, 0, 1]]", "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]", "[]", "[[]]", "[1, 0, 0]",
        "[[np.nan, 0, 0]]", "[[1e308, 1e308, 1e308]]", "np.eye(3)", "'abc'", "None", "[[1, 0]]",
        "np.eye(40)[:1]", "np.eye(40)[1:]", "np.eye(300)",
    ]))
DECISIONS = st.sampled_from([
    "ps.decisions.optimal()", "ps.decisions.optimal", "ps.decisions.frac_optimal()", "ps.decisions.anti_optimal()",
    "ps.decisions.boltzmann(1.0)", "ps.decisions.boltzmann(1e-300)", "ps.decisions.boltzmann(1e300)",
    "ps.decisions.best_of_k(3)", "ps.decisions.best_of_k(2**200)", "ps.decisions.satisfice(1.0)",
    "ps.decisions.satisfice(0.5, empty='uniform')", "ps.decisions.quantilise(0.3)", "ps.decisions.epsilon_greedy(0.1)",
    "ps.decisions.uniform()", "ps.decisions.ordered_optimal()",
    "ps.decisions.mixture([(0.5, ps.decisions.optimal()), (0.5, ps.decisions.boltzmann(2.0))])",
    "ps.decisions.rule(lambda X, C, t: float(np.max(X @ t) >= np.max(C @ t)))",
    "ps.decisions.rule(lambda X, C, t: 1 / 0)", "lambda X, C, t: 0.5", "None", "'optimal'", "np.ones(3)",
])
METHODS = st.sampled_from(["'auto'", "'exact'", "'sampled'", "'fast'", "None"])


#: the fields of an OrbitTendency (its orbit_size is an exact integer that may have thousands of
#: digits, which the sandbox's JSON inspection cannot turn into a float)
TENDENCY_FIELDS = ("result = dict(more=t.more, less=t.less, equal=t.equal, value=t.value, stderr=t.stderr, "
                   "ci=t.ci(), size_bits=t.orbit_size.bit_length(), samples=t.samples, method=t.method)")


@given(decide=DECISIONS, A=OPTION_SETS, B=OPTION_SETS, C=st.sampled_from(["None", "None", "[[1, 0, 0]]", "np.eye(3)",
                                                                        "[[2, 2, 2]]", "'abc'"]),
       theta=THETAS, method=METHODS,
       samples=st.one_of(st.integers(2, 500).map(str), st.sampled_from(["1", "10**12", "None", "1.5"])),
       tol=st.sampled_from(["1e-12", "0.0", "-1.0", "float('nan')", "float('inf')", "None", "0.5"]))
def test_orbit_tendency(decide, A, B, C, theta, method, samples, tol):
    out = check_ps("t = " + call_code("ps.orbit_tendency", decide, A, B, theta, C=C, method=method, samples=samples,
                                      rng="0", tol=tol) + "\n" + TENDENCY_FIELDS,
                   ["decide", "A", "B", "C", "theta", "method", "samples", "rng", "tol", "max_exact"])
    if out["status"] == "ok":
        v = out["value"]
        assert abs(v["more"] + v["less"] + v["equal"] - 1) < 1e-12 and 0 <= v["value"] <= 1, out
        lo, hi = v["ci"]
        assert 0 <= lo <= v["value"] <= hi <= 1, out


@given(A=OPTION_SETS, B=OPTION_SETS,
       max_transpositions=st.sampled_from(["None", "0", "1", "-1", "10**9", "'a'"]),
       max_candidates=st.sampled_from(["20_000", "1", "0", "None"]),
       max_nodes=st.sampled_from(["200_000", "10", "0", "10**15"]))
def test_find_copies(A, B, max_transpositions, max_candidates, max_nodes):
    code = (f"c = ps.find_copies({A}, {B}, max_transpositions={max_transpositions}, "
            f"max_candidates={max_candidates}, max_nodes={max_nodes})\n"
            f"result = (c.n, c.bound, c.exhaustive, c.verify({A}, {B}))")
    out = check_ps(code, ["A", "B", "max_transpositions", "max_candidates", "per_image", "max_nodes"])
    if out["status"] == "ok":
        n, bound, _, verified = out["value"]
        assert verified and abs(bound - n / (n + 1)) < 1e-15, out


@given(decide=DECISIONS, trials=st.sampled_from(["3", "0", "-1", "10**9", "None"]),
       levels=st.sampled_from(["None", "[0, 1]", "[]", "[np.nan]", "'ab'", "[1e308, -1e308]"]),
       copies=st.sampled_from(["None", "1", "0", "-1", "'x'"]))
def test_search_counterexample(decide, trials, levels, copies):
    check_ps(call_code("ps.search_counterexample", decide, "[[1, 0, 0]]", "[[0, 1, 0], [0, 0, 1]]", trials=trials,
                       local_steps="3", levels=levels, copies=copies, rng="0"),
             ["decide", "A", "B", "trials", "local_steps", "levels", "copies", "rng", "max_exact"], timeout=60)


# ----------------------------------------------------------------------------- rules
PARAMS = st.one_of(reals(-10, 10), st.sampled_from(["0.5", "1", "3", "2**200", "10**400"]), wrong_types())


@given(param=PARAMS, theta=THETAS, empty=st.sampled_from(["'zero'", "'uniform'", "'none'", "None"]))
def test_rule_factories_and_calls(param, theta, empty):
    C = "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]"
    for fac, names in (("boltzmann", ["T"]), ("best_of_k", ["k"]), ("quantilise", ["q"]),
                       ("epsilon_greedy", ["eps"]), ("satisfice", ["t"])):
        extra = f", empty={empty}" if fac == "satisfice" else ""
        out = check_ps(f"ps.decisions.{fac}({param}{extra})([[1, 0, 0]], {C}, {theta})",
                       names + ["empty", "X", "C", "theta"])
        if out["status"] == "ok":
            assert 0.0 <= out["value"] <= 1.0 + 1e-12, out


MDP_DECISIONS = st.sampled_from([
    "ps.decisions.mdp_optimal(ps.examples.turner_fig1(), 'star', 0.9)",
    "ps.decisions.mdp_optimal(ps.examples.turner_fig1(), 'star', 1 - 1e-9)",
    "ps.decisions.mdp_optimal(ps.examples.turner_fig1(), 'star', 1 - 1e-15)",
    "ps.decisions.mdp_optimal(ps.examples.turner_fig1(), 'star', 1.0)",
    "ps.decisions.mdp_optimal(ps.examples.aima_4x3(0.2), '2,0', 0.9, rule=ps.decisions.boltzmann(0.1))",
    "ps.decisions.mdp_average_optimal(ps.examples.turner_fig1(), 'star')",
    "ps.decisions.mdp_average_optimal(ps.examples.aima_4x3(0.2), '2,0')",
    "ps.decisions.mdp_finite_horizon(ps.examples.turner_fig1(), 'star', 4)",
    "ps.decisions.mdp_finite_horizon(ps.examples.turner_fig1(), 'star', 10**12)",
    "ps.decisions.mdp_finite_horizon(ps.MDP.from_successors({str(i): [str(min(i + 1, 599))] for i in range(600)}), "
    "'0', 500)",
    "ps.decisions.mdp_optimal(ps.examples.turner_fig1(), 'nowhere', 0.5)",
    "ps.decisions.mdp_optimal(None, 'star', 0.5)",
    "ps.decisions.mdp_optimal(ps.examples.turner_fig1(), 'star', 0.5, rule=np.ones(2))",
])
MDP_THETAS = st.sampled_from(["np.random.default_rng(0).random(S)", "np.arange(S) % 3", "np.full(S, 1e308)",
                              "np.full(S, np.nan)", "np.ones(S + 1)", "None", "[[1.0]]"])
OPTION_NAMES = st.sampled_from(["['empty']", "['l', 'r']", "'empty'", "['nowhere']", "[]", "None", "0", "['N', 'S']",
                                "['stay']", "['1']"])


@given(decide=MDP_DECISIONS, X=OPTION_NAMES, theta=MDP_THETAS)
def test_mdp_decisions(decide, X, theta):
    made = check_ps(f"repr({decide})", ["mdp", "state", "gamma", "rule", "T", "eps"])
    if made["status"] != "ok":
        return
    pre = f"d = {decide}\nS = d.mdp.n_states\n"
    check_ps(pre + f"result = d({X}, d.mdp.actions[d.state], {theta})", ["X", "C", "theta"])
    check_ps(pre + f"result = d.option_vectors({X}).shape", ["X", "mdp"])
    check_ps(pre + f"t = ps.orbit_tendency(d, {X}, list(d.mdp.actions[d.state][:1]), {theta}, samples=50, rng=0)\n"
             + TENDENCY_FIELDS, ["decide", "A", "B", "theta", "samples"], timeout=60)


# ----------------------------------------------------------------------------- public strategies
@settings(max_examples=2)
@given(seed=st.integers(0, 2**32 - 1))
def test_orbit_strategies_draw_inputs_the_functions_handle(seed):
    """powerseek.strategies' orbit strategies (copy environments, parameter vectors, EU decisions)
    draw inputs that find_copies, orbit_tendency and search_counterexample handle inside the
    budget, and the orbit theorem holds on them (#more >= n #less, Turner & Tadepalli 2022)."""
    code = f"""
from hypothesis import given, settings, HealthCheck, strategies as st
from powerseek.strategies import copy_environments, orbit_parameters, eu_decisions
out = []
@settings(max_examples=4, database=None, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(env=copy_environments(), dec=eu_decisions(), data=st.data())
def run(env, dec, data):
    A, B, n = env
    th = data.draw(orbit_parameters(A.shape[1]))
    c = ps.find_copies(A, B)
    t = ps.orbit_tendency(dec, A, B, th, max_exact=2000, samples=2000, rng={seed})
    assert c.n >= n and c.verify(A, B)
    assert t.satisfies(n)
    s = ps.search_counterexample(dec, A, B, trials=2, local_steps=1, copies=n, max_exact=500, rng={seed})
    out.append((c.n, t.value, s.value, s.violates))
run()
result = out
"""
    out = check_ps(code, ["A", "B", "theta"], timeout=120)
    assert out["status"] == "ok" and not any(v[3] for v in out["value"]), out
