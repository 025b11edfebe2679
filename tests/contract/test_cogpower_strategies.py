"""cogpower.strategies draws only inputs that the public API handles: each drawn model goes through
the main functions in the capped sandbox and must keep the contract (docs/contract.md), with
quantiles inside the support S_n/n >= 1 and ordered."""

from __future__ import annotations

import pytest
from contract_support import check
from hypothesis import given
from hypothesis import strategies as st

from cogpower.strategies import alphas, models


def _code(m) -> str:
    return f"cp.IndependentSteps(alpha={m.alpha!r}, power={m.power!r})"


@given(m=models(), n=st.sampled_from([1, 2, 3, 10, 100, 10**4, 10**6]))
def test_drawn_models_predict_inside_the_support(m, n):
    code = (f"m = {_code(m)}\n"
            f"result = (m.quartiles_per_subtask({n}), m.median_per_subtask({n}), m.mean_subtask_time, m.regime, "
            f"m.critical_power)")
    out = check(code, ["n", "q", "beta"], allow_inf=["[[]2]"], package="cogpower", timeout=60)
    assert out["status"] == "ok", out  # the strategy promises models the API answers for
    (lo, hi), med = out["value"][0], out["value"][1]
    assert 1.0 <= lo <= med <= hi


@given(m=models(min_beta=0.05, max_beta=30.0), n=st.integers(1, 300), tasks=st.integers(1, 3000))
def test_drawn_models_simulate_and_estimate(m, n, tasks):
    code = (f"m = {_code(m)}\n"
            f"x = m.simulate({n}, {tasks}, rng=1)\n"
            f"result = (bool((x >= {n}).all()), cp.quantile_per_subtask(m, {n}, 0.5, {tasks}, rng=1),"
            f" cp.budget_fraction(m, 3.0, [1, {n + 1}], {tasks}, rng=1))")
    out = check(code, ["n", "tasks"], allow_inf=["[[]1].*"], package="cogpower", timeout=60)
    assert out["status"] == "ok" and out["value"][0] is True, out


@given(a=alphas(), lo=st.floats(0.01, 10.0), hi=st.floats(0.01, 10.0))
def test_alphas_in_range_and_model_bounds_validated(a, lo, hi):
    assert 0.1 <= a <= 5.0
    if lo <= hi:
        models(lo, hi)
    else:
        with pytest.raises(ValueError, match="^max_beta"):
            models(lo, hi)


@pytest.mark.parametrize("args, name", [((0.0, 1.0), "min_beta"), ((-1.0, 1.0), "min_beta"),
                                        ((1.0, float("inf")), "max_beta"), ((2.0, 1.0), "max_beta"),
                                        (("a", 1.0), "min_beta")])
def test_models_refuses_bad_bounds_by_name(args, name):
    with pytest.raises((ValueError, TypeError), match=f"^{name}"):
        models(*args)
    with pytest.raises((ValueError, TypeError), match=f"^{name.replace('beta', 'value')}"):
        alphas(*args)
