"""The ``tailpower`` command line.

    tailpower --version
    tailpower figures [NAME ...] [--out DIR] [--seed S] [--quick] [--format png|pdf|svg] [--dpi N]
    tailpower figures --list
    tailpower claims [--area AREA ...] [--verbose]
    tailpower bench [NAME ...] [--quick]          (in a source checkout only)
    tailpower sweep SPEC.toml [--scheduler ADDRESS] [--workers N]

``figures`` draws figures from the registries of the three science packages (no names = all; a
package name such as ``cogpower`` selects all of its figures). Each figure gets its own random
stream derived from ``--seed`` and its name, so drawing one figure alone gives the same picture as
drawing all of them; ``--list`` names them. Each sidecar records the seed, the source, the code
that drew it and the package version. ``claims`` prints the claims ledger and exits 1 if any claim
fails. ``bench`` runs the ratio benchmarks in ``benchmarks/`` of the source checkout and prints
their ratios; an installed wheel has no benchmarks, and no ``bench`` command. ``sweep`` runs or
resumes the sweep a TOML spec describes (``tailpower.sweep``), on local processes or a Dask cluster.

Exit codes: 0 success; 1 a claim failed, or a sweep point raised or its worker died (the finished
points are saved; rerunning resumes); 2 a usage error -- a bad option, an unknown figure or area, a
spec or results file that is refused, a missing extra (the message names it), a package shadowed
by another distribution's of the same name -- reported as one line naming the option or spec key,
never a traceback; 130 interrupted; 141 the output pipe was closed.
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

from . import __version__
from ._common import FIGURE_FORMATS, figure_options, show_progress
from ._extras import MissingExtraError, check_own_package, own_root, require

PACKAGES = ("cogpower", "goodhart", "powerseek")


def figure_registry() -> dict:
    """All registered figures, ``{name: function(out_dir, rng, quick) -> list[Path]}``.

    ImportError naming the package if ``goodhart``, ``powerseek`` or ``cogpower`` would be
    imported from another distribution than tailpower's (see :mod:`tailpower._extras`).
    """
    registry: dict = {}
    for pkg in PACKAGES:
        check_own_package(pkg)
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


def _dpi(text: str) -> int:
    """``--dpi``: an integer from 10 to 2400 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer from 10 to 2400, got {text!r}") from None
    if not 10 <= value <= 2400:
        raise argparse.ArgumentTypeError(f"expected an integer from 10 to 2400, got {value}")
    return value


def _registry_or_usage_error() -> dict:
    try:
        return figure_registry()
    except ImportError as exc:  # a shadowing package of the same name
        raise UsageError(str(exc)) from None


def figure_description(name: str, fn) -> str:
    """One line about figure ``name``: the first paragraph of its function's docstring, else the
    ``- name: ...`` item of its module's docstring, else empty."""
    import inspect
    import re

    doc = inspect.getdoc(fn) or ""
    text = " ".join(doc.split("\n\n")[0].split())
    if not text:
        mod = sys.modules.get(getattr(fn, "__module__", ""), None)
        m = re.search(rf"^- {re.escape(name)}: (.*?)(?=^- |^$|\Z)", inspect.getdoc(mod) or "", re.M | re.S)
        text = " ".join(m.group(1).split()) if m else ""
    return text if len(text) <= 110 else text[:107].rstrip() + "..."


def cmd_figures(args: argparse.Namespace) -> int:
    registry = _registry_or_usage_error()
    if args.list:
        if args.names:
            raise UsageError("--list: takes no figure names")
        width = max(map(len, registry))
        for name in sorted(registry):
            print(f"{name:{width}s}  {figure_description(name, registry[name])}".rstrip())
        return 0
    names = _select(registry, args.names)
    try:
        require("matplotlib", "plot", "tailpower figures")
    except MissingExtraError as exc:
        raise UsageError(str(exc)) from None
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {str(out)!r} exists and is not a directory")
    for name in names:
        t0 = time.perf_counter()
        with show_progress(sys.stderr.isatty()), figure_options(format=args.format, dpi=args.dpi, seed=args.seed):
            try:
                paths = registry[name](out, figure_rng(args.seed, name), args.quick)
            except ValueError as exc:  # save_figure refuses to overwrite files that are not ours
                if str(exc).startswith("out_dir:"):
                    raise UsageError("--out:" + str(exc)[len("out_dir:"):]) from None
                raise
        print(f"{name:40s} {time.perf_counter() - t0:7.1f} s  " + " ".join(str(p) for p in paths))
    return 0


