"""Heavy tails and the moment generating function: when Theorem 4's tilted law does not exist
(Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, §2.2 and Theorem 4)."""

from __future__ import annotations

import math

import numpy as np

from ._kl_quad import _scale


class HeavyTailError(ValueError):
    """The tilted law pi0 exp(U/beta) / Z does not exist because Z = E[exp(U/beta)] = inf.

    For a heavy-tailed U (lim e^{λx} P(U > x) = inf for every λ > 0, paper §2.2) the moment
    generating function is infinite at every positive argument, so Theorem 4's optimum
    pi*_beta ∝ pi0 exp(U/beta) is not a probability law at any beta > 0. This is the
    catastrophic-Goodhart regime itself (Theorem 1: policies with unbounded E[U] at vanishing KL,
    see :func:`kl_construction`), not a numerical failure.
    """



def mgf_diverges(dist, lam: float) -> bool:
    """True if E[exp(lam X)] = inf for the continuous law ``dist`` (numerical criterion).

    The integral ∫ f(x) e^{λx} dx over the dyadic block [x, 2x] is about x f(x) e^{λx}; the MGF
    is declared infinite when the log of that block mass, log x + logpdf(x) + λx, is not
    decreasing between the last two probes x = 2^k below min(1e300, 1e300/λ) (or it is +inf).
    Laws with a finite upper end never diverge.  Heavy-tailed laws (t, lognormal, Pareto, Lévy)
    diverge at every λ > 0; exponential-tailed laws with rate r diverge for λ >= r; Gaussian
    tails never.
    """
    lam = float(lam)
    if lam <= 0:
        return False
    upper = float(dist.support()[1]) if hasattr(dist, "support") else math.inf
    if math.isfinite(upper):
        return False
    top = min(1e300, 1e300 / lam)
    kmax = int(math.floor(math.log2(top)))
    x = np.ldexp(1.0, np.arange(1, kmax + 1))
    with np.errstate(all="ignore"):
        g = np.asarray(dist.logpdf(x), dtype=float) + lam * x + np.log(x)
    if np.any(g == np.inf):
        return True
    g = g[np.isfinite(g)]  # logpdf under/overflows to -inf or nan far out: use the last finite probes
    return bool(g.size >= 2 and g[-1] >= g[-2])



def _raise_divergence(dist, lam: float, name: str):
    if mgf_diverges(dist, 1e-6 / _scale(dist)):
        raise HeavyTailError(
            f"{name}: the law {_describe(dist)} is heavy-tailed: E[exp(λ{name})] = inf for every λ > 0, "
            f"so the normaliser E[exp(U/beta)] of pi*_beta ∝ pi0·exp(U/beta) diverges at every beta > 0 "
            f"and no KL-penalised optimum exists. This is catastrophic Goodhart (Theorem 1: E[U] can be "
            f"made arbitrarily large at vanishing KL; see kl_construction), not a numerical failure."
        )
    raise ValueError(
        f"beta: E[exp({name}/beta)] = inf at beta = {1 / lam:.6g} for {_describe(dist)} (its moment "
        f"generating function is finite only below some λ0 > 0): choose a larger beta"
    )


def _describe(dist) -> str:
    d = getattr(dist, "dist", None)
    if d is not None:
        return f"{getattr(d, 'name', type(d).__name__)}{tuple(getattr(dist, 'args', ()))}"
    return repr(dist)

