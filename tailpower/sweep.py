"""Parameter sweeps and counterexample searches over pure functions of the toolkit.

A *sweep* evaluates one pure function ``f(**params, **fixed, rng=seed)`` at many parameter points
and streams one JSON record per point into an append-only results file. It runs on any
``concurrent.futures.Executor``: local processes by default, a Dask cluster through
``distributed.Client(address).get_executor()``, or threads. Killing the run (even with SIGKILL)
loses only the points in flight; rerunning the same spec skips every finished point.

The spec (a TOML file or a dict)::

    function = "goodhart:conditional_mean"   # "package.module:function" or "file.py:function"
    results  = "results/run.jsonl"           # relative to the spec file; default <spec>.jsonl
    seed     = 0                             # root of every per-point seed
    seed_arg = "rng"                         # keyword the per-point seed is passed as; false: none
    errors   = "raise"                       # or "record": an exception becomes an error record

    [fixed]                                  # keyword arguments shared by every point
    samples = 10000

    [grid]                                   # cartesian product of the value lists
    alpha = [0.5, 1.0, 2.0]
    gamma = {linspace = [0.1, 0.9, 9]}       # also geomspace = [a, b, n], range = [start, stop, step]

    [search]                                 # random or adaptive search (optional)
    kind = "random"                          # "random": n points; "adaptive": n points per round
    n = 200
    [search.params]
    sd = {loguniform = [0.01, 10.0]}         # uniform, loguniform, normal = [mu, sd],
    k  = {integers = [2, 9]}                 # integers = [lo, hi] (inclusive), choice = [...]

A random search combined with a grid evaluates every random draw at every grid point. An adaptive
search (``kind = "adaptive"``, with ``rounds``, ``objective`` -- a field of the result --,
``goal = "min" | "max"``, ``keep`` and ``shrink``) is a seeded cross-entropy-style search: round 0
draws ``n`` points from the priors; round ``r`` perturbs the best ``keep`` fraction of all earlier
points with steps shrinking like ``shrink**r``. Round ``r`` depends only on the records of rounds
``< r``, so it too is reproducible and resumable.

Determinism
-----------
Each point's *key* is the first 16 hex digits of the SHA-256 of the canonical JSON of its
parameters, and its seed is drawn from ``SeedSequence(seed, spawn_key=key)``. A point's result
therefore depends only on the spec and the point -- never on the executor, the worker count or the
order in which points finish. When a sweep completes, the results file is rewritten atomically in
canonical form (header, then records sorted by key), so the same spec gives a byte-identical file
whether it ran in one go, locally, on Dask, or was killed and resumed.

Results file
------------
JSON lines. Line 1 is a header ``{"tailpower_sweep": 1, "spec_hash": ..., "spec": ...}``; the
hash covers everything that determines the records (function, fixed, grid, search, seed, seed_arg,
errors -- not the results path), and rerunning a *different* spec into the same file is an error.
Each further line is ``{"key", "params", "seed", "round", "result"}`` or, with ``errors =
"record"``, ``{"key", "params", "seed", "round", "error"}``. Every line is flushed and fsynced as
its point finishes; a half-written last line left by a kill is ignored by :func:`load_results`
and truncated away before a rerun appends. Results are converted to JSON in the worker: a
dataclass (e.g. :class:`tailpower._common.Estimate`) or mapping becomes an object, a scalar
becomes ``{"value": x}``; numpy arrays become lists and non-finite floats the strings ``"inf"``,
``"-inf"``, ``"nan"`` (as :func:`tailpower._common.jsonable`). Floats are written with ``repr``,
which round-trips exactly.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import importlib
import importlib.util
import inspect
import itertools
import json
import math
import numbers
import os
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ._common import check_int, check_positive, jsonable, progress as _progress, show_progress

__all__ = ["SweepSpec", "load_spec", "points", "run_sweep", "load_results", "table"]

FORMAT_VERSION = 1
_RANDOM_TAG = 0x5EED_0001  # spawn-key tags that separate the search streams from the point seeds
_ADAPT_TAG = 0x5EED_0002
_DISTRIBUTIONS = ("uniform", "loguniform", "normal", "integers", "choice")


# ----------------------------------------------------------------------------- canonical JSON
def _dumps(obj: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, strict (no NaN/inf literals), ASCII."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=True)


def point_key(params: Mapping[str, Any]) -> str:
    """Stable key of a parameter point: 16 hex digits of SHA-256 of its canonical JSON."""
    return hashlib.sha256(_dumps(dict(params)).encode()).hexdigest()[:16]


def point_seed(seed: int, key: str) -> int:
    """The seed a point's function receives: from ``SeedSequence(seed, spawn_key=key words)``.

    Depends only on the spec seed and the point key, so results do not depend on scheduling.
    """
    words = tuple(int(key[i : i + 8], 16) for i in range(0, len(key), 8))
    state = np.random.SeedSequence(seed, spawn_key=words).generate_state(2, np.uint32)
    return (int(state[0]) << 31) | (int(state[1]) >> 1)  # 63 bits, a valid non-negative seed


# ----------------------------------------------------------------------------- the spec
@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification (see the module docstring for the TOML form).

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
        return hashlib.sha256(_dumps(self.canonical()).encode()).hexdigest()

    def function_ref(self) -> tuple[str | None, str, str]:
        """``(absolute file path or None, module name, attribute)`` of the function."""
        return _split_function(self.function, self.base_dir)


def _split_function(ref: str, base_dir: Path) -> tuple[str | None, str, str]:
    if not isinstance(ref, str) or ref.count(":") != 1 or not all(ref.split(":")):
        raise ValueError(f"function: expected 'module:function' or 'file.py:function', got {ref!r}")
    mod, attr = ref.split(":")
    if mod.endswith(".py"):
        path = Path(mod)
        if not path.is_absolute():
            path = base_dir / path
        return str(path.resolve()), path.stem, attr
    return None, mod, attr


def _expand_grid_values(name: str, spec: Any) -> list:
    where = f"grid.{name}"
    if isinstance(spec, list):
        values = list(spec)
    elif isinstance(spec, Mapping) and len(spec) == 1:
        (kind, args), = spec.items()
        if kind in ("linspace", "geomspace"):
            if not (isinstance(args, list) and len(args) == 3):
                raise ValueError(f"{where}: {kind} needs [start, stop, num], got {args!r}")
            num = check_int(f"{where}.{kind}[2]", args[2], minimum=1)
            fn = np.linspace if kind == "linspace" else np.geomspace
            if kind == "geomspace":
                check_positive(f"{where}.geomspace[0]", args[0])
                check_positive(f"{where}.geomspace[1]", args[1])
            values = [float(v) for v in fn(float(args[0]), float(args[1]), num)]
        elif kind == "range":
            if not (isinstance(args, list) and 1 <= len(args) <= 3):
                raise ValueError(f"{where}: range needs [stop], [start, stop] or [start, stop, step]")
            values = list(range(*(check_int(f"{where}.range", a, minimum=-(2**62)) for a in args)))
        elif kind == "values":
            values = list(args)
        else:
            raise ValueError(
                f"{where}: unknown table {kind!r}; use a list, linspace, geomspace, range or values"
            )
    else:
        raise ValueError(
            f"{where}: expected a list of values or a one-key table such as "
            f"{{linspace = [0, 1, 11]}}, got {spec!r}"
        )
    if not values:
        raise ValueError(f"{where}: no values")
    _dumps(values)  # strict JSON (no NaN)
    return values


def _check_distribution(name: str, spec: Any) -> Any:
    where = f"search.params.{name}"
    if isinstance(spec, list):
        spec = {"choice": spec}
    if not isinstance(spec, Mapping):
        return spec  # a constant
    if len(spec) != 1 or next(iter(spec)) not in _DISTRIBUTIONS:
        raise ValueError(f"{where}: expected one of {', '.join(_DISTRIBUTIONS)}, got {dict(spec)!r}")
    (kind, args), = spec.items()
    if kind == "choice":
        if not isinstance(args, list) or not args:
            raise ValueError(f"{where}: choice needs a non-empty list")
        return {"choice": list(args)}
    if not (isinstance(args, list) and len(args) == 2):
        raise ValueError(f"{where}: {kind} needs two numbers, got {args!r}")
    if kind == "integers":
        lo, hi = (check_int(f"{where}.integers", a, minimum=-(2**62)) for a in args)
    else:
        lo, hi = (float(a) for a in args)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"{where}: bounds must be finite, got {args!r}")
    if kind == "normal":
        check_positive(f"{where}.normal[1] (sd)", hi)
    elif hi < lo or (kind != "integers" and hi == lo):
        raise ValueError(f"{where}: {kind} needs lower < upper, got {args!r}")
    if kind == "loguniform":
        check_positive(f"{where}.loguniform[0]", lo)
    return {kind: [lo, hi]}


def load_spec(spec: str | os.PathLike | Mapping, *, results: str | os.PathLike | None = None) -> SweepSpec:
    """Read and validate a sweep spec from a TOML path or a mapping.

    Parameters
    ----------
    spec : path or mapping
        A TOML file (relative paths inside it are resolved against its directory) or a dict of
        the same shape (relative paths resolved against the current directory).
    results : path, optional
        Override the spec's ``results`` path.

    Raises
    ------
    ValueError, TypeError
        Naming the offending spec key.
    """
    if isinstance(spec, SweepSpec):
        return spec if results is None else dataclasses.replace(spec, results=Path(results).resolve())
    if isinstance(spec, Mapping):
        raw, base, default_results = dict(spec), Path.cwd(), None
    else:
        path = Path(spec)
        if not path.is_file():
            raise ValueError(f"spec: no such file {str(path)!r}")
        with open(path, "rb") as fh:
            try:
                raw = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"spec: {path}: {exc}") from None
        base, default_results = path.resolve().parent, path.with_suffix(".jsonl").resolve()
    known = {"function", "results", "seed", "seed_arg", "errors", "fixed", "grid", "search", "description"}
    extra = set(raw) - known
    if extra:
        raise ValueError(f"{sorted(extra)[0]}: unknown spec key; known keys: {', '.join(sorted(known))}")
    if "function" not in raw:
        raise ValueError("function: the spec must name the function to sweep ('module:function')")
    function = raw["function"]
    _split_function(function, base)
    seed = check_int("seed", raw.get("seed", 0), minimum=0)
    seed_arg = raw.get("seed_arg", "rng")
    if seed_arg is False or seed_arg == "":
        seed_arg = None
    elif not isinstance(seed_arg, str) or not seed_arg.isidentifier():
        raise ValueError(f"seed_arg: expected a keyword name or false, got {seed_arg!r}")
    errors = raw.get("errors", "raise")
    if errors not in ("raise", "record"):
        raise ValueError(f"errors: expected 'raise' or 'record', got {errors!r}")
    fixed = raw.get("fixed", {})
    if not isinstance(fixed, Mapping):
        raise TypeError(f"fixed: expected a table of keyword arguments, got {type(fixed).__name__}")
    fixed = dict(fixed)
    _dumps(fixed)
    grid_raw = raw.get("grid", {})
    if not isinstance(grid_raw, Mapping):
        raise TypeError(f"grid: expected a table, got {type(grid_raw).__name__}")
    grid = {name: _expand_grid_values(name, v) for name, v in grid_raw.items()}
    search = raw.get("search")
    if search is not None:
        search = _check_search(search, has_grid=bool(grid))
    names = list(grid) + list(search["params"] if search else [])
    for name in names:
        if name in fixed:
            raise ValueError(f"{name}: appears both in [fixed] and as a swept parameter")
        if name == seed_arg:
            raise ValueError(f"{name}: is the seed_arg keyword and cannot be swept")
    if not names:
        raise ValueError("grid: the spec has neither a [grid] nor a [search] -- nothing to sweep")
    res = raw.get("results", None)
    if results is not None:
        res_path = Path(results).resolve()
    elif res is not None:
        res_path = Path(res) if Path(res).is_absolute() else base / res
    elif default_results is not None:
        res_path = default_results
    else:
        raise ValueError("results: a spec given as a dict must name its results file")
    return SweepSpec(
        function=function, fixed=fixed, grid=grid, search=search, seed=seed, seed_arg=seed_arg,
        errors=errors, results=Path(res_path).resolve(), base_dir=base,
    )


def _check_search(search: Any, *, has_grid: bool) -> dict:
    if not isinstance(search, Mapping):
        raise TypeError(f"search: expected a table, got {type(search).__name__}")
    s = dict(search)
    kind = s.get("kind", "random")
    if kind not in ("random", "adaptive"):
        raise ValueError(f"search.kind: expected 'random' or 'adaptive', got {kind!r}")
    allowed = {"kind", "n", "params"} | (
        {"rounds", "objective", "goal", "keep", "shrink"} if kind == "adaptive" else set()
    )
    extra = set(s) - allowed
    if extra:
        raise ValueError(f"search.{sorted(extra)[0]}: not a key of a {kind} search")
    if "n" not in s:
        raise ValueError("search.n: required (number of points, per round for adaptive searches)")
    out: dict[str, Any] = {"kind": kind, "n": check_int("search.n", s["n"], minimum=1)}
    params = s.get("params")
    if not isinstance(params, Mapping) or not params:
        raise ValueError("search.params: needs at least one parameter distribution")
    out["params"] = {name: _check_distribution(name, v) for name, v in params.items()}
    if kind == "adaptive":
        if has_grid:
            raise ValueError("grid: cannot be combined with an adaptive search")
        out["rounds"] = check_int("search.rounds", s.get("rounds", 4), minimum=1)
        if not isinstance(s.get("objective"), str):
            raise ValueError("search.objective: an adaptive search needs the name of a result field")
        out["objective"] = s["objective"]
        goal = s.get("goal", "max")
        if goal not in ("min", "max"):
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


# ----------------------------------------------------------------------------- points
def _draw(rng: np.random.Generator, dist: Any) -> Any:
    if not isinstance(dist, Mapping):
        return dist
    (kind, args), = dist.items()
    if kind == "choice":
        return args[int(rng.integers(len(args)))]
    lo, hi = args
    if kind == "uniform":
        return float(rng.uniform(lo, hi))
    if kind == "loguniform":
        return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    if kind == "normal":
        return float(rng.normal(lo, hi))
    return int(rng.integers(lo, hi + 1))  # integers, inclusive


def _reflect(x: float, lo: float, hi: float) -> float:
    """Fold ``x`` back into [lo, hi] by reflection at the bounds."""
    width = hi - lo
    y = (x - lo) % (2 * width)
    return lo + (y if y <= width else 2 * width - y)


def _perturb(rng: np.random.Generator, dist: Any, x: Any, scale: float) -> Any:
    """A step of relative size ``scale`` from ``x`` within the prior's support."""
    if not isinstance(dist, Mapping):
        return dist
    (kind, args), = dist.items()
    z = float(rng.standard_normal())
    if kind == "choice":
        return args[int(rng.integers(len(args)))] if rng.random() < scale else x
    lo, hi = args
    if kind == "uniform":
        return float(_reflect(x + z * scale * (hi - lo), lo, hi))
    if kind == "loguniform":
        a, b = math.log(lo), math.log(hi)
        return float(math.exp(_reflect(math.log(x) + z * scale * (b - a), a, b)))
    if kind == "normal":
        return float(x + z * scale * 4.0 * hi)
    step = int(round(z * scale * (hi - lo + 1)))
    return int(min(hi, max(lo, x + step)))


