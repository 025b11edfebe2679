"""goodhart: catastrophic regressional Goodhart.

Selecting on a proxy U = V + X (true utility V, error X): conditioning E[V | U >= t], best-of-N
selection and KL-regularised optimisation, and tail diagnostics of real reward-model outputs.
Heavy- versus light-tailed error decides whether V follows U or falls back to E[V]
(Kwa & Thomas 2023; Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503).
"""

# --- selection: distributions, dependent errors, conditioning, best-of-N ---
from .model import FAMILIES, Dependent, Family, PointMass, family, point_mass  # noqa: E402
from .conditional import ConditionalMean, conditional_mean, log_tail_probability, sample_conditional  # noqa: E402
from .best_of_n import BestOfN, BestOfNPeak, BestOfNTable, best_of_n, best_of_n_table, bon_kl  # noqa: E402

# --- KL-regularised optimisation and reward-model tails ---
from .kl import (  # noqa: E402
    HeavyTailError,
    KLConstruction,
    KLOptimum,
    TrajectoryReweighting,
    kl_construction,
    kl_optimum,
    mgf_diverges,
    reweight_trajectories,
)
from .detectability import (  # noqa: E402
    Detectability,
    detectability,
    detection_asymptote,
    rollouts_to_detect,
    threshold_policy,
)
from ._detection_mc import DetectionMC, simulate_detection  # noqa: E402
from .tails import (  # noqa: E402
    BootstrapCI,
    HillPath,
    TailEstimate,
    TailReport,
    bootstrap,
    hill,
    hill_path,
    hill_plot,
    load_rewards,
    moment,
    pickands,
    tail_report,
)

from tailpower import __version__  # noqa: E402,F401 -- one version for the whole distribution
