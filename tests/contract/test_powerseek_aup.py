"""Contract of the AUP and power-averse agents: any penalty weight, discount, size, no-op name or
reward law gives finite frequencies in [0, 1] or a refusal naming the parameter (deterministic MDPs
exercise the functional-graph policy iteration, the slippery grid the dense one)."""

from __future__ import annotations

import numpy as np
from contract_support import call_code, check, ints, reals, wrong_types
from hypothesis import given
from hypothesis import strategies as st

PARAMS = ["mdp", "state", "lam", "gamma", "rewards", "n_aux", "samples", "noop", "power_samples", "reward",
          "aux_rewards", "K"]
MDPS = ["ps.examples.pacman_shutdown()", "ps.MDP.gridworld(2, 3)", "ps.examples.turner_fig1()",
        "ps.MDP.from_successors({'A': ['A', 'B'], 'B': ['B']})"]
LAMS = st.one_of(reals(0, 100), wrong_types(), st.sampled_from(["[0.0, 1.0, 1e300]", "[]", "[[1.0]]", "[-1.0]",
                                                                  "np.geomspace(1e-3, 1e3, 4)"]))
GAMMAS = st.one_of(reals(0, 1), st.sampled_from(["0.5", "0.9", "0.99", "1 - 1e-9", "1e-9"]))
NOOPS = st.sampled_from(["'self'", "'stay'", "'off'", "None", "3"])


@given(mdp=st.sampled_from(MDPS + ["ps.MDP.gridworld(2, 2, slip=0.3)"]), lam=LAMS, gamma=GAMMAS, samples=ints(2, 40),
       n_aux=ints(1, 3), noop=NOOPS,
       state=st.sampled_from(["0", "'0,0'", "'A'", "'star'", "99", "None"]))
def test_aup_action_frequencies(mdp, lam, gamma, samples, n_aux, noop, state):
    out = check(call_code("ps.aup_action_frequencies", mdp, state, lam, gamma, n_aux=n_aux, samples=samples,
                          rng="0", noop=noop, power_samples="200"), PARAMS, timeout=60)
    if out["status"] == "ok":
        freq = np.asarray(out["value"]["frequency"], dtype=float)
        assert np.all((freq >= 0) & (freq <= 1)), freq


@given(mdp=st.sampled_from(MDPS), lam=LAMS, gamma=GAMMAS, samples=ints(2, 40),
       rewards=st.sampled_from(["None", "stats.norm()", "stats.cauchy()", "stats.expon()", "ps.iid(stats.t(3))"]))
def test_power_averse_frequencies(mdp, lam, gamma, samples, rewards):
    check(call_code("ps.power_averse_frequencies", mdp, "0", lam, gamma, rewards=rewards, samples=samples, rng="1",
                    power_samples="200"), PARAMS, timeout=60)


@given(lam=reals(0, 1e6), gamma=GAMMAS, reward=st.sampled_from(["[0.0, 1.0]", "[1e308, -1e308]", "[0.0]", "'x'",
                                                                  "[float('nan'), 0.0]"]),
       aux=st.sampled_from(["[[0.0, 1.0]]", "[0.0, 1.0]", "[]", "[[1e300, 1e300]]", "np.zeros((0, 2))"]))
def test_aup_policy(lam, gamma, reward, aux):
    check(call_code("ps.aup_policy", "ps.MDP.from_successors({'A': ['A', 'B'], 'B': ['B']})", reward, aux, lam,
                    gamma, noop="'self'"), PARAMS, allow_inf=["q*", "penalty*"])


@given(lam=reals(0, 1e6), gamma=GAMMAS, seed=st.integers(0, 3))
def test_aup_policy_stochastic(lam, gamma, seed):
    """A slippery grid (dense policy evaluation): finite values with a finite bound, any lam and gamma."""
    out = check(call_code("ps.aup_policy", "ps.MDP.gridworld(2, 2, slip=0.3)",
                          f"np.random.default_rng({seed}).random(4)", f"np.random.default_rng({seed} + 9).random((2, 4))",
                          lam, gamma), PARAMS, allow_inf=["q*", "penalty*"])
    if out["status"] == "ok":
        assert np.isfinite(float(out["value"]["bound"]))
