"""Building joint MDPs of two agents and the MDP one agent faces when the other's policy is fixed
(private; the public functions are in :mod:`powerseek.multiagent`).

Joint state ``(i, j)`` (agent 0 in state ``i`` of its MDP, agent 1 in state ``j`` of its own) is
named ``"(s0, s1)"``; joint action ``(a0, a1)`` is named ``"(a0, a1)"`` and sits in column
``c0 * A1 + c1`` of the joint action layout (``c0``, ``c1`` the component columns), so a state's
joint actions are ordered agent 0's action first. The joint transition of ``(a0, a1)`` is the
product law T0(i, a0, .) x T1(j, a1, .) (the agents move simultaneously and independently).
Built vectorised from every pair of component transitions (NNZ0 x NNZ1 quadruples), checked
against the memory budget first.
"""

from __future__ import annotations

import numpy as np

from tailpower._common import check_memory

from . import _build
from .model import MDP


class JointMDP(MDP):
    """A joint MDP of two agents (an ordinary :class:`MDP` whose actions are joint actions), with
    the bookkeeping :func:`powerseek.multiagent.fix_policies` needs.

    Extra attributes
    ----------------
    agents : tuple (MDP, MDP)
        The component MDPs.
    collide : bool
        Whether colliding joint actions were removed.
    pair_state : ndarray (S, 2) of int
        Component state indices of every joint state.
    pair_entry : ndarray (E, 2) of int
        Component action positions (index into ``agents[k].actions[state]``) of every joint
        action entry, in ``csr`` order.

    Parameters
    ----------
    states, transitions, action_mask, actions
        As for :class:`powerseek.MDP`; build one with :func:`powerseek.multiagent.joint`, which
        also sets the extra attributes.

    Examples
    --------
    >>> import powerseek as ps
    >>> g = ps.MDP.gridworld(1, 2)
    >>> J = ps.multiagent.joint([g, g], collide=True)
    >>> J, J.pair_state.tolist()  # two joint states: agent 0 in 0,0 and agent 1 in 0,1, or swapped
    (JointMDP(2 joint states, 4 joint actions, collide=True), [[0, 1], [1, 0]])
    """

    def __reduce__(self):
        return (_rebuild, (self.agents, self.collide))

    def __repr__(self) -> str:
        return (f"JointMDP({self.n_states} joint states, {len(self.csr[1])} joint actions, "
                f"collide={self.collide})")


def _rebuild(agents, collide) -> JointMDP:
    return build_joint(agents[0], agents[1], collide)


def _entry_tables(mdp: MDP):
    """Per action entry: its state, its position among the state's actions; per transition: its entry."""
    act_ptr, act_col, tr_ptr, nxt, prob = mdp.csr
    ent_state = np.repeat(np.arange(mdp.n_states, dtype=np.int64), np.diff(act_ptr))
    ent_pos = np.arange(len(act_col), dtype=np.int64) - act_ptr[ent_state]
    tr_ent = np.repeat(np.arange(len(act_col), dtype=np.int64), np.diff(tr_ptr))
    return ent_state, ent_pos, tr_ent


def joint_bytes(m0: MDP, m1: MDP) -> tuple[float, float, float, float]:
    """(S, E, NNZ, peak bytes) of the joint of ``m0`` and ``m1`` before collisions are removed."""
    S = float(m0.n_states) * m1.n_states
    E = float(len(m0.csr[1])) * len(m1.csr[1])
    nnz = float(len(m0.csr[4])) * len(m1.csr[4])
    # the quadruples (8 int64/float arrays of nnz), the canonical build, the action-name tuples
    return S, E, nnz, 64.0 * nnz + _build.csr_bytes(S, E, nnz) + 120.0 * E


