"""powerseek: Turner's power-seeking results in finite MDPs, executable.

POWER_D(s, gamma) = (1 - gamma)/gamma E_{R~D}[V*_R(s, gamma) - R(s)] and the optimality probability
P_D(s, a, gamma) (Turner, Smith, Shah, Critch & Tadepalli, "Optimal Policies Tend to Seek Power",
NeurIPS 2021), with rewards on states collected from t = 0.

    import powerseek as ps
    from scipy import stats
    mdp = ps.examples.turner_fig1()
    res = ps.power(mdp, gamma=0.5, rewards=ps.iid(stats.uniform()), samples=100_000, rng=0)
    res["l_sw"], res.value, res.stderr
    ps.optimality_probability(mdp, state="star", successor="empty", gamma=0.5, samples=10_000, rng=0)

Orbit-level tendencies of retargetable decision-makers (Turner & Tadepalli 2022)::

    A, B = [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]]          # ghost vs {apple, cherry}
    t = ps.orbit_tendency(ps.decisions.optimal, A, B, [10, 5, 0])
    t.more, t.less, t.equal, t.orbit_size              # 2/3, 1/3, 0, 6

Data flow: model (:class:`MDP`, stored sparse; reward laws; importers in ``interop``) ->
``_kernels`` (numba: batched value iteration, policy iteration on functional graphs, Karp's
maximum mean cycle, lexicographic limit comparison) -> estimators (``power``, ``power_curve``,
``optimality_probability``, which choose the solver and report it) -> ``figures``.

Every public function answers or refuses with a ValueError / TypeError naming the parameter
(docs/contract.md): memory is checked against ``tailpower.set_memory_budget`` (samples are drawn
and solved in batches), and work driven by a size parameter (samples, orbits, horizons) against
:func:`set_work_limit` (default 5e9 steps of about 10 ns); discount rates too close to 1 for value
iteration go to policy iteration or are refused naming gamma.
"""

from . import average, decisions, examples, interop, limits, multiagent, orbits
from ._checks import set_work_limit, work_limit
from .aup import AUPPolicy, ActionFrequencies, aup_action_frequencies, aup_policy, power_averse_frequencies
from .average import AverageResult, average_optimal
from .model import MDP
from .power import (
    MAX_EXACT,
    PowerCurve,
    PowerResult,
    expected_max_iid,
    optimality_probability,
    power,
    power_curve,
)
from .orbits import (
    Copies,
    Counterexample,
    OrbitTendency,
    find_copies,
    is_involution,
    orbit,
    orbit_array,
    orbit_size,
    orbit_tendency,
    sample_orbit,
    search_counterexample,
)
from .rewards import RewardLaw, fixed, from_callable, iid, independent, point_mass, tabulated
from .symbolic import symbolic_optimality_probability, symbolic_power
from .solvers import (
    VIResult,
    lassos,
    limit_optimal_actions,
    max_gain,
    optimal_actions,
    policy_iteration,
    policy_value,
    q_values,
    reachable_cycles,
    value_iteration,
)

__all__ = [
    "MDP",
    "set_work_limit",
    "work_limit",
    "examples",
    "interop",
    "RewardLaw",
    "iid",
    "independent",
    "fixed",
    "tabulated",
    "point_mass",
    "from_callable",
    "VIResult",
    "value_iteration",
    "policy_iteration",
    "policy_value",
    "q_values",
    "optimal_actions",
    "reachable_cycles",
    "lassos",
    "max_gain",
    "limit_optimal_actions",
    "average",
    "AverageResult",
    "average_optimal",
    "PowerResult",
    "PowerCurve",
    "power",
    "power_curve",
    "optimality_probability",
    "MAX_EXACT",
    "symbolic_power",
    "symbolic_optimality_probability",
    "expected_max_iid",
    "AUPPolicy",
    "ActionFrequencies",
    "aup_policy",
    "aup_action_frequencies",
    "power_averse_frequencies",
    "decisions",
    "multiagent",
    "orbits",
    "orbit_size",
    "orbit",
    "orbit_array",
    "sample_orbit",
    "is_involution",
    "Copies",
    "find_copies",
    "OrbitTendency",
    "orbit_tendency",
    "Counterexample",
    "search_counterexample",
]

from tailpower import __version__  # noqa: E402,F401 -- one version for the whole distribution
