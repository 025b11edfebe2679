"""The limits gamma -> 1 and gamma -> 0 in deterministic MDPs: cycles, maximum mean cycles, lassos.

Turner et al. 2021, section 5: in a deterministic MDP the recurrent state distributions (RSDs)
are the uniform distributions over the simple cycles, so lim_{gamma -> 1} (1 - gamma) V*_R(s) is
the best mean reward of a cycle reachable from s, and every deterministic stationary policy's
trajectory from s is a *lasso* (a path, then a cycle repeated forever).

Everything here runs in bounded memory and time (docs/contract.md): graph searches are
iterative (no recursion limit on long chains), enumerations have caps that raise a ValueError
naming the parameter, and the compiled kernels are called on row blocks, so Ctrl-C is honoured
between blocks.
"""

from __future__ import annotations

import weakref

import numba
import numpy as np

from tailpower._common import check_int, check_memory, memory_budget

from . import _kernels
from ._checks import Unsupported, check_choice, pow2_scale, reward_matrix
from .model import MDP

__all__ = [
    "reachable_cycles",
    "max_gain",
    "lassos",
    "limit_optimal_actions",
    "karp_steps",
    "limit_steps",
]

_STRUCT: "weakref.WeakKeyDictionary[MDP, dict]" = weakref.WeakKeyDictionary()
_PY_STEP = 100  # work units (about 10 ns) charged per step of a Python-level search
_KERNEL_CALL = 2e8  # work units per compiled-kernel call (about a second): Ctrl-C between calls


def _struct(mdp: MDP) -> dict:
    d = _STRUCT.get(mdp)
    if d is None:
        d = {}
        _STRUCT[mdp] = d
    return d


def check_mdp(mdp, name: str = "mdp") -> MDP:
    if not isinstance(mdp, MDP):
        raise TypeError(f"{name}: expected a powerseek.MDP, got {type(mdp).__name__}")
    return mdp


def require_deterministic(mdp: MDP, what: str, param: str = "mdp") -> None:
    if not mdp.is_deterministic:
        raise Unsupported(
            f"{param}: {what} is implemented for deterministic MDPs only (the gamma -> 0 / gamma -> 1 "
            "limits); use gamma in (0, 1), e.g. 1e-4 or 1 - 1e-4, for stochastic ones"
        )


def _row_blocks(K: int, steps_per_row: float):
    """Row ranges for kernel calls of about ``_KERNEL_CALL`` work each (multiples of the kernel
    chunk, so the split never changes a result)."""
    rows = int(max(1, _KERNEL_CALL // max(steps_per_row, 1.0)))
    rows = max(_kernels.CHUNK, rows - rows % _kernels.CHUNK)
    for lo in range(0, K, rows):
        yield lo, min(K, lo + rows)


# ----------------------------------------------------------------------------- graph structure
def _scc(mdp: MDP) -> dict:
    """Strongly connected components of the successor graph (scipy.sparse.csgraph, no recursion),
    the arrays of Karp's kernel, and the condensation DAG in reverse topological order (sinks
    first). Components are numbered by their smallest state."""
    st = _struct(mdp)
    if "scc" not in st:
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components

        S = mdp.n_states
        src = np.asarray(mdp.entry_state)
        dst = np.asarray(mdp.successor_array)
        check_memory("mdp", 64.0 * (S + len(src)), f"the strongly connected components of {S} states")
        G = sp.csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(S, S))
        n, lab = connected_components(G, directed=True, connection="strong")
        first = np.full(n, S, dtype=np.int64)
        np.minimum.at(first, lab, np.arange(S))
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(n)
        comp_of = rank[lab]
        nodes = np.argsort(comp_of, kind="stable")  # grouped by component, sorted within
        scc_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(comp_of, minlength=n), out=scc_ptr[1:])
        local = np.empty(S, dtype=np.int64)
        local[nodes] = np.arange(S) - scc_ptr[comp_of[nodes]]
        cs, cd = comp_of[src], comp_of[dst]
        inner = cs == cd
        order_e = np.argsort(cs[inner], kind="stable")
        e_src, e_dst = local[src[inner]][order_e], local[dst[inner]][order_e]
        edge_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(cs[inner], minlength=n), out=edge_ptr[1:])
        size = np.diff(scc_ptr)
        loop = np.zeros(n, dtype=bool)
        loop[cs[inner & (src == dst)]] = True
        has_cycle = (size > 1) | loop
        pairs = np.unique(np.stack([cs[~inner], cd[~inner]], axis=1), axis=0) if (~inner).any() else np.zeros((0, 2), np.int64)
        succ: list[list[int]] = [[] for _ in range(n)]
        indeg = np.zeros(n, dtype=np.int64)
        for a, b in pairs.tolist():
            succ[a].append(b)
            indeg[b] += 1
        topo = list(np.flatnonzero(indeg == 0).tolist())  # Kahn: sources first
        i = 0
        while i < len(topo):
            for b in succ[topo[i]]:
                indeg[b] -= 1
                if indeg[b] == 0:
                    topo.append(b)
            i += 1
        st["scc"] = dict(
            args=(scc_ptr, nodes.astype(np.int64), edge_ptr, e_src.astype(np.int64), e_dst.astype(np.int64),
                  has_cycle.astype(np.bool_)),
            comps=[nodes[scc_ptr[c]:scc_ptr[c + 1]].tolist() for c in range(n)],
            comp_of=comp_of,
            succ=succ,
            order=topo[::-1],
        )
    return st["scc"]


