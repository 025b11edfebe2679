"""goodhart best-of-N: the exact table against the paper's 100-trial Monte Carlo, on the paper's
nine N = 4^0 .. 4^8 (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, appendix "bon_synthetic").

Baseline, timed in the same run: for each N, 100 trials of drawing N values of V and of X with
numpy's generator and keeping V at the argmax of V + X (the way the paper's script simulates).
Candidates:

- "cold": a new (V, X) pair, as in a counterexample search: every cache emptied, the laws
  tabulated, the table of U built, the nine N computed;
- "warm": the nine N again from the cached table;
- "old spline table" (full run only): the first algorithm, which the table replaced (conditional
  means on a spline table, rebuilt per call; relative error ~1e-5).

Ratio = Monte Carlo time / candidate time (> 1: faster than the simulation).  The note gives the
largest relative error bound of the exact utilities (target <= 1e-8; checked against independent
values in tests/goodhart/test_bon_table.py).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Row, best_time, main  # noqa: E402

import goodhart as gh  # noqa: E402
from goodhart._figures_selection import bon_grid  # noqa: E402

NS = 4.0 ** np.arange(9)


def _sampler(law):
    """numpy draws of a scipy normal / t / lognormal / Levy law (the paper's laws)."""
    name = law.dist.name
    shapes, loc, scale = law.dist._parse_args(*law.args, **law.kwds)
    if name == "norm":
        return lambda g, n: g.normal(loc, scale, n)
    if name == "t":
        return lambda g, n: loc + scale * g.standard_t(shapes[0], n)
    if name == "lognorm":
        return lambda g, n: loc + scale * g.lognormal(0.0, shapes[0], n)
    if name == "levy":
        return lambda g, n: loc + scale / g.standard_normal(n) ** 2
    raise ValueError(f"law: no numpy sampler for {name}")


def paper_mc(V, X, ns=NS, trials: int = 100, seed: int = 0) -> np.ndarray:
    g = np.random.default_rng(seed)
    dv, dx = _sampler(V), _sampler(X)
    out = np.empty(len(ns))
    for i, n in enumerate(ns.astype(int)):
        picks = np.empty(trials)
        for k in range(trials):
            v, x = dv(g, n), dx(g, n)
            picks[k] = v[np.argmax(v + x)]
        out[i] = picks.mean()
    return out


def _cold(V, X):
    gh.best_of_n_table.cache_clear()
    return gh.best_of_n(V, X, NS)


def _legacy(V, X):
    from goodhart._bon_legacy import legacy_moments, legacy_table
    from goodhart._selection_problem import make_problem

    tab = legacy_table(make_problem(V, X), float(NS.max()), 0.25, 38.0)
    return legacy_moments(tab, NS[1:], float(V.mean()))


def run(quick: bool = False) -> list[Row]:
    rows_v, cols_x = bon_grid()
    pairs = [(rl, V, cl, X) for rl, V in rows_v for cl, X in cols_x]
    if quick:
        pairs = [pairs[i] for i in (0, 2, 6)]          # normal/normal, normal/t3, t10/lognormal
    _cold(*pairs[0][1::2])                             # compile / load the kernels
    rows = []
    for k, (rl, V, cl, X) in enumerate(pairs):
        label = f"{rl[2:]}/{cl[2:]}"
        t_mc = best_time(lambda: paper_mc(V, X), repeat=1 if quick else 2)
        t_cold = best_time(lambda: _cold(V, X), repeat=3)
        r = gh.best_of_n(V, X, NS)
        t_warm = best_time(lambda: gh.best_of_n(V, X, NS), repeat=3)
        rel = float(np.max(r.utility_rel_err))
        base = "100-trial MC (numpy)"
        rows.append(Row(f"best-of-N {label}: table, cold", t_cold, base, t_mc,
                        f"max rel. bound {rel:.1e}, {r.algorithm}"))
        rows.append(Row(f"best-of-N {label}: table, warm", t_warm, base, t_mc))
        if not quick and k in (0, 2):
            t_old = best_time(lambda: _legacy(V, X), repeat=1)
            rows.append(Row(f"best-of-N {label}: old spline table", t_old, base, t_mc, "before this table"))
    return rows


if __name__ == "__main__":
    main(run)
