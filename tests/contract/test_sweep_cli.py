"""Contract of tailpower.sweep and the ``tailpower`` command line (docs/contract.md).

Specs, results files and command lines are drawn by Hypothesis -- well-formed ones and every kind
of malformed one -- and each call runs in the capped sandbox. The properties:

- ``load_spec`` / ``points``: a named refusal, or exactly prod(len(grid values)) x n finite points;
  a sweep too large for the memory budget is refused before it is materialised;
- ``run_sweep`` into an existing file: either the file was this spec's own (empty, a cut-short
  header, header + records + a cut-short record) and ends byte-identical to an uninterrupted run,
  or the run is refused naming ``results`` and the file's bytes are unchanged (nothing a user owns
  is overwritten or truncated);
- ``load_results``: the records, or a refusal naming ``path``;
- the CLI: exit code 0, 1 or 2, a one-line ``error:`` message for usage errors, never a traceback
  of tailpower's own, and no user file changed.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import json
import textwrap
import tomllib
from pathlib import Path

import pytest
from contract_support import check, ints, reals, wrong_types
from hypothesis import assume, given
from hypothesis import strategies as st

SPEC_KEYS = ["spec", "function", "results", "seed", "seed_arg", "errors", "fixed", "grid", "search",
             "description", "a", "b", "c", "colour"]

TOY = textwrap.dedent(
    '''
    import numpy as np

    def toy(a, rng, b=0.0):
        """a*a + b exactly, and one draw that depends only on rng."""
        return {"value": a * a + b, "u": float(np.random.default_rng(rng).random())}

    def bowl(x, rng):
        return {"value": (x - 0.3) ** 2}

    def ident(x, rng):
        return {"value": x}

    not_callable = 3
    '''
)

_COUNTER = itertools.count()


def _fresh(d: Path, stem: str = "r") -> Path:
    return d / f"{stem}{next(_COUNTER)}.jsonl"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A directory with the toy function, spec files good and bad, and a reference results file."""
    from tailpower.sweep import run_sweep

    d = tmp_path_factory.mktemp("sweep_contract")
    (d / "toy_contract_fn.py").write_text(TOY)
    (d / "broken_contract_fn.py").write_text("def f(:\n")
    (d / "raising_contract_fn.py").write_text("raise RuntimeError('boom at import')\n")
    good = f'function = "toy_contract_fn.py:toy"\nseed = 3\n[grid]\na = [1.0, 2.0, 3.0, 4.0]\n'
    specs = {
        "good.toml": good,
        "syntax.toml": "function = \n[grid\n",
        "types.toml": 'function = 5\n[grid]\na = [1]\n',
        "unknown_key.toml": good + "colour = 1\n",
        "empty_grid.toml": 'function = "toy_contract_fn.py:toy"\n[grid]\n',
        "nan_range.toml": 'function = "toy_contract_fn.py:toy"\n[grid]\na = {linspace = [nan, 1.0, 3]}\n',
        "huge_grid.toml": 'function = "toy_contract_fn.py:toy"\n[grid]\na = {linspace = [0, 1, 1000000]}\n'
                          'b = {linspace = [0, 1, 1000000]}\n',
        "huge_linspace.toml": 'function = "toy_contract_fn.py:toy"\n[grid]\na = {linspace = [0, 1, 1000000000]}\n',
        "negative_n.toml": 'function = "toy_contract_fn.py:toy"\n[grid]\na = {linspace = [0, 1, -3]}\n',
        "unknown_dist.toml": 'function = "toy_contract_fn.py:toy"\n[search]\nn = 3\n[search.params]\na = {gamma = [1, 2]}\n',
        "no_module.toml": 'function = "no_such_module_xyz:f"\n[grid]\na = [1]\n',
        "no_file.toml": 'function = "no_such_file.py:f"\n[grid]\na = [1]\n',
        "no_attr.toml": 'function = "toy_contract_fn.py:nope"\n[grid]\na = [1]\n',
        "not_callable.toml": 'function = "toy_contract_fn.py:not_callable"\n[grid]\na = [1]\n',
        "broken_module.toml": 'function = "broken_contract_fn.py:f"\n[grid]\na = [1]\n',
        "raising_module.toml": 'function = "raising_contract_fn.py:f"\n[grid]\na = [1]\n',
        "bad_signature.toml": good.replace("[grid]", "[fixed]\nzzz = 1\n[grid]"),
        "date.toml": good + "[fixed]\nwhen = 1979-05-27\n",
    }
    for name, text in specs.items():
        (d / name).write_text(text)
    (d / "binary.toml").write_bytes(b"\x00\xff\xfe binary \x80\x81")
    (d / "deep.toml").write_text("function = 'toy_contract_fn.py:toy'\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    (d / "notes.txt").write_text("my precious notes\n")
    (d / "a_dir").mkdir()
    ref = d / "reference.jsonl"
    run_sweep(d / "good.toml", cf.ThreadPoolExecutor(1), results=ref)
    other = d / "other.jsonl"
    run_sweep({"function": f"{d / 'toy_contract_fn.py'}:toy", "seed": 4, "grid": {"a": [1.0, 2.0]}},
              cf.ThreadPoolExecutor(1), results=other)
    return d


def _same(x, y) -> bool:
    """A stored value (non-finite floats as strings) equals the exact value."""
    if isinstance(x, str):
        return float(x) == y if isinstance(y, float) else False
    return x == y


def _code(body: str) -> str:
    """Sandbox code: the imports, then ``body`` (statements setting ``result``, or one expression)."""
    body = textwrap.dedent(body).strip()
    if "\n" not in body and not body.startswith("result ="):
        body = f"result = {body}"
    return "import concurrent.futures as cf\nimport tailpower.sweep as sw\n" + body


def _src_table(items: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k!r}: {v}" for k, v in items.items()) + "}"


