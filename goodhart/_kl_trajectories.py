"""Theorem 3's reweighting of a finite set of trajectories (the RL form, exact finite sums;
Kwa, Thomas & Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503, Theorem 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tailpower._common import check_memory

from tailpower._results import ResultMixin

from ._kl_quad import check_positive_real, check_real

__all__ = ["TrajectoryReweighting", "reweight_trajectories"]


@dataclass(frozen=True)
class TrajectoryReweighting(ResultMixin):
    """Theorem 3's reweighted trajectory distribution (Kwa, Thomas & Garriga-Alonso,
    arXiv 2407.14503).

    Attributes
    ----------
    weights : new trajectory probabilities q_i.
    mean_U, mean_V : E_q[U], E_q[V] (mean_V is None without true returns).
    kl : KL(q || p) = Σ q_i log(q_i / p_i), which in a deterministic MDP equals the expected sum
        over the trajectory of the per-state KL(π(s) || π0(s)) (chain rule).
    mass : the probability m = c / t**exponent that q puts above t.
    base_mean_U, base_mean_V : the same under p.
    value : mean_U.  stderr : 0 (exact finite sums).
    method, samples : "exact" and 0.

    Examples
    --------
    >>> import numpy as np
    >>> from goodhart import reweight_trajectories
    >>> r = reweight_trajectories(np.full(4, 0.25), [0.0, 1.0, 2.0, 10.0], t=5.0)
    >>> print(r)
    2.8 (exact)
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


def _real_array(name: str, value, shape=None) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected a 1-D array of real numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected a 1-D array of real numbers ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected a 1-D array of real numbers, got dtype {arr.dtype}")
    if shape is None:
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name}: expected a non-empty 1-D array, got shape {arr.shape}")
        check_memory(name, 8.0 * 8 * arr.size, f"reweighting {arr.size} trajectories")
    elif arr.shape != shape:
        raise ValueError(f"{name}: must have the shape of prob {shape}, got {arr.shape}")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: must be finite, got {arr[~np.isfinite(arr)][0]!r}")
    return arr


def _prob_vector(name: str, p) -> np.ndarray:
    arr = _real_array(name, p)
    if np.any(arr < 0):
        raise ValueError(f"{name}: must be >= 0, got {arr[arr < 0][0]!r}")
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

    m = exp(log c - exponent·log t) and the weights p_i·m/F̄(t) are formed without overflow, so
    any t > 0 and positive c, exponent with 0 < m < 1 work (m may underflow to 0: the weights
    above t are then 0 in double precision).  The KL is the closed form above (equal to
    Σ q_i log(q_i/p_i) since q_i/p_i is constant on each side).

    Parameters
    ----------
    prob : 1-D array of float
        Base-policy probabilities p_i of the trajectories (non-negative, summing to 1).
    proxy : 1-D array of float
        Proxy returns U_i, finite, of the shape of ``prob``.
    t : float
        The threshold, > 0.
    c, exponent : float
        Positive; the mass above t is m = c / t**exponent, which must lie in (0, 1).
    true : 1-D array of float, optional
        True returns V_i, finite, of the shape of ``prob``.

    Returns
    -------
    TrajectoryReweighting
        The weights q_i, E_q[U], E_q[V], KL(q || p) and the base means.

    Raises
    ------
    ValueError
        Naming the parameter, unless ``prob`` is a finite, non-negative 1-D array summing to 1
        (within 1e-9), ``proxy`` (and ``true``) are finite arrays of its shape, t > 0,
        0 < m < 1, and some trajectory with positive probability has U_i <= t and some U_i > t.
    TypeError
        Non-numeric input.

    Examples
    --------
    Four equally likely trajectories, one with a large proxy return; moving mass m = 1/t = 0.2
    onto it raises E[U] at a small KL while the true return hardly moves:

    >>> import numpy as np
    >>> r = reweight_trajectories(np.full(4, 0.25), [0.0, 1.0, 2.0, 10.0], t=5.0,
    ...                           true=[0.0, 1.0, 2.0, 0.0])
    >>> r.weights.round(4), r.mean_U, round(r.mean_V, 6), round(r.kl, 6)
    (array([0.2667, 0.2667, 0.2667, 0.2   ]), 2.8, 0.8, 0.007002)
    """
    p = _prob_vector("prob", prob)
    u = _real_array("proxy", proxy, p.shape)
    v = None if true is None else _real_array("true", true, p.shape)
    t = check_real("t", t)
    c = check_positive_real("c", c)
    exponent = check_positive_real("exponent", exponent)
    if not t > 0:
        raise ValueError(f"t: must be > c**(1/exponent) > 0, got {t!r}")
    log_m = math.log(c) - exponent * math.log(t)
    if not log_m < 0:
        bound = math.log(c) / exponent
        shown = f"{math.exp(bound):.6g}" if bound < 709 else f"exp({bound:.6g})"
        raise ValueError(f"t: must be > c**(1/exponent) = {shown} so that c/t**exponent is in (0, 1), got {t!r}")
    m = math.exp(log_m)
    above = u > t
    Fb = float(p[above].sum())
    F = float(p[~above].sum())
    if not (Fb > 0 and F > 0):
        raise ValueError(f"t: some trajectory with positive probability must have proxy return > t and some "
                         f"<= t (P(U > t) = {Fb}, P(U <= t) = {F})")
    q = np.where(above, (p / Fb) * m, (p / F) * (1 - m))
    above_term = 0.0 if m == 0 else m * (log_m - math.log(Fb))  # m log m -> 0 when m underflows
    kl = (1 - m) * (math.log1p(-m) - math.log(F)) + above_term
    mu = float(q @ u)
    return TrajectoryReweighting(
        weights=q, mass=m, mean_U=mu, mean_V=None if v is None else float(q @ v), kl=max(kl, 0.0),
        base_mean_U=float(p @ u), base_mean_V=None if v is None else float(p @ v), value=mu,
    )
