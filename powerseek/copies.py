"""Copies of option sets (Turner & Tadepalli, "Parametrically Retargetable Decision-Makers Tend To
Seek Power", NeurIPS 2022, Def. A.7): B contains n copies of A if there are involutions
phi_1..phi_n with phi_i . A = B_i subset B and phi_i . B_j = B_j for j != i.  Then every
EU-determined decision function prefers B on at least n/(n+1) of every orbit (Lemma B.3).

:func:`find_copies` searches for the involutions (depth-first over coordinates with pruning, an
explicit stack and a node budget, then a maximum clique of mutually compatible involutions) and
returns the n it certifies; hitting a cap makes the certificate non-exhaustive, never wrong.
Public through :mod:`powerseek.orbits` and the package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tailpower._common import check_int, check_memory

from ._checks import check_work, float_array
from .decisions import _as_options

__all__ = ["permute", "is_involution", "Copies", "find_copies"]


def permute(phi, x) -> np.ndarray:
    """P_phi x: the vector y with y[phi[i]] = x[i] (``phi`` a permutation of 0..d-1; x (d,) or (K, d))."""
    p = _perm(phi)
    if p is None:
        raise ValueError("phi: expected a permutation of 0..d-1 (integers)")
    xa = float_array("x", x)
    if xa.ndim not in (1, 2) or xa.shape[-1] != p.size:
        raise ValueError(f"x: expected last dimension {p.size}, got {xa.shape}")
    y = np.empty_like(xa)
    y[..., p] = xa
    return y


def _perm(phi) -> np.ndarray | None:
    """``phi`` as an int64 permutation of 0..d-1, or None if it is not one."""
    f = float_array("phi", phi)
    if f.ndim != 1 or f.size == 0 or not np.all(np.isfinite(f)) or not np.all(f == np.round(f)):
        return None
    p = f.astype(np.int64)
    if p.min() != 0 or p.max() != p.size - 1 or np.unique(p).size != p.size:
        return None
    return p


def is_involution(phi) -> bool:
    """phi(phi(i)) = i for all i (False for anything that is not a permutation of 0..d-1).

    Involutions certify copies of option sets (Turner & Tadepalli 2022, Def. A.7).

    Parameters
    ----------
    phi : array_like of int (d,)
        A candidate permutation of 0..d-1, ``phi[i]`` the image of i.

    Returns
    -------
    bool
        Whether ``phi`` is a permutation equal to its own inverse.

    Raises
    ------
    TypeError
        If ``phi`` is not an array of real numbers.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.is_involution([1, 0, 2]), ps.is_involution([1, 2, 0]), ps.is_involution([0, 0])
    (True, False, False)
    """
    p = _perm(phi)
    return bool(p is not None and np.all(p[p] == np.arange(p.size)))


def _key(v: np.ndarray) -> tuple:
    return tuple((np.round(v, 12) + 0.0).tolist())


def _set_key(M: np.ndarray) -> frozenset:
    return frozenset(_key(r) for r in M)


@dataclass(frozen=True, eq=False)
class Copies:
    """Certificate that B contains ``n`` copies of A (2022 paper, Def. A.7).

    Attributes
    ----------
    n : int
        Number of copies certified (0 if none found).
    involutions : tuple of ndarray
        phi_1..phi_n (each an involution of 0..d-1; phi_i . A = B_i subset B, phi_i . B_j = B_j).
    images : tuple of ndarray
        B_i = phi_i . A (rows are option vectors).
    candidates : int
        Involutions with phi . A subset B found by the search (up to action on A and B).
    exhaustive : bool
        True if every involution of S_d was considered (no transposition or candidate cap was hit),
        so ``n`` is the largest number of copies that exists.

    Examples
    --------
    >>> import powerseek as ps
    >>> c = ps.find_copies([[1, 0, 0]], [[0, 1, 0], [0, 0, 1]])
    >>> c.n, c.bound, c.verify([[1, 0, 0]], [[0, 1, 0], [0, 0, 1]])
    (2, 0.6666666666666666, True)
    """

    n: int
    involutions: tuple
    images: tuple
    candidates: int
    exhaustive: bool

    @property
    def bound(self) -> float:
        """n/(n+1): the fraction of every orbit that weakly prefers B, for EU-determined rules."""
        return self.n / (self.n + 1)

    def verify(self, A, B) -> bool:
        """Re-check the certificate from scratch."""
        A, B = _as_options("A", A), _as_options("B", B)
        Bk = _set_key(B)
        imgs = [_set_key(permute(p, A)) for p in self.involutions]
        for i, p in enumerate(self.involutions):
            if not is_involution(p) or not imgs[i] <= Bk:
                return False
            for j in range(len(self.involutions)):
                if j != i and (_set_key(permute(p, np.array([list(k) for k in imgs[j]]))) != imgs[j] or imgs[i] == imgs[j]):
                    return False
        return True


def _involution_candidates(A: np.ndarray, B: np.ndarray, max_transpositions: int, cap: int, nodes: list):
    """Involutions phi with phi . A subset B and at most ``max_transpositions`` 2-cycles, found by
    depth-first search over coordinates with pruning (an explicit stack, so any d): after each
    assignment, every a in A must still have a b in B with b[phi(j)] = a[j] on the assigned
    coordinates. ``nodes[0]`` is the remaining node budget (shared across calls). Returns
    (list of involutions as tuples of their 2-cycles (j, phi(j)) with j < phi(j), capped): O(#swaps)
    memory per candidate, whatever d is."""
    d = A.shape[1]
    mA = A.shape[0]
    # eq[i, j, k, b] : B[b, k] == A[i, j]
    eq = np.isclose(A[:, :, None, None], B.T[None, None, :, :], rtol=0, atol=1e-12)
    out: list[tuple] = []
    perm = -np.ones(d, dtype=np.int64)
    ar = np.arange(d)
    stack: list[list] = []

    def push(j: int, cand: np.ndarray, used: int) -> None:
        while j < d and perm[j] >= 0:
            j += 1
        if j == d:
            moved = np.flatnonzero(perm > ar)
            out.append(tuple(zip(moved.tolist(), perm[moved].tolist())))
        else:
            stack.append([j, cand, used, j, None])  # next option: m = j means "fix j"

    push(0, np.ones((mA, B.shape[0]), dtype=bool), 0)
    while stack:
        if len(out) >= cap or nodes[0] <= 0:
            return out, True
        fr = stack[-1]
        j, cand, used, m, last = fr
        if last is not None:  # undo the option tried last
            perm[last[0]] = perm[last[1]] = -1
            fr[4] = None
        ok, c2 = False, None
        while m < d and not ok:
            if m == j:
                c2 = cand & eq[:, j, j, :]
            elif used < max_transpositions and perm[m] < 0:
                c2 = cand & eq[:, j, m, :] & eq[:, m, j, :]
            else:
                m = d if used >= max_transpositions else m + 1
                continue
            nodes[0] -= 1
            ok = bool(c2.any(axis=1).all())
            m += 1
        fr[3] = m
        if not ok:
            stack.pop()
            continue
        mm = m - 1
        perm[j], perm[mm] = mm, j
        fr[4] = (j, mm)
        push(j + 1, c2, used + (mm != j))
    return out, False


def find_copies(A, B, max_transpositions: int | None = None, max_candidates: int = 20_000,
                per_image: int = 3, max_nodes: int = 200_000) -> Copies:
    """Search for involutions certifying that B contains n copies of A (2022 paper, Def. A.7).

    1. Candidates: involutions phi with phi . A subset B, enumerated by backtracking over
       coordinates (fix coordinate j, or pair it with a later unassigned m) with pruning -- after
       each assignment every a in A must still have some b in B agreeing with phi . a on the
       assigned coordinates -- in rounds of at most 0, 1, 2, ... transpositions (so small-support
       involutions come first), until ``max_candidates`` is reached.
    2. Candidates are grouped by their image B_i = phi . A; the copies need distinct images, so
       n <= #images. Per image the ``per_image`` candidates of smallest support are kept.
    3. Two kept candidates are compatible if phi_i . B_j = B_j, phi_j . B_i = B_i and B_i != B_j;
       the copies are a maximum clique of that graph (networkx, exact) when at most 64 candidates
       are kept, else a greedy clique (still a certificate, ``exhaustive`` then only if it covers
       every image).

    The search visits at most ``max_nodes`` nodes (about 10 microseconds each) and keeps at most
    512 candidates for the clique step; hitting a cap makes ``exhaustive`` False, never ``n``
    wrong.

    Parameters
    ----------
    A, B : array_like (m, d) and (k, d)
        The option sets, one outcome vector per row.
    max_transpositions : int, optional
        The most transpositions of a candidate involution (default d // 2: all).
    max_candidates : int, default 20,000
        The most candidates enumerated.
    per_image : int, default 3
        Candidates kept per image for the clique step.
    max_nodes : int, default 200,000
        The most search nodes visited.

    Returns
    -------
    Copies
        ``n`` is certified (``Copies.verify`` re-checks it). ``exhaustive`` is True when n equals
        the number of distinct images over *all* involutions (search not capped): then no larger
        n exists.

    Raises
    ------
    TypeError
        If ``A`` or ``B`` is not real, or a cap is not a number.
    ValueError
        If ``A`` or ``B`` is empty or not 2-D or not finite, their vectors differ in length
        (``B``), or a cap is not a whole number at least its minimum (0 transpositions, 1
        otherwise).
    tailpower.BudgetError
        If the search would exceed the work limit or the memory budget.

    Examples
    --------
    >>> import powerseek as ps
    >>> c = ps.find_copies([[1, 0, 0]], [[0, 1, 0], [0, 0, 1]])  # e_1 against {e_2, e_3}
    >>> c.n, [phi.tolist() for phi in c.involutions], c.exhaustive  # swap 1 with 3, 1 with 2
    (2, [[2, 1, 0], [1, 0, 2]], True)
    """
    import networkx as nx

    A, B = _as_options("A", A), _as_options("B", B)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"B: option vectors have length {B.shape[1]}, A's have {A.shape[1]}")
    d = A.shape[1]
    tmax = d // 2 if max_transpositions is None else check_int("max_transpositions", max_transpositions, minimum=0)
    tmax = min(tmax, d // 2)
    max_candidates = check_int("max_candidates", max_candidates)
    per_image = check_int("per_image", per_image)
    budget = [check_int("max_nodes", max_nodes)]
    check_work("max_nodes", budget[0] * (1000.0 + A.shape[0] * B.shape[0] / 4), "the involution search")
    A = np.unique(np.round(A, 12) + 0.0, axis=0)
    B = np.unique(np.round(B, 12) + 0.0, axis=0)
    check_memory("B", A.shape[0] * d * d * B.shape[0] * 1.0 + d * A.shape[0] * B.shape[0] * 2.0,
                  f"the coordinate-match table of {A.shape[0]} x {B.shape[0]} options in dimension {d}")
    found: dict = {}
    capped = False
    for t in range(tmax + 1):
        cands, capped = _involution_candidates(A, B, t, max_candidates, budget)
        for p in cands:
            found.setdefault(p, None)
        if capped:
            break

    def full(pairs: tuple) -> np.ndarray:
        p = np.arange(d)
        for i, j in pairs:
            p[i], p[j] = j, i
        return p

    by_image: dict = {}
    for pairs in found:
        by_image.setdefault(_set_key(permute(full(pairs), A)), []).append(pairs)
    kept, ik = [], []
    for key, lst in by_image.items():
        lst.sort(key=len)
        for pairs in lst[:per_image]:
            kept.append(pairs)
            ik.append(key)
    if len(kept) > 512:  # the pairwise compatibility table is quadratic: keep small supports
        capped = True
        keep = sorted(range(len(kept)), key=lambda i: len(kept[i]))[:512]
        kept, ik = [kept[i] for i in keep], [ik[i] for i in keep]
    phis = [full(pairs) for pairs in kept]
    imgs = [permute(p, A) for p in phis]
    G = nx.Graph()
    G.add_nodes_from(range(len(phis)))
    fixes = [[_set_key(permute(phis[i], imgs[j])) == ik[j] for j in range(len(phis))] for i in range(len(phis))]
    for i in range(len(phis)):
        for j in range(i + 1, len(phis)):
            if ik[i] != ik[j] and fixes[i][j] and fixes[j][i]:
                G.add_edge(i, j)
    if len(phis) <= 64:
        clique, size = nx.max_weight_clique(G, weight=None) if phis else ([], 0)
    else:  # greedy: highest degree first, keep what stays compatible
        clique = []
        for v in sorted(G.nodes, key=G.degree, reverse=True):
            if all(G.has_edge(v, u) for u in clique):
                clique.append(v)
        size = len(clique)
        capped = capped or size < len(by_image)
    clique = sorted(clique, key=lambda i: sorted(ik[i]))
    exhaustive = (not capped and tmax == d // 2) and size == len(by_image)
    return Copies(int(size), tuple(phis[i] for i in clique), tuple(imgs[i] for i in clique), len(found), exhaustive)