# ----------------------------------------------------------------------------- spec strategies
def _src_list(elems: st.SearchStrategy[str], max_size: int = 4) -> st.SearchStrategy[str]:
    return st.lists(elems, max_size=max_size).map(lambda xs: "[" + ", ".join(xs) + "]")


_JSONISH = st.sampled_from(["'x'", "None", "True", "[1, 2]", "{'k': 1}", "object()", "(1, 2)", "np.float64(0.5)",
                            "np.int64(3)", "[float('nan')]", "{1: 2}"])
GRID_VALUES = st.one_of(
    _src_list(st.one_of(reals(), ints(-5, 5), _JSONISH)),
    st.builds(lambda k, a, b, n: f"{{{k!r}: [{a}, {b}, {n}]}}", st.sampled_from(["linspace", "geomspace"]),
              st.one_of(reals(), wrong_types()), st.one_of(reals(), wrong_types()), ints(0, 40)),
    st.builds(lambda xs: "{'range': [" + ", ".join(xs) + "]}", st.lists(ints(-20, 20), max_size=4)),
    st.sampled_from(["{'values': [1, 2]}", "{'values': 3}", "{'bogus': [1]}", "{}", "3", "'abc'", "None",
                     "{'linspace': [0, 1]}", "{'linspace': 'abc'}", "{'range': [0, 10, 0]}",
                     "{'range': [-2**62, 2**62]}", "{'geomspace': [1e-300, 1e300, 5]}",
                     "{'linspace': [-1e308, 1e308, 5]}"]),
)
DISTRIBUTIONS = st.one_of(
    st.builds(lambda k, lo, hi: f"{{{k!r}: [{lo}, {hi}]}}",
              st.sampled_from(["uniform", "loguniform", "normal", "integers"]),
              st.one_of(reals(), ints(-5, 5), wrong_types()), st.one_of(reals(), ints(-5, 5), wrong_types())),
    _src_list(st.one_of(reals(), _JSONISH)),
    st.sampled_from(["{'choice': []}", "{'gamma': [1, 2]}", "{}", "3.5", "'const'", "float('nan')",
                     "{'uniform': [0, 1, 2]}", "{'uniform': [-1e308, 1e308]}", "{'normal': [0, 1e308]}",
                     "{'integers': [0, 2**63]}", "{'loguniform': [1e-300, 1e300]}", "{'choice': 'abc'}"]),
)
SEARCH_EXTRA = st.sampled_from(["", "'rounds': 2, 'objective': 'value'", "'rounds': 10**12, 'objective': 'value'",
                                "'objective': 3", "'keep': 0.0", "'shrink': 2.0", "'goal': 'up'", "'bogus': 1",
                                "'rounds': 2, 'objective': 'value', 'goal': 'min', 'keep': 1.0, 'shrink': 1e-9"])
SEARCH = st.builds(
    lambda kind, n, params, extra: "{" + ", ".join(
        x for x in (f"'kind': {kind}" if kind else "", f"'n': {n}" if n else "", f"'params': {params}", extra) if x
    ) + "}",
    st.sampled_from(["", "'random'", "'adaptive'", "'bogus'", "3", "None"]),
    st.one_of(ints(0, 30), wrong_types(), st.just("")),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), DISTRIBUTIONS, max_size=2).map(_src_table),
    SEARCH_EXTRA,
)


@st.composite
def spec_dicts(draw, work: Path):
    toy = repr(f"{work / 'toy_contract_fn.py'}:toy")
    spec = {"function": draw(st.sampled_from([toy] * 6 + [
        "'nocolon'", "'a:b:c'", "5", "None", "''", "':f'", "'m:'", "'no_such_module_xyz:f'",
        repr(f"{work}/nonexistent.py:f"), "'colorsys:rgb_to_hsv'", "'os:path.join'", "'math:pi'",
        "'bad name:f'", repr(f"{work / 'toy_contract_fn.py'}:not callable")]))}
    spec["results"] = draw(st.sampled_from([repr(str(_fresh(work)))] * 4 + [
        repr(str(work / "a_dir")), "''", "'a\\x00b'", "5", "None", repr(str(work / "notes.txt"))]))
    for key, values in (
        ("seed", st.one_of(ints(0, 100), wrong_types())),
        ("seed_arg", st.sampled_from(["'rng'", "False", "True", "''", "'not an id'", "5", "None", "'b'"])),
        ("errors", st.sampled_from(["'raise'", "'record'", "'ignore'", "1", "None", "['raise']"])),
        ("fixed", st.one_of(st.dictionaries(st.sampled_from(["b", "rng", "a", "zzz"]),
                                            st.one_of(reals(), _JSONISH), max_size=2).map(_src_table),
                            st.sampled_from(["'notatable'", "{1: 2}", "[]"]))),
        ("description", st.sampled_from(["'a sweep'", "3"])),
        ("colour", st.just("1")),
    ):
        if draw(st.booleans()) and (key != "colour" or draw(st.booleans())):
            spec[key] = draw(values)
    if draw(st.booleans()) or "search" not in spec:
        spec["grid"] = draw(st.one_of(
            st.dictionaries(st.sampled_from(["a", "b", "c"]), GRID_VALUES, max_size=3).map(_src_table),
            st.sampled_from(["'notatable'", "None", "{1: [1]}"])))
    if draw(st.booleans()):
        spec["search"] = draw(st.one_of(SEARCH, st.sampled_from(["'notatable'", "[]"])))
    return _src_table(spec)