def _grid_points(spec: SweepSpec) -> list[dict]:
    names = list(spec.grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(spec.grid[n] for n in names))]


def _random_points(spec: SweepSpec) -> list[dict]:
    s = spec.search
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(_RANDOM_TAG,)))
    names = sorted(s["params"])
    return [{n: _draw(rng, s["params"][n]) for n in names} for _ in range(s["n"])]


def _objective(record: Mapping, field: str) -> float | None:
    res = record.get("result")
    if not isinstance(res, Mapping) or field not in res:
        return None
    v = res[field]
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
        return None
    return float(v)


def _adaptive_round(spec: SweepSpec, rnd: int, earlier: list[dict]) -> list[dict]:
    """Points of round ``rnd`` (>= 1) from the records of rounds ``< rnd``."""
    s = spec.search
    names = sorted(s["params"])
    sign = -1.0 if s["goal"] == "max" else 1.0
    scored = [(sign * o, r["key"], r["params"]) for r in earlier if (o := _objective(r, s["objective"])) is not None]
    scored.sort(key=lambda t: (t[0], t[1]))
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(_ADAPT_TAG, rnd)))
    if not scored:  # nothing usable yet: draw afresh from the priors
        return [{n: _draw(rng, s["params"][n]) for n in names} for _ in range(s["n"])]
    elite = [p for _, _, p in scored[: max(1, math.ceil(s["keep"] * s["n"]))]]
    scale = 0.25 * s["shrink"] ** rnd
    seen = {r["key"] for r in earlier}
    out: list[dict] = []
    for _ in range(s["n"]):
        for _attempt in range(8):
            parent = elite[int(rng.integers(len(elite)))]
            child = {n: _perturb(rng, s["params"][n], parent[n], scale) for n in names}
            k = point_key(child)
            if k not in seen:
                seen.add(k)
                out.append(child)
                break
    return out