def build_joint(m0: MDP, m1: MDP, collide: bool) -> JointMDP:
    S0, S1 = m0.n_states, m1.n_states
    S, E, nnz, need = joint_bytes(m0, m1)
    check_memory("mdps", need, f"the joint MDP of {S0} x {S1} states ({E:.3g} joint actions, {nnz:.3g} transitions)")
    A1 = m1.n_actions
    st0, pos0, te0 = _entry_tables(m0)
    st1, pos1, te1 = _entry_tables(m1)
    _, col0, _, nxt0, p0 = m0.csr
    _, col1, _, nxt1, p1 = m1.csr
    E0, E1 = len(col0), len(col1)
    # joint state numbering: i * S1 + j, with collided states (equal names) removed
    if collide:
        name1 = {n: j for j, n in enumerate(m1.states)}
        same = np.array([name1.get(n, -1) for n in m0.states], dtype=np.int64)
        alive = np.ones(S0 * S1, dtype=bool)
        i_same = np.flatnonzero(same >= 0)
        alive[i_same * S1 + same[i_same]] = False
    else:
        alive = np.ones(S0 * S1, dtype=bool)
    new_index = np.full(S0 * S1, -1, dtype=np.int64)
    new_index[alive] = np.arange(int(alive.sum()))
    # every pair of transitions (j0, j1): agent 0's transition major
    J0 = np.repeat(np.arange(len(p0), dtype=np.int64), len(p1))
    J1 = np.tile(np.arange(len(p1), dtype=np.int64), len(p0))
    e0, e1 = te0[J0], te1[J1]
    s_old = st0[e0] * S1 + st1[e1]
    t_old = nxt0[J0] * S1 + nxt1[J1]
    keep = alive[s_old]
    if collide:  # a joint action that reaches a collided state with positive probability is not offered
        pair = e0 * E1 + e1
        bad = np.zeros(E0 * E1, dtype=bool)
        bad[pair[~alive[t_old]]] = True
        keep &= ~bad[pair]
    J0, J1, e0, e1, s_old, t_old = J0[keep], J1[keep], e0[keep], e1[keep], s_old[keep], t_old[keep]
    Sj = int(alive.sum())
    if Sj == 0:
        raise ValueError("collide: with collide=True every joint state has both agents in the same state; "
                         "there is no joint state left")
    s_new = new_index[s_old]
    has = np.zeros(Sj, dtype=bool)
    has[s_new] = True
    if not has.all():
        k = int(np.flatnonzero(~has)[0])
        i, j = divmod(int(np.flatnonzero(alive)[k]), S1)
        raise ValueError(f"collide: at joint state ({m0.states[i]}, {m1.states[j]}) every joint action may put both "
                         "agents in the same state; use collide=False or give the agents an action (e.g. a "
                         "self-loop) that avoids it")
    cols = col0[e0] * A1 + col1[e1]
    names = tuple(f"({m0.states[k // S1]}, {m1.states[k % S1]})" for k in np.flatnonzero(alive).tolist())
    arrays = _build.from_coo(Sj, m0.n_actions * A1, s_new, cols, new_index[t_old], p0[J0] * p1[J1], "mdps", names)
    act_ptr, act_col = arrays[0], arrays[1]
    # component positions of every joint entry (entries are in (state, column) order)
    ent_state = np.repeat(np.arange(Sj, dtype=np.int64), np.diff(act_ptr))
    old = np.flatnonzero(alive)[ent_state]
    i_of, j_of = old // S1, old % S1
    c0, c1 = act_col // A1, act_col % A1
    pos_e0 = _position(m0, i_of, c0)
    pos_e1 = _position(m1, j_of, c1)
    a0n, a1n = m0.actions, m1.actions
    acts = []
    ptr = act_ptr.tolist()
    il, jl, p0l, p1l = i_of.tolist(), j_of.tolist(), pos_e0.tolist(), pos_e1.tolist()
    for s in range(Sj):
        acts.append(tuple(f"({a0n[il[e]][p0l[e]]}, {a1n[jl[e]][p1l[e]]})" for e in range(ptr[s], ptr[s + 1])))
    out = JointMDP._from_parts(names, tuple(acts), m0.n_actions * A1, arrays)
    d = out.__dict__
    d["agents"], d["collide"] = (m0, m1), bool(collide)
    ps_ = np.stack([np.flatnonzero(alive) // S1, np.flatnonzero(alive) % S1], axis=1)
    pe_ = np.stack([pos_e0, pos_e1], axis=1)
    ps_.setflags(write=False)
    pe_.setflags(write=False)
    d["pair_state"], d["pair_entry"] = ps_, pe_
    return out


def _position(mdp: MDP, states: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Position among the state's valid actions of column ``cols[k]`` at state ``states[k]``."""
    act_ptr, act_col = mdp.csr[0], mdp.csr[1]
    table = np.full(mdp.n_states * mdp.n_actions, -1, dtype=np.int64)
    ent_state = np.repeat(np.arange(mdp.n_states, dtype=np.int64), np.diff(act_ptr))
    table[ent_state * mdp.n_actions + act_col] = np.arange(len(act_col), dtype=np.int64) - act_ptr[ent_state]
    return table[states * mdp.n_actions + cols]


def fixed_mdp(joint: JointMDP, k: int, weights: np.ndarray) -> MDP:
    """The MDP of agent ``1 - k`` when agent ``k`` draws its action with probability ``weights[e]``
    for joint entry ``e`` (the probability of the entry's agent-``k`` action at the entry's state),
    conditioned on not colliding: agent ``o``'s action ``g`` at joint state ``s`` moves with
    sum_e w_e T_e / sum_e w_e over the entries (g, .) of s, and is offered iff that sum is > 0."""
    o = 1 - k
    act_ptr, act_col, tr_ptr, nxt, prob = joint.csr
    S = joint.n_states
    mo = joint.agents[o]
    Ao = mo.n_actions
    A1 = joint.agents[1].n_actions
    ent_state = np.repeat(np.arange(S, dtype=np.int64), np.diff(act_ptr))
    col_o = act_col // A1 if o == 0 else act_col % A1
    row = ent_state * Ao + col_o  # (state, agent o's column) of every entry
    W = np.bincount(row, weights=weights, minlength=S * Ao)
    offered = W > 0
    tr_ent = np.repeat(np.arange(len(act_col), dtype=np.int64), np.diff(tr_ptr))
    w_tr = weights[tr_ent]
    sel = w_tr > 0
    te = tr_ent[sel]
    p = prob[sel] * w_tr[sel] / W[row[te]]
    off = offered.reshape(S, Ao)
    if not off.any(axis=1).all():
        s = int(np.flatnonzero(~off.any(axis=1))[0])
        raise ValueError(f"policy: at joint state {joint.states[s]} agent {k}'s actions leave agent {o} no action "
                         "(every action of agent {o} collides with them)".replace("{o}", str(o)))
    arrays = _build.from_coo(S, Ao, ent_state[te], col_o[te], nxt[sel], p, "policy", joint.states, valid=off)
    # action names: agent o's component names, in column order
    comp_state = joint.pair_state[:, o].tolist()
    names = mo.actions
    pos = _position(mo, np.asarray(comp_state, dtype=np.int64)[np.repeat(np.arange(S), np.diff(arrays[0]))],
                    arrays[1])
    ptr = arrays[0].tolist()
    pl = pos.tolist()
    acts = tuple(tuple(names[comp_state[s]][pl[e]] for e in range(ptr[s], ptr[s + 1])) for s in range(S))
    return MDP._from_parts(joint.states, acts, Ao, arrays)