@given(data=st.data())
def test_load_spec_and_points_answer_or_refuse(work, data):
    spec = data.draw(spec_dicts(work), label="spec")
    code = _code(f"""
        s = sw.load_spec({spec})
        pts = sw.points(s)
        expected = math.prod(len(v) for v in s.grid.values()) * (s.search["n"] if s.search else 1)
        result = {{"n": len(pts), "expected": expected, "names": all(set(p) == set(s.names) for p in pts),
                  "points": pts[:40]}}
    """)
    out = check(code, SPEC_KEYS, package="sweep")
    if out["status"] == "ok":
        v = out["value"]
        assert v["n"] == v["expected"] and v["names"] is True


@given(data=st.data())
def test_run_sweep_of_any_spec_answers_or_refuses(work, data):
    """Valid specs run to records that are the function's values; invalid ones are refused by name."""
    spec = data.draw(spec_dicts(work), label="spec")
    code = _code(f"""
        s = sw.load_spec({spec})
        if sw.spec.n_points(s) > 40:
            result = "skipped: too many points for a quick test"
        else:
            try:
                recs = sw.run_sweep(s, cf.ThreadPoolExecutor(2))
                result = {{"records": recs, "function": s.function, "fixed": s.fixed}}
            except Exception as exc:  # the swept function's own exception, passed on with the point
                if not any(n.startswith("tailpower sweep: point") for n in getattr(exc, "__notes__", [])):
                    raise
                result = {{"point raised": type(exc).__name__, "function": s.function}}
    """)
    out = check(code, SPEC_KEYS + ["executor", "workers"], package="sweep", timeout=60)
    v = out.get("value")
    if out["status"] == "ok" and isinstance(v, dict) and v["function"].endswith(":toy") and "records" in v:
        for r in v["records"]:
            if "result" in r:
                kw = {"b": 0.0, **v["fixed"], **r["params"]}
                assert _same(r["result"]["value"], kw["a"] * kw["a"] + kw["b"]), r


@given(data=st.data())
def test_spec_files_with_any_text_answer_or_refuse(work, data):
    """Spec files cut, spliced and sprinkled with bytes: parsed and validated, or refused by name."""
    text = (work / "good.toml").read_bytes() + b"[search]\nn = 3\n[search.params]\nb = {uniform = [0.0, 1.0]}\n"
    i = data.draw(st.integers(0, len(text)), label="at")
    j = data.draw(st.integers(i, min(len(text), i + 12)), label="to")
    new = data.draw(st.one_of(st.binary(max_size=6), st.sampled_from(
        [b"", b"nan", b"inf", b"-1", b"10**12", b"1e400", b"\"", b"[", b"]", b"{", b"=", b"\n", b"\xff", b"#",
         b"1979-05-27", b"true", b"'x'", b"[[grid]]\n"])), label="insert")
    path = work / f"fuzz{next(_COUNTER)}.toml"
    path.write_bytes(text[:i] + new + text[j:])
    names = list(SPEC_KEYS)
    try:  # an unknown (mangled) key is named by itself, a swept parameter by its name
        raw = tomllib.loads(path.read_text())
        names += list(raw) + [k for t in ("grid", "fixed") for k in raw.get(t, {}) if isinstance(raw.get(t), dict)]
        names += list(raw.get("search", {}).get("params", {}))
    except (ValueError, AttributeError, TypeError):
        pass
    out = check(_code(f"len(sw.points({str(path)!r}))"), names, package="sweep")
    if out["status"] == "ok":
        assert isinstance(out["value"], int) and out["value"] >= 1


def test_hand_made_sweep_specs_are_validated(work):
    """A SweepSpec built directly (not by load_spec) goes through the same checks."""
    code = _code(f"""
        from pathlib import Path
        s = sw.SweepSpec(function={str(work / 'toy_contract_fn.py') + ':toy'!r}, fixed={{}},
                         grid={{"a": [1.0, float("nan")]}}, search=None, seed=0, seed_arg="rng", errors="raise",
                         results=Path({str(_fresh(work))!r}), base_dir=Path("."))
        sw.run_sweep(s, cf.ThreadPoolExecutor(1))
    """)
    out = check(code, ["grid"], package="sweep")
    assert out["status"] == "raised" and out["message"].startswith("grid.a[1]: must be finite")
    out = check(_code("sw.run_sweep(sw.SweepSpec(*[None] * 9))"), ["spec"], package="sweep")
    assert out["status"] == "raised"


# ----------------------------------------------------------------------------- sizes
@pytest.mark.parametrize("name, param", [("huge_grid.toml", "grid"), ("huge_linspace.toml", "grid.a.linspace[2]")])
def test_huge_grids_are_refused_before_they_exist(work, name, param):
    """10^12 points (two linspaces of 10^6) and a linspace of 10^9 values: BudgetError at once."""
    code = _code(f"""
        import time
        t0 = time.perf_counter()
        try:
            sw.points({str(work / name)!r})
        except tailpower.BudgetError as exc:
            result = {{"param": exc.parameter, "needed": exc.needed, "seconds": time.perf_counter() - t0}}
    """)
    out = check(code, [param], package="sweep", timeout=30)
    assert out["status"] == "ok" and out["value"]["param"] == param
    assert out["value"]["seconds"] < 5
    n = 10**12 if name == "huge_grid.toml" else 10**9
    assert out["value"]["needed"] >= n * 100  # at least 100 bytes per point or value


