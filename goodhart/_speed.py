"""How long a law's functions take per point (private): the timed guards that refuse laws whose
scipy functions are computed by numerical integration (levy_stable: milliseconds per point) before
a quadrature or simulation needs thousands of them."""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np


def seconds_per_point(fn: Callable, x: np.ndarray, tries: int, enough: float) -> float:
    """The best of up to ``tries`` timings of ``fn(x)``, in seconds per point of ``x``; it stops at
    the first timing <= ``enough`` (a busy machine rarely makes every try slow)."""
    best = math.inf
    for _ in range(tries):
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            fn(x)
        best = min(best, (time.perf_counter() - t0) / x.size)
        if best <= enough:
            break
    return best
