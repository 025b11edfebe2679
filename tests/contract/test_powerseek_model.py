"""Contract tests of powerseek's model layer: MDP builders and queries, reward laws, and the public
Hypothesis strategies (docs/contract.md).  Every call answers or refuses with a ValueError /
TypeError naming the parameter, within the memory budget and a time limit.
"""

from __future__ import annotations

from contract_support import call_code, check, ints, reals, wrong_types
from hypothesis import given, settings
from hypothesis import strategies as st


def check_ps(code: str, params, **kw) -> dict:
    return check(code, params, package="powerseek", **kw)


# ----------------------------------------------------------------------------- builders
SUCCESSOR_MAPS = st.one_of(
    st.dictionaries(st.sampled_from(["a", "b", "c", "1", "d"]),
                    st.lists(st.sampled_from(["a", "b", "c", "1", "x"]), max_size=3), max_size=4).map(repr),
    st.sampled_from([
        "{}", "{'a': ['a']}", "{'a': 'a'}", "{'a': ['a', 'a']}", "{1: ['1'], '1': ['1']}", "{'a': None}",
        "{'a': {'a'}}", "{'a': np.array(['a'])}", "[('a', ['a'])]", "None", "'a'", "{None: [None]}",
        "{str(i): [str(min(i + 1, 499))] for i in range(500)}",
        "{str(i): [str(j) for j in range(40)] for i in range(40)}",
        "{str(i): [str((i + 1) % 20000), str(i)] for i in range(20000)}",
    ]))


@given(successors=SUCCESSOR_MAPS)
def test_from_successors(successors):
    check_ps(call_code("ps.MDP.from_successors", successors) + ".n_states", ["successors"])


GRAPHS = st.sampled_from([
    "__import__('networkx').DiGraph([('a', 'b'), ('b', 'b')])", "__import__('networkx').DiGraph()",
    "__import__('networkx').DiGraph([('a', 'b')])", "__import__('networkx').DiGraph([(1, 1), ('1', '1')])",
    "__import__('networkx').MultiDiGraph([('a', 'a'), ('a', 'a')])", "__import__('networkx').Graph([('a', 'a')])",
    "__import__('networkx').path_graph(3000, create_using=__import__('networkx').DiGraph)",
    "None", "{'a': ['a']}",
])


@given(graph=GRAPHS)
def test_from_graph(graph):
    check_ps(call_code("ps.MDP.from_graph", graph) + ".n_states", ["graph"])


# a huge (12000, 2, 12000) input is a zero-strided view: the sandbox itself must not spend 1 GiB
# on building the input (it failed with MemoryError once the sandbox had grown over a long run)
ARRAYS = st.sampled_from([
    "np.ones((1, 1, 1))", "np.zeros((0, 1, 0))", "np.zeros((2, 0, 2))", "np.ones((2, 1, 3)) / 3",
    "np.random.default_rng(0).dirichlet(np.ones(4), size=(4, 2))", "np.full((2, 1, 2), 0.5)",
    "np.array([[[0.5, 0.5 + 1e-12]], [[0, 1]]])", "np.array([[[0.5, 0.4]], [[0, 1]]])",
    "np.array([[[np.nan, 1]], [[0, 1]]])", "np.array([[[np.inf, 0]], [[0, 1]]])", "np.array([[[1.2, -0.2]], [[0, 1]]])",
    "[[[1.0]]]", "[[[1.0, 0.0]], [[0.0]]]", "'abc'", "None", "np.ones((2, 2))", "np.ones((3, 1, 3), dtype=complex)",
    "np.broadcast_to(np.float32(0), (12000, 2, 12000))", "[[['1']]]",
])
MASKS = st.sampled_from(["None", "np.ones((2, 1), bool)", "[[True]]", "[[False]]", "'x'", "np.ones((1, 1))"])
NAMES = st.sampled_from(["None", "['a']", "['a', 'b']", "['a', 'a']", "['a', 'b', 'c', 'd']", "'ab'", "5", "[None, None]"])


@given(transitions=ARRAYS, states=NAMES, action_mask=MASKS,
       actions=st.sampled_from(["None", "[['x']]", "[['x'], ['y']]", "[['x', 'x']]", "5", "[5, 6]", "'ab'"]))
def test_from_arrays(transitions, states, action_mask, actions):
    check_ps(call_code("ps.MDP.from_arrays", transitions, states, action_mask, actions) + ".n_states",
             ["transitions", "states", "action_mask", "actions"])


CELLS = st.sampled_from(["()", "[(0, 0)]", "[(1, 1)]", "[(5, 5)]", "[(-1, 0)]", "[(0,)]", "[('a', 0)]", "None",
                         "[(0.5, 0)]", "[[0, 1]]", "[(10**20, 0)]", "{(0, 1)}", "'ab'"])


@given(rows=st.one_of(ints(0, 6), st.sampled_from(["1000", "300"])), cols=st.one_of(ints(0, 6), st.sampled_from(["1000"])),
       walls=CELLS, terminal=CELLS, slip=st.one_of(reals(-0.5, 1.5), wrong_types()),
       stay=st.sampled_from(["True", "False", "None", "1", "'yes'"]))
