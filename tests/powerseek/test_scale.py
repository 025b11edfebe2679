"""Sparse MDPs and policy iteration: the new storage equals the dense one, policy iteration agrees
with value iteration within their error bounds, the greedy policies are optimal."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import powerseek as ps
import tailpower
from powerseek.strategies import deterministic_mdps, gammas, reward_vectors, stochastic_mdps


def _dense_gridworld(rows, cols, walls=(), terminal=(), slip=0.0, stay=True):
    """The gridworld built cell by cell through the dense constructor (the old builder's loop)."""
    cells = [(r, c) for r in range(rows) for c in range(cols) if (r, c) not in set(walls)]
    idx = {cell: i for i, cell in enumerate(cells)}
    moves = {"N": (-1, 0), "S": (1, 0), "E": (0, 1), "W": (0, -1)}
    perp = {"N": ("E", "W"), "S": ("E", "W"), "E": ("N", "S"), "W": ("N", "S")}

    def dest(cell, m):
        return idx.get((cell[0] + moves[m][0], cell[1] + moves[m][1]), idx[cell])

    S = len(cells)
    T = np.zeros((S, 5, S))
    mask = np.zeros((S, 5), dtype=bool)
    actions = []
    for i, cell in enumerate(cells):
        acts = []
        if cell in terminal:
            T[i, 0, i], mask[i, 0] = 1.0, True
            actions.append(("stay",))
            continue
        for m in moves:
            if slip == 0.0 and dest(cell, m) == i:
                continue
            a = len(acts)
            T[i, a, dest(cell, m)] += 1.0 - slip
            for p in perp[m] if slip else ():
                T[i, a, dest(cell, p)] += slip / 2
            mask[i, a] = True
            acts.append(m)
        if stay or not acts:
            a = len(acts)
            T[i, a, i], mask[i, a] = 1.0, True
            acts.append("stay")
        actions.append(tuple(acts))
    return ps.MDP([f"{r},{c}" for r, c in cells], T, mask, actions)


@pytest.mark.parametrize("kw", [{}, {"slip": 0.2}, {"walls": [(1, 1)], "terminal": [(0, 3)], "slip": 0.1},
                                {"stay": False, "walls": [(0, 1), (1, 0)]}])
def test_sparse_gridworld_equals_the_dense_construction(kw):
    sparse = ps.MDP.gridworld(3, 4, **kw)
    dense = _dense_gridworld(3, 4, **kw)
    assert sparse == dense and hash(sparse) == hash(dense)
    np.testing.assert_array_equal(sparse.transitions, dense.transitions)
    np.testing.assert_array_equal(sparse.action_mask, dense.action_mask)
    assert pickle.loads(pickle.dumps(sparse)) == sparse  # a pickled copy compared unequal before
    assert sparse != ps.MDP.gridworld(3, 4, slip=0.3)


def test_large_gridworld_is_sparse_and_solvable_in_a_small_budget():
    """A 150 x 150 gridworld (22,500 states) needed 20 GB dense; sparse it fits 64 MiB and POWER
    at gamma = 0.99 (policy iteration) stays in [0, 1] for U(0, 1) rewards."""
    with tailpower.set_memory_budget("64MiB"):
        mdp = ps.MDP.gridworld(150, 150)
        res = ps.power(mdp, 0.99, samples=4, rng=0)
        with pytest.raises(tailpower.BudgetError, match="^mdp: the dense 22500 x 5 x 22500"):
            mdp.transitions
    assert res.method == "pi" and res.bound <= 1e-9
    assert np.all((res.value >= 0) & (res.value <= 1))
    assert sum(a.nbytes for a in mdp.csr) < 8 * 6 * 5 * mdp.n_states


def test_from_arrays_layouts():
    rng = np.random.default_rng(0)
    T = rng.dirichlet(np.ones(4), size=(4, 2))  # (S, A, S) = (4, 2, 4)
    a = ps.MDP.from_arrays(T)
    assert a == ps.MDP.from_arrays(T.transpose(1, 0, 2)) == ps.MDP.from_arrays(T.transpose(1, 0, 2), layout="ASS")
    sq = rng.dirichlet(np.ones(3), size=(3, 3))  # A == S: both readings fit
    with pytest.raises(ValueError, match="^layout: transitions of shape \\(3, 3, 3\\)"):
        ps.MDP.from_arrays(sq)
    assert ps.MDP.from_arrays(sq, layout="ASS") == ps.MDP.from_arrays(sq.transpose(1, 0, 2), layout="SAS")
    assert ps.MDP.from_arrays(sq, layout="ASS") != ps.MDP.from_arrays(sq, layout="SAS")
    with pytest.raises(ValueError, match="^layout: 'SAS' needs transitions of shape \\(S, A, S\\)"):
        ps.MDP.from_arrays(T.transpose(1, 0, 2), layout="SAS")
    with pytest.raises(ValueError, match="^layout: expected one of"):
        ps.MDP.from_arrays(T, layout="SSA")
    bad = T.copy()
    bad[1, 0] *= 0.9
    with pytest.raises(ValueError, match="^transitions: row of state '1', action 0 sums to 0.9"):
        ps.MDP.from_arrays(bad)


@settings(max_examples=25, deadline=None)
@given(st.one_of(deterministic_mdps(max_states=7), stochastic_mdps(max_states=6)),
       st.one_of(gammas(), st.sampled_from([0.99, 0.999, 1 - 1e-6])), st.data())
def test_policy_iteration_agrees_with_value_iteration_within_bounds(mdp, gamma, data):
    """Policy iteration (functional graphs / dense solves) against the reference value iteration:
    |V_pi - V_vi| <= bound_pi + bound_vi; the policies returned are optimal, i.e. their exact values
    (sparse LU, policy_value) are within 2 gamma bound / (1 - gamma) of V*."""
    R = np.array([data.draw(reward_vectors(mdp.n_states)) for _ in range(3)])
    pi = ps.policy_iteration(mdp, R, gamma, eps=1e-9)
    assert pi.method == "pi" and pi.values.shape == R.shape
    if gamma <= 0.999:
        vi = ps.value_iteration(mdp, R, gamma, eps=1e-9, method="vi")
        slack = 1e-12 * (1 + np.abs(vi.values).max())
        assert np.abs(vi.values - pi.values).max() <= vi.bound + pi.bound + slack
    for k in range(3):
        pos = [int(np.searchsorted(mdp.valid_columns(s), pi.policy[k, s])) for s in range(mdp.n_states)]
        Vp = ps.policy_value(mdp, pos, R[k], gamma)
        tol = 2 * gamma * pi.bound / (1 - gamma) + pi.bound + 1e-9 * (1 + np.abs(Vp).max())
        assert np.all(np.abs(Vp - pi.values[k]) <= tol)


@given(deterministic_mdps(), st.sampled_from([0.5, 0.99]), st.data())
def test_policy_iteration_batched_equals_per_sample(mdp, gamma, data):
    R = np.array([data.draw(reward_vectors(mdp.n_states)) for _ in range(3)])
    batch = ps.policy_iteration(mdp, R, gamma)
    for k in range(3):
        one = ps.policy_iteration(mdp, R[k], gamma)
        np.testing.assert_array_equal(batch.values[k], one.values)
        np.testing.assert_array_equal(batch.policy[k], one.policy)


def test_functional_graph_values_closed_form():
    """A ring of L states with rewards r_j: V(c_0) = sum_j gamma^j r_j / (1 - gamma^L) (one action
    each); near gamma = 1 the exact evaluation keeps its digits where 1e9 sweeps would be needed."""
    L = 7
    mdp = ps.MDP.from_successors({str(i): [str((i + 1) % L)] for i in range(L)})
    r = np.arange(1.0, L + 1)
    for gamma in (0.3, 0.99, 1 - 1e-9):
        res = ps.policy_iteration(mdp, r, gamma)
        g = np.float64(gamma)
        expect = sum(g**j * r[j] for j in range(L)) / -np.expm1(L * np.log1p(g - 1))
        assert res.values[0] == pytest.approx(expect, rel=1e-14)
        # a residual certificate cannot beat ulp(V) / (1 - gamma) (V is stored in float64)
        assert res.bound <= 64 * np.finfo(float).eps / (1 - gamma) * expect


def test_auto_method_is_reported():
    grid = ps.MDP.gridworld(10, 10)
    R = np.random.default_rng(1).random((3, 100))
    assert ps.value_iteration(grid, R, 0.99).method == "pi"
    assert ps.value_iteration(grid, R, 0.99, method="vi").method == "vi"
    assert ps.power(grid, 0.99, samples=10, rng=0).method == "pi"
    assert ps.power_curve(grid, [0.9, 0.99], samples=10, rng=0).method == "pi"
    assert ps.optimality_probability(grid, "0,0", action="S", gamma=0.99, samples=10, rng=0).method == "pi"
    stoch = ps.examples.aima_4x3(0.2)
    assert ps.value_iteration(stoch, R[:, :11], 0.5).method == "vi"  # a few sweeps: cheaper


def test_sparse_lu_policy_iteration_matches_value_iteration(monkeypatch):
    """Stochastic MDPs above 3000 states evaluate each policy by a SuperLU factorisation; forced
    here on small ones and checked against value iteration within both bounds."""
    from powerseek import _policy_iteration

    monkeypatch.setattr(_policy_iteration, "MAX_DENSE", 0)
    rng = np.random.default_rng(7)
    for seed in range(3):
        mdp = ps.MDP.from_arrays(np.random.default_rng(seed).dirichlet(np.ones(8) * 0.3, size=(8, 3)))
        R = rng.normal(size=(3, 8))
        for gamma in (0.9, 0.999):
            pi = ps.policy_iteration(mdp, R, gamma)
            vi = ps.value_iteration(mdp, R, gamma, eps=1e-9, method="vi")
            assert np.abs(pi.values - vi.values).max() <= pi.bound + vi.bound + 1e-12 * np.abs(vi.values).max()
            np.testing.assert_array_equal(pi.policy, vi.policy)
