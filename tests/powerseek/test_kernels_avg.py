"""The helpers of the gamma = 1 policy-iteration kernels (powerseek._kernels_avg) against numpy,
the dense kernel against the functional-graph one on deterministic MDPs, and the warm-up of the
kernels against the calls the package makes."""

from __future__ import annotations

import numpy as np

from powerseek import _kernels_avg, _kernels_avg_dense, average
from powerseek._kernels_avg import _by_decreasing_gain
from powerseek.model import MDP


def test_states_by_decreasing_gain_is_numpys_stable_argsort():
    rng = np.random.default_rng(0)
    for n in [*range(0, 20), 64, 65, 1000]:
        for g in (rng.random(n), rng.choice([0.0, -0.0, 0.5, 1.0], n), np.zeros(n)):
            assert np.array_equal(_by_decreasing_gain(g), np.argsort(-g, kind="mergesort")), (n, g)


def test_dense_kernel_agrees_with_the_functional_graph_kernel():
    """Blackwell policy iteration on a deterministic gridworld by the two kernels: the functional
    one (O(S) evaluations on the policy's graph) and the dense one (P* and LU of I - P + P*), fed
    the same MDP. Gains agree within both bounds, biases to rounding, and the optimal actions at a
    state agree exactly (ties included: rewards in {0, 1})."""
    grid = MDP.gridworld(3, 3, stay=True)
    S = grid.n_states
    rng = np.random.default_rng(1)
    R = np.vstack([rng.random((20, S)), rng.choice([0.0, 1.0], size=(20, S))])
    K = R.shape[0]
    G1, H1, _, it1, opt1, bound = average.solve(grid, R, True, query=4)
    assert np.all(it1 > 0)
    act_ptr, _, tr_ptr, nxt, prob = grid.csr
    G2, H2 = np.empty((K, S)), np.empty((K, S))
    pol = np.full((K, S), -1, dtype=np.int64)
    opt2 = np.zeros_like(opt1)
    it2, err = np.empty(K, dtype=np.int64), np.empty(K)
    _kernels_avg_dense.blackwell_dense(R, act_ptr, tr_ptr, nxt, prob, np.asarray(grid.entry_state), S, average.MAX_ITER,
                                       average.TAU, 4, G2, H2, pol, opt2, it2, err)
    assert np.all(it2 > 0)
    np.testing.assert_allclose(G2, G1, rtol=0, atol=bound + float(np.max(err)) * 2 + 1e-13)
    np.testing.assert_allclose(H2, H1, rtol=0, atol=1e-9)
    assert np.array_equal(opt1, opt2)


def test_the_warmup_compiles_the_kernel_versions_the_package_calls(monkeypatch):
    """numba compiles one version of a kernel per argument types, read-only arrays apart: the
    warm-up (run once per test session) must pass the types the package passes -- it used to pass
    writable structure arrays where the MDP's are read-only, so five kernels compiled twice."""
    import numba

    from powerseek import _kernels, _kernels_pi, _multiagent_kernels, examples, multiagent
    from powerseek import power as ps_power
    from powerseek import solvers

    kernels = [(_kernels, "_value_iteration"), (_kernels, "_karp_max_mean"), (_kernels, "_lexicographic_best"),
               (_kernels_pi, "_pi_functional"), (_kernels_pi, "_bellman_residual"),
               (_kernels_avg, "blackwell_functional"),
               (_kernels_avg_dense, "blackwell_dense"), (_multiagent_kernels, "_masked_value_iteration")]
    seen: dict = {}
    phase = ["warmup"]

    def recorder(name, real):
        def call(*args):
            seen.setdefault((phase[0], name), set()).add(tuple(numba.typeof(a) for a in args))
            return real(*args)
        return call

    for mod, name in kernels:
        monkeypatch.setattr(mod, name, recorder(name, getattr(mod, name)))
    _kernels.warmup()
    phase[0] = "use"
    rng = np.random.default_rng(0)
    det, sto = examples.turner_fig1(), MDP.gridworld(2, 2, slip=0.1, stay=True)
    for m in (det, sto):
        R = rng.random((2, m.n_states))
        solvers.value_iteration(m, R, 0.9, method="vi")
        solvers.policy_iteration(m, R, 0.9)
        average.average_optimal(m, R)
    solvers.max_gain(det, rng.random((2, 8)), method="karp")
    solvers.limit_optimal_actions(det, "star", rng.random(8), "zero")
    ps_power(det, 0.9, samples=10, rng=0)
    multiagent.power_with_reward(multiagent.joint([MDP.gridworld(1, 2)] * 2, collide=True), 0.9, samples=4, rng=0)
    for _, name in kernels:
        used = seen.get(("use", name), set())
        assert used, f"{name} was not called"
        assert used <= seen[("warmup", name)], (name, used - seen[("warmup", name)])
