"""The results file of a sweep: reading it strictly, appending records, the atomic canonical
rewrite -- and never touching a file that is not this sweep's own (docs/contract.md, item 4).

A file is this sweep's own when its first line is a sweep header with this spec's hash and every
further complete line is a record. Anything else -- a text file, binary data, a results file of
a different spec or of a newer format -- is refused before the file is opened for writing. The
only modifications are appending records, cutting a half-written last line left by a kill, and
replacing the whole file atomically (temporary file + ``os.replace``) with its canonical form.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .._common import check_memory, format_bytes, memory_budget
from .keys import dumps, point_key
from .spec import SweepSpec, _path_arg

__all__ = ["FORMAT_VERSION", "load_results", "table", "ResultsWriter"]

FORMAT_VERSION = 1
READ_FACTOR = 8  # bytes of Python objects per byte of results file (measured about 7)
_KEY = re.compile(r"[0-9a-f]{16}")
_HASH = re.compile(r"[0-9a-f]{64}")
_HEADER_START = b'{"spec":'  # a canonical header (sorted keys) starts so
_RECORD_KEYS = frozenset({"key", "params", "seed", "round"})


class _Scan(NamedTuple):
    header: dict | None   # None: empty file, or only part of a header line
    records: list[dict]   # deduplicated, sorted by key
    end: int              # bytes of complete lines
    size: int
    torn_header: bool


class _Bad(Exception):
    """A JSON line that parses but is not what this writer writes."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _Bad(f"repeats the key {dup!r} in one object")
    return out


def _no_constant(name: str) -> Any:
    raise _Bad(f"holds the non-standard number {name}")


def _parse(line: bytes, lineno: int, path: Path, param: str) -> Any:
    where = f"{param}: {path}: line {lineno}"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{where} is not UTF-8 text; this is not a tailpower sweep results file") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _Bad as exc:
        raise ValueError(f"{where} {exc}; this is not a file tailpower wrote") from None
    except RecursionError:
        raise ValueError(f"{where} nests too deeply to be a sweep record") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4300 digits
        raise ValueError(f"{where} is not valid JSON ({str(exc)[:120]})") from None


def _check_header(obj: Any, path: Path, param: str) -> dict:
    not_ours = f"{param}: {path} is not a tailpower sweep results file (line 1 is not a sweep header)"
    if not isinstance(obj, dict) or "tailpower_sweep" not in obj:
        raise ValueError(not_ours)
    version = obj["tailpower_sweep"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(not_ours)
    if version > FORMAT_VERSION:
        raise ValueError(f"{param}: {path} was written by a newer tailpower (results format {version}; "
                         f"this version reads format {FORMAT_VERSION}); upgrade tailpower to read or resume it")
    if (set(obj) != {"tailpower_sweep", "spec_hash", "spec"} or not isinstance(obj["spec"], dict)
            or not isinstance(obj["spec_hash"], str) or not _HASH.fullmatch(obj["spec_hash"])):
        raise ValueError(f"{param}: {path}: line 1 is a malformed sweep header (keys {sorted(obj)[:6]})")
    return obj


def _check_record(obj: Any, lineno: int, path: Path, param: str) -> dict:
    where = f"{param}: {path}: line {lineno} is not a sweep record"
    if not isinstance(obj, dict):
        raise ValueError(f"{where} (a JSON {type(obj).__name__}, not an object)")
    kind = "result" if "result" in obj else "error"
    if set(obj) != _RECORD_KEYS | {kind}:
        raise ValueError(f"{where} (keys {sorted(obj)[:8]})")
    key, params, seed, rnd, payload = obj["key"], obj["params"], obj["seed"], obj["round"], obj[kind]
    ok = (isinstance(key, str) and _KEY.fullmatch(key) is not None and isinstance(params, dict)
          and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (seed, rnd))
          and isinstance(payload, dict if kind == "result" else str))
    if not ok:
        raise ValueError(f"{where} (a field has the wrong type)")
    if point_key(params) != key:
        raise ValueError(f"{where} (its key {key} is not the key of its params)")
    return obj


