"""Sweep results as DataFrames and Parquet files; figures as PNG, PDF or SVG with full sidecars."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import tailpower
from tailpower import _common as common
from tailpower.cli import main
from tailpower.sweep import load_results, run_sweep, table, to_frame, write_parquet

pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

FUNCTION = '''
import math

def f(x, rng=None):
    if x == 3.0:
        raise ValueError("x: three is refused")
    value = math.inf if x > 1 else (math.nan if x < 0 else x)
    return {"value": value, "arr": [x, -math.inf], "tag": f"t{x}", "n": 10**20, "nested": {"lo": -x}}
'''


@pytest.fixture
def results(tmp_path):
    (tmp_path / "f.py").write_text(FUNCTION)
    spec = {"function": f"{tmp_path / 'f.py'}:f", "results": str(tmp_path / "r.jsonl"), "seed": 0,
            "errors": "record", "grid": {"x": [-1.0, 0.5, 2.0, 3.0]}}
    with ThreadPoolExecutor(1) as ex:
        run_sweep(spec, ex)
    return tmp_path / "r.jsonl"


def test_the_frame_has_real_nan_and_inf_where_the_file_has_strings(results):
    text = results.read_text()
    assert '"value":"inf"' in text and '"value":"nan"' in text  # strict JSON in the file
    records = load_results(results)
    frame = load_results(results, as_frame=True)
    assert list(frame.columns[:3]) == ["key", "round", "seed"] and len(frame) == 4
    assert [r["key"] for r in records] == frame["key"].tolist()
    by_x = frame.set_index("params.x")
    assert by_x["result.value"].dtype == float
    assert math.isnan(by_x.loc[-1.0, "result.value"]) and by_x.loc[2.0, "result.value"] == math.inf
    assert by_x.loc[0.5, "result.value"] == 0.5 and by_x.loc[0.5, "result.nested.lo"] == -0.5
    assert math.isnan(by_x.loc[3.0, "result.value"])  # the error record has no result
    assert by_x.loc[3.0, "error"].startswith("ValueError: x: three is refused")
    np.testing.assert_array_equal(by_x.loc[2.0, "result.arr"], [2.0, -math.inf])
    assert by_x.loc[0.5, "result.n"] == 10**20 and isinstance(by_x.loc[0.5, "result.n"], int)  # exact
    # the same numbers as table(), the numpy reader
    col = table(records, "result.value")["result.value"]
    np.testing.assert_array_equal(col, frame["result.value"].to_numpy())
    head, both = load_results(results, header=True, as_frame=True)
    assert head["tailpower_sweep"] == 1 and both.equals(frame)


def test_parquet_round_trips_and_never_overwrites_a_file_that_is_not_its_own(results, tmp_path):
    out = write_parquet(results, tmp_path / "r.parquet")
    back = pd.read_parquet(out)
    frame = load_results(results, as_frame=True)
    assert back["key"].tolist() == frame["key"].tolist()
    np.testing.assert_array_equal(back["result.value"].to_numpy(), frame["result.value"].to_numpy())
    meta = json.loads(pq.read_schema(out).metadata[b"tailpower_sweep"])
    assert meta["header"]["spec_hash"] == load_results(results, header=True)[0]["spec_hash"]
    assert "result.n" in meta["json_columns"]  # 10**20 does not fit int64: kept exactly as JSON text
    assert json.loads(back["result.n"].iloc[0]) == 10**20
    write_parquet(results, out)  # its own file is replaced
    user = tmp_path / "notes.parquet"
    user.write_text("my notes")
    with pytest.raises(ValueError, match="^out: .* not a Parquet file of sweep results"):
        write_parquet(results, user)
    assert user.read_text() == "my notes"
    with pytest.raises(ValueError, match="^out: .* not a regular file"):
        write_parquet(results, tmp_path)
    with pytest.raises(ValueError, match="^path: no such results file"):
        write_parquet(tmp_path / "missing.jsonl", tmp_path / "x.parquet")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("records, err", [("not records", TypeError), ([1, 2], TypeError), ({}, TypeError)])
def test_to_frame_refuses_what_is_not_records(records, err):
    with pytest.raises(err, match="^records:"):
        to_frame(records)


def test_load_results_refuses_a_non_boolean_as_frame(results):
    with pytest.raises(TypeError, match="^as_frame:"):
        load_results(results, as_frame="yes")


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")])
def test_figures_in_every_format_with_seed_source_and_version(fmt, magic, tmp_path, capsys):
    name = "cogpower_mean_vs_power"
    assert main(["figures", name, "--quick", "--format", fmt, "--dpi", "40", "--seed", "7",
                 "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"{name}.{fmt}").read_bytes().startswith(magic)
    side = json.loads((tmp_path / f"{name}.json").read_text())
    assert side["seed"] == 7 and side["base_seed"] == 7 and side["source"].startswith("Kwa 2023")
    assert side["tailpower_version"] == tailpower.__version__ and side["format"] == fmt and side["dpi"] == 40
    assert side["code"] == "cogpower.figures:mean_vs_power"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{name}.{fmt}", f"{name}.json"])


def test_the_same_seed_gives_the_same_pdf_bytes(tmp_path):
    import matplotlib.pyplot as plt

    for d in ("a", "b"):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        common.save_figure(fig, tmp_path / d, "fig_t", {"x": 1}, format="pdf")
    assert (tmp_path / "a" / "fig_t.pdf").read_bytes() == (tmp_path / "b" / "fig_t.pdf").read_bytes()
    side = json.loads((tmp_path / "a" / "fig_t.json").read_text())
    here = f"{__name__}:test_the_same_seed_gives_the_same_pdf_bytes"
    assert side["seed"] is None and side["source"] == side["code"] == here  # no seed known, no citation


@pytest.mark.parametrize("kwargs, param", [({"format": "gif"}, "format"), ({"format": None}, "format"),
                                           ({"dpi": 0}, "dpi"), ({"dpi": 10**6}, "dpi"), ({"dpi": 1.5}, "dpi"),
                                           ({"seed": -1}, "seed"), ({"seed": "0"}, "seed")])
def test_figure_options_refuse_by_name(kwargs, param):
    with pytest.raises((ValueError, TypeError), match=f"^{param}:"):
        with common.figure_options(**kwargs):
            pass
