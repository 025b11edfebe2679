"""Result objects print as ``value ± stderr (method, samples)`` and convert to plain data."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pytest

from tailpower._results import ResultMixin, format_value, plain


@dataclass(frozen=True)
class _Mean(ResultMixin):
    value: float
    stderr: float
    method: str
    samples: int = 0


@dataclass(frozen=True)
class _Curve(ResultMixin):
    value: np.ndarray
    stderr: np.ndarray
    method: str
    samples: int
    n: np.ndarray


@pytest.mark.parametrize("value, error, text", [
    (0.836412, 0.00123, "0.8364 ± 0.0012"),
    (-3.2, 0.04, "-3.200 ± 0.040"),
    (12345.6, 234.0, "12350 ± 230"),
    (1e20, 3e17, "1.0000e+20 ± 3.0e+17"),
    (1.234567e-9, 2e-12, "1.2346e-09 ± 2.0e-12"),
    (4.0, 1.6e-15, "4.0 ± 1.6e-15"),
    (0.5, 0.0, "0.5"),
    (0.5, None, "0.5"),
    (math.inf, 0.0, "inf"),
    (0.5, math.inf, "0.5 ± inf"),
])
def test_values_are_rounded_to_two_digits_of_their_error(value, error, text):
    assert format_value(value, error) == text


def test_the_printed_value_is_within_half_a_unit_of_its_last_digit():
    rng = np.random.default_rng(1)
    for v, e in zip(rng.normal(0, 1e3, 400) * 10.0 ** rng.integers(-8, 8, 400), 10.0 ** rng.uniform(-16, 3, 400)):
        shown, shown_err = format_value(v, e).split(" ± ")
        # the error has two significant digits, the value as many decimals as the error
        assert abs(float(shown) - v) <= 0.051 * float(shown_err) + 1e-15 * abs(v)
        assert abs(float(shown_err) - e) <= 0.05 * e


def test_scalar_result_prints_value_error_method_samples():
    assert str(_Mean(0.836412, 0.00123, "mc", 10000)) == "0.8364 ± 0.0012 (mc, 10000 samples)"
    assert str(_Mean(0.5, 0.0, "closed")) == "0.5 (closed)"
    assert repr(_Mean(0.5, 0.0, "closed")) == "_Mean(value=0.5, stderr=0.0, method='closed', samples=0)"


def test_array_results_print_a_short_summary():
    small = _Curve(np.array([0.1, 0.25]), np.array([0.01, 0.02]), "mc", 300, np.array([1, 2]))
    assert str(small) == "[0.100 ± 0.010, 0.250 ± 0.020] (mc, 300 samples)"
    big = _Curve(np.linspace(0, 1, 50), np.full(50, 0.01), "mc", 300, np.arange(50))
    assert str(big) == "50 values in [0, 1], stderr <= 0.01 (mc, 300 samples)"
    odd = _Curve(np.array([1.0, np.inf, 2.0, 3.0, np.nan]), np.zeros(5), "mc", 3, np.arange(5))
    assert str(odd).startswith("5 values in [1, 3] (2 non-finite)")


def test_results_without_a_value_print_their_repr_and_renamed_fields_are_used():
    @dataclass(frozen=True)
    class Peak(ResultMixin):
        n: float
        n_err: float

    @dataclass(frozen=True)
    class Utility(ResultMixin):
        utility: float
        utility_stderr: float
        method: str
        _value_field = "utility"
        _error_field = "utility_stderr"

    assert str(Peak(3.0, 0.5)) == repr(Peak(3.0, 0.5)) and str(Peak(3.0, 0.5)).endswith("Peak(n=3.0, n_err=0.5)")
    assert str(Utility(1.23456, 0.012, "quad")) == "1.235 ± 0.012 (quad)"
    assert Utility(1.0, 0.0, "quad").to_dict() == {"utility": 1.0, "utility_stderr": 0.0, "method": "quad"}


def test_to_dict_is_plain_python_and_keeps_non_finite_floats():
    d = _Curve(np.array([0.5, np.inf, np.nan]), np.array([0.1, 0.0, np.nan]), "mc", np.int64(7),
               np.array([1, 2, 3], dtype=np.int64)).to_dict()
    assert d["value"][:2] == [0.5, math.inf] and math.isnan(d["value"][2])
    assert type(d["samples"]) is int and all(type(x) is int for x in d["n"])
    assert all(type(x) is float for x in d["value"] + d["stderr"])
    json.dumps(d)  # Python's json writes inf/nan as numbers (Infinity, NaN): no string anywhere


def test_plain_converts_nested_dataclasses_callables_and_exact_objects():
    from fractions import Fraction

    inner = _Mean(np.float64(1.5), np.float32(0.25), "mc", 4)
    out = plain({"r": inner, "f": math.sqrt, "x": Fraction(1, 3), 2: (np.bool_(True), None)})
    assert out == {"r": {"value": 1.5, "stderr": 0.25, "method": "mc", "samples": 4},
                   "f": "math.sqrt", "x": "1/3", "2": [True, None]}
    assert type(out["r"]["value"]) is float and type(out["2"][0]) is bool


def test_every_result_class_of_cogpower_tailpower_and_proofs_has_the_mixin():
    import cogpower
    from cogpower._inversion import ExactQuantile
    from cogpower.analytic import Prediction
    from proofs.ledger import Check, Claim, ClaimResult
    from tailpower._common import Estimate

    for cls in (cogpower.QuantileEstimate, cogpower.FractionEstimate, Prediction, ExactQuantile,
                Estimate, Check, Claim, ClaimResult):
        assert issubclass(cls, ResultMixin), cls
    assert str(Estimate(0.836412, 0.00123, "mc", 10000)) == "0.8364 ± 0.0012 (mc, 10000 samples)"


def test_goodhart_results_print_value_error_method_samples_and_round_trip():
    """goodhart's result classes share the mixin: ``str`` leads with ``value ± stderr (method,
    samples)`` and ``to_dict()`` is plain data that rebuilds an equal result."""
    from scipy import stats

    import goodhart as gh

    for cls in (gh.ConditionalMean, gh.TailEstimate, gh.BootstrapCI, gh.HillPath, gh.TailReport, gh.KLOptimum,
                gh.KLConstruction, gh.TrajectoryReweighting, gh.Detectability, gh.DetectionMC):
        assert issubclass(cls, ResultMixin), cls
    x = np.random.default_rng(0).pareto(2.0, 2000) + 1.0
    est = gh.hill(x, 100)  # value and stderr = value / sqrt(100), Hill 1975
    assert str(est) == format_value(est.value, est.stderr) + " (hill, 2000 samples)"
    assert abs(est.stderr - est.value / 10) < 1e-15
    mc = gh.conditional_mean(stats.norm(), stats.norm(), 1.0, method="mc", samples=4000, rng=0)
    assert str(mc) == f"{format_value(mc.value, mc.stderr)} (mc, 4000 samples)"
    assert str(gh.kl_optimum(stats.norm(), stats.norm(), beta=2.0)).endswith(" (quad)")
    path = gh.hill_path(x, ks=np.arange(1, 50))
    assert str(path).startswith("49 values in [") and str(path).endswith(" (2000 samples)")
    results = [est, mc, gh.bootstrap(x, 100, n_boot=20, rng=0), path,
               gh.kl_optimum(stats.norm(), stats.norm(), beta=[1.0, 2.0]),
               gh.reweight_trajectories(np.full(4, 0.25), [0.0, 1.0, 2.0, 10.0], t=5.0)]
    for r in results:
        d = json.loads(json.dumps(r.to_dict()))
        assert d == r.to_dict()
        back = type(r)(**{k: np.asarray(v) if isinstance(v, list) else v for k, v in d.items()})
        for f in d:
            a, b = getattr(back, f), getattr(r, f)
            assert np.array_equal(a, b) if isinstance(b, np.ndarray) else a == b, (type(r).__name__, f)


def test_tail_report_prints_a_summary_and_exports_every_number_but_the_figure():
    import goodhart as gh

    plt = pytest.importorskip("matplotlib.pyplot")
    rep = gh.tail_report(np.random.default_rng(1).normal(size=400), ks_at=(20,), rng=0)
    plt.close(rep.figure)
    d = rep.to_dict()
    assert "figure" not in d and d["hill_at"] == {"20": list(rep.hill_at[20])} and d["n"] == 400
    json.dumps(d)
    text = str(rep)
    assert text.startswith("n = 400, mean ") and f"k=20: {format_value(*rep.hill_at[20])}" in text
