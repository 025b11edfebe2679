"""The three sweep examples (examples/*.toml + examples/sweep_*.py), shrunk to a few points.

Each spec is read from its TOML file, made small, run through tailpower.sweep, and its point
function is checked against an exact value; the example's summary must render. The same shrunk
specs run on a Dask LocalCluster in test_sweep_dask.py.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib.util
import math
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from tailpower.sweep import load_spec, run_sweep

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def small_spec(name: str, results: Path) -> dict:
    """The example's spec with a handful of points (the function path made absolute)."""
    with open(EXAMPLES / f"{name}.toml", "rb") as fh:
        spec = tomllib.load(fh)
    spec["function"] = str(EXAMPLES / spec["function"].split(":")[0]) + ":" + spec["function"].split(":")[1]
    spec["results"] = str(results)
    if name == "goodhart":
        spec["search"]["n"] = 4
        spec["fixed"]["t"] = [10.0, 40.0]
    elif name == "powerseek":
        spec["grid"]["mdp"] = {"range": [4]}
        spec["fixed"]["samples"] = 50
    elif name == "cogpower":
        spec["grid"] = {"alpha": [0.5, 4.0], "power": [0.5, 8.0]}
        spec["fixed"].update(tasks=400, n=[4, 64])
    return spec


def example_module(name: str):
    path = EXAMPLES / f"sweep_{name}.py"
    mod = sys.modules.get(f"sweep_{name}")
    if mod is None or getattr(mod, "__file__", None) != str(path):
        spec = importlib.util.spec_from_file_location(f"sweep_{name}", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[f"sweep_{name}"] = mod
        spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["goodhart", "powerseek", "cogpower"])
def test_example_specs_are_valid_and_sized(name):
    spec = load_spec(EXAMPLES / f"{name}.toml")
    assert spec.function_ref()[0] == str(EXAMPLES / f"sweep_{name}.py")
    n = {"goodhart": 96, "powerseek": 1000, "cogpower": 81}[name]
    from tailpower.sweep import points

    assert len(points(spec)) == n


@pytest.mark.parametrize("name", ["goodhart", "powerseek", "cogpower"])
def test_example_sweep_runs_and_summarizes(name, tmp_path):
    spec = small_spec(name, tmp_path / f"{name}.jsonl")
    recs = run_sweep(spec, cf.ThreadPoolExecutor(2))
    assert recs and not any("error" in r for r in recs)
    mod = example_module(name)
    args = {"goodhart": ("t",), "powerseek": ("gammas",), "cogpower": ()}[name]
    args = tuple(spec["fixed"][a] for a in args)
    text = mod.summarize(recs, *args)
    assert isinstance(text, str) and text


def test_goodhart_point_matches_closed_form_for_constant_sd():
    """lam = 0: X ~ N(0, sigma0^2) independent of V ~ N(0, 1), so U ~ N(0, s^2), s^2 = 1 + sigma0^2,
    Cov(V, U) = 1 and E[V | U >= t] = (1/s) phi(t/s) / Phi-bar(t/s) (Gaussian regression)."""
    mod = example_module("goodhart")
    t = [10.0, 40.0]
    res = mod.family_point(2.0, 0.0, "gauss", "norm", t)
    s = math.sqrt(5.0)
    closed = [math.exp(stats.norm.logpdf(x / s) - stats.norm.logsf(x / s)) / s for x in t]
    err = np.abs(res["value"] - closed)
    # the quadrature's own error bound, plus rounding of a ~10-term sum of doubles
    assert np.all(err <= 5 * res["stderr"] + 16 * np.finfo(float).eps * np.abs(closed))
    # and the bounded case the example is about: sigma0 > 1 with shrinking sd, E[V | U >= t] -> 0
    b = mod.family_point(2.0, 0.1, "gauss", "norm", [20.0, 40.0, 80.0])["value"]
    assert b[0] > b[1] > b[2] > 0 and b[2] < 0.1


def test_powerseek_point_limit_is_exact():
    """POWER(s, gamma -> 0) = E[max of d iid U(0, 1)] = d / (d + 1) for d successors."""
    mod = example_module("powerseek")
    for k in range(3):
        r = mod.random_mdp_power(k, [0.5], samples=50, rng=k)
        d = r["out_degree"]
        assert abs(r["power_0"] - d / (d + 1)) < 1e-9
        assert 0.0 <= r["power"][0] <= 1.0
