"""AUP agents and power-averse rewards: a hand-solved two-state case, lam = 0 reduces to the
optimal agent (checked against the package's own solvers and optimality probability), and the
large-lam limits; the policy iteration that solves the AUP MDP (rewards on states and actions)
against value iteration."""

from __future__ import annotations

import numpy as np
import pytest

import tailpower

import powerseek as ps
from powerseek import aup
from powerseek._figures_aup import fig1_with_noop


def _two_state():
    """A (stay or go to B), B absorbing."""
    return ps.MDP.from_successors({"A": ["A", "B"], "B": ["B"]})


@pytest.mark.parametrize("gamma", [0.5, 0.9])
def test_two_state_penalty_and_threshold(gamma):
    """Aux reward R1 = 1{B}: V1(B) = 1/(1-g), V1(A) = g/(1-g), so |Q1(A, go) - Q1(A, stay)| =
    g/(1-g) - g^2/(1-g) = g. With R = 1{B} the AUP agent goes iff g/(1-g) - lam g > 0 (staying is
    worth 0), i.e. lam < 1/(1-g)."""
    mdp = _two_state()
    r = np.array([0.0, 1.0])
    thr = 1 / (1 - gamma)
    for lam, act in ((0.98 * thr, "B"), (1.02 * thr, "A")):
        pol = ps.aup_policy(mdp, r, [[0.0, 1.0]], lam, gamma, noop="self")
        go = mdp.action_index("A", "B")
        assert pol.penalty[0, go] == pytest.approx(lam * gamma, rel=1e-12)
        assert pol.penalty[0, mdp.action_index("A", "A")] == 0.0
        assert pol.actions[0] == act
        assert pol.values[0] == pytest.approx(max(gamma * thr - lam * gamma, 0.0), abs=pol.bound)


def test_lam_zero_is_the_optimal_policy():
    """lam = 0: the AUP values are V*_R from the package's policy iteration, within both bounds."""
    mdp = ps.MDP.gridworld(4, 4)
    rng = np.random.default_rng(3)
    r = rng.random(16)
    pol = ps.aup_policy(mdp, r, rng.random((3, 16)), 0.0, 0.9)
    ref = ps.policy_iteration(mdp, r, 0.9)
    assert np.max(np.abs(pol.values - ref.values)) <= pol.bound + ref.bound
    q = ps.q_values(mdp, ref.values, r, 0.9)  # (S, A), -inf for absent actions
    chosen = np.take_along_axis(q, pol.policy[:, None], axis=1)[:, 0]
    assert np.all(chosen >= q.max(axis=1) - 2 * 0.9 * (pol.bound + ref.bound))


def test_frequencies_at_lam_zero_agree():
    """The same reward samples (same seed) through two solvers (AUP's policy iteration with entry
    rewards, the package's policy iteration for state rewards) give identical choices at lam = 0, and those agree with
    optimality_probability within 4 standard errors."""
    mdp = fig1_with_noop()
    a = ps.aup_action_frequencies(mdp, "star", [0.0], 0.9, samples=3000, rng=11, noop="self", power_samples=2000)
    b = ps.power_averse_frequencies(mdp, "star", [0.0], 0.9, samples=3000, rng=11, power_samples=2000)
    assert np.array_equal(a.frequency, b.frequency)
    est = ps.optimality_probability(mdp, "star", "r", gamma=0.9, samples=20_000, rng=5)
    se = np.hypot(a.stderr[0, a.actions.index("r")], est.stderr)
    assert abs(a["r"][0] - est.value) <= 4 * se


def test_large_lam_limits():
    """AUP: the penalty dominates and the no-op is taken for every reward; power-averse: the
    policy minimises discounted POWER, so the lowest-POWER successor ('empty') is always chosen,
    and on the Pac-Man grid the agent always shuts itself off."""
    mdp = fig1_with_noop()
    a = ps.aup_action_frequencies(mdp, "star", [1e4], 0.9, samples=500, rng=1, noop="self", power_samples=2000)
    assert a["star"][0] == 1.0
    p = ps.power_averse_frequencies(mdp, "star", [50.0], 0.9, samples=500, rng=1, power_samples=4000)
    assert p.actions[int(np.argmin(p.successor_power))] == "empty" and p["empty"][0] == 1.0
    off = ps.power_averse_frequencies(ps.examples.pacman_shutdown(), "0,0", [50.0], 0.9, samples=500, rng=2,
                                      power_samples=4000)
    assert off["off"][0] == 1.0


@pytest.mark.parametrize("mdp", [ps.MDP.gridworld(3, 3), ps.MDP.gridworld(3, 3, slip=0.2)], ids=["det", "slip"])
@pytest.mark.parametrize("gamma", [0.5, 0.99])
def test_policy_iteration_agrees_with_value_iteration(monkeypatch, mdp, gamma):
    """Entry-reward policy iteration (functional-graph evaluation on the deterministic grid, dense
    solves on the slippery one) and value iteration give values within the sum of their bounds and
    the same actions (random rewards: no ties); the certified bound of the exact evaluation is far
    below value iteration's 1e-10 at gamma = 0.5 and 0.99."""
    rng = np.random.default_rng(7)
    r, aux = rng.random(9), rng.random((3, 9))
    out = {}
    for m in ("vi", "pi"):
        monkeypatch.setattr(aup, "_SOLVER", m)
        out[m] = ps.aup_policy(mdp, r, aux, 0.7, gamma)
    vi, pi = out["vi"], out["pi"]
    assert np.max(np.abs(vi.values - pi.values)) <= vi.bound + pi.bound
    assert vi.actions == pi.actions
    assert pi.bound <= 2e-12 and vi.bound == pytest.approx(1e-10)
    assert np.array_equal(vi.penalty, pi.penalty)