def test_gridworld(rows, cols, walls, terminal, slip, stay):
    check_ps(call_code("ps.MDP.gridworld", rows, cols, walls=walls, terminal=terminal, slip=slip, stay=stay)
             + ".n_states", ["rows", "cols", "walls", "terminal", "slip", "stay"])


EXAMPLES = st.sampled_from(["turner_fig1()", "detour()", "wait()", "negative_skew()", "negative_skew_rewards()",
                            "aima_4x3()", "aima_4x3(0.2)", "aima_4x3(1.0)", "aima_4x3('x')", "pacman_shutdown()",
                            "pacman_shutdown(1, 1)", "pacman_shutdown(0, 3)", "pacman_shutdown(2000, 2000)",
                            "pacman_shutdown(None, 2)"])


@given(example=EXAMPLES)
def test_examples(example):
    check_ps(f"repr(ps.examples.{example})", ["slip", "rows", "cols"])


QUERIES = st.sampled_from([
    "mdp.index('star')", "mdp.index(0)", "mdp.index(-1)", "mdp.index(10**20)", "mdp.index(None)", "mdp.index(1.5)",
    "mdp.action_index('star', 'l')", "mdp.action_index('star', 5)", "mdp.action_index('star', None)",
    "mdp.action_index('nowhere', 0)", "mdp.successors('l')", "mdp.successors([1])", "mdp.csr",
    "mdp.successor_table", "mdp.to_graph().number_of_edges()", "mdp.is_deterministic",
])


@given(mdp=st.sampled_from(["ps.examples.turner_fig1()", "ps.examples.aima_4x3(0.2)"]), query=QUERIES)
def test_queries(mdp, query):
    check_ps(f"mdp = {mdp}\nresult = {query}", ["state", "action", "name", "mdp"])


# ----------------------------------------------------------------------------- reward laws
LAWS = st.sampled_from(["stats.uniform()", "stats.norm()", "stats.cauchy()", "stats.poisson(3)", "stats.randint(0, 3)",
                        "stats.norm", "None", "1.0", "'norm'", "[stats.norm()]", "gh.point_mass(0.0)",
                        "stats.rv_discrete(values=([0, 1], [0.5, 0.5]))()"])
LAW_LISTS = st.sampled_from(["[stats.norm()] * 5", "[stats.norm()] * 3", "{s: stats.expon() for s in mdp.states}",
                             "{'nowhere': stats.norm()}", "[]", "{}", "[None] * 5", "stats.norm()", "None", "'ab'",
                             "{'start': stats.norm()}"])
VECTORS = st.sampled_from(["[1.0] * 5", "[1.0] * 4", "[]", "[np.nan] * 5", "[[1.0] * 5]", "'abcde'", "None",
                           "[1e308] * 5", "[1j] * 5", "np.arange(5)"])
SIZES = st.one_of(st.integers(1, 50).map(str), st.sampled_from(["0", "-1", "10**12", "1.5", "None"]))


@given(dist=LAWS, dists=LAW_LISTS, vector=VECTORS, K=SIZES)
def test_reward_laws(dist, dists, vector, K):
    mdp = "mdp = ps.examples.wait()\n"
    for law, params in ((f"ps.iid({dist})", ["dist"]), (f"ps.independent({dists})", ["dists"]),
                        (f"ps.fixed({vector})", ["vector"]),
                        ("ps.from_callable(lambda rng, k: rng.random((k, 5)))", ["fn"]),
                        (f"ps.from_callable({dist})", ["fn"])):
        check_ps(mdp + f"result = {law}.sample(np.random.default_rng(0), {K}, mdp).shape",
                 params + ["rewards", "K"])


# ----------------------------------------------------------------------------- public strategies
@settings(max_examples=4)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["deterministic_mdps()", "stochastic_mdps()"]))
def test_strategies_draw_inputs_the_functions_handle(seed, kind):
    """powerseek.strategies draws MDPs, rewards and discount rates that every main function
    handles inside the budget: draw with a fixed seed inside the sandbox, run the functions."""
    code = f"""
from hypothesis import given, settings, HealthCheck, strategies as st
from powerseek.strategies import deterministic_mdps, stochastic_mdps, reward_vectors, integer_reward_vectors, gammas
out = []
@settings(max_examples=4, database=None, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(mdp={kind}, g=gammas(), data=st.data())
def run(mdp, g, data):
    r = data.draw(reward_vectors(mdp.n_states))
    ri = data.draw(integer_reward_vectors(mdp.n_states))
    v = ps.value_iteration(mdp, np.vstack([r, ri]), g)
    p = ps.power(mdp, g, samples=50, rng={seed})
    q = ps.optimality_probability(mdp, 0, action=0, gamma=g, samples=50, rng={seed})
    out.append((float(v.values.max()), float(p.value.max()), q.value))
    if mdp.is_deterministic:
        out.append((float(ps.max_gain(mdp, r).max()), float(ps.power(mdp, 1.0, samples=20, rng=0).value.max()),
                    ps.optimality_probability(mdp, 0, action=0, gamma=1.0, samples=20, rng=0).value))
run()
result = out
"""
    out = check_ps(code, ["mdp"], timeout=120)
    assert out["status"] == "ok", out
