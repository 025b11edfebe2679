"""The Examples sections of every package run as doctests (their printed outputs are checked).

One runner for tailpower, proofs, cogpower, goodhart and powerseek: each module is one test, so a
failure names the module. Examples that draw a whole figure or take more than about 0.3 s are
marked ``+SKIP`` in the source (the figure tests draw them)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cogpower
import goodhart
import powerseek
import proofs
import tailpower

PACKAGES = (tailpower, proofs, cogpower, goodhart, powerseek)
MODULES = sorted(
    [pkg.__name__ for pkg in PACKAGES]
    + [m.name for pkg in PACKAGES for m in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + ".")]
)
#: examples at least this many per package (a package whose examples vanish fails here)
AT_LEAST = {"tailpower": 60, "proofs": 60, "cogpower": 80, "goodhart": 200, "powerseek": 300}


def _tests(name):
    return [t for t in doctest.DocTestFinder(exclude_empty=True).find(importlib.import_module(name), name)
            if t.examples and t.filename and t.filename.endswith(".py")]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    if name.endswith(".strategies"):
        pytest.importorskip("hypothesis")
    if "figures" in name or name == "goodhart.tails":
        pytest.importorskip("matplotlib")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in _tests(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_every_package_has_its_examples():
    counts = {pkg.__name__: 0 for pkg in PACKAGES}
    for name in MODULES:
        counts[name.split(".")[0]] += sum(len(t.examples) for t in _tests(name))
    assert all(counts[p] >= n for p, n in AT_LEAST.items()), counts


def test_cogpower_public_objects_have_every_numpydoc_section():
    """cogpower's docstrings are complete (the report in test_docstrings.py, restricted to it);
    the public methods of its classes too."""
    import importlib.util
    import inspect
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_docstring_report", Path(__file__).with_name("test_docstrings.py"))
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    assert {n: m for n, m in report.gaps().items() if n.startswith("cogpower.")} == {}
    methods = {f"IndependentSteps.{n}": getattr(cogpower.IndependentSteps, n)
               for n in ("quantile_per_subtask", "median_per_subtask", "quartiles_per_subtask", "simulate",
                         "simulate_path")}
    methods["QuantileEstimate.covers"] = cogpower.QuantileEstimate.covers
    missing = {n: [s for s in report.required(f) if s not in report.sections(inspect.getdoc(f)) and s != "Raises"]
               for n, f in methods.items()}
    assert not {n: m for n, m in missing.items() if m}
