"""The ``tailpower`` command line.

    tailpower figures [NAME ...] [--out DIR] [--seed S] [--quick]
    tailpower claims [--area AREA ...] [--verbose]
    tailpower bench [NAME ...] [--quick]
    tailpower sweep SPEC.toml [--scheduler ADDRESS] [--workers N]

``figures`` draws figures from the registries of the three science packages (no names = all; a
package name such as ``cogpower`` selects all of its figures). Each figure gets its own random
stream derived from ``--seed`` and its name, so drawing one figure alone gives the same picture as
drawing all of them. ``claims`` prints the claims ledger and exits 1 if any claim fails. ``bench``
runs the ratio benchmarks in ``benchmarks/`` and prints their ratios. ``sweep`` runs or resumes the
sweep a TOML spec describes (``tailpower.sweep``), on local processes or a Dask cluster.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from ._common import show_progress

PACKAGES = ("cogpower", "goodhart", "powerseek")


def figure_registry() -> dict:
    """All registered figures, ``{name: function(out_dir, rng, quick) -> list[Path]}``."""
    registry: dict = {}
    for pkg in PACKAGES:
        mod = importlib.import_module(f"{pkg}.figures")
        for name, fn in getattr(mod, "FIGURES", {}).items():
            if name in registry:
                raise RuntimeError(f"figure name {name!r} registered twice")
            registry[name] = fn
    return registry


def figure_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream of figure ``name``: depends only on the seed and the name."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),)))


def _select(registry: dict, names: list[str]) -> list[str]:
    if not names:
        return list(registry)
    chosen: list[str] = []
    for n in names:
        hits = [k for k in registry if k == n or k.startswith(n + "_") or k.startswith(n + ".")]
        if not hits:
            raise SystemExit(f"tailpower figures: unknown figure {n!r}; known: {', '.join(registry)}")
        chosen += [h for h in hits if h not in chosen]
    return chosen


def cmd_figures(args: argparse.Namespace) -> int:
    registry = figure_registry()
    names = _select(registry, args.names)
    out = Path(args.out)
    for name in names:
        t0 = time.perf_counter()
        with show_progress(sys.stderr.isatty()):
            paths = registry[name](out, figure_rng(args.seed, name), args.quick)
        print(f"{name:40s} {time.perf_counter() - t0:7.1f} s  " + " ".join(str(p) for p in paths))
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from proofs.ledger import all_claims, evaluate

    try:
        claims = all_claims(args.area)
    except ValueError as exc:
        raise SystemExit(f"tailpower claims: {exc}") from None
    failed = 0
    for claim in claims:
        res = evaluate(claim)
        failed += res.failed
        print(f"[{res.status:>12s}] {claim.id}  ({res.seconds:.1f} s)")
        print(f"    source:    {claim.source}")
        print(f"    statement: {claim.statement}")
        if claim.stated is not None:
            print(f"    stated:    {claim.stated}")
        for label, chk in (("symbolic", res.symbolic), ("numeric", res.numeric)):
            if chk is not None:
                mark = "ok" if chk.ok else "FAILED"
                print(f"    {label + ':':10s} {mark}  computed={chk.computed}  {chk.detail}".rstrip())
        if claim.note and (args.verbose or claim.verdict != "holds"):
            print(f"    note:      {claim.note}")
        for err in res.errors:
            print("    error:\n      " + err.replace("\n", "\n      "))
    print(f"\n{len(claims)} claims, {failed} failing")
    return 1 if failed else 0


def benchmarks_dir() -> Path:
    """``benchmarks/`` of the source checkout (the project is installed editable)."""
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (base / "benchmarks").is_dir():
            return base / "benchmarks"
    raise SystemExit("tailpower bench: no benchmarks/ directory found (run from the source checkout)")


def cmd_bench(args: argparse.Namespace) -> int:
    bdir = benchmarks_dir()
    sys.path.insert(0, str(bdir))
    files = sorted(bdir.glob("bench_*.py"))
    if args.names:
        files = [f for f in files if any(n in f.stem for n in args.names)]
    for f in files:
        spec = importlib.util.spec_from_file_location(f.stem, f)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        print(f"== {f.stem}")
        for row in mod.run(quick=args.quick):
            print("   " + row.format())
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from .sweep import load_results, load_spec, run_sweep

    try:
        spec = load_spec(args.spec, results=args.results)
    except (ValueError, TypeError) as exc:
        raise SystemExit(f"tailpower sweep: {exc}") from None
    client = cluster = None
    executor = None
    if args.scheduler:
        from distributed import Client, LocalCluster

        if args.scheduler == "local":
            cluster = LocalCluster(n_workers=args.workers or 2, threads_per_worker=1,
                                   env={"NUMBA_NUM_THREADS": "1"})
            client = Client(cluster)
        else:
            client = Client(args.scheduler)
        executor = client.get_executor()
        print(f"tailpower sweep: Dask scheduler {client.scheduler.address}, "
              f"{len(client.scheduler_info()['workers'])} workers", file=sys.stderr)
    try:
        before = len(load_results(spec.results))
    except ValueError:
        before = 0
    t0 = time.perf_counter()
    try:
        records = run_sweep(spec, executor, workers=None if args.scheduler else args.workers,
                            progress=sys.stderr.isatty() or args.progress)
    except (ValueError, TypeError, RuntimeError) as exc:
        if str(exc).split(":")[0] in ("results", "function", "workers"):  # spec/file problems
            raise SystemExit(f"tailpower sweep: {exc}") from None
        raise
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    errors = sum("error" in r for r in records)
    print(f"{len(records)} points ({len(records) - before} new, {errors} errors) in "
          f"{time.perf_counter() - t0:.1f} s -> {spec.results}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tailpower", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("figures", help="reproduce figures (PNG + JSON sidecar)")
    p.add_argument("names", nargs="*", help="figure names or package names; none = all")
    p.add_argument("--out", default="figures", help="output directory (default: figures)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    p.add_argument("--quick", action="store_true", help="small, fast versions")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("claims", help="print the claims ledger; exit 1 if any claim fails")
    p.add_argument("--area", action="append", help="a module of proofs/, e.g. cogpower (repeatable)")
    p.add_argument("--verbose", "-v", action="store_true")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("bench", help="run benchmarks/ and print speed ratios")
    p.add_argument("names", nargs="*", help="substrings of benchmark file names")
    p.add_argument("--quick", action="store_true", help="small problem sizes")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("sweep", help="run or resume a parameter sweep (tailpower.sweep)")
    p.add_argument("spec", help="sweep spec, a TOML file")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")
    p.add_argument("--workers", type=int, help="local processes (or LocalCluster workers)")
    p.add_argument("--results", help="results file (overrides the spec's)")
    p.add_argument("--progress", action="store_true", help="progress bar even when not a tty")
    p.set_defaults(func=cmd_sweep)

    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
