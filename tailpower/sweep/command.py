"""``tailpower sweep SPEC`` as a function: the command line's sweep and the example scripts'
(``examples/sweep_*.py``) share it, so that :mod:`tailpower.sweep` never imports the CLI.

Exit codes: 0 done; 1 a point raised (with ``errors = "raise"``) or a worker died -- the finished
records are saved and a rerun resumes; 2 the input was refused before anything ran (a bad option,
spec or results file, a missing extra); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

from .._common import check_int
from .run import POINT_NOTE, max_workers, run_sweep
from .spec import SweepSpec, load_spec
from .store import load_results

__all__ = ["add_arguments", "run_command", "run_example"]

DASK_HINT = "pip install 'tailpower[distributed]'"


def add_arguments(p: argparse.ArgumentParser, *, spec: bool = True) -> None:
    """The options of ``tailpower sweep`` (and of the example scripts, without ``spec``)."""
    if spec:
        p.add_argument("spec", help="sweep spec, a TOML file")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")
    p.add_argument("--workers", type=int, metavar="N", help="local processes (or LocalCluster workers)")
    p.add_argument("--results", metavar="PATH", help="results file (overrides the spec's)")
    p.add_argument("--progress", action="store_true", help="progress bar even when not a tty")


def _dask_executor(scheduler: str, workers: int | None):
    """``(executor, closers)`` for a scheduler address or ``'local'``; ValueError naming
    ``scheduler`` when the extra is missing or the scheduler cannot be reached."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ValueError(f"scheduler: --scheduler needs the Dask extra, which is not installed "
                         f"({exc}); install it with {DASK_HINT}") from None
    closers = []
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, dashboard_address=None,
                                   env={"NUMBA_NUM_THREADS": "1"})
            closers.append(cluster)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=30)
        closers.insert(0, client)
        info = client.scheduler_info()
    except (OSError, ValueError, TypeError, TimeoutError) as exc:
        for c in closers:
            c.close()
        raise ValueError(f"scheduler: cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
    print(f"tailpower sweep: Dask scheduler {client.scheduler.address}, {len(info['workers'])} workers",
          file=sys.stderr)
    return client.get_executor(), closers


def run_command(spec: str | os.PathLike | SweepSpec, *, scheduler: str | None = None, workers: int | None = None,
                results: str | os.PathLike | None = None, progress: bool = False) -> tuple[int, SweepSpec, list[dict]]:
    """Run the sweep of ``spec`` as ``tailpower sweep`` does and print its one-line summary.

    Returns
    -------
    (exit code, spec, records)
        ``records`` are those in the results file at the end (all of them on success).

    Raises
    ------
    ValueError, TypeError
        Input refused before anything ran, naming the option or spec key (exit code 2 for a
        command line). A failure while running is reported on stderr and returned as code 1.
    """
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"scheduler: expected a Dask scheduler address (tcp://host:8786) or 'local', got {scheduler!r}")
    if workers is not None:
        workers = check_int("workers", workers, minimum=1)
        if workers > max_workers():
            raise ValueError(f"workers: at most {max_workers()} on this machine ({os.cpu_count()} cores), got {workers}")
    spec = load_spec(spec, results=results)
    try:
        before = len(load_results(spec.results))
    except ValueError:
        before = 0
    executor, closers = (None, []) if not scheduler else _dask_executor(scheduler, workers)
    t0 = time.perf_counter()
    try:
        records = run_sweep(spec, executor, workers=None if scheduler else workers,
                            progress=progress or sys.stderr.isatty())
    except KeyboardInterrupt:
        print(f"tailpower sweep: interrupted; the finished points are saved in {spec.results} and a rerun "
              "resumes", file=sys.stderr)
        return 130, spec, _saved(spec)
    except Exception as exc:
        notes = [n for n in getattr(exc, "__notes__", []) if n.startswith(POINT_NOTE)]
        if notes:  # the swept function raised: its traceback is the useful part
            traceback.print_exception(exc, file=sys.stderr)
            print(f"tailpower sweep: a point raised {type(exc).__name__} ({notes[0][len('tailpower sweep: '):]}); "
                  f"the finished points are saved in {spec.results}; set errors = \"record\" in the spec to "
                  "record failures instead", file=sys.stderr)
            return 1, spec, _saved(spec)
        if isinstance(exc, (RuntimeError, OSError)):  # a worker died, the disk is full ...
            print(f"tailpower sweep: {exc}", file=sys.stderr)
            return 1, spec, _saved(spec)
        raise
    finally:
        for c in closers:
            c.close()
    errors = sum("error" in r for r in records)
    print(f"{len(records)} points ({len(records) - before} new, {errors} errors) in "
          f"{time.perf_counter() - t0:.1f} s -> {spec.results}")
    return 0, spec, records


def _saved(spec: SweepSpec) -> list[dict]:
    try:
        return load_results(spec.results)
    except ValueError:
        return []


def run_example(spec_path: str | os.PathLike, argv: list[str] | None = None, description: str | None = None):
    """Command line of an example script: run the sweep of ``spec_path`` as ``tailpower sweep`` would.

    Parses ``--scheduler ADDRESS|local``, ``--workers N``, ``--results PATH`` and ``--progress``
    from ``argv`` and returns ``(exit_code, records, spec)`` so that the script can print its own
    summary. Refused input exits with a usage message and code 2 (``SystemExit``).

    Parameters
    ----------
    spec_path : str or os.PathLike
        The sweep spec (a TOML file).
    argv : list of str, optional
        The command-line arguments (default ``sys.argv[1:]``).
    description : str, optional
        The ``--help`` text.

    Returns
    -------
    (int, list of dict, SweepSpec)
        The exit code (0 done, 1 a point or worker failed, 130 interrupted; the finished records
        are saved in every case), the records in the results file and the spec.

    Raises
    ------
    SystemExit
        Code 2 with a usage message for refused options or an invalid spec (the ValueError or
        TypeError naming the option or spec key is printed).

    Examples
    --------
    An example script's ``main`` (starting worker processes takes a few seconds, so this is
    not run here):

    >>> from tailpower.sweep import run_example
    >>> code, records, spec = run_example("examples/goodhart.toml", ["--workers", "2"])  # doctest: +SKIP
    >>> code, len(records)                                                             # doctest: +SKIP
    (0, 96)
    """
    p = argparse.ArgumentParser(description=description)
    add_arguments(p, spec=False)
    args = p.parse_args(argv)
    try:
        rc, spec, records = run_command(spec_path, scheduler=args.scheduler, workers=args.workers,
                                        results=args.results, progress=args.progress)
    except (ValueError, TypeError) as exc:
        p.error(str(exc))
    return rc, records, spec


def main_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``tailpower sweep`` from parsed arguments (used by :mod:`tailpower.cli`)."""
    try:
        rc, _, _ = run_command(args.spec, scheduler=args.scheduler, workers=args.workers,
                               results=args.results, progress=args.progress)
    except (ValueError, TypeError) as exc:
        parser.error(str(exc))
    return rc
