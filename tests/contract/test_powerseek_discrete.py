"""Contract tests of the discrete reward laws (ps.tabulated, ps.point_mass) and of method="exact"
(enumeration of every reward vector of a finite discrete law, Turner et al. 2021, Defs. 5.2 and
6.1): an answer with stderr 0 and a small bound, or a refusal naming the parameter (``rewards``
for infinite support or more than ps.MAX_EXACT reward vectors)."""

from __future__ import annotations

import math

from contract_support import call_code, check
from hypothesis import given, settings
from hypothesis import strategies as st

FEW = max(5, settings.default.max_examples // 3)

MDPS = st.sampled_from(["ps.examples.turner_fig1()", "ps.examples.wait()", "ps.MDP.gridworld(2, 2)", "ps.MDP.gridworld(5, 5)",
                        "ps.MDP.gridworld(2, 2, slip=0.3)", "ps.MDP.from_successors({'a': ['a']})"])
LAWS = st.sampled_from([
    "stats.bernoulli(0.3)", "stats.randint(0, 3)", "stats.poisson(2)", "stats.binom(3, 0.5)", "stats.randint(0, 2 * 10**6)",
    "ps.tabulated([0, 1, 10], [0.5, 0.3, 0.2])", "ps.point_mass(1e300)", "ps.point_mass(-2.5)",
    "ps.tabulated([-1e300, 1e300], [0.5, 0.5])", "ps.tabulated([5e-324, 0], [0.5, 0.5])", "stats.uniform()",
    "stats.bernoulli(0.0)", "lambda rng, K: rng.random((K, 9))"])
GAMMAS = st.sampled_from(["0.0", "0.5", "0.9", "1 - 1e-9", "1.0"])
METHODS = st.sampled_from(["'exact'", "'auto'", "'mc'", "'nope'"])
POWER_PARAMS = ["mdp", "gamma", "rewards", "samples", "rng", "method", "tol"]


@settings(max_examples=FEW)
@given(mdp=MDPS, law=LAWS, gamma=GAMMAS, method=METHODS)
def test_power_discrete(mdp, law, gamma, method):
    out = check(call_code("ps.power", mdp, gamma, rewards=law, samples="200", rng="0", method=method), POWER_PARAMS,
                allow_inf=["stderr*"])
    if out["status"] == "ok" and out["value"]["method"] == "exact":
        v = out["value"]
        assert all(s == 0.0 for s in v["stderr"]) and v["samples"] == 0, out


@settings(max_examples=FEW)
@given(mdp=MDPS, law=LAWS, gamma=GAMMAS, method=METHODS)
def test_optimality_probability_discrete(mdp, law, gamma, method):
    out = check(call_code("ps.optimality_probability", mdp, "0", gamma=gamma, rewards=law, samples="200", rng="0",
                          action="0", method=method),
                ["mdp", "state", "successor", "action", "gamma", "rewards", "samples", "rng", "eps", "method"])
    if out["status"] == "ok":
        assert 0.0 <= out["value"]["value"] <= 1.0, out


VALUES = st.sampled_from(["[0, 1]", "[1.5]", "[]", "[1, float('nan')]", "[1e308, -1e308]", "'ab'", "None",
                          "[[0, 1]]", "np.arange(5)"])
PROBS = st.sampled_from(["[0.5, 0.5]", "[1.0]", "[0.7, 0.7]", "[-0.5, 1.5]", "[1, 0]", "[float('inf'), 0]",
                         "np.full(5, 0.2)", "None", "[1/3, 2/3]"])


@settings(max_examples=FEW)
@given(values=VALUES, probs=PROBS)
def test_tabulated(values, probs):
    out = check(f"law = ps.tabulated({values}, {probs})\nresult = [float(law.mean()), float(law.dist.pk.sum())]",
                ["values", "probs", "tol"])
    if out["status"] == "ok":
        assert all(math.isfinite(x) for x in out["value"]), out


@given(value=st.sampled_from(["0.0", "-1e308", "float('nan')", "float('inf')", "'x'", "None", "[1.0, 2.0]", "3"]))
@settings(max_examples=FEW)
def test_point_mass(value):
    check(f"law = ps.point_mass({value})\nresult = float(law.mean())", ["value"])
