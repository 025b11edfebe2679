"""The Examples sections of powerseek run as doctests (tests/house/test_doctests.py covers
tailpower, proofs and cogpower); their printed outputs are checked. Examples that draw a whole
figure or take more than about 0.2 s are marked ``+SKIP`` in the source."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import powerseek

MODULES = sorted([powerseek.__name__] + [m.name for m in pkgutil.walk_packages(powerseek.__path__, prefix="powerseek.")])


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    pytest.importorskip("matplotlib") if "figures" in name else None
    if name == "powerseek.strategies":
        pytest.importorskip("hypothesis")
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        if test.examples and test.filename and test.filename.endswith(".py"):
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_every_public_object_has_an_example():
    finder = doctest.DocTestFinder(exclude_empty=True)
    count = sum(len(t.examples) for name in MODULES for t in finder.find(importlib.import_module(name), name))
    assert count >= 300, count
