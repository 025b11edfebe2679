"""Which public objects still lack numpydoc sections (a report, not yet a requirement).

The API reference (docs/, ``make docs``) renders every public object that ``tailpower._api``
lists. Each should have Parameters, Returns, Raises and a runnable Examples section; the science
packages' docstrings are being completed, so the full check is a report: while gaps remain it
xfails (never strictly), and its reason -- shown by ``pytest -ra`` -- counts the gaps per package
and section; it passes once they are gone. The objects of this infrastructure (``tailpower``)
that are already complete must stay so, and so must goodhart's and tailpower's.
"""

from __future__ import annotations

import collections
import inspect
import re

import pytest

from tailpower._api import public_objects

SECTIONS = ("Parameters", "Returns", "Raises", "Examples")


def sections(doc: str) -> set[str]:
    """numpydoc section titles in ``doc`` (a title line underlined with dashes)."""
    return set(re.findall(r"^\s*([A-Z][A-Za-z ]+)\n\s*-{3,}\s*$", doc, re.M))


def required(obj) -> tuple[str, ...]:
    """The sections ``obj`` needs: a callable without parameters needs no Parameters, a class no
    Returns (its attributes may stand for its parameters), a constant none."""
    if inspect.isclass(obj):
        return ("Parameters", "Examples")
    if not callable(obj):
        return ()
    try:
        params = [p for p in inspect.signature(obj).parameters.values() if p.name not in ("self", "cls")]
    except (TypeError, ValueError):
        params = [None]
    return tuple(s for s in SECTIONS if s != "Parameters" or params)


def gaps() -> dict[str, list[str]]:
    """``{qualified name: [missing sections]}`` over every public object."""
    out = {}
    for name, obj in public_objects():
        need = required(obj)
        have = sections(inspect.getdoc(obj) or "")
        if inspect.isclass(obj) and "Attributes" in have:
            have = have | {"Parameters"}
        missing = [s for s in need if s not in have]
        if missing:
            out[name] = missing
    return out


def test_the_section_finder_reads_numpydoc():
    doc = "Summary.\n\nParameters\n----------\nx : float\n\nReturns\n-------\nfloat\n"
    assert sections(doc) == {"Parameters", "Returns"}
    assert required(print) == SECTIONS and required(int) == ("Parameters", "Examples") and required(3) == ()


COMPLETE = ("tailpower.set_memory_budget", "tailpower._common.save_figure", "tailpower._common.figure_options",
            "tailpower.sweep.write_parquet", "tailpower.sweep.load_results", "tailpower.sweep.to_frame",
            "tailpower.cli.main")


def test_the_complete_infrastructure_docstrings_stay_complete():
    found = gaps()
    assert not {n: found[n] for n in COMPLETE if n in found}
    assert len(public_objects()) > 150  # the API reference covers every package


def test_goodhart_and_tailpower_public_objects_have_every_numpydoc_section():
    """goodhart's and tailpower's docstrings are complete (as cogpower's, tests/house/test_doctests.py)."""
    found = gaps()
    assert not {n: m for n, m in found.items() if n.split(".")[0] in ("goodhart", "tailpower")}
    assert sum(n.startswith("goodhart.") for n, _ in public_objects()) > 40


def test_report_public_objects_missing_sections():
    found = gaps()
    by_package: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, missing in found.items():
        by_package[name.split(".")[0]].update(missing)
    total = len(public_objects())
    lines = [f"{len(found)} of {total} public objects lack a section"]
    for pkg, counts in sorted(by_package.items()):
        lines.append(f"  {pkg}: " + ", ".join(f"{counts[s]} without {s}" for s in SECTIONS if counts[s]))
    lines.append("  first: " + ", ".join(sorted(found)[:12]))
    if found:  # a report while the docstrings are completed: xfail (never strict) with the counts
        pytest.xfail("; ".join(lines))
