"""Building the compressed (CSR-like) transitions of an MDP (private).

An MDP with S states stores, per state s, its valid actions as *entries* ``act_ptr[s]:act_ptr[s+1]``
(entry e is column ``act_col[e]`` of the (S, A) action layout) and, per entry, its successors
``nxt[j]`` with probabilities ``prob[j]`` for ``j in tr_ptr[e]:tr_ptr[e+1]`` -- only the nonzero
transitions: memory O(S A + nonzeros), where the dense (S, A, S) array was O(S^2 A).

:func:`from_coo` turns (state, column, successor, probability) quadruples from any source into
that canonical form -- successors sorted and distinct within an entry (repeated ones summed), zero
probabilities dropped, each valid row normalised to sum to 1 to rounding -- and checks it, with
error messages naming the caller's parameter. :func:`gridworld_csr` builds gridworlds with numpy,
without a Python loop over cells.
"""

from __future__ import annotations

import numpy as np

from tailpower._common import check_memory

ROW_TOL = 1e-9
#: bytes per state of a built MDP beyond its arrays: the name string, its slot in the tuple, and
#: the set used to check that names are unique
_PER_STATE = 300.0


def csr_bytes(S: float, E: float, nnz: float) -> float:
    """Peak bytes of building an MDP with S states, E (state, action) entries and nnz transitions:
    the names, the five arrays and the temporaries of sorting and merging (measured peaks: 98 MB
    for a 300 x 300 gridworld, 224 MB with slip, 1.08 GB for 1000 x 1000; this gives 117, 225 and
    1300 MB)."""
    return _PER_STATE * S + 80.0 * E + 120.0 * nnz


