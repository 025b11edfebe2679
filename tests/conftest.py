"""Test configuration shared by the whole suite.

Hypothesis profiles: ``dev`` (the default, used by ``make test`` and CI) is derandomized -- the
examples depend only on the test, so a red run reproduces exactly and CI cannot fail by luck;
``thorough`` (``make test-thorough``, or ``HYPOTHESIS_PROFILE=thorough``) explores with random
seeds and 16x the examples.  Hypothesis' built-in ``ci`` profile is left alone.
Numba kernels compile once per session in the ``warm_kernels`` fixture (cached on disk after the
first run), so no single property test pays the compile time, and ``deadline=None`` everywhere.
"""

from __future__ import annotations

import importlib
import os

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
