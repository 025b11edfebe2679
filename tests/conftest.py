"""Test configuration shared by the whole suite.

Hypothesis profiles: ``dev`` (the default, used by ``make test`` and CI) is derandomized -- the
examples depend only on the test, so a red run reproduces exactly and CI cannot fail by luck;
``thorough`` (``make test-thorough``, or ``HYPOTHESIS_PROFILE=thorough``) explores with random
seeds and 16x the examples.  Hypothesis' built-in ``ci`` profile is left alone.
Numba kernels compile once per session in the ``warm_kernels`` fixture (cached on disk after the
first run), so no single property test pays the compile time, and ``deadline=None`` everywhere.
"""

from __future__ import annotations

import collections
import importlib
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# Figures are written with the non-interactive backend in tests.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session", autouse=True)
def warm_kernels():
    """Compile (or load from cache) every package's numba kernels once per session.

    A package opts in by defining ``warmup()`` in its private ``_kernels`` module.
    """
    for pkg in ("cogpower", "goodhart", "powerseek"):
        try:
            mod = importlib.import_module(f"{pkg}._kernels")
        except ModuleNotFoundError:
            continue
        warm = getattr(mod, "warmup", None)
        if warm is not None:
            warm()
    yield


# The contract suite's tally (tests/contract): calls and violations by package, summed over
# pytest-xdist workers, printed at the end of the run.
CONTRACT_COUNTS: collections.Counter = collections.Counter()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for pkg, key, n in getattr(node, "workeroutput", {}).get("contract_counts", []):
        CONTRACT_COUNTS[(pkg, key)] += n


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = CONTRACT_COUNTS
    if not hasattr(config, "workerinput"):  # not under xdist: this process made the calls itself
        support = sys.modules.get("contract_support")
        if support is not None:
            counts = counts + support.COUNTS
    if not counts:
        return
    pkgs = sorted({p for p, _ in counts})
    parts = [f"{p}: {counts[(p, 'calls')]} calls, {counts[(p, 'violations')]} violations"
             + (" (the harness's self-test: deliberate)" if p == "harness" else "") for p in pkgs]
    terminalreporter.write_line("contract suite -- " + "; ".join(parts))
