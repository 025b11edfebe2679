"""Finite MDPs with named states (Turner et al. 2021, section 2), stored sparse.

An :class:`MDP` holds, for every state, its valid actions and, for every action, the successor
states it can reach with their probabilities -- only the nonzero transitions (CSR-like arrays,
:attr:`MDP.csr`), so memory grows like S x A x successors, not S x A x S: a 300 x 300 gridworld
(90,000 states) takes about 20 MB where the dense S x A x S array took 302 GiB. The dense array
``transitions[s, a, s']`` and the boolean ``action_mask[s, a]`` of the (S, A) action layout are
materialised on request (checked against the memory budget). Rewards are *not* part of the MDP:
they live on states and are drawn from a reward law (``powerseek.rewards``).

For state ``s`` the valid actions are the entries ``act_ptr[s]:act_ptr[s+1]`` (entry ``e`` is
column ``act_col[e]`` of the action layout) and entry ``e`` moves to ``nxt[j]`` with probability
``prob[j]`` for ``j`` in ``tr_ptr[e]:tr_ptr[e+1]`` (successors sorted and distinct, probabilities
positive, each row summing to 1 to rounding).

Builders: the dense constructor ``MDP(states, transitions, action_mask, actions)``,
:meth:`MDP.from_successors`, :meth:`MDP.from_graph`, :meth:`MDP.from_arrays` (layout "SAS" or
"ASS"), :meth:`MDP.gridworld`; importers from Gymnasium, pymdptoolbox and QuantEcon, and
:meth:`MDP.save` / :meth:`MDP.load` (``powerseek.interop``). Two MDPs compare equal when they have
the same states, actions and transitions (bit for bit), so a saved, loaded or pickled copy equals
the original.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from tailpower._common import check_int, check_memory

from . import _build
from ._checks import check_bool, check_choice, check_real, float_array

__all__ = ["MDP"]


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


def _action_names(actions: Any, counts: np.ndarray, param: str = "actions") -> tuple[tuple[str, ...], ...]:
    """Validated action names: one tuple of distinct strings per state, of the state's action count.
    Tuples shared between states (as the builders make them) are checked once."""
    if isinstance(actions, (str, bytes)) or not isinstance(actions, (Sequence, np.ndarray)):
        raise TypeError(f"{param}: expected one sequence of action names per state, got {type(actions).__name__}")
    if len(actions) != len(counts):
        raise ValueError(f"{param}: need one name per valid action of every state")
    out = []
    seen: dict[int, tuple] = {}
    try:
        for row, k in zip(actions, counts.tolist()):
            t = seen.get(id(row))
            if t is None:
                t = row if isinstance(row, tuple) and all(type(x) is str for x in row) else tuple(str(x) for x in row)
                if len(set(t)) != len(t):
                    raise ValueError(f"{param}: action names of a state must be unique")
                seen[id(row)] = t
            if len(t) != k:
                raise ValueError(f"{param}: need one name per valid action of every state")
            out.append(t)
    except TypeError:
        raise TypeError(f"{param}: expected one sequence of action names per state") from None
    return tuple(out)


class MDP:
    """A finite MDP with named states; rewards live on states (Turner et al. 2021).

    Parameters
    ----------
    states : sequence of str
        State names, in the order used by every array of the package.
    transitions : array, shape (S, A, S)
        ``transitions[s, a, s']`` = probability of moving to ``s'`` when taking action ``a`` at
        ``s``. Rows of valid actions sum to 1; rows of absent actions are all zero.
    action_mask : array of bool, shape (S, A)
        Which actions exist at each state (every state needs at least one).
    actions : sequence of sequences of str
        Names of the valid actions of each state, in action-index order.

    The dense constructor is kept for small hand-written MDPs; the builders
    :meth:`from_successors`, :meth:`from_graph`, :meth:`from_arrays`, :meth:`gridworld` and the
    importers never build the dense array. ``mdp.transitions`` and ``mdp.action_mask`` materialise
    it on request (ValueError naming ``mdp`` above the memory budget).

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.MDP.gridworld(300, 300)
    >>> mdp.n_states, mdp.is_deterministic
    (90000, True)
    """

    # ------------------------------------------------------------------ construction
    def __init__(self, states, transitions, action_mask, actions) -> None:
        names = _names(states)
        T = float_array("transitions", transitions)
        S = len(names)
        if T.ndim != 3 or T.shape[0] != S or T.shape[2] != S or T.shape[1] < 1:
            raise ValueError(f"transitions: expected shape (S, A, S) with S = {S} states, got {T.shape}")
        _build.check_build("transitions", S, S * T.shape[1], np.count_nonzero(T),
                           f"an MDP with {S} states and {T.shape[1]} actions")
        try:
            mask = np.asarray(action_mask, dtype=bool)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"action_mask: expected an (S, A) array of booleans ({exc})") from None
        if mask.shape != T.shape[:2]:
            raise ValueError(f"action_mask: expected shape {T.shape[:2]}, got {mask.shape}")
        if not np.all(np.isfinite(T)) or np.any(T < 0):
            raise ValueError("transitions: probabilities must be finite and >= 0")
        if not mask.any(axis=1).all():
            s = int(np.argmin(mask.any(axis=1)))
            raise ValueError(f"action_mask: state {names[s]!r} has no action")
        s, a, t = np.nonzero(T)
        arrays = _build.from_coo(S, T.shape[1], s, a, t, T[s, a, t], "transitions", names, valid=mask)
        self._set(names, _action_names(actions, np.diff(arrays[0])), T.shape[1], arrays)

    def _set(self, names, actions, n_cols: int, arrays) -> None:
        for arr in arrays:
            arr.setflags(write=False)
        d = self.__dict__
        d["states"], d["actions"], d["_n_cols"] = names, actions, int(n_cols)
        d["_act_ptr"], d["_act_col"], d["_tr_ptr"], d["_nxt"], d["_prob"] = arrays

    @classmethod
    def _from_parts(cls, names, actions, n_cols: int, arrays) -> "MDP":
        """An MDP from canonical arrays (already checked by :func:`_build.from_coo`)."""
        self = cls.__new__(cls)
        self._set(names, actions, n_cols, arrays)
        return self

    def __setattr__(self, name, value):
        raise AttributeError(f"MDP is immutable: cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"MDP is immutable: cannot delete {name!r}")

    def __reduce__(self):
        return (_restore, (self.states, self.actions, self._n_cols, self.csr))

    def __eq__(self, other) -> bool:
        if not isinstance(other, MDP):
            return NotImplemented
        if self is other:
            return True
        return (self._n_cols == other._n_cols and self.states == other.states and self.actions == other.actions
                and all(np.array_equal(x, y) for x, y in zip(self.csr, other.csr)))

    def __hash__(self) -> int:
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash((self.states, self.actions, self._n_cols) + tuple(hash(x.tobytes()) for x in self.csr))
            self.__dict__["_hash"] = h
        return h

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
        flat: list[int] = []
        counts: list[int] = []
        for n, lst in zip(names, successors.values()):
            if isinstance(lst, (str, bytes)) or not isinstance(lst, (Sequence, np.ndarray)):
                raise TypeError(f"{param}: value for state {n!r} must be a list of state names")
            row: list[int] = []
            for x in lst:
                i = index.get(str(x))
                if i is None:
                    raise ValueError(f"{param}: {str(x)!r} (successor of {n!r}) is not a state; every state must be a key")
                row.append(i)
            if not row:
                raise ValueError(f"{param}: state {n!r} has no successor (a terminal state lists itself)")
            if len(set(row)) != len(row):
                dup = next(names[i] for i in row if row.count(i) > 1)
                raise ValueError(f"{param}: {dup!r} listed twice as a successor of {n!r}")
            flat.extend(row)
            counts.append(len(row))
        E = len(flat)
        _build.check_build(param, S, E, E, f"an MDP with {S} states and {E} actions")
        cnt = np.asarray(counts, dtype=np.int64)
        act_ptr = np.zeros(S + 1, dtype=np.int64)
        np.cumsum(cnt, out=act_ptr[1:])
        act_col = np.arange(E, dtype=np.int64) - np.repeat(act_ptr[:-1], cnt)
        arrays = (act_ptr, act_col, np.arange(E + 1, dtype=np.int64), np.asarray(flat, dtype=np.int64), np.ones(E))
        actions = tuple(tuple(names[t] for t in flat[act_ptr[s]:act_ptr[s + 1]]) for s in range(S))
        return cls._from_parts(names, actions, int(cnt.max()), arrays)

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
        layout: str | None = None,
    ) -> "MDP":
        """Stochastic MDP from a dense array of probabilities.

        ``layout="SAS"``: ``transitions[s, a, s']`` (shape (S, A, S)); ``layout="ASS"``:
        ``transitions[a, s, s']`` (shape (A, S, S), pymdptoolbox's order). Without ``layout`` the
        shape decides; when A == S (> 1) both readings fit and the call is refused with a
        ValueError naming ``layout`` (reading the array the wrong way round silently gives another
        MDP). ``action_mask`` ((S, A)) defaults to the actions whose rows are not all zero; state
        names default to "0", "1", ...; action names to the column numbers "0", "1", ... per state.
        """
        T = float_array("transitions", transitions)
        if T.ndim != 3:
            raise ValueError(f"transitions: expected a 3-d array (S, A, S) or (A, S, S), got shape {T.shape}")
        if 0 in T.shape:
            raise ValueError(f"transitions: an MDP needs at least one state and one action, got shape {T.shape}")
        if layout is not None:
            layout = check_choice("layout", layout, ("SAS", "ASS"))
            want = (T.shape[0] == T.shape[2]) if layout == "SAS" else (T.shape[1] == T.shape[2])
            if not want:
                shape = "(S, A, S)" if layout == "SAS" else "(A, S, S)"
                raise ValueError(f"layout: {layout!r} needs transitions of shape {shape}, got {T.shape}")
        else:
            sas, ass = T.shape[0] == T.shape[2], T.shape[1] == T.shape[2]
            if sas and ass and T.shape[0] > 1:
                raise ValueError(f"layout: transitions of shape {T.shape} read as (S, A, S) and as (A, S, S); "
                                 "say which with layout='SAS' or layout='ASS'")
            if not (sas or ass):
                raise ValueError(f"transitions: expected shape (S, A, S) or (A, S, S), got {T.shape}")
            layout = "SAS" if sas else "ASS"
        if layout == "ASS":
            T = T.transpose(1, 0, 2)
        S, A = T.shape[0], T.shape[1]
        _build.check_build("transitions", S, S * A, np.count_nonzero(T), f"an MDP with {S} states and {A} actions")
        names = _names(range(S) if states is None else states)
        if len(names) != S:
            raise ValueError(f"states: {len(names)} names for {S} states")
        if not np.all(np.isfinite(T)) or np.any(T < 0):
            raise ValueError("transitions: probabilities must be finite and >= 0")
        if action_mask is None:
            mask = T.sum(axis=2) > 0
        else:
            try:
                mask = np.asarray(action_mask, dtype=bool)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"action_mask: expected an (S, A) array of booleans ({exc})") from None
        if mask.shape != (S, A):
            raise ValueError(f"action_mask: expected shape {(S, A)}, got {mask.shape}")
        if not mask.any(axis=1).all():
            s = int(np.argmin(mask.any(axis=1)))
            raise ValueError(f"action_mask: state {names[s]!r} has no action")
        s, a, t = np.nonzero(T)
        arrays = _build.from_coo(S, A, s, a, t, T[s, a, t], "transitions", names, valid=mask)
        if actions is None:
            cols = arrays[1]
            actions = [tuple(str(c) for c in cols[arrays[0][i]:arrays[0][i + 1]].tolist()) for i in range(S)]
        return cls._from_parts(names, _action_names(actions, np.diff(arrays[0])), A, arrays)

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
        action, "stay"). Stored sparse: a 300 x 300 grid (90,000 states) takes about 20 MB.
        """
        rows, cols = check_int("rows", rows), check_int("cols", cols)
        slip = check_real("slip", slip)
        if not (0.0 <= slip < 1.0):
            raise ValueError(f"slip: must be in [0, 1), got {slip!r}")
        stay = check_bool("stay", stay)
        cells_max = rows * cols
        per = 13 if slip > 0 else 5
        _build.check_build("rows", cells_max, 5 * cells_max, per * cells_max,
                           f"a {rows} x {cols} gridworld ({cells_max} cells)")
        wallset = _cells("walls", walls)
        termset = _cells("terminal", terminal)
        for name, cells in (("walls", wallset), ("terminal", termset)):
            for r, c in cells:
                if not (0 <= r < rows and 0 <= c < cols):
                    raise ValueError(f"{name}: cell {(r, c)} is outside the {rows} x {cols} grid")
        if wallset & termset:
            raise ValueError("terminal: a terminal cell cannot be a wall")
        if len(wallset) == cells_max:
            raise ValueError("walls: every cell is a wall")
        names, actions, n_cols, arrays = _build.gridworld_csr(rows, cols, wallset, termset, slip, stay)
        return cls._from_parts(names, actions, n_cols, arrays)

    # importers and files (powerseek.interop)
    @classmethod
    def from_gymnasium(cls, env) -> "MDP":
        """MDP of a Gymnasium toy-text environment (see :func:`powerseek.interop.from_gymnasium`)."""
        from .interop import from_gymnasium

        return from_gymnasium(env)

    @classmethod
    def from_pymdptoolbox(cls, P) -> "MDP":
        """MDP of pymdptoolbox's transitions (see :func:`powerseek.interop.from_pymdptoolbox`)."""
        from .interop import from_pymdptoolbox

        return from_pymdptoolbox(P)

    @classmethod
    def from_quantecon(cls, ddp) -> "MDP":
        """MDP of a ``quantecon.markov.DiscreteDP`` (see :func:`powerseek.interop.from_quantecon`)."""
        from .interop import from_quantecon

        return from_quantecon(ddp)

    def save(self, path, format: str | None = None):
        """Write the MDP to ``path`` (see :func:`powerseek.interop.save`); returns the path."""
        from .interop import save

        return save(self, path, format=format)

    @classmethod
    def load(cls, path) -> "MDP":
        """Read an MDP written by :meth:`save` (see :func:`powerseek.interop.load`)."""
        from .interop import load

        return load(path)

    # ------------------------------------------------------------------ queries
    @property
    def n_states(self) -> int:
        return len(self.states)

    @property
    def n_actions(self) -> int:
        """Width A of the (S, A) action layout (the most actions a state has, or more)."""
        return self._n_cols

    @property
    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Compressed transitions for the kernels: ``(act_ptr, act_col, tr_ptr, nxt, prob)``.

        Action entry ``e`` in ``act_ptr[s]:act_ptr[s+1]`` is column ``act_col[e]`` of state ``s``
        and moves to ``nxt[j]`` with probability ``prob[j]``, ``j in tr_ptr[e]:tr_ptr[e+1]``.
        """
        return self._act_ptr, self._act_col, self._tr_ptr, self._nxt, self._prob

    @cached_property
    def action_mask(self) -> np.ndarray:
        """(S, A) bool: which columns of the action layout are valid actions of each state."""
        S, A = self.n_states, self._n_cols
        check_memory("mdp", float(S * A), f"the {S} x {A} action mask")
        m = np.zeros((S, A), dtype=bool)
        m[self.entry_state, self._act_col] = True
        m.setflags(write=False)
        return m

    @cached_property
    def transitions(self) -> np.ndarray:
        """The dense (S, A, S) array ``T[s, a, s']``, materialised on request (ValueError naming
        ``mdp`` when it does not fit the memory budget; the solvers never need it)."""
        S, A = self.n_states, self._n_cols
        check_memory("mdp", 8.0 * S * A * S, f"the dense {S} x {A} x {S} transition array (the MDP is stored sparse)")
        T = np.zeros((S, A, S))
        ent = np.repeat(np.arange(len(self._act_col)), np.diff(self._tr_ptr))
        T[self.entry_state[ent], self._act_col[ent], self._nxt] = self._prob
        T.setflags(write=False)
        return T

    @cached_property
    def entry_state(self) -> np.ndarray:
        """(E,) the state of every action entry."""
        out = np.repeat(np.arange(self.n_states, dtype=np.int64), np.diff(self._act_ptr))
        out.setflags(write=False)
        return out

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
        valid = self.valid_columns(s)
        names = self.actions[s]
        if isinstance(action, (int, np.integer)) and not isinstance(action, bool):
            if not 0 <= int(action) < len(valid):
                raise ValueError(f"{name}: state {self.states[s]!r} has {len(valid)} actions, got index {action}")
            return int(valid[int(action)])
        if str(action) not in names:
            raise ValueError(f"{name}: state {self.states[s]!r} has no action {str(action)!r}; actions are {_short(names)}")
        return int(valid[names.index(str(action))])

    def valid_columns(self, state: Any) -> np.ndarray:
        """Columns of the valid actions of ``state``, in order."""
        s = self.index(state)
        return self._act_col[self._act_ptr[s]:self._act_ptr[s + 1]]

    def row(self, state: Any, column: int) -> tuple[np.ndarray, np.ndarray]:
        """``(successors, probabilities)`` of the action in ``column`` at ``state`` (sparse row)."""
        s = self.index(state)
        lo, hi = int(self._act_ptr[s]), int(self._act_ptr[s + 1])
        k = np.flatnonzero(self._act_col[lo:hi] == column)
        if k.size == 0:
            raise ValueError(f"column: state {self.states[s]!r} has no action in column {column!r}")
        e = lo + int(k[0])
        sl = slice(int(self._tr_ptr[e]), int(self._tr_ptr[e + 1]))
        return self._nxt[sl], self._prob[sl]

    @cached_property
    def is_deterministic(self) -> bool:
        """Whether every valid action moves to one state with probability 1."""
        return bool(np.all(np.diff(self._tr_ptr) == 1))

    def successors(self, state: Any) -> tuple[str, ...]:
        """States reachable in one step from ``state`` (any action, positive probability)."""
        s = self.index(state)
        lo, hi = self._tr_ptr[self._act_ptr[s]], self._tr_ptr[self._act_ptr[s + 1]]
        return tuple(self.states[t] for t in np.unique(self._nxt[lo:hi]).tolist())

    @cached_property
    def successor_array(self) -> np.ndarray:
        """Deterministic MDPs: (E,) the successor of every action entry."""
        if not self.is_deterministic:
            raise ValueError("mdp: successor_array needs a deterministic MDP")
        out = self._nxt[self._tr_ptr[:-1]]
        out.setflags(write=False)
        return out

    @cached_property
    def successor_table(self) -> list[list[int]]:
        """Deterministic MDPs: ``successor_table[s]`` = successor index of each valid action."""
        nx_ = self.successor_array.tolist()
        ptr = self._act_ptr.tolist()
        return [nx_[ptr[s]:ptr[s + 1]] for s in range(self.n_states)]

    def to_graph(self):
        """The one-step reachability graph as a ``networkx.DiGraph`` on state names."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.states)
        src = self.entry_state[np.repeat(np.arange(len(self._act_col)), np.diff(self._tr_ptr))]
        g.add_edges_from((self.states[u], self.states[v]) for u, v in zip(src.tolist(), self._nxt.tolist()))
        return g

    def __repr__(self) -> str:
        kind = "deterministic" if self.is_deterministic else "stochastic"
        return f"MDP({self.n_states} states, {len(self._act_col)} actions, {kind})"


def _restore(states, actions, n_cols, arrays) -> MDP:
    """Unpickle: the arrays are canonical already (no renormalisation, so the copy is equal)."""
    return MDP._from_parts(tuple(states), tuple(tuple(a) for a in actions), n_cols,
                           tuple(np.array(x) for x in arrays))
