"""Finite MDPs with named states (Turner et al. 2021, section 2).

An :class:`MDP` holds a dense transition array ``T[s, a, s']`` of shape (S, A, S), a boolean
``action_mask[s, a]`` saying which actions exist at each state (states may have different numbers
of actions; rows of absent actions are zero), the state names and the action names. Rewards are
*not* part of the MDP: they live on states and are drawn from a reward law (``powerseek.rewards``).

The kernels use a compressed copy (:attr:`MDP.csr`): for state ``s`` the valid actions are the
entries ``act_ptr[s]:act_ptr[s+1]`` and action entry ``e`` moves to ``nxt[j]`` with probability
``prob[j]`` for ``j`` in ``tr_ptr[e]:tr_ptr[e+1]`` -- only the nonzero transitions, which is what
pays for gridworlds (5 successors out of S).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tailpower._common import check_int, check_memory

from ._checks import check_bool, check_real, float_array

__all__ = ["MDP"]

_ROW_TOL = 1e-9


def _names(states: Any, param: str = "states") -> tuple[str, ...]:
    if isinstance(states, (str, bytes)) or not isinstance(states, (Sequence, Mapping, range, np.ndarray)):
        raise TypeError(f"{param}: expected a sequence of state names, got {type(states).__name__}")
    names = tuple(str(s) for s in states)
    if len(names) == 0:
        raise ValueError(f"{param}: an MDP needs at least one state")
    if len(set(names)) != len(names):
        seen: set = set()
        dup = sorted({n for n in names if n in seen or seen.add(n)})[:10]
        raise ValueError(f"{param}: state names must be unique (as strings), repeated: {dup}")
    return names


def _short(names: Sequence[str], k: int = 10) -> str:
    """The first ``k`` names for an error message."""
    head = list(names[:k])
    return f"{head}" if len(names) <= k else f"{head[:-1] + ['...']} ({len(names)} in all)"


def _dense_bytes(S: int, A: int) -> float:
    """Peak bytes of building an MDP: the dense (S, A, S) array, a checked copy and row sums."""
    return 3.0 * S * A * S * 8 + 16.0 * S * A


def _cells(param: str, cells: Any) -> set[tuple[int, int]]:
    """A set of (row, col) pairs of ints from a sequence of pairs."""
    if isinstance(cells, (str, bytes)) or not isinstance(cells, (Sequence, set, frozenset, np.ndarray)):
        raise TypeError(f"{param}: expected a sequence of (row, col) pairs, got {type(cells).__name__}")
    out = set()
    for c in cells:
        if isinstance(c, (str, bytes)) or not isinstance(c, (Sequence, np.ndarray)) or len(c) != 2:
            raise TypeError(f"{param}: expected (row, col) pairs of integers, got {c!r}")
        out.add((check_int(param, c[0], minimum=-(1 << 62)), check_int(param, c[1], minimum=-(1 << 62))))
    return out


@dataclass(frozen=True, eq=False)
class MDP:
    """A finite MDP with named states; rewards live on states (Turner et al. 2021).

    Parameters
    ----------
    states : tuple of str
        State names, in the order used by every array of the package.
    transitions : ndarray, shape (S, A, S)
        ``transitions[s, a, s']`` = probability of moving to ``s'`` when taking action ``a`` at
        ``s``. Rows of valid actions sum to 1; rows of absent actions are all zero.
    action_mask : ndarray of bool, shape (S, A)
        Which actions exist at each state (every state needs at least one).
    actions : tuple of tuple of str
        Names of the valid actions of each state, in action-index order.

    Use the builders :meth:`from_successors`, :meth:`from_graph`, :meth:`from_arrays` and
    :meth:`gridworld` rather than the constructor.
    """

    states: tuple[str, ...]
    transitions: np.ndarray
    action_mask: np.ndarray
    actions: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        names = _names(self.states)
        T = float_array("transitions", self.transitions)
        S = len(names)
        if T.ndim != 3 or T.shape[0] != S or T.shape[2] != S or T.shape[1] < 1:
            raise ValueError(f"transitions: expected shape (S, A, S) with S = {S} states, got {T.shape}")
        check_memory("transitions", _dense_bytes(S, T.shape[1]), f"an MDP with {S} states and {T.shape[1]} actions")
        if not np.all(np.isfinite(T)) or np.any(T < 0):
            raise ValueError("transitions: probabilities must be finite and >= 0")
        try:
            mask = np.asarray(self.action_mask, dtype=bool)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"action_mask: expected an (S, A) array of booleans ({exc})") from None
        if mask.shape != T.shape[:2]:
            raise ValueError(f"action_mask: expected shape {T.shape[:2]}, got {mask.shape}")
        sums = T.sum(axis=2)
        bad = mask & (np.abs(sums - 1.0) > _ROW_TOL)
        if bad.any():
            s, a = map(int, np.argwhere(bad)[0])
            raise ValueError(
                f"transitions: row of state {names[s]!r}, action {a} sums to {sums[s, a]!r}, not 1 "
                "(rows must be probability distributions)"
            )
        if np.any(T[~mask] != 0):
            raise ValueError("transitions: rows of actions absent from action_mask must be zero")
        if not mask.any(axis=1).all():
            s = int(np.argmin(mask.any(axis=1)))
            raise ValueError(f"action_mask: state {names[s]!r} has no action")
        try:
            acts = tuple(tuple(str(a) for a in row) for row in self.actions)
        except TypeError:
            raise TypeError("actions: expected one sequence of action names per state") from None
        if len(acts) != S or any(len(acts[s]) != int(mask[s].sum()) for s in range(S)):
            raise ValueError("actions: need one name per valid action of every state")
        if any(len(set(row)) != len(row) for row in acts):
            raise ValueError("actions: action names of a state must be unique")
        # rows of valid actions sum to 1 within 1e-9; make them sum to 1 to rounding, so every
        # value is an average of rewards (|V| <= max|R| / (1 - gamma)).
        T = np.where(mask[:, :, None], T / np.where(mask, sums, 1.0)[:, :, None], 0.0)
        T.setflags(write=False)
        mask = mask.copy()
        mask.setflags(write=False)
        object.__setattr__(self, "states", names)
        object.__setattr__(self, "transitions", T)
        object.__setattr__(self, "action_mask", mask)
        object.__setattr__(self, "actions", acts)

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_successors(cls, successors: Mapping[Any, Sequence[Any]]) -> "MDP":
        """Deterministic MDP with one action per listed successor.

        ``{"1": ["2", "3"], "2": ["2"], "3": ["3"]}``: state 1 can move to 2 or 3; 2 and 3 are
        terminal (self-loops). Every state must be a key; the action leading to ``x`` is named
        ``x``.
        """
        if not isinstance(successors, Mapping):
            raise TypeError(f"successors: expected a mapping state -> list of successors, got {type(successors).__name__}")
        return cls._from_lists(successors, "successors")

    @classmethod
    def _from_lists(cls, successors: Mapping, param: str) -> "MDP":
        names = _names(list(successors), param)
        index = {n: i for i, n in enumerate(names)}
        S = len(names)
        succ: list[list[int]] = []
        for n, lst in zip(names, successors.values()):
            if isinstance(lst, (str, bytes)) or not isinstance(lst, (Sequence, np.ndarray)):
                raise TypeError(f"{param}: value for state {n!r} must be a list of state names")
            row: list[int] = []
            seen: set[int] = set()
            for x in lst:
                if str(x) not in index:
                    raise ValueError(f"{param}: {str(x)!r} (successor of {n!r}) is not a state; every state must be a key")
                if index[str(x)] in seen:
                    raise ValueError(f"{param}: {str(x)!r} listed twice as a successor of {n!r}")
                row.append(index[str(x)])
                seen.add(index[str(x)])
            if not row:
                raise ValueError(f"{param}: state {n!r} has no successor (a terminal state lists itself)")
            succ.append(row)
        A = max(len(r) for r in succ)
        check_memory(param, _dense_bytes(S, A), f"an MDP with {S} states and {A} actions (dense S x A x S)")
        T = np.zeros((S, A, S))
        mask = np.zeros((S, A), dtype=bool)
        for s, row in enumerate(succ):
            for a, t in enumerate(row):
                T[s, a, t] = 1.0
                mask[s, a] = True
        actions = tuple(tuple(names[t] for t in row) for row in succ)
        return cls(names, T, mask, actions)

    @classmethod
    def from_graph(cls, graph) -> "MDP":
        """Deterministic MDP from a ``networkx.DiGraph``: nodes are states, an edge u -> v is the
        action of u named v. Every node needs an out-edge (a self-loop for a terminal state)."""
        import networkx as nx

        if not isinstance(graph, nx.DiGraph):
            raise TypeError(f"graph: expected a networkx.DiGraph, got {type(graph).__name__}")
        if graph.number_of_nodes() == 0:
            raise ValueError("graph: an MDP needs at least one state")
        for n in graph.nodes:
            if graph.out_degree(n) == 0:
                raise ValueError(f"graph: node {str(n)!r} has no out-edge (add a self-loop for a terminal state)")
        names = [str(n) for n in graph.nodes]
        if len(set(names)) != len(names):
            raise ValueError("graph: node names must be distinct as strings (e.g. not both 1 and '1')")
        return cls._from_lists({str(n): list(dict.fromkeys(str(m) for m in graph.successors(n))) for n in graph.nodes},
                               "graph")

    @classmethod
    def from_arrays(
        cls,
        transitions,
        states: Sequence[Any] | None = None,
        action_mask=None,
        actions: Sequence[Sequence[Any]] | None = None,
    ) -> "MDP":
        """Stochastic MDP from a (S, A, S) array of probabilities.

        ``action_mask`` defaults to the actions whose rows are not all zero; state names default to
        "0", "1", ...; action names to "0", "1", ... per state.
        """
        T = float_array("transitions", transitions)
        if T.ndim != 3:
            raise ValueError(f"transitions: expected a 3-d array (S, A, S), got shape {T.shape}")
        if T.shape[0] == 0 or T.shape[1] == 0:
            raise ValueError(f"transitions: an MDP needs at least one state and one action, got shape {T.shape}")
        S = T.shape[0]
        if T.shape[2] != S:
            raise ValueError(f"transitions: expected shape (S, A, S), got {T.shape}")
        check_memory("transitions", _dense_bytes(S, T.shape[1]), f"an MDP with {S} states and {T.shape[1]} actions")
        names = _names(range(S) if states is None else states)
        if len(names) != S:
            raise ValueError(f"states: {len(names)} names for {S} states")
        if action_mask is None:
            with np.errstate(invalid="ignore"):
                mask = T.sum(axis=2) > 0
        else:
            try:
                mask = np.asarray(action_mask, dtype=bool)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"action_mask: expected an (S, A) array of booleans ({exc})") from None
        if mask.shape != T.shape[:2]:
            raise ValueError(f"action_mask: expected shape {T.shape[:2]}, got {mask.shape}")
        if actions is None:
            actions = [[str(a) for a in np.flatnonzero(mask[s])] for s in range(S)]
        elif isinstance(actions, (str, bytes)) or not isinstance(actions, (Sequence, np.ndarray)):
            raise TypeError(f"actions: expected one sequence of action names per state, got {type(actions).__name__}")
        try:
            acts = tuple(tuple(a) for a in actions)
        except TypeError:
            raise TypeError("actions: expected one sequence of action names per state") from None
        return cls(names, T, mask, acts)

    @classmethod
    def gridworld(
        cls,
        rows: int,
        cols: int,
        walls: Sequence[tuple[int, int]] = (),
        terminal: Sequence[tuple[int, int]] = (),
        slip: float = 0.0,
        stay: bool = True,
    ) -> "MDP":
        """Gridworld: cells ``(r, c)`` named ``"r,c"``; actions N, S, E, W and (if ``stay``) stay.

        With ``slip = 0`` the MDP is deterministic and moves into a wall or off the grid are not
        offered. With ``slip > 0`` every move goes in the intended direction with probability
        ``1 - slip`` and to each perpendicular direction with probability ``slip/2`` (AIMA's
        4x3 world uses 0.2); a blocked move stays put. Cells in ``terminal`` are absorbing (one
        action, "stay").
        """
        rows, cols = check_int("rows", rows), check_int("cols", cols)
        slip = check_real("slip", slip)
        if not (0.0 <= slip < 1.0):
            raise ValueError(f"slip: must be in [0, 1), got {slip!r}")
        stay = check_bool("stay", stay)
        cells_max = rows * cols
        check_memory("rows", _dense_bytes(cells_max, 5), f"a {rows} x {cols} gridworld (dense S x A x S, S = {cells_max})")
        wallset = _cells("walls", walls)
        termset = _cells("terminal", terminal)
        for name, cells in (("walls", wallset), ("terminal", termset)):
            for r, c in cells:
                if not (0 <= r < rows and 0 <= c < cols):
                    raise ValueError(f"{name}: cell {(r, c)} is outside the {rows} x {cols} grid")
        if wallset & termset:
            raise ValueError("terminal: a terminal cell cannot be a wall")
        cells = [(r, c) for r in range(rows) for c in range(cols) if (r, c) not in wallset]
        if not cells:
            raise ValueError("walls: every cell is a wall")
        idx = {cell: i for i, cell in enumerate(cells)}
        names = [f"{r},{c}" for r, c in cells]
        moves = {"N": (-1, 0), "S": (1, 0), "E": (0, 1), "W": (0, -1)}
        perp = {"N": ("E", "W"), "S": ("E", "W"), "E": ("N", "S"), "W": ("N", "S")}

        def dest(cell, m):
            r, c = cell[0] + moves[m][0], cell[1] + moves[m][1]
            return idx.get((r, c), idx[cell])

        S = len(cells)
        A = 5
        T = np.zeros((S, A, S))
        mask = np.zeros((S, A), dtype=bool)
        actions = []
        for i, cell in enumerate(cells):
            acts = []
            if cell in termset:
                T[i, 0, i] = 1.0
                mask[i, 0] = True
                actions.append(("stay",))
                continue
            for m in moves:
                if slip == 0.0:
                    if dest(cell, m) == i:
                        continue
                    a = len(acts)
                    T[i, a, dest(cell, m)] = 1.0
                else:
                    a = len(acts)
                    T[i, a, dest(cell, m)] += 1.0 - slip
                    for p in perp[m]:
                        T[i, a, dest(cell, p)] += slip / 2
                mask[i, a] = True
                acts.append(m)
            if stay or not acts:
                a = len(acts)
                T[i, a, i] = 1.0
                mask[i, a] = True
                acts.append("stay")
            actions.append(tuple(acts))
        return cls(tuple(names), T, mask, tuple(actions))

    # ------------------------------------------------------------------ queries
    @property
    def n_states(self) -> int:
        return len(self.states)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.states)}

    def index(self, state: Any, name: str = "state") -> int:
        """Index of the state called ``state`` (an int index is accepted as is)."""
        if isinstance(state, (int, np.integer)) and not isinstance(state, bool):
            if not 0 <= int(state) < self.n_states:
                raise ValueError(f"{name}: index {state} out of range for {self.n_states} states")
            return int(state)
        key = str(state)
        if key not in self._index:
            raise ValueError(f"{name}: unknown state {key!r}; states are {_short(self.states)}")
        return self._index[key]

    def action_index(self, state: Any, action: Any, name: str = "action") -> int:
        """Column of ``action`` (its name, or its position among the state's valid actions)."""
        s = self.index(state)
        valid = np.flatnonzero(self.action_mask[s])
        names = self.actions[s]
        if isinstance(action, (int, np.integer)) and not isinstance(action, bool):
            if not 0 <= int(action) < len(valid):
                raise ValueError(f"{name}: state {self.states[s]!r} has {len(valid)} actions, got index {action}")
            return int(valid[int(action)])
        if str(action) not in names:
            raise ValueError(f"{name}: state {self.states[s]!r} has no action {str(action)!r}; actions are {_short(names)}")
        return int(valid[names.index(str(action))])

    @cached_property
    def is_deterministic(self) -> bool:
        """Whether every valid action moves to one state with probability 1."""
        return bool(np.all((self.transitions.max(axis=2) == 1.0) | ~self.action_mask))

    def successors(self, state: Any) -> tuple[str, ...]:
        """States reachable in one step from ``state`` (any action, positive probability)."""
        s = self.index(state)
        return tuple(self.states[t] for t in np.flatnonzero(self.transitions[s].sum(axis=0) > 0))

    @cached_property
    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Compressed transitions for the kernels: ``(act_ptr, act_col, tr_ptr, nxt, prob)``.

        Action entry ``e`` in ``act_ptr[s]:act_ptr[s+1]`` is column ``act_col[e]`` of state ``s``
        and moves to ``nxt[j]`` with probability ``prob[j]``, ``j in tr_ptr[e]:tr_ptr[e+1]``.
        """
        S = self.n_states
        act_ptr = np.zeros(S + 1, dtype=np.int64)
        act_col, tr_ptr, nxt, prob = [], [0], [], []
        for s in range(S):
            for a in np.flatnonzero(self.action_mask[s]):
                act_col.append(a)
                row = self.transitions[s, a]
                nz = np.flatnonzero(row)
                nxt.extend(nz.tolist())
                prob.extend(row[nz].tolist())
                tr_ptr.append(len(nxt))
            act_ptr[s + 1] = len(act_col)
        return (
            act_ptr,
            np.asarray(act_col, dtype=np.int64),
            np.asarray(tr_ptr, dtype=np.int64),
            np.asarray(nxt, dtype=np.int64),
            np.asarray(prob, dtype=np.float64),
        )

    @cached_property
    def successor_table(self) -> list[list[int]]:
        """Deterministic MDPs: ``successor_table[s]`` = successor index of each valid action."""
        if not self.is_deterministic:
            raise ValueError("mdp: successor_table needs a deterministic MDP")
        return [[int(np.argmax(self.transitions[s, a])) for a in np.flatnonzero(self.action_mask[s])] for s in range(self.n_states)]

    def to_graph(self):
        """The one-step reachability graph as a ``networkx.DiGraph`` on state names."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.states)
        for s in range(self.n_states):
            for t in np.flatnonzero(self.transitions[s].sum(axis=0) > 0):
                g.add_edge(self.states[s], self.states[t])
        return g

    def __repr__(self) -> str:
        kind = "deterministic" if self.is_deterministic else "stochastic"
        return f"MDP({self.n_states} states, {int(self.action_mask.sum())} actions, {kind})"
