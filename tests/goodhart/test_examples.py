"""The Examples sections of goodhart run as doctests (their outputs are checked), as those of
tailpower, proofs and cogpower do in tests/house/test_doctests.py.

The best-of-N modules (``best_of_n``, ``bon_table``, ``_bon_*``, ``_law_table``,
``_figures_bon*``) are left to that work's own tests until their examples are written.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import goodhart

BEST_OF_N = ("goodhart.best_of_n", "goodhart.bon_table", "goodhart._bon_", "goodhart._law_table",
             "goodhart._figures_bon")
MODULES = sorted(m.name for m in pkgutil.walk_packages(goodhart.__path__, prefix="goodhart.")
                 if not m.name.startswith(BEST_OF_N))


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    if name == "goodhart.strategies":
        pytest.importorskip("hypothesis")
    if name == "goodhart.tails" or "figures" in name:
        pytest.importorskip("matplotlib")
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        if test.examples and test.filename and test.filename.endswith(".py"):
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_every_public_object_of_goodhart_outside_best_of_n_has_examples():
    finder = doctest.DocTestFinder(exclude_empty=True)
    count = sum(len(t.examples) for name in MODULES for t in finder.find(importlib.import_module(name), name))
    assert count >= 120, count