@pytest.mark.parametrize("body, param", [
    ("{'grid': {'a': {'range': [10**18]}}}", "grid.a.range"),
    ("{'grid': {'a': {'range': [-2**62, 2**62]}}}", "grid.a.range"),
    ("{'search': {'n': 10**12, 'params': {'a': {'uniform': [0, 1]}}}}", "search.n"),
    ("{'grid': {'a': list(range(1000)), 'b': list(range(1000))}, "
     "'search': {'n': 1000, 'params': {'c': {'uniform': [0, 1]}}}}", "grid"),
    ("{'search': {'kind': 'adaptive', 'n': 1000, 'rounds': 10**9, 'objective': 'value', "
     "'params': {'a': {'uniform': [0, 1]}}}}", "search.n"),
    ("{'grid': {'a': {'linspace': [0, 1, 10**12]}}}", "grid.a.linspace[2]"),
])
def test_sizes_beyond_the_budget_are_refused_by_name(work, body, param):
    spec = body[:-1] + f", 'function': {str(work / 'toy_contract_fn.py') + ':toy'!r}, 'results': 'x.jsonl'}}"
    out = check(_code(f"sw.points({spec})"), [param], package="sweep", timeout=30)
    assert out["status"] == "raised" and "BudgetError" in out["mro"], out


def test_a_sweep_within_the_budget_is_not_refused(work):
    """The estimate is not absurdly pessimistic: 100,000 points (a 10,000-point sweep is routine)."""
    spec = {"function": f"{work / 'toy_contract_fn.py'}:toy", "results": "x.jsonl",
            "grid": {"a": {"linspace": [0, 1, 1000]}, "b": {"range": [100]}}}
    out = check(_code(f"len(sw.points({spec!r}))"), ["grid"], package="sweep")
    assert out["value"] == 100_000


# ----------------------------------------------------------------------------- results files
def _reference(work: Path) -> tuple[bytes, list[bytes]]:
    lines = (work / "reference.jsonl").read_bytes().splitlines(keepends=True)
    return lines[0], lines[1:]


@st.composite
def results_contents(draw, work: Path):
    """``(bytes, ours)``: contents of an existing results file and whether it is this spec's own."""
    header, records = _reference(work)
    other_header = (work / "other.jsonl").read_bytes().splitlines(keepends=True)[0]
    kind = draw(st.sampled_from(["resume", "resume", "resume", "torn_header", "empty", "junk", "text",
                                 "other_spec", "newer", "nonrecord", "dupkeys", "nonutf8", "torn_junk",
                                 "blank", "records_first", "short_prefix"]))
    picked = draw(st.lists(st.sampled_from(records), max_size=6))
    body = b"".join(picked)
    if kind == "resume":  # a killed run: some records (any order, repeats), maybe a cut-short one
        tail = draw(st.sampled_from(records))
        cut = draw(st.integers(0, len(tail) - 1))
        return header + body + tail[:cut], True
    if kind == "torn_header":
        return header[: draw(st.integers(8, len(header) - 1))], True
    if kind == "empty":
        return b"", True
    if kind == "short_prefix":  # too short to tell from a user's file: refused
        return header[: draw(st.integers(1, 7))], False
    if kind == "junk":
        data = draw(st.binary(min_size=1, max_size=300))
        return data, data.startswith(b'{"spec":') and header.startswith(data)
    if kind == "text":
        return draw(st.text(min_size=1, max_size=200)).encode(), False
    if kind == "other_spec":
        return other_header + body, False
    if kind == "newer":
        head = json.loads(header)
        head["tailpower_sweep"] = 2
        return json.dumps(head).encode() + b"\n" + body, False
    if kind == "nonrecord":
        rec = json.loads(draw(st.sampled_from(records)))
        bad = draw(st.sampled_from([
            b"[1, 2]\n", b"42\n", b'{"foo": 1}\n', b'{"key": "x"}\n', b"null\n", b'"text"\n',
            json.dumps({**rec, "key": "0" * 16}).encode() + b"\n",
            json.dumps({**rec, "params": {"a": 99.0}}).encode() + b"\n",
            json.dumps({**rec, "seed": -1}).encode() + b"\n",
            json.dumps({**rec, "extra": 1}).encode() + b"\n",
            json.dumps({**rec, "result": [1]}).encode() + b"\n",
            json.dumps({**rec, "params": {"zz": 1.0}, "key": None}).encode() + b"\n",
            b'{"value": NaN}\n', b"{" * 3000 + b"\n",
        ]))
        return header + body + bad + b"".join(picked[:1]), False
    if kind == "dupkeys":
        rec = draw(st.sampled_from(records))
        return header + body + rec.replace(b'{"key":', b'{"seed":1,"key":', 1), False
    if kind == "nonutf8":
        return header + body + b"\xff\xfe\xfd\n", False
    if kind == "torn_junk":
        return header + body + draw(st.sampled_from([b"garbage", b"\x00\x01", b"]", b" {"])), False
    if kind == "blank":
        return b"\n" * draw(st.integers(1, 3)), False
    return body + header, not body  # records_first


@given(data=st.data())
def test_existing_results_file_is_resumed_or_left_untouched(work, data):
    content, ours = data.draw(results_contents(work), label="content")
    path = _fresh(work)
    path.write_bytes(content)
    code = _code(f"len(sw.run_sweep({str(work / 'good.toml')!r}, cf.ThreadPoolExecutor(2), results={str(path)!r}))")
    out = check(code, ["results"], package="sweep")
    after = path.read_bytes()
    if ours:
        assert out["status"] == "ok" and out["value"] == 4, out
        assert after == (work / "reference.jsonl").read_bytes()
    else:
        assert out["status"] == "raised", f"a file that is not ours was accepted: {content[:200]!r}"
        assert after == content, "a refused file was changed"
    assert not list(work.glob(f".{path.name}*")), "a temporary file was left behind"


