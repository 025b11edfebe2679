"""Exact univariate algebra for :mod:`powerseek.symbolic`: polynomials in gamma with integer
coefficients (FLINT's ``fmpz_poly``, through python-flint), rational functions of gamma as
(numerator, denominator) pairs, conversion from and to SymPy, and the real roots in (0, 1) of a
family of polynomials (the candidate breakpoints of a piecewise result).

FLINT is used because the region decomposition of Fig. 1's ``star`` adds and multiplies about a
million rational functions: SymPy's own fraction field takes about 0.7 ms per operation there,
``fmpz_poly`` about 1 microsecond.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable

from tailpower._extras import require


_FLINT = []


def flint():
    """The python-flint module (or an error naming the ``symbolic`` extra)."""
    if not _FLINT:
        _FLINT.append(require("flint", "symbolic", "powerseek.symbolic_power"))
    return _FLINT[0]


def poly(coeffs) -> "object":
    """An ``fmpz_poly`` from integer coefficients, constant term first."""
    return flint().fmpz_poly([int(c) for c in coeffs])


_ONE: list = []


def _one():
    if not _ONE:
        _ONE.append(poly([1]))
    return _ONE[0]


def at(p, q: Fraction) -> Fraction:
    """The polynomial ``p`` at the rational ``q``, exactly (Horner in Python integers)."""
    n, d = q.numerator, q.denominator
    cs = [int(c) for c in p.coeffs()]
    if not cs:
        return Fraction(0)
    m = len(cs) - 1  # sum_k c_k (n/d)^k = (sum_k c_k n^k d^(m-k)) / d^m, Horner in n and d
    tot, dp = 0, 1
    for c in reversed(cs):
        tot = tot * n + c * dp
        dp *= d
    return Fraction(tot, d**m)


def sign_at(p, q: Fraction) -> int:
    v = at(p, q)
    return (v > 0) - (v < 0)


def primitive(p):
    """``p`` divided by its integer content, with a positive leading coefficient (None for 0)."""
    if p == 0:
        return None
    c = p.content()
    if p.coeffs()[-1] < 0:
        c = -c
    return p / c if c != 1 else p


class RF:
    """A rational function of gamma: ``num / den`` with ``fmpz_poly`` parts, in lowest terms and
    with a positive leading coefficient of ``den``."""

    __slots__ = ("num", "den")

    def __init__(self, num, den=None, reduce: bool = True):
        if den is None:
            den = _one()
        if reduce:
            if num == 0:
                den = _one()
            else:
                g = num.gcd(den)
                if g != 1:
                    num, den = num // g, den // g
            if den.coeffs()[-1] < 0:
                num, den = -num, -den
        self.num, self.den = num, den

    def __add__(self, o: "RF") -> "RF":
        if self.den == o.den:
            return RF(self.num + o.num, self.den)
        return RF(self.num * o.den + o.num * self.den, self.den * o.den)

    def __sub__(self, o: "RF") -> "RF":
        if self.den == o.den:
            return RF(self.num - o.num, self.den)
        return RF(self.num * o.den - o.num * self.den, self.den * o.den)

    def __mul__(self, o: "RF") -> "RF":
        return RF(self.num * o.num, self.den * o.den)

    def __truediv__(self, o: "RF") -> "RF":
        if o.num == 0:
            raise ZeroDivisionError("internal error: division by the zero rational function")  # pragma: no cover
        return RF(self.num * o.den, self.den * o.num)

    def __neg__(self) -> "RF":
        return RF(-self.num, self.den, reduce=False)

    def __eq__(self, o) -> bool:
        return isinstance(o, RF) and self.num == o.num and self.den == o.den

    def __hash__(self) -> int:
        return hash((str(self.num), str(self.den)))

    def is_zero(self) -> bool:
        return self.num == 0

    def at(self, q: Fraction) -> Fraction:
        return at(self.num, q) / at(self.den, q)

    def scale(self, c: Fraction) -> "RF":
        """``self`` times the rational constant ``c``."""
        return RF(self.num * int(c.numerator), self.den * int(c.denominator))


def const(c) -> RF:
    c = Fraction(c)
    return RF(poly([c.numerator]), poly([c.denominator]))


def from_sympy(expr, g) -> RF:
    """A SymPy rational function of ``g`` (rational coefficients) as an :class:`RF`."""
    import sympy as sp

    n, d = sp.fraction(sp.cancel(sp.together(sp.sympify(expr))))
    pn, pd = sp.Poly(n, g), sp.Poly(d, g)
    # clear rational coefficients
    den_l = sp.ilcm(*[sp.Rational(c).q for c in pn.all_coeffs() + pd.all_coeffs()])
    cn = [int(sp.Rational(c) * den_l) for c in reversed(pn.all_coeffs())]
    cd = [int(sp.Rational(c) * den_l) for c in reversed(pd.all_coeffs())]
    return RF(poly(cn), poly(cd))


def poly_to_sympy(p, g):
    import sympy as sp

    return sp.Add(*[sp.Integer(int(c)) * g**k for k, c in enumerate(p.coeffs())])


def to_sympy(x: RF, g):
    import sympy as sp

    return sp.factor(poly_to_sympy(x.num, g) / poly_to_sympy(x.den, g))


class Roots:
    """The real roots in (0, 1) of a growing family of polynomials, kept as the distinct
    irreducible factors that have such roots; each root is a SymPy ``CRootOf`` (or a Rational) with
    a 60-digit float for ordering."""

    def __init__(self):
        self._seen: set = set()       # primitive polynomials already factored (as strings)
        self._factors: set = set()    # irreducible factors already examined
        self.roots: list = []         # (float, sympy root)

    def add(self, polys: Iterable) -> None:
        import sympy as sp

        g = sp.Symbol("gamma", positive=True)
        for p in polys:
            p = primitive(p)
            if p is None or p.degree() <= 0:
                continue
            key = str(p)
            if key in self._seen:
                continue
            self._seen.add(key)
            _, facs = p.factor()
            for f, _m in facs:
                f = primitive(f)
                if f.degree() <= 0:
                    continue
                fk = str(f)
                if fk in self._factors:
                    continue
                self._factors.add(fk)
                if not any(abs(r.imag) < 1e-6 and -1e-6 < r.real < 1 + 1e-6
                           for r in (complex(z) for z, _ in f.complex_roots())):
                    continue
                for r in sp.Poly(poly_to_sympy(f, g), g).real_roots():
                    if bool(r > 0) and bool(r < 1):
                        self.roots.append((float(sp.N(r, 60)), r))

    def around(self, q: Fraction):
        """(largest root below q or None, smallest root above q or None); raises ValueError
        (internal, caught by the caller) if q itself is a root."""
        import sympy as sp

        lo = hi = None
        qs = sp.Rational(q.numerator, q.denominator)
        for v, r in self.roots:
            if abs(v - float(q)) < 1e-12:
                if r == qs:
                    raise ArithmeticError("sample is a root")
                below = bool(r < qs)
            else:
                below = v < float(q)
            if below and (lo is None or v > lo[0]):
                lo = (v, r)
            if not below and (hi is None or v < hi[0]):
                hi = (v, r)
        return lo, hi
