"""Heavy tails and the moment generating function: when Theorem 4's tilted law does not exist
(Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, §2.2 and Theorem 4).

The tail of a density f is classified from its local exponential decay rate

    s(x) = (log f(m + x) - log f(m + 2x)) / x      (m the median, x = 2^k),

which tends to 0 for heavy tails (power laws, lognormal, Weibull with shape < 1), to a constant r
for exponential tails x^a e^{-rx} (Gamma, Gumbel, logistic, Laplace: s = r - a log 2 / x), and
to infinity for lighter ones (normal: s = 3x/2).  E[e^{λX}] is then infinite for every λ > 0,
for λ >= r (exactly at r when a >= -1, as for every scipy law with such a tail), and never,
respectively.  The growth exponent of s over a doubling of x, q - 1 with
q = log2(d(2x)/d(x)), d(x) = log f(m + x) - log f(m + 2x), tells the three apart: q < 1, q = 1
(to double precision), q > 1.  (Kwa & Thomas's §2.2 definition: heavy iff
lim e^{λx} P(X > x) = inf for every λ > 0.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._kl_quad import check_real, support
from .model import check_distribution


class HeavyTailError(ValueError):
    """The tilted law pi0 exp(U/beta) / Z does not exist because Z = E[exp(U/beta)] = inf.

    For a heavy-tailed U (lim e^{λx} P(U > x) = inf for every λ > 0, paper §2.2) the moment
    generating function is infinite at every positive argument, so Theorem 4's optimum
    pi*_beta ∝ pi0 exp(U/beta) is not a probability law at any beta > 0. This is the
    catastrophic-Goodhart regime itself (Theorem 1: policies with unbounded E[U] at vanishing KL,
    see :func:`kl_construction`), not a numerical failure.

    A ``ValueError``, so code that handles bad input handles it too.

    Parameters
    ----------
    message : str
        Names the heavy-tailed law's parameter first (``"V: ..."``, ``"X: ..."``).

    Examples
    --------
    >>> from scipy import stats
    >>> from goodhart import HeavyTailError, kl_optimum
    >>> try:
    ...     kl_optimum(stats.norm(), stats.lognorm(1.0), beta=10.0)
    ... except HeavyTailError as exc:
    ...     print(str(exc)[:40])
    X: the law lognorm(1.0,) is heavy-tailed
    """


@dataclass(frozen=True)
class TailClass:
    """``kind`` is "bounded", "light" (MGF finite at every λ), "exponential" (finite below
    ``rate``, infinite from it on) or "heavy" (infinite at every λ > 0)."""

    kind: str
    rate: float = math.inf


#: probe offsets 2^k, 2^(k+1), 2^(k+2) from the median for k = 1, 17, 33, ..., 1009 (triples)
_K = np.arange(1, 1010, 16)
_X = np.ldexp(1.0, _K[:, None] + np.arange(3)[None, :])
_TOL = 1e-6  # |q - 1| below this: an exponential tail (q - 1 is ~1e-300 there, 0.01 for Weibull(1.01))


def tail_class(dist, side: int = 1) -> TailClass:
    """Classify the right (``side`` = 1) or left (-1) tail of the continuous law ``dist``.

    log f is evaluated at m + side·x for offsets x = 2^k, 2^(k+1), 2^(k+2) from the median m
    (64 triples up to 2^1011); each triple whose values are finite gives the drops
    d1 = log f(x) - log f(2x), d2 = log f(2x) - log f(4x) and q = log2(d2/d1), which is 0 for a
    power law, 1 for an exponential tail (d = r x), 2 for a normal one.  The median of q over the
    finite triples decides (it is robust to the body of the law at the first probes and to
    numerical breakdown of an evaluated density at the last ones); the rate of an exponential tail
    is d1/x at the farthest triple with |q - 1| < 1e-6.
    """
    lo, hi = support(dist)
    if math.isfinite(hi if side > 0 else lo):
        return TailClass("bounded")
    try:
        with np.errstate(all="ignore"):
            med = float(dist.ppf(0.5))
    except Exception:  # noqa: BLE001 - duck-typed laws
        med = 0.0
    med = med if math.isfinite(med) else 0.0
    with np.errstate(all="ignore"):
        lp = np.asarray(dist.logpdf(med + side * _X), dtype=float).reshape(_X.shape)
    if np.any(lp == np.inf):
        return TailClass("heavy")  # the density is unbounded in the far tail
    fin = np.all(np.isfinite(lp), axis=1)
    if not np.any(fin):
        return TailClass("light")  # the density underflows at every probe: lighter than any exponential
    d1 = lp[fin, 0] - lp[fin, 1]
    d2 = lp[fin, 1] - lp[fin, 2]
    with np.errstate(all="ignore"):
        q = np.where((d1 > 0) & (d2 > 0), np.log2(d2 / d1), -np.inf)  # not decreasing: power-law-like
    qm = float(np.median(q))
    if qm > 1 + _TOL:
        return TailClass("light")
    if qm < 1 - _TOL:
        return TailClass("heavy")
    exp_like = np.nonzero(np.abs(q - 1) < _TOL)[0]
    j = int(exp_like[-1]) if exp_like.size else int(np.argmin(np.abs(q - qm)))
    return TailClass("exponential", float(d1[j] / _X[fin][j, 0]))


def mgf_diverges(dist, lam: float) -> bool:
    """True if E[exp(lam X)] = inf for the continuous law ``dist`` (numerical criterion).

    The tail in the direction of ``lam`` (the right tail for lam > 0, the left one for lam < 0) is
    classified by its local exponential decay rate s(x) = (log f(x) - log f(2x))/x at x = 2^k
    (see the module docstring): heavy tails (t, lognormal, Pareto, Lévy, Weibull with shape < 1)
    diverge at every lam != 0 in their direction; exponential tails with rate r (exponential,
    Gamma, Gumbel, Laplace, logistic) for |lam| >= r; Gaussian and lighter tails, and laws with a
    finite end in that direction, never.  lam = 0 gives False (E[1] = 1).

    Parameters
    ----------
    dist : scipy frozen continuous distribution
        The law of X.
    lam : float
        The argument λ of the moment generating function, finite.

    Returns
    -------
    bool
        Whether E[exp(lam X)] is infinite (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, §2.2:
        X is heavy-tailed iff it is infinite at every lam > 0).

    Raises
    ------
    TypeError
        ``dist`` not a continuous law; ``lam`` not a real number.
    ValueError
        ``lam`` not finite; ``dist`` with invalid parameters.

    Examples
    --------
    >>> from scipy import stats
    >>> mgf_diverges(stats.t(3), 1e-3), mgf_diverges(stats.norm(), 100.0)
    (True, False)
    >>> mgf_diverges(stats.expon(), 0.5), mgf_diverges(stats.expon(), 1.0)   # rate 1
    (False, True)
    """
    check_distribution("dist", dist)
    lam = check_real("lam", lam)
    if lam == 0:
        return False
    cls = tail_class(dist, 1 if lam > 0 else -1)
    if cls.kind == "heavy":
        return True
    if cls.kind == "exponential":
        return abs(lam) >= cls.rate * (1 - 1e-12)
    return False


def raise_if_divergent(dist, lam: float, name: str, cls: TailClass | None = None) -> TailClass:
    """HeavyTailError (heavy right tail) or ValueError naming beta (exponential tail with rate
    <= lam) if E[exp(lam X)] = inf for X ~ ``dist``, lam > 0; returns the tail class."""
    cls = cls or tail_class(dist, 1)
    if cls.kind == "heavy":
        raise HeavyTailError(
            f"{name}: the law {describe(dist)} is heavy-tailed: E[exp(λ{name})] = inf for every λ > 0, "
            f"so the normaliser E[exp(U/beta)] of pi*_beta ∝ pi0·exp(U/beta) diverges at every beta > 0 "
            f"and no KL-penalised optimum exists. This is catastrophic Goodhart (Theorem 1: E[U] can be "
            f"made arbitrarily large at vanishing KL; see kl_construction), not a numerical failure."
        )
    if cls.kind == "exponential" and lam >= cls.rate * (1 - 1e-12):
        bound = f"{1 / cls.rate:.6g}" if cls.rate > 0 else "inf"
        raise ValueError(
            f"beta: E[exp({name}/beta)] = inf at beta = {1 / lam:.6g} for {describe(dist)}: its right tail is "
            f"exponential with rate {cls.rate:.6g}, so its moment generating function is finite only below "
            f"that rate; choose beta > {bound}"
        )
    return cls


def describe(dist) -> str:
    d = getattr(dist, "dist", None)
    if d is not None:
        return f"{getattr(d, 'name', type(d).__name__)}{tuple(getattr(dist, 'args', ()))}"
    return repr(dist)