@given(data=st.data())
def test_load_results_answers_or_refuses(work, data):
    content, ours = data.draw(results_contents(work), label="content")
    path = _fresh(work)
    path.write_bytes(content)
    out = check(_code(f"sw.load_results({str(path)!r}, header=True)"), ["path"], package="sweep")
    if out["status"] == "ok":
        head, recs = out["value"]
        ref = [json.loads(x) for x in _reference(work)[1]]
        assert all(r in ref for r in recs) and [r["key"] for r in recs] == sorted({r["key"] for r in recs})
    assert path.read_bytes() == content


@pytest.mark.parametrize("results, words", [
    ("a_dir", "is a directory"), ("/dev/null", "not a regular file"), ("notes.txt", "not a tailpower"),
    ("other.jsonl", "different spec"), ("notes.txt/sub.jsonl", "cannot"),
    ("/proc/tailpower_contract.jsonl", "cannot create or open"),
])
def test_results_paths_that_cannot_be_ours_are_refused(work, results, words):
    path = work / results
    before = path.read_bytes() if path.is_file() else None
    code = _code(f"sw.run_sweep({str(work / 'good.toml')!r}, cf.ThreadPoolExecutor(1), results={str(path)!r})")
    out = check(code, ["results"], package="sweep")
    assert out["status"] == "raised" and words in out["message"], out
    if before is not None:
        assert path.read_bytes() == before


def test_pipes_and_symlink_loops_are_refused(work, tmp_path):
    """A FIFO as results file (it used to raise io.UnsupportedOperation) and symlink loops."""
    import os

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    for results in ("fifo", "loop1"):
        code = _code(f"sw.run_sweep({str(work / 'good.toml')!r}, cf.ThreadPoolExecutor(1), "
                     f"results={str(tmp_path / results)!r})")
        out = check(code, ["results"], package="sweep", timeout=20)
        assert out["status"] == "raised", out
    out = check(_code(f"sw.load_spec({str(tmp_path / 'loop1')!r})"), ["spec"], package="sweep", timeout=20)
    assert out["status"] == "raised"
    out = check(_code(f"sw.load_results({str(tmp_path / 'fifo')!r})"), ["path"], package="sweep", timeout=20)
    assert out["status"] == "raised" and "not a regular file" in out["message"]


def test_reading_a_results_file_larger_than_the_budget_is_refused(work, tmp_path):
    """About 8 bytes of Python objects per byte of file: a 1 MiB budget refuses a 200 KB file."""
    head, recs = _reference(work)
    path = tmp_path / "big.jsonl"
    path.write_bytes(head + b"".join(recs) * 300)
    code = _code(f"""
        with tailpower.set_memory_budget("1MiB"):
            sw.load_results({str(path)!r})
    """)
    out = check(code, ["path"], package="sweep")
    assert out["status"] == "raised" and "BudgetError" in out["mro"]
    assert len(check(_code(f"sw.load_results({str(path)!r})"), ["path"], package="sweep")["value"]) == 4


def test_reproducer_notes_file_is_not_replaced(work, tmp_path):
    """`tailpower sweep spec.toml --results notes.txt`: refused, notes intact (it was replaced)."""
    for content in (b"my precious notes\n", b"one line, no newline", b"", b"\n"):
        notes = tmp_path / "notes.txt"
        notes.write_bytes(content)
        out = check(_cli(["sweep", str(work / "good.toml"), "--results", str(notes)]), ["argv"], package="cli")
        if content:
            assert out["value"]["code"] == 2 and "not a tailpower sweep results file" in out["value"]["err"]
            assert notes.read_bytes() == content
        else:  # an empty file holds nothing to lose: it becomes the results file
            assert out["value"]["code"] == 0
            assert notes.read_bytes() == (work / "reference.jsonl").read_bytes()


def test_reproducer_other_spec_file_is_not_truncated(work, tmp_path):
    """A different spec's results file with a cut-short last line used to be truncated, then refused."""
    path = tmp_path / "other.jsonl"
    content = (work / "other.jsonl").read_bytes() + b'{"key":"0123'
    path.write_bytes(content)
    out = check(_code(f"sw.run_sweep({str(work / 'good.toml')!r}, cf.ThreadPoolExecutor(1), results={str(path)!r})"),
                ["results"], package="sweep")
    assert out["status"] == "raised" and "different spec" in out["message"]
    assert path.read_bytes() == content


def test_a_user_file_named_like_the_temporary_file_survives(work, tmp_path):
    """The canonical rewrite used ``<results>.tmp``: a user's file of that name was overwritten."""
    path = tmp_path / "res.jsonl"
    mine = tmp_path / "res.jsonl.tmp"
    mine.write_bytes(b"mine\n")
    out = check(_code(f"len(sw.run_sweep({str(work / 'good.toml')!r}, cf.ThreadPoolExecutor(1), results={str(path)!r}))"),
                ["results"], package="sweep")
    assert out["value"] == 4 and mine.read_bytes() == b"mine\n"
    assert path.read_bytes() == (work / "reference.jsonl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res.jsonl", "res.jsonl.tmp"]


# ----------------------------------------------------------------------------- keys, seeds, table
@given(params=st.one_of(
    st.dictionaries(st.sampled_from(["a", "b"]), st.one_of(reals(), ints(), _JSONISH), max_size=2).map(_src_table),
    wrong_types(), st.sampled_from(["{1: 2}", "[('a', 1)]"])))
def test_point_key_answers_or_refuses(params):
    out = check(_code(f"sw.point_key({params})"), ["params"], package="sweep")
    if out["status"] == "ok":
        assert isinstance(out["value"], str) and len(out["value"]) == 16


