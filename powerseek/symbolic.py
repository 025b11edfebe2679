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

With more distinguishing rewards (Fig. 1's ``star`` has seven) the general region decomposition
of :mod:`powerseek._symbolic_polytope` takes over: the cube is split into the cells where each
L_i is the maximum, each cell is enumerated and triangulated exactly at a rational sample gamma0
and the integrals are evaluated in Q(gamma) along the same combinatorics; the real roots of every
polynomial whose sign was decided bound the piece on which that rational function holds, and
further samples cover the rest of (0, 1) (:mod:`powerseek._symbolic_pieces`).
:func:`symbolic_optimality_probability` adds up the volumes of the cells of the policies that take
the action. Work is bounded (``MAX_DIMENSION`` distinguishing rewards, ``MAX_POLICIES`` distinct
value functions, the vertex / adjacency / simplex / sample limits of the engine); above a bound the
call is refused with a ValueError naming ``state`` and the limit.

Cost (one core, measured while other jobs ran): wait, detour and a 10-state chain with four
distinguishing rewards 0.01-0.02 s; Fig. 1's ``star`` (seven rewards, eleven value functions of
which five win somewhere, about 6,400 simplices per sample (the largest cell is not
triangulated), five samples for four pieces) about 5 s,
after which its optimality probabilities are cached (0.2 s). The cost grows with the number of
pieces and roughly like d! in the number d of distinguishing rewards: a random 10-state MDP whose
state has seven distinguishing rewards and 20 pieces took 75 s; nine or more rewards are
refused (``MAX_DIMENSION``).
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

from tailpower._extras import require

from .limits import check_mdp
from .model import MDP

__all__ = ["symbolic_power", "symbolic_optimality_probability", "MAX_LASSOS", "MAX_FUNCTIONS", "MAX_DIMENSION",
           "MAX_POLICIES"]

#: lassos (deterministic stationary policies' paths) enumerated from the state at most
MAX_LASSOS = 500
#: distinct linear functions (over the distinguishing rewards) at most: the breakpoint search
#: examines about MAX_FUNCTIONS^3 polynomials
MAX_FUNCTIONS = 12
#: distinguishing rewards at most for the general decomposition: the cube's 2^d vertices are cut
#: and every cell is triangulated (the cube alone needs d! simplices by pulling); Fig. 1's star
#: (d = 7) takes seconds, d = 9 minutes
MAX_DIMENSION = 8
#: distinct value functions (after removing dominated ones) at most for the general decomposition
MAX_POLICIES = 40


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


def _rf_functions(mdp: MDP, s: int):
    """The distinct linear functions (f - e_s) . R of the lassos from ``s`` as ({state: RF},
    set of first successors), coefficients rational functions of gamma (FLINT polynomials)."""
    from ._symbolic_algebra import RF, poly

    z = RF(poly([0]))
    seen: dict = {}
    cyc: dict = {}
    for path, j in _lassos(mdp, s):
        L = len(path) - j
        if L not in cyc:
            cyc[L] = poly([1] + [0] * (L - 1) + [-1])
        coef: dict = {}
        for t, p in enumerate(path):
            c = RF(poly([0] * t + [1])) if t < j else RF(poly([0] * t + [1]), cyc[L])
            coef[p] = coef[p] + c if p in coef else c
        coef[s] = coef.get(s, z) - RF(poly([1]))
        coef = {k: v for k, v in coef.items() if not v.is_zero()}
        key = tuple(sorted((k, str(v.num), str(v.den)) for k, v in coef.items()))
        first = path[1] if len(path) > 1 else path[0]
        if key in seen:
            seen[key][1].add(first)
        else:
            seen[key] = (coef, {first})
    return list(seen.values())


def _nonnegative_on_01(x) -> bool:
    """Whether the RF ``x`` is >= 0 on all of (0, 1) (proved: no root in (0, 1), positive at 1/2)."""
    from ._symbolic_algebra import Roots, sign_at

    if x.is_zero():
        return True
    p = x.num * x.den
    r = Roots()
    r.add([p])
    return not r.roots and sign_at(p, Fraction(1, 2)) > 0


def _decompose(mdp: MDP, s: int, want_volumes: bool = True):
    """(functions, distinguishing states, shared RF, kept indices, pieces or None) for the general
    method; pieces as from :func:`powerseek._symbolic_pieces.expected_max_pieces` (with the
    cells' volumes: they cost nothing extra) over the kept (undominated) functions. Cached on the
    MDP's successor table, so the optimality probabilities of all actions at a state and its
    POWER share one decomposition."""
    return _decompose_cached(mdp.states, tuple(tuple(t) for t in mdp.successor_table), s)