def _stat(path: Path, param: str) -> os.stat_result | None:
    """The file's stat, None if it does not exist; a named error unless it is a regular file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(f"{param}: cannot access {str(path)!r}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{param}: {str(path)!r} is a directory, not a results file")
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{param}: {str(path)!r} is not a regular file (a pipe, socket or device)")
    return st


def _scan(fh, path: Path, param: str, size: int, header_line: bytes | None = None,
          spec_hash: str | None = None) -> _Scan:
    """Parse a results file from its open handle, strictly; see the module docstring.

    ``header_line``/``spec_hash``: the header this sweep would write; a file holding only a prefix
    of it (a kill while the header was written) is reported as ``torn_header``, and a complete
    header with another hash is refused.
    """
    fh.seek(0)
    if size == 0:
        return _Scan(None, [], 0, 0, False)
    first = fh.readline(max(1 << 20, memory_budget() // 8))
    if not first.endswith(b"\n"):
        # a header cut short by a kill; a prefix shorter than '{"spec":' cannot be told from a user's file
        if len(first) == size and first.startswith(_HEADER_START) and (header_line is None or header_line.startswith(first)):
            return _Scan(None, [], 0, size, True)
        if len(first) == size and first.startswith(_HEADER_START):
            raise ValueError(f"{param}: {path} holds part of the header of another sweep (killed while "
                             "starting); delete it or use another results path")
        raise ValueError(f"{param}: {path} is not a tailpower sweep results file (no sweep header line); "
                         "refusing to touch it")
    if not first.startswith(b"{"):
        raise ValueError(f"{param}: {path} is not a tailpower sweep results file (line 1 is not a sweep header); "
                         "refusing to touch it")
    header = _check_header(_parse(first, 1, path, param), path, param)
    if spec_hash is not None and header["spec_hash"] != spec_hash:
        raise ValueError(
            f"{param}: {path} was written by a different spec (hash {header['spec_hash'][:12]}, this spec "
            f"{spec_hash[:12]}); use another results path or delete the file"
        )
    check_memory(param, READ_FACTOR * size, f"reading the results file {path} ({format_bytes(size)})")
    records: dict[str, dict] = {}
    end, lineno = len(first), 1
    for line in fh:
        lineno += 1
        if not line.endswith(b"\n"):  # the last line, cut short by a kill during its write
            if line[:2] != b'{"'[: len(line[:2])]:
                raise ValueError(f"{param}: {path} ends with {len(line)} bytes that are not part of a "
                                 "sweep record; this file was changed by something other than tailpower")
            break
        end += len(line)
        if not line.strip():
            continue
        rec = _check_record(_parse(line, lineno, path, param), lineno, path, param)
        old = records.get(rec["key"])
        if old is not None and dumps(old) != dumps(rec):
            raise ValueError(f"{param}: {path}: two different records for key {rec['key']} (line {lineno})")
        records[rec["key"]] = rec
    return _Scan(header, [records[k] for k in sorted(records)], end, size, False)


def load_results(path: str | os.PathLike, *, header: bool = False, as_frame: bool = False):
    """The records of a results file, sorted by key (a half-written last line is ignored).

    Parameters
    ----------
    path : path
        A results file written by :func:`tailpower.sweep.run_sweep`.
    header : bool
        Also return the header (``{"tailpower_sweep", "spec_hash", "spec"}``).
    as_frame : bool
        Return a :class:`pandas.DataFrame` (one row per point; columns ``key``, ``round``,
        ``seed``, ``params.*``, ``result.*``, ``error``) with real NaN and infinities instead of
        the strings the JSON file holds (:func:`tailpower.sweep.frames.to_frame`; the ``frames``
        extra).

    Returns
    -------
    list of dict, or DataFrame, or (dict, list of dict or DataFrame)
        Records ``{"key", "params", "seed", "round", "result" | "error"}``; non-finite floats are
        the strings ``"inf"``, ``"-inf"``, ``"nan"`` in the records and real floats in the frame.

    Examples
    --------
    >>> from tailpower.sweep import load_results                    # doctest: +SKIP
    >>> load_results("results/cogpower.jsonl", as_frame=True)       # doctest: +SKIP

    Raises
    ------
    ValueError, TypeError
        Naming ``path``: no such file, not a results file (any line that is not a record,
        non-UTF-8 bytes, duplicated JSON keys, two different records for one key), a newer results
        format, or a file too large for the memory budget (:class:`tailpower.BudgetError`).
    """
    for name, flag in (("header", header), ("as_frame", as_frame)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name}: expected True or False, got {type(flag).__name__}")
    p = Path(os.path.abspath(_path_arg("path", path)))
    st = _stat(p, "path")
    if st is None:
        raise ValueError(f"path: no such results file {str(p)!r}")
    try:
        with open(p, "rb") as fh:
            scan = _scan(fh, p, "path", os.fstat(fh.fileno()).st_size)
    except OSError as exc:
        raise ValueError(f"path: cannot read {str(p)!r}: {exc.strerror or exc}") from None
    if scan.header is None:
        raise ValueError(f"path: {p} holds no complete header line (empty, or a sweep killed while starting)")
    records = scan.records
    if as_frame:
        from .frames import to_frame

        records = to_frame(records)
    return (scan.header, records) if header else records


def table(records: Iterable[Mapping], *fields: str) -> dict[str, np.ndarray]:
    """Columns of ``records`` as numpy arrays: ``table(recs, "params.alpha", "result.value")``.

    Missing values (error records) become NaN for numeric columns; the strings "inf", "-inf",
    "nan" written for non-finite floats become floats again. A column that is not numeric (or
    ragged) is an object array with one entry per record.

    Parameters
    ----------
    records : iterable of dict
        Sweep records (:func:`run_sweep`, :func:`load_results`).
    *fields : str
        Dotted paths into a record: ``"params.alpha"``, ``"result.value"``, ``"seed"``.

    Returns
    -------
    dict of str to ndarray
        One array per field, in record order: float where every entry is a number (or missing),
        else object.

    Raises
    ------
    TypeError
        ``records`` not an iterable of dicts; a field that is not a non-empty string.

    Examples
    --------
    >>> recs = [{"params": {"alpha": 0.5}, "result": {"value": "inf"}},
    ...         {"params": {"alpha": 2.0}, "error": "ValueError: ..."}]
    >>> table(recs, "params.alpha", "result.value")
    {'params.alpha': array([0.5, 2. ]), 'result.value': array([inf, nan])}
    """
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        raise TypeError(f"records: expected a list of sweep records (dicts), got {type(records).__name__}")
    records = list(records)
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"records: item {i} is a {type(r).__name__}, not a sweep record (dict)")
    for f in fields:
        if not isinstance(f, str) or not f:
            raise TypeError(f"fields: expected dotted field names such as 'result.value', got {f!r}")
    out = {}
    for f in fields:
        col = []
        for r in records:
            v: Any = r
            for part in f.split("."):
                v = v.get(part) if isinstance(v, Mapping) else None
            if isinstance(v, str) and v in ("inf", "-inf", "nan"):
                v = float(v)
            col.append(np.nan if v is None else v)
        try:
            out[f] = np.asarray(col, dtype=float)
        except (TypeError, ValueError, OverflowError):
            arr = np.empty(len(col), dtype=object)
            for i, v in enumerate(col):
                arr[i] = v
            out[f] = arr
    return out


class ResultsWriter:
    """Append-only writer of a results file, holding an exclusive lock on it.

    Refuses (ValueError naming ``results``) a path that is a directory or not a regular file, a
    file that is not this spec's results file, a file locked by another running sweep, and a path
    it cannot create or open -- all before the file is opened for writing or changed.
    """

    def __init__(self, path: Path, spec: SweepSpec):
        path = Path(path)
        self.path = path
        self.spec = spec
        header = {"tailpower_sweep": FORMAT_VERSION, "spec_hash": spec.hash, "spec": spec.canonical()}
        header_line = (dumps(header) + "\n").encode()
        st = _stat(path, "results")
        pre = None
        if st is not None and st.st_size:
            try:
                with open(path, "rb") as fh:
                    pre = self._scan(fh, st.st_size, header_line)
            except OSError as exc:
                raise ValueError(f"results: cannot read {str(path)!r}: {exc.strerror or exc}") from None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(path, "a+b")
        except OSError as exc:
            raise ValueError(f"results: cannot create or open {str(path)!r} for writing: {exc.strerror or exc}") from None
        try:
            self._lock()
            now = os.fstat(self.fh.fileno())
            same = st is not None and (now.st_ino, now.st_size, now.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)
            scan = pre if (same and pre is not None) else self._scan(self.fh, now.st_size, header_line)
            if scan.header is None:  # new, empty, or a header cut short by a kill
                self.fh.truncate(0)
                self.header = header
                self.write(header)
            else:
                if scan.end < scan.size:  # a kill interrupted the last write: drop the partial line
                    self.fh.truncate(scan.end)
                    self._sync()
                self.header = scan.header
            self.records = {r["key"]: r for r in scan.records}
        except BaseException:
            self.fh.close()
            raise

    def _scan(self, fh, size: int, header_line: bytes) -> _Scan:
        scan = _scan(fh, self.path, "results", size, header_line, self.spec.hash)
        names = set(self.spec.names)
        rounds = self.spec.search.get("rounds", 1) if self.spec.search else 1
        for r in scan.records:
            if set(r["params"]) != names or r["round"] >= rounds:
                raise ValueError(f"results: {self.path}: the record with key {r['key']} does not belong to this "
                                 "spec (its parameters or round differ); the file was edited")
        return scan

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - non-POSIX
            return
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(f"results: {self.path} is locked by another running sweep; wait for it to "
                             "finish or use another results path") from None

    def _sync(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def write(self, obj: dict) -> None:
        self.fh.write((dumps(obj) + "\n").encode())
        self._sync()

    def add(self, record: dict) -> None:
        self.write(record)
        self.records[record["key"]] = json.loads(dumps(record))  # as a reader will see it

    def finalize(self) -> None:
        """Rewrite the file atomically in canonical form: header, records sorted by key.

        Only the file this writer holds is replaced; if the path was moved or replaced meanwhile,
        or its directory is not writable, the appended file (complete, in finishing order) stays
        and a warning says so.
        """
        mine = os.fstat(self.fh.fileno())
        try:
            cur = os.stat(self.path)
        except OSError:
            cur = None
        if cur is None or (cur.st_dev, cur.st_ino) != (mine.st_dev, mine.st_ino):
            warnings.warn(f"results: {self.path} was moved or replaced during the sweep; not rewriting it",
                          RuntimeWarning, stacklevel=3)
            return
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write((dumps(self.header) + "\n").encode())
                for k in sorted(self.records):
                    out.write((dumps(self.records[k]) + "\n").encode())
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, stat.S_IMODE(mine.st_mode))
            os.replace(tmp, self.path)
            tmp = None
        except OSError as exc:
            warnings.warn(f"results: could not rewrite {self.path} in canonical order ({exc.strerror or exc}); "
                          "it holds every record, in finishing order", RuntimeWarning, stacklevel=3)
            return
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        try:
            dfd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:  # pragma: no cover - platforms without directory fsync
            pass

    def close(self) -> None:
        self.fh.close()
