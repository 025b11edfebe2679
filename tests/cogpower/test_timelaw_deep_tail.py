"""A general time law with a small power: the fastest approach's survival probability u^(1/k)
underflows (k = 0.01: for u < 6e-4), where isf(0) = inf gave infinite task times although every
draw is finite. time = expon(loc 1): sf_min(t) = e^{-k (t - 1)}, so T = 1 + Exp(rate k)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import cogpower as cp
from cogpower._timelaw import _isf_log


def test_isf_in_log_space_matches_the_closed_form():
    logp = np.array([-700.0, -1e4, -7e4, -1e300])
    t = _isf_log(stats.expon(1), logp)
    np.testing.assert_allclose(t[:3], 1 - logp[:3], rtol=1e-13)
    assert t[3] == pytest.approx(1e300, rel=1e-12)
    # beyond the float range only where the true time is: pareto(1) at sf = e^-1e4 is e^1e4
    assert _isf_log(stats.pareto(1.0), np.array([-1e4]))[0] == math.inf
    with pytest.raises(ValueError, match="^time: "):  # gamma's logsf is log(sf): -inf below 1e-308
        _isf_log(stats.gamma(2), np.array([-800.0]))


def test_small_power_sums_are_finite_and_right():
    m = cp.IndependentSteps(power=0.01, time=stats.expon(1))
    assert m.mean_subtask_time == pytest.approx(101.0, rel=1e-9)
    s = m.simulate(10, 2000, rng=0)
    assert np.all(np.isfinite(s))
    se = math.sqrt(10) * 100 / math.sqrt(2000)  # sd of a sum of 10 Exp(0.01) is sqrt(10) * 100
    assert abs(s.mean() - 1010.0) <= 4 * se
