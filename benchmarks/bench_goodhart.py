"""goodhart: E[V | V + X >= t] by "quad" and "exact_mc" against naive rejection Monte Carlo.

At thresholds with P(V + X >= t) = 1e-6 and 1e-12 we compare the wall time needed to reach the same
standard error (target 1e-3 of the conditional standard deviation's scale: se = 1e-3).  Naive MC
needs sigma_c^2 / (p se^2) draws (sigma_c = conditional sd of V); its cost per draw is timed on
2^20 draws in the same run and extrapolated (at p = 1e-12 it could never be run).  exact_mc needs
sigma_c^2 / se^2 draws whatever p is; its time is measured at that size.  quad is one call, error
bound ~1e-12.  Ratio = naive time / candidate time.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from scipy import optimize, stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Row, best_time, main  # noqa: E402

import goodhart as gh  # noqa: E402


def threshold(V, X, p):
    f = lambda t: gh.log_tail_probability(V, X, t) - math.log(p)
    return optimize.brentq(f, 0.0, 1e8, xtol=1e-10)


def run(quick: bool = False) -> list[Row]:
    rows = []
    se = 1e-3
    naive_draws = 1 << (16 if quick else 20)
    pairs = [("normal/normal", stats.norm(), stats.norm()), ("normal/t3", stats.norm(), stats.t(3))]
    for label, V, X in pairs:
        gh.conditional_mean(V, X, 1.0, method="exact_mc", samples=1000, rng=0)  # warm
        t_naive = best_time(lambda: gh.conditional_mean(V, X, 1.0, method="mc", samples=naive_draws, rng=0),
                            repeat=1 if quick else 2)
        per_draw = t_naive / naive_draws
        for p in (1e-6, 1e-12):
            t = threshold(V, X, p)
            v, _ = gh.sample_conditional(V, X, t, size=20_000, rng=1)
            sig = float(np.std(v))
            n_naive = sig**2 / (p * se**2)
            base = n_naive * per_draw
            tq = best_time(lambda: gh.conditional_mean(V, X, t), repeat=3)
            rows.append(Row(f"{label} quad, p={p:g} (t={t:.4g})", tq, "naive mc (extrap.)", base,
                            f"naive needs {n_naive:.2g} draws for se={se:g}"))
            n_ex = max(2, int(math.ceil(sig**2 / se**2)))
            if quick:
                n_ex = min(n_ex, 200_000)
            te = best_time(lambda: gh.conditional_mean(V, X, t, method="exact_mc", samples=n_ex, rng=2),
                           repeat=1 if quick else 2)
            rows.append(Row(f"{label} exact_mc, p={p:g}", te, "naive mc (extrap.)", base,
                            f"{n_ex} draws, sigma_c={sig:.3g}"))
    return rows


if __name__ == "__main__":
    main(run)
