"""Theorem 3's reweighting of a finite set of trajectories (the RL form, exact finite sums;
Kwa, Thomas & Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503, Theorem 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._kl_quad import _check_real, check_positive_real


@dataclass(frozen=True)
class TrajectoryReweighting:
    """Theorem 3's reweighted trajectory distribution.

    Attributes
    ----------
    weights : new trajectory probabilities q_i.
    mean_U, mean_V : E_q[U], E_q[V] (mean_V is None without true returns).
    kl : KL(q || p) = Σ q_i log(q_i / p_i), which in a deterministic MDP equals the expected sum
        over the trajectory of the per-state KL(π(s) || π0(s)) (chain rule).
    base_mean_U, base_mean_V : the same under p.
    value : mean_U.  stderr : 0 (exact finite sums).
    """

    weights: np.ndarray
    mass: float
    mean_U: float
    mean_V: float | None
    kl: float
    base_mean_U: float
    base_mean_V: float | None
    value: float
    stderr: float = 0.0
    method: str = "exact"
    samples: int = 0


def _prob_vector(name: str, p) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name}: must be finite and >= 0")
    if not abs(arr.sum() - 1.0) <= 1e-9:
        raise ValueError(f"{name}: must sum to 1, got {arr.sum()!r}")
    return arr


def reweight_trajectories(prob, proxy, t: float, c: float = 1.0, exponent: float = 1.0,
                          *, true=None) -> TrajectoryReweighting:
    r"""Theorem 3's reweighting of a finite set of trajectories (the RL form, exact).

    Trajectory i has base-policy probability p_i and proxy return U_i (and optionally true
    return V_i).  With m = c / t**exponent, F(t) = Σ_{U_i <= t} p_i, F̄(t) = 1 - F(t):

    .. math:: q_i = p_i \frac{1-m}{F(t)} \ (U_i \le t), \qquad q_i = p_i \frac{m}{F̄(t)} \ (U_i > t),

    so E_q[U] = (1-m) E_p[U | U <= t] + m E_p[U | U > t] and
    KL(q||p) = (1-m) log((1-m)/F(t)) + m log(m/F̄(t)).  In a deterministic MDP with a tree of
    trajectories the policy π(a|s) = q(subtree of a)/q(s) realises q, and KL(q||p) equals the
    expected sum of per-state KL(π(s) || π0(s)) along the trajectory (Kwa & Garriga-Alonso 2024).

    Raises ValueError unless 0 < m < 1 and some trajectory has U_i <= t and some U_i > t
    (with positive probability).
    """
    p = _prob_vector("prob", prob)
    u = np.asarray(proxy, dtype=float)
    if u.shape != p.shape or not np.all(np.isfinite(u)):
        raise ValueError(f"proxy: must be finite with the shape of prob {p.shape}, got {u.shape}")
    v = None
    if true is not None:
        v = np.asarray(true, dtype=float)
        if v.shape != p.shape or not np.all(np.isfinite(v)):
            raise ValueError(f"true: must be finite with the shape of prob {p.shape}, got {v.shape}")
    t = _check_real("t", t)
    c = check_positive_real("c", c)
    exponent = check_positive_real("exponent", exponent)
    if not t > 0:
        raise ValueError(f"t: must be > c**(1/exponent) > 0, got {t!r}")
    m = c / t**exponent
    if not 0 < m < 1:
        raise ValueError(f"t: must be > c**(1/exponent) = {c ** (1 / exponent):.6g} so that c/t**exponent is in (0, 1), got {t!r}")
    above = u > t
    Fb = float(p[above].sum())
    F = float(p[~above].sum())
    if not (Fb > 0 and F > 0):
        raise ValueError(f"t: some trajectory with positive probability must have proxy return > t and some <= t (P(U > t) = {Fb})")
    q = np.where(above, p * (m / Fb), p * ((1 - m) / F))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * (np.log(q) - np.log(np.where(p > 0, p, 1.0))), 0.0)
    kl = float(terms.sum())
    mu = float(q @ u)
    return TrajectoryReweighting(
        weights=q, mass=m, mean_U=mu, mean_V=None if v is None else float(q @ v), kl=max(kl, 0.0),
        base_mean_U=float(p @ u), base_mean_V=None if v is None else float(p @ v), value=mu,
    )
