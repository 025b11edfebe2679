"""Every public object has its numpydoc sections.

The API reference (docs/, ``make docs``) renders every public object that ``tailpower._api``
lists. Each has Parameters, Returns, Raises and a runnable Examples section (a callable without
parameters needs no Parameters, a class no Returns); the Examples run in test_doctests.py.
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


def test_every_public_object_has_every_numpydoc_section():
    """Every object the API reference renders has its sections; a gap fails, listed per package
    and section with the first names."""
    found = gaps()
    by_package: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, missing in found.items():
        by_package[name.split(".")[0]].update(missing)
    lines = [f"{len(found)} of {len(public_objects())} public objects lack a section"]
    for pkg, counts in sorted(by_package.items()):
        lines.append(f"  {pkg}: " + ", ".join(f"{counts[s]} without {s}" for s in SECTIONS if counts[s]))
    lines.append("  first: " + ", ".join(sorted(found)[:12]))
    assert not found, "; ".join(lines)
    # the API reference covers every package
    for pkg, at_least in (("goodhart", 40), ("powerseek", 80), ("cogpower", 20), ("proofs", 20), ("tailpower", 10)):
        assert sum(n.startswith(pkg + ".") for n, _ in public_objects()) >= at_least, pkg
