"""tailpower.sweep: keys, seeds, spec validation, results file, executors, searches.

The Dask test is in test_sweep_dask.py and the SIGKILL test in test_sweep_resume.py.
"""

from __future__ import annotations

import colorsys
import concurrent.futures as cf
import json
import math
import textwrap

import numpy as np
import pytest

from tailpower import sweep
from tailpower.sweep import load_results, load_spec, point_key, point_seed, run_sweep, table
from tailpower.sweep.keys import dumps
from tailpower.sweep.run import _resolve
from tailpower.sweep.store import ResultsWriter

TOY = textwrap.dedent(
    '''
    import time
    import numpy as np

    def toy(a, b, rng, delay=0.0, fail_above=None):
        """value = a*b exactly, plus draws that depend only on rng."""
        if fail_above is not None and a * b > fail_above:
            raise ValueError(f"a*b: {a * b} > {fail_above}")
        g = np.random.default_rng(rng)
        time.sleep(delay)
        return {"value": a * b, "noise": g.standard_normal(3), "big": np.inf}

    def bowl(x, y, rng):
        """A smooth objective with its minimum 0 at (0.3, 2.0)."""
        return {"value": (x - 0.3) ** 2 + (np.log(y) - np.log(2.0)) ** 2}
    '''
)


@pytest.fixture()
def toy(tmp_path):
    path = tmp_path / "toy_sweep_fn.py"
    path.write_text(TOY)
    return path


def spec_dict(toy, tmp_path, **over):
    d = {
        "function": f"{toy}:toy",
        "results": str(tmp_path / "out.jsonl"),
        "seed": 11,
        "fixed": {"delay": 0.0},
        "grid": {"a": [1, 2, 3]},
        "search": {"n": 5, "params": {"b": {"uniform": [0.0, 1.0]}}},
    }
    d.update(over)
    return d


def test_key_and_seed_depend_only_on_the_point():
    k1 = point_key({"a": 1, "b": 0.5})
    assert k1 == point_key({"b": 0.5, "a": 1})  # key order does not matter
    assert k1 != point_key({"a": 1.0, "b": 0.5})  # 1 and 1.0 are different points in JSON
    assert len(k1) == 16 and int(k1, 16) >= 0
    s = point_seed(7, k1)
    assert s == point_seed(7, k1) and 0 <= s < 2**63
    assert s != point_seed(8, k1) and s != point_seed(7, point_key({"a": 2, "b": 0.5}))


