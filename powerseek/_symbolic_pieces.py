"""Covering gamma in (0, 1) by pieces on which E[max_i a_i . x] (and the cells' volumes) are one
rational function each (the continuation step of :func:`powerseek.symbolic_power`).

A sample gamma0 gives, through :func:`powerseek._symbolic_polytope.piece`, the rational functions
valid on the interval between the nearest real roots of its decision polynomials; the next
sample is taken in what is not covered yet, until (0, 1) is covered up to finitely many
breakpoints. Adjacent pieces with equal functions are merged, so the breakpoints returned are
those where the function really changes (or, conservatively, where its derivation does and the
two sides happen to differ).
"""

from __future__ import annotations

from fractions import Fraction

from ._symbolic_algebra import RF, Roots, poly, sign_at
from ._symbolic_polytope import Retry, TooLarge, piece

#: samples of gamma (each a full decomposition) at most
MAX_SAMPLES = 40


class _Point:
    """A point of [0, 1]: 0, 1, or a real algebraic number (root of an irreducible factor)."""

    def __init__(self, value: float, expr, key):
        self.value, self.expr, self.key = value, expr, key

    def __eq__(self, o) -> bool:
        return self.key == o.key

    def __lt__(self, o) -> bool:
        return self.key != o.key and self.value < o.value


def _endpoint(root, default: int):
    import sympy as sp

    if root is None:
        return _Point(float(default), sp.Integer(default), ("int", default))
    v, r = root
    return _Point(v, r, ("root", str(r)))


def _sample(lo: _Point, hi: _Point, attempt: int) -> Fraction:
    """A rational strictly inside (lo, hi), with a small denominator, moved by ``attempt``."""
    import sympy as sp

    w = hi.value - lo.value
    frac = (0.5, 0.381966, 0.618034, 0.3, 0.7, 0.45, 0.55, 0.2, 0.8)[attempt % 9]
    x = lo.value + frac * w
    for den in (64, 1024, 2**16, 2**24, 2**40, 2**60):
        q = Fraction(round(x * den), den)
        qs = sp.Rational(q.numerator, q.denominator)
        if bool(qs > lo.expr) and bool(qs < hi.expr):
            return q
    raise ArithmeticError("internal error: no rational sample in a piece")  # pragma: no cover


def _common_denominator(A):
    """Q with Q * a_ij a polynomial for all entries (an lcm of the denominators)."""
    Q = poly([1])
    for row in A:
        for x in row:
            g = Q.gcd(x.den)
            Q = Q * (x.den // g)
    if sign_at(Q, Fraction(1, 2)) < 0:  # positive on (0, 1): it has no roots there (checked by the caller)
        Q = -Q
    return Q


def expected_max_pieces(A: list[list[RF]], want_volumes: bool = False):
    """Pieces covering (0, 1) for E[max_i A_i . x], x uniform on [0, 1]^d: a list of
    ``(hi, E, vols)`` in increasing order, ``hi`` the right end (a SymPy number; 1 for the last),
    ``E`` the expectation and ``vols`` the cells' volumes ({i: RF}) or None."""
    Q = _common_denominator(A)
    Ap = [[x.num * (Q // x.den) for x in row] for row in A]
    Qroots = Roots()
    Qroots.add([Q])
    if Qroots.roots:
        raise ValueError("internal error: the common denominator vanishes inside (0, 1)")  # pragma: no cover
    found = []  # (lo, hi, E, vols)
    uncovered = [(_endpoint(None, 0), _endpoint(None, 1))]
    samples = 0
    while uncovered:
        lo_u, hi_u = uncovered.pop()
        for attempt in range(12):
            q = _sample(lo_u, hi_u, attempt)
            samples += 1
            if samples > MAX_SAMPLES:
                raise TooLarge(f"more than {MAX_SAMPLES} samples of gamma were needed to cover (0, 1)")
            try:
                tot, vols, dec = piece(Ap, q, want_volumes)
                roots = Roots()
                roots.add(dec)
                lo_r, hi_r = roots.around(q)
            except Retry:
                continue
            except ArithmeticError:
                continue
            break
        else:
            raise ArithmeticError("internal error: every sample of a piece of gamma was degenerate")  # pragma: no cover
        E = tot / RF(Q)
        if vols is not None:
            vols = {i: v for i, v in vols.items()}
        lo, hi = _endpoint(lo_r, 0), _endpoint(hi_r, 1)
        found.append((lo, hi, E, vols))
        # what of (lo_u, hi_u) is left uncovered
        if lo_u < lo:
            uncovered.append((lo_u, lo))
        if hi < hi_u:
            uncovered.append((hi, hi_u))
    found.sort(key=lambda p: p[0].value)
    out = []
    for lo, hi, E, vols in found:
        if out and out[-1][1] == E and out[-1][2] == vols:
            out[-1] = (hi, E, vols)
        else:
            out.append((hi, E, vols))
    return [(hi.expr, E, vols) for hi, E, vols in out]
