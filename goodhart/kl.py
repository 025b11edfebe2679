"""KL-regularised optimisation under a misspecified proxy U = V + X.

Three exact (deterministic) computations from Kwa, Thomas & Garriga-Alonso, "Catastrophic
Goodhart: regularizing RLHF with KL divergence does not mitigate heavy-tailed reward
misspecification" (arXiv 2407.14503, NeurIPS 2024; LessWrong post "Catastrophic Goodhart in RL
with KL penalty", 2024):

- :func:`kl_construction` -- Theorem 1's path P_t: for heavy-tailed Q the mean of P_t grows while
  KL(P_t || Q) -> 0 (the paper's Figure 3 uses the mass c / t**0.8 above t).
- :func:`kl_optimum` -- Theorem 4's KL-penalised optimum pi*_beta ∝ pi0 exp(U / beta) over a
  continuous base law of (V, X); E[V], E[X], E[U] and KL as functions of beta by quadrature in log
  space. A heavy-tailed U has no such optimum (the normaliser diverges): :class:`HeavyTailError`.
- :func:`reweight_trajectories` -- the RL form (Theorem 3) on a finite set of trajectories.

Everything here is quadrature or finite sums: ``stderr`` holds the quadrature error bound and
``samples`` is 0.

The computations live in ``_kl_construction`` (Theorem 1), ``_kl_optimum`` (Theorem 4),
``_kl_trajectories`` (Theorem 3) and ``_kl_mgf`` (heavy tails and the moment generating
function); this module is their public face.
"""

from __future__ import annotations

from ._kl_construction import KLConstruction, kl_construction, student_t_upper_mean  # noqa: F401 (the test oracle)
from ._kl_mgf import HeavyTailError, mgf_diverges
from ._kl_optimum import KLOptimum, kl_optimum
from ._kl_quad import check_positive_real  # noqa: F401 (kept for callers of the first version)
from ._kl_trajectories import TrajectoryReweighting, reweight_trajectories

__all__ = [
    "HeavyTailError",
    "KLConstruction",
    "KLOptimum",
    "TrajectoryReweighting",
    "kl_construction",
    "kl_optimum",
    "reweight_trajectories",
    "mgf_diverges",
]
