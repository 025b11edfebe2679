"""Contract tests of powerseek at scale: sparse MDPs, policy iteration, gamma = 1 on stochastic MDPs,
importers and MDP files (docs/contract.md). Every call answers or refuses with a ValueError /
TypeError naming the parameter, within the memory budget and a time limit.
"""

from __future__ import annotations

from contract_support import call_code, check, reals
from hypothesis import given, settings
from hypothesis import strategies as st

MDPS = st.sampled_from([
    "ps.examples.turner_fig1()", "ps.examples.aima_4x3(0.2)", "ps.MDP.gridworld(6, 6)",
    "ps.MDP.gridworld(4, 4, terminal=[(1, 1)], slip=0.3)", "ps.MDP.from_successors({'a': ['a']})",
    "ps.MDP.from_successors({str(i): [str(min(i + 1, 199))] for i in range(200)})",
    "ps.MDP.from_arrays(np.random.default_rng(1).dirichlet(np.ones(6) * 0.2, size=(6, 3)))",
    "None", "'mdp'",
])
REWARDS = st.sampled_from([
    "np.random.default_rng(0).random(S)", "np.random.default_rng(0).random((5, S))", "np.zeros(S)",
    "np.full(S, 1e308)", "np.full(S, 5e-324)", "np.arange(S) * 1e-200", "np.arange(S) % 3", "np.full(S, np.nan)",
    "np.ones(S + 1)", "None", "'abc'",
])
GAMMAS = st.one_of(st.sampled_from(["0.5", "0.99", "1 - 1e-9", "1 - 1e-13", "1.0", "0.0", "1e-300", "-0.1", "None"]),
                   reals(0.0, 1.0))


def check_ps(code: str, params, **kw) -> dict:
    return check(code, params, package="powerseek", **kw)


def _with_states(mdp: str, expr: str) -> str:
    return f"mdp = {mdp}\nS = getattr(mdp, 'n_states', 3)\nresult = {expr}"


@settings(max_examples=12)
@given(mdp=MDPS, rewards=REWARDS, gamma=GAMMAS, eps=st.sampled_from(["1e-10", "1e-300", "1.0", "0.0", "None"]))
def test_policy_iteration(mdp, rewards, gamma, eps):
    out = check_ps(_with_states(mdp, call_code("ps.policy_iteration", "mdp", rewards, gamma, eps=eps)),
                   ["mdp", "rewards", "gamma", "eps"])
    if out["status"] == "ok":
        assert out["value"]["method"] == "pi", out


@settings(max_examples=12)
@given(mdp=st.one_of(MDPS, st.just("ps.MDP.gridworld(45, 45, slip=0.1)")), rewards=REWARDS, method=st.sampled_from(["'pi'", "'lp'", "'vi'", "None"]),
       blackwell=st.sampled_from(["True", "False", "None", "1"]))
def test_average_optimal(mdp, rewards, method, blackwell):
    check_ps(_with_states(mdp, call_code("ps.average_optimal", "mdp", rewards, method=method, blackwell=blackwell)),
             ["mdp", "rewards", "method", "blackwell"])


ARRAYS = st.sampled_from([
    "np.random.default_rng(0).dirichlet(np.ones(3), size=(3, 3))", "np.random.default_rng(0).dirichlet(np.ones(4), size=(2, 4))",
    "np.random.default_rng(0).dirichlet(np.ones(4), size=(4, 2))", "np.ones((1, 1, 1))", "np.ones((2, 3, 4))",
    "np.full((2, 2, 2), 0.4)", "np.zeros((0, 2, 2))", "np.ones((5, 5))", "[[[1.0]]]", "None",
])


@given(transitions=ARRAYS, layout=st.sampled_from(["None", "'SAS'", "'ASS'", "'SSA'", "1", "'sas'"]))
def test_from_arrays_layout(transitions, layout):
    check_ps(call_code("ps.MDP.from_arrays", transitions, layout=layout) + ".n_states", ["transitions", "layout"])


ENVS = st.sampled_from([
    "__import__('gymnasium').make('FrozenLake-v1', map_name='8x8')", "__import__('gymnasium').make('Taxi-v4')",
    "__import__('gymnasium').make('CliffWalking-v1')", "__import__('gymnasium').make('CartPole-v1')",
    "{0: {0: [(1.0, 0, 0.0, False)]}}", "{0: {0: [(0.5, 0, 0.0, False)]}}", "{0: {0: [(1.0, 5, 0.0, False)]}}",
    "{0: {0: [(1.0, 0)]}}", "{0: {-1: [(1.0, 0, 0.0, True)]}}", "{1: {0: [(1.0, 1, 0.0, False)]}}", "{}",
    "{0: None}", "{0: {0: [(float('nan'), 0, 0.0, False)]}}", "None", "object()", "[{0: [(1.0, 0, 0.0, True)]}]",
])