@functools.lru_cache(maxsize=16)
def _decompose_cached(states, table, s: int):
    from ._symbolic_algebra import RF, poly
    from ._symbolic_pieces import expected_max_pieces
    from ._symbolic_polytope import TooLarge

    from types import SimpleNamespace

    mdp = SimpleNamespace(states=states, successor_table=[list(t) for t in table])  # what the lassos need
    want_volumes = True
    fs = _rf_functions(mdp, s)
    z = RF(poly([0]))
    keys = sorted({k for f, _ in fs for k in f})
    dist = [k for k in keys if any(not f.get(k, z) == fs[0][0].get(k, z) for f, _ in fs[1:])]
    shared = z
    for k in keys:
        if k not in dist:
            shared = shared + fs[0][0].get(k, z)
    shared = shared.scale(Fraction(1, 2))
    name = mdp.states[s]
    if len(dist) > MAX_DIMENSION:
        raise ValueError(f"state: the policies from {name!r} differ in {len(dist)} rewards; symbolic_power "
                         f"decomposes the reward cube exactly in at most MAX_DIMENSION = {MAX_DIMENSION} dimensions")
    vecs = [[f.get(k, z) for k in dist] for f, _ in fs]
    # drop functions dominated coefficientwise on all of (0, 1) by another (their cell has volume
    # 0); candidates from a float comparison at three gammas, each proved exactly
    import numpy as np

    qs = (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10))
    vals = np.array([[[float(x.at(q)) for x in a] for q in qs] for a in vecs])  # (n, 3, d)
    keep = []
    for i, a in enumerate(vecs):
        cand = np.flatnonzero(np.all(vals >= vals[i] - 1e-12, axis=(1, 2)))
        dominated = any(j != i and all(_nonnegative_on_01(y - x) for x, y in zip(a, vecs[j]))
                        and (j < i or not all(_nonnegative_on_01(x - y) for x, y in zip(a, vecs[j])))
                        for j in cand.tolist())
        if not dominated:
            keep.append(i)
    if len(keep) > MAX_POLICIES:
        raise ValueError(f"state: the policies from {name!r} give {len(keep)} undominated value functions; "
                         f"symbolic_power handles at most MAX_POLICIES = {MAX_POLICIES}")
    if not dist:
        return fs, dist, shared, keep, None
    try:
        pieces = expected_max_pieces([vecs[i] for i in keep], want_volumes)
    except TooLarge as exc:
        raise ValueError(f"state: the exact decomposition for {name!r} ({len(dist)} rewards, {len(keep)} value "
                         f"functions) is too large: {exc}") from None
    return fs, dist, shared, keep, pieces


def _piecewise(sp, pieces):
    """A SymPy Piecewise (or a single expression) from [(right end, expression)] covering (0, 1)."""
    g = sp.Symbol("gamma", positive=True)
    if len(pieces) == 1:
        return pieces[0][1]
    return sp.Piecewise(*[(e, g < hi) for hi, e in pieces[:-1]], (pieces[-1][1], True))


def _state_checks(mdp, state, what: str) -> int:
    check_mdp(mdp)
    if not mdp.is_deterministic:
        raise ValueError(f"mdp: {what} needs a deterministic MDP (visit distributions are lassos)")
    return mdp.index(state)


def symbolic_power(mdp: MDP, state: Any):
    """POWER(state, gamma) exactly, as a SymPy expression in the symbol ``gamma`` (positive).

    For iid U(0, 1) rewards on a deterministic MDP (Turner et al., "Optimal Policies Tend to Seek
    Power", NeurIPS 2021, Def. 5.2): every lasso (deterministic stationary policy's path) from
    ``state`` is enumerated, rewards weighted alike by all of them contribute their mean, and the
    expected maximum over the rest is integrated exactly -- by the upper envelope for at most two
    distinguishing rewards, by the exact region decomposition of the reward cube otherwise
    (module docstring). The result is rational in gamma, or a ``Piecewise`` of rational functions
    split at algebraic breakpoints in (0, 1) (Fig. 1's ``star`` has three: 1/2, (sqrt(5) - 1)/2
    and sqrt(2)/2).

    Parameters
    ----------
    mdp : MDP
        Deterministic.
    state : str or int
        The state's name or index.

    Returns
    -------
    sympy.Expr
        In ``sympy.Symbol("gamma", positive=True)``; valid for gamma in (0, 1).

    Raises
    ------
    TypeError
        ``mdp`` is not an :class:`MDP`.
    ValueError
        ``mdp`` stochastic or with more than ``MAX_LASSOS`` lassos from the state; ``state``
        unknown, or its policies differ in more than ``MAX_DIMENSION`` rewards, give more than
        ``MAX_POLICIES`` undominated value functions, or need a decomposition above the engine's
        vertex, simplex or sample limits.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.symbolic_power(ps.examples.turner_fig1(), "l_sw")
    (3*gamma + 4)/(6*(gamma + 1))
    >>> ps.symbolic_power(ps.examples.wait(), "start")
    (gamma**2 + 8)/12
    """
    sp = _sympy()
    s = _state_checks(mdp, state, "symbolic_power")
    from ._symbolic_algebra import RF, poly

    fs = _rf_functions(mdp, s)
    keys = sorted({k for f, _ in fs for k in f})
    z = RF(poly([0]))
    n_dist = sum(any(not f.get(k, z) == fs[0][0].get(k, z) for f, _ in fs[1:]) for k in keys)
    if n_dist <= 2:
        return _symbolic_power_2d(sp, mdp, s)
    return _power_general(sp, mdp, s)


