"""The sweep spec: reading a TOML file or a mapping, validating every key, and refusing sweeps
too large for the memory budget before anything is materialised (docs/contract.md, items 1-2)."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import numbers
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._common import check_int, check_memory, check_positive, memory_budget
from .keys import dumps, plain_json

__all__ = ["SweepSpec", "load_spec", "n_points"]

DISTRIBUTIONS = ("uniform", "loguniform", "normal", "integers", "choice")
KNOWN_KEYS = ("function", "results", "seed", "seed_arg", "errors", "fixed", "grid", "search", "description")
INT_LIMIT = 2**62          # integer grid / prior bounds (numpy's int64 draws need headroom)
NORMAL_LIMIT = 1e300       # |mu| and sd of a normal prior: its draws and steps stay finite
# Memory estimates (measured: a record with three parameters and a four-field result is about
# 1.4 KB as Python objects; a point dict about 240 B): what one point costs while a sweep runs.
VALUE_BYTES = 100          # one expanded grid value (the float, the list slot, its JSON text)
POINT_BYTES = 1200         # one point and its record, without parameters
PARAM_BYTES = 150          # each parameter of a point


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification (see :mod:`tailpower.sweep` for the TOML form).

    Attributes
    ----------
    function : str
        ``"module:function"`` or ``"path/to/file.py:function"`` as written in the spec.
    fixed : dict
        Keyword arguments shared by all points.
    grid : dict
        ``{name: [values]}`` -- expanded value lists, cartesian product.
    search : dict or None
        The normalised ``[search]`` table.
    seed : int
        Root seed.
    seed_arg : str or None
        Keyword that receives the per-point seed; ``None`` passes none.
    errors : str
        ``"raise"`` or ``"record"``.
    results : pathlib.Path
        Absolute path of the results file.
    base_dir : pathlib.Path
        Directory that relative paths in the spec are resolved against.

    Examples
    --------
    >>> from tailpower.sweep import load_spec
    >>> spec = load_spec({"function": "goodhart:detection_asymptote", "seed_arg": False, "results": "out.jsonl",
    ...                   "fixed": {"tail_index": 3.0}, "grid": {"kl": {"geomspace": [1e-6, 1e-2, 3]}}})
    >>> spec.grid, spec.seed_arg
    ({'kl': [1e-06, 0.0001, 0.01]}, None)
    """

    function: str
    fixed: dict
    grid: dict
    search: dict | None
    seed: int
    seed_arg: str | None
    errors: str
    results: Path
    base_dir: Path

    def canonical(self) -> dict:
        """The part of the spec that determines the records (hashed into the results header)."""
        return {
            "function": self.function,
            "fixed": self.fixed,
            "grid": self.grid,
            "search": self.search,
            "seed": self.seed,
            "seed_arg": self.seed_arg,
            "errors": self.errors,
        }

    @property
    def hash(self) -> str:
        return hashlib.sha256(dumps(self.canonical()).encode()).hexdigest()

    @property
    def names(self) -> list[str]:
        """The swept parameters: grid names, then search names."""
        return list(self.grid) + (list(self.search["params"]) if self.search else [])

    def function_ref(self) -> tuple[str | None, str, str]:
        """``(absolute file path or None, module name, attribute)`` of the function."""
        return split_function(self.function, self.base_dir)


def n_points(spec: SweepSpec) -> int:
    """How many points the sweep evaluates at most (all rounds of an adaptive search)."""
    n = math.prod(len(v) for v in spec.grid.values())
    if spec.search is not None:
        n *= spec.search["n"] * spec.search.get("rounds", 1)
    return n


# ----------------------------------------------------------------------------- small checks
def _path_arg(name: str, value: Any) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name}: expected a file path, got {type(value).__name__}")
    text = os.fspath(value)
    if isinstance(text, bytes):
        raise TypeError(f"{name}: expected a str path, got bytes")
    if not text or "\0" in text:
        raise ValueError(f"{name}: expected a file path, got {text!r}")
    return Path(text)