def points(spec: SweepSpec | str | os.PathLike | Mapping) -> list[dict]:
    """The parameter points of a grid and/or random search (round 0 of an adaptive search)."""
    spec = load_spec(spec)
    grid = _grid_points(spec) if spec.grid else [{}]
    if spec.search is None:
        return grid
    rand = _random_points(spec)
    return [{**g, **r} for g in grid for r in rand]


# ----------------------------------------------------------------------------- worker side
_FUNCTIONS: dict[tuple, Callable] = {}


def _resolve(file: str | None, module: str, attr: str) -> Callable:
    """Import the swept function (cached per process). A ``file.py`` reference is loaded from
    its path when that exists on this machine, else imported by module name (e.g. after
    ``Client.upload_file``)."""
    ref = (file, module, attr)
    fn = _FUNCTIONS.get(ref)
    if fn is not None:
        return fn
    if file is not None and os.path.isfile(file):
        mod = sys.modules.get(module)
        if mod is None or getattr(mod, "__file__", None) != file:
            ispec = importlib.util.spec_from_file_location(module, file)
            mod = importlib.util.module_from_spec(ispec)
            sys.modules[module] = mod
            try:
                ispec.loader.exec_module(mod)
            except BaseException:
                del sys.modules[module]
                raise
    else:
        mod = importlib.import_module(module)
    try:
        fn = getattr(mod, attr)
    except AttributeError:
        raise ValueError(f"function: module {module!r} has no attribute {attr!r}") from None
    if not callable(fn):
        raise TypeError(f"function: {module}:{attr} is not callable")
    _FUNCTIONS[ref] = fn
    return fn


