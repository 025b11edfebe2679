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
