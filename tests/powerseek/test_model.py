"""MDP model, builders, reward laws and bad input."""

import networkx as nx
import numpy as np
import pytest
from scipy import stats

import powerseek as ps


def test_fig1_structure():
    mdp = ps.examples.turner_fig1()
    assert mdp.states == ("star", "empty", "l", "l_nw", "l_sw", "r", "r_ne", "r_se")
    assert mdp.is_deterministic
    assert mdp.successors("star") == ("empty", "l", "r")
    assert mdp.actions[mdp.index("l_sw")] == ("l_sw", "l_nw")
    assert mdp.transitions.shape == (8, 3, 8)


def test_from_graph_equals_from_successors():
    g = nx.DiGraph([("1", "2"), ("1", "3"), ("2", "2"), ("3", "3")])
    a = ps.MDP.from_graph(g)
    b = ps.MDP.from_successors({"1": ["2", "3"], "2": ["2"], "3": ["3"]})
    assert a.states == b.states
    np.testing.assert_array_equal(a.transitions, b.transitions)


def test_gridworld_slip_rows_and_walls():
    g = ps.MDP.gridworld(3, 4, walls=[(1, 1)], slip=0.2)
    assert g.n_states == 11 and not g.is_deterministic
    np.testing.assert_allclose(g.transitions.sum(axis=2)[g.action_mask], 1.0)
    # moving N from the bottom-left corner: 0.8 up, 0.1 east, 0.1 west (blocked -> stay)
    s = g.index("2,0")
    a = g.action_index(s, "N")
    assert g.transitions[s, a, g.index("1,0")] == pytest.approx(0.8)
    assert g.transitions[s, a, g.index("2,1")] == pytest.approx(0.1)
    assert g.transitions[s, a, s] == pytest.approx(0.1)
    det = ps.MDP.gridworld(2, 2)
    assert det.is_deterministic and set(det.actions[det.index("0,0")]) == {"S", "E", "stay"}


def test_aima_and_pacman():
    a = ps.examples.aima_4x3()
    assert a.n_states == 11 and a.actions[a.index("1,3")] == ("stay",)
    p = ps.examples.pacman_shutdown()
    assert "off" in p.successors("0,0") and p.successors("off") == ("off",)


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: ps.MDP.from_successors({}), "successors"),  # the parameter, not "states"
        (lambda: ps.MDP.from_successors({"a": ["b"]}), "successors: 'b'"),
        (lambda: ps.MDP.from_successors({"a": []}), "successors"),
        (lambda: ps.MDP.from_successors({"a": ["a", "a"]}), "successors"),
        (lambda: ps.MDP.from_arrays(np.array([[[0.5, 0.4], [0, 0]], [[0, 1], [0, 0]]]), layout="SAS"), "transitions"),
        (lambda: ps.MDP.from_arrays(np.array([[[0.5, 0.4], [0, 0]], [[0, 1], [0, 0]]])), "layout"),  # A == S
        (lambda: ps.MDP.from_arrays(np.array([[[1.2, -0.2]], [[0, 1]]])), "transitions"),
        (lambda: ps.MDP.from_arrays(np.zeros((0, 1, 0))), "transitions"),
        (lambda: ps.MDP.from_graph(nx.DiGraph([("a", "b")])), "graph"),
        (lambda: ps.MDP.gridworld(2, 2, slip=1.0), "slip"),
    ],
)
def test_bad_mdps(build, match):
    with pytest.raises(ValueError, match=f"^{match}"):
        build()


def test_bad_calls():
    mdp = ps.examples.turner_fig1()
    for gm in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="^gamma"):
            ps.power(mdp, gm, samples=10, rng=0)
    with pytest.raises(ValueError, match="^state"):
        ps.optimality_probability(mdp, "nowhere", successor="l", gamma=0.5, samples=10, rng=0)
    with pytest.raises(ValueError, match="^successor"):
        ps.optimality_probability(mdp, "star", successor="l_sw", gamma=0.5, samples=10, rng=0)
    with pytest.raises(ValueError, match="^state"):
        ps.power(mdp, 0.5, samples=10, rng=0)["nowhere"]
    with pytest.raises(ValueError, match="^rewards"):
        ps.power(mdp, 0.5, rewards=ps.fixed([1.0, 2.0]), rng=0)
    with pytest.raises(ValueError, match="^samples"):
        ps.power(mdp, 0.5, samples=0, rng=0)
    with pytest.raises(TypeError, match="^dist"):
        ps.iid(3.0)
    with pytest.raises(ValueError, match="^rng"):
        ps.power(mdp, 0.5, samples=10, rng=-1)
    with pytest.raises(ValueError, match="^eps"):
        ps.value_iteration(mdp, np.zeros(8), 0.5, eps=0.0)


def test_reward_laws_shapes_and_reproducibility():
    mdp = ps.examples.wait()
    gen = lambda: np.random.default_rng(3)
    for law in (
        ps.iid(stats.uniform()),
        ps.independent([stats.norm(i, 1) for i in range(5)]),
        ps.independent({n: stats.expon() for n in mdp.states}),
        ps.from_callable(lambda rng, K: rng.random((K, 5))),
    ):
        a, b = law.sample(gen(), 7, mdp), law.sample(gen(), 7, mdp)
        assert a.shape == (7, 5)
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="^rewards"):
        ps.independent({"start": stats.norm()}).sample(gen(), 3, mdp)