def _to_record_result(value: Any) -> dict:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, Mapping):
        value = dict(value)
    else:
        value = {"value": value}
    out = jsonable(value)
    for k, v in out.items():
        try:
            _dumps(v)
        except (TypeError, ValueError):
            raise TypeError(
                f"result: field {k!r} of type {type(value[k]).__name__} is not JSON-serialisable; "
                "return numbers, strings, lists, dicts, numpy arrays or dataclasses of these"
            ) from None
    return out


def _evaluate(ref: tuple, params: dict, fixed: dict, seed_arg: str | None, seed: int, record_errors: bool):
    """Run one point (in a worker). Returns ``("result", dict)`` or ``("error", str)``."""
    try:
        fn = _resolve(*ref)
        kwargs = {**fixed, **params}
        if seed_arg is not None:
            kwargs[seed_arg] = seed
        return "result", _to_record_result(fn(**kwargs))
    except Exception as exc:
        if not record_errors:
            raise
        return "error", f"{type(exc).__name__}: {exc}"


def _init_worker(paths: list[str], numba_threads: int | None) -> None:
    """Initializer of the default process pool: import paths, and numba threads per process.

    The sweep's parallelism is across points, so by default each worker process runs numba
    kernels on one thread (kernels are bit-identical at any thread count, so results do not
    change; on 2 cores a powerseek point ran 3.6x faster than with 2 threads per process).
    """
    for p in paths:
        if p not in sys.path:
            sys.path.insert(0, p)
    if numba_threads:
        os.environ["NUMBA_NUM_THREADS"] = str(numba_threads)
        if "numba" in sys.modules:  # pragma: no cover - only when the main module preloads numba
            import numba

            numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))


