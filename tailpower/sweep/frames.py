"""Sweep records as a pandas DataFrame, and results files as Parquet (the ``frames`` extra).

The results file is JSON lines (strict JSON has no NaN or infinity, so non-finite floats are
written as the strings ``"inf"``, ``"-inf"``, ``"nan"``; see :mod:`tailpower.sweep`). Here they
become real floats again: a column whose entries are numbers or those strings is a float column,
and a list of such entries (an array result) becomes a float numpy array.
"""

from __future__ import annotations

import math
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._common import check_memory, jsonable
from .._extras import require
from .keys import dumps

__all__ = ["to_frame", "write_parquet", "PARQUET_KEY"]

_NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
PARQUET_KEY = b"tailpower_sweep"  # schema metadata key of the Parquet files written here
_FIRST = ("key", "round", "seed")
FRAME_BYTES_PER_CELL = 120  # a generous estimate of a DataFrame cell (object columns included)


def _is_number(v: Any) -> bool:
    """A finite JSON number within the float range, or one of the strings for non-finite floats."""
    if isinstance(v, str):
        return v in _NONFINITE
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    return isinstance(v, float) or -_INT_LIMIT < v < _INT_LIMIT  # 10**400 stays an object


_INT_LIMIT = 2**1023


def _number(v: Any) -> float:
    return _NONFINITE[v] if isinstance(v, str) else float(v)


def _flatten(obj: Mapping, prefix: str, out: dict) -> None:
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            _flatten(v, name + ".", out)
        else:
            out[name] = v


def _column(values: list) -> np.ndarray:
    present = [v for v in values if v is not None]
    if present and all(_is_number(v) for v in present):
        ints = [v for v in present if isinstance(v, int)]
        if len(ints) == len(values) and all(-2**63 <= v < 2**63 for v in ints):
            return np.asarray(values, dtype=np.int64)
        if all(-2**53 <= v <= 2**53 for v in ints):  # every integer is exact as a float
            return np.array([math.nan if v is None else _number(v) for v in values], dtype=float)
    if present and len(present) == len(values) and all(isinstance(v, bool) for v in present):
        return np.asarray(values, dtype=bool)
    col = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if isinstance(v, list) and v and all(_is_number(x) for x in v):
            v = np.array([_number(x) for x in v], dtype=float)
        col[i] = v
    return col


def to_frame(records: Iterable[Mapping]):
    """The records of a sweep as a :class:`pandas.DataFrame`, one row per point.

    Parameters
    ----------
    records : iterable of dict
        Sweep records, as :func:`tailpower.sweep.load_results` returns them.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``round``, ``seed``, then ``params.<name>`` and ``result.<field>`` (nested
        tables flattened with dots), and ``error`` for sweeps with ``errors = "record"``.
        Non-finite floats are real ``nan``/``inf``; a missing value (an error record's result) is
        NaN in a numeric column and None elsewhere. Integers stay exact: a column of integers
        beyond int64 (or mixed with floats beyond 2**53) is a column of Python ints.

    Raises
    ------
    TypeError
        Naming ``records`` if they are not sweep records (dicts).
    ModuleNotFoundError
        Naming the ``frames`` extra when pandas is not installed.

    Examples
    --------
    >>> from tailpower.sweep import to_frame
    >>> frame = to_frame([{"key": "k1", "params": {"alpha": 0.5}, "result": {"value": "inf"}},
    ...                   {"key": "k2", "params": {"alpha": 2.0}, "result": {"value": 2.0}}])
    >>> frame["result.value"].tolist()
    [inf, 2.0]
    """
    pd = require("pandas", "frames", "a sweep DataFrame")
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        raise TypeError(f"records: expected a list of sweep records (dicts), got {type(records).__name__}")
    rows = []
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"records: item {i} is a {type(r).__name__}, not a sweep record (dict)")
        row: dict = {}
        _flatten(r, "", row)
        rows.append(row)
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    check_memory("records", FRAME_BYTES_PER_CELL * max(1, len(rows)) * max(1, len(names)),
                 f"a DataFrame of {len(rows)} records x {len(names)} columns")

    def rank(name: str) -> tuple:
        if name in _FIRST:
            return (0, _FIRST.index(name), name)
        head = name.split(".")[0]
        return ({"params": 1, "result": 2}.get(head, 3), 0, name)

    ordered = sorted(names, key=rank)
    return pd.DataFrame({n: _column([row.get(n) for row in rows]) for n in ordered}, columns=ordered)


def _own_parquet(path: Path) -> bool:
    """True if ``path`` is a Parquet file this module wrote (its schema metadata says so)."""
    pq = require("pyarrow.parquet", "frames", "Parquet output")
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:  # noqa: BLE001 -- anything unreadable as Parquet is not ours
        return False
    return PARQUET_KEY in meta


def write_parquet(results: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write the results file ``results`` of a sweep as the Parquet file ``out``.

    Parameters
    ----------
    results : path
        A JSON-lines results file written by :func:`tailpower.sweep.run_sweep` (read with
        :func:`tailpower.sweep.load_results`; a half-written last line is ignored).
    out : path
        The Parquet file to write. Columns as :func:`to_frame`, with real NaN/inf (arrays of
        numbers as Parquet lists of doubles); a column of other entries (mixed lists, tables) is
        stored as JSON text and named in the metadata's ``json_columns``. The sweep header
        (spec and spec hash) is in the schema metadata under ``tailpower_sweep``.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    ValueError
        Naming ``results`` as :func:`~tailpower.sweep.load_results` does; naming ``out`` when it
        exists and is not a Parquet file this function wrote (it is never overwritten), or is a
        directory, or cannot be written.
    ModuleNotFoundError
        Naming the ``frames`` extra when pandas or pyarrow is not installed.

    Examples
    --------
    >>> import pandas as pd                                          # doctest: +SKIP
    >>> write_parquet("results/cogpower.jsonl", "cogpower.parquet")  # doctest: +SKIP
    >>> pd.read_parquet("cogpower.parquet")["result.value"]          # doctest: +SKIP
    """
    from .spec import _path_arg
    from .store import load_results

    pa = require("pyarrow", "frames", "Parquet output")
    pq = require("pyarrow.parquet", "frames", "Parquet output")
    header, records = load_results(results, header=True)
    target = Path(os.path.abspath(_path_arg("out", out)))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ValueError(f"out: cannot access {str(target)!r}: {exc.strerror or exc}") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"out: {str(target)!r} exists and is not a regular file; not replacing it")
        if not _own_parquet(target):
            raise ValueError(f"out: {str(target)!r} exists and is not a Parquet file of sweep results written "
                             "by tailpower; not overwriting it -- choose another path")
    frame = to_frame(records)
    json_columns = []
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object and not (all(v is None or isinstance(v, str) for v in col)
                                        or all(v is None or isinstance(v, np.ndarray) for v in col)):
            frame[name] = [None if v is None else dumps(jsonable(v)) for v in col]
            json_columns.append(name)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[PARQUET_KEY] = dumps({"header": header, "json_columns": json_columns}).encode()
    table = table.replace_schema_metadata(meta)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; the file gets the usual permissions
        pq.write_table(table, tmp)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise ValueError(f"out: cannot write {str(target)!r}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return target
