"""Pages generated from the code at build time (a local Sphinx extension).

- ``api/<package>.rst``: autosummary tables of every public object (``tailpower._api``); autosummary
  then writes one page per object into ``api/generated/``.
- ``ledger.rst``: the claims ledger as a table, read from the ``Claim`` objects of ``proofs``
  (the checks are not run: ``tailpower claims`` runs them).
- ``gallery.rst``: every registered figure with the PNG ``make figures`` drew into ``figures/``
  and the source of the function that draws it.
- ``examples.rst``: the scripts of ``examples/`` with their source.

Everything is written only when its text changes, so a rebuild with no code change is quick.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _escape(text: str) -> str:
    """Plain text for reStructuredText: no inline markup, no references, no substitutions."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_|<>\[\]])", r"\\\1", text)


def _heading(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n"


# ----------------------------------------------------------------------------- API pages
PAGE_TITLES = {
    "goodhart": ("goodhart", "Catastrophic regressional Goodhart: selecting on a proxy U = V + X."),
    "powerseek": ("powerseek", "Power-seeking in finite MDPs: POWER, optimality probability, orbit tendencies."),
    "cogpower": ("cogpower", "The independent-steps model of cognitive power."),
    "proofs": ("proofs", "SymPy derivations and the claims ledger (needs the ``symbolic`` extra)."),
    "tailpower": ("tailpower", "Shared plumbing: memory budget, result objects, figures, sweeps, the command line."),
}


def write_api() -> None:
    from tailpower._api import public_api

    pages: dict[str, list[str]] = {}
    seen: set[int] = set()
    for section, names in public_api().items():
        import importlib

        module = importlib.import_module(section.module)
        fresh = []
        for n in names:
            obj = getattr(module, n)
            if callable(obj) or inspect.isclass(obj):
                if id(obj) in seen:
                    continue  # re-exported: documented once, under the first section listing it
                seen.add(id(obj))
            fresh.append(n)
        if not fresh:
            continue
        lines = pages.setdefault(section.page, [])
        extra = f" Needs the ``{section.extra}`` extra." if section.extra else ""
        lines += [_heading(section.title, "-"), f"Module ``{section.module}``.{extra}\n",
                  f".. currentmodule:: {section.module}\n", ".. autosummary::", "   :toctree: generated/",
                  "   :nosignatures:\n"]
        lines += [f"   {n}" for n in fresh] + [""]
    index = [_heading("API reference", "="),
             "Every public object of the five packages, with its parameters, return value, the errors it "
             "raises and an example. All of them keep :doc:`the reliability contract <../contract>`.\n",
             ".. toctree::", "   :maxdepth: 1\n"]
    for page, lines in pages.items():
        title, blurb = PAGE_TITLES[page]
        _write(DOCS / "api" / f"{page}.rst", "\n".join([_heading(title, "="), blurb + "\n", *lines]) + "\n")
        index.append(f"   {page}")
    _write(DOCS / "api" / "index.rst", "\n".join(index) + "\n")


# ----------------------------------------------------------------------------- ledger table
def write_ledger() -> None:
    from proofs.ledger import all_claims

    claims = all_claims()
    counts: dict[str, int] = {}
    for c in claims:
        counts[c.verdict] = counts.get(c.verdict, 0) + 1
    summary = ", ".join(f"{v} {k!r}" for k, v in sorted(counts.items()))
    out = [".. _ledger:\n", _heading("The claims ledger", "="),
           "Every number the sources state, with the project's verdict about the *source*: ``holds`` (the "
           "stated claim is reproduced), ``source wrong`` (two independent checks establish a different "
           "value, given in the note) or ``open`` (no stated value, or a conjecture probed numerically). "
           "Each claim has a symbolic check (SymPy, exact where possible) and a numeric one (through the "
           "public API); run them with ``tailpower claims`` (exit status 1 if any check fails) or "
           "``tailpower claims --area AREA``. The derivations are in :doc:`api/proofs`.\n",
           f"{len(claims)} claims: {summary}. This table is generated from the ``CLAIMS`` lists of "
           "``proofs`` when the documentation is built.\n"]
    from proofs.ledger import areas

    by_area = {area: all_claims(area) for area in areas()}  # by module: ids need not start with it
    theory = {"goodhart": "goodhart", "goodhart_kl": "goodhart", "powerseek": "powerseek",
              "powerseek_orbits": "powerseek", "cogpower": "cogpower"}
    for area, group in by_area.items():
        out.append(_heading(f"Area {area}", "-"))
        if area in theory:
            out.append(f"The definitions and theorems: :doc:`theory/{theory[area]}`. "
                       f"Derivations: ``proofs.{area}`` (:doc:`api/proofs`).\n")
        out += [".. list-table::", "   :header-rows: 1",
                "   :widths: 22 48 30", "   :class: ledger\n", "   * - claim and verdict",
                "     - statement (source)", "     - stated; note"]
        for c in group:
            stated = "" if c.stated is None else _escape(c.stated)
            note = _escape(c.note) if c.note else ""
            last = "; ".join(x for x in (f"stated: {stated}" if stated else "", note) if x) or "\u2014"
            out += [f"   * - ``{c.id.split('.', 1)[1]}``", "", f"       **{c.verdict}**",
                    f"     - {_escape(c.statement)}", "", f"       *{_escape(c.source)}*", f"     - {last}"]
        out.append("")
    _write(DOCS / "ledger.rst", "\n".join(out) + "\n")


# ----------------------------------------------------------------------------- gallery
def _source_lines(fn) -> tuple[Path, int, int] | None:
    fn = inspect.unwrap(getattr(fn, "func", fn))
    try:
        path = Path(inspect.getsourcefile(fn)).resolve()
        lines, start = inspect.getsourcelines(fn)
    except (TypeError, OSError):
        return None
    return path, start, start + len(lines) - 1


def write_gallery() -> None:
    from tailpower.cli import figure_description, figure_registry

    registry = figure_registry()
    out = [_heading("Figure gallery", "="),
           "Every registered figure, as ``make figures`` draws it into ``figures/`` (seed 0), with the "
           "function that draws it. Draw one yourself with ``tailpower figures NAME`` (``--quick`` for a "
           "small version, ``--format pdf|svg``, ``--dpi N``); ``tailpower figures --list`` names them. "
           "Each image has a JSON sidecar with the parameters, the plotted numbers, the source's stated "
           "numbers, the seed and the package version.\n"]
    current = None
    for name in sorted(registry):
        package = name.split("_")[0]
        if package != current:
            out.append(_heading(package, "-"))
            current = package
        fn = registry[name]
        out.append(_heading(name, "~"))
        desc = figure_description(name, fn)
        if desc:
            out.append(_escape(desc) + "\n")
        png = ROOT / "figures" / f"{name}.png"
        if png.is_file():
            out += [f".. image:: /../figures/{name}.png", f"   :alt: {name}", "   :width: 100%\n"]
        else:
            out.append(f"*Not drawn in this checkout:* ``tailpower figures {name}``.\n")
        src = _source_lines(fn)
        if src is not None:
            path, a, b = src
            rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else None
            if rel is not None:
                out += [f"Drawn by ``{fn.__module__}.{fn.__name__}`` (``{rel}``, lines {a}-{b}):\n",
                        f".. literalinclude:: /../{rel}", "   :language: python", f"   :lines: {a}-{b}",
                        f"   :lineno-start: {a}\n"]
    _write(DOCS / "gallery.rst", "\n".join(out) + "\n")


# ----------------------------------------------------------------------------- examples
def write_examples() -> None:
    out = [_heading("Examples", "="),
           "The scripts in ``examples/`` of the source checkout. Each runs on its own with a small default "
           "size (``python examples/NAME.py``); the ``sweep_*`` ones take ``--workers N`` and "
           "``--scheduler ADDRESS`` (see :doc:`sweeps`).\n"]
    for path in sorted((ROOT / "examples").glob("*.py")):
        import ast

        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = doc.split("\n\n")[0] if doc else path.stem
        out += [_heading(path.name, "-"), _escape(first) + "\n",
                f".. literalinclude:: /../examples/{path.name}", "   :language: python\n"]
    _write(DOCS / "examples.rst", "\n".join(out) + "\n")


def generate(app=None, config=None) -> None:
    write_api()
    write_ledger()
    write_gallery()
    write_examples()


# ----------------------------------------------------------------------------- docstrings
# The science packages' docstrings are written as plain text with mathematics (E[V | U >= t]),
# not always as reStructuredText. Before numpydoc sees a docstring, bars outside literals are
# escaped (in reST ``|x|`` is a substitution) and short section underlines are lengthened; a
# docstring that is still not valid reST is shown verbatim (summary, then a literal block), so
# the build stays warning-free and nothing is lost. tests/house/test_docstrings.py reports those.
_LITERAL_SPAN = re.compile(r"(``.+?``|`[^`]+`_?|:[a-z:]+:`[^`]+`)")
_IGNORED = ("Unknown interpreted text role", "Unknown directive type", "No role entry", "No directive entry",
            "Unknown target name", "Unknown interpreted text role")


def _escape_bars(line: str) -> str:
    return "".join(p if _LITERAL_SPAN.fullmatch(p) else p.replace("|", "\\|")
                   for p in _LITERAL_SPAN.split(line))


def clean_docstring(lines: list[str]) -> list[str]:
    """``lines`` with bars escaped outside literal text and section underlines fixed."""
    out: list[str] = []
    literal_indent = None  # inside a literal block (after "::") indented deeper than this
    doctest = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None and stripped and indent <= literal_indent:
            literal_indent = None
        if not stripped:
            doctest = False
        if stripped.startswith(">>>"):
            doctest = True
        if literal_indent is not None or doctest:
            out.append(line)
            continue
        if (re.fullmatch(r"-{3,}|={3,}", stripped) and out and out[-1].strip()
                and len(stripped) < len(out[-1].strip())):
            line = line[:indent] + stripped[0] * len(out[-1].strip())
        elif stripped.startswith(("+-", "+=")) or (stripped.startswith("|") and stripped.endswith("|")):
            pass  # a table row or a line block
        else:
            line = _escape_bars(line)
        out.append(line)
        if stripped.endswith("::"):
            literal_indent = indent
    return out


def rst_problems(text: str) -> list[str]:
    """docutils' warnings and errors about ``text`` as reST (Sphinx roles and directives, unknown
    to plain docutils, are not problems)."""
    import io

    from docutils.core import publish_doctree
    from docutils.utils import Reporter

    # Sphinx's roles and directives need a build environment: check them as plain literals
    text = re.sub(r":[a-z]+(?::[a-z]+)?:`([^`]+)`", r"``\1``", text)
    # (docutils' own math and code directives are replaced by Sphinx's too: every directive becomes
    # a comment, whose indented body -- options and content -- is not checked)
    text = re.sub(r"^(\s*)\.\. [a-z:-]+::.*$", r"\1.. directive", text, flags=re.M)
    stream = io.StringIO()
    try:
        doctree = publish_doctree(text, settings_overrides={
            "report_level": Reporter.WARNING_LEVEL, "halt_level": Reporter.SEVERE_LEVEL + 1,
            "warning_stream": stream, "file_insertion_enabled": False, "raw_enabled": False})
    except Exception as exc:  # noqa: BLE001 -- a docstring docutils cannot even parse
        return [f"docutils: {type(exc).__name__}: {exc}"]
    problems = []
    for msg in doctree.traverse(lambda n: n.tagname == "system_message"):
        body = msg.astext()
        if msg["level"] >= Reporter.WARNING_LEVEL and not any(s in body for s in _IGNORED):
            problems.append(body.split("\n")[0])
    return problems


_ORIGINAL: dict[str, list[str]] = {}
VERBATIM: dict[str, str] = {}  # objects whose docstrings are not valid reST, with the first problem


def clean_before_numpydoc(app, what, name, obj, options, lines) -> None:
    _ORIGINAL[name] = list(lines)
    lines[:] = clean_docstring(lines)


def verbatim_if_broken(app, what, name, obj, options, lines) -> None:
    """After numpydoc: a docstring whose reST still has problems is shown verbatim instead."""
    original = _ORIGINAL.pop(name, None)
    problems = [] if original is None else rst_problems("\n".join(lines))
    if not problems:
        return
    VERBATIM[name] = problems[0]
    paragraphs = "\n".join(original).strip().split("\n\n", 1)
    summary = re.sub(r"([\\`*_|<>\[\]])", r"\\\1", " ".join(paragraphs[0].split()))
    rest = paragraphs[1] if len(paragraphs) > 1 else ""
    lines[:] = [summary, ""]
    if rest.strip():
        lines += ["::", ""] + ["    " + ln if ln.strip() else "" for ln in rest.split("\n")]


def setup_docstrings(app) -> None:
    app.connect("autodoc-process-docstring", clean_before_numpydoc, priority=100)  # numpydoc: 500
    app.connect("autodoc-process-docstring", verbatim_if_broken, priority=900)
    app.connect("build-finished", report_verbatim)


def report_verbatim(app, exception) -> None:
    from sphinx.util import logging

    if VERBATIM and exception is None:
        logging.getLogger(__name__).info(
            f"tailpower_docs: {len(VERBATIM)} docstrings are not valid reStructuredText and are shown "
            "verbatim: " + "; ".join(f"{k} ({v})" for k, v in sorted(VERBATIM.items())))


def setup(app):
    app.connect("config-inited", generate)  # before Sphinx lists the source files
    setup_docstrings(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