def _process_pool(workers: int, paths: list[str], numba_threads: int | None) -> cf.ProcessPoolExecutor:
    """Local processes started by a clean forkserver (or spawn): forking a parent that has already
    run numba's threading layer is unsafe, and workers must not inherit the caller's state."""
    import multiprocessing as mp

    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=mp.get_context(method),
        initializer=_init_worker, initargs=(paths, numba_threads),
    )


# ----------------------------------------------------------------------------- results file
def _read(path: Path) -> tuple[dict | None, list[dict], int]:
    """Parse a results file: ``(header, records, length of the complete-line prefix)``.

    A trailing partial line (no newline: a write interrupted by a kill) is ignored; any other
    unparsable line is an error.
    """
    if not path.exists():
        return None, [], 0
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1  # bytes up to and including the last newline
    header, records = None, []
    for i, line in enumerate(data[:end].splitlines()):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"results: {path}: line {i + 1} is not valid JSON ({exc})") from None
        if header is None:
            if not isinstance(obj, dict) or "tailpower_sweep" not in obj:
                raise ValueError(f"results: {path} is not a tailpower sweep results file")
            header = obj
        else:
            records.append(obj)
    return header, records, end


def load_results(path: str | os.PathLike, *, header: bool = False):
    """The records of a results file, sorted by key (a half-written last line is ignored).

    Parameters
    ----------
    path : path
        A results file written by :func:`run_sweep`.
    header : bool
        Also return the header (``{"tailpower_sweep", "spec_hash", "spec"}``).

    Returns
    -------
    list of dict, or (dict, list of dict)
        Records ``{"key", "params", "seed", "round", "result" | "error"}``.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path: no such results file {str(path)!r}")
    head, records, _ = _read(path)
    if head is None:
        raise ValueError(f"path: {path} holds no complete header line")
    records = _dedupe(records, path)
    return (head, records) if header else records


def _dedupe(records: list[dict], path: Path) -> list[dict]:
    by_key: dict[str, dict] = {}
    for r in records:
        old = by_key.get(r["key"])
        if old is not None and _dumps(old) != _dumps(r):
            raise ValueError(f"results: {path}: two different records for key {r['key']}")
        by_key[r["key"]] = r
    return [by_key[k] for k in sorted(by_key)]


def table(records: list[dict], *fields: str) -> dict[str, np.ndarray]:
    """Columns of ``records`` as numpy arrays: ``table(recs, "params.alpha", "result.value")``.

    Missing values (error records) become NaN for numeric columns; the strings "inf", "-inf",
    "nan" written for non-finite floats become floats again.
    """
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
        except (TypeError, ValueError):
            out[f] = np.asarray(col, dtype=object)
    return out


class _Writer:
    """Append-only JSON-lines writer holding an exclusive lock on the results file."""

    def __init__(self, path: Path, spec: SweepSpec):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fh = open(path, "a+b")
        try:
            import fcntl

            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - non-POSIX
            pass
        except OSError:
            self.fh.close()
            raise RuntimeError(f"results: {path} is locked by another running sweep") from None
        head, records, end = _read(path)
        size = os.fstat(self.fh.fileno()).st_size
        if end < size:  # a kill interrupted the last write: drop the partial line
            self.fh.truncate(end)
            self._sync()
        if head is None:
            self.header = {"tailpower_sweep": FORMAT_VERSION, "spec_hash": spec.hash, "spec": spec.canonical()}
            if records:
                raise ValueError(f"results: {path} has records but no header")
            self.fh.truncate(0)
            self.write(self.header)
        else:
            if head.get("spec_hash") != spec.hash:
                self.fh.close()
                raise ValueError(
                    f"results: {path} was written by a different spec (hash "
                    f"{str(head.get('spec_hash'))[:12]}, this spec {spec.hash[:12]}); "
                    "use another results path or delete the file"
                )
            self.header = head
        self.records = {r["key"]: r for r in _dedupe(records, path)}

    def _sync(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def write(self, obj: dict) -> None:
        self.fh.write((_dumps(obj) + "\n").encode())
        self._sync()

    def add(self, record: dict) -> None:
        self.write(record)
        self.records[record["key"]] = json.loads(_dumps(record))  # as a reader will see it

    def finalize(self) -> None:
        """Rewrite the file atomically in canonical form: header, records sorted by key."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as out:
            out.write((_dumps(self.header) + "\n").encode())
            for k in sorted(self.records):
                out.write((_dumps(self.records[k]) + "\n").encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
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


# ----------------------------------------------------------------------------- the runner
def _check_signature(fn: Callable, spec: SweepSpec, names: list[str]) -> None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without signatures
        return
    kwargs = dict.fromkeys([*spec.fixed, *names], None)
    if spec.seed_arg is not None:
        kwargs[spec.seed_arg] = None
    try:
        sig.bind(**kwargs)
    except TypeError as exc:
        raise ValueError(f"function: {spec.function} cannot be called with {sorted(kwargs)}: {exc}") from None


def _upload_to_dask(executor: Any, file: str | None) -> None:
    client = getattr(executor, "_client", None)
    if file is not None and client is not None and hasattr(client, "upload_file"):
        client.upload_file(file)


def run_sweep(
    spec: str | os.PathLike | Mapping | SweepSpec,
    executor: cf.Executor | None = None,
    *,
    workers: int | None = None,
    results: str | os.PathLike | None = None,
    progress: bool = False,
    max_pending: int | None = None,
    numba_threads: int | None = 1,
) -> list[dict]:
    """Run (or resume) a sweep and return all its records, sorted by key.

    Parameters
    ----------
    spec : path, mapping or SweepSpec
        The sweep spec (module docstring).
    executor : concurrent.futures.Executor, optional
        Where points run: e.g. ``distributed.Client(address).get_executor()`` or a
        ``ThreadPoolExecutor``. Default: a ``ProcessPoolExecutor`` with ``workers`` processes,
        shut down on return. A ``file.py`` function is uploaded to a Dask client's workers.
    workers : int, optional
        Process count of the default executor (default ``os.cpu_count()``).
    results : path, optional
        Override the spec's results file.
    progress : bool
        Show a tqdm bar (the CLI turns it on).
    max_pending : int, optional
        Points submitted but not finished at any time (default 4 x workers, at least 16 and
        64 for a foreign executor). Bounds memory and the work a kill throws away.
    numba_threads : int or None
        Numba threads per process of the default executor (default 1: the points are the
        parallelism); ``None`` leaves numba's default. Results do not depend on it.

    Returns
    -------
    list of dict
        Every record of the sweep, sorted by key (identical for any executor and after resumes).

    Notes
    -----
    Points already in the results file are skipped. Each finished point is appended and fsynced
    at once; on completion the file is rewritten atomically in canonical order. With
    ``errors = "raise"`` the first exception from a point is re-raised (with the point's
    parameters in a note) after the records finished so far are saved.
    """
    spec = load_spec(spec, results=results)
    file, module, attr = ref = spec.function_ref()
    extra_paths = [str(Path(file).parent)] if file else []
    fn = _resolve(*ref)
    names = list(spec.grid) + (list(spec.search["params"]) if spec.search else [])
    _check_signature(fn, spec, names)
    if workers is not None:
        workers = check_int("workers", workers, minimum=1)

    own = executor is None
    if own:
        workers = workers or os.cpu_count() or 1
        executor = _process_pool(workers, extra_paths, numba_threads)
    else:
        _upload_to_dask(executor, file)
    pending_cap = max_pending or (max(16, 4 * workers) if own else 64)

    writer = _Writer(spec.results, spec)
    try:
        rounds = spec.search["rounds"] if spec.search and spec.search["kind"] == "adaptive" else 1
        for rnd in range(rounds):
            if rnd == 0:
                pts = points(spec)
            else:
                earlier = [r for r in writer.records.values() if r.get("round", 0) < rnd]
                pts = _adaptive_round(spec, rnd, sorted(earlier, key=lambda r: r["key"]))
            todo, seen = [], set()
            for p in pts:
                k = point_key(p)
                if k not in writer.records and k not in seen:
                    seen.add(k)
                    todo.append((k, p))
            desc = f"sweep {Path(spec.results).name}" + (f" round {rnd + 1}/{rounds}" if rounds > 1 else "")
            with show_progress(progress):
                for _ in _progress(
                    _run_points(executor, spec, ref, rnd, todo, writer, pending_cap), total=len(todo), desc=desc
                ):
                    pass
        writer.finalize()
        return [writer.records[k] for k in sorted(writer.records)]
    finally:
        writer.close()
        if own:
            executor.shutdown(wait=True, cancel_futures=True)


def _run_points(executor, spec, ref, rnd, todo, writer, cap) -> Iterator[str]:
    """Submit ``todo`` with at most ``cap`` in flight; append each record as it finishes."""
    it = iter(todo)
    running: dict[cf.Future, tuple[str, dict, int]] = {}
    record_errors = spec.errors == "record"
    try:
        while True:
            while len(running) < cap:
                nxt = next(it, None)
                if nxt is None:
                    break
                key, params = nxt
                seed = point_seed(spec.seed, key)
                fut = executor.submit(_evaluate, ref, params, spec.fixed, spec.seed_arg, seed, record_errors)
                running[fut] = (key, params, seed)
            if not running:
                return
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: running[f][0]):
                key, params, seed = running.pop(fut)
                try:
                    kind, payload = fut.result()
                except Exception as exc:
                    exc.add_note(f"tailpower sweep: point key={key} params={params} seed={seed}")
                    raise
                writer.add({"key": key, "params": params, "seed": seed, "round": rnd, kind: payload})
                yield key
    finally:
        for fut in running:
            fut.cancel()


def run_example(spec_path: str | os.PathLike, argv: list[str] | None = None, description: str | None = None):
    """Command line of an example script: run the sweep of ``spec_path`` as ``tailpower sweep`` would.

    Parses ``--scheduler ADDRESS|local``, ``--workers N`` and ``--results PATH`` from ``argv`` and
    returns ``(exit_code, records, spec)`` so that the script can print its own summary.
    """
    import argparse

    from .cli import main as tailpower_main

    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scheduler", help="Dask scheduler address, or 'local'")
    p.add_argument("--workers", type=int)
    p.add_argument("--results", help="results file (default: the spec's)")
    args = p.parse_args(argv)
    cli = ["sweep", str(spec_path)] + sum(([f"--{k}", str(v)] for k, v in vars(args).items() if v is not None), [])
    rc = tailpower_main(cli)
    spec = load_spec(spec_path, results=args.results)
    return rc, load_results(spec.results), spec