def _reach_bits(mdp: MDP, cols: np.ndarray) -> list[int]:
    """For every component c, a Python-int bitset of the components in ``cols`` (bit i for
    ``cols[i]``) reachable from c (c itself included), by dynamic programming over the DAG."""
    sc = _scc(mdp)
    n = len(sc["comps"])
    check_memory("mdp", n * (len(cols) / 8 + 64), f"reachability among {n} components")
    bit = {int(c): 1 << i for i, c in enumerate(cols)}
    bits = [0] * n
    for c in sc["order"]:  # sinks first
        b = bit.get(c, 0)
        for d in sc["succ"][c]:
            b |= bits[d]
        bits[c] = b
    return bits


def _bits_matrix(bits: list[int], width: int) -> np.ndarray:
    nbytes = (width + 7) // 8
    raw = np.frombuffer(b"".join(b.to_bytes(nbytes, "little") for b in bits), dtype=np.uint8)
    return np.unpackbits(raw.reshape(len(bits), nbytes), axis=1, bitorder="little")[:, :width].astype(bool)


def self_loop_counts(mdp: MDP) -> np.ndarray | None:
    """Per state, the number of absorbing self-loop states reachable from it, when every cycle
    reachable from it is such a self-loop (then POWER(s, 1) = E[max of that many iid rewards]);
    None if some state reaches a longer cycle, or the bookkeeping would not fit the budget."""
    sc = _scc(mdp)
    has_cycle = sc["args"][5]
    sizes = np.array([len(c) for c in sc["comps"]])
    cyc = np.flatnonzero(has_cycle)
    n = len(sc["comps"])
    if n * (len(cyc) / 8 + 64) > memory_budget() / 4:
        return None
    big = {int(c) for c in cyc if sizes[c] > 1}
    bits = _reach_bits(mdp, cyc)
    big_mask = sum(1 << i for i, c in enumerate(cyc) if int(c) in big)
    out = np.empty(mdp.n_states, dtype=np.int64)
    for s in range(mdp.n_states):
        b = bits[int(sc["comp_of"][s])]
        if b & big_mask:
            return None
        out[s] = b.bit_count()
    return out


