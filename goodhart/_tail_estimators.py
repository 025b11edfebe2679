"""Tail-index estimators from the top order statistics: Hill, Pickands, the moment estimator, and
their bootstrap (the estimators of Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, §6).

All three are computed from the spacings L_j = log(X_(j) / X_(j+1)) >= 0 of the descending order
statistics X_(1) >= X_(2) >= ...:

    Hill:    gamma_k = (1/k) Σ_{i<=k} log(X_(i)/X_(k+1)) = (1/k) Σ_{j<=k} j L_j,

a sum of non-negative terms, so it is accurate (and >= 0) however close the data are to each
other or however large (log X is never formed and subtracted).  The moment estimator's second
moment uses the same trick (see :func:`_moment_from_spacings`).  Only the top order statistics
needed are selected (``np.partition``), in pieces when the data are larger than the memory budget
allows to copy (docs/contract.md).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from tailpower._common import BudgetError, as_generator, check_int, check_memory, memory_budget
from tailpower._results import ResultMixin

__all__ = ["TailEstimate", "BootstrapCI", "hill", "pickands", "moment", "bootstrap"]

#: most work of one bootstrap call, n_boot * (n + 256) value draws: about 20 s of drawing and
#: selecting (the 256 stand for the fixed cost of a resample, one generator call)
MAX_RESAMPLED = 250_000_000
_PER_RESAMPLE = 256


@dataclass(frozen=True)
class TailEstimate(ResultMixin):
    """A tail-index estimate gamma (= 1/alpha) from the top ``k`` order statistics.

    ``str(estimate)`` prints ``value ± stderr (method, samples)``; ``estimate.to_dict()`` gives
    the fields as plain Python data.

    Attributes
    ----------
    value : float or ndarray
        The estimate of gamma (an array when ``k`` was an array).
    stderr : float or ndarray
        The asymptotic standard deviation at the estimated gamma (see each estimator).
    k : int or ndarray
        The number of top order statistics used.
    method : str
        ``"hill"``, ``"pickands"`` or ``"moment"``.
    samples : int
        The sample size n.

    Examples
    --------
    A Pareto(2) sample has gamma = 1/2 (Hill 1975):

    >>> import numpy as np
    >>> from goodhart import hill
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> print(hill(x, 500))
    0.488 ± 0.022 (hill, 10000 samples)
    """

    value: Any
    stderr: Any
    k: Any
    method: str
    samples: int


# ----------------------------------------------------------------------------- input checks
def _chunk_len() -> int:
    """Elements per piece when the data are scanned: a float64 piece and its temporaries use at
    most a quarter of the memory budget."""
    return max(memory_budget() // (8 * 8 * 4), 1 << 12)


def _pieces(arr: np.ndarray):
    """``arr`` as float64 pieces of at most :func:`_chunk_len` values (views when already float64)."""
    step = _chunk_len()
    for i in range(0, arr.size, step):
        yield np.asarray(arr[i:i + step], dtype=float)


def check_data(x, name: str = "x", minimum: int = 2) -> np.ndarray:
    """``x`` as a validated 1-D real array (not copied when it already is one): TypeError for
    non-numbers (strings, objects, complex), ValueError for other shapes, fewer than ``minimum``
    values or non-finite values, all naming ``name``."""
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name}: expected a 1-D array of real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected a 1-D array of real numbers ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a 1-D array of real numbers, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    if arr.size < minimum:
        raise ValueError(f"{name}: needs at least {minimum} values, got {arr.size}")
    if arr.dtype.kind == "f":
        bad = sum(int(np.count_nonzero(~np.isfinite(p))) for p in _pieces(arr))
        if bad:
            raise ValueError(f"{name}: must contain only finite numbers ({bad} non-finite values)")
    return arr


def _check_k_array(k) -> np.ndarray:
    try:
        ks = np.asarray(k)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"k: expected an integer or a 1-D array of integers ({exc})") from None
    if ks.ndim != 1 or ks.size == 0:
        raise ValueError(f"k: expected an integer or a non-empty 1-D array of integers, got shape {ks.shape}")
    if ks.dtype.kind == "O":
        return np.array([check_int("k", v, minimum=1) for v in ks.tolist()], dtype=object)
    if ks.dtype.kind == "f":
        if not np.all(np.isfinite(ks)) or np.any(ks != np.floor(ks)):
            raise ValueError(f"k: expected integers, got {ks[~np.isfinite(ks) | (ks != np.floor(ks))][0]!r}")
        return ks
    if ks.dtype.kind not in "iu":
        raise TypeError(f"k: expected an integer or a 1-D array of integers, got dtype {ks.dtype}")
    return ks


def check_k(k, lo: int, hi: int, what: str) -> tuple[np.ndarray, bool]:
    """``k`` as an int64 array in [lo, hi] and whether it was a scalar; ValueError naming k."""
    if isinstance(k, np.ndarray) and k.ndim == 0:
        k = k.item()
    scalar = not isinstance(k, (list, tuple, range, np.ndarray))
    if scalar:
        v = check_int("k", k, minimum=1)
        if not lo <= v <= hi:
            raise ValueError(f"k: must be in [{lo}, {hi}] for {what}, got {v}")
        return np.array([v], dtype=np.int64), True
    ks = _check_k_array(k)
    bad = (ks < lo) | (ks > hi)
    if np.any(bad):
        raise ValueError(f"k: must be in [{lo}, {hi}] for {what}, got {ks[bad][0]}")
    return ks.astype(np.int64), False


def top_order_statistics(arr: np.ndarray, m: int, parameter: str = "k") -> np.ndarray:
    """The ``m`` largest values of ``arr`` in decreasing order, X_(1) >= ... >= X_(m).

    One partition of a float64 copy when that fits in the memory budget; otherwise the data are
    scanned in pieces, keeping the running top ``m`` (memory about 3m + one piece)."""
    n = arr.size
    m = min(int(m), n)
    step = _chunk_len()
    check_memory(parameter, 8.0 * (3 * m + min(n, step) * 2),
                 f"selecting the top {m} of {n} order statistics")
    best = None
    for piece in _pieces(arr):
        if piece.size > m:
            piece = np.partition(piece, piece.size - m)[piece.size - m:]
        else:
            piece = np.array(piece, dtype=float)
        best = piece if best is None else np.concatenate([best, piece])
        if best.size > m:
            best = np.partition(best, best.size - m)[best.size - m:]
    return np.sort(best)[::-1]


def _ret(a: np.ndarray, scalar: bool):
    return float(a[..., 0]) if scalar else a


# ----------------------------------------------------------------------------- the estimators
def _spacings(xd: np.ndarray) -> np.ndarray:
    """L_j = log(X_(j)/X_(j+1)) along the last axis of descending ``xd`` (NaN where X_(j+1) <= 0):
    log1p of the relative gap when the two are within a factor 2 (no cancellation), else the
    difference of logs (no overflow of the ratio)."""
    a, b = xd[..., :-1], xd[..., 1:]
    with np.errstate(all="ignore"):
        pos = b > 0
        bs = np.where(pos, b, 1.0)
        near = a <= 2 * bs
        lg = np.where(near, np.log1p((a - bs) / bs), np.log(np.where(pos, a, 1.0)) - np.log(bs))
    return np.where(pos, lg, np.nan)


def _hill_sums(L: np.ndarray) -> np.ndarray:
    """P_k = Σ_{j<=k} j L_j (= k times Hill's gamma_k) for k = 1 .. m-1 along the last axis."""
    j = np.arange(1, L.shape[-1] + 1, dtype=float)
    return np.cumsum(j * L, axis=-1)


def _need_positive(xd: np.ndarray, ks: np.ndarray, what: str) -> None:
    bad = xd[ks] <= 0
    if np.any(bad):
        kk = int(ks[bad][0])
        raise ValueError(
            f"k: {what} needs X_(k+1) > 0; with k = {kk} it is {float(xd[kk]):.6g} "
            f"(only {int(np.sum(xd > 0))} of the top {xd.size} values are positive: shift or keep the positive part)")


def hill(x, k) -> TailEstimate:
    """Hill's estimator gamma_k = (1/k) Σ_{i<=k} log X_(i) - log X_(k+1), SE gamma_k/sqrt(k).

    Parameters
    ----------
    x : 1-D array of finite real numbers
        The sample, n >= 2 values; the (k+1)-th largest, X_(k+1), must be > 0.
    k : int or 1-D array of ints
        Number of top order statistics, in [1, n - 1].

    Returns
    -------
    TailEstimate
        ``value`` gamma_k and ``stderr`` gamma_k/sqrt(k) (floats, or arrays over ``k``),
        ``method`` ``"hill"``, ``samples`` n.

    Raises
    ------
    TypeError
        ``x`` not an array of real numbers; ``k`` not an integer or array of integers.
    ValueError
        ``x`` not 1-D, with fewer than 2 values or a non-finite value; ``k`` outside [1, n - 1]
        or with X_(k+1) <= 0 (the message names ``k``); ``k`` so large that the top k + 1 values
        do not fit the memory budget (``BudgetError``, a ValueError naming ``k``).

    Examples
    --------
    A Pareto(2) sample, gamma = 1/alpha = 0.5; the estimates lie within about one standard
    error of it:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> r = hill(x, [100, 1000])
    >>> r.value.round(3), r.stderr.round(3)
    (array([0.51, 0.5 ]), array([0.051, 0.016]))

    Notes
    -----
    Asymptotically normal with sd gamma/sqrt(k) when k -> inf, k/n -> 0 and the second-order
    bias vanishes (Hill 1975; the paper's §6 uses the same SE).  For a Pareto(alpha) sample it is
    the exact conditional MLE of 1/alpha.  Computed as (1/k) Σ_{j<=k} j log(X_(j)/X_(j+1)), a sum
    of non-negative terms: gamma_k >= 0 and accurate to a few ulps for any data.
    """
    arr = check_data(x)
    n = arr.size
    ks, scalar = check_k(k, 1, n - 1, f"the Hill estimator with n = {n}")
    xd = top_order_statistics(arr, int(ks.max()) + 1)
    _need_positive(xd, ks, "the Hill estimator")
    g = _hill_sums(_spacings(xd))[ks - 1] / ks
    return TailEstimate(_ret(g, scalar), _ret(g / np.sqrt(ks), scalar), int(ks[0]) if scalar else ks, "hill", n)


def _pickands_sd(g: np.ndarray) -> np.ndarray:
    """Asymptotic sd * sqrt(k) of Pickands' estimator,
    gamma sqrt(2^{2gamma+1} + 1) / (2 (2^gamma - 1) log 2)   (de Haan & Ferreira 2006, Thm 3.3.5),
    written as gamma sqrt(2 + 2^{-2gamma}) / (2 (1 - 2^{-gamma}) log 2) for gamma > 0 so that it does
    not overflow; sqrt(3)/(2 log² 2) at gamma = 0."""
    g = np.asarray(g, dtype=float)
    small = np.abs(g) < 1e-8
    gs = np.where(small, 1.0, g)
    ln2 = math.log(2)
    with np.errstate(over="ignore"):
        pos = gs * np.sqrt(2.0 + np.exp2(-2 * np.abs(gs))) / (-2 * np.expm1(-np.abs(gs) * ln2) * ln2)
        neg = gs * np.sqrt(np.exp2(2 * gs + 1) + 1) / (2 * np.expm1(gs * ln2) * ln2)
    return np.where(small, math.sqrt(3) / (2 * ln2**2), np.where(g > 0, pos, neg))


def _pickands_values(xd: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """log((X_(k) - X_(2k)) / (X_(2k) - X_(4k))) / log 2 along the last axis; NaN at ties."""
    a, b, c = xd[..., ks - 1], xd[..., 2 * ks - 1], xd[..., 4 * ks - 1]
    big = max(float(np.max(np.abs(xd))), 0.0) > 1e307  # differences of +-1e308 overflow: halve first
    if big:
        a, b, c = a * 0.5, b * 0.5, c * 0.5
    d1, d2 = a - b, b - c
    with np.errstate(all="ignore"):
        r = d1 / d2
        lr = np.where(np.isfinite(r) & (r > 0), np.log(r), np.log(d1) - np.log(d2))
    return np.where((d1 > 0) & (d2 > 0), lr / math.log(2), np.nan)


def pickands(x, k) -> TailEstimate:
    """Pickands' estimator gamma = log((X_(k) - X_(2k)) / (X_(2k) - X_(4k))) / log 2, 4k <= n.

    Location and scale invariant, valid for any sign of gamma (Pickands 1975); asymptotic sd
    gamma sqrt(2^{2gamma+1}+1) / (2 (2^gamma - 1) log 2 sqrt(k)) (de Haan & Ferreira 2006, Thm 3.3.5).

    Parameters
    ----------
    x : 1-D array of finite real numbers
        The sample, n >= 4 values (any sign).
    k : int or 1-D array of ints
        In [1, n // 4]: the estimate uses X_(k), X_(2k) and X_(4k).

    Returns
    -------
    TailEstimate
        ``value`` and ``stderr`` (floats, or arrays over ``k``), ``method`` ``"pickands"``.

    Raises
    ------
    TypeError
        ``x`` not an array of real numbers; ``k`` not an integer or array of integers.
    ValueError
        ``x`` not 1-D, too short or with a non-finite value; ``k`` outside [1, n // 4], or
        where X_(k), X_(2k), X_(4k) are tied (the estimator is 0/0 or log 0; names ``k``).

    Examples
    --------
    A Pareto(2) sample (gamma = 0.5); Pickands' estimator is noisier than Hill's:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> print(pickands(x, 500))
    0.534 ± 0.088 (pickands, 10000 samples)
    """
    arr = check_data(x)
    n = arr.size
    ks, scalar = check_k(k, 1, n // 4, f"Pickands' estimator (4k <= n = {n})")
    xd = top_order_statistics(arr, 4 * int(ks.max()))
    g = _pickands_values(xd, ks)
    if np.any(np.isnan(g)):
        kk = int(ks[np.isnan(g)][0])
        raise ValueError(f"k: tied order statistics X_(k), X_(2k), X_(4k) at k = {kk}: Pickands' estimator "
                         f"is undefined (0/0 or log 0)")
    return TailEstimate(_ret(g, scalar), _ret(_pickands_sd(g) / np.sqrt(ks), scalar), int(ks[0]) if scalar else ks,
                        "pickands", n)


def _moment_sd(g: np.ndarray) -> np.ndarray:
    """Asymptotic sd * sqrt(k) of the moment estimator (Dekkers, Einmahl & de Haan 1989): sqrt(1 + gamma²)
    for gamma >= 0; for gamma < 0 the square root of (1-g)²(1-2g)[4 - 8(1-2g)/(1-3g) +
    (5-11g)(1-2g)/((1-3g)(1-4g))], taken factor by factor so that it does not overflow."""
    g = np.asarray(g, dtype=float)
    gn = np.minimum(g, 0.0)
    bracket = 4 - 8 * (1 - 2 * gn) / (1 - 3 * gn) + (5 - 11 * gn) * (1 - 2 * gn) / ((1 - 3 * gn) * (1 - 4 * gn))
    neg = (1 - gn) * np.sqrt(1 - 2 * gn) * np.sqrt(np.maximum(bracket, 0.0))
    return np.where(g >= 0, np.hypot(1.0, g), neg)


def _moment_from_spacings(L: np.ndarray, ks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(M1_k, S_k/k) along the last axis: M1_k = Hill's gamma_k and the variance of the k values
    D_i = log(X_(i)/X_(k+1)), from the update S_{k+1} = S_k + k M1_k²/(k+1) (going from k to k+1
    shifts every D_i by L_{k+1} and adds D_{k+1} = L_{k+1}; Welford's update), a sum of
    non-negative terms: no cancellation, unlike M2 - M1²."""
    j = np.arange(1, L.shape[-1] + 1, dtype=float)
    m1 = _hill_sums(L) / j
    inc = j * m1 * m1 / (j + 1)
    S = np.concatenate([np.zeros(L.shape[:-1] + (1,)), np.cumsum(inc, axis=-1)[..., :-1]], axis=-1)
    return m1[..., ks - 1], S[..., ks - 1] / ks


def _moment_values(m1: np.ndarray, var: np.ndarray) -> np.ndarray:
    """gamma = M1 + 1 - (1/2)(1 - M1²/M2)^{-1} = M1 + 1/2 - M1²/(2 var), M2 = var + M1²; NaN when the
    top k values are tied (var = 0) or the ratio overflows."""
    with np.errstate(all="ignore"):
        g = m1 + 0.5 - (m1 / var) * (m1 / 2)
    return np.where((var > 0) & np.isfinite(g), g, np.nan)


def moment(x, k) -> TailEstimate:
    """Moment estimator of Dekkers, Einmahl & de Haan (1989):

    M_j = (1/k) Σ_{i<=k} (log X_(i) - log X_(k+1))^j,
    gamma = M_1 + 1 - 1/2 (1 - M_1² / M_2)^{-1},

    valid for every sign of gamma; needs X_(k+1) > 0 and k >= 2.  Asymptotic sd sqrt(1 + gamma²)/sqrt(k)
    for gamma >= 0.  M_2 - M_1² is accumulated as a sum of non-negative terms (see
    :func:`_moment_from_spacings`), so nearly tied data do not cancel.

    Parameters
    ----------
    x : 1-D array of finite real numbers
        The sample, n >= 3 values; X_(k+1) must be > 0.
    k : int or 1-D array of ints
        In [2, n - 1].

    Returns
    -------
    TailEstimate
        ``value`` and ``stderr`` (floats, or arrays over ``k``), ``method`` ``"moment"``.

    Raises
    ------
    TypeError
        ``x`` not an array of real numbers; ``k`` not an integer or array of integers.
    ValueError
        ``x`` not 1-D, too short or with a non-finite value; ``k`` outside [2, n - 1], with
        X_(k+1) <= 0, or where the top k values are tied so that M_2 = M_1² (names ``k``).

    Examples
    --------
    A Pareto(2) sample (gamma = 0.5):

    >>> import numpy as np
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> print(moment(x, 500))
    0.486 ± 0.050 (moment, 10000 samples)
    """
    arr = check_data(x)
    n = arr.size
    ks, scalar = check_k(k, 2, n - 1, f"the moment estimator with n = {n}")
    xd = top_order_statistics(arr, int(ks.max()) + 1)
    _need_positive(xd, ks, "the moment estimator")
    m1, var = _moment_from_spacings(_spacings(xd), ks)
    g = _moment_values(m1, var)
    sd = _moment_sd(np.where(np.isnan(g), 0.0, g)) / np.sqrt(ks)
    if np.any(np.isnan(g)) or not np.all(np.isfinite(sd)):
        kk = int(ks[np.isnan(g) | ~np.isfinite(sd)][0])
        raise ValueError(f"k: the top k = {kk} order statistics are tied (or nearly: M_2 = M_1² to double "
                         f"precision): the moment estimator is undefined")
    return TailEstimate(_ret(g, scalar), _ret(sd, scalar), int(ks[0]) if scalar else ks, "moment", n)


_ESTIMATORS = {"hill": hill, "pickands": pickands, "moment": moment}


# ----------------------------------------------------------------------------- bootstrap
@dataclass(frozen=True)
class BootstrapCI(ResultMixin):
    """Percentile bootstrap interval of a tail estimator at fixed k (see :func:`bootstrap`).

    Attributes
    ----------
    value : float
        The estimate on the data.
    stderr : float
        The standard deviation of the estimates on the resamples.
    low, high : float
        The percentile interval at ``level``.
    level : float
        Its coverage, in (0, 1).
    k : int
        The number of top order statistics.
    method : str
        ``"bootstrap-hill"``, ``"bootstrap-pickands"`` or ``"bootstrap-moment"``.
    samples : int
        The number of resamples.
    valid : int
        How many resamples had an estimate (resamples with ties can have none).

    Examples
    --------
    >>> import numpy as np
    >>> from goodhart import bootstrap
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> r = bootstrap(x, 500, n_boot=200, rng=0)
    >>> print(r)
    0.488 ± 0.021 (bootstrap-hill, 200 samples)
    >>> round(r.low, 3), round(r.high, 3), r.valid
    (0.448, 0.53, 200)
    """

    value: float
    stderr: float
    low: float
    high: float
    level: float
    k: int
    method: str
    samples: int
    valid: int = 0


def _rows_estimate(estimator: str, xs: np.ndarray, k: int) -> np.ndarray:
    """The estimator at ``k`` on every row of ``xs`` (NaN where it is undefined for that row)."""
    n = xs.shape[1]
    m = 4 * k if estimator == "pickands" else k + 1
    top = np.partition(xs, n - m, axis=1)[:, n - m:]
    xd = -np.sort(-top, axis=1)
    ks = np.array([k])
    if estimator == "pickands":
        return _pickands_values(xd, ks)[:, 0]
    L = _spacings(xd)
    if estimator == "hill":
        return (_hill_sums(L)[:, k - 1] / k)
    m1, var = _moment_from_spacings(L, ks)
    return _moment_values(m1, var)[:, 0]


def bootstrap(x, k: int, *, estimator: str = "hill", n_boot: int = 1000, level: float = 0.95, rng=None) -> BootstrapCI:
    """Nonparametric bootstrap CI of ``estimator`` ("hill", "pickands", "moment") at ``k``.

    Resamples the n values with replacement ``n_boot`` times (generator ``rng``, SPEC 7) and
    reports the percentile interval of the resamples that have an estimate.  Same seed -> same
    interval.  Resamples are processed in blocks that fit the memory budget; ``n_boot * (n + 256)``
    is limited to ``MAX_RESAMPLED`` (BudgetError naming n_boot above it: about 20 s of work).
    The percentile interval of Efron & Tibshirani (1993, An Introduction to the Bootstrap, ch. 13).

    Parameters
    ----------
    x : 1-D array of finite real numbers
        The sample.
    k : int
        Number of top order statistics, in the range of ``estimator`` (see :func:`hill`,
        :func:`pickands`, :func:`moment`).
    estimator : {"hill", "pickands", "moment"}
        The tail estimator.
    n_boot : int
        Number of resamples, >= 2; ``n_boot * (n + 256)`` at most ``MAX_RESAMPLED`` (2.5e8).
    level : float
        Coverage of the percentile interval, in (0, 1).
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the resampling.

    Returns
    -------
    BootstrapCI
        The estimate on the data, the bootstrap standard deviation, the interval and the number
        of resamples that had an estimate.

    Raises
    ------
    TypeError
        ``estimator`` not a string, ``level`` not a real number, ``n_boot``/``k`` not integers,
        ``x`` not an array of real numbers, ``rng`` not a seed or generator.
    ValueError
        ``estimator`` unknown; ``level`` outside (0, 1); ``n_boot`` < 2; ``k`` out of the
        estimator's range on ``x``; ``x`` invalid, or fewer than 2 resamples with an estimate
        (ties); ``n_boot`` above the work limit or a resample above the memory budget
        (``BudgetError``, a ValueError naming ``n_boot`` or ``x``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> r = bootstrap(x, 500, estimator="moment", n_boot=200, level=0.9, rng=1)
    >>> r.low < 0.5 < r.high
    True
    """
    if not isinstance(estimator, str):
        raise TypeError(f"estimator: expected one of {sorted(_ESTIMATORS)}, got {type(estimator).__name__}")
    if estimator not in _ESTIMATORS:
        raise ValueError(f"estimator: must be one of {sorted(_ESTIMATORS)}, got {estimator!r}")
    n_boot = check_int("n_boot", n_boot, minimum=2)
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise TypeError(f"level: expected a real number in (0, 1), got {type(level).__name__}")
    if not 0 < float(level) < 1:
        raise ValueError(f"level: must be in (0, 1), got {level!r}")
    level = float(level)
    k = check_int("k", k, minimum=1)
    arr = check_data(x)
    point = _ESTIMATORS[estimator](arr, k)
    n = arr.size
    gen = as_generator(rng)
    work = float(n_boot) * (n + _PER_RESAMPLE)
    if work > MAX_RESAMPLED:
        raise BudgetError(
            f"n_boot: {n_boot} resamples of n = {n} values cost about {work:.3g} value draws (n + "
            f"{_PER_RESAMPLE} per resample), above the limit of {MAX_RESAMPLED:.3g} per call (about 20 s); "
            f"reduce n_boot", parameter="n_boot", needed=work, budget=MAX_RESAMPLED)
    per_row = 8.0 * n * 4  # indices, values, partition copy, slack
    check_memory("x", per_row, "one bootstrap resample")
    rows = int(max(1, min(n_boot, memory_budget() // 4 // per_row)))
    if arr.dtype != float:
        check_memory("x", 8.0 * n, "a float64 copy of the data")
    data = np.asarray(arr, dtype=float)
    vals = np.empty(n_boot)
    for start in range(0, n_boot, rows):
        stop = min(start + rows, n_boot)
        idx = np.empty((stop - start, n), dtype=np.int64)
        for r in range(stop - start):  # one draw per resample: the same stream as resampling one by one
            idx[r] = gen.integers(0, n, size=n)
        vals[start:stop] = _rows_estimate(estimator, data[idx], k)
    ok = vals[np.isfinite(vals)]
    if ok.size < 2:
        raise ValueError(f"x: fewer than 2 of the {n_boot} bootstrap resamples have a {estimator} estimate at "
                         f"k = {k} (ties in the resamples)")
    lo, hi = np.quantile(ok, [(1 - level) / 2, (1 + level) / 2])
    return BootstrapCI(float(point.value), float(np.std(ok, ddof=1)), float(lo), float(hi), level, k,
                       f"bootstrap-{estimator}", int(n_boot), int(ok.size))