@settings(max_examples=16)
@given(env=ENVS)
def test_from_gymnasium(env):
    check_ps(f"import warnings; warnings.simplefilter('ignore')\nresult = ps.MDP.from_gymnasium({env}).n_states", ["env"])


P_ARRAYS = st.sampled_from([
    "__import__('mdptoolbox.example', fromlist=['forest']).forest(S=4)[0]",
    "list(__import__('mdptoolbox.example', fromlist=['rand']).rand(6, 2, is_sparse=True)[0])",
    "np.ones((2, 3, 3)) / 3", "np.ones((2, 3, 3))", "np.ones((2, 3, 4)) / 4", "[np.eye(3), np.eye(2)]", "[]",
    "[np.eye(2), 'x']", "None", "'P'", "np.zeros((1, 0, 0))", "[np.full((2, 2), np.inf)]",
])


@given(P=P_ARRAYS)
def test_from_pymdptoolbox(P):
    check_ps(f"result = ps.MDP.from_pymdptoolbox({P}).n_states", ["P"])


DDPS = st.sampled_from([
    "qe.DiscreteDP(np.zeros((2, 2)), np.full((2, 2, 2), 0.5), 0.9)",
    "qe.DiscreteDP([5.0, 10.0, -1.0], [(0.5, 0.5), (0, 1), (0, 1)], 0.9, [0, 0, 1], [0, 1, 0])",
    "qe.DiscreteDP(np.array([[1.0, -np.inf]] * 2), np.full((2, 2, 2), 0.5), 0.9)", "None", "object()", "np.eye(2)",
])


@given(ddp=DDPS)
def test_from_quantecon(ddp):
    check_ps(f"qe = __import__('quantecon.markov', fromlist=['DiscreteDP'])\nresult = ps.MDP.from_quantecon({ddp}).n_states",
             ["ddp"])


@settings(max_examples=16)
@given(mdp=st.sampled_from(["ps.examples.turner_fig1()", "ps.MDP.gridworld(3, 3, slip=0.2)", "ps.examples.wait()"]),
       name=st.sampled_from(["'m.npz'", "'m.json'", "'m.txt'", "'sub/m.npz'", "''", "'taken.npz'", "'taken.json'"]),
       fmt=st.sampled_from(["None", "'npz'", "'json'", "'csv'", "1"]))
def test_save_and_load(mdp, name, fmt):
    code = (f"import tempfile, pathlib\nd = pathlib.Path(tempfile.mkdtemp())\n(d / 'taken.npz').write_bytes(b'PK user')\n"
            f"(d / 'taken.json').write_text('{{}}')\nm = {mdp}\np = m.save(d / {name}, format={fmt})\n"
            "result = (ps.MDP.load(p) == m, (d / 'taken.json').read_text())")
    out = check_ps(code, ["path", "format", "mdp"])
    if out["status"] == "ok":
        assert out["value"] == [True, "{}"], out
    for bad in ("None", "'nowhere.npz'", "__file__ if '__file__' in dir() else 'x'"):
        check_ps(f"result = ps.MDP.load({bad})", ["path"])


def test_sparse_gridworld_power_in_the_capped_sandbox():
    """A 150 x 150 gridworld (22,500 states; 20 GB dense) builds and gives POWER at gamma = 0.999
    and 1 inside the sandbox's 2 GiB cap; U(0, 1) rewards keep every value in [0, 1]."""
    out = check_ps("mdp = ps.MDP.gridworld(150, 150)\nresult = []\nfor g in (0.999, 1.0):\n"
                   "    r = ps.power(mdp, g, samples=4, rng=0)\n"
                   "    result.append((r.method, float(r.value.min()), float(r.value.max()), r.bound))",
                   ["samples", "gamma", "mdp"], timeout=120)
    assert out["status"] == "ok", out
    for meth, lo, hi, bound in out["value"]:
        assert meth == "pi" and -1e-9 <= lo and hi <= 1 + 1e-9 and bound <= 1e-9, out
