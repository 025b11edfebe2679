"""Argument checks shared by cogpower's modules (private).

Every public function validates its arguments here first, so that a bad value is refused with a
ValueError or TypeError whose message starts with the parameter's name and says what is allowed
(docs/contract.md), before any work or allocation.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from tailpower._common import check_int

#: largest number of subtasks or tasks accepted anywhere (int64 kernels; far beyond any budget)
MAX_COUNT = 2**62


def real(name: str, value: Any) -> float:
    """``value`` as a float (any real number, including +-inf); NaN, bools and non-reals refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    x = float(value)
    if math.isnan(x):
        raise ValueError(f"{name}: must be a number, got nan")
    return x


def positive(name: str, value: Any) -> float:
    """A finite real > 0."""
    x = real(name, value)
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{name}: must be finite and > 0, got {x!r}")
    return x


def probability(name: str, value: Any) -> float:
    """A real strictly between 0 and 1."""
    x = real(name, value)
    if not 0 < x < 1:
        raise ValueError(f"{name}: must be in (0, 1), got {x!r}")
    return x


def count(name: str, value: Any, minimum: int = 1) -> int:
    """An integer in [minimum, 2^62] (integral floats such as 1e6 accepted; bools refused)."""
    if isinstance(value, np.bool_):
        raise TypeError(f"{name}: expected an integer, got bool")
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral) \
            and not math.isfinite(float(value)):
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {float(value)!r}")
    k = check_int(name, value, minimum=minimum)
    if k > MAX_COUNT:
        raise ValueError(f"{name}: must be at most 2**62, got {k}")
    return k


def choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise (ValueError if isinstance(value, str) else TypeError)(
            f"{name}: must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")
    return value


def counts(name: str, values: Any, *, strictly_increasing: bool = True) -> np.ndarray:
    """A non-empty 1-d sequence of integers >= 1 (strictly increasing unless told otherwise)."""
    if isinstance(values, (str, bytes)) or values is None or isinstance(values, (numbers.Number, np.bool_)):
        raise TypeError(f"{name}: expected a non-empty 1-d sequence of integers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    except (ValueError, TypeError):
        raise ValueError(f"{name}: expected a non-empty 1-d sequence of integers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-d sequence of integers, got shape {arr.shape}")
    out = np.array([count(name, v) for v in arr.tolist()], dtype=np.int64)
    if strictly_increasing and out.size > 1 and np.any(np.diff(out) <= 0):
        raise ValueError(f"{name}: must be strictly increasing, got {out.tolist()[:8]}")
    return out
