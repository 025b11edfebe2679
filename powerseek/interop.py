"""MDPs from the environments and toolkits people use, and MDP files.

State ``i`` of the source is state ``i`` here (named ``"i"``) and action ``a`` of the source is
column ``a`` of the action layout (named ``"a"``), so values and policies line up index by index
with the source's own solvers:

- :func:`from_gymnasium` -- Gymnasium toy-text environments (FrozenLake, CliffWalking, Taxi) through
  their transition table ``env.unwrapped.P[s][a] = [(prob, next_state, reward, terminated), ...]``;
- :func:`from_pymdptoolbox` -- pymdptoolbox's transitions ``P[a][s, s']`` (an (A, S, S) array or a
  list of A dense or scipy.sparse (S, S) matrices);
- :func:`from_quantecon` -- a ``quantecon.markov.DiscreteDP`` (product or state-action-pair form);
- :func:`save` / :func:`load` -- ``.npz`` (any size) or ``.json`` (small MDPs, readable).

Rewards stay outside the MDP (powerseek puts rewards on states and draws them from a law); the
sources' own rewards are not imported. None of these functions imports gymnasium, pymdptoolbox or
quantecon: they read the objects they are given (the packages are in the ``interop`` extra,
``pip install 'tailpower[interop]'``, for building those objects and for the cross-checks).
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from tailpower._common import _replace_atomically, check_memory

from . import _build
from .model import MDP, _action_names

__all__ = ["from_gymnasium", "from_pymdptoolbox", "from_quantecon", "save", "load"]

_FORMAT = "powerseek.MDP"
_VERSION = 1
#: JSON files are for small MDPs: at most this many transitions
MAX_JSON_TRANSITIONS = 200_000


def _index_names(n: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(n))


def _column_names(mdp_cols: np.ndarray, act_ptr: np.ndarray) -> tuple[tuple[str, ...], ...]:
    """Action names = source action numbers, one shared tuple per distinct set of columns."""
    cache: dict = {}
    out = []
    cols = mdp_cols.tolist()
    ptr = act_ptr.tolist()
    for s in range(len(ptr) - 1):
        key = tuple(cols[ptr[s]:ptr[s + 1]])
        t = cache.get(key)
        if t is None:
            t = cache[key] = tuple(str(c) for c in key)
        out.append(t)
    return tuple(out)


def _build_indexed(S: int, A: int, s, a, t, p, param: str, valid=None) -> MDP:
    names = _index_names(S)
    _build.check_build(param, S, S * A, len(p), f"an MDP with {S} states and {A} actions")
    arrays = _build.from_coo(S, A, s, a, t, p, param, names, valid=valid)
    return MDP._from_parts(names, _column_names(arrays[1], arrays[0]), A, arrays)


# ----------------------------------------------------------------------------- Gymnasium
def from_gymnasium(env) -> MDP:
    """The MDP of a Gymnasium environment with a transition table (the toy-text ones).

    Reads ``env.unwrapped.P`` (or ``env.P``; a table ``{s: {a: [(prob, next, reward,
    terminated), ...]}}`` is accepted directly), as FrozenLake, CliffWalking and Taxi define it.
    State ``i`` of the environment is state ``"i"``, action ``a`` is column ``a`` named ``"a"``;
    repeated successors in a row are summed (slippery FrozenLake lists some twice).

    An episode ends on a transition flagged ``terminated``: the state it enters becomes
    absorbing (one action, ``"stay"``, a self-loop), as FrozenLake's own table already makes its
    holes and goal. In Taxi those states (passenger delivered) are also entered from states no
    episode reaches; they are absorbing all the same. Rewards are not imported.

    Raises
    ------
    ValueError
        naming ``env`` if there is no transition table (``env.unwrapped.P`` missing) or it is
        malformed (states not numbered 0..S-1, successors out of range, rows not summing to 1).

    Examples
    --------
    >>> import gymnasium as gym
    >>> import powerseek as ps
    >>> mdp = ps.MDP.from_gymnasium(gym.make("FrozenLake-v1", map_name="8x8"))
    >>> mdp.n_states, mdp.is_deterministic
    (64, False)
    """
    if isinstance(env, Mapping):
        P = env
    else:
        base = getattr(env, "unwrapped", env)
        P = getattr(base, "P", None)
        if P is None:
            raise ValueError(f"env: {type(env).__name__} has no transition table env.unwrapped.P (Gymnasium's "
                             "toy-text environments FrozenLake, CliffWalking and Taxi have one)")
    if not isinstance(P, (Mapping, Sequence)) or isinstance(P, (str, bytes)):
        raise ValueError(f"env: the transition table env.unwrapped.P must map states to {{action: [(prob, next, "
                         f"reward, terminated), ...]}}, got {type(P).__name__}")
    S = len(P)
    if S == 0:
        raise ValueError("env: the transition table env.unwrapped.P is empty")
    keys = range(S)
    if isinstance(P, Mapping) and set(P.keys()) != set(keys):
        raise ValueError(f"env: the states of env.unwrapped.P must be 0..{S - 1}")
    ss, aa, tt, pp, term = [], [], [], [], set()
    A = 0
    for s in keys:
        row = P[s]
        items = row.items() if isinstance(row, Mapping) else enumerate(row) if isinstance(row, Sequence) else None
        if items is None:
            raise ValueError(f"env: env.unwrapped.P[{s}] must map actions to lists of transitions")
        for a, lst in items:
            if not isinstance(a, numbers.Integral) or a < 0:
                raise ValueError(f"env: actions of env.unwrapped.P[{s}] must be integers >= 0, got {a!r}")
            A = max(A, int(a) + 1)
            try:
                for tr in lst:
                    p, t, done = float(tr[0]), tr[1], bool(tr[3])
                    if not isinstance(t, numbers.Integral) or not 0 <= t < S:
                        raise ValueError(f"env: env.unwrapped.P[{s}][{a}] moves to {t!r}, not a state 0..{S - 1}")
                    ss.append(s)
                    aa.append(int(a))
                    tt.append(int(t))
                    pp.append(p)
                    if done and p > 0:
                        term.add(int(t))
            except (TypeError, IndexError):
                raise ValueError(f"env: env.unwrapped.P[{s}][{a}] must be a list of (prob, next_state, reward, "
                                 "terminated) tuples") from None
    if A == 0:
        raise ValueError("env: env.unwrapped.P lists no actions")
    s_, a_, t_, p_ = (np.asarray(x) for x in (ss, aa, tt, pp))
    if term:
        ab = np.zeros(S, dtype=bool)
        ab[list(term)] = True
        keep = ~ab[s_]
        ids = np.flatnonzero(ab)
        s_ = np.concatenate([s_[keep], ids])
        a_ = np.concatenate([a_[keep], np.zeros(ids.size, dtype=np.int64)])
        t_ = np.concatenate([t_[keep], ids])
        p_ = np.concatenate([p_[keep].astype(float), np.ones(ids.size)])
    mdp = _build_indexed(S, A, s_, a_, t_, p_.astype(float), "env")
    if term:  # absorbing states: the single action is "stay"
        acts = list(mdp.actions)
        for i in term:
            acts[i] = ("stay",)
        mdp = MDP._from_parts(mdp.states, tuple(acts), mdp.n_actions, mdp.csr)
    return mdp


# ----------------------------------------------------------------------------- pymdptoolbox
def from_pymdptoolbox(P) -> MDP:
    """The MDP of pymdptoolbox's transitions ``P[a][s, s']``.

    ``P`` is an (A, S, S) array or a sequence of A (S, S) matrices, dense or ``scipy.sparse``
    (pymdptoolbox accepts both). Action ``a`` is column ``a`` named ``"a"``; rows that are all
    zero are absent actions. Refuses (ValueError naming ``P``) matrices of the wrong shape,
    negative or non-finite entries and rows that do not sum to 1.

    Examples
    --------
    >>> import mdptoolbox.example
    >>> import powerseek as ps
    >>> P, R = mdptoolbox.example.forest(S=3)
    >>> ps.MDP.from_pymdptoolbox(P).n_states
    3
    """
    import scipy.sparse as sp

    if isinstance(P, (str, bytes)) or P is None:
        raise TypeError(f"P: expected an (A, S, S) array or a list of (S, S) matrices, got {type(P).__name__}")
    if isinstance(P, np.ndarray) and P.ndim == 3 and P.dtype != object:
        mats = list(P)
    elif isinstance(P, (Sequence, np.ndarray)):
        mats = list(P)
    else:
        raise TypeError(f"P: expected an (A, S, S) array or a list of (S, S) matrices, got {type(P).__name__}")
    if not mats:
        raise ValueError("P: no actions")
    ss, aa, tt, pp = [], [], [], []
    S = None
    for a, M in enumerate(mats):
        try:
            M = sp.csr_matrix(M, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"P: action {a} is not a matrix of probabilities ({exc})") from None
        if M.ndim != 2 or M.shape[0] != M.shape[1] or (S is not None and M.shape[0] != S):
            raise ValueError(f"P: every action needs an (S, S) matrix of one size, action {a} has shape {M.shape}")
        S = M.shape[0]
        check_memory("P", 24.0 * M.nnz * (len(mats) - a), "the transitions of the MDP")
        M.sum_duplicates()
        rows = np.repeat(np.arange(S, dtype=np.int64), np.diff(M.indptr))
        ss.append(rows)
        aa.append(np.full(rows.size, a, dtype=np.int64))
        tt.append(M.indices.astype(np.int64))
        pp.append(M.data)
    if S == 0:
        raise ValueError("P: an MDP needs at least one state")
    return _build_indexed(S, len(mats), *(np.concatenate(x) for x in (ss, aa, tt, pp)), "P")


# ----------------------------------------------------------------------------- QuantEcon
def from_quantecon(ddp) -> MDP:
    """The MDP of a ``quantecon.markov.DiscreteDP``.

    Product form (``R`` of shape (n, m), ``Q`` of shape (n, m, n)): action ``a`` is column ``a``;
    actions with reward ``-inf`` are infeasible in QuantEcon and absent here. State-action-pair
    form (``s_indices``, ``a_indices``, ``Q`` of shape (L, n), dense or sparse): the listed pairs.
    QuantEcon's rewards R(s, a) are not imported (powerseek's rewards live on states: to compare,
    give QuantEcon R(s, a) = r(s) for every a).

    Examples
    --------
    >>> import numpy as np
    >>> from quantecon.markov import DiscreteDP
    >>> import powerseek as ps
    >>> ddp = DiscreteDP(np.zeros((2, 2)), np.full((2, 2, 2), 0.5), 0.9)
    >>> ps.MDP.from_quantecon(ddp).n_states
    2
    """
    import scipy.sparse as sp

    need = ("Q", "R", "num_states")
    if not all(hasattr(ddp, k) for k in need):
        raise TypeError(f"ddp: expected a quantecon.markov.DiscreteDP, got {type(ddp).__name__}")
    n = int(ddp.num_states)
    R = np.asarray(ddp.R, dtype=float)
    Q = ddp.Q
    if getattr(ddp, "s_indices", None) is None:  # product formulation
        Q = np.asarray(Q, dtype=float)
        if Q.ndim != 3 or R.shape != Q.shape[:2] or Q.shape[0] != n or Q.shape[2] != n:
            raise ValueError(f"ddp: expected Q of shape (n, m, n) and R of shape (n, m), got {Q.shape} and {R.shape}")
        m = Q.shape[1]
        valid = R > -np.inf
        if not valid.any(axis=1).all():
            raise ValueError("ddp: a state has no feasible action (every reward -inf)")
        check_memory("ddp", 24.0 * np.count_nonzero(Q), "the transitions of the MDP")
        s, a, t = np.nonzero(Q * valid[:, :, None])
        return _build_indexed(n, m, s, a, t, Q[s, a, t], "ddp", valid=valid)
    s_idx = np.asarray(ddp.s_indices, dtype=np.int64)
    a_idx = np.asarray(ddp.a_indices, dtype=np.int64)
    M = sp.csr_matrix(Q, dtype=float)
    if M.shape != (s_idx.size, n):
        raise ValueError(f"ddp: expected Q of shape (L, n) = ({s_idx.size}, {n}), got {M.shape}")
    M.sum_duplicates()
    m = int(a_idx.max()) + 1 if a_idx.size else 0
    valid = np.zeros((n, m), dtype=bool)
    valid[s_idx, a_idx] = True
    rows = np.repeat(np.arange(s_idx.size), np.diff(M.indptr))
    return _build_indexed(n, m, s_idx[rows], a_idx[rows], M.indices.astype(np.int64), M.data, "ddp", valid=valid)


# ----------------------------------------------------------------------------- files
def _format_of(path: Path, format: str | None) -> str:
    if format is None:
        suffix = path.suffix.lower()
        if suffix not in (".npz", ".json"):
            raise ValueError(f"path: the file name must end in .npz or .json (or give format=), got {str(path)!r}")
        return suffix[1:]
    if format not in ("npz", "json"):
        raise ValueError(f"format: expected 'npz' or 'json', got {format!r}")
    return format


def _is_ours(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head.startswith(b"PK"):
            with np.load(path, allow_pickle=False) as z:
                return "format" in z.files and str(z["format"]) == _FORMAT
        with open(path, encoding="utf-8") as fh:
            return json.load(fh).get("format") == _FORMAT
    except (OSError, ValueError, AttributeError, KeyError):
        return False


def save(mdp: MDP, path, format: str | None = None) -> Path:
    """Write ``mdp`` to ``path``: ``.npz`` (numpy, any size) or ``.json`` (small MDPs, at most
    200,000 transitions); ``format`` overrides the suffix. :func:`load` gives back an MDP equal to
    ``mdp`` (same states, actions and probabilities bit for bit).

    An existing file is replaced (atomically) only if it is an MDP file written by :func:`save`;
    any other file is refused (ValueError naming ``path``), so nothing a user owns is overwritten.
    Returns the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import powerseek as ps
    >>> mdp = ps.MDP.gridworld(3, 3, slip=0.2)
    >>> p = ps.MDP.gridworld(3, 3, slip=0.2).save(pathlib.Path(tempfile.mkdtemp()) / "grid.npz")
    >>> ps.MDP.load(p) == mdp
    True
    """
    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp: expected a powerseek.MDP, got {type(mdp).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file name, got {type(path).__name__}")
    path = Path(path)
    fmt = _format_of(path, format)
    if path.is_dir():
        raise ValueError(f"path: {str(path)!r} is a directory")
    if not path.parent.is_dir():
        raise ValueError(f"path: the directory {str(path.parent)!r} does not exist")
    if path.exists() and not _is_ours(path):
        raise ValueError(f"path: {str(path)!r} exists and is not an MDP file written by powerseek; not overwriting it")
    act_ptr, act_col, tr_ptr, nxt, prob = mdp.csr
    flat_actions = [a for row in mdp.actions for a in row]
    if fmt == "json":
        if len(prob) > MAX_JSON_TRANSITIONS:
            raise ValueError(f"format: JSON is for small MDPs (at most {MAX_JSON_TRANSITIONS} transitions, this one has "
                             f"{len(prob)}); use a .npz file")
        doc = {"format": _FORMAT, "version": _VERSION, "states": list(mdp.states), "n_actions": mdp.n_actions,
               "actions": flat_actions, "act_ptr": act_ptr.tolist(), "act_col": act_col.tolist(),
               "tr_ptr": tr_ptr.tolist(), "nxt": nxt.tolist(), "prob": prob.tolist()}

        def write(tmp):
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(doc, fh)
    else:
        check_memory("mdp", 200.0 * mdp.n_states + 100.0 * len(flat_actions), "the names in the .npz file")

        def write(tmp):
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, format=np.array(_FORMAT), version=np.array(_VERSION),
                                    states=np.array(mdp.states, dtype=str), n_actions=np.array(mdp.n_actions),
                                    actions=np.array(flat_actions, dtype=str), act_ptr=act_ptr, act_col=act_col,
                                    tr_ptr=tr_ptr, nxt=nxt, prob=prob)
    _replace_atomically(path, write)
    return path


def load(path) -> MDP:
    """Read an MDP written by :func:`save` (``.npz`` or ``.json``, told apart by content). The
    arrays are checked as on construction (ValueError naming ``path`` when they are not a valid
    MDP); probabilities are kept bit for bit, so the loaded MDP equals the saved one."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file name, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path: no file {str(path)!r}")
    if not _is_ours(path):
        raise ValueError(f"path: {str(path)!r} is not an MDP file written by powerseek (MDP.save)")
    try:
        with open(path, "rb") as fh:
            zipped = fh.read(2) == b"PK"
        if zipped:
            with np.load(path, allow_pickle=False) as z:
                d = {k: z[k] for k in z.files}
            states = d["states"].tolist()
            flat = d["actions"].tolist()
        else:
            with open(path, encoding="utf-8") as fh:
                d = json.load(fh)
            states, flat = d["states"], d["actions"]
        if int(d["version"]) > _VERSION:
            raise ValueError(f"path: file version {int(d['version'])} is newer than this powerseek reads ({_VERSION})")
        arrays = [np.asarray(d[k], dtype=np.int64) for k in ("act_ptr", "act_col", "tr_ptr", "nxt")]
        arrays.append(np.asarray(d["prob"], dtype=np.float64))
        n_cols = int(d["n_actions"])
    except (KeyError, TypeError, ValueError, OSError) as exc:
        if str(exc).startswith("path: "):
            raise
        raise ValueError(f"path: {str(path)!r} is not a readable MDP file ({exc})") from None
    return _checked(states, flat, n_cols, arrays, "path")


