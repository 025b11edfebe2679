"""Contract of goodhart's detectability functions: any law, budget, gain and delta gives a
finite answer or a refusal naming the parameter."""

from __future__ import annotations

from contract_support import any_laws, call_code, check, ints, probabilities, reals, wrong_types
from hypothesis import given
from hypothesis import strategies as st

PARAMS = ["Q", "kl", "gain", "delta", "t", "mass", "rollouts", "trials", "tail_index"]


@given(Q=any_laws(), kl=st.one_of(reals(0, 10), wrong_types()), gain=reals(0, 100), delta=probabilities())
def test_detectability(Q, kl, gain, delta):
    check(call_code("gh.detectability", Q, kl, gain, delta), PARAMS, timeout=60)


@given(Q=st.one_of(any_laws(), st.sampled_from(["[1.0, 2.0, 3.0]", "np.arange(10.0)", "gh.load_rewards('llama')",
                                                 "[1.0]", "np.array([[1.0, 2.0]])", "[1.0, float('nan')]"])),
       t=reals(), mass=st.one_of(probabilities(), st.just("None")), gain=st.one_of(reals(0, 10), st.just("None")))
def test_threshold_policy(Q, t, mass, gain):
    check(call_code("gh.threshold_policy", Q, t, mass=mass, gain=gain), PARAMS)


@given(mass=probabilities(), delta=probabilities())
def test_rollouts_to_detect(mass, delta):
    check(call_code("gh.rollouts_to_detect", mass, delta), PARAMS)


@given(Q=any_laws(), t=reals(-10, 10), mass=probabilities(), rollouts=ints(1, 300), trials=ints(1, 300))
def test_simulate_detection(Q, t, mass, rollouts, trials):
    check(call_code("gh.simulate_detection", Q, t, mass, rollouts, trials, rng="0"), PARAMS)


@given(kl=reals(0, 1), alpha=reals(0, 10), delta=probabilities())
def test_detection_asymptote(kl, alpha, delta):
    check(call_code("gh.detection_asymptote", kl, alpha, delta), PARAMS)