@given(seed=st.one_of(ints(), wrong_types()),
       key=st.one_of(st.sampled_from(["'0123456789abcdef'", "'xyz'", "''", "'0' * 100", "5", "None", "'ABCDEF12'"])))
def test_point_seed_answers_or_refuses(seed, key):
    out = check(_code(f"sw.point_seed({seed}, {key})"), ["seed", "key"], package="sweep")
    if out["status"] == "ok":
        assert 0 <= out["value"] < 2**63


@given(records=st.one_of(
    _src_list(st.sampled_from(["{'result': {'value': 1.0}, 'params': {'a': 2}}", "{'error': 'x'}",
                               "{'result': {'value': [1, 2]}}", "{'result': {'value': [1, [2]]}}",
                               "{'result': {'value': 2**200}}", "{'result': {'value': 'inf'}}", "3", "None"])),
    wrong_types()),
    fields=st.lists(st.sampled_from(["'result.value'", "'params.a'", "''", "3", "None", "'a..b'"]), max_size=3))
def test_table_answers_or_refuses(records, fields):
    code = _code(f"""
        t = sw.table({records}, {', '.join(fields)})
        result = {{k: ["missing" if isinstance(x, float) and x != x else x for x in v.ravel().tolist()]
                  for k, v in t.items()}}
    """)
    out = check(code, ["records", "fields"], package="sweep", allow_inf=["*"])
    if out["status"] == "ok":
        assert isinstance(out["value"], dict)


def test_table_values_round_trip():
    out = check(_code("[str(x) for x in sw.table([{'result': {'value': 'inf'}}, {'result': {'value': 2.5}}, "
                      "{'error': 'x'}], 'result.value')['result.value']]"), [], package="sweep")
    assert out["value"] == ["inf", "2.5", "nan"]


# ----------------------------------------------------------------------------- run_sweep arguments
@given(kw=st.sampled_from(["workers=0", "workers=-1", "workers=1.5", "workers='2'", "workers=10**6",
                           "max_pending=0", "max_pending=-1", "max_pending=None", "max_pending=2.5",
                           "numba_threads=0", "numba_threads='x'", "executor='local'", "executor=3",
                           "results=5", "results=''", "progress=False"]))
def test_run_sweep_arguments_answer_or_refuse(work, kw):
    path = _fresh(work)
    extra = "" if kw.startswith("results") else f", results={str(path)!r}"
    ex = "" if kw.startswith(("executor", "workers", "numba")) else "cf.ThreadPoolExecutor(1), "
    code = _code(f"len(sw.run_sweep({str(work / 'good.toml')!r}, {ex}{kw}{extra}))")
    out = check(code, ["workers", "max_pending", "numba_threads", "executor", "results"], package="sweep")
    if out["status"] == "ok":
        assert out["value"] == 4


@pytest.mark.parametrize("name, words", [
    ("no_module.toml", "cannot import"), ("no_file.toml", "no such file"), ("no_attr.toml", "no attribute"),
    ("not_callable.toml", "not callable"), ("broken_module.toml", "SyntaxError"),
    ("raising_module.toml", "boom at import"), ("bad_signature.toml", "cannot be called"),
])
def test_functions_that_cannot_run_are_refused_by_name(work, name, words):
    path = _fresh(work)
    out = check(_code(f"sw.run_sweep({str(work / name)!r}, cf.ThreadPoolExecutor(1), results={str(path)!r})"),
                ["function"], package="sweep")
    assert out["status"] == "raised" and words in out["message"], out
    assert not path.exists()


def test_a_result_that_is_not_json_is_named(work):
    """A function returning an object JSON cannot hold: a TypeError naming ``function``."""
    spec = {"function": "types:SimpleNamespace", "seed_arg": False, "grid": {"s": [1]}, "results": str(_fresh(work))}
    out = check(_code(f"sw.run_sweep({spec!r}, cf.ThreadPoolExecutor(1))"), ["function"], package="sweep")
    assert out["status"] == "raised" and "JSON-serialisable" in out["message"]


# ----------------------------------------------------------------------------- the command line
def _cli(argv: list[str]) -> str:
    return textwrap.dedent(f"""
        import contextlib, io
        from tailpower.cli import main
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main({argv!r})
            except SystemExit as exc:
                code = exc.code
        result = {{"code": code, "err": err.getvalue()[-3000:], "out": out.getvalue()[-1000:]}}
    """).strip()


SPEC_FILES = ["good.toml", "syntax.toml", "types.toml", "unknown_key.toml", "empty_grid.toml", "nan_range.toml",
              "huge_grid.toml", "huge_linspace.toml", "negative_n.toml", "unknown_dist.toml", "no_module.toml",
              "no_file.toml", "no_attr.toml", "not_callable.toml", "broken_module.toml", "raising_module.toml",
              "bad_signature.toml", "binary.toml", "deep.toml", "date.toml", "nosuch.toml", "a_dir", "notes.txt"]