def _checked(states, flat_actions, n_cols: int, arrays, param: str) -> MDP:
    """An MDP from stored canonical arrays, after checking they are canonical (no renormalising:
    the probabilities stay bit for bit)."""
    from .model import _names

    act_ptr, act_col, tr_ptr, nxt, prob = arrays
    try:
        names = _names(states, param)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    S, E = len(names), len(act_col)
    ok = (act_ptr.shape == (S + 1,) and act_ptr[0] == 0 and act_ptr[-1] == E and np.all(np.diff(act_ptr) >= 1)
          and tr_ptr.shape == (E + 1,) and tr_ptr[0] == 0 and tr_ptr[-1] == len(nxt) and len(nxt) == len(prob)
          and np.all(np.diff(tr_ptr) >= 1) and len(flat_actions) == E and n_cols >= 1)
    if not ok:
        raise ValueError(f"{param}: the stored arrays do not describe an MDP (inconsistent lengths)")
    ent_state = np.repeat(np.arange(S), np.diff(act_ptr))
    ent = np.repeat(np.arange(E), np.diff(tr_ptr))
    if np.any(act_col < 0) or np.any(act_col >= n_cols):
        raise ValueError(f"{param}: the stored action columns are out of range for {n_cols} columns")
    canon = _build.from_coo(S, n_cols, ent_state[ent], act_col[ent], nxt, prob, param, names)
    if not all(np.array_equal(x, y) for x, y in zip(canon[:4], arrays[:4])) or np.any(np.abs(canon[4] - prob) > 4e-16):
        raise ValueError(f"{param}: the stored arrays are not in canonical order (sorted, distinct successors)")
    del ent
    counts = np.diff(act_ptr)
    acts, pos = [], 0
    for k in counts.tolist():
        acts.append(tuple(str(x) for x in flat_actions[pos:pos + k]))
        pos += k
    return MDP._from_parts(names, _action_names(acts, counts, param), n_cols,
                           (act_ptr, act_col, tr_ptr, nxt, prob))
