"""Orbits of parameter vectors under state permutations, copies of option sets, and orbit-level
tendencies of decision-makers (Turner & Tadepalli, "Parametrically Retargetable Decision-Makers
Tend To Seek Power", NeurIPS 2022; Turner et al., "Optimal Policies Tend to Seek Power", 2021).

- The symmetric group S_d acts on theta in R^d by permutation matrices, (P_phi theta)_{phi(i)} =
  theta_i. The *orbit* of theta is the set of its distinct rearrangements; if theta has distinct
  values with multiplicities m_1, ..., m_r its size is the multinomial d! / (m_1! ... m_r!).
  :func:`orbit` enumerates it lazily (numba, lexicographic), :func:`sample_orbit` draws uniformly
  from it (a uniform random permutation of a multiset hits each distinct arrangement with
  probability prod m_i! / d!).
- An involution is phi = phi^{-1}. B *contains n copies* of A (2022 paper, Def. A.7) if there are
  involutions phi_1..phi_n with phi_i . A = B_i subset B and phi_i . B_j = B_j for j != i.
  :func:`find_copies` searches for them (backtracking with pruning, then a maximum clique of
  mutually compatible involutions) and returns the n it certifies.
- f(B | C, theta) >=^n_most f(A | C, theta): on every orbit, #{f(B) > f(A)} >= n #{f(B) < f(A)}.
  Then at least n/(n+1) of every orbit weakly prefers B (2022, Lemma B.3). If B contains n copies
  of A this holds for every EU-determined decision function (``powerseek.decisions``).
  :func:`orbit_tendency` counts the three cases over an orbit, exactly by enumeration (up to
  ``max_exact`` elements) or by uniform sampling with confidence intervals.
- :func:`search_counterexample` searches parameters for the smallest tendency fraction of a rule.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import numpy as np

from tailpower._common import as_generator, check_int, check_memory

from . import _kernels_orbits
from ._checks import float_array

__all__ = [
    "orbit_size",
    "orbit",
    "orbit_array",
    "sample_orbit",
    "permute",
    "is_involution",
    "Copies",
    "find_copies",
    "OrbitTendency",
    "orbit_tendency",
    "Counterexample",
    "search_counterexample",
]

_BLOCK = 1 << 15
_BLOCK_BYTES = 8 << 20  # an orbit block holds at most this many bytes (int64 codes)


def _block_rows(d: int) -> int:
    return int(max(1, min(_BLOCK, _BLOCK_BYTES // (8 * d))))


def _theta(theta, name: str = "theta") -> np.ndarray:
    th = float_array(name, theta)
    if th.ndim != 1 or th.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-d parameter vector, got shape {th.shape}")
    if not np.all(np.isfinite(th)):
        raise ValueError(f"{name}: entries must be finite")
    return th + 0.0  # -0.0 -> 0.0: equal values are one value


# ----------------------------------------------------------------------------------- orbits
def _log_orbit_size(th: np.ndarray) -> float:
    """log |S_d . theta| from log-gamma (no big integers)."""
    out = math.lgamma(th.size + 1)
    for m in Counter(th.tolist()).values():
        out -= math.lgamma(m + 1)
    return out


def orbit_size(theta) -> int:
    """|S_d . theta| = d! / prod_i m_i!, m_i the multiplicities of the distinct entries (exact int).

    The integer has about log10(d!) digits; above a million digits (d around 200,000 distinct
    entries) it is refused with a ValueError naming theta.

    Parameters
    ----------
    theta : array_like (d,)
        A finite parameter vector (utility or reward); S_d permutes its entries.

    Returns
    -------
    int
        The number of distinct permutations of ``theta`` (Turner & Tadepalli 2022, "Parametrically
        Retargetable Decision-Makers Tend To Seek Power": the orbit of theta under S_d).

    Raises
    ------
    TypeError
        If ``theta`` is not an array of real numbers.
    ValueError
        If ``theta`` is empty, not 1-D or not finite, or its orbit size would have more than a
        million digits.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.orbit_size([0.0, 0.0, 1.0]), ps.orbit_size([1, 2, 3, 4])  # 3!/2!, 4!
    (3, 24)
    """
    th = _theta(theta)
    digits = _log_orbit_size(th) / math.log(10)
    if digits > 1e6:
        raise ValueError(f"theta: the orbit size has about {digits:.3g} decimal digits (d = {th.size}); "
                         "too large to compute exactly")
    counts = sorted(Counter(th.tolist()).values())
    size, n = 1, 0
    for m in counts:  # multinomial as a product of binomials: d!/prod m! = prod C(n + m, m)
        n += m
        size *= math.comb(n, m)
    return size


def _codes(th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vals, codes = np.unique(th, return_inverse=True)
    return vals, np.sort(codes).astype(np.int64)


def orbit_blocks(theta, block: int | None = None) -> Iterator[np.ndarray]:
    """The orbit of ``theta`` as successive (<= block, d) arrays, lexicographic in value order
    (default block: 32768 rows, fewer for long vectors so a block stays under 8 MiB)."""
    th = _theta(theta)
    block = _block_rows(th.size) if block is None else check_int("block", block)
    check_memory("block", 3.0 * block * th.size * 8, f"orbit blocks of {block} x {th.size}")
    vals, cur = _codes(th)
    started = np.zeros(1, dtype=np.int64)
    buf = np.empty((block, th.size), dtype=np.int64)
    while True:
        k = _kernels_orbits.next_block(cur, started, buf)
        if k:
            yield vals[buf[:k]]
        if k < block:
            return


def orbit(theta) -> Iterator[np.ndarray]:
    """Lazily yield every distinct permutation of ``theta`` once (lexicographic order of values).

    Parameters
    ----------
    theta : array_like (d,)
        A finite parameter vector.

    Returns
    -------
    iterator of ndarray (d,)
        The :func:`orbit_size` distinct arrangements (numba, in blocks: memory stays bounded
        however large the orbit).

    Raises
    ------
    TypeError
        If ``theta`` is not an array of real numbers.
    ValueError
        If ``theta`` is empty, not 1-D or not finite.

    Examples
    --------
    >>> import powerseek as ps
    >>> [v.tolist() for v in ps.orbit([0, 0, 1])]
    [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    """
    for blk in orbit_blocks(theta):
        yield from blk


def orbit_array(theta, max_size: int = 1_000_000) -> np.ndarray:
    """The whole orbit as an (orbit_size, d) array; ValueError if larger than ``max_size`` or
    than the memory budget.

    Parameters
    ----------
    theta : array_like (d,)
        A finite parameter vector.
    max_size : int, default 1,000,000
        The most rows to return.

    Returns
    -------
    ndarray (orbit_size, d)
        The distinct arrangements of ``theta``, in lexicographic order of values.

    Raises
    ------
    TypeError
        If ``theta`` is not an array of real numbers or ``max_size`` not a number.
    ValueError
        If ``theta`` is empty, not 1-D or not finite, ``max_size`` not a whole number >= 1, or
        the orbit has more than ``max_size`` elements (``theta``: use :func:`sample_orbit`).
    tailpower.BudgetError
        If the array would exceed the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.orbit_array([1, 2, 2]).tolist()
    [[1.0, 2.0, 2.0], [2.0, 1.0, 2.0], [2.0, 2.0, 1.0]]
    """
    th = _theta(theta)
    max_size = check_int("max_size", max_size)
    if _log_orbit_size(th) > math.log(max_size) + 1:
        raise ValueError(f"theta: orbit has about {math.exp(min(_log_orbit_size(th), 700)):.3g} elements, "
                         f"more than max_size = {max_size}; use sample_orbit")
    n = orbit_size(th)
    if n > max_size:
        raise ValueError(f"theta: orbit has {n} elements, more than max_size = {max_size}; use sample_orbit")
    check_memory("theta", n * th.size * 8.0 + _BLOCK_BYTES * 2, f"the orbit array of {n} x {th.size}")
    out = np.empty((n, th.size))
    i = 0
    for blk in orbit_blocks(th):
        out[i:i + len(blk)] = blk
        i += len(blk)
    return out


def sample_orbit(theta, size: int, rng=None) -> np.ndarray:
    """``size`` iid uniform draws (with replacement) from the orbit of ``theta``: (size, d).

    A uniformly random permutation of the entries is uniform on the distinct arrangements (each
    arises from prod m_i! of the d! permutations).

    Parameters
    ----------
    theta : array_like (d,)
        A finite parameter vector.
    size : int >= 1
        Number of draws.
    rng : numpy.random.Generator, int, SeedSequence or None

    Returns
    -------
    ndarray (size, d)
        Each row a permutation of ``theta``.

    Raises
    ------
    TypeError
        If ``theta`` is not real, ``size`` not a number, or ``rng`` not a seed or Generator.
    ValueError
        If ``theta`` is empty, not 1-D or not finite, ``size`` not a whole number >= 1, or
        ``rng`` a negative seed.
    tailpower.BudgetError
        If the draws would exceed the memory budget.

    Examples
    --------
    >>> import numpy as np, powerseek as ps
    >>> draws = ps.sample_orbit([0, 0, 1], 1000, rng=0)
    >>> draws.shape, np.sort(draws, axis=1)[:, -1].tolist() == [1.0] * 1000  # permutations of theta
    ((1000, 3), True)
    """
    th = _theta(theta)
    size = check_int("size", size)
    check_memory("size", 2.0 * size * th.size * 8, f"{size} draws of a vector of length {th.size}")
    gen = as_generator(rng)
    return gen.permuted(np.broadcast_to(th, (size, th.size)).copy(), axis=1)


from ._tendency import OrbitTendency, _check_decide, _prepare, orbit_tendency  # noqa: E402,F401
from .copies import Copies, _key, find_copies, is_involution, permute  # noqa: E402
from ._search import Counterexample, search_counterexample  # noqa: E402