def ledger_areas() -> list[str]:
    """The areas of the claims ledger: the modules of tailpower's ``proofs`` package (but
    ``ledger`` and private ones), read from its directory without importing anything."""
    return sorted(p.stem for p in (own_root() / "proofs").glob("*.py")
                  if p.stem != "ledger" and not p.stem.startswith("_"))


def cmd_claims(args: argparse.Namespace) -> int:
    try:
        for pkg in ("proofs", *PACKAGES):
            check_own_package(pkg)
        require("sympy", "symbolic", "tailpower claims")
        require("matplotlib", "plot", "tailpower claims (the reward-model tail report)")
    except ImportError as exc:
        raise UsageError(str(exc)) from None
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


def _is_checkout(base: Path) -> bool:
    """True if ``base`` is a tailpower source checkout with its benchmarks (never a user's own
    ``benchmarks/`` folder, whose files ``bench`` would otherwise execute)."""
    try:
        meta = (base / "pyproject.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return 'name = "tailpower"' in meta and (base / "benchmarks" / "_harness.py").is_file()


def benchmarks_dir() -> Path | None:
    """``benchmarks/`` of the source checkout the package runs from (an editable install), or of
    the tailpower checkout that is the current directory; None for an installed wheel elsewhere."""
    for base in (own_root(), Path.cwd()):
        if _is_checkout(base):
            return base / "benchmarks"
    return None


def cmd_bench(args: argparse.Namespace) -> int:
    bdir = benchmarks_dir()
    if bdir is None:  # pragma: no cover - the command is only registered in a checkout
        raise UsageError("bench: no benchmarks/ directory (run from the tailpower source checkout)")
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

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``tailpower`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success; 1 a claim or a sweep point failed; 130 interrupted; 141 the output pipe closed.

    Raises
    ------
    SystemExit
        Code 2 after printing a one-line usage error (as argparse does); code 0 for ``--help`` and
        ``--version``.
    TypeError
        Naming ``argv`` if it is not a list of strings.

    Examples
    --------
    >>> from tailpower.cli import main
    >>> main(["claims", "--area", "powerseek_orbits"])     # doctest: +SKIP
    0
    """
    if argv is not None and (not isinstance(argv, (list, tuple)) or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"argv: expected a list of strings, got {argv!r}"[:200])
    from .sweep.command import add_arguments

    parser = argparse.ArgumentParser(
        prog="tailpower", description="tailpower: executable AI-alignment theory -- figures, the claims "
                                      "ledger, benchmarks and parameter sweeps.",
        epilog="exit codes: 0 success; 1 a claim failed or a sweep point failed; 2 usage error; "
               "130 interrupted")
    parser.add_argument("--version", action="version", version=f"tailpower {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("figures", help="reproduce figures (image + JSON sidecar)")
    p.add_argument("names", nargs="*", help="figure names or package names; none = all")
    p.add_argument("--list", action="store_true", help="name the figures and exit")
    p.add_argument("--out", default="figures", help="output directory (default: figures)")
    p.add_argument("--seed", type=_seed, default=0, help="base seed, >= 0 (default: 0)")
    p.add_argument("--quick", action="store_true", help="small, fast versions")
    p.add_argument("--format", choices=FIGURE_FORMATS, default="png", help="image format (default: png)")
    p.add_argument("--dpi", type=_dpi, default=110, help="resolution, 10 to 2400 (default: 110)")
    p.set_defaults(func=cmd_figures)

    areas = ledger_areas()
    p = sub.add_parser("claims", help="print the claims ledger; exit 1 if any claim fails")
    p.add_argument("--area", action="append", choices=areas, metavar="AREA",
                   help=f"only this area of the ledger (repeatable): {', '.join(areas)}")
    p.add_argument("--verbose", "-v", action="store_true")
    p.set_defaults(func=cmd_claims)

    if benchmarks_dir() is not None:
        p = sub.add_parser("bench", help="run benchmarks/ and print speed ratios (source checkout only)")
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
    except BrokenPipeError:  # the reader went away (tailpower figures --list | head): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