@st.composite
def command_lines(draw, work: Path) -> list[str]:
    cmd = draw(st.sampled_from(["sweep"] * 6 + ["figures", "claims", "bench", "nosuch", "", "--help"]))
    argv = [cmd] if cmd else []
    if cmd == "sweep":
        if draw(st.integers(0, 9)):
            argv.append(str(work / draw(st.sampled_from(SPEC_FILES))))
        opts = draw(st.lists(st.sampled_from(["--workers", "--results", "--scheduler", "--bogus", "--progress"]),
                             max_size=3, unique=True))
        for o in opts:
            argv.append(o)
            if o == "--workers":
                argv.append(draw(st.sampled_from(["0", "-2", "abc", "1", "2", "10**6", "1000000", ""])))
            elif o == "--results":
                argv.append(draw(st.sampled_from([str(_fresh(work))] * 3 + [
                    str(work / "a_dir"), str(work / "notes.txt"), "/dev/null", str(work / "other.jsonl"), ""])))
            elif o == "--scheduler":
                argv.append(draw(st.sampled_from(["garbage-address", "", "   "])))
    elif cmd == "figures":
        argv += draw(st.sampled_from([["no_such_figure"], ["--seed", "-1", "x"], ["--seed", "abc"],
                                      ["--out", str(work / "notes.txt"), "nope"], ["--bogus"]]))
    elif cmd == "claims":
        argv += draw(st.sampled_from([["--area", "nope"], ["--area"], ["--bogus"]]))
    elif cmd == "bench":
        argv += draw(st.sampled_from([["no_such_benchmark_xyz"], ["--bogus"]]))
    return argv


@given(data=st.data())
def test_command_line_exits_with_a_message_not_a_traceback(work, data):
    argv = data.draw(command_lines(work), label="argv")
    notes = (work / "notes.txt").read_bytes()
    other = (work / "other.jsonl").read_bytes()
    out = check(_cli(argv), ["argv"], package="cli", timeout=60)
    assert out["status"] == "ok", out
    v = out["value"]
    assert v["code"] in (0, 2), v  # nothing here raises inside a point
    assert "Traceback" not in v["err"], v["err"]
    if v["code"] == 2 and argv not in ([], ["--help"]):
        assert ": error: " in v["err"] and len(v["err"].strip().splitlines()[-1]) < 600, v["err"]
    if v["code"] == 0 and argv and argv[0] == "sweep":
        res = argv[argv.index("--results") + 1] if "--results" in argv else str(work / "good.jsonl")
        assert Path(res).read_bytes() == (work / "reference.jsonl").read_bytes()
    assert (work / "notes.txt").read_bytes() == notes and (work / "other.jsonl").read_bytes() == other


def test_scheduler_without_the_distributed_extra_names_the_extra(work):
    """`tailpower sweep --scheduler ADDRESS` without `distributed`: a raw ModuleNotFoundError before."""
    code = "import sys\nsaved = sys.modules.get('distributed')\nsys.modules['distributed'] = None\ntry:\n" + \
        textwrap.indent(_cli(["sweep", str(work / "good.toml"), "--scheduler", "tcp://127.0.0.1:8786",
                              "--results", str(_fresh(work))]), "    ") + \
        "\nfinally:\n    sys.modules.pop('distributed')\n    if saved is not None:\n        sys.modules['distributed'] = saved"
    out = check(code, ["argv"], package="cli")
    v = out["value"]
    assert v["code"] == 2 and "pip install 'tailpower[distributed]'" in v["err"] and "Traceback" not in v["err"]
    assert "error: scheduler:" in v["err"]


def test_a_failing_point_exits_1_and_keeps_the_finished_records(work, tmp_path):
    (tmp_path / "fail_fn.py").write_text("def f(a, rng):\n    if a > 2:\n        raise ZeroDivisionError('a > 2')\n"
                                         "    return a\n")
    (tmp_path / "fail.toml").write_text('function = "fail_fn.py:f"\n[grid]\na = [1, 2, 3]\n')
    out = check(_cli(["sweep", str(tmp_path / "fail.toml"), "--workers", "1"]), ["argv"], package="cli")
    v = out["value"]
    assert v["code"] == 1 and "a point raised ZeroDivisionError" in v["err"] and "errors = \"record\"" in v["err"]
    lines = (tmp_path / "fail.jsonl").read_bytes().splitlines()  # the records finished before a = 3
    assert json.loads(lines[0])["tailpower_sweep"] == 1
    assert all(json.loads(x)["result"]["value"] in (1, 2) for x in lines[1:])


def test_run_example_refuses_bad_options_with_usage_errors(work):
    code = textwrap.dedent(f"""
        import contextlib, io
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                sw.run_example({str(work / 'good.toml')!r}, ["--workers", "0"])
            except SystemExit as exc:
                result = {{"code": exc.code, "err": err.getvalue()}}
    """)
    out = check(_code(code), ["argv"], package="cli")
    assert out["value"]["code"] == 2 and "workers: must be an integer >= 1" in out["value"]["err"]