def _real(where: str, value: Any) -> float:
    """A finite real number (bool refused), or a named error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{where}: must be finite, got {x}")
    return x


def _bounded_int(where: str, value: Any) -> int:
    k = check_int(where, value, minimum=-INT_LIMIT)
    if k > INT_LIMIT:
        raise ValueError(f"{where}: must be an integer in [-2**62, 2**62], got {value!r}")
    return k


def _table(where: str, value: Any) -> dict:
    if not isinstance(value, Mapping):
        raise TypeError(f"{where}: expected a table, got {type(value).__name__}")
    for k in value:
        if not isinstance(k, str):
            raise TypeError(f"{where}: keys must be strings, got {k!r}")
    return dict(value)


def split_function(ref: Any, base_dir: Path) -> tuple[str | None, str, str]:
    """``(absolute file path or None, module name, attribute)`` of a function reference."""
    if not isinstance(ref, str):
        raise TypeError(f"function: expected 'module:function' or 'file.py:function', got {type(ref).__name__}")
    mod, _, attr = ref.rpartition(":")  # the last colon: a file path may hold colons
    if not mod.strip() or not attr or "\0" in ref:
        raise ValueError(f"function: expected 'module:function' or 'file.py:function', got {ref!r}")
    if not attr.isidentifier():
        raise ValueError(f"function: {attr!r} is not a Python name (in {ref!r})")
    if mod.endswith(".py"):
        path = Path(mod)
        path = _resolve_path("function", path if path.is_absolute() else base_dir / path)
        return str(path), path.stem, attr
    if not all(part.isidentifier() for part in mod.split(".")):
        raise ValueError(f"function: {mod!r} is not a module name or a .py file (in {ref!r})")
    return None, mod, attr


# ----------------------------------------------------------------------------- grid
def _expand_grid_values(name: str, spec: Any) -> list:
    where = f"grid.{name}"
    if isinstance(spec, (list, tuple)):
        values = plain_json(where, spec)
    elif isinstance(spec, Mapping) and len(spec) == 1:
        (kind, args), = spec.items()
        if kind in ("linspace", "geomspace"):
            if not (isinstance(args, (list, tuple)) and len(args) == 3):
                raise ValueError(f"{where}: {kind} needs [start, stop, num], got {args!r}")
            num = check_int(f"{where}.{kind}[2]", args[2], minimum=1)
            check_memory(f"{where}.{kind}[2]", num * VALUE_BYTES, f"a {kind} of {num:,} values")
            if kind == "geomspace":
                start = check_positive(f"{where}.geomspace[0]", args[0])
                stop = check_positive(f"{where}.geomspace[1]", args[1])
                arr = np.geomspace(start, stop, num)
            else:
                start, stop = _real(f"{where}.linspace[0]", args[0]), _real(f"{where}.linspace[1]", args[1])
                with np.errstate(all="ignore"):
                    arr = np.linspace(start, stop, num)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{where}: {kind} from {start!r} to {stop!r} overflows double precision")
            values = [float(v) for v in arr]
        elif kind == "range":
            if not (isinstance(args, (list, tuple)) and 1 <= len(args) <= 3):
                raise ValueError(f"{where}: range needs [stop], [start, stop] or [start, stop, step], got {args!r}")
            r = [_bounded_int(f"{where}.range[{i}]", a) for i, a in enumerate(args)]
            start, stop, step = (0, r[0], 1) if len(r) == 1 else (r[0], r[1], r[2] if len(r) == 3 else 1)
            if step == 0:
                raise ValueError(f"{where}.range[2]: the step must not be 0")
            count = max(0, (stop - start + step - (1 if step > 0 else -1)) // step)
            check_memory(f"{where}.range", count * VALUE_BYTES, f"a range of {count:,} values")
            values = list(range(start, stop, step))
        elif kind == "values":
            if not isinstance(args, (list, tuple)):
                raise TypeError(f"{where}.values: expected a list, got {type(args).__name__}")
            values = plain_json(f"{where}.values", args)
        else:
            raise ValueError(f"{where}: unknown table {kind!r}; use a list, linspace, geomspace, range or values")
    else:
        raise ValueError(
            f"{where}: expected a list of values or a one-key table such as "
            f"{{linspace = [0, 1, 11]}}, got {spec!r}"[:300]
        )
    if not values:
        raise ValueError(f"{where}: no values")
    return values


# ----------------------------------------------------------------------------- search
def _check_distribution(name: str, spec: Any) -> Any:
    where = f"search.params.{name}"
    if isinstance(spec, (list, tuple)):
        spec = {"choice": spec}
    if not isinstance(spec, Mapping):
        return plain_json(where, spec)  # a constant
    if len(spec) != 1 or next(iter(spec)) not in DISTRIBUTIONS:
        raise ValueError(f"{where}: expected one of {', '.join(DISTRIBUTIONS)}, got {dict(spec)!r}"[:300])
    (kind, args), = spec.items()
    if kind == "choice":
        if not isinstance(args, (list, tuple)) or not args:
            raise ValueError(f"{where}: choice needs a non-empty list, got {args!r}"[:300])
        check_memory(where, len(args) * VALUE_BYTES, f"a choice of {len(args):,} values")
        return {"choice": plain_json(f"{where}.choice", args)}
    if not (isinstance(args, (list, tuple)) and len(args) == 2):
        raise ValueError(f"{where}: {kind} needs two numbers, got {args!r}"[:300])
    if kind == "integers":
        lo, hi = (_bounded_int(f"{where}.integers[{i}]", a) for i, a in enumerate(args))
        if hi < lo:
            raise ValueError(f"{where}: integers needs lower <= upper, got {list(args)!r}")
        return {kind: [lo, hi]}
    lo, hi = (_real(f"{where}.{kind}[{i}]", a) for i, a in enumerate(args))
    if kind == "normal":
        check_positive(f"{where}.normal[1]", hi)
        if abs(lo) > NORMAL_LIMIT or hi > NORMAL_LIMIT:
            raise ValueError(f"{where}: normal needs |mean| and sd at most 1e300, got {list(args)!r}")
        return {kind: [lo, hi]}
    if not hi > lo:
        raise ValueError(f"{where}: {kind} needs lower < upper, got {list(args)!r}")
    if kind == "loguniform":
        check_positive(f"{where}.loguniform[0]", lo)
    elif not math.isfinite(abs(lo) + abs(hi) + 8 * (hi - lo)):  # adaptive steps reach a few widths
        raise ValueError(f"{where}: uniform bounds {list(args)!r} are too large (|lower| + |upper| + 8 (upper - "
                         "lower) must be finite for the search's steps)")
    return {kind: [lo, hi]}


def _check_search(search: Any, *, has_grid: bool) -> dict:
    s = _table("search", search)
    kind = s.get("kind", "random")
    if not isinstance(kind, str) or kind not in ("random", "adaptive"):
        raise ValueError(f"search.kind: expected 'random' or 'adaptive', got {kind!r}")
    allowed = {"kind", "n", "params"} | (
        {"rounds", "objective", "goal", "keep", "shrink"} if kind == "adaptive" else set()
    )
    extra = set(s) - allowed
    if extra:
        raise ValueError(f"search.{sorted(extra)[0]}: not a key of a {kind} search; known: {', '.join(sorted(allowed))}")
    if "n" not in s:
        raise ValueError("search.n: required (number of points, per round for adaptive searches)")
    out: dict[str, Any] = {"kind": kind, "n": check_int("search.n", s["n"], minimum=1)}
    params = _table("search.params", s.get("params", {}))
    if not params:
        raise ValueError("search.params: needs at least one parameter distribution")
    out["params"] = {name: _check_distribution(name, v) for name, v in params.items()}
    if kind == "adaptive":
        if has_grid:
            raise ValueError("grid: cannot be combined with an adaptive search")
        out["rounds"] = check_int("search.rounds", s.get("rounds", 4), minimum=1)
        objective = s.get("objective")
        if not isinstance(objective, str) or not objective:
            raise ValueError(f"search.objective: an adaptive search needs the name of a result field, got {objective!r}")
        out["objective"] = objective
        goal = s.get("goal", "max")
        if not isinstance(goal, str) or goal not in ("min", "max"):
            raise ValueError(f"search.goal: expected 'min' or 'max', got {goal!r}")
        out["goal"] = goal
        keep = check_positive("search.keep", s.get("keep", 0.2))
        if keep > 1:
            raise ValueError(f"search.keep: must be a fraction in (0, 1], got {keep}")
        shrink = check_positive("search.shrink", s.get("shrink", 0.5))
        if shrink > 1:
            raise ValueError(f"search.shrink: must be in (0, 1], got {shrink}")
        out["keep"], out["shrink"] = keep, shrink
    return out


# ----------------------------------------------------------------------------- reading
def _read_toml(path: Path) -> dict:
    """Parse a spec file; every failure is a ValueError naming ``spec``."""
    if path.is_dir():
        raise ValueError(f"spec: {str(path)!r} is a directory, not a TOML file")
    if not path.is_file():
        raise ValueError(f"spec: no such file {str(path)!r}")
    try:
        size = path.stat().st_size
        check_memory("spec", 16 * size, f"parsing the {size:,}-byte spec file {path}")
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"spec: cannot read {str(path)!r}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"spec: {path} is not UTF-8 text (bad byte at offset {exc.start}); a spec is a TOML file") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"spec: {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ValueError(f"spec: {path} nests arrays or tables too deeply") from None


def _resolve_path(name: str, path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before Python 3.13)
        raise ValueError(f"{name}: cannot resolve {str(path)!r}: {exc}") from None


def _results_path(value: Any, base: Path) -> Path:
    path = _path_arg("results", value)
    path = _resolve_path("results", path if path.is_absolute() else base / path)
    if path.is_dir():
        raise ValueError(f"results: {str(path)!r} is a directory; name a file inside it")
    return path


def load_spec(spec: str | os.PathLike | Mapping | SweepSpec, *, results: str | os.PathLike | None = None) -> SweepSpec:
    """Read and validate a sweep spec from a TOML path or a mapping.

    Parameters
    ----------
    spec : path, mapping or SweepSpec
        A TOML file (relative paths inside it are resolved against its directory) or a dict of
        the same shape (relative paths resolved against the current directory).
    results : path, optional
        Override the spec's ``results`` path.

    Returns
    -------
    SweepSpec

    Raises
    ------
    ValueError, TypeError
        Naming the offending spec key (``"grid.alpha: no values"``), or ``spec`` for a file that
        cannot be read. A sweep whose points and records would not fit in the memory budget
        (``tailpower.memory_budget()``) raises :class:`tailpower.BudgetError` naming ``grid`` or
        ``search.n`` before any point is made (docs/contract.md, item 2).

    Examples
    --------
    >>> spec = load_spec({"function": "goodhart:detection_asymptote", "grid": {"kl": [1e-6, 1e-3]},
    ...                   "results": "out.jsonl"})
    >>> spec.function, spec.seed, spec.seed_arg, spec.results.name
    ('goodhart:detection_asymptote', 0, 'rng', 'out.jsonl')
    >>> load_spec({"function": "goodhart:detection_asymptote", "grid": {"kl": []}, "results": "out.jsonl"})
    Traceback (most recent call last):
    ...
    ValueError: grid.kl: no values
    """
    override = _results_path(results, Path.cwd()) if results is not None else None
    if isinstance(spec, SweepSpec):  # validated again: a SweepSpec can also be made by hand
        if not isinstance(spec.base_dir, Path) or not isinstance(spec.results, Path):
            raise TypeError("spec: a SweepSpec's base_dir and results must be pathlib.Path objects")
        raw = {**spec.canonical(), "results": str(spec.results)}
        raw["seed_arg"] = False if spec.seed_arg is None else spec.seed_arg
        return _build(raw, spec.base_dir, None, override)
    if isinstance(spec, Mapping):
        return _build(_table("spec", spec), Path.cwd(), None, override)
    if isinstance(spec, (str, os.PathLike)):
        path = _path_arg("spec", spec)
        raw = _read_toml(path)
        path = _resolve_path("spec", path)
        return _build(raw, path.parent, path.with_suffix(".jsonl"), override)
    raise TypeError(f"spec: expected a TOML file path, a mapping or a SweepSpec, got {type(spec).__name__}")


def _build(raw: dict, base: Path, default_results: Path | None, override: Path | None) -> SweepSpec:
    """Validate the keys of a spec read from a file or given as a mapping."""
    extra = set(raw) - set(KNOWN_KEYS)
    if extra:
        raise ValueError(f"{sorted(extra)[0]}: unknown spec key; known keys: {', '.join(sorted(KNOWN_KEYS))}")
    if not isinstance(raw.get("description", ""), str):
        raise TypeError(f"description: expected a string, got {type(raw['description']).__name__}")
    if "function" not in raw:
        raise ValueError("function: the spec must name the function to sweep ('module:function')")
    function = raw["function"]
    file, _, _ = split_function(function, base)
    if file is not None and not os.path.isfile(file):
        raise ValueError(f"function: no such file {file!r} (from {function!r})")
    seed = check_int("seed", raw.get("seed", 0), minimum=0)
    seed_arg = raw.get("seed_arg", "rng")
    if seed_arg is False or (isinstance(seed_arg, str) and seed_arg == ""):
        seed_arg = None
    elif not isinstance(seed_arg, str) or not seed_arg.isidentifier():
        raise ValueError(f"seed_arg: expected a keyword name or false, got {seed_arg!r}")
    errors = raw.get("errors", "raise")
    if not isinstance(errors, str) or errors not in ("raise", "record"):
        raise ValueError(f"errors: expected 'raise' or 'record', got {errors!r}")
    fixed = plain_json("fixed", _table("fixed", raw.get("fixed", {})))
    if seed_arg is not None and seed_arg in fixed:
        raise ValueError(f"fixed.{seed_arg}: is the seed_arg keyword (it receives each point's seed); "
                         "set seed_arg = false to pass it yourself")
    grid = {name: _expand_grid_values(name, v) for name, v in _table("grid", raw.get("grid", {})).items()}
    search = raw.get("search")
    if search is not None:
        search = _check_search(search, has_grid=bool(grid))
    names = list(grid) + list(search["params"] if search else [])
    for name in sorted(set(grid) & set(search["params"] if search else [])):
        raise ValueError(f"{name}: appears both in [grid] and in [search.params]; sweep it in one of them")
    for name in names:
        if name in fixed:
            raise ValueError(f"{name}: appears both in [fixed] and as a swept parameter")
        if name == seed_arg:
            raise ValueError(f"{name}: is the seed_arg keyword and cannot be swept")
    if not names:
        raise ValueError("grid: the spec has neither a [grid] nor a [search] -- nothing to sweep")
    res = raw.get("results", None)
    if override is not None:
        res_path = override
    elif res is not None:
        res_path = _results_path(res, base)
    elif default_results is not None:
        res_path = default_results
    else:
        raise ValueError("results: a spec given as a dict must name its results file")
    out = SweepSpec(function=function, fixed=fixed, grid=grid, search=search, seed=seed, seed_arg=seed_arg,
                    errors=errors, results=res_path, base_dir=base)
    _check_size(out)
    return out


def _count(n: int) -> str:
    """A point count for a message: exact up to 10^12, else its order of magnitude."""
    return f"{n:,}" if n < 10**12 else f"about 10^{len(str(n)) - 1}"


def _check_size(spec: SweepSpec) -> None:
    """Refuse a sweep whose points and records would exceed the memory budget (before any exist)."""
    total = n_points(spec)
    per_point = POINT_BYTES + PARAM_BYTES * len(spec.names)
    need = total * per_point
    if need <= memory_budget():
        return
    n_grid = math.prod(len(v) for v in spec.grid.values())
    if spec.search is None:
        param, how = "grid", f"a grid of {_count(total)} points"
    elif spec.search["kind"] == "adaptive":
        param, how = "search.n", f"{spec.search['rounds']} rounds of {spec.search['n']:,} points"
    else:
        param = "grid" if n_grid > 1 else "search.n"
        how = f"{_count(n_grid)} grid points x {spec.search['n']:,} random draws = {_count(total)} points"
    check_memory(param, float(min(need, 10**300)), f"a sweep of {how} (about {per_point} bytes per point)")
