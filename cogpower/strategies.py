"""Hypothesis strategies for property tests of the independent-steps model.

Every model drawn here is handled by the whole public API within the memory budget and in well
under a minute per call (tests/contract/test_cogpower_strategies.py checks this): predictions
(the exact inversion below n = 1e5), means, regimes, and simulations of modest size.
"""

from __future__ import annotations

from tailpower._extras import require

from . import _checks
from .model import IndependentSteps

st = require("hypothesis.strategies", "strategies", "cogpower.strategies")  # or an error naming the extra


def _bounds(lo_name: str, lo, hi_name: str, hi) -> tuple[float, float]:
    lo, hi = _checks.positive(lo_name, lo), _checks.positive(hi_name, hi)
    if not lo <= hi:
        raise ValueError(f"{hi_name}: must be >= {lo_name} = {lo!r}, got {hi!r}")
    return lo, hi


def alphas(min_value: float = 0.1, max_value: float = 5.0):
    """Power-law exponents alpha (survival convention) in [min_value, max_value], both > 0."""
    lo, hi = _bounds("min_value", min_value, "max_value", max_value)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def models(min_beta: float = 0.3, max_beta: float = 6.0):
    """IndependentSteps with power-law time and beta = k alpha in [min_beta, max_beta]
    (up to rounding of k = beta/alpha), alpha in [0.2, 3]."""
    lo, hi = _bounds("min_beta", min_beta, "max_beta", max_beta)
    return st.builds(
        lambda a, bt: IndependentSteps(alpha=a, power=bt / a),
        alphas(0.2, 3.0),
        st.floats(lo, hi, allow_nan=False, allow_infinity=False),
    )
