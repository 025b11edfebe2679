"""The independent model with the marginals of a dependent one, in closed form (private; used by
the figure goodhart_bon_dependent, the ledger and the tests of :mod:`goodhart._bon_dependent`)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


class NormalMixtureLaw:
    """The law of U = V + X for V ~ N(mu, sd^2) and an INDEPENDENT error X that is a mixture of
    normal laws and point masses: components (weight, mean, sd), sd = 0 for a point mass.  Closed
    forms per component k (U_k ~ N(mu + m_k, sd^2 + s_k^2), E[V | U_k = u] = mu + sd^2 (u - mu -
    m_k) / (sd^2 + s_k^2)), mixed in log space; the same interface as
    :class:`goodhart._bon_dependent_law.DependentLaw`.  Used for the independent model with the
    marginals of a dependent one (e.g. the paper's example: X ~ 0.683 N(0, 4) + 0.317 δ0)."""

    def __init__(self, mu: float, sd: float, components):
        self.mu, self.sd = float(mu), float(sd)
        self.comp = [(float(w), float(m), float(s)) for w, m, s in components if w > 0]
        self.centre = self.mu

    def evaluate(self, ys, refine: bool = True) -> dict:
        """log f_U, E[V | U = y], log F̄_U, log F_U at ``ys`` (closed forms; errors 1e-14)."""
        ys = np.asarray(ys, float).ravel()
        lp, ls, lc, num = [], [], [], []
        for w, m, s in self.comp:
            tot = math.sqrt(self.sd ** 2 + s ** 2)
            z = (ys - self.mu - m) / tot
            lw = math.log(w)
            lp.append(lw + stats.norm.logpdf(z) - math.log(tot))
            ls.append(lw + stats.norm.logsf(z))
            lc.append(lw + stats.norm.logcdf(z))
            num.append(self.mu + self.sd ** 2 / tot ** 2 * (ys - self.mu - m))
        lp, ls, lc, num = (np.array(a) for a in (lp, ls, lc, num))
        lpdf = np.logaddexp.reduce(lp, axis=0)
        with np.errstate(invalid="ignore"):
            wts = np.exp(lp - lpdf)
        mean = np.where(np.isfinite(lpdf), np.sum(np.nan_to_num(wts) * num, axis=0), 0.0)
        e = np.full(ys.size, 1e-14)
        return dict(lpdf=lpdf, mean=mean, lsf=np.logaddexp.reduce(ls, axis=0),
                    lcdf=np.logaddexp.reduce(lc, axis=0), epdf=e, emean=e * (np.abs(mean) + 1.0), esf=e, ecdf=e)
