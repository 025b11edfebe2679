"""The helpers of the gamma = 1 policy-iteration kernels (powerseek._kernels_avg) against numpy,
and the dense kernel against the functional-graph one on deterministic MDPs."""

from __future__ import annotations

import numpy as np

from powerseek import _kernels_avg_dense, average
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
