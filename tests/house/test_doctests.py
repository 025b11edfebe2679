"""The Examples sections of tailpower, proofs and cogpower run as doctests (their outputs are checked)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cogpower
import proofs
import tailpower

PACKAGES = (tailpower, proofs, cogpower)
MODULES = sorted(
    [pkg.__name__ for pkg in PACKAGES]
    + [m.name for pkg in PACKAGES for m in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + ".")]
)


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        if test.examples and test.filename and test.filename.endswith(".py"):
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_there_are_examples_to_run():
    finder = doctest.DocTestFinder(exclude_empty=True)
    count = sum(len(t.examples) for name in MODULES for t in finder.find(importlib.import_module(name), name))
    assert count >= 30, count


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
