"""E[max_i a_i . x] for x uniform on [0, 1]^d, exactly, on the piece of gamma around a rational
sample (the engine of :func:`powerseek.symbolic_power` beyond two distinguishing rewards).

The coefficient vectors a_i have entries in Z[gamma] (the caller clears denominators with a
polynomial that is positive on (0, 1)). The cube splits into the cells
C_i = {x in [0, 1]^d : (a_j - a_i) . x <= 0 for all j} where a_i is a maximiser, so
E[max] = sum_i int_{C_i} a_i . x dx and P(a_i is the maximiser) = vol(C_i).

At a rational sample gamma0 each cell is enumerated exactly (rational arithmetic): vertices by
cutting the cube with one halfspace at a time (a new vertex on every edge between a kept and a
cut vertex; two vertices span an edge iff no third vertex is tight on every constraint both are
tight on -- the combinatorial adjacency test, exact for any polytope), then a pulling
triangulation (apex the origin, a vertex of every cell because the a_i . x are homogeneous, then
recursively the most degenerate vertex of each face, over the facets not containing it). The same
combinatorics is then evaluated in Q(gamma): every vertex solves its tight constraints (Cramer's
rule, fraction-free determinants over Z[gamma]); a simplex (0, w_1, ..., w_d) has volume
|det(w_1..w_d)|/d! and the integral of a . x over it is its volume times a . (w_1 + ... + w_d)/(d + 1).

Every sign decided at gamma0 is recorded as a *decision polynomial*: the denominators of the
vertices, the numerator of the slack of every constraint at every vertex (the vertex set, its
incidences and hence the face lattice and the triangulation stay valid while none of them
changes sign: a vertex can appear, vanish or meet a new constraint only where some slack is 0,
and a cell becomes non-empty only where a constraint of a neighbouring cell touches one of its
vertices). A constraint that is tight at gamma0 must be tight identically; otherwise gamma0 is
itself a root and :class:`Retry` asks for another sample. The caller turns the roots of the
decision polynomials into the interval of gamma on which the returned rational functions hold.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from ._symbolic_algebra import RF, at, flint, poly, sign_at

#: per cell: vertices kept during the enumeration at most
MAX_VERTICES = 3000
#: per cell: adjacency tests (candidate pairs times vertices scanned) at most, about 20 s
MAX_ADJACENCY_WORK = 30_000_000
#: simplices of all cells' triangulations together at most (each costs a d x d determinant over Z[gamma])
MAX_SIMPLICES = 40_000


class Retry(ArithmeticError):
    """The sample gamma0 is a root of a decision polynomial: choose another."""


class TooLarge(ValueError):
    """The decomposition exceeds a work limit (message says which)."""


def _det(M):
    """Determinant of a square matrix of ``fmpz_poly`` (fraction-free Bareiss elimination)."""
    n = len(M)
    if n == 0:
        return poly([1])
    M = [list(r) for r in M]
    sign = 1
    prev = poly([1])
    for k in range(n - 1):
        if M[k][k] == 0:
            for i in range(k + 1, n):
                if M[i][k] != 0:
                    M[k], M[i] = M[i], M[k]
                    sign = -sign
                    break
            else:
                return poly([0])
        p = M[k][k]
        for i in range(k + 1, n):
            a = M[i][k]
            Mi, Mk = M[i], M[k]
            if a == 0:
                if prev != 1 or p != 1:
                    for j in range(k + 1, n):
                        Mi[j] = (Mi[j] * p) // prev if prev != 1 else Mi[j] * p
                continue
            for j in range(k + 1, n):
                v = Mi[j] * p - a * Mk[j]
                Mi[j] = v // prev if prev != 1 else v
        prev = p
    return M[-1][-1] if sign > 0 else -M[-1][-1]


def _rank(rows) -> int:
    """Rank of a list of rows of Fractions."""
    rows = [list(r) for r in rows if any(r)]
    rank, col, ncol = 0, 0, len(rows[0]) if rows else 0
    while rows and col < ncol:
        piv = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if piv is None:
            col += 1
            continue
        rows[rank], rows[piv] = rows[piv], rows[rank]
        pr = rows[rank]
        for i in range(rank + 1, len(rows)):
            f = rows[i][col]
            if f:
                f = f / pr[col]
                rows[i] = [x - f * y for x, y in zip(rows[i], pr)]
        rank += 1
        col += 1
    return rank


class Cell:
    """The cell of function ``i``: constraints (box, then cuts), vertices at gamma0 and their
    symbolic coordinates."""

    def __init__(self, A, A0, i: int, q0: Fraction):
        self.i, self.q0 = i, q0
        d = self.d = len(A[i])
        self.others = [j for j in range(len(A)) if j != i]
        self.decisions: list = []
        # cut rows (a_j - a_i) / content, with the content's sign at gamma0 folded in
        self.cuts, self.cuts0 = [], []
        for j in self.others:
            row = [A[j][k] - A[i][k] for k in range(d)]
            nz = [p for p in row if p != 0]
            if not nz:  # identical functions are merged by the caller
                raise ValueError("internal error: two equal functions")  # pragma: no cover
            c = nz[0]
            for p in nz[1:]:
                c = c.gcd(p)
            if c.degree() > 0:
                self.decisions.append(c)
            s = sign_at(c, q0)
            if s == 0:
                raise Retry
            if s < 0:
                c = -c
            row = [p // c for p in row]
            self.cuts.append(row)
            self.cuts0.append([at(p, q0) for p in row])
        self.m = 2 * d + len(self.cuts)
        self._enumerate()

    # -------------------------------------------------------------- enumeration at gamma0
    def _enumerate(self) -> None:
        d = self.d
        Q = flint().fmpq  # FLINT rationals: about 5 times faster than Fraction here
        zero_q, one_q = Q(0), Q(1)
        verts, masks = [], []
        for bits in itertools.product((0, 1), repeat=d):
            verts.append(tuple(one_q if b else zero_q for b in bits))
            masks.append(sum(1 << (k if b == 0 else d + k) for k, b in enumerate(bits)))
        work = 0
        for t, c in enumerate(self.cuts0):
            c = [Q(x.numerator, x.denominator) for x in c]
            ci = 2 * d + t
            nz = [k for k in range(d) if c[k] != 0]
            s = [-sum((c[k] * v[k] for k in nz if v[k] != 0), zero_q) for v in verts]
            plus = [p for p in range(len(verts)) if s[p] > 0]
            minus = [p for p in range(len(verts)) if s[p] < 0]
            bit = 1 << ci
            if not minus:
                masks = [m | bit if s[p] == 0 else m for p, m in enumerate(masks)]
                continue
            new_v, new_m = [], []
            for p in range(len(verts)):
                if s[p] >= 0:
                    new_v.append(verts[p])
                    new_m.append(masks[p] | bit if s[p] == 0 else masks[p])
            for p in plus:
                mp = masks[p]
                for q in minus:
                    com = mp & masks[q]
                    if com.bit_count() < d - 1:
                        continue
                    work += len(masks)
                    if work > MAX_ADJACENCY_WORK:
                        raise TooLarge(f"enumerating a cell's vertices takes more than {MAX_ADJACENCY_WORK:,} "
                                       "adjacency steps")
                    if any((mz & com) == com for z, mz in enumerate(masks) if z != p and z != q):
                        continue
                    lam = s[p] / (s[p] - s[q])
                    new_v.append(tuple(a + lam * (b - a) for a, b in zip(verts[p], verts[q])))
                    new_m.append(com | bit)
            verts, masks = new_v, new_m
            if len(verts) > MAX_VERTICES:
                raise TooLarge(f"a cell of the decomposition has more than {MAX_VERTICES} vertices")
            if not verts:
                break
        self.verts, self.masks = verts, masks
        self.full = bool(verts) and _rank(verts) == d

    # -------------------------------------------------------------- symbolic vertices
    def solve_vertices(self) -> None:
        """N_v (list of fmpz_poly) and D_v with w_v = N_v / D_v; records the decision polynomials
        and checks that every constraint tight at gamma0 is tight identically."""
        d, q0 = self.d, self.q0
        one = poly([1])
        self.N, self.D = [], []
        for v, mask in zip(self.verts, self.masks):
            fixed = {}
            for k in range(d):
                if mask >> k & 1:
                    fixed[k] = 0
                elif mask >> (d + k) & 1:
                    fixed[k] = 1
            free = [k for k in range(d) if k not in fixed]
            rows = []
            if free:
                cand = [t for t in range(len(self.cuts)) if mask >> (2 * d + t) & 1]
                chosen, basis = [], []
                for t in cand:
                    r = [self.cuts0[t][k] for k in free]
                    if _rank(basis + [r]) > len(basis):
                        basis.append(r)
                        chosen.append(t)
                        if len(chosen) == len(free):
                            break
                if len(chosen) < len(free):
                    raise Retry  # not a vertex at gamma0's neighbours: degenerate sample
                M = [[self.cuts[t][k] for k in free] for t in chosen]
                rhs = [-sum((self.cuts[t][k] for k, b in fixed.items() if b), poly([0])) for t in chosen]
                D = _det(M)
                Nf = []
                for c in range(len(free)):
                    Mc = [r[:c] + [rhs[i]] + r[c + 1:] for i, r in enumerate(M)]
                    Nf.append(_det(Mc))
            else:
                D, Nf = one, []
            if D == 0 or sign_at(D, q0) == 0:
                raise Retry
            if D.degree() > 0:
                self.decisions.append(D)
            N = [D if fixed.get(k) == 1 else poly([0]) for k in range(d)]
            for k, nk in zip(free, Nf):
                N[k] = nk
            self.N.append(N)
            self.D.append(D)
            # slacks: box on the free coordinates, every cut
            for k in free:
                for bit, sl in ((k, N[k]), (d + k, D - N[k])):
                    self._slack(sl, mask >> bit & 1)
            for t, row in enumerate(self.cuts):
                sl = -sum((a * b for a, b in zip(row, N) if a != 0 and b != 0), poly([0]))
                self._slack(sl, mask >> (2 * d + t) & 1)

    def _slack(self, sl, tight: int) -> None:
        if tight:
            if sl != 0:
                raise Retry
        else:
            if sl == 0 or sign_at(sl, self.q0) == 0:
                raise Retry
            if sl.degree() > 0:
                self.decisions.append(sl)

    # -------------------------------------------------------------- triangulation
    def simplices(self, budget: int) -> list:
        """Pulling triangulation: tuples of d vertex indices (the origin, index 0, omitted)."""
        masks, V, d = self.masks, len(self.masks), self.d
        allc = (1 << self.m) - 1
        memo: dict = {}
        count = [0]

        def facets(vset):
            idx = [v for v in range(V) if vset >> v & 1]
            T = allc
            for v in idx:
                T &= masks[v]
            cand = set()
            for c in range(self.m):
                if T >> c & 1:
                    continue
                S = 0
                for v in idx:
                    if masks[v] >> c & 1:
                        S |= 1 << v
                if S:
                    cand.add(S)
            sets = list(cand)
            return idx, [S for S in sets if not any(S != S2 and (S & S2) == S for S2 in sets)]

        def tri(vset, dim):
            if vset in memo:
                return memo[vset]
            idx, fac = facets(vset)
            if dim == 0:
                out = [(idx[0],)] if len(idx) == 1 else None
                if out is None:
                    raise Retry  # pragma: no cover - a 0-face with two vertices: degenerate sample
            else:
                apex = 0 if dim == d else max(idx, key=lambda v: (masks[v].bit_count(), -v))
                out = []
                for S in fac:
                    if S >> apex & 1:
                        continue
                    for sx in tri(S, dim - 1):
                        out.append((apex,) + sx)
                        count[0] += 1
                        if count[0] > budget:
                            raise TooLarge(f"the triangulation of the cells has more than {MAX_SIMPLICES} simplices")
            memo[vset] = out
            return out

        if not (masks[0] & ((1 << d) - 1)) == (1 << d) - 1:
            raise ValueError("internal error: the origin is not vertex 0")  # pragma: no cover
        return [s[1:] for s in tri((1 << V) - 1, d)]

    # -------------------------------------------------------------- integrals
    def integrals(self, avecs, simplices) -> tuple[list, RF]:
        """([int_C a . x dx for a in avecs], vol(C)) in Q(gamma) for polynomial vectors ``a``.

        The determinants det(w_1..w_d) = det(N_1..N_d) / prod D are taken by fraction-free
        (Bareiss) elimination row by row, in lexicographic order of the simplices, so that the
        reduced rows of a common prefix (the apexes of the pulling triangulation) are reused."""
        d, q0 = self.d, self.q0
        N, D = self.N, self.D
        zero, one = poly([0]), poly([1])
        aw = [{} for _ in avecs]  # per functional: vertex -> a . N_v (a polynomial)
        dkey: dict = {}  # denominators D_v, deduplicated
        did = []
        for Dv in D:
            did.append(dkey.setdefault(str(Dv), len(dkey)))
        # sums grouped by the multiset of vertex denominators: polynomial additions only, one
        # rational-function addition per group at the end
        groups: dict = {}
        # stack per depth k: (vertex, reduced row, pivot column, pivot value)
        stack: list = []
        for s in sorted(simplices):
            k = 0
            while k < len(stack) and stack[k][0] == s[k]:
                k += 1
            del stack[k:]
            dead = any(st[2] is None for st in stack)
            while not dead and k < d:
                row = list(N[s[k]])
                prev, first = one, True
                free = list(range(d))
                for v_, r_, c_, p_ in stack:
                    x = row[c_]
                    free.remove(c_)
                    xz = x == 0
                    for j in free:  # pivot columns are 0 from here on and never read again
                        rj = r_[j]
                        if xz or rj == 0:
                            val = row[j] * p_
                        else:
                            val = row[j] * p_ - x * rj
                        row[j] = val if first else val // prev
                    prev, first = p_, False
                col = next((j for j in free if row[j] != 0), None)
                stack.append((s[k], row, col, row[col] if col is not None else None))
                dead = col is None
                k += 1
            if dead:
                continue  # a degenerate simplex (identically zero determinant)
            cols = [st[2] for st in stack]
            inv = sum(1 for x in range(d) for y in range(x + 1, d) if cols[x] > cols[y])
            det = stack[-1][3] if inv % 2 == 0 else -stack[-1][3]
            key = tuple(sorted(did[v] for v in s))
            grp = groups.get(key)
            if grp is None:
                dprod = one
                for v in s:
                    dprod *= D[v]
                grp = groups[key] = [dprod, zero, [zero] * len(avecs)]
            sg = sign_at(det, q0) * sign_at(grp[0], q0)
            if sg == 0:
                raise Retry
            if sg < 0:
                det = -det
            grp[1] = grp[1] + det  # volume: det / dprod
            for ai, (a, w) in enumerate(zip(avecs, aw)):
                # a . sum_v w_v = sum_v (a . N_v) / D_v = (sum_v (a . N_v) dprod / D_v) / dprod
                lin = zero
                for v in s:
                    if v not in w:
                        w[v] = sum((x * y for x, y in zip(a, N[v]) if x != 0 and y != 0), zero)
                    if w[v] != 0:
                        lin = lin + w[v] * (grp[0] // D[v])
                grp[2][ai] = grp[2][ai] + det * lin  # over dprod^2
        vol, integ = RF(zero), [RF(zero) for _ in avecs]
        for dprod, vnum, inums in groups.values():
            vol = vol + RF(vnum, dprod)
            for ai, num in enumerate(inums):
                integ[ai] = integ[ai] + RF(num, dprod * dprod)
        c1, c0 = Fraction(1, math.factorial(d + 1)), Fraction(1, math.factorial(d))
        return [x.scale(c1) for x in integ], vol.scale(c0)


def piece(A, q0: Fraction, want_volumes: bool = False):
    """E[max_i A_i . x] over the unit cube (``A``: n lists of d ``fmpz_poly``) on the piece of
    gamma containing ``q0``: returns (expected maximum, {i: vol(C_i)} or None, decision
    polynomials). Raises :class:`Retry` when q0 is a root of a decision polynomial and
    :class:`TooLarge` above the work limits."""
    A0 = [[at(p, q0) for p in row] for row in A]
    cells = [Cell(A, A0, i, q0) for i in range(len(A))]
    decisions = []
    for c in cells:
        if c.verts:
            c.solve_vertices()
        decisions += c.decisions
    # the cell with the most vertices is not triangulated: its volume is 1 minus the others', and
    # int_{C_big} a_big . x = int_cube a_big . x - sum_{i != big} int_{C_i} a_big . x
    full = [c for c in cells if c.full]
    big = max(full, key=lambda c: len(c.verts))
    zero = RF(poly([0]))
    total, vol_big = zero, RF(poly([1]))
    a_big = A[big.i]
    rest_big = RF(sum(a_big, poly([0]))).scale(Fraction(1, 2))
    vols = {c.i: zero for c in cells} if want_volumes else None
    budget = MAX_SIMPLICES
    for c in full:
        if c is big:
            continue
        simp = c.simplices(budget)
        budget -= len(simp)
        (integ, integ_big), vol = c.integrals([A[c.i], a_big], simp)
        total = total + integ
        rest_big = rest_big - integ_big
        vol_big = vol_big - vol
        if vols is not None:
            vols[c.i] = vol
    total = total + rest_big
    if vols is not None:
        vols[big.i] = vol_big
    return total, vols, decisions