def test_grid_expansion_and_random_points(toy, tmp_path):
    spec = load_spec(
        spec_dict(
            toy, tmp_path,
            grid={"a": {"linspace": [0, 1, 5]}, "c": {"geomspace": [1, 1000, 4]}, "d": {"range": [2, 8, 3]}},
            search=None,
        )
    )
    assert spec.grid["a"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.allclose(spec.grid["c"], [1.0, 10.0, 100.0, 1000.0], rtol=1e-15)
    assert spec.grid["d"] == [2, 5]
    assert len(sweep.points(spec)) == 5 * 4 * 2
    # random search x grid: every draw at every grid point, draws independent of the grid
    spec = load_spec(
        spec_dict(toy, tmp_path, search={"n": 400, "params": {
            "b": {"loguniform": [0.01, 100.0]}, "k": {"integers": [2, 4]}, "c": ["x", "y"]}})
    )
    pts = sweep.points(spec)
    assert len(pts) == 3 * 400
    draws = [(p["b"], p["k"], p["c"]) for p in pts if p["a"] == 1]
    assert draws == [(p["b"], p["k"], p["c"]) for p in pts if p["a"] == 3]
    b = np.array([d[0] for d in draws])
    assert b.min() >= 0.01 and b.max() <= 100.0
    # log10(b) ~ U(-2, 2): mean 0, sd 4/sqrt(12); z-test at 5 standard errors
    lb = np.log10(b)
    assert abs(lb.mean()) < 5 * (4 / math.sqrt(12)) / math.sqrt(len(lb))
    ks = np.array([d[1] for d in draws])
    assert set(ks) == {2, 3, 4}  # inclusive upper bound
    assert sweep.points(spec) == pts  # seeded


def test_records_are_the_function_at_the_recorded_seed(toy, tmp_path):
    recs = run_sweep(spec_dict(toy, tmp_path), cf.ThreadPoolExecutor(4))
    assert len(recs) == 15 and [r["key"] for r in recs] == sorted(r["key"] for r in recs)
    fn = _resolve(str(toy), toy.stem, "toy")
    for r in recs:
        assert r["key"] == point_key(r["params"]) and r["seed"] == point_seed(11, r["key"])
        assert r["result"]["value"] == r["params"]["a"] * r["params"]["b"]  # exact: floats round-trip
        direct = fn(**r["params"], rng=r["seed"], delay=0.0)
        assert r["result"]["noise"] == direct["noise"].tolist()
        assert r["result"]["big"] == "inf"
    assert load_results(tmp_path / "out.jsonl") == recs
    cols = table(recs, "params.a", "result.value", "result.big")
    assert np.array_equal(cols["result.value"], cols["params.a"] * table(recs, "params.b")["params.b"])
    assert np.all(cols["result.big"] == np.inf)


def test_same_file_for_threads_and_processes(toy, tmp_path):
    d = spec_dict(toy, tmp_path)
    a = run_sweep(d, cf.ThreadPoolExecutor(3), results=tmp_path / "t.jsonl")
    b = run_sweep(d, workers=2, results=tmp_path / "p.jsonl")
    c = run_sweep(d, cf.ThreadPoolExecutor(1), results=tmp_path / "s.jsonl", max_pending=1)
    assert a == b == c
    assert (tmp_path / "t.jsonl").read_bytes() == (tmp_path / "p.jsonl").read_bytes()
    assert (tmp_path / "t.jsonl").read_bytes() == (tmp_path / "s.jsonl").read_bytes()


def test_torn_last_line_is_ignored_then_truncated(toy, tmp_path):
    d = spec_dict(toy, tmp_path)
    full = run_sweep(d, cf.ThreadPoolExecutor(2))
    path = tmp_path / "out.jsonl"
    canonical = path.read_bytes()
    lines = canonical.splitlines(keepends=True)
    # a killed run: header, 6 complete records, then half of the 7th record (no newline)
    path.write_bytes(b"".join(lines[:7]) + lines[7][: len(lines[7]) // 2])
    part = load_results(path)
    assert len(part) == 6 and all(r in full for r in part)
    calls = []

    class Counting(cf.ThreadPoolExecutor):
        def submit(self, fn, *args, **kw):
            calls.append(args[1])
            return super().submit(fn, *args, **kw)

    again = run_sweep(d, Counting(2))
    assert again == full and path.read_bytes() == canonical
    assert len(calls) == 15 - 6  # finished points are skipped, the torn one is recomputed


def test_a_different_spec_into_the_same_file_is_an_error(toy, tmp_path):
    run_sweep(spec_dict(toy, tmp_path), cf.ThreadPoolExecutor(2))
    with pytest.raises(ValueError, match=r"^results: .* different spec"):
        run_sweep(spec_dict(toy, tmp_path, seed=12), cf.ThreadPoolExecutor(2))
    # the results path is not part of the spec's identity
    assert load_spec(spec_dict(toy, tmp_path)).hash == load_spec(spec_dict(toy, tmp_path, results="x.jsonl")).hash


def test_errors_raise_or_record(toy, tmp_path):
    d = spec_dict(toy, tmp_path, fixed={"delay": 0.0, "fail_above": 1.0})
    with pytest.raises(ValueError, match=r"a\*b: .* > 1.0") as info:
        run_sweep(d, cf.ThreadPoolExecutor(1), max_pending=1)
    assert any("tailpower sweep: point key=" in n for n in info.value.__notes__)
    saved = load_results(tmp_path / "out.jsonl")  # points finished before the failure are kept
    assert all(r["params"]["a"] * r["params"]["b"] <= 1.0 for r in saved)
    recs = run_sweep({**d, "errors": "record"}, cf.ThreadPoolExecutor(2), results=tmp_path / "rec.jsonl")
    bad = [r for r in recs if "error" in r]
    assert len(recs) == 15 and bad
    assert len(bad) == sum(r["params"]["a"] * r["params"]["b"] > 1.0 for r in recs)
    assert all(r["params"]["a"] * r["params"]["b"] > 1.0 and r["error"].startswith("ValueError: a*b:") for r in bad)
    assert np.isnan(table(recs, "result.value")["result.value"][[("error" in r) for r in recs]]).all()


def test_module_function_without_seed(tmp_path):
    d = {
        "function": "colorsys:rgb_to_hsv", "seed_arg": False, "results": str(tmp_path / "c.jsonl"),
        "grid": {"r": [0.0, 0.5, 1.0], "g": [0.25], "b": [0.0, 1.0]},
    }
    recs = run_sweep(d, cf.ThreadPoolExecutor(2))
    assert len(recs) == 6
    for r in recs:
        assert r["result"]["value"] == list(colorsys.rgb_to_hsv(**r["params"]))


def test_adaptive_search_is_reproducible_resumable_and_improves(toy, tmp_path):
    d = {
        "function": f"{toy}:bowl", "results": str(tmp_path / "a.jsonl"), "seed": 5,
        "search": {"kind": "adaptive", "n": 30, "rounds": 4, "objective": "value", "goal": "min",
                   "keep": 0.2, "params": {"x": {"uniform": [0.0, 1.0]}, "y": {"loguniform": [0.1, 10.0]}}},
    }
    recs = run_sweep(d, cf.ThreadPoolExecutor(2))
    assert {r["round"] for r in recs} == {0, 1, 2, 3} and len(recs) == 120
    best = {k: min(r["result"]["value"] for r in recs if r["round"] == k) for k in range(4)}
    # A pure random search with the same budget N = 120: the objective is the squared distance
    # to (0.3, log 2) in the (x, log y) box of area A = ln(100), so P(best > v) = (1 - pi v / A)^N
    # and its median best is v_med = A (1 - 2^(-1/N)) / pi = 0.0084. The adaptive search must
    # beat that median (a random search would fail this half of the time).
    area, n = math.log(100.0), 120
    v_med = area * (1 - 0.5 ** (1 / n)) / math.pi
    assert best[3] < best[0] and best[3] < v_med
    for r in recs:  # every point stays inside the priors' support
        assert 0.0 <= r["params"]["x"] <= 1.0 and 0.1 <= r["params"]["y"] <= 10.0
    canonical = (tmp_path / "a.jsonl").read_bytes()
    # kill after round 1 and part of round 2: the resumed search makes the same points
    lines = canonical.splitlines(keepends=True)
    head, body = lines[0], [json.loads(x) for x in lines[1:]]
    keep = [r for r in body if r["round"] <= 1] + [r for r in body if r["round"] == 2][:7]
    (tmp_path / "a.jsonl").write_bytes(head + b"".join((dumps(r) + "\n").encode() for r in keep))
    assert run_sweep(d, cf.ThreadPoolExecutor(3)) == recs
    assert (tmp_path / "a.jsonl").read_bytes() == canonical


@pytest.mark.parametrize(
    "over, match",
    [
        ({"function": "nocolon"}, "^function:"),
        ({"grid": {"a": []}}, "^grid.a: no values"),
        ({"grid": {"a": {"linspace": [0, 1]}}}, "^grid.a: linspace"),
        ({"grid": {"a": 3}}, "^grid.a: expected a list"),
        ({"search": {"n": 0, "params": {"b": [1]}}}, "^search.n:"),
        ({"search": {"n": 2, "params": {"b": {"uniform": [1, 0]}}}}, "^search.params.b: uniform needs lower < upper"),
        ({"search": {"n": 2, "params": {"b": {"loguniform": [0, 1]}}}}, "^search.params.b.loguniform"),
        ({"search": {"n": 2, "params": {"b": {"gamma": [1, 2]}}}}, "^search.params.b: expected one of"),
        ({"search": {"kind": "adaptive", "n": 2, "params": {"b": [1]}, "objective": "v"}}, "^grid: cannot"),
        ({"seed": -1}, "^seed:"),
        ({"errors": "ignore"}, "^errors:"),
        ({"fixed": {"a": 1}}, "^a: appears both"),
        ({"grid": {"rng": [1]}, "search": None}, "^rng: is the seed_arg"),
        ({"colour": 1}, "^colour: unknown spec key"),
    ],
)
def test_spec_validation_names_the_key(toy, tmp_path, over, match):
    d = spec_dict(toy, tmp_path, **over)
    d = {k: v for k, v in d.items() if v is not None}
    with pytest.raises(ValueError, match=match):
        load_spec(d)


def test_signature_is_checked_before_running(toy, tmp_path):
    with pytest.raises(ValueError, match="^function: .* cannot be called"):
        run_sweep(spec_dict(toy, tmp_path, fixed={"delay": 0.0, "colour": 1}), cf.ThreadPoolExecutor(1))
    assert not (tmp_path / "out.jsonl").exists()


def test_toml_spec_and_cli(toy, tmp_path, capsys):
    from tailpower.cli import main

    (tmp_path / "s.toml").write_text(
        textwrap.dedent(
            f"""
            function = "{toy.name}:toy"   # relative to this file
            results = "res/s.jsonl"
            seed = 11
            [fixed]
            delay = 0.0
            [grid]
            a = [1, 2, 3]
            [search]
            n = 5
            [search.params]
            b = {{uniform = [0.0, 1.0]}}
            """
        )
    )
    assert main(["sweep", str(tmp_path / "s.toml"), "--workers", "2"]) == 0
    assert "15 points (15 new, 0 errors)" in capsys.readouterr().out
    ref = run_sweep(spec_dict(toy, tmp_path), cf.ThreadPoolExecutor(2), results=tmp_path / "ref.jsonl")
    assert load_results(tmp_path / "res" / "s.jsonl") == ref
    assert main(["sweep", str(tmp_path / "s.toml")]) == 0
    assert "15 points (0 new, 0 errors)" in capsys.readouterr().out


def test_a_second_concurrent_writer_is_refused(toy, tmp_path):
    spec = load_spec(spec_dict(toy, tmp_path))
    first = ResultsWriter(spec.results, spec)
    try:
        with pytest.raises(ValueError, match="^results: .* locked"):
            ResultsWriter(spec.results, spec)
    finally:
        first.close()
    second = ResultsWriter(spec.results, spec)  # released with the first writer
    second.close()


def test_the_package_keeps_its_public_names():
    """tailpower.sweep was split into spec / search / store / run / command; the names stay."""
    for name in ("SweepSpec", "load_spec", "points", "run_sweep", "load_results", "table", "run_example",
                 "point_key", "point_seed"):
        assert callable(getattr(sweep, name)) and name in sweep.__all__
    assert sweep.run_sweep.__module__ == "tailpower.sweep.run"
