"""Contract tests of goodhart's KL optimisation (Theorems 1, 3, 4 of Kwa, Thomas & Garriga-Alonso,
arXiv 2407.14503) and of the reward-model tail estimators (its §6): every call answers correctly or
refuses with a ValueError/TypeError naming the parameter, within the memory budget and a time
limit (docs/contract.md).  Hypothesis composes the calls; the plain tests below them pin each
failure found so far to its correct value (closed form, mpmath, or an independent method).
"""

from __future__ import annotations

import base64
import math
import pickle

import pytest
from contract_support import (any_laws, call_code, check, continuous_laws, ints, probabilities, reals,
                              wrong_types)
from hypothesis import given, settings
from hypothesis import strategies as st


def _n(k: int):
    """``k`` examples in the dev profile (25 by default), 16k in the thorough one: for the calls that
    run quadratures of seconds each."""
    return settings(max_examples=max(1, k * settings.default.max_examples // 25))

# ----------------------------------------------------------------------------- input strategies
#: thresholds: ordinary, far in the tail, non-finite, arrays, wrong types
THRESHOLDS = st.one_of(
    reals(-50.0, 1e4),
    st.sampled_from(["1e16", "1e103", "1e200", "1.7e308", "[2.0, 10.0, 1e6]", "np.array([])",
                     "np.ones((2, 2)) * 5", "[5.0, float('nan')]", "np.array([3.0, 1e300])", "'5'", "None",
                     "5 + 0j", "np.float32(7.5)", "np.array([7.5], dtype=np.float32)"]),
    wrong_types())
#: positive-looking reals plus the degenerate ones
SHAPES = st.one_of(reals(-3.0, 5.0), st.sampled_from(["1e-300", "5e-324", "1e300", "1e308", "0.8", "2.0"]),
                   wrong_types())
LAWS = st.one_of(any_laws(), st.sampled_from(["stats.t(2.5)", "stats.t(3, 1e12)", "stats.expon(1e12)"]))


def _dependent_models() -> st.SearchStrategy[str]:
    """Dependent models: the paper's footnote example, vectorised laws, and odd error callables."""
    return st.sampled_from([
        "gh.Dependent(stats.norm(), lambda v: stats.norm(0, 2) if abs(v) <= 1 else gh.point_mass(0.0))",
        "gh.Dependent(stats.norm(), lambda v: stats.norm(0, 1 + abs(v)))",
        "gh.Dependent(stats.norm(), lambda v: stats.norm(0, 2 / (1 + np.abs(v))), vectorized=True)",
        "gh.Dependent(stats.norm(), lambda v: stats.t(3) if v > 2 else stats.norm())",
        "gh.Dependent(stats.norm(), lambda v: stats.expon() if v > 0 else gh.point_mass(v))",
        "gh.Dependent(stats.norm(), lambda v: stats.norm(0, max(1 - abs(v), 0.0)) if abs(v) < 3 else gh.point_mass(0.0))",
        "gh.Dependent(stats.norm(), lambda v: stats.norm(0, 1) if v < 3 else stats.poisson(2))",
        "gh.Dependent(stats.norm(), lambda v: stats.norm(0, 1) if v < 3 else 1 / 0)",
        "gh.Dependent(stats.norm(), lambda v: stats.norm(0, 1) if v < 3 else {}[v])",
        "gh.Dependent(stats.norm(), lambda v: stats.norm(v, 1e-9))",
        "gh.Dependent(stats.uniform(-1, 2), lambda v: stats.norm(0, 1e8 * (v > 0.9) + 1))",
        "gh.Dependent(stats.expon(), lambda v: gh.point_mass(-v))",
        "gh.Dependent(stats.t(3), lambda v: stats.norm())",
    ])


# ----------------------------------------------------------------------------- KL: Theorem 1
@_n(15)
@given(Q=LAWS, t=THRESHOLDS, c=SHAPES, exponent=SHAPES)
def test_kl_construction(Q, t, c, exponent):
    check(call_code("gh.kl_construction", Q, t, c=c, exponent=exponent), ["Q", "t", "c", "exponent"])


@_n(4)
@given(Q=continuous_laws(), utility=LAWS, t=st.one_of(reals(-5.0, 50.0), st.sampled_from(["1e16", "1e103", "3.0"])),
       exponent=st.sampled_from(["0.8", "1.0", "2.0"]))
def test_kl_construction_utility(Q, utility, t, exponent):
    check(call_code("gh.kl_construction", Q, t, exponent=exponent, utility=utility),
          ["Q", "t", "c", "exponent", "utility"])


# ----------------------------------------------------------------------------- KL: Theorem 4
BETAS = st.one_of(reals(-1.0, 100.0), st.sampled_from(["1e-300", "1e-6", "1e300", "[0.5, 2.0]", "np.array([])",
                                                        "[1.0, -1.0]"]), wrong_types())


@_n(12)
@given(V=LAWS, X=LAWS, beta=BETAS)
def test_kl_optimum(V, X, beta):
    check(call_code("gh.kl_optimum", V, X, beta=beta), ["V", "X", "beta"])


@_n(4)
@given(model=_dependent_models(), beta=st.one_of(reals(0.05, 20.0), st.sampled_from(["1e-6", "1e-300", "1e300", "0.0"])))
def test_kl_optimum_dependent(model, beta):
    check(call_code("gh.kl_optimum", model, beta=beta), ["V", "X", "beta", "error"])


@given(dist=LAWS, lam=st.one_of(reals(-10.0, 10.0), st.sampled_from(["1e300", "-1e300", "5e-324", "1e-6"]), wrong_types()))
def test_mgf_diverges(dist, lam):
    check(call_code("gh.mgf_diverges", dist, lam), ["dist", "lam"])


# ----------------------------------------------------------------------------- KL: Theorem 3
PROBS = st.sampled_from(["[0.25, 0.25, 0.5]", "[1/3, 1/3, 1/3]", "[0.0, 0.5, 0.5]", "[1.0, 0.0, 0.0]",
                         "[0.5, 0.6, -0.1]", "[float('nan'), 0.5, 0.5]", "[]", "[[0.5, 0.5]]", "'abc'", "None",
                         "[0.3, 0.3, 0.4 + 1e-12]", "np.full(3, 1 / 3)", "[object(), 0.5, 0.5]"])
RETURNS = st.sampled_from(["[0.0, 1.0, 100.0]", "[1e308, -1e308, 0.0]", "[1.0, 2.0]", "[1.0, float('inf'), 2.0]",
                           "[5.0, 5.0, 5.0]", "['a', 'b', 'c']", "None", "[1e-300, 1e300, 3.0]"])


@given(prob=PROBS, proxy=RETURNS, t=st.one_of(reals(-10.0, 200.0), st.sampled_from(["1e300", "5e-324"])),
       c=SHAPES, exponent=SHAPES, true=st.one_of(st.just("None"), RETURNS))
def test_reweight_trajectories(prob, proxy, t, c, exponent, true):
    check(call_code("gh.reweight_trajectories", prob, proxy, t, c=c, exponent=exponent, true=true),
          ["prob", "proxy", "t", "c", "exponent", "true"])


# ----------------------------------------------------------------------------- tails
def _datasets() -> st.SearchStrategy[str]:
    """Data arrays: samples of heavy and light laws, constant data, ties, too few points, NaN/inf,
    extreme magnitudes, wrong shapes and types."""
    sizes = st.sampled_from([2, 3, 5, 12, 50, 400, 3000])
    seeds = st.integers(0, 3)
    sample = st.builds(lambda kind, n, s: f"np.random.default_rng({s}).{kind}(size={n})",
                       st.sampled_from(["standard_cauchy", "standard_normal", "standard_exponential"]), sizes, seeds)
    pareto = st.builds(lambda a, n, s: f"(1 + np.random.default_rng({s}).pareto({a}, size={n}))",
                       st.sampled_from([0.5, 2.0, 5.0]), sizes, seeds)
    fixed = st.sampled_from([
        "np.ones(20)", "np.zeros(20)", "-np.ones(20)", "np.arange(30.0)", "np.repeat([1.0, 2.0, 3.0], 10)",
        "np.array([1.0, 2.0, float('nan'), 3.0])", "np.array([1.0, float('inf'), 3.0, 4.0])", "np.array([])",
        "np.array([5.0])", "np.ones((4, 4))", "[3.0, 1.0, 2.0, 5.0, 4.0]", "'abc'", "None", "np.array(['a', 'b'])",
        "np.array([1 + 1j, 2, 3, 4])", "np.array([1e308, 1.7e308, 1e307, 5e-324, 1.0, 2.0, 3.0, 4.0])",
        "np.geomspace(1e-300, 1e300, 200)", "-np.geomspace(1e-300, 1e300, 200)", "np.arange(10**5, dtype=float)",
        "np.array([True, False, True, True])", "np.array([1, 2, 3, 4, 5, 6, 7, 8], dtype=np.int8)",
        "1e10 + np.random.default_rng(0).standard_exponential(100)", "[1.0, None, 2.0]",
        "np.concatenate([np.full(40, 7.0), [1.0, 2.0, 3.0]])", "np.full(50, 5e-324)",
    ])
    return st.one_of(sample, pareto, fixed)


KS = st.one_of(ints(0, 60), st.sampled_from(["[1, 2, 5]", "np.arange(1, 20)", "np.array([])", "[[1, 2]]", "[1, 0]",
                                             "np.array([2**62])", "[2**200]", "np.array([1.5, 2.0])", "'3'",
                                             "np.arange(1, 10**6)"]))


@given(fn=st.sampled_from(["gh.hill", "gh.pickands", "gh.moment"]), x=_datasets(), k=KS)
def test_estimators(fn, x, k):
    check(call_code(fn, x, k), ["x", "k"])


@given(x=_datasets(), k=ints(0, 40), estimator=st.sampled_from(["'hill'", "'pickands'", "'moment'", "'nope'", "None",
                                                                 "['hill']"]),
       n_boot=st.one_of(ints(0, 300), st.sampled_from(["10**9", "10**7"])), level=probabilities(),
       rng=st.sampled_from(["0", "1", "None", "-1", "'seed'", "np.random.default_rng(5)"]))
def test_bootstrap(x, k, estimator, n_boot, level, rng):
    check(call_code("gh.bootstrap", x, k, estimator=estimator, n_boot=n_boot, level=level, rng=rng),
          ["x", "k", "estimator", "n_boot", "level", "rng"])


@given(x=_datasets(), ks=st.one_of(st.just("None"), KS))
def test_hill_path(x, ks):
    check(call_code("gh.hill_path", x, ks), ["x", "ks", "k"])


_CLOSE = "\nimport matplotlib.pyplot as plt\nplt.close('all')"


@given(x=_datasets(), ks=st.one_of(st.just("None"), KS), bars=st.one_of(ints(0, 50), wrong_types()),
       ax=st.sampled_from(["None", "plt.subplots()[1]", "'ax'", "1.0"]))
def test_hill_plot(x, ks, bars, ax):
    code = (f"import matplotlib.pyplot as plt\ntry:\n    result = gh.hill_plot({x}, {ks}, {ax}, bars={bars})\n"
            f"finally:\n    plt.close('all')")
    check(code, ["x", "ks", "k", "bars", "ax"], package="goodhart")


@_n(10)
@given(data=_datasets(), ks_at=st.sampled_from(["(100, 172, 300, 1000)", "(1, 2, 3)", "()", "(0, -5)", "None",
                                                "(float('nan'),)", "('a',)", "(10**30,)", "3"]),
       title=st.sampled_from(["None", "'x'", "3"]), rng=st.sampled_from(["0", "None", "'seed'"]))
def test_tail_report(data, ks_at, title, rng):
    code = (f"import matplotlib.pyplot as plt\ntry:\n    result = gh.tail_report({data}, ks_at={ks_at}, title={title}, "
            f"rng={rng})\nfinally:\n    plt.close('all')")
    check(code, ["data", "ks_at", "title", "rng", "ax"], package="goodhart")


@given(name=st.sampled_from(["'random'", "'llama'", "'nope'", "None", "['random']", "3"]),
       path=st.sampled_from(["None", "'/nonexistent/file.npy'", "'/tmp'", "'/etc/hostname'", "3", "b'/tmp/x.npy'"]))
def test_load_rewards(name, path):
    check(call_code("gh.load_rewards", name, path=path), ["name", "path"])


# ----------------------------------------------------------------------------- goodhart.strategies
def _pickled(obj) -> str:
    """Source text that rebuilds ``obj`` in the sandbox (the draws are objects, not source): a frozen
    scipy law as ``stats.name(*args, **kwds)``, anything else by pickle."""
    d = getattr(obj, "dist", None)
    if d is not None and hasattr(obj, "args") and hasattr(obj, "kwds"):
        args = tuple(float(a) for a in obj.args)
        kwds = {k: float(v) for k, v in obj.kwds.items()}
        return f"stats.{d.name}(*{args!r}, **{kwds!r})"
    try:
        blob = base64.b64encode(pickle.dumps(obj)).decode()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"draw not picklable ({exc}); goodhart.strategies must build picklable models")
    return f"pickle.loads(base64.b64decode({blob!r}))"


def _sandboxed(call: str, obj_names: dict) -> str:
    lines = ["import base64, pickle"] + [f"{k} = {v}" for k, v in obj_names.items()] + [f"result = {call}"]
    return "\n".join(lines)


from goodhart import strategies as ghs  # noqa: E402


@_n(6)
@given(V=ghs.distributions(heavy=False), X=ghs.distributions(), beta=st.sampled_from([0.5, 2.0, 10.0]),
       t=st.sampled_from([5.0, 50.0, 1e6]))
def test_strategy_distributions_are_handled(V, X, beta, t):
    """Every law goodhart.strategies draws gets an answer or a named refusal from the KL functions
    (within the sandbox's memory cap and time limit); light-tailed V with a finite-mean X that is
    light too must get an answer from kl_optimum at beta >= 0.5 ... unless X's exponential rate is
    below 1/beta, which is a named refusal."""
    objs = {"V": _pickled(V), "X": _pickled(X)}
    out = check(_sandboxed(f"gh.kl_optimum(V, X, beta={beta})", objs), ["V", "X", "beta"], package="goodhart")
    from goodhart._kl_mgf import tail_class

    cx, cv = tail_class(X, 1), tail_class(V, 1)
    if cx.kind in ("light", "bounded") and cv.kind in ("light", "bounded"):
        assert out["status"] == "ok", out
    check(_sandboxed("gh.mgf_diverges(X, 1.0 / beta)".replace("beta", repr(beta)), objs), ["dist", "lam"],
          package="goodhart")
    out = check(_sandboxed(f"gh.kl_construction(X, {t})", objs), ["Q", "t", "c", "exponent"], package="goodhart")
    if out["status"] == "ok":
        assert math.isfinite(out["value"]["mean"]) and out["value"]["kl"] >= 0


@_n(2)
@given(model=ghs.dependent_models(), beta=st.sampled_from([0.5, 2.0]))
def test_strategy_dependent_models_are_handled(model, beta):
    """Dependent models drawn by goodhart.strategies (normal V, normal or point-mass error: light
    tails) get an answer from kl_optimum."""
    out = check(_sandboxed(f"gh.kl_optimum(M, beta={beta})", {"M": _pickled(model)}), ["V", "X", "beta", "error"],
                package="goodhart")
    assert out["status"] == "ok", out


# ----------------------------------------------------------------------------- memory and time
def test_bootstrap_work_and_memory_are_bounded():
    out = check("gh.bootstrap(np.random.default_rng(0).pareto(2.0, 3000) + 1, 30, n_boot=10**7)", ["n_boot"],
                timeout=20)
    assert out["status"] == "raised" and "BudgetError" in out["mro"]  # 3e10 resampled values: refused at once
    out = check("with tailpower.set_memory_budget('4MiB'):\n    result = gh.bootstrap("
                "np.random.default_rng(0).pareto(2.0, 20000) + 1, 100, n_boot=2000, rng=1)", ["n_boot", "x"], timeout=60)
    assert out["status"] == "ok" and out["value"]["valid"] == 2000


def test_estimators_on_large_inputs_stay_within_the_budget():
    # 10^7 values and 10^5 values of k (the moment estimator looped over k before: O(sum k))
    out = check("x = np.random.default_rng(0).pareto(2.0, 10**7) + 1\nresult = gh.moment(x, np.arange(2, 10**5)).value[-1]",
                ["x", "k"], timeout=60)
    assert out["status"] == "ok"
    out = check("gh.hill_plot(np.random.default_rng(0).pareto(2.0, 3000) + 1, 14, None, bars=10**9).k.size", ["bars"])
    assert out["value"] == 1  # np.geomspace(1, 1, 10**9) allocated 7.5 GiB
    out = check("with tailpower.set_memory_budget('64MiB'):\n    result = gh.hill(np.arange(1.0, 2e7), [10, 1000]).value",
                ["x", "k"], timeout=60)
    assert out["status"] == "ok"  # 160 MB of data scanned in pieces under a 64 MiB budget
