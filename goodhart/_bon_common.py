"""Shared pieces of best-of-N (private): the result type, argument checks, and the assembly of a
result (infinite selected proxies, the error field, refusal of NaN)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from tailpower._results import ResultMixin

from ._bon_infinite import _infinite

_MAX_N = 1e15
_MAX_NS = 10_000          # values of n per call


@dataclass(frozen=True)
class BestOfN(ResultMixin):
    """Utility, error and proxy of the best of n draws (returned by :func:`goodhart.best_of_n`
    and :meth:`goodhart.BestOfNTable.curve`).

    Prints as ``utility ± utility_stderr (method, samples)`` (arrays summarised);
    ``to_dict()`` gives plain data (tailpower._results.ResultMixin).

    Attributes
    ----------
    utility, error, proxy : float or ndarray
        E[V], E[X], E[U] at the argmax of U over n iid draws (arrays when ``n`` is an array).
        ``proxy`` and ``error`` are +inf (-inf) when E[U_sel] is (e.g. Levy error).
    utility_stderr, error_stderr, proxy_stderr : float or ndarray
        Monte Carlo standard errors ("mc") or absolute error bounds ("quad"); inf where the mean
        is infinite.
    value, stderr : float or ndarray
        Same as ``utility`` and ``utility_stderr``.
    method : str
    samples : int
        Trials ("mc"), 0 for "quad".
    n : int or ndarray
    utility_rel_err : float or ndarray
        ``utility_stderr / |utility|`` (inf where the utility is 0): the relative error bound,
        which stays meaningful when the utility is tiny ("quad" computes E[V_sel] - E[V] as an
        integral of positive terms).
    algorithm : str
        "table" (the table of the law of U), "legacy" (conditional means on a spline table, for
        laws the tables do not reach), "dependent" (a :class:`~goodhart.Dependent` model,
        :mod:`goodhart._bon_dependent`) or "simulation".

    Examples
    --------
    >>> from scipy import stats
    >>> import goodhart as gh
    >>> r = gh.best_of_n(stats.norm(0, 2), stats.norm(), 1000)
    >>> round(r.utility, 6), r.method, r.algorithm
    (5.798457, 'quad', 'table')
    >>> print(gh.best_of_n(stats.norm(), stats.norm(), 4, method="mc", trials=1000, rng=0))
    0.762 ± 0.028 (mc, 1000 samples)
    >>> print(gh.best_of_n(stats.norm(0, 2), stats.norm(), 1000))
    5.7984565796 ± 0.0000000011 (quad)
    """

    _value_field = "utility"
    _error_field = "utility_stderr"

    utility: Any
    error: Any
    proxy: Any
    utility_stderr: Any
    error_stderr: Any
    proxy_stderr: Any
    method: str
    samples: int
    n: Any
    utility_rel_err: Any = None
    algorithm: str = ""

    @property
    def value(self):
        return self.utility

    @property
    def stderr(self):
        return self.utility_stderr


# ----------------------------------------------------------------------------- arguments
def _as_n(n, integer: bool) -> tuple[np.ndarray, bool]:
    what = "an integer" if integer else "a number"
    if isinstance(n, (bool, np.bool_)) or n is None or isinstance(n, (str, bytes, dict, set)):
        raise TypeError(f"n: expected {what} >= 1, got {type(n).__name__}")
    try:
        arr = np.asarray(n, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"n: expected {what} >= 1, got {type(n).__name__}") from None
    if arr.size == 0:
        raise ValueError("n: must not be empty")
    if arr.size > _MAX_NS:
        raise ValueError(f"n: at most {_MAX_NS} values per call, got {arr.size}")
    return arr, arr.ndim == 0


def _check_n(n, integer: bool = True) -> tuple[np.ndarray, bool]:
    arr, scalar = _as_n(n, integer=integer)
    bad = ~np.isfinite(arr) | (arr < 1)
    if integer:
        bad |= arr != np.floor(np.where(np.isfinite(arr), arr, 0.0))
    if np.any(bad):
        raise ValueError(f"n: must be {'an integer' if integer else 'a number'} >= 1, got {n!r}")
    if np.any(arr > _MAX_N):
        raise ValueError(f"n: must be <= 1e15, got {n!r}")
    return arr, scalar


def _check_real(name: str, value, lo: float, hi: float, lo_open: bool) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    x = float(value)
    if not (x > lo if lo_open else x >= lo) or not x <= hi:
        raise ValueError(f"{name}: must be in {'(' if lo_open else '['}{lo:g}, {hi:g}], got {value!r}")
    return x


def _result(V, X, n_arr, scalar, util, prox, uerr, perr, err_mc, eerr_mc, method, samples, algorithm,
            integer: bool = True, inf=None) -> BestOfN:
    """Assemble a :class:`BestOfN`: infinite selected proxies, the error field, NaN refusal."""
    if inf is None:
        inf = _infinite(V, X, n_arr)
    prox = np.where(inf != 0, inf, prox)
    perr = np.where(inf != 0, math.inf, perr)
    with np.errstate(invalid="ignore"):
        if err_mc is None:
            err, eerr = prox - util, uerr + perr
        else:
            err = np.where(inf != 0, inf, err_mc)
            eerr = np.where(inf != 0, math.inf, eerr_mc)
        rel = np.where(util != 0, uerr / np.abs(np.where(util != 0, util, 1.0)), np.where(uerr == 0, 0.0, math.inf))
    fields = [np.asarray(a, float).reshape(n_arr.shape) for a in (util, err, prox, uerr, eerr, perr, rel)]
    if not all(np.all(~np.isnan(f)) for f in fields):
        raise ValueError("V: the selected means came out undefined (NaN); the laws' functions returned "
                         "NaN where the quadrature needed them")
    if scalar:
        fields = [float(a) for a in fields]
        nn = int(n_arr) if integer else float(n_arr)
    else:
        nn = n_arr.astype(np.int64) if integer else n_arr.copy()
    return BestOfN(*fields[:6], method, samples, nn, fields[6], algorithm)
