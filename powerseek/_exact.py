"""Exact expectations over discrete reward laws by enumerating every reward vector (private).

POWER_D(s, gamma) (Turner et al. 2021, Def. 5.2) and the optimality probability P_D(s, a, gamma)
(Def. 6.1) are expectations over R ~ D. When every state's reward law has a finite support
(x_1..x_k with probabilities p_1..p_k), D has finitely many atoms -- the reward vectors in the
product of the supports, each with weight prod_s p_s(R(s)) -- and the expectation is a finite
weighted sum. This module enumerates those vectors in batches (mixed-radix decoding of a running
index, so memory stays bounded whatever the count), hands each batch to a caller's per-vector
function and accumulates the weighted mean with a rounding bound.

The count prod_s k_s is limited to :data:`MAX_EXACT` (1e6); above it, and for laws of infinite
support (Poisson, geometric) or continuous laws, the caller is told why by a ValueError naming
``rewards``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from tailpower._common import check_memory

from .rewards import RewardLaw, is_discrete

#: the largest number of reward vectors an exact enumeration may visit (product of the support
#: sizes of the states' reward laws)
MAX_EXACT = 1_000_000

_U = np.finfo(float).eps / 2  # unit roundoff


def support_table(dist, name: str = "rewards") -> tuple[np.ndarray, np.ndarray] | None:
    """The atoms of a frozen scipy law: ``(values, probs)`` sorted by value, zero-probability
    points dropped, probabilities normalised to sum to 1; None for a law of infinite support or a
    continuous law. Refuses (ValueError naming ``name``) a finite support wider than
    :data:`MAX_EXACT` points, or a pmf that does not sum to 1 within 1e-9."""
    if not is_discrete(dist):
        return None
    shapes, loc, _ = dist.dist._parse_args(*dist.args, **dist.kwds)
    if hasattr(dist.dist, "xk"):  # rv_discrete(values=...) and ps.tabulated: the table itself
        x = np.asarray(dist.dist.xk, dtype=float) + float(loc)
        p = np.asarray(dist.dist.pk, dtype=float)
    else:
        a, b = (float(v) for v in dist.dist.support(*shapes))
        if not (math.isfinite(a) and math.isfinite(b)):
            return None
        width = b - a + 1
        if width > MAX_EXACT:
            raise ValueError(f"{name}: the law {dist.dist.name} has {width:.0f} support points, more than the "
                             f"{MAX_EXACT:.0e} an exact enumeration may visit; use method='mc'")
        k = np.arange(a, b + 1.0)
        with np.errstate(all="ignore"):
            p = np.asarray(dist.dist.pmf(k, *shapes), dtype=float)
        x = k + float(loc)
    keep = np.isfinite(p) & (p > 0)
    x, p = x[keep], p[keep]
    total = float(p.sum())
    if x.size == 0 or not abs(total - 1.0) <= 1e-9:
        raise ValueError(f"{name}: the probabilities of the law's support points sum to {total!r}, not 1 "
                         "(scipy's pmf is unreliable for these parameters); use method='mc'")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: the law has non-finite support points")
    order = np.argsort(x, kind="stable")
    return x[order], p[order] / total


def tables(mdp, law: RewardLaw, name: str = "rewards") -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Per-state atom tables of ``law`` on the states of ``mdp`` (one shared table for iid laws),
    or None when the law is continuous, of infinite support, or a callable. A fixed vector is one
    atom per state."""
    S = mdp.n_states
    if law.kind == "fixed":
        return [(np.array([float(v)]), np.ones(1)) for v in law.vector]
    if law.kind == "iid":
        t = support_table(law.dist, name)
        return None if t is None else [t] * S
    if law.kind == "independent":
        out = []
        cache: dict[int, tuple | None] = {}
        for d in law.laws(mdp):
            if id(d) not in cache:
                cache[id(d)] = support_table(d, name)
            if cache[id(d)] is None:
                return None
            out.append(cache[id(d)])
        return out
    return None


def count(tabs: list[tuple[np.ndarray, np.ndarray]]) -> int:
    """Number of reward vectors: the product of the support sizes (a Python int, no overflow)."""
    n = 1
    for x, _ in tabs:
        n *= len(x)
    return n


