"""Best-of-N selection on a proxy U = V + X (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503,
appendix figure "bon_synthetic").

Draw n iid pairs (V_i, X_i), keep the one with the largest U_i = V_i + X_i, and report the
expected utility V, error X and proxy U of the kept pair.

"quad" (exact up to a reported error bound).  With w_n(u) = n F_U(u)^(n-1),

    E[V_sel] = E[V] + ∫ w_n'(y) K(y) dy,      K(y) = Cov(V, 1{U >= y}) >= 0,

computed from one table of the law of U (log F̄_U, log F_U and log K on Chebyshev panels, each
value a convolution of tables of the two laws) that serves every n from 1 to 1e15 and real n, in
about 0.1 s; see :mod:`goodhart._bon_table`.  Both factors are positive, so the utility keeps its
relative accuracy however small it is.  A :class:`BestOfNTable` is that table: build it once per
(V, X) and ask for whole curves (:meth:`BestOfNTable.curve`) and the utility peak
(:meth:`BestOfNTable.peak`, root of dE/dn on the continuous extension in n);
:func:`best_of_n_table` keeps the last 32 in a cache keyed by the laws' names and parameters, and
:func:`best_of_n` uses it.  Laws the tables do not reach (a finite end of the support away from
0, as for uniform, beta and Pareto; extreme locations or scales; duck-typed laws) are computed by
the first algorithm (:mod:`goodhart._bon_legacy`, conditional means on a spline table, relative
error about 1e-5), and the result says which was used (``algorithm``).

"mc": ``trials`` independent best-of-n draws (numba argmax per trial, one seed per trial), means and
standard errors.

Infinite means: E[U_sel] and E[X_sel] are +inf when the right tail of X has an infinite mean (Levy,
Cauchy), -inf when the left tail of the maximum does; both methods report them as such.
"""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import as_generator, check_int, check_memory

from ._bon_common import BestOfN, _as_n, _check_n, _result
from ._bon_infinite import _selected_proxy_infinite  # noqa: F401 - re-exported for tests
from ._bon_mc import _mc_select
from ._selection_problem import make_problem
from .bon_table import BestOfNPeak, BestOfNTable, best_of_n_table
from .model import check_distribution

__all__ = ["BestOfN", "BestOfNPeak", "BestOfNTable", "best_of_n", "best_of_n_table", "bon_kl"]

_MAX_DRAWS = 2 * 10**7    # trials x n for "mc" (scipy draws of both laws: about 10-40 s)


def bon_kl(n) -> np.ndarray | float:
    """KL divergence of the best-of-n law from the base law: log n - (n - 1)/n (continuous U).

    Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503); ``n`` is a real number >= 1 (or an array),
    finite.
    """
    n_arr, scalar = _as_n(n, integer=False)
    if np.any(~np.isfinite(n_arr)) or np.any(n_arr < 1):
        raise ValueError(f"n: must be >= 1 and finite, got {n!r}")
    out = np.log(n_arr) - (n_arr - 1) / n_arr
    return float(out) if scalar else out


# ----------------------------------------------------------------------------- public
def best_of_n(V, X, n, method: str = "quad", *, trials: int = 100, rng=None, resolution: float = 0.25,
              tail: float = 38.0) -> BestOfN:
    """Expected utility V, error X and proxy U = V + X of the best of ``n`` iid draws.

    Parameters
    ----------
    V, X : scipy frozen continuous distributions
        True utility (finite mean) and independent error.
    n : int or array_like of int
        Number of draws (1 <= n <= 1e15; at most 10,000 values per call).
    method : {"quad", "mc"}
        "quad": E[V_sel] = E[V] + ∫ w_n'(y) Cov(V, 1{U >= y}) dy from the cached table of the law
        of U (:func:`best_of_n_table`; see the module docstring); relative error about 1e-12,
        bounded by ``utility_stderr``.
        "mc": ``trials`` independent best-of-n selections; mean and standard error per field
        (the 95 % band is ± 1.96 stderr); trials x (sum of n) is at most 2e7.
    trials : int
        Trials per n for "mc" (the paper uses 100).
    rng : Generator, int, SeedSequence or None
        Randomness for "mc".
    resolution : float
        In (0, 2], see :class:`BestOfNTable` (at most 2,000 steps of ``resolution`` may cover
        log(max n) + 2 tail).
    tail : float
        Truncation of "quad", in [5, 60]; the weight left out (about e^-tail) is added to the error.

    Returns
    -------
    BestOfN
        ``utility``, ``error`` (= proxy - utility), ``proxy``, their error bounds or standard
        errors, and ``utility_rel_err``.

    Examples
    --------
    >>> from scipy import stats
    >>> import goodhart as gh
    >>> r = gh.best_of_n(stats.norm(0, 2), stats.norm(), [1, 2, 1000])
    >>> r.utility.round(6).tolist()
    [0.0, 1.009253, 5.798457]
    """
    if not isinstance(method, str) or method not in ("quad", "mc"):
        raise ValueError(f"method: must be 'quad' or 'mc', got {method!r}")
    check_distribution("V", V)
    check_distribution("X", X)
    n_arr, scalar = _check_n(n)
    make_problem(V, X)
    if method == "quad":
        tab = best_of_n_table(V, X, tail=tail, resolution=resolution)
        return tab._curve(n_arr, scalar, integer=True)
    t = check_int("trials", trials, minimum=2)
    if t * float(n_arr.sum()) > _MAX_DRAWS:
        raise ValueError(f"n: simulation draws trials x n = {t * float(n_arr.sum()):.3g} pairs, above "
                         f"{_MAX_DRAWS:.0e}; use method='quad' (exact up to n = 1e15) or fewer trials")
    check_memory("trials", 48.0 * t, f"{t} best-of-n trials")
    gen = as_generator(rng)
    out = np.empty((n_arr.size, 6))
    for i, ni in enumerate(n_arr.flat):
        v, x = _mc_select(V, X, int(ni), t, gen)
        with np.errstate(over="ignore", invalid="ignore"):
            u = v + x
            out[i] = (v.mean(), x.mean(), u.mean(),
                      v.std(ddof=1) / math.sqrt(t), x.std(ddof=1) / math.sqrt(t), u.std(ddof=1) / math.sqrt(t))
    util, err_mc, prox, uerr, eerr, perr = out.T
    return _result(V, X, n_arr, scalar, util, prox, uerr, perr, err_mc, eerr, "mc", t, "simulation")
