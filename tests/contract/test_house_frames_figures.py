"""Contract of the infrastructure added for users: sweep DataFrames and Parquet files
(``tailpower.sweep.to_frame``, ``write_parquet``, ``load_results(as_frame=...)``) and the figure
output options (``tailpower._common.figure_options``, ``save_figure(format=, dpi=)``).

Records of any JSON shape -- huge integers, the strings for non-finite floats, ragged lists, nested
tables, wrong types -- give a frame or a named refusal, never a foreign exception; a Parquet
output path that is not the toolkit's own is refused and left unchanged.
"""

from __future__ import annotations

import itertools

import pytest
from contract_support import WRONG_TYPES, check
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

_N = itertools.count()

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.sampled_from([10**400, -(10**400), 2**63, -2**63]),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["inf", "-inf", "nan", "x", ""]),
)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["a", "b", "value", "x.y"]), inner, max_size=3)),
    max_leaves=8)
records = st.lists(st.fixed_dictionaries({"key": st.sampled_from(["0123456789abcdef", "k"]),
                                          "params": st.dictionaries(st.sampled_from(["alpha", "n"]), json_scalars),
                                          "result": json_values}), max_size=6)


@given(recs=st.one_of(records, st.sampled_from(WRONG_TYPES + ["[1, 2]", "'records'", "[{}, 3]"])))
def test_to_frame_answers_or_refuses(recs):
    code = recs if isinstance(recs, str) else repr(recs)
    out = check(f"import tailpower.sweep as sw\nresult = list(sw.to_frame({code}).shape)", ["records"],
                package="sweep")
    if out["status"] == "ok" and not isinstance(recs, str):
        assert out["value"][0] == len(recs)


@pytest.mark.parametrize("flag", WRONG_TYPES[:5])
def test_as_frame_of_the_wrong_type_is_refused_by_name(tmp_path, flag):
    path = tmp_path / f"r{next(_N)}.jsonl"
    path.write_text('{"spec":{},"spec_hash":"' + "0" * 64 + '","tailpower_sweep":1}\n')
    out = check(f"import tailpower.sweep as sw\nresult = sw.load_results({str(path)!r}, as_frame={flag})",
                ["as_frame", "path"], package="sweep")
    assert out["status"] == "raised" or flag == "True"


@pytest.mark.parametrize("target", ["a_dir", "/dev/null", "notes.parquet", "missing_dir/x.parquet",
                                    "/proc/x.parquet", "None", "3"])
def test_parquet_outputs_that_cannot_be_ours_are_refused_by_name(tmp_path, target):
    res = tmp_path / "r.jsonl"
    res.write_text('{"spec":{},"spec_hash":"' + "0" * 64 + '","tailpower_sweep":1}\n')
    (tmp_path / "a_dir").mkdir()
    (tmp_path / "notes.parquet").write_bytes(b"PAR1 not really")
    arg = target if target in ("None", "3") else repr(str(tmp_path / target) if not target.startswith("/") else target)
    out = check(f"import tailpower.sweep as sw\nresult = str(sw.write_parquet({str(res)!r}, {arg}))",
                ["out", "results", "path"], package="sweep")
    if target == "missing_dir/x.parquet":
        assert out["status"] == "ok"  # a new file in a new directory is fine
    else:
        assert out["status"] == "raised"
    assert (tmp_path / "notes.parquet").read_bytes() == b"PAR1 not really"


@given(fmt=st.sampled_from(["'png'", "'PDF'", "'gif'", "''", "None", "3", "'svg'"]),
       dpi=st.sampled_from(["110", "10", "2400", "9", "2401", "1e3", "1.5", "float('nan')", "True", "'72'", "10**30"]),
       seed=st.sampled_from(["None", "0", "-1", "2**64", "1.0", "'0'"]))
def test_figure_options_answer_or_refuse(fmt, dpi, seed):
    code = ("from tailpower._common import figure_options\n"
            f"with figure_options(format={fmt}, dpi={dpi}, seed={seed}):\n    result = 1")
    check(code, ["format", "dpi", "seed"], package="tailpower")