def test_sweep_does_not_import_the_cli():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import sys, tailpower.sweep; print('tailpower.cli' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_name_in_both_grid_and_search_is_refused(work):
    """The random draw silently replaced the grid value, so the grid was never swept."""
    spec = {"function": f"{work / 'toy_contract_fn.py'}:toy", "results": str(_fresh(work)),
            "grid": {"a": [1.0, 2.0]}, "search": {"n": 3, "params": {"a": {"uniform": [0, 1]}}}}
    out = check(_code(f"sw.points({spec!r})"), ["a"], package="sweep")
    assert out["status"] == "raised" and "both in [grid] and in [search.params]" in out["message"]


def test_function_files_with_colons_and_dashes_in_their_paths(tmp_path):
    d = tmp_path / "a:b"
    d.mkdir()
    (d / "my-fn.py").write_text("def f(a, rng):\n    return a + 1\n")
    spec = {"function": f"{d / 'my-fn.py'}:f", "results": str(tmp_path / "r.jsonl"), "grid": {"a": [1, 2]}}
    out = check(_code(f"[r['result']['value'] for r in sw.run_sweep({spec!r}, cf.ThreadPoolExecutor(1))]"),
                ["function"], package="sweep")
    assert sorted(out["value"]) == [2, 3]


def test_an_adaptive_objective_that_no_result_has_is_refused(work):
    """A misspelt objective turned the adaptive search into random draws without a word."""
    path = _fresh(work)
    spec = {"function": f"{work / 'toy_contract_fn.py'}:bowl", "results": str(path),
            "search": {"kind": "adaptive", "n": 4, "rounds": 2, "objective": "valeu",
                       "params": {"x": {"uniform": [0.0, 1.0]}}}}
    out = check(_code(f"sw.run_sweep({spec!r}, cf.ThreadPoolExecutor(1))"), ["search.objective"], package="sweep")
    assert out["status"] == "raised" and "'valeu'" in out["message"] and "value" in out["message"]
    assert len(path.read_bytes().splitlines()) == 1 + 4  # round 0 is saved


@pytest.mark.parametrize("argv", ["5", "'sweep'", "[1]", "[None]", "{'sweep': 1}"])
def test_main_refuses_an_argv_that_is_not_a_list_of_strings(argv):
    out = check(f"from tailpower.cli import main\nresult = main({argv})", ["argv"], package="cli")
    assert out["status"] == "raised" and out["type"] == "TypeError"


def test_a_function_that_changes_its_inputs_does_not_change_other_points(tmp_path):
    """With threads, the spec's [fixed] lists were shared: a function appending to one changed the
    inputs of the points after it (results then depended on the order points ran in)."""
    (tmp_path / "mut_fn.py").write_text("def f(a, xs, rng):\n    xs.append(a)\n    return len(xs)\n")
    spec = {"function": f"{tmp_path / 'mut_fn.py'}:f", "results": str(tmp_path / "r.jsonl"),
            "fixed": {"xs": [0]}, "grid": {"a": list(range(6))}}
    out = check(_code(f"[r['result']['value'] for r in sw.run_sweep({spec!r}, cf.ThreadPoolExecutor(3))]"), [],
                package="sweep")
    assert out["value"] == [2] * 6


def test_an_executor_that_was_shut_down_is_named():
    code = _code("""
        import tempfile, os
        ex = cf.ThreadPoolExecutor(1)
        ex.shutdown()
        sw.run_sweep({"function": "colorsys:rgb_to_hsv", "seed_arg": False, "grid": {"r": [0.5], "g": [0.1], "b": [0.2]},
                      "results": os.path.join(tempfile.mkdtemp(), "r.jsonl")}, ex)
    """)
    out = check(code, ["executor"], package="sweep")
    assert out["status"] == "raised" and "does not accept work" in out["message"]


def test_adaptive_steps_on_a_wide_uniform_prior_stay_finite(work):
    """uniform = [0, 1.7e308]: a step of a quarter width overflowed to inf, the reflection gave nan and
    the run stopped mid-search with 'params.x: must be finite'. Now refused when the spec is read."""
    spec = {"function": f"{work / 'toy_contract_fn.py'}:ident", "results": str(_fresh(work)), "seed": 1,
            "search": {"kind": "adaptive", "n": 30, "rounds": 4, "objective": "value", "goal": "max",
                       "params": {"x": {"uniform": [0, 1.7e308]}}}}
    out = check(_code(f"sw.run_sweep({spec!r}, cf.ThreadPoolExecutor(2))"), ["search.params.x"], package="sweep")
    assert out["status"] == "raised" and "too large" in out["message"]
    spec["search"]["params"]["x"] = {"uniform": [0, 1e307]}
    spec["results"] = str(_fresh(work))
    out = check(_code(f"len(sw.run_sweep({spec!r}, cf.ThreadPoolExecutor(2)))"), ["search.params.x"], package="sweep")
    assert out["value"] == 120


@given(dist=DISTRIBUTIONS, goal=st.sampled_from(["min", "max"]), keep=st.sampled_from([0.01, 0.2, 1.0]),
       shrink=st.sampled_from([1e-9, 0.5, 1.0]))
def test_adaptive_search_stays_in_the_prior_and_is_reproducible(work, dist, goal, keep, shrink):
    """Every point of every round lies in the prior's support, and a second run (another file)
    makes exactly the same records."""
    a, b = _fresh(work), _fresh(work)
    spec = (f"{{'function': {str(work / 'toy_contract_fn.py') + ':ident'!r}, 'seed': 7, 'search': {{'kind': 'adaptive', "
            f"'n': 5, 'rounds': 3, 'objective': 'value', 'goal': {goal!r}, 'keep': {keep}, 'shrink': {shrink}, "
            f"'params': {{'x': {dist}}}}}}}")
    code = _code(f"""
        s = {spec}
        one = sw.run_sweep({{**s, "results": {str(a)!r}}}, cf.ThreadPoolExecutor(2))
        two = sw.run_sweep({{**s, "results": {str(b)!r}}}, cf.ThreadPoolExecutor(1))
        result = {{"same": one == two, "xs": [r["params"]["x"] for r in one], "rounds": sorted({{r["round"] for r in one}})}}
    """)
    out = check(code, ["search", "grid"], package="sweep")
    if out["status"] != "ok":
        return
    v = out["value"]
    assert v["same"] is True and v["rounds"][0] == 0
    assert a.read_bytes() == b.read_bytes()
    import numpy as np

    from tailpower.sweep.keys import plain_json

    prior = plain_json("x", eval(dist, {"np": np, "float": float}))  # noqa: S307 -- our own literals
    if isinstance(prior, dict) and len(prior) == 1:
        (kind, args), = prior.items()
        if kind in ("uniform", "loguniform", "integers"):
            assert all(args[0] <= x <= args[1] for x in v["xs"]), (kind, args, v["xs"])
        elif kind == "choice":
            assert all(x in args for x in v["xs"])
    elif isinstance(prior, list):
        assert all(x in prior for x in v["xs"])
