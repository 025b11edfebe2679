"""The "names users will type" of DESIGN.md run as written, and give the right numbers."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

import cogpower as cp
import goodhart as gh
import powerseek as ps


def test_cogpower_lines():
    assert cp.critical_power(alpha=0.5) == 2.0
    times = cp.IndependentSteps(alpha=1.0, power=0.5).simulate(n=1000, tasks=10_000, rng=0)
    assert times.shape == (10_000,) and np.all(times >= 1000)  # every subtask takes at least 1


def test_goodhart_lines():
    # Theorem 5: heavy (t3) error, normal V -> E[V | U >= t] -> E[V] = 0, like Var(V) * hazard = 3/t
    v = gh.conditional_mean(stats.norm(), stats.t(3), t=50.0, method="quad").value
    assert 0 < v < 0.07
    dep = gh.Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2) if abs(v) <= 1 else gh.point_mass(0.0))
    res = gh.conditional_mean(dep, t=20.0)
    assert -1 <= res.value <= 1 and math.isfinite(res.value)  # V | U >= t lives on the |V| <= 1 route
    bon = gh.best_of_n(stats.norm(0, 2), stats.norm(), n=65_536, method="quad")
    # regressional identity (Gao et al.): E[V | U = u] = u s_V^2 / (s_V^2 + s_X^2) = 0.8 u
    assert abs(bon.utility - 0.8 * bon.proxy) < 1e-9 * bon.proxy
    kl = gh.kl_construction(stats.t(3), t=100.0, c=1.0, exponent=0.8)
    q, m = stats.t(3), 100.0**-0.8
    assert math.isclose(kl.kl, (1 - m) * math.log((1 - m) / q.cdf(100)) + m * math.log(m / q.sf(100)), rel_tol=1e-12)
    data = gh.load_rewards("random")
    x = data - data.mean()
    h = gh.hill(x[x > 0], k=172)
    assert math.isclose(h.stderr, h.value / math.sqrt(172), rel_tol=1e-12)


def test_powerseek_lines():
    mdp = ps.MDP.from_successors({"1": ["2", "3"], "2": ["2"], "3": ["3"]})
    assert list(mdp.states) == ["1", "2", "3"]
    mdp = ps.examples.turner_fig1()
    res = ps.power(mdp, gamma=0.5, rewards=ps.iid(stats.uniform()), samples=100_000, rng=0)
    exact = (2 / 3 + 0.5 / 2) / (1 + 0.5)  # POWER(l_sw) = (2/3 + g/2)/(1 + g), Turner et al. Fig. 3
    assert abs(res["l_sw"].value - exact) < 5 * res["l_sw"].stderr
    assert res.value.shape == res.stderr.shape == (len(mdp.states),)
    p = ps.optimality_probability(mdp, state="star", successor="empty", gamma=0.5, samples=20_000, rng=0)
    assert 0 < p.value < 1 and p.stderr > 0
