"""Exact POWER as a function of gamma (SymPy), for iid U(0, 1) rewards on a deterministic MDP.

POWER(s, gamma) = (1 - gamma)/gamma E[max_pi (f^{pi,s} - e_s) . R] (Turner et al., "Optimal
Policies Tend to Seek Power", NeurIPS 2021, Def. 5.2 with V*_R(s) = max_pi f^{pi,s} . R), where
f^{pi,s} = sum_t gamma^t e_{s_t} is the visit distribution of a deterministic stationary policy
(Def. 3.2): on a deterministic MDP the path from s is a *lasso* -- a simple path p_0 = s, ..., p_k
whose last step returns to some p_j -- so f(p_t) = gamma^t for t < j and gamma^t / (1 - gamma^L)
on the cycle (L = k - j + 1). Every lasso from s is enumerated; each gives a linear function
L_i(R) = (f_i - e_s) . R with coefficients rational in gamma.

Rewards whose coefficient is the same in every L_i add their mean (1/2) times it. What is left is
the expectation of the maximum over the *distinguishing* rewards; this module computes it exactly
when there are at most two (x, y): the L_i are then homogeneous, u_i x + v_i y, so on the ray
y = t x the winner is the upper envelope of the lines u_i + v_i t, and the integral of u x + v y
over {(x, y) in [0, 1]^2 : y <= t x} is F(t) = u t/3 + v t^2/6 (t <= 1) and
(u + v)/2 - u/(6 t^2) - v/(3 t) (t >= 1). The envelope changes its combinatorial type only at
values of gamma where two lines swap order at t = 0 or t = infinity, a crossing passes t = 1, or
three lines meet: the real roots in (0, 1) of those numerators are the breakpoints, the envelope
is computed exactly at a rational gamma inside each piece, and the result is a ``Piecewise``,
rational in gamma on each piece (a single rational function when there is one piece).

More distinguishing rewards (e.g. Fig. 1's ``star``, with seven) are refused naming ``state``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from tailpower._extras import require

from .limits import check_mdp
from .model import MDP

__all__ = ["symbolic_power", "MAX_LASSOS", "MAX_FUNCTIONS"]

#: lassos (deterministic stationary policies' paths) enumerated from the state at most
MAX_LASSOS = 500
#: distinct linear functions (over the distinguishing rewards) at most: the breakpoint search
#: examines about MAX_FUNCTIONS^3 polynomials
MAX_FUNCTIONS = 12


def _sympy():
    return require("sympy", "symbolic", "powerseek.symbolic_power")


def _lassos(mdp: MDP, s: int) -> list[tuple[list[int], int]]:
    """Every lasso from ``s``: (path p_0 .. p_k, index j of the state the last step returns to)."""
    table = mdp.successor_table
    out: list[tuple[list[int], int]] = []
    path = [s]
    on_path = {s: 0}
    iters = [0]  # per path position: the next successor to try
    while iters:
        v = path[-1]
        k = iters[-1]
        succ = table[v]
        if k >= len(succ):
            iters.pop()
            del on_path[path.pop()]
            continue
        iters[-1] += 1
        w = succ[k]
        if w in on_path:
            out.append((list(path), on_path[w]))
            if len(out) > MAX_LASSOS:
                raise ValueError(f"mdp: more than {MAX_LASSOS} deterministic paths (lassos) from the state; "
                                 "symbolic_power is for small MDPs")
        else:
            on_path[w] = len(path)
            path.append(w)
            iters.append(0)
    return out


def _field(sp):
    """The field Q(gamma) (fast exact rational-function arithmetic) and its generator."""
    g = sp.Symbol("gamma", positive=True)
    K = sp.QQ.frac_field(g)
    return g, K, K.gens[0]


def _functions(K, G, mdp: MDP, s: int) -> list[dict[int, Any]]:
    """The distinct linear functions (f - e_s) . R of the lassos from ``s``, as {state: coefficient}
    with coefficients in Q(gamma)."""
    seen: dict[tuple, dict[int, Any]] = {}
    for path, j in _lassos(mdp, s):
        L = len(path) - j
        coef: dict[int, Any] = {}
        for t, p in enumerate(path):
            c = G**t if t < j else G**t / (1 - G**L)
            coef[p] = coef.get(p, K.zero) + c
        coef[s] = coef.get(s, K.zero) - 1
        coef = {k: v for k, v in coef.items() if v != K.zero}
        seen.setdefault(tuple(sorted(coef.items())), coef)
    return list(seen.values())


def _roots01(sp, g, K, exprs) -> list:
    """Real roots in (0, 1) of the numerators of ``exprs`` (elements of Q(gamma)), found once per
    distinct irreducible factor."""
    factors = set()
    for e in exprs:
        num = e.numer
        if num.degree() <= 0:
            continue
        for f, _ in num.factor_list()[1]:
            factors.add(f.monic())
    roots = set()
    for f in factors:
        for r in sp.Poly(f.as_expr(), g).real_roots():
            if bool(r > 0) and bool(r < 1):
                roots.add(r)
    return sorted(roots, key=lambda r: sp.N(r, 50))


def _at(x, q: Fraction) -> Fraction:
    """An element of Q(gamma) at the rational q, exactly."""
    n, d = x.numer, x.denom
    val = lambda p: sum((Fraction(int(c.numerator), int(c.denominator)) * q ** m[0] for m, c in p.terms()),  # noqa: E731
                        Fraction(0))
    return val(n) / val(d)


def _F(u, v, t, t_at, infinite: bool):
    """Integral of u x + v y over {(x, y) in [0,1]^2 : y <= t x}; branch chosen by t's value at
    the sample gamma (``t_at``); the branches agree at t = 1."""
    if infinite:
        return (u + v) / 2
    if t_at <= 1:
        return u * t / 3 + v * t**2 / 6
    return (u + v) / 2 - u / (6 * t**2) - v / (3 * t)


def _envelope_integral(K, U, V, g0: Fraction):
    """E over (x, y) iid U(0,1) of max_i (U_i x + V_i y), exact on the piece of gamma containing
    the rational ``g0`` (where the envelope's combinatorial type is constant), in Q(gamma)."""
    u0 = [_at(x, g0) for x in U]
    v0 = [_at(x, g0) for x in V]
    m = len(U)
    w = max(range(m), key=lambda i: (u0[i], v0[i]))  # winner at t = 0+: largest u, then largest v
    t_start, t_start_at = K.zero, Fraction(0)
    total = K.zero
    while True:
        best = None
        for j in range(m):
            if v0[j] <= v0[w]:
                continue
            tj = (u0[w] - u0[j]) / (v0[j] - v0[w])
            if tj < t_start_at:
                continue
            if best is None or tj < best[0] or (tj == best[0] and v0[j] > v0[best[1]]):
                best = (tj, j)
        if best is None:
            return total + _F(U[w], V[w], None, None, True) - _F(U[w], V[w], t_start, t_start_at, False)
        tj_at, j = best
        t_end = (U[w] - U[j]) / (V[j] - V[w])
        total += _F(U[w], V[w], t_end, tj_at, False) - _F(U[w], V[w], t_start, t_start_at, False)
        w, t_start, t_start_at = j, t_end, tj_at


def _expected_max_2d(U, V, factor=1, shift=0):
    """``factor * (shift + E[max_i (U_i x + V_i y)])`` for x, y iid U(0, 1), exactly: U, V are
    lists of SymPy rational functions of ``gamma`` (or elements of Q(gamma)); a ``Piecewise`` in
    gamma on (0, 1) when the upper envelope changes type (module docstring)."""
    sp = _sympy()
    g, K, G = _field(sp)
    conv = lambda x: K.from_sympy(x) if isinstance(x, sp.Basic) else K.convert(x)  # noqa: E731
    U, V = [conv(x) for x in U], [conv(x) for x in V]
    factor, shift = conv(factor), conv(shift)
    if not 1 <= len(U) <= MAX_FUNCTIONS or len(V) != len(U):
        raise ValueError(f"U: expected 1 to {MAX_FUNCTIONS} linear functions (U and V of one length), got "
                         f"{len(U)} and {len(V)}")
    cand = []
    m = len(U)
    for i in range(m):
        for j in range(i + 1, m):
            cand += [U[i] - U[j], V[i] - V[j]]
            dv = V[j] - V[i]
            if dv == K.zero:
                continue
            t = (U[i] - U[j]) / dv
            cand.append(t - 1)
            cand += [U[k] + V[k] * t - U[i] - V[i] * t for k in range(m) if k not in (i, j)]
    cuts = [sp.Integer(0)] + _roots01(sp, g, K, cand) + [sp.Integer(1)]
    pieces = []
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        g0 = Fraction(float((sp.N(lo, 30) + sp.N(hi, 30)) / 2))  # an exact binary fraction
        if not (bool(sp.Rational(g0.numerator, g0.denominator) > lo) and bool(sp.Rational(g0.numerator, g0.denominator) < hi)):
            raise ArithmeticError("internal error: no rational sample inside a piece of gamma")  # pragma: no cover
        e = factor * (shift + _envelope_integral(K, U, V, g0))
        if pieces and pieces[-1][0] == e:
            pieces[-1] = (e, hi)
        else:
            pieces.append((e, hi))
    exprs = [(sp.factor(K.to_sympy(e)), hi) for e, hi in pieces]
    if len(exprs) == 1:
        return exprs[0][0]
    return sp.Piecewise(*[(e, g < hi) for e, hi in exprs[:-1]], (exprs[-1][0], True))


def symbolic_power(mdp: MDP, state: Any):
    """POWER(state, gamma) exactly, as a SymPy expression in the symbol ``gamma`` (positive).

    For iid U(0, 1) rewards on a deterministic MDP (Turner et al. 2021, Def. 5.2), when the
    policies from ``state`` differ in at most two rewards (module docstring: every lasso is
    enumerated, rewards weighted alike by all of them contribute their mean, the rest is the
    exact integral of an upper envelope). The result is rational in gamma, or a ``Piecewise`` of
    rational functions split at algebraic breakpoints in (0, 1).

    Parameters
    ----------
    mdp : MDP
        Deterministic.
    state : str or int

    Returns
    -------
    sympy.Expr
        In ``sympy.Symbol("gamma", positive=True)``; valid for gamma in (0, 1).

    Raises
    ------
    ValueError
        ``mdp`` stochastic or with more than ``MAX_LASSOS`` lassos from the state; ``state``
        unknown, or its policies differ in more than two rewards.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.symbolic_power(ps.examples.turner_fig1(), "l_sw")
    (3*gamma + 4)/(6*(gamma + 1))
    """
    sp = _sympy()
    check_mdp(mdp)
    if not mdp.is_deterministic:
        raise ValueError("mdp: symbolic_power needs a deterministic MDP (visit distributions are lassos)")
    s = mdp.index(state)
    g, K, G = _field(sp)
    fs = _functions(K, G, mdp, s)
    keys = sorted({k for f in fs for k in f})
    dist = [k for k in keys if any(f.get(k, K.zero) != fs[0].get(k, K.zero) for f in fs[1:])]
    if len(dist) > 2:
        names = [mdp.states[k] for k in dist][:8]
        raise ValueError(f"state: the policies from {mdp.states[s]!r} differ in {len(dist)} rewards ({names}); "
                         "symbolic_power integrates the maximum exactly for at most 2")
    shared = sum((fs[0].get(k, K.zero) for k in keys if k not in dist), K.zero) / 2
    factor = (1 - G) / G
    if not dist:
        return sp.factor(K.to_sympy(factor * shared))
    if len(fs) > MAX_FUNCTIONS:
        raise ValueError(f"state: the policies from {mdp.states[s]!r} give {len(fs)} distinct value functions; "
                         f"symbolic_power handles at most {MAX_FUNCTIONS}")
    U = [f.get(dist[0], K.zero) for f in fs]
    V = [f.get(dist[1], K.zero) if len(dist) > 1 else K.zero for f in fs]
    return _expected_max_2d(U, V, factor=factor, shift=shared)