def _power_general(sp, mdp: MDP, s: int):
    """POWER by the general region decomposition (any number of distinguishing rewards)."""
    from ._symbolic_algebra import RF, poly, to_sympy

    g = sp.Symbol("gamma", positive=True)
    _, _, shared, _, pieces = _decompose(mdp, s)
    factor = RF(poly([1, -1]), poly([0, 1]))  # (1 - gamma) / gamma
    if pieces is None:
        return sp.factor(to_sympy(factor * shared, g))
    return _piecewise(sp, [(hi, sp.factor(to_sympy(factor * (shared + E), g))) for hi, E, _ in pieces])


def _symbolic_power_2d(sp, mdp: MDP, s: int):
    """At most two distinguishing rewards: the upper-envelope integral (module docstring)."""
    g, K, G = _field(sp)
    fs = _functions(K, G, mdp, s)
    keys = sorted({k for f in fs for k in f})
    dist = [k for k in keys if any(f.get(k, K.zero) != fs[0].get(k, K.zero) for f in fs[1:])]
    shared = sum((fs[0].get(k, K.zero) for k in keys if k not in dist), K.zero) / 2
    factor = (1 - G) / G
    if not dist:
        return sp.factor(K.to_sympy(factor * shared))
    if len(fs) > MAX_FUNCTIONS:
        raise ValueError(f"state: the policies from {mdp.states[s]!r} give {len(fs)} distinct value functions; "
                         f"symbolic_power handles at most {MAX_FUNCTIONS} with two distinguishing rewards")
    U = [f.get(dist[0], K.zero) for f in fs]
    V = [f.get(dist[1], K.zero) if len(dist) > 1 else K.zero for f in fs]
    return _expected_max_2d(U, V, factor=factor, shift=shared)


def symbolic_optimality_probability(mdp: MDP, state: Any, successor: Any = None, *, action: Any = None):
    """P(some optimal policy takes the action at ``state``), exactly, as a SymPy expression in ``gamma``.

    The optimality probability of Turner et al. 2021 (Def. 6.1) for iid U(0, 1) rewards on a
    deterministic MDP: the action is optimal exactly when the best lasso through it is a maximiser
    of (f - e_s) . R over all lassos from ``state`` (a stationary policy taking it at ``state`` and
    acting optimally elsewhere), so the probability is the total volume of the cells of the reward
    cube where a lasso through the action wins (ties have probability 0: lassos through different
    successors are different linear functions). Rational in gamma or a ``Piecewise`` of rational
    functions; the probabilities of the actions with distinct successors add up to 1.

    Parameters
    ----------
    mdp : MDP
        Deterministic.
    state : str or int
        The state's name or index.
    successor : str or int, optional
        The action named by the state it leads to (as in :func:`powerseek.optimality_probability`).
    action : str or int, optional
        The action by its name or its position among the state's actions. Give exactly one of
        ``successor`` and ``action``.

    Returns
    -------
    sympy.Expr
        In ``sympy.Symbol("gamma", positive=True)``, valid for gamma in (0, 1).

    Raises
    ------
    TypeError
        ``mdp`` is not an :class:`MDP`.
    ValueError
        ``mdp`` stochastic or too many lassos; ``state`` unknown or its decomposition above a
        work limit (as :func:`symbolic_power`); ``successor`` not a successor of ``state``, or
        both or neither of ``successor`` and ``action`` given; ``action`` unknown.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.symbolic_optimality_probability(ps.examples.wait(), "start", successor="wait")
    (gamma + 3)/6
    """
    sp = _sympy()
    s = _state_checks(mdp, state, "symbolic_optimality_probability")
    if (successor is None) == (action is None):
        raise ValueError("successor: give exactly one of successor= or action=")
    if successor is not None:
        t = mdp.index(successor, name="successor")
        if t not in mdp.successor_table[s]:
            raise ValueError(f"successor: {mdp.states[t]!r} is not a successor of {mdp.states[s]!r}")
    else:
        col = mdp.action_index(s, action)
        t = mdp.successor_table[s][[int(c) for c in mdp.valid_columns(s)].index(col)]
    from ._symbolic_algebra import RF, poly, to_sympy

    g = sp.Symbol("gamma", positive=True)
    fs, dist, _, keep, pieces = _decompose(mdp, s)
    through = [k for k, i in enumerate(keep) if t in fs[i][1]]
    if pieces is None:  # one value function: every action is optimal on it
        return sp.Integer(1 if through else 0)
    out = []
    for hi, _, vols in pieces:
        p = RF(poly([0]))
        for k in through:
            p = p + vols[k]
        out.append((hi, sp.factor(to_sympy(p, g))))
    return _piecewise(sp, out)