def reachable_cycles(mdp: MDP, max_cycles: int = 100_000) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """All simple cycles of a deterministic MDP (networkx), and which are reachable from where.

    Returns ``(cycles, reach)`` with ``reach[s, c]`` True when cycle c can be reached from s. In a
    deterministic MDP the recurrent state distributions (RSDs) are exactly the uniform
    distributions over these cycles (Turner et al. 2021, section 5). The number of simple cycles
    grows exponentially (gridworlds): more than ``max_cycles`` is refused with a ValueError naming
    ``mdp`` (:func:`max_gain` uses Karp's algorithm instead, polynomial at any size).

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    max_cycles : int, default 100,000
        The most simple cycles to enumerate.

    Returns
    -------
    cycles : list of tuple of int
        Each simple cycle as its state indices, sorted.
    reach : ndarray of bool (S, number of cycles)
        ``reach[s, c]``: cycle c can be reached from state s.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP or ``max_cycles`` not a number.
    ValueError
        If the MDP is stochastic (``mdp``), has more than ``max_cycles`` simple cycles
        (``mdp``), or ``max_cycles`` is not a whole number >= 1.
    tailpower.BudgetError
        If the reachability table would exceed the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.turner_fig1()
    >>> cycles, reach = ps.reachable_cycles(mdp)
    >>> [tuple(mdp.states[i] for i in c) for c in cycles]
    [('empty',), ('l_nw', 'l_sw'), ('l_sw',), ('r_ne',), ('r_ne', 'r_se'), ('r_se',)]
    >>> reach[mdp.index("l")].tolist()  # from l: the cycles through l_nw and l_sw
    [False, True, True, False, False, False]
    """
    check_mdp(mdp)
    max_cycles = check_int("max_cycles", max_cycles)
    require_deterministic(mdp, "reachable_cycles")
    st = _struct(mdp)
    if "cycles" not in st or len(st["cycles"][0]) > max_cycles:
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(mdp.n_states))
        for s, row in enumerate(mdp.successor_table):
            g.add_edges_from((s, t) for t in row)
        cycles = []
        for c in nx.simple_cycles(g):
            cycles.append(tuple(c))
            if len(cycles) > max_cycles:
                raise ValueError(
                    f"mdp: more than max_cycles = {max_cycles} simple cycles (they grow exponentially); "
                    "use max_gain(..., method='karp') for gains, or raise max_cycles")
        cycles.sort()
        check_memory("mdp", mdp.n_states * len(cycles) * 2.0, f"the reachability table of {len(cycles)} cycles")
        sc = _scc(mdp)
        comp_of = sc["comp_of"]
        cyc_comps = np.unique([comp_of[c[0]] for c in cycles]).astype(np.int64)
        col = {int(c): i for i, c in enumerate(cyc_comps)}
        M = _bits_matrix(_reach_bits(mdp, cyc_comps), len(cyc_comps))  # (comps, cycle comps)
        which = np.array([col[int(comp_of[c[0]])] for c in cycles], dtype=np.int64)
        reach = M[comp_of][:, which] if cycles else np.zeros((mdp.n_states, 0), dtype=bool)
        st["cycles"] = (cycles, reach)
    return st["cycles"]


def gain_steps(mdp: MDP) -> float:
    """Work (steps) of multichain policy iteration for the optimal gain, one reward vector."""
    from . import average

    return average.steps(mdp, ties=False, blackwell=False)


def karp_steps(mdp: MDP) -> float:
    """Work (steps) of Karp's algorithm for one reward vector: sum over components of (n+1) E + n^2.

    :func:`max_gain` with ``method="auto"`` compares it with the work of policy iteration.

    Parameters
    ----------
    mdp : MDP

    Returns
    -------
    float
        Steps of about 10 ns (the unit of :func:`powerseek.work_limit`).

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP.

    Examples
    --------
    >>> import powerseek as ps
    >>> from powerseek.limits import karp_steps
    >>> karp_steps(ps.examples.turner_fig1())  # components of 1, 2 and 2 states with loops
    43.0
    """
    check_mdp(mdp)
    sc = _scc(mdp)
    ptr, _, eptr = sc["args"][0], sc["args"][1], sc["args"][2]
    n = np.diff(ptr).astype(float)
    e = np.diff(eptr).astype(float)
    return float(np.sum((n + 1) * e + n * n) + mdp.n_states)


