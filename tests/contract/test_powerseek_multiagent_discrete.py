"""Contract of powerseek.multiagent.power_with_reward with discrete marginal reward laws (scipy
discrete laws, ps.tabulated, ps.point_mass, extreme supports): a finite answer or a refusal naming
the parameter; with one support point (every reward equal) POWER is that value at every state
with stderr 0, whatever agent 1's tie-breaking."""

from __future__ import annotations

import math

import numpy as np
from contract_support import call_code, check, reals
from hypothesis import given, settings
from hypothesis import strategies as st

FEW = max(5, settings.default.max_examples // 3)

PARAMS = ["joint", "gamma", "gamma_1", "correlation", "rewards", "samples", "rng", "tol"]
JOINTS = st.sampled_from([
    "ps.multiagent.joint([ps.MDP.gridworld(1, 3)] * 2)",
    "ps.multiagent.joint([ps.MDP.gridworld(2, 2, slip=0.2)] * 2)",
    "ps.multiagent.joint([ps.MDP.from_successors({'x': ['x']}), ps.examples.turner_fig1()], collide=False)"])
LAWS = st.sampled_from([
    "stats.bernoulli(0.5)", "stats.bernoulli(0.0)", "stats.randint(0, 3)", "stats.poisson(2)", "stats.binom(3, 0.5)",
    "stats.zipf(1.5)", "stats.zipf(2.5)", "stats.randint(-10**15, 10**15)", "stats.poisson",
    "ps.tabulated([0, 1, 10], [0.5, 0.3, 0.2])", "ps.tabulated([-1e300, 1e300], [0.5, 0.5])",
    "ps.tabulated([5e-324, 0], [0.5, 0.5])", "ps.tabulated([-1.7e308, 1.7e308], [0.5, 0.5])",
    "ps.point_mass(-2.5)", "ps.point_mass(1e300)", "ps.point_mass(0.0)"])
GAMMAS = st.sampled_from(["0.5", "0.9", "1e-9", "1 - 1e-9"])


@settings(max_examples=FEW)
@given(j=JOINTS, law=LAWS, gamma=GAMMAS, gamma_1=st.one_of(st.just("None"), GAMMAS), rho=reals(-1, 1))
def test_power_with_reward_discrete(j, law, gamma, gamma_1, rho):
    out = check(call_code("ps.multiagent.power_with_reward", j, gamma, correlation=rho, gamma_1=gamma_1,
                          rewards=law, samples="20", rng="0"), PARAMS, allow_inf=["stderr*"], timeout=60)
    if out["status"] != "ok":
        return
    v = out["value"]
    assert np.all(np.isfinite(np.asarray(v["value"], dtype=float)))
    if law.startswith("ps.point_mass("):
        c = float(law[len("ps.point_mass("):-1])
        assert all(s == 0.0 for s in v["stderr"]), out
        assert all(abs(x - c) <= v["bound"] + 1e-12 * abs(c) for x in v["value"]), out
        assert math.isfinite(v["bound"])
