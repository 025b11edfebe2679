"""Contract tests of powerseek's solvers and estimators (Turner et al. 2021, "Optimal Policies Tend to
Seek Power"): every public function answers correctly or refuses with a ValueError/TypeError naming
the parameter, within the memory budget and a time limit (docs/contract.md).  Hypothesis composes
the calls; test_powerseek_regressions.py pins each failure found to its correct value.
"""

from __future__ import annotations

import math

from contract_support import call_code, check, ints, probabilities, reals, wrong_types
from hypothesis import given
from hypothesis import strategies as st

# ----------------------------------------------------------------------------- input strategies
#: small MDPs of every kind (deterministic, stochastic, one state, a long chain, a gridworld)
MDPS = st.sampled_from([
    "ps.examples.turner_fig1()", "ps.examples.detour()", "ps.examples.wait()", "ps.examples.negative_skew()",
    "ps.examples.aima_4x3(0.2)", "ps.examples.pacman_shutdown(2, 2)", "ps.MDP.gridworld(5, 5)",
    "ps.MDP.gridworld(3, 3, slip=0.5)", "ps.MDP.from_successors({'a': ['a']})",
    "ps.MDP.from_successors({str(i): [str(min(i + 1, 149))] for i in range(150)})",
    "ps.MDP.from_arrays(np.random.default_rng(1).dirichlet(np.ones(6), size=(6, 3)))",
])
DETERMINISTIC = ["ps.examples.turner_fig1()", "ps.examples.detour()", "ps.examples.wait()",
                 "ps.examples.pacman_shutdown(2, 2)", "ps.MDP.from_successors({'a': ['a']})"]
NOT_MDPS = st.sampled_from(["None", "'fig1'", "ps.examples.turner_fig1", "object()", "np.zeros((2, 1, 2))"])
GAMMAS = st.one_of(probabilities(), st.sampled_from(
    ["1 - 1e-6", "1 - 1e-9", "1 - 1e-12", "1 - 1e-15", "0.999", "0.9", "1e-300", "np.float64(0.5)", "1"]),
    wrong_types())
#: reward laws: default, light, heavy (finite mean, infinite variance), no mean, discrete, extreme
#: scales, callables, and things that are not reward laws
REWARDS = st.sampled_from([
    "None", "ps.iid(stats.uniform())", "ps.iid(stats.norm())", "stats.expon()", "ps.iid(stats.t(1.5))",
    "stats.cauchy()", "ps.iid(stats.levy())", "ps.iid(stats.randint(0, 3))", "stats.poisson(2)",
    "ps.iid(stats.norm(0, 1e300))", "ps.iid(stats.uniform(0, 1e-300))", "ps.iid(stats.norm(1e12))",
    "lambda rng, K: rng.random((K, 8))", "lambda rng, K: 1 / 0", "lambda rng, K: np.full((K, 8), np.nan)",
    "1.0", "'uniform'", "stats.norm", "[1.0, 2.0]", "ps.fixed([1.0, 2.0])", "gh.point_mass(0.0)",
    "stats.levy_stable(1.5, 0)", "ps.iid(stats.randint(0, 10**9))", "ps.independent([stats.norm()] * 3)",
])
SAMPLES = st.one_of(st.integers(2, 300).map(str), st.sampled_from(
    ["0", "1", "-1", "10**9", "10**12", "2**63", "1.5", "float('nan')", "None", "'100'", "1e3"]))
SEEDS = st.sampled_from(["0", "1", "None", "np.random.default_rng(3)", "-1", "1.5", "'seed'"])
TOLS = st.one_of(st.sampled_from(["1e-9", "1e-3", "1e-15", "1e-300", "0.0", "-1.0", "float('nan')", "float('inf')",
                                  "None", "'small'"]), reals(1e-12, 1.0))
POWER_PARAMS = ["mdp", "gamma", "rewards", "samples", "rng", "method", "tol"]


def _uniform_bounds_hold(out: dict, rewards: str) -> None:
    """POWER under U(0, 1) rewards is an average of rewards: in [0, 1] up to the solver bound."""
    if out["status"] == "ok" and rewards in ("None", "ps.iid(stats.uniform())") and isinstance(out["value"]["value"], list):
        val = out["value"]
        for v in val["value"]:
            assert -1e-9 - val["bound"] <= v <= 1 + 1e-9 + val["bound"], out