def from_coo(S: int, n_cols: int, s: np.ndarray, a: np.ndarray, t: np.ndarray, p: np.ndarray, param: str,
             names, valid: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Canonical ``(act_ptr, act_col, tr_ptr, nxt, prob)`` from quadruples: state ``s``, column
    ``a``, successor ``t``, probability ``p`` (arrays of one length).

    ``valid`` (an (S, n_cols) bool array) says which (state, column) rows exist; by default those
    with a positive probability somewhere. Refuses (ValueError naming ``param``) probabilities that
    are negative or not finite, successors out of range, valid rows that do not sum to 1 within
    1e-9, and (with ``valid`` given) rows of invalid actions with nonzero entries; a state without
    an action is refused naming ``param`` too.
    """
    s = np.asarray(s, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    t = np.asarray(t, dtype=np.int64)
    p = np.asarray(p, dtype=np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{param}: probabilities must be finite and >= 0")
    if t.size and (t.min() < 0 or t.max() >= S):
        raise ValueError(f"{param}: successor state {int(t.min() if t.min() < 0 else t.max())} is out of range for "
                         f"{S} states")
    keep = p > 0
    s, a, t, p = s[keep], a[keep], t[keep], p[keep]
    key = s * n_cols + a  # the (state, column) row of each quadruple
    if valid is not None:
        valid = np.asarray(valid, dtype=bool)
        if key.size and not valid.reshape(-1)[key].all():
            raise ValueError(f"{param}: rows of actions absent from action_mask must be zero")
        rows = None
    order = np.lexsort((t, key))
    key, t, p = key[order], t[order], p[order]
    if valid is not None:
        rows = np.flatnonzero(valid.reshape(-1))
    else:  # the distinct rows, from the sorted keys
        rows = key[np.concatenate(([True], key[1:] != key[:-1]))] if key.size else key
    # merge repeated successors within a row
    if key.size:
        first = np.ones(key.size, dtype=bool)
        first[1:] = (key[1:] != key[:-1]) | (t[1:] != t[:-1])
        starts = np.flatnonzero(first)
        p = np.add.reduceat(p, starts)
        key, t = key[starts], t[starts]
    # entries: every valid row, in (state, column) order
    E = rows.size
    pos = np.searchsorted(rows, key)  # entry of each transition
    counts = np.bincount(pos, minlength=E) if E else np.zeros(0, dtype=np.int64)
    tr_ptr = np.zeros(E + 1, dtype=np.int64)
    np.cumsum(counts, out=tr_ptr[1:])
    sums = np.bincount(pos, weights=p, minlength=E) if E else np.zeros(0)
    bad = np.flatnonzero(np.abs(sums - 1.0) > ROW_TOL)
    if bad.size:
        e = int(bad[0])
        st, col = divmod(int(rows[e]), n_cols)
        raise ValueError(f"{param}: row of state {names[st]!r}, action {col} sums to {float(sums[e])!r}, not 1 "
                         "(rows must be probability distributions)")
    p = p / sums[pos]  # rows sum to 1 to rounding: every value is an average of rewards
    ent_state = rows // n_cols
    act_ptr = np.zeros(S + 1, dtype=np.int64)
    np.cumsum(np.bincount(ent_state, minlength=S), out=act_ptr[1:])
    if np.any(act_ptr[1:] == act_ptr[:-1]):
        st = int(np.flatnonzero(act_ptr[1:] == act_ptr[:-1])[0])
        raise ValueError(f"{param}: state {names[st]!r} has no action")
    return act_ptr, (rows % n_cols).astype(np.int64), tr_ptr, t.astype(np.int64), p


_MOVES = (("N", -1, 0), ("S", 1, 0), ("E", 0, 1), ("W", 0, -1))
_PERP = {"N": ("E", "W"), "S": ("E", "W"), "E": ("N", "S"), "W": ("N", "S")}


def gridworld_csr(rows: int, cols: int, wallset: set, termset: set, slip: float, stay: bool):
    """``(names, actions, act_ptr, act_col, tr_ptr, nxt, prob)`` of :meth:`MDP.gridworld`, vectorised.

    Cells are numbered row by row, walls skipped. A move into a wall or off the grid stays put;
    with ``slip = 0`` such moves are not offered (and "stay" is added when ``stay`` or when no move
    is left), with ``slip > 0`` every move is offered and goes in the intended direction with
    probability 1 - slip and to each perpendicular one with probability slip/2.
    """
    free = np.ones((rows, cols), dtype=bool)
    for r, c in wallset:
        free[r, c] = False
    idx = np.full((rows, cols), -1, dtype=np.int64)
    S = int(free.sum())
    idx[free] = np.arange(S)
    rr, cc = np.nonzero(free)  # row-major order: cell i is (rr[i], cc[i])
    term = np.zeros(S, dtype=bool)
    for r, c in termset:
        term[idx[r, c]] = True
    dest = {}
    for m, dr, dc in _MOVES:
        r2, c2 = rr + dr, cc + dc
        inside = (r2 >= 0) & (r2 < rows) & (c2 >= 0) & (c2 < cols)
        d = np.arange(S)
        ok = inside.copy()
        ok[inside] = free[r2[inside], c2[inside]]
        d[ok] = idx[r2[ok], c2[ok]]
        dest[m] = d
    me = np.arange(S)
    # offered[m]: (S,) bool; column of each offered action = its position among the state's actions
    offered = {}
    for m, _, _ in _MOVES:
        offered[m] = ~term & ((dest[m] != me) if slip == 0.0 else True)
    n_moves = sum(offered[m].astype(np.int64) for m, _, _ in _MOVES)
    has_stay = term | (stay | (n_moves == 0))
    quads = []  # (state, column, successor, probability) blocks
    col = np.zeros(S, dtype=np.int64)
    for m, _, _ in _MOVES:
        sel = np.flatnonzero(offered[m])
        if slip == 0.0:
            quads.append((sel, col[sel], dest[m][sel], np.ones(sel.size)))
        else:
            quads.append((sel, col[sel], dest[m][sel], np.full(sel.size, 1.0 - slip)))
            for q in _PERP[m]:
                quads.append((sel, col[sel], dest[q][sel], np.full(sel.size, slip / 2)))
        col[sel] += 1
    sel = np.flatnonzero(has_stay)
    quads.append((sel, col[sel], sel, np.ones(sel.size)))
    n_cols = 5
    s, a, t, p = (np.concatenate([q[i] for q in quads]) for i in range(4))
    names = tuple(f"{r},{c}" for r, c in zip(rr.tolist(), cc.tolist()))
    arrays = from_coo(S, n_cols, s, a, t, p, "slip", names)
    # action names: one shared tuple per pattern of offered moves (a few dozen objects in all)
    code = sum(offered[m].astype(np.int64) << i for i, (m, _, _) in enumerate(_MOVES)) + (has_stay.astype(np.int64) << 4)
    code[term] = 1 << 5
    table = {}
    for k in set(np.bincount(code).nonzero()[0].tolist()):
        if k == 1 << 5:
            table[k] = ("stay",)
        else:
            table[k] = tuple(m for i, (m, _, _) in enumerate(_MOVES) if k >> i & 1) + (("stay",) if k >> 4 & 1 else ())
    actions = tuple(table[k] for k in code.tolist())
    return names, actions, n_cols, arrays


def check_build(param: str, S: float, E: float, nnz: float, what: str) -> None:
    check_memory(param, csr_bytes(S, E, nnz), what)