def max_gain(mdp: MDP, rewards, method: str = "auto") -> np.ndarray:
    """lim_{gamma -> 1} (1 - gamma) V*_R(s, gamma) for every state: the optimal gain g*(s).

    In a deterministic MDP this is the best mean reward of a cycle reachable from s (RSDs of
    deterministic MDPs are uniform over cycles). ``method="karp"`` computes each strongly
    connected component's maximum mean cycle with Karp's algorithm (polynomial, any size) and
    propagates the best gain back through the DAG of components; ``method="cycles"`` enumerates
    the simple cycles with networkx (small MDPs; an independent check); ``method="pi"`` runs
    multichain policy iteration (:mod:`powerseek.average`; stochastic MDPs too), ``"lp"`` the
    multichain linear program (HiGHS; an independent check). ``"auto"``: Karp or policy
    iteration on deterministic MDPs, whichever is estimated cheaper (Karp's O(n E) per component
    is quadratic on a large gridworld), policy iteration on stochastic ones. Returns (K, S) (or
    (S,) for one reward vector).

    Parameters
    ----------
    mdp : MDP
    rewards : array (S,) or (K, S)
        Rewards on states, in ``mdp.states`` order.
    method : "auto" | "karp" | "cycles" | "pi" | "lp"

    Returns
    -------
    ndarray (S,) or (K, S)
        The optimal gain of every state.

    Raises
    ------
    TypeError
        If ``mdp`` is not an MDP or ``rewards`` not real.
    ValueError
        ``rewards`` of the wrong shape or not finite; ``method`` unknown, or "karp"/"cycles" on
        a stochastic MDP (``mdp``); too many simple cycles for "cycles" (``mdp``).
    tailpower.BudgetError
        If the work would exceed the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.turner_fig1()
    >>> R = [0, 1, 0, 0, 0, 0, 0, 0.5]  # empty pays 1, r_se pays 0.5
    >>> ps.max_gain(mdp, R).tolist()  # star reaches empty's self-loop; from r the best is r_se's loop
    [1.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.5]
    """
    check_mdp(mdp)
    method = check_choice("method", method, ("auto", "karp", "cycles", "pi", "lp"))
    R, squeeze = reward_matrix(mdp, rewards)
    if method == "auto":
        method = "karp" if mdp.is_deterministic and karp_steps(mdp) <= gain_steps(mdp) else "pi"
    if method in ("pi", "lp"):
        from . import average

        G = average.average_optimal(mdp, R, method=method, blackwell=False).gain
        return G[0] if squeeze else G
    require_deterministic(mdp, "max_gain")
    c = pow2_scale(R)
    Rs = R / c
    K = R.shape[0]
    if method == "karp":
        sc = _scc(mdp)
        nmax = int(np.diff(sc["args"][0]).max())
        threads = numba.get_num_threads()
        check_memory("mdp", threads * (nmax + 1.0) * nmax * 8 + K * (len(sc["comps"]) + mdp.n_states) * 16.0,
                     f"Karp's algorithm on a component of {nmax} states")
        mu = np.empty((K, len(sc["comps"])))
        for lo, hi in _row_blocks(K, karp_steps(mdp)):
            _kernels.karp_max_mean(Rs[lo:hi], *sc["args"], mu[lo:hi])
        for comp in sc["order"]:  # sinks first: best gain reachable = own cycle or a successor's
            for d in sc["succ"][comp]:
                np.maximum(mu[:, comp], mu[:, d], out=mu[:, comp])
        G = mu[:, sc["comp_of"]]
    else:
        cycles, reach = reachable_cycles(mdp)
        check_memory("rewards", K * len(cycles) * 8.0 * 3, f"the means of {len(cycles)} cycles for {K} reward vectors")
        D = np.zeros((len(cycles), mdp.n_states))
        for j, cyc in enumerate(cycles):
            D[j, list(cyc)] = 1.0 / len(cyc)
        mu = Rs @ D.T
        G = np.empty((K, mdp.n_states))
        for s in range(mdp.n_states):
            G[:, s] = mu[:, reach[s]].max(axis=1)
    G = G * c
    return G[0] if squeeze else G


# Lassos and the exact limits of a state's optimal actions (powerseek._lassos): re-exported.
from ._lassos import lassos, limit_optimal_actions, limit_steps  # noqa: E402,F401
