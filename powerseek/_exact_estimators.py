"""POWER, POWER curves and optimality probabilities by exact enumeration of a discrete reward law
(private; the ``method="exact"`` paths of :mod:`powerseek.power`).

Every reward vector of the law's finite support is solved (in batches, with the same solvers as the
Monte Carlo estimators) and weighted by its probability (:mod:`powerseek._exact`), so the answer
is E_{R ~ D}[...] itself: stderr 0, and ``bound`` = the solver's per-vector error bound plus the
float rounding of the weighted sum. POWER's solver accuracy is tightened to 1e-13 of the largest
|reward| (or the caller's ``tol`` if smaller), so the bound is about 1e-13 relative wherever the
solvers can certify that (policy iteration's a posteriori certificate grows like 1e-16/(1 - gamma)
relative near gamma = 1; it is reported as it is).
"""

from __future__ import annotations

import numpy as np

from tailpower._common import Estimate

from . import _exact
from ._checks import check_work
from ._per_sample import _DRAW_STEPS, _batch_rows, _gamma_steps, _per_sample_power
from .rewards import RewardLaw

#: POWER's solver tolerance under enumeration, relative to the largest |reward| of the support
_REL_TOL = 1e-13


def choose(mdp, law: RewardLaw, method: str, samples: int | None):
    """The atom tables to enumerate, or None for Monte Carlo. ``method="exact"``: the tables or a
    ValueError naming ``rewards``; ``"auto"``: the tables when the law is discrete with finite
    support and the enumeration visits no more vectors than ``samples`` would draw (never for a
    fixed vector, which is solved once anyway); ``"mc"``: None."""
    if method == "exact":
        return _exact.require(mdp, law)
    if method == "mc" or law.deterministic or law.kind == "callable":
        return None
    try:
        tabs = _exact.tables(mdp, law)
    except ValueError:
        return None
    if tabs is None or _exact.count(tabs) > min(_exact.MAX_EXACT, samples or 0):
        return None
    return tabs


def _scale(tabs) -> float:
    return max(float(np.abs(x).max()) for x, _ in tabs)


def _tol(tabs, tol: float) -> float:
    scale = _scale(tabs)
    return min(tol, _REL_TOL * scale) if scale > 0 else min(tol, _REL_TOL)


def power_exact(mdp, tabs, gamma: float, tol: float):
    """PowerResult of E[POWER contributions] over every reward vector."""
    from .power import PowerResult

    S = mdp.n_states
    n = _exact.count(tabs)
    etol = _tol(tabs, tol)
    steps, planned = _gamma_steps(mdp, gamma, etol)
    check_work("rewards", n * (steps + _DRAW_STEPS * S + 100), f"POWER by exact enumeration of {n} reward vectors")

    def fn(R):
        X, b, _ = _per_sample_power(mdp, R, gamma, etol, planned)
        return X, b

    value, solver, rounding = _exact.expectation(tabs, _batch_rows(mdp, n), fn, S)
    return PowerResult(mdp.states, gamma, value, np.zeros(S), "exact", 0, solver + rounding)


def curve_exact(mdp, tabs, gs: np.ndarray, tol: float):
    """PowerCurve: every gamma of ``gs`` on the same enumeration."""
    from .power import PowerCurve

    S = mdp.n_states
    n = _exact.count(tabs)
    etol = _tol(tabs, tol)
    plans, total = [], 0.0
    for g in gs:
        steps, planned = _gamma_steps(mdp, float(g), etol, param="gammas")
        plans.append(planned)
        total += steps
    check_work("rewards", n * (total + _DRAW_STEPS * S + 100),
               f"POWER at {gs.size} discount rates by exact enumeration of {n} reward vectors")

    def fn(R):
        out, bound = [], 0.0
        for i, g in enumerate(gs):
            X, b, _ = _per_sample_power(mdp, R, float(g), etol, plans[i], param="gammas")
            out.append(X)
            bound = max(bound, b)
        return np.concatenate(out, axis=1), bound

    value, solver, rounding = _exact.expectation(tabs, _batch_rows(mdp, n), fn, gs.size * S)
    return PowerCurve(mdp.states, gs, value.reshape(gs.size, S), np.zeros((gs.size, S)), "exact", 0, solver + rounding)


def probability_exact(mdp, tabs, steps: float, optimal_mask, cols: list[int]) -> Estimate:
    """P(some optimal policy takes one of ``cols``) summed over every reward vector's weight;
    ``optimal_mask(R) -> (k, A)`` decides optimality (ties included)."""
    n = _exact.count(tabs)
    check_work("rewards", n * (steps + _DRAW_STEPS * mdp.n_states + 100),
               f"the optimality probability by exact enumeration of {n} reward vectors")

    def fn(R):
        return optimal_mask(R)[:, cols].any(axis=1).astype(float)[:, None], 0.0

    value, _, _ = _exact.expectation(tabs, _batch_rows(mdp, n), fn, 1)
    return Estimate(float(min(max(value[0], 0.0), 1.0)), 0.0, "exact", 0)