def require(mdp, law: RewardLaw) -> list[tuple[np.ndarray, np.ndarray]]:
    """The atom tables for ``method="exact"``, or a ValueError naming ``rewards`` that says why the
    enumeration is not available (continuous, infinite support, callable, too many vectors)."""
    tabs = tables(mdp, law)
    if tabs is None:
        if law.kind == "callable":
            why = "a callable reward law has no known support"
        else:
            bad = next(d for d in law.laws(mdp) if support_table(d) is None)
            why = f"{bad.dist.name} has infinite support" if is_discrete(bad) else f"{bad.dist.name} is continuous"
        raise ValueError(f"rewards: method='exact' enumerates every reward vector and needs laws of finite "
                         f"discrete support on every state; {why}. Use method='mc' (method='exact' also covers iid "
                         "rewards on a deterministic MDP at gamma = 0, and at gamma = 1 when every reachable cycle is "
                         "a self-loop: E[max] in closed form)")
    n = count(tabs)
    if n > MAX_EXACT:
        sizes = sorted({len(x) for x, _ in tabs})
        head = f"{sizes[0]}^{mdp.n_states}" if len(sizes) == 1 else "the product of the support sizes"
        raise ValueError(f"rewards: an exact enumeration would visit {head} = {_fmt(n)} reward vectors, more than "
                         f"the limit {MAX_EXACT:.0e} (powerseek.MAX_EXACT); use method='mc'")
    return tabs


def _fmt(n: int) -> str:
    return str(n) if n < 10**15 else f"about 1e{len(str(n)) - 1}"


def batches(tabs: list[tuple[np.ndarray, np.ndarray]], rows: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every reward vector with its probability, ``rows`` at a time: ``(R (k, S), w (k,))``. The
    last state's value varies fastest (mixed-radix order of the index)."""
    S = len(tabs)
    n = count(tabs)
    rows = max(1, min(rows, n))
    check_memory("rewards", rows * (3.0 * S + 4.0) * 8.0, f"enumerating {rows} reward vectors on {S} states at once")
    sizes = [len(x) for x, _ in tabs]
    strides = [0] * S
    acc = 1
    for s in range(S - 1, -1, -1):
        strides[s] = acc
        acc *= sizes[s]
    for lo in range(0, n, rows):
        idx = np.arange(lo, min(n, lo + rows), dtype=np.int64)
        R = np.empty((idx.size, S))
        w = np.ones(idx.size)
        for s, (x, p) in enumerate(tabs):
            if sizes[s] == 1:
                R[:, s] = x[0]
                continue
            d = (idx // strides[s]) % sizes[s]
            R[:, s] = x[d]
            w *= p[d]
        yield R, w


class WeightedSum:
    """Accumulates sum_i w_i X_i over batches (numpy pairwise sums within a batch, math.fsum across
    batches) and sum_i w_i |X_i| for the rounding bound."""

    def __init__(self, S: int, width: int):
        self.parts: list[np.ndarray] = []
        self.abs_parts: list[np.ndarray] = []
        self.shape = (width,)
        self.S = S
        self.n = 0

    def add(self, X: np.ndarray, w: np.ndarray) -> None:
        with np.errstate(under="ignore"):
            self.parts.append((w[:, None] * X).sum(axis=0))
            self.abs_parts.append((w[:, None] * np.abs(X)).sum(axis=0))
        self.n += X.shape[0]

    def result(self, tabs) -> tuple[np.ndarray, float]:
        """(weighted sums, bound on their float rounding): the weights carry at most
        (log2 k + 2) u relative error per state (normalising each table) plus S u (the product);
        each product w X one more u; the pairwise batch sums log2(rows) + 1 u; fsum across batches
        is exact up to one final rounding."""
        value = np.array([math.fsum(col) for col in zip(*self.parts)])
        mag = np.array([math.fsum(col) for col in zip(*self.abs_parts)])
        per_w = sum(math.log2(max(len(x), 1)) + 3.0 for x, _ in tabs)
        rel = (per_w + math.log2(max(self.n, 1)) + 4.0) * _U
        return value, float(rel * mag.max()) if mag.size else 0.0


def expectation(tabs, rows: int, fn: Callable[[np.ndarray], tuple[np.ndarray, float]], width: int) -> tuple[np.ndarray, float, float]:
    """E[fn(R)] over every reward vector: ``(mean (width,), solver bound, rounding bound)``, where
    ``fn(R (k, S)) -> (X (k, width), bound)`` and bound is a per-vector error bound of X."""
    acc = WeightedSum(len(tabs), width)
    solver = 0.0
    for R, w in batches(tabs, rows):
        X, b = fn(R)
        solver = max(solver, float(b))
        acc.add(np.asarray(X, dtype=float).reshape(R.shape[0], width), w)
    value, rounding = acc.result(tabs)
    return value, solver, rounding
