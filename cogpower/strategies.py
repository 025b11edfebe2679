"""Hypothesis strategies for property tests of the independent-steps model."""

from __future__ import annotations

from hypothesis import strategies as st

from .model import IndependentSteps


def alphas(min_value: float = 0.1, max_value: float = 5.0):
    """Power-law exponents alpha (survival convention)."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def models(min_beta: float = 0.3, max_beta: float = 6.0):
    """IndependentSteps with power-law time and beta = k alpha in [min_beta, max_beta]."""
    return st.builds(
        lambda a, bt: IndependentSteps(alpha=a, power=bt / a),
        alphas(0.2, 3.0),
        st.floats(min_beta, max_beta, allow_nan=False),
    )
