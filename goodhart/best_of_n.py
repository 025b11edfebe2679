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

Dependent error (a :class:`~goodhart.Dependent` model: X | V = v from a law that depends on v,
point masses allowed): E[V_sel] = ∫ E[V | U = u] n F_U(u)^(n-1) f_U(u) du, with f_U, E[V | U = u] and
both tails of U computed at many u at once on one shared set of v-nodes (panels in logit F_V(v);
point-mass pieces in closed form through V's distribution function) and the u-integral adaptive in
asinh(u), see :mod:`goodhart._bon_dependent`.  ``best_of_n_table(model)`` caches it.

"mc": ``trials`` independent best-of-n draws (numba argmax per trial, one seed per trial), means and
standard errors; with a Dependent model X is drawn from its conditional law given each V.

Infinite means: E[U_sel] and E[X_sel] are +inf when the right tail of X has an infinite mean (Levy,
Cauchy), -inf when the left tail of the maximum does; both methods report them as such.
"""

from __future__ import annotations

import math

import numpy as np

from tailpower._common import as_generator, check_int, check_memory

from . import _bon_dependent_mc as dmc
from ._bon_common import BestOfN, _as_n, _check_n, _result
from ._bon_infinite import _selected_proxy_infinite  # noqa: F401 - re-exported for tests
from ._bon_mc import _mc_select
from ._selection_problem import make_problem
from .bon_table import BestOfNPeak, BestOfNTable, best_of_n_table
from .model import Dependent, check_distribution, is_distribution

__all__ = ["BestOfN", "BestOfNPeak", "BestOfNTable", "best_of_n", "best_of_n_table", "bon_kl"]

_MAX_DRAWS = 2 * 10**7    # trials x n for "mc" (scipy draws of both laws: about 10-40 s)


def bon_kl(n) -> np.ndarray | float:
    """KL divergence of the best-of-n law from the base law: log n - (n - 1)/n (continuous U).

    Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503): the best-of-n law has density
    n F(u)^(n-1) relative to the base law, so KL = E[log(n F(U)^(n-1))] = log n - (n - 1)/n for any
    continuous U (F(U) is uniform).

    Parameters
    ----------
    n : float or array_like
        Number of draws, real, finite, >= 1 (at most 10,000 values).

    Returns
    -------
    float or ndarray
        The KL divergence in nats (0 at n = 1), a float for scalar ``n``.

    Raises
    ------
    ValueError
        ``n`` below 1, not finite, empty or with more than 10,000 values.
    TypeError
        ``n`` not a number (bool, str, None, ...).

    Examples
    --------
    >>> import goodhart as gh
    >>> gh.bon_kl(1), round(gh.bon_kl(16), 6)
    (0.0, 1.835089)
    >>> gh.bon_kl([1, 2]).round(6).tolist()
    [0.0, 0.193147]
    """
    n_arr, scalar = _as_n(n, integer=False)
    if np.any(~np.isfinite(n_arr)) or np.any(n_arr < 1):
        raise ValueError(f"n: must be >= 1 and finite, got {n!r}")
    out = np.log(n_arr) - (n_arr - 1) / n_arr
    return float(out) if scalar else out


# ----------------------------------------------------------------------------- public
def best_of_n(V, X=None, n=None, method: str = "quad", *, trials: int = 100, rng=None, resolution: float = 0.25,
              tail: float = 38.0) -> BestOfN:
    """Expected utility V, error X and proxy U = V + X of the best of ``n`` iid draws.

    Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, appendix "bon_synthetic"): draw n iid pairs
    (V_i, X_i), keep the one with the largest U_i = V_i + X_i, report E[V], E[X] and E[U] of the kept
    pair.  With a :class:`~goodhart.Dependent` model the error X_i is drawn from the conditional law
    given V_i (Kwa & Thomas, "Catastrophic Goodhart", the non-independent case).

    Parameters
    ----------
    V : scipy frozen continuous distribution or Dependent
        True utility (finite mean), or a :class:`~goodhart.Dependent` model (then omit ``X``;
        ``best_of_n(model, 16)`` is read as ``n = 16``).
    X : scipy frozen continuous distribution, optional
        The error, independent of V; omitted for a Dependent model.
    n : int or array_like of int
        Number of draws (1 <= n <= 1e15; at most 10,000 values per call).
    method : {"quad", "mc"}
        "quad": from the cached table of the law of U (:func:`best_of_n_table`).  Independent V, X:
        E[V_sel] = E[V] + ∫ w_n'(y) Cov(V, 1{U >= y}) dy, relative error about 1e-12 (see the module
        docstring).  Dependent model: E[V_sel] = ∫ E[V | U = u] n F_U(u)^(n-1) f_U(u) du with the law
        of U from one shared set of v-nodes (:mod:`goodhart._bon_dependent`), absolute error about
        1e-11.  The error fields are error bounds.
        "mc": ``trials`` independent best-of-n selections; mean and standard error per field
        (the 95 % band is ± 1.96 stderr); trials x (sum of n) is at most 2e7 (2e6 for a
        scalar-mode Dependent model, which calls ``error`` once per draw).
    trials : int
        Trials per n for "mc" (the paper uses 100), at least 2.
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
        errors, and ``utility_rel_err``; prints as ``utility ± utility_stderr (method, samples)``.

    Raises
    ------
    ValueError
        ``n`` outside [1, 1e15] or not integer; ``method`` unknown; ``trials`` x ``n`` above the
        simulation limit (named ``n``); ``tail`` or ``resolution`` out of range; a Dependent error
        law too slow to integrate (named ``error``; docs/contract.md, timed guard); laws whose
        functions return NaN (named V, X or error).
    TypeError
        V or X not a continuous distribution; X given with a Dependent model; ``n`` missing or not
        a number.

    Examples
    --------
    >>> from scipy import stats
    >>> import goodhart as gh
    >>> r = gh.best_of_n(stats.norm(0, 2), stats.norm(), [1, 2, 1000])
    >>> r.utility.round(6).tolist()
    [0.0, 1.009253, 5.798457]
    >>> wide, zero = stats.norm(0, 2), gh.point_mass(0.0)
    >>> model = gh.Dependent(stats.norm(), lambda v: wide if abs(v) <= 1 else zero)
    >>> gh.best_of_n(model, n=[1, 4, 100]).utility.round(6).tolist()
    [0.0, 0.571683, 0.335476]
    """
    if not isinstance(method, str) or method not in ("quad", "mc"):
        raise ValueError(f"method: must be 'quad' or 'mc', got {method!r}")
    if isinstance(V, Dependent):
        if n is None and X is not None and not is_distribution(X):
            X, n = None, X
        if X is not None:
            raise TypeError("X: must be omitted when the first argument is a Dependent model")
    else:
        check_distribution("V", V)
        check_distribution("X", X)
    if n is None:
        raise TypeError("n: missing the number of draws")
    n_arr, scalar = _check_n(n)
    if isinstance(V, Dependent):
        return _best_of_n_dependent(V, n_arr, scalar, method, trials, rng, resolution, tail)
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
        out[i] = _mc_row(v, x, t)
    util, err_mc, prox, uerr, eerr, perr = out.T
    return _result(V, X, n_arr, scalar, util, prox, uerr, perr, err_mc, eerr, "mc", t, "simulation")


def _mc_row(v, x, t):
    with np.errstate(over="ignore", invalid="ignore"):
        u = v + x
        return (v.mean(), x.mean(), u.mean(),
                v.std(ddof=1) / math.sqrt(t), x.std(ddof=1) / math.sqrt(t), u.std(ddof=1) / math.sqrt(t))


def _best_of_n_dependent(model, n_arr, scalar, method, trials, rng, resolution, tail) -> BestOfN:
    make_problem(model, None)
    if method == "quad":
        return best_of_n_table(model, tail=tail, resolution=resolution)._curve(n_arr, scalar, integer=True)
    t = check_int("trials", trials, minimum=2)
    cap = dmc.MAX_DRAWS_VECTORIZED if model.vectorized else dmc.MAX_DRAWS_SCALAR
    if t * float(n_arr.sum()) > cap:
        raise ValueError(f"n: simulation draws trials x n = {t * float(n_arr.sum()):.3g} pairs, above "
                         f"{cap:.0e} for this model{'' if model.vectorized else ' (scalar mode: one error call per draw)'}; "
                         f"use method='quad' (up to n = 1e15) or fewer trials")
    check_memory("trials", 48.0 * t + 8.0 * 6 * min(float(n_arr.max()) * t, dmc._DRAW_CHUNK),
                 f"{t} best-of-n trials")
    gen = as_generator(rng)
    out = np.empty((n_arr.size, 6))
    for i, ni in enumerate(n_arr.flat):
        v, x = dmc.mc_select(model, int(ni), t, gen)
        out[i] = _mc_row(v, x, t)
    util, err_mc, prox, uerr, eerr, perr = out.T
    return _result(model.V, None, n_arr, scalar, util, prox, uerr, perr, err_mc, eerr, "mc", t, "simulation",
                   inf=np.zeros(n_arr.size))
