"""Numba kernels of the orbit module: lazy enumeration of multiset permutations.

The orbit of a parameter vector theta in R^d under S_d is the set of its *distinct*
rearrangements: the permutations of the multiset of its entries. ``next_block`` walks them in
lexicographic order of the integer codes of the entries (code i = rank of the i-th distinct
value), writing up to ``out.shape[0]`` of them at a time, so an orbit of a million elements never
has to be held in memory at once. Deterministic (no random numbers).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _next_permutation(a) -> bool:
    """Advance ``a`` in place to its lexicographic successor; False if ``a`` was the last one
    (then ``a`` is left unchanged). Repeated entries give each distinct arrangement once."""
    n = a.shape[0]
    i = n - 2
    while i >= 0 and a[i] >= a[i + 1]:
        i -= 1
    if i < 0:
        return False
    j = n - 1
    while a[j] <= a[i]:
        j -= 1
    t = a[i]
    a[i] = a[j]
    a[j] = t
    lo = i + 1
    hi = n - 1
    while lo < hi:
        t = a[lo]
        a[lo] = a[hi]
        a[hi] = t
        lo += 1
        hi -= 1
    return True


@njit(cache=True)
def next_block(cur, started, out) -> int:
    """Fill ``out[k]`` (shape (K, d), int64) with the next arrangements after ``cur``.

    ``started[0] == 0`` means ``cur`` itself (the sorted codes) has not been emitted yet; it is
    emitted first and ``started[0]`` set to 1. ``cur`` is advanced in place. Returns the number of
    rows written; fewer than K means the enumeration is finished.
    """
    K = out.shape[0]
    k = 0
    if started[0] == 0:
        out[0, :] = cur
        started[0] = 1
        k = 1
    while k < K:
        if not _next_permutation(cur):
            return k
        out[k, :] = cur
        k += 1
    return k


def warmup() -> None:
    cur = np.array([0, 0, 1], dtype=np.int64)
    started = np.zeros(1, dtype=np.int64)
    next_block(cur, started, np.empty((4, 3), dtype=np.int64))
