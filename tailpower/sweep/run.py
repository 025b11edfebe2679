"""Running a sweep: importing the function, evaluating points on an executor, streaming records
into the results file, resuming. The worker-side functions here are what executors pickle."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import dataclasses
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Iterator

from .._common import check_int, jsonable, progress as _progress, show_progress
from .keys import dumps, point_key, point_seed
from .search import adaptive_round, points
from .spec import SweepSpec, load_spec
from .store import ResultsWriter

__all__ = ["run_sweep", "max_workers"]

POINT_NOTE = "tailpower sweep: point key="  # start of the note added to an exception of a point


def max_workers() -> int:
    """The most local worker processes a sweep starts: 4 per core, at least 16."""
    return max(16, 4 * (os.cpu_count() or 1))


# ----------------------------------------------------------------------------- worker side
_FUNCTIONS: dict[tuple, Callable] = {}


def _resolve(file: str | None, module: str, attr: str) -> Callable:
    """Import the swept function (cached per process). A ``file.py`` reference is loaded from
    its path when that exists on this machine, else imported by module name (e.g. after
    ``Client.upload_file``). Failures are ValueError/TypeError naming ``function``."""
    ref = (file, module, attr)
    fn = _FUNCTIONS.get(ref)
    if fn is not None:
        return fn
    try:
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
    except ModuleNotFoundError as exc:
        raise ValueError(f"function: cannot import {file or module!r}: {exc}") from exc
    except Exception as exc:  # the module itself failed (syntax error, an exception at import)
        raise ValueError(f"function: importing {file or module!r} failed: {type(exc).__name__}: {exc}") from exc
    try:
        fn = getattr(mod, attr)
    except AttributeError:
        raise ValueError(f"function: module {module!r} has no attribute {attr!r}") from None
    if not callable(fn):
        raise TypeError(f"function: {module}:{attr} is a {type(fn).__name__}, not callable")
    _FUNCTIONS[ref] = fn
    return fn


def _to_record_result(value: Any) -> dict:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, Mapping):
        value = dict(value)
    else:
        value = {"value": value}
    try:
        out = jsonable(value)
    except RecursionError:
        raise TypeError("function: returned a result nested too deeply (or containing itself) to store") from None
    for k, v in out.items():
        try:
            dumps(v)
        except (TypeError, ValueError, RecursionError):
            raise TypeError(
                f"function: returned field {k!r} of type {type(value[k]).__name__}, which is not JSON-serialisable; "
                "return numbers, strings, lists, dicts, numpy arrays or dataclasses of these"
            ) from None
    return out


def _evaluate(ref: tuple, params: dict, fixed: dict, seed_arg: str | None, seed: int, record_errors: bool):
    """Run one point (in a worker). Returns ``("result", dict)`` or ``("error", str)``."""
    try:
        fn = _resolve(*ref)
        # a copy per point: with threads the spec's lists would be shared, and a function that
        # changed one in place would change the inputs (and recorded params) of other points
        kwargs = copy.deepcopy({**fixed, **params})
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


# ----------------------------------------------------------------------------- the runner
def _check_signature(fn: Callable, spec: SweepSpec) -> None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without signatures
        return
    kwargs = dict.fromkeys([*spec.fixed, *spec.names], None)
    if spec.seed_arg is not None:
        kwargs[spec.seed_arg] = None
    try:
        sig.bind(**kwargs)
    except TypeError as exc:
        raise ValueError(f"function: {spec.function} cannot be called with {sorted(kwargs)}: {exc}") from None


def _check_objective(spec: SweepSpec, earlier: list[dict], path: Path) -> None:
    """An adaptive search whose objective is no field of any result would silently degrade to
    random draws: refuse it once the first round's results show the field is missing."""
    results = [r["result"] for r in earlier if isinstance(r.get("result"), Mapping)]
    field = spec.search["objective"]
    if results and not any(field in res for res in results):
        fields = sorted({k for res in results for k in res})
        raise ValueError(f"search.objective: no result of the first round has a field {field!r} (fields: "
                         f"{', '.join(fields[:12])}); the records so far are saved in {path}")


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
        The sweep spec (see :mod:`tailpower.sweep`).
    executor : concurrent.futures.Executor, optional
        Where points run: e.g. ``distributed.Client(address).get_executor()`` or a
        ``ThreadPoolExecutor``. Default: a ``ProcessPoolExecutor`` with ``workers`` processes,
        shut down on return. A ``file.py`` function is uploaded to a Dask client's workers.
    workers : int, optional
        Process count of the default executor, 1 to :func:`max_workers` (default
        ``os.cpu_count()``).
    results : path, optional
        Override the spec's results file.
    progress : bool
        Show a tqdm bar (the CLI turns it on).
    max_pending : int, optional
        Points submitted but not finished at any time, ``>= 1`` (default 4 x workers, at least
        16, and 64 for a foreign executor). Bounds memory and the work a kill throws away.
    numba_threads : int or None
        Numba threads per process of the default executor (default 1: the points are the
        parallelism); ``None`` leaves numba's default. Results do not depend on it.

    Returns
    -------
    list of dict
        Every record of the sweep, sorted by key (identical for any executor and after resumes).

    Raises
    ------
    ValueError, TypeError
        Before any point runs, naming the argument or spec key: an invalid spec, a function that
        cannot be imported or called with the spec's keywords, a results file that is not this
        spec's own (it is left untouched, docs/contract.md item 4) or is locked by another sweep.
    RuntimeError
        A worker process died while running a point (the finished records are saved).

    Notes
    -----
    Points already in the results file are skipped. Each finished point is appended and fsynced
    at once; on completion the file is rewritten atomically in canonical order. With
    ``errors = "raise"`` the first exception from a point -- the swept function's own, unchanged --
    is re-raised with the point's parameters in a note, after the records finished so far are
    saved; ``errors = "record"`` stores it as an error record instead.

    Examples
    --------
    A three-point sweep on a thread (a function already imported, so it starts at once):

    >>> import concurrent.futures as cf, os, tempfile
    >>> from tailpower.sweep import table
    >>> spec = {"function": "tailpower._common:format_bytes", "seed_arg": False, "grid": {"n": [10, 1536, 2**31]},
    ...         "results": os.path.join(tempfile.mkdtemp(), "bytes.jsonl")}
    >>> with cf.ThreadPoolExecutor(1) as pool:
    ...     records = run_sweep(spec, pool)
    >>> sorted(table(records, "result.value")["result.value"])
    ['1.5 KiB', '10 B', '2 GiB']
    >>> with cf.ThreadPoolExecutor(1) as pool:   # a rerun finds every point done
    ...     run_sweep(spec, pool) == records
    True
    """
    spec = load_spec(spec, results=results)
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor: expected a concurrent.futures.Executor (with submit), got {type(executor).__name__}")
    if workers is not None:
        workers = check_int("workers", workers, minimum=1)
        if workers > max_workers():
            raise ValueError(f"workers: at most {max_workers()} local processes on this machine "
                             f"({os.cpu_count()} cores), got {workers}")
    if max_pending is not None:
        max_pending = check_int("max_pending", max_pending, minimum=1)
    if numba_threads is not None:
        numba_threads = check_int("numba_threads", numba_threads, minimum=1)
    file, module, attr = ref = spec.function_ref()
    fn = _resolve(*ref)
    _check_signature(fn, spec)

    writer = ResultsWriter(spec.results, spec)  # refuses a file that is not ours before writing
    own = executor is None
    try:
        if own:
            workers = workers or min(os.cpu_count() or 1, max_workers())
            executor = _process_pool(workers, [str(Path(file).parent)] if file else [], numba_threads)
        else:
            _upload_to_dask(executor, file)
        pending_cap = max_pending or (max(16, 4 * workers) if own else 64)
        rounds = spec.search["rounds"] if spec.search and spec.search["kind"] == "adaptive" else 1
        for rnd in range(rounds):
            if rnd == 0:
                pts = points(spec)
            else:
                earlier = [r for r in writer.records.values() if r.get("round", 0) < rnd]
                _check_objective(spec, earlier, writer.path)
                pts = adaptive_round(spec, rnd, sorted(earlier, key=lambda r: r["key"]))
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
        if own and executor is not None:
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
                try:
                    fut = executor.submit(_evaluate, ref, params, spec.fixed, spec.seed_arg, seed, record_errors)
                except RuntimeError as exc:  # e.g. "cannot schedule new futures after shutdown"
                    raise ValueError(f"executor: does not accept work ({exc})") from None
                running[fut] = (key, params, seed)
            if not running:
                return
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: running[f][0]):
                key, params, seed = running.pop(fut)
                try:
                    kind, payload = fut.result()
                except cf.BrokenExecutor as exc:
                    raise RuntimeError(
                        f"function: a worker process died while running point key={key} params={params} "
                        f"(killed for memory, or a crash in compiled code?); the finished records are saved "
                        f"in {writer.path} and a rerun resumes"
                    ) from exc
                except Exception as exc:
                    exc.add_note(f"{POINT_NOTE}{key} params={params} seed={seed}")
                    raise
                writer.add({"key": key, "params": params, "seed": seed, "round": rnd, kind: payload})
                yield key
    finally:
        for fut in running:
            fut.cancel()
