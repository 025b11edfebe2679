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

Exit codes: 0 success; 1 a claim failed, or a sweep point raised or its worker died (the finished
points are saved; rerunning resumes); 2 a usage error -- a bad option, an unknown figure or area, a
spec or results file that is refused, a missing extra -- reported as one line naming the option or
spec key, never a traceback; 130 interrupted.
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


class UsageError(Exception):
    """Refused command-line input; :func:`main` prints it as a usage error and exits with 2."""


def _select(registry: dict, names: list[str]) -> list[str]:
    if not names:
        return list(registry)
    chosen: list[str] = []
    for n in names:
        hits = [k for k in registry if k == n or k.startswith(n + "_") or k.startswith(n + ".")]
        if not hits:
            raise UsageError(f"names: unknown figure {n!r}; known: {', '.join(registry)}")
        chosen += [h for h in hits if h not in chosen]
    return chosen


def _seed(text: str) -> int:
    """``--seed``: a non-negative integer (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


def cmd_figures(args: argparse.Namespace) -> int:
    registry = figure_registry()
    names = _select(registry, args.names)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {str(out)!r} exists and is not a directory")
    for name in names:
        t0 = time.perf_counter()
        with show_progress(sys.stderr.isatty()):
            try:
                paths = registry[name](out, figure_rng(args.seed, name), args.quick)
            except ValueError as exc:  # save_figure refuses to overwrite files that are not ours
                if str(exc).startswith("out_dir:"):
                    raise UsageError("--out:" + str(exc)[len("out_dir:"):]) from None
                raise
        print(f"{name:40s} {time.perf_counter() - t0:7.1f} s  " + " ".join(str(p) for p in paths))
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from proofs.ledger import all_claims, areas, evaluate

    unknown = [a for a in args.area or () if a not in areas()]
    if unknown:
        raise UsageError(f"--area: unknown ledger area {unknown[0]!r}; known: {', '.join(areas())}")
    claims = all_claims(args.area)
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
    raise UsageError("bench: no benchmarks/ directory found (run from the source checkout)")


def cmd_bench(args: argparse.Namespace) -> int:
    bdir = benchmarks_dir()
    sys.path.insert(0, str(bdir))
    files = sorted(bdir.glob("bench_*.py"))
    if args.names:
        unknown = [n for n in args.names if not any(n in f.stem for f in files)]
        if unknown:
            raise UsageError(f"names: no benchmark matches {unknown[0]!r}; known: "
                             f"{', '.join(f.stem for f in files)}")
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
    from .sweep.command import run_command

    try:
        rc, _, _ = run_command(args.spec, scheduler=args.scheduler, workers=args.workers,
                               results=args.results, progress=args.progress)
    except (ValueError, TypeError) as exc:  # refused before anything ran; the message names the key
        raise UsageError(str(exc)) from None
    return rc


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit code.

    Usage errors print a one-line message and raise ``SystemExit(2)``, as argparse does.
    """
    if argv is not None and (not isinstance(argv, (list, tuple)) or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"argv: expected a list of strings, got {argv!r}"[:200])
    from .sweep.command import add_arguments

    parser = argparse.ArgumentParser(prog="tailpower", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("figures", help="reproduce figures (PNG + JSON sidecar)")
    p.add_argument("names", nargs="*", help="figure names or package names; none = all")
    p.add_argument("--out", default="figures", help="output directory (default: figures)")
    p.add_argument("--seed", type=_seed, default=0, help="base seed, >= 0 (default: 0)")
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
    add_arguments(p)
    p.set_defaults(func=cmd_sweep)

    args = parser.parse_args(None if argv is None else list(argv))
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        sub.choices[args.command].error(str(exc))  # prints usage and the message, exits with 2
    except KeyboardInterrupt:
        print(f"tailpower {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
