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
    """Power-law exponents alpha (survival convention) in [min_value, max_value], both > 0.

    Parameters
    ----------
    min_value, max_value : float > 0
        The range, ``min_value <= max_value``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Finite floats in the range.

    Raises
    ------
    ValueError
        A bound not finite and > 0, or ``max_value < min_value``.
    TypeError
        A bound not a real number.

    Examples
    --------
    >>> from cogpower.strategies import alphas
    >>> alphas(0.5, 2.0)
    floats(min_value=0.5, max_value=2.0, allow_nan=False, allow_infinity=False)
    """
    lo, hi = _bounds("min_value", min_value, "max_value", max_value)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def models(min_beta: float = 0.3, max_beta: float = 6.0):
    """IndependentSteps with power-law time and beta = k alpha in [min_beta, max_beta]
    (up to rounding of k = beta/alpha), alpha in [0.2, 3].

    Parameters
    ----------
    min_beta, max_beta : float > 0
        The range of the tail exponent beta, ``min_beta <= max_beta``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Strategy of :class:`cogpower.IndependentSteps`.

    Raises
    ------
    ValueError
        A bound not finite and > 0, or ``max_beta < min_beta``.
    TypeError
        A bound not a real number.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from cogpower.strategies import models
    >>> @settings(max_examples=5, database=None)
    ... @given(models(1.5, 3.0))
    ... def test(m):
    ...     assert m.regime == "supercritical" and 1.5 * (1 - 1e-12) <= m.beta <= 3.0 * (1 + 1e-12)
    >>> test()
    """
    lo, hi = _bounds("min_beta", min_beta, "max_beta", max_beta)
    return st.builds(
        lambda a, bt: IndependentSteps(alpha=a, power=bt / a),
        alphas(0.2, 3.0),
        st.floats(lo, hi, allow_nan=False, allow_infinity=False),
    )
