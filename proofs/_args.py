"""Argument checks of the public derivations in ``proofs`` (docs/contract.md, item 1): a SymPy
expression is passed through, a number must lie where the derivation holds; anything else is a
TypeError/ValueError naming the argument."""

from __future__ import annotations

import math
import numbers
from typing import Any

import sympy as sp


def symbolic_arg(name: str, value: Any, *, lo: float | None = None, hi: float | None = None,
                 closed: bool = False, where: str = "", exact: bool = True) -> Any:
    """``value`` unchanged if it is a SymPy expression with free symbols, or a real number in
    ``(lo, hi)`` (``[lo, hi]`` when ``closed``) as an exact SymPy number; otherwise a named error
    saying the range.

    Floats become the exact rational they stand for (unless ``exact=False``: then numbers are
    returned as given): SymPy's 15-digit floats can overflow (``1e308**2``) or break its
    integration (``beta = 5e-324``), while the exact value evaluates to full precision."""
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(f"{name}: expected a real number or a SymPy expression, got {type(value).__name__}")
    if isinstance(value, sp.Basic):
        if not value.is_number:
            return value
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: must be a real number, got {value}") from None
    elif isinstance(value, numbers.Real):
        x = float(value)
    else:
        raise TypeError(f"{name}: expected a real number or a SymPy expression, got {type(value).__name__}")
    if not math.isfinite(x):
        raise ValueError(f"{name}: must be finite, got {value}")
    below = lo is not None and (x < lo if closed else x <= lo)
    above = hi is not None and (x > hi if closed else x >= hi)
    if below or above:
        left, right = ("[", "]") if closed else ("(", ")")
        span = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
        raise ValueError(f"{name}: must be in {span}{where}, got {value}")
    if not exact or isinstance(value, sp.Basic) and not isinstance(value, sp.Float):
        return value
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    return sp.Rational(value) if isinstance(value, sp.Float) else sp.Rational(float(value))


def int_arg(name: str, value: Any, *, lo: int, hi: int, why: str = "") -> int:
    """An integer (Python, numpy or SymPy) in ``[lo, hi]``, or a named error."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, sp.Integer)):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__}")
    k = int(value)
    if not lo <= k <= hi:
        raise ValueError(f"{name}: must be an integer in [{lo}, {hi}]{why}, got {k}")
    return k
