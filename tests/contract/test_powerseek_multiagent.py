"""Contract of powerseek.multiagent: any pair of MDPs, collision rule, policy, discount rates,
correlation, reward law and sample count gives a finite answer or a refusal naming the parameter."""

from __future__ import annotations

import numpy as np
from contract_support import any_laws, call_code, check, ints, probabilities, reals, wrong_types
from hypothesis import given
from hypothesis import strategies as st

PARAMS = ["mdps", "collide", "joint", "policies", "policy", "gamma", "gamma_1", "correlation", "rewards",
          "samples", "rng", "tol", "state"]
MDPS = ["ps.MDP.gridworld(1, 3)", "ps.MDP.gridworld(2, 2, slip=0.2)", "ps.examples.turner_fig1()",
        "ps.MDP.from_successors({'x': ['x']})", "ps.MDP.from_successors({'0,0': ['0,1'], '0,1': ['0,0']})",
        "ps.MDP.gridworld(25, 25)"]
JOINTS = ["ps.multiagent.joint([ps.MDP.gridworld(1, 3)] * 2)",
          "ps.multiagent.joint([ps.MDP.gridworld(2, 2, slip=0.2)] * 2)",
          "ps.multiagent.joint([ps.MDP.from_successors({'x': ['x']}), ps.examples.turner_fig1()], collide=False)",
          "ps.MDP.gridworld(1, 3)", "None"]
GAMMAS = st.one_of(probabilities(), st.sampled_from(["0.5", "0.9", "1 - 1e-9", "1e-9"]))


@given(m0=st.sampled_from(MDPS), m1=st.sampled_from(MDPS),
       collide=st.sampled_from(["True", "False", "1", "None"]), extra=st.sampled_from(["", "x", "3"]))
def test_joint(m0, m1, collide, extra):
    mdps = {"": f"[{m0}, {m1}]", "x": f"[{m0}, {m1}, {m0}]", "3": "3"}[extra]
    check(call_code("ps.multiagent.joint", mdps, collide=collide), PARAMS, timeout=60)


@given(j=st.sampled_from(JOINTS), k=st.sampled_from(["0", "1", "2", "True", "'1'"]),
       policy=st.sampled_from(["'uniform'", "lambda s: 'stay'", "lambda s: {'stay': 0.5, 'E': 0.5}",
                               "lambda s: {'stay': float('nan')}", "{}", "lambda s: 'x'", "3",
                               "lambda s: {'stay': 1e300}", "{('0,0', '0,1'): 'stay'}", "lambda s: {'stay': 10**400}",
                               "lambda s: {'stay': True}"]))
def test_fix_policies(j, k, policy):
    check(call_code("ps.multiagent.fix_policies", j, f"{{{k}: {policy}}}"), PARAMS, timeout=60)


@given(j=st.sampled_from(JOINTS), gamma=GAMMAS, gamma_1=st.one_of(st.just("None"), GAMMAS),
       rho=st.one_of(reals(-1, 1), wrong_types()), rewards=st.one_of(st.just("None"), any_laws()),
       samples=ints(2, 30), tol=st.sampled_from(["1e-9", "1e-300", "1e300", "0.0", "-1.0", "float('nan')"]))
def test_power_with_reward(j, gamma, gamma_1, rho, rewards, samples, tol):
    out = check(call_code("ps.multiagent.power_with_reward", j, gamma, correlation=rho, gamma_1=gamma_1,
                          rewards=rewards, samples=samples, rng="0", tol=tol), PARAMS, allow_inf=["stderr*"],
                timeout=60)
    if out["status"] == "ok":
        value = np.asarray(out["value"]["value"], dtype=float)
        assert np.all(np.isfinite(value))