# ----------------------------------------------------------------------------- estimators
@given(mdp=MDPS, gamma=GAMMAS, rewards=REWARDS, samples=SAMPLES, rng=SEEDS)
def test_power(mdp, gamma, rewards, samples, rng):
    out = check(call_code("ps.power", mdp, gamma, rewards=rewards, samples=samples, rng=rng), POWER_PARAMS,
                allow_inf=["stderr*"])
    _uniform_bounds_hold(out, rewards)


@given(mdp=st.one_of(MDPS, NOT_MDPS), gamma=st.sampled_from(["0.0", "1.0", "0.5"]),
       method=st.sampled_from(["'auto'", "'mc'", "'exact'", "'vi'", "None", "1"]), tol=TOLS)
def test_power_methods_and_tol(mdp, gamma, method, tol):
    out = check(call_code("ps.power", mdp, gamma, samples="50", rng="0", method=method, tol=tol), POWER_PARAMS)
    _uniform_bounds_hold(out, "None")


GAMMA_LISTS = st.one_of(
    st.lists(st.sampled_from(["0.0", "0.5", "0.9", "1.0", "1e-300", "1 - 1e-9", "1 - 1e-15", "float('nan')", "2.0"]),
             min_size=0, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.sampled_from(["np.linspace(0, 1, 5)", "0.5", "[[0.5]]", "None", "'0.5'", "[0.5, None]"]))


@given(mdp=MDPS, gammas=GAMMA_LISTS, rewards=REWARDS, samples=SAMPLES)
def test_power_curve(mdp, gammas, rewards, samples):
    out = check(call_code("ps.power_curve", mdp, gammas, rewards=rewards, samples=samples, rng="1"),
                ["mdp", "gammas", "rewards", "samples", "rng", "tol"], allow_inf=["stderr*"])
    if out["status"] == "ok" and rewards == "None":
        flat = [v for row in out["value"]["value"] for v in (row if isinstance(row, list) else [row])]
        assert all(-1e-6 <= v <= 1 + 1e-6 for v in flat if isinstance(v, float)), out


STATES = st.sampled_from(["'star'", "'s1'", "'start'", "'a'", "0", "-1", "99", "None", "'nowhere'", "1.5"])
SUCCESSORS = st.sampled_from(["None", "'empty'", "'l'", "'s2'", "'wait'", "'a'", "'nowhere'", "3", "[1]"])
ACTIONS = st.sampled_from(["None", "0", "1", "'N'", "'stay'", "'l'", "-1", "7", "'nope'"])


@given(mdp=MDPS, state=STATES, successor=SUCCESSORS, action=ACTIONS, gamma=GAMMAS, rewards=REWARDS,
       samples=SAMPLES)
def test_optimality_probability(mdp, state, successor, action, gamma, rewards, samples):
    out = check(call_code("ps.optimality_probability", mdp, state, successor, gamma=gamma, rewards=rewards,
                          samples=samples, rng="2", action=action),
                ["mdp", "state", "successor", "action", "gamma", "rewards", "samples", "rng", "eps"])
    if out["status"] == "ok":
        v = out["value"]
        assert 0.0 <= v["value"] <= 1.0 and v["stderr"] <= 0.5 / math.sqrt(max(v["samples"], 1)) + 1e-12, out


N_VALUES = st.one_of(ints(0, 50), st.sampled_from(["10**5", "10**12", "10**15", "2**200", "10**400", "10.0"]))
LAWS = st.one_of(st.sampled_from([
    "stats.uniform()", "stats.expon()", "stats.norm()", "stats.gumbel_r()", "stats.t(3)", "stats.t(1.5)",
    "stats.pareto(1.5)", "stats.lognorm(2)", "stats.beta(0.5, 0.5)", "stats.cauchy()", "stats.levy()",
    "stats.norm(1e12)", "stats.uniform(0, 1e-9)", "stats.weibull_min(0.5)", "stats.poisson(3)",
    "stats.randint(0, 5)", "stats.bernoulli(0.3)", "stats.geom(0.5)", "stats.zipf(1.5)",
    "stats.rv_discrete(values=([0.0, 2.5], [0.5, 0.5]))()", "stats.levy_stable(1.5, 0)"]),
    st.sampled_from(["None", "1.0", "'norm'", "stats.norm", "gh.point_mass(0.0)"]))


@given(dist=LAWS, n=N_VALUES)
def test_expected_max_iid(dist, n):
    out = check(call_code("ps.expected_max_iid", dist, n), ["dist", "n"], allow_inf=["result"], timeout=60)
    if out["status"] == "ok" and out["value"] != "inf" and dist == "stats.uniform()":
        nn = float(eval(n))
        assert abs(out["value"] - nn / (nn + 1)) <= 1e-12, out
    if out["status"] == "ok" and out["value"] == "inf":
        assert dist in ("stats.levy()", "stats.zipf(1.5)"), out  # only laws with E[X] = +inf have E[max] = +inf


# ----------------------------------------------------------------------------- solvers
REWARD_ARRAYS = st.sampled_from([
    "np.random.default_rng(0).random(S)", "np.random.default_rng(0).random((7, S))", "np.zeros(S)",
    "np.full(S, 1e308)", "np.full(S, 5e-324)", "np.full(S, -1e300)", "np.arange(S) * 1e-20",
    "np.full(S, np.nan)", "np.full(S, np.inf)", "np.ones(S + 1)", "np.ones((0, S))", "[[1.0], [2.0]]",
    "'abc'", "None", "np.ones((2, 2, S))",
])
EPS = st.one_of(st.sampled_from(["1e-10", "1e-300", "1.0", "1e300", "0.0", "-1.0", "float('nan')", "float('inf')",
                                 "None"]), reals(1e-12, 1.0))


def check_ps(code: str, params, **kw) -> dict:
    return check(code, params, package="powerseek", **kw)


def _with_states(mdp: str, expr: str) -> str:
    return f"mdp = {mdp}\nS = getattr(mdp, 'n_states', 3)\nresult = {expr}"


@given(mdp=MDPS, rewards=REWARD_ARRAYS, gamma=GAMMAS, eps=EPS,
       method=st.sampled_from(["'auto'", "'vi'", "'pi'", "'lp'", "None"]))
def test_value_iteration(mdp, rewards, gamma, eps, method):
    check_ps(_with_states(mdp, call_code("ps.value_iteration", "mdp", rewards, gamma, eps=eps, method=method)),
          ["mdp", "rewards", "gamma", "eps", "method"])


@given(mdp=MDPS, rewards=REWARD_ARRAYS, gamma=GAMMAS, eps=EPS, state=st.sampled_from(["None", "0", "'star'", "-3"]))
def test_optimal_actions_and_q_values(mdp, rewards, gamma, eps, state):
    check_ps(_with_states(mdp, call_code("ps.optimal_actions", "mdp", rewards, gamma, eps=eps, state=state)),
          ["mdp", "rewards", "gamma", "eps", "state"])
    check_ps(_with_states(mdp, call_code("ps.q_values", "mdp", "np.ones(S)", rewards, gamma, state=state)),
          ["mdp", "V", "rewards", "gamma", "state"], allow_inf=["*"])  # absent actions are -inf


POLICIES = st.sampled_from(["[0] * S", "[-1] * S", "[0] * (S + 1)", "['nope'] * S", "None", "'0' * S",
                            "[a[0] for a in mdp.actions]", "np.zeros(S, dtype=int)"])


@given(mdp=MDPS, policy=POLICIES, gamma=GAMMAS, reward=REWARD_ARRAYS)
def test_policy_value(mdp, policy, gamma, reward):
    check_ps(_with_states(mdp, call_code("ps.policy_value", "mdp", policy, reward, gamma)),
          ["mdp", "policy", "reward", "gamma"])


@given(mdp=st.one_of(st.sampled_from(DETERMINISTIC + ["ps.examples.aima_4x3(0.2)", "ps.MDP.gridworld(4, 4)"]),
                     NOT_MDPS),
       rewards=REWARD_ARRAYS, method=st.sampled_from(["'karp'", "'cycles'", "'lp'"]),
       limit=st.sampled_from(["'one'", "'zero'", "'half'", "None"]), state=st.sampled_from(["0", "'star'", "-1"]))
def test_limits(mdp, rewards, method, limit, state):
    check_ps(_with_states(mdp, call_code("ps.max_gain", "mdp", rewards, method=method)), ["mdp", "rewards", "method"])
    check_ps(_with_states(mdp, call_code("ps.limit_optimal_actions", "mdp", state, rewards, limit)),
          ["mdp", "state", "rewards", "limit"])
    check_ps(_with_states(mdp, "len(ps.lassos(mdp, 0)), len(ps.reachable_cycles(mdp)[0])"), ["mdp", "state", "max_lassos"])
