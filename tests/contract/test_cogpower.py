"""Contract tests of cogpower (the independent-steps model, Kwa 2023): every public function answers
correctly or refuses with a ValueError/TypeError naming the parameter, within the memory budget and
a time limit (docs/contract.md).  Hypothesis composes the calls; test_cogpower_regressions.py pins
each failure found to its correct value, test_cogpower_strategies.py checks cogpower.strategies.

Infinity is accepted only where the true quantity is infinite or beyond the float range: the mean
time per subtask for beta <= 1, and simulated sums when a single draw can exceed 1.8e308 (the
largest draw is 2^(53/beta), so beta below 53/1024 = 0.052).
"""

from __future__ import annotations

import math

import pytest
from contract_support import call_code, check, probabilities, reals, wrong_types
from hypothesis import given, settings
from hypothesis import strategies as st

#: a fraction of the profile's examples for the slow calls (the dev profile must stay quick)
FEW = max(5, settings.default.max_examples // 3)

# ----------------------------------------------------------------------------- input strategies
#: exponents alpha / beta / power: ordinary, regime boundaries, tiny, huge, non-finite, wrong types
EXPONENTS = st.one_of(
    reals(-1.0, 6.0),
    st.sampled_from(["0.5", "1.0", "2.0", "1 - 1e-12", "1 + 1e-12", "2 - 1e-12", "2 + 1e-12", "0.5 - 1e-12",
                     "1e-3", "0.03", "5e-324", "1e-300", "1e3", "1e300", "np.float64(1.5)", "np.int64(2)"]),
    wrong_types())
#: positive exponents that make a valid model (for the calls that test other parameters)
GOOD_EXPONENTS = st.one_of(st.floats(0.05, 8.0).map(repr),
                           st.sampled_from(["0.5", "1.0", "2.0", "1 - 1e-12", "1 + 1e-12", "2 + 1e-12", "2 - 1e-9",
                                            "0.03", "0.01", "30.0"]))
#: absurd sizes (refused before any work)
HUGE = ["10**12", "10**18", "2**62", "2**63", "2**200", "float('inf')", "float('nan')", "0", "-1", "1.5",
        "True", "None", "'10'", "np.int64(-3)"]
SMALL_N = st.one_of(st.integers(1, 60).map(str), st.sampled_from(["1", "2", "3", "100", "1000", "10**4", "10**6",
                                                                  "10**9", "10**12", "10**18", "2**70", "5.0"]))
CONVENTIONS = st.sampled_from(["'survival'", "'density'", "'Survival'", "'pdf'", "None", "1", "''"])
METHODS = st.sampled_from(["'asymptotic'", "'exact'", "'auto'", "'direct'", "'naive'", "'fast'", "None", "1"])
SEEDS = st.sampled_from(["0", "1", "None", "np.random.default_rng(3)", "-1", "1.5", "'seed'"])


@st.composite
def sim_sizes(draw, budget: int = 2_000_000):
    """(n, tasks) source texts: mostly affordable pairs (n x tasks <= budget), sometimes one absurd
    value."""
    if draw(st.integers(0, 3)) == 0:
        bad = draw(st.sampled_from(HUGE))
        other = draw(st.integers(1, 100).map(str))
        return (bad, other) if draw(st.booleans()) else (other, bad)
    n = draw(st.integers(1, 2000))
    tasks = draw(st.integers(1, max(1, budget // n)))
    return (repr(float(n)) if draw(st.integers(0, 9)) == 0 else str(n)), str(tasks)


def model_code(alpha: str, power: str) -> str:
    return f"cp.IndependentSteps(alpha={alpha}, power={power})"


def can_overflow(exponent: float) -> bool:
    """A draw U^(-1/exponent), U >= 2^-53, can exceed the float range (and a sum of up to 2^11 of
    them a little earlier)."""
    return exponent < 53 / (1024 - 11)


def value(text: str) -> float:
    return float(eval(text))  # the strategies' numeric source texts (e.g. "1 - 1e-12")


# ----------------------------------------------------------------------------- model
@given(alpha=EXPONENTS, convention=CONVENTIONS)
def test_critical_power_and_survival_exponent(alpha, convention):
    check(call_code("cp.critical_power", alpha, convention), ["alpha", "convention"])
    check(call_code("cp.survival_exponent", alpha, convention), ["alpha", "convention"])


@given(alpha=EXPONENTS, power=EXPONENTS, convention=CONVENTIONS)
def test_model_properties(alpha, power, convention):
    code = (f"m = cp.IndependentSteps(alpha={alpha}, power={power}, convention={convention})\n"
            "result = (m.k, m.beta, m.survival_exponent, m.critical_power, m.regime, m.mean_subtask_time)")
    out = check(code, ["alpha", "power", "convention"], allow_inf=["[[]5]"], package="cogpower")
    if out["status"] == "ok":
        k, beta, a, qstar, regime, mean = out["value"]
        assert beta == k * a and (mean == "inf") == (beta <= 1) and (regime == "subcritical") == (beta < 1)


APPROACHES = st.sampled_from([
    "lambda q: q ** 2", "lambda q: 2 * q", "lambda q: 1 / 0", "lambda q: float('nan')", "lambda q: -q",
    "lambda q: 1j", "lambda q: True", "lambda q: 1e300", "lambda q: 1e-300", "lambda q: {}[q]",
    "lambda q: np.float64(q)", "lambda q: 3", "lambda q: 'a'", "lambda q: q if q < 1 else float('nan')",
    "np.sqrt", "5", "None", "lambda q: np.array([q, q])", "lambda q: math.log(q)", "lambda: 1.0"])


@given(approaches=APPROACHES, alpha=GOOD_EXPONENTS, power=st.one_of(GOOD_EXPONENTS, st.sampled_from(["1e-6", "1e6"])))
def test_approaches_callables(approaches, alpha, power):
    code = (f"m = cp.IndependentSteps(alpha={alpha}, power={power}, approaches={approaches})\n"
            "result = (m.k, m.beta, m.critical_power, m.regime, m.mean_subtask_time)")
    check(code, ["approaches", "alpha", "power"], allow_inf=["[[]4]"], package="cogpower")


@settings(max_examples=FEW)
@given(alpha=GOOD_EXPONENTS, power=GOOD_EXPONENTS, n=SMALL_N, q=probabilities(), method=METHODS)
def test_model_quantiles(alpha, power, n, q, method):
    m = model_code(alpha, power)
    check(call_code(f"{m}.quantile_per_subtask", n, q, method=method), ["n", "q", "method", "beta"], timeout=60)


@settings(max_examples=FEW)
@given(alpha=GOOD_EXPONENTS, power=GOOD_EXPONENTS, n=SMALL_N)
def test_model_quartiles_are_in_the_support(alpha, power, n):
    out = check(call_code(f"{model_code(alpha, power)}.quartiles_per_subtask", n), ["n", "beta"])
    if out["status"] == "ok":
        lo, hi = out["value"]
        assert 1.0 <= lo <= hi, out


@given(alpha=GOOD_EXPONENTS, power=GOOD_EXPONENTS, sizes=sim_sizes(), rng=SEEDS,
       method=st.sampled_from(["'direct'", "'naive'", "'exact'", "None"]))
def test_simulate(alpha, power, sizes, rng, method):
    n, tasks = sizes
    exponent = value(alpha) if method == "'naive'" else value(alpha) * value(power)
    out = check(call_code(f"{model_code(alpha, power)}.simulate", n, tasks, rng, method=method),
                ["n", "tasks", "rng", "method", "power"], allow_inf=["[*"] if can_overflow(exponent) else [],
                timeout=60)
    if out["status"] == "ok" and isinstance(out["value"], list):
        assert all(v == "inf" or v >= value(n) for v in out["value"])  # every subtask takes at least 1


CHECKPOINTS = st.one_of(
    st.lists(st.integers(-2, 400), min_size=0, max_size=5).map(repr),
    st.sampled_from(["[1, 10, 100]", "[10, 1]", "[5, 5]", "[]", "[[1, 2]]", "[1.5]", "[1, 10**18]", "[float('nan')]",
                     "np.array([1, 2, 3])", "np.array([2.0, 4.0])", "'abc'", "None", "5", "[True, 2]",
                     "range(1, 50, 7)", "[1, 2**63]", "np.arange(1, 2000)", "[1, None]", "np.array([[1], [2]])"]))
TASKS = st.one_of(st.integers(1, 2000).map(str), st.sampled_from(HUGE))


@given(alpha=GOOD_EXPONENTS, power=GOOD_EXPONENTS, checkpoints=CHECKPOINTS, tasks=TASKS, rng=SEEDS)
def test_simulate_path(alpha, power, checkpoints, tasks, rng):
    check(call_code(f"{model_code(alpha, power)}.simulate_path", checkpoints, tasks, rng),
          ["checkpoints", "tasks", "rng", "method"],
          allow_inf=["[*"] if can_overflow(value(alpha) * value(power)) else [], timeout=60)


TIME_LAWS = st.sampled_from([
    "stats.lognorm(1, loc=1)", "stats.pareto(1.5)", "stats.pareto(0.5)", "stats.uniform(1, 2)", "stats.expon(1)",
    "stats.lomax(3, loc=1)", "stats.weibull_min(0.5, loc=1)", "stats.gamma(2, loc=1)", "stats.pareto(3, scale=2)",
    "stats.norm()", "stats.expon()", "stats.uniform(0.5, 2)", "stats.poisson(3)", "stats.norm", "None", "1.0",
    "stats.levy(loc=1)", "stats.cauchy(loc=1)", "stats.halfcauchy(loc=1)", "stats.truncexpon(2, loc=1)"])
#: time laws whose mean (of the fastest approach) can be infinite or beyond the float range
HEAVY_LAWS = ("pareto(0.5)", "pareto(1.5)", "levy", "halfcauchy", "lognorm", "weibull_min", "lomax", "pareto(3")


@settings(max_examples=FEW)
@given(time=TIME_LAWS, power=st.one_of(GOOD_EXPONENTS, st.sampled_from(["1e-300", "1e300", "0.0"])),
       sizes=sim_sizes(budget=2000))
def test_general_time_law(time, power, sizes):
    n, tasks = sizes
    code = (f"m = cp.IndependentSteps(power={power}, time={time})\n"
            f"result = (m.k, m.beta, m.regime, m.mean_subtask_time, m.critical_power, m.simulate({n}, {tasks}, 0))")
    heavy = any(h in time for h in HEAVY_LAWS)
    tiny_k = value(power) < 1e-3 if power not in ("0.0",) else False
    out = check(code, ["time", "power", "n", "tasks", "alpha"],
                allow_inf=(["[[]3]"] if heavy or tiny_k else []) + (["[[]5][[]*"] if tiny_k or heavy else []),
                package="cogpower")
    if out["status"] == "ok":
        mean = out["value"][3]
        assert mean == "inf" or mean >= 1.0


# ----------------------------------------------------------------------------- analytic
@given(beta=EXPONENTS)
def test_beta_functions(beta):
    for fn in ("subtask_mean", "subtask_variance", "regime", "stable_scale", "drift_constant"):
        check(call_code(f"cp.analytic.{fn}", beta), ["beta"], allow_inf=["result"] if "subtask" in fn else [])


@settings(max_examples=FEW)
@given(n=SMALL_N, q=probabilities(), beta=EXPONENTS, method=METHODS)
def test_analytic_predictions(n, q, beta, method):
    out = check(f"p = cp.analytic.quantile_prediction({n}, {q}, {beta}, {method})\n"
                f"result = (p.value, p.log_value, p.error, p.method)",
                ["n", "q", "beta", "method"], package="cogpower", timeout=60)
    if out["status"] == "ok":
        x, lx, err, _ = out["value"]
        assert lx >= 0 and (x is None or (x >= 1 and err >= 0 and abs(math.log(x) - lx) <= 1e-12 * max(1, lx)))
    check(call_code("cp.analytic.log_quantile_per_subtask", n, q, beta, method), ["n", "q", "beta", "method"],
          timeout=60)


@given(x=reals(-1e3, 1e3), beta=EXPONENTS)
def test_stable_cdf(x, beta):
    out = check(call_code("cp.stable_cdf", x, beta), ["x", "beta"])
    if out["status"] == "ok":
        assert 0.0 <= out["value"] <= 1.0


@given(q=probabilities(), beta=EXPONENTS)
def test_stable_quantile(q, beta):
    check(call_code("cp.stable_quantile", q, beta), ["q", "beta"])


@given(n=SMALL_N, q=probabilities(), beta=EXPONENTS)
def test_log_quantile(n, q, beta):
    check(call_code("cp.analytic.log_quantile_per_subtask", n, q, beta), ["n", "q", "beta"])


@given(u=reals(-10.0, 1e3), beta=EXPONENTS)
def test_pareto_cf(u, beta):
    out = check(f"result = abs(cp.analytic.pareto_cf({u}, {beta}))", ["u", "beta"], package="cogpower")
    if out["status"] == "ok":
        assert out["value"] <= 1 + 1e-12  # |E e^{iuX}| <= 1
    check(call_code("cp.analytic.pareto_log_cf", u, beta), ["u", "beta"])


# ----------------------------------------------------------------------------- estimators
SAMPLES = st.sampled_from(["np.arange(1.0, 101.0)", "[3.0]", "[]", "np.array([1.0, float('nan')])",
                           "np.array([1.0, np.inf, 2.0])", "np.ones((3, 4))", "'abc'", "None", "[1, 2, 3]",
                           "np.zeros(0)", "np.random.default_rng(0).pareto(0.5, 1000) + 1", "[1.0, 'a']",
                           "np.array([1 + 1j])", "[True, False]", "np.full(5, np.inf)", "[-np.inf, 1.0, np.inf]"])


@given(x=SAMPLES, q=probabilities(), z=reals(-2.0, 10.0))
def test_order_statistic_ci(x, q, z):
    sample_inf = "inf" in x
    check(call_code("cp.order_statistic_ci", x, q, z), ["x", "q", "z"],
          allow_inf=["lower", "upper", "value", "stderr"] if sample_inf else [])


@given(level=probabilities())
def test_normal_z(level):
    out = check(call_code("cp.estimators.normal_z", level), ["level"])
    if out["status"] == "ok":  # P(|N(0, 1)| <= z) = level: erf(z/sqrt 2) = level
        import math

        from scipy import special

        lv = eval(level)
        ref = math.sqrt(2) * special.erfinv(lv) if lv < 0.5 else -special.ndtri((1 - lv) / 2)
        assert out["value"] > 0 and out["value"] == pytest.approx(ref, rel=1e-12)


@settings(max_examples=FEW)
@given(alpha=GOOD_EXPONENTS, power=GOOD_EXPONENTS, sizes=sim_sizes(), q=probabilities(), rng=SEEDS,
       model=st.sampled_from(["", "", "", "None", "'model'", "stats.norm()"]))
def test_estimated_quantile(alpha, power, sizes, q, rng, model):
    n, tasks = sizes
    m = model or model_code(alpha, power)
    overflow = not model and can_overflow(value(alpha) * value(power))
    check(call_code("cp.quantile_per_subtask", m, n, q, tasks, rng),
          ["model", "n", "q", "tasks", "rng", "z"], allow_inf=["lower", "upper", "value", "stderr"] if overflow else [],
          timeout=60)


@given(alpha=GOOD_EXPONENTS, power=GOOD_EXPONENTS, budget=reals(-1.0, 100.0), n=CHECKPOINTS, tasks=TASKS,
       rng=SEEDS)
def test_budget_fraction(alpha, power, budget, n, tasks, rng):
    out = check(call_code("cp.budget_fraction", model_code(alpha, power), budget, n, tasks, rng),
                ["model", "budget", "n", "tasks", "rng"], timeout=60)
    if out["status"] == "ok" and isinstance(out["value"]["value"], list):  # (a repr beyond 256 values)
        assert all(0.0 <= p <= 1.0 for p in out["value"]["value"]) and all(s > 0 for s in out["value"]["stderr"])
