"""Importers (Gymnasium, pymdptoolbox, QuantEcon), MDP files, and cross-checks of our solvers
against pymdptoolbox's and QuantEcon's own."""

import warnings

import numpy as np
import pytest

import powerseek as ps


def _gym():
    gym = pytest.importorskip("gymnasium")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    return gym


@pytest.mark.parametrize("name, kw, S, deterministic", [
    ("FrozenLake-v1", {"map_name": "8x8"}, 64, False),
    ("FrozenLake-v1", {"is_slippery": False}, 16, True),
    ("CliffWalking-v1", {}, 48, True),
    ("Taxi-v4", {}, 500, True),
])
def test_gymnasium_toy_text_keeps_state_order_and_absorbs_terminals(name, kw, S, deterministic):
    gym = _gym()
    env = gym.make(name, **kw)
    mdp = ps.MDP.from_gymnasium(env)
    P = env.unwrapped.P
    assert mdp.n_states == S and mdp.is_deterministic == deterministic and mdp.states[5] == "5"
    terminal = {t for s in P for a in P[s] for p, t, _, done in P[s][a] if done and p > 0}
    for s in range(S):
        if s in terminal:
            assert mdp.actions[s] == ("stay",) and mdp.successors(s) == (str(s),)
            continue
        for a in P[s]:
            nxt, prob = mdp.row(s, a)
            want = {}
            for p, t, _, _ in P[s][a]:
                want[int(t)] = want.get(int(t), 0.0) + p
            want = {t: p for t, p in want.items() if p > 0}
            assert dict(zip(nxt.tolist(), prob.tolist())) == pytest.approx(want, abs=1e-15)


def test_gymnasium_frozenlake_power_is_largest_away_from_holes():
    """With holes and the goal absorbing, POWER at gamma = 0.9 is lowest in the holes (they only
    keep their own reward: E = 1/2) and higher in open cells."""
    gym = _gym()
    mdp = ps.MDP.from_gymnasium(gym.make("FrozenLake-v1"))
    res = ps.power(mdp, 0.9, samples=2000, rng=0)
    holes = [5, 7, 11, 12]
    for h in holes:
        assert abs(res.value[h] - 0.5) <= 5 * res.stderr[h]
    assert res.value[0] > res.value[holes].max()


def test_bad_environments_are_named():
    class NoTable:
        unwrapped = object()

    with pytest.raises(ValueError, match="^env: NoTable has no transition table env.unwrapped.P"):
        ps.MDP.from_gymnasium(NoTable())
    with pytest.raises(ValueError, match="^env: "):
        ps.MDP.from_gymnasium({0: {0: [(0.5, 0, 0.0, False)]}})  # sums to 1/2
    with pytest.raises(ValueError, match="^env: env.unwrapped.P\\[0\\]\\[0\\] moves to 3"):
        ps.MDP.from_gymnasium({0: {0: [(1.0, 3, 0.0, False)]}})


def test_pymdptoolbox_and_quantecon_solvers_agree_with_ours():
    """Values within our bound (plus rounding) and identical greedy policies, on pymdptoolbox's
    random MDP (dense and sparse), through both importers, at three discount rates."""
    warnings.filterwarnings("ignore")
    mdpsolve = pytest.importorskip("mdptoolbox.mdp")
    from mdptoolbox import example as mdpex

    qe = pytest.importorskip("quantecon.markov")
    np.random.seed(0)  # pymdptoolbox draws from numpy's global stream
    P, _ = mdpex.rand(30, 4)
    Psp, _ = mdpex.rand(25, 3, is_sparse=True)
    r = np.random.default_rng(0).random(30)
    mdp = ps.MDP.from_pymdptoolbox(P)
    assert ps.MDP.from_pymdptoolbox(list(P)) == mdp
    assert ps.MDP.from_pymdptoolbox(Psp).n_states == 25
    for gamma in (0.5, 0.9, 0.99):
        ours = ps.policy_iteration(mdp, r, gamma)
        vi = ps.value_iteration(mdp, r, gamma, method="vi")
        their = mdpsolve.PolicyIteration(P, r, gamma)
        their.run()
        tol = ours.bound + 1e-12 * np.abs(ours.values).max()
        assert np.abs(np.asarray(their.V) - ours.values).max() <= tol
        np.testing.assert_array_equal(np.asarray(their.policy), ours.policy)
        np.testing.assert_array_equal(vi.policy, ours.policy)
        ddp = qe.DiscreteDP(np.repeat(r[:, None], 4, axis=1), P.transpose(1, 0, 2), gamma)
        assert ps.MDP.from_quantecon(ddp) == mdp
        res = ddp.solve(method="policy_iteration")
        assert np.abs(res.v - ours.values).max() <= tol
        np.testing.assert_array_equal(res.sigma, ours.policy)
    # state-action-pair form with an infeasible action, and product form with -inf rewards
    sa = qe.DiscreteDP([5.0, 10.0, -1.0], [(0.5, 0.5), (0.0, 1.0), (0.0, 1.0)], 0.95, [0, 0, 1], [0, 1, 0])
    prod = qe.DiscreteDP(np.array([[5.0, 10.0], [-1.0, -np.inf]]), np.array([[(0.5, 0.5), (0, 1)], [(0, 1), (0.5, 0.5)]]), 0.95)
    assert ps.MDP.from_quantecon(sa) == ps.MDP.from_quantecon(prod)
    assert ps.MDP.from_quantecon(sa).actions == (("0", "1"), ("0",))
    bad = P.copy()
    bad[1, 3] *= 0.5
    with pytest.raises(ValueError, match="^P: row of state '3', action 1 sums to"):
        ps.MDP.from_pymdptoolbox(bad)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_save_load_round_trip_and_nothing_overwritten(tmp_path, suffix):
    for mdp in (ps.examples.turner_fig1(), ps.MDP.gridworld(5, 4, slip=0.3, walls=[(1, 1)]),
                ps.MDP.from_arrays(np.random.default_rng(2).dirichlet(np.ones(6) * 0.3, size=(6, 2)))):
        path = mdp.save(tmp_path / f"m{suffix}")
        back = ps.MDP.load(path)
        assert back == mdp and back.actions == mdp.actions and hash(back) == hash(mdp)
        assert mdp.save(path) == path  # our own file: replaced
    mine = tmp_path / f"user{suffix}"
    mine.write_text("a user's data")
    with pytest.raises(ValueError, match="^path: .* exists and is not an MDP file written by powerseek"):
        ps.examples.wait().save(mine)
    assert mine.read_text() == "a user's data"
    with pytest.raises(ValueError, match="^path: .* is not an MDP file written by powerseek"):
        ps.MDP.load(mine)
    with pytest.raises(ValueError, match="^path: the file name must end in .npz or .json"):
        ps.examples.wait().save(tmp_path / "m.txt")