@pytest.mark.parametrize("case", ["fig1", "pacman"])
def test_frequencies_same_under_both_solvers(monkeypatch, case):
    """The figure configurations (Fig. 1 with a no-op at 'star', the Pac-Man grid at '0,0') at gamma
    = 0.97: policy iteration and value iteration choose the same actions for every sample and lam."""
    mdp, state = (fig1_with_noop(), "star") if case == "fig1" else (ps.examples.pacman_shutdown(), "0,0")
    freq = {}
    for m in ("vi", "auto"):
        monkeypatch.setattr(aup, "_SOLVER", m)
        freq[m] = ps.aup_action_frequencies(mdp, state, [0.0, 0.3, 3.0], 0.97, samples=150, rng=4, noop="self",
                                            power_samples=200).frequency
    assert np.array_equal(freq["vi"], freq["auto"])


def test_work_estimate_follows_the_solver(monkeypatch):
    """At gamma = 0.999, 2000 samples x 10 lams: value iteration (~7,000 sweeps per solve) is above
    the work limit, policy iteration (a handful of O(E) improvement steps) is not; the estimate
    names the parameter."""
    mdp = ps.examples.pacman_shutdown()
    aup._check_size(mdp, 2000, 10, 5, 0.999)
    monkeypatch.setattr(aup, "_SOLVER", "vi")
    with pytest.raises(tailpower.BudgetError, match="^samples: "):
        aup._check_size(mdp, 2000, 10, 5, 0.999)


def test_near_one_lam_zero_is_the_optimal_agent():
    """gamma = 1 - 1e-4 (value iteration: ~1e5 sweeps): lam = 0 still gives the frequencies of the
    optimal agent (the package's state-reward policy iteration, same seed)."""
    mdp = ps.examples.pacman_shutdown()
    a = ps.aup_action_frequencies(mdp, "0,0", [0.0], 1 - 1e-4, samples=200, rng=0, noop="self", power_samples=200)
    b = ps.power_averse_frequencies(mdp, "0,0", [0.0], 1 - 1e-4, samples=200, rng=0, power_samples=200)
    assert np.array_equal(a.frequency, b.frequency)


@pytest.mark.parametrize("call, name", [
    (lambda m: ps.aup_policy(m, [0.0, 1.0], [[0.0, 1.0]], 1.0, 0.9, noop="stay"), "noop"),
    (lambda m: ps.aup_policy(m, [0.0, 1.0], [[0.0, 1.0]], -1.0, 0.9, noop="self"), "lam"),
    (lambda m: ps.aup_policy(m, [0.0, 1.0, 2.0], [[0.0, 1.0]], 1.0, 0.9, noop="self"), "reward"),
    (lambda m: ps.aup_policy(m, [0.0, 1.0], [[0.0]], 1.0, 0.9, noop="self"), "aux_rewards"),
    (lambda m: ps.aup_policy(m, [0.0, 1.0], [[0.0, 1.0]], 1.0, 1.0, noop="self"), "gamma"),
    (lambda m: ps.aup_action_frequencies(m, "A", [0.0, float("nan")], 0.9, noop="self"), "lam"),
    (lambda m: ps.power_averse_frequencies(m, "C", [0.0], 0.9), "state"),
])
def test_bad_input_is_named(call, name):
    with pytest.raises(ValueError, match=f"^{name}: "):
        call(_two_state())


def test_the_kernel_warmup_matches_the_call(monkeypatch):
    """numba compiles one version per argument types (read-only arrays apart): the warm-up of the
    entry-reward policy iteration must pass the types aup passes, or a cold session compiles twice."""
    import numba

    from powerseek import _aup_kernels

    seen: dict = {}
    phase = ["warmup"]
    real = _aup_kernels._pi_entry_functional

    def call(*args):
        seen.setdefault(phase[0], set()).add(tuple(numba.typeof(a) for a in args))
        return real(*args)

    monkeypatch.setattr(_aup_kernels, "_pi_entry_functional", call)
    _aup_kernels.warmup()
    phase[0] = "use"
    ps.aup_policy(ps.MDP.gridworld(2, 2), [0.0, 1.0, 0.5, 0.2], [[1.0, 0.0, 0.0, 0.0]], 0.5, 0.9)
    ps.aup_action_frequencies(fig1_with_noop(), "star", [0.0, 1.0], 0.9, samples=4, rng=0, noop="self",
                              power_samples=10)
    assert seen["use"] and seen["use"] <= seen["warmup"], seen["use"] - seen["warmup"]
