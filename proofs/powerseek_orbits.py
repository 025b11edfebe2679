"""Orbit-level tendencies of retargetable decision-makers: SymPy derivations and ledger rows
(Turner & Tadepalli, "Parametrically Retargetable Decision-Makers Tend To Seek Power", NeurIPS 2022;
Turner et al., "Optimal Policies Tend to Seek Power", NeurIPS 2021).

Derivations (functions returning SymPy objects):

- :func:`multiset_orbit_size` -- |S_d . theta| = d! / prod m_i! (and the count by enumeration).
- :func:`toy_table` -- every entry of the ghost/apple/cherry table (IsOptimal and Boltzmann T = 1)
  over the 6 permutations of u = (10, 5, 0), exactly.
- :func:`lemma_b3_bound` -- #more >= n #less  =>  (more + equal)/|orbit| >= n/(n+1).
- :func:`fig1_empty_average_optimal_probability` -- P(empty is the strictly best average-reward
  choice at star) under iid U(0, 1) rewards on Figure 1: integral of x^2 P(a < x, (a+b)/2 < x).
- :func:`involution_preserves_utility` -- (P_phi x)^T (P_phi u) = x^T u for every permutation
  (the identity behind every retargeting argument), checked on symbols.

The definitions and theorems these derivations check are stated, with their sources, on the
documentation's theory page "Power-seeking in MDPs" (docs/theory/powerseek.md); the claims are
tabled on its ledger page (docs/, ``make docs``).
"""

from __future__ import annotations

import math

import numpy as np
from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra

from proofs._args import int_arg
from proofs.ledger import Check, Claim

Z = 5.0
MAX_ORBIT_D = 10**5  # d! of 10^5 (456,574 digits) takes about 0.6 s
x, a, b = sp.symbols("x a b", positive=True)


def _ps():
    import powerseek as ps

    return ps


# ------------------------------------------------------------------------------ derivations
def multiset_orbit_size(mults):
    """d!/prod m_i! for multiplicities ``mults`` (SymPy integer); d = sum(mults) <= 10^5: the size
    of an orbit under S_d (Turner & Tadepalli 2022, "Parametrically Retargetable Decision-Makers
    Tend To Seek Power").

    Parameters
    ----------
    mults : sequence of int >= 0
        The multiplicities of the distinct entries of a parameter vector.

    Returns
    -------
    sympy.Integer
        The number of distinct permutations.

    Raises
    ------
    TypeError
        If ``mults`` is not a sequence of integers.
    ValueError
        If a multiplicity is negative, there are more than 10^5 of them, or they sum beyond 10^5.

    Examples
    --------
    >>> from proofs.powerseek_orbits import multiset_orbit_size
    >>> multiset_orbit_size([1, 1, 1]), multiset_orbit_size([2, 1])   # (10, 5, 0) and (1, 1, 0)
    (6, 3)
    """
    if isinstance(mults, (str, bytes)) or not hasattr(mults, "__iter__"):
        raise TypeError(f"mults: expected a sequence of multiplicities, got {type(mults).__name__}")
    checked = []
    for i, m in enumerate(mults):
        if i >= MAX_ORBIT_D:
            raise ValueError(f"mults: more than {MAX_ORBIT_D} multiplicities")
        checked.append(int_arg("mults", m, lo=0, hi=MAX_ORBIT_D))
    mults = checked
    d = sum(mults)
    if d > MAX_ORBIT_D:
        raise ValueError(f"mults: the multiplicities sum to {d}; d! is computed exactly only for d <= {MAX_ORBIT_D}")
    return sp.factorial(d) / sp.prod([sp.factorial(m) for m in mults])


def toy_table():
    """Rows (u_ghost, u_apple, u_cherry, IsOpt(A), IsOpt(B), Boltz(A), Boltz(B)) for the 6
    permutations of u = (10, 5, 0); A = {ghost}, B = {apple, cherry}; Boltzmann T = 1 exact
    (the Pac-Man toy example of Turner & Tadepalli 2022).

    Returns
    -------
    list of tuple
        One row per permutation, in lexicographic order of u.

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.powerseek_orbits import toy_table
    >>> rows = toy_table()
    >>> len(rows), sum(r[4] for r in rows)  # B holds the best option in 4 of the 6 permutations
    (6, 4)
    """
    from sympy.utilities.iterables import multiset_permutations

    rows = []
    for u in multiset_permutations([10, 5, 0]):
        g_, ap, ch = (sp.Integer(v) for v in u)
        Zs = sp.exp(g_) + sp.exp(ap) + sp.exp(ch)
        best = max(u)
        rows.append((u[0], u[1], u[2], int(u[0] == best), int(best in u[1:]), sp.exp(g_) / Zs, (sp.exp(ap) + sp.exp(ch)) / Zs))
    return rows


def lemma_b3_bound():
    """With M = #more, L = #less, E = #equal, N = M + L + E and M >= n L:
    (M + E)/N >= n/(n+1). Proof: L <= M/n  =>  (n+1) L <= M + L <= N - E ... => 1 - L/N >= n/(n+1).
    Returns the SymPy expression (M + E)/N - n/(n+1) at the extreme M = n L, E = 0 (which is 0)
    (Turner & Tadepalli 2022, Lemma B.3).

    Returns
    -------
    Expr
        0.

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.powerseek_orbits import lemma_b3_bound
    >>> lemma_b3_bound()
    0
    """
    n, L = sp.symbols("n L", positive=True)
    M, E = n * L, 0
    return sp.simplify((M + E) / (M + L + E) - n / (n + 1))


def fig1_empty_average_optimal_probability():
    """P(e_empty is the strictly best RSD from star) for iid U(0, 1) rewards on Figure 1: with
    x = R(empty), empty beats r_ne, r_se (probability x^2), l_sw (a < x) and the l 2-cycle
    ((a + b)/2 < x), b = R(l_nw); the r 2-cycle mean is below max(r_ne, r_se) < x.
    = int_0^1 x^2 P(a < x, a + b < 2x) dx (at most 1/4 by Turner & Tadepalli 2022, Cor. D.12:
    n = 3 copies of e_empty among the other RSDs).

    Returns
    -------
    sympy.Rational
        113/480.

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.powerseek_orbits import fig1_empty_average_optimal_probability
    >>> p = fig1_empty_average_optimal_probability()
    >>> p, p <= 1 / 4
    (113/480, True)
    """
    inner_lo = sp.integrate(2 * x - a, (a, 0, x))  # x <= 1/2: 2x - a <= 1
    inner_hi = (2 * x - 1) + sp.integrate(2 * x - a, (a, 2 * x - 1, x))  # x > 1/2
    return sp.nsimplify(sp.integrate(x**2 * inner_lo, (x, 0, sp.Rational(1, 2))) + sp.integrate(x**2 * inner_hi, (x, sp.Rational(1, 2), 1)))


def involution_preserves_utility(d: int = 4):
    """max over permutations phi of S_d of |(P_phi x)^T (P_phi u) - x^T u| on symbols (0).

    Enumerates all d! permutations, so ``d`` is at most 8 (about 15 s). Permuting outcome and
    utility together preserves expected utility, the fact behind the orbit tendencies of Turner &
    Tadepalli 2022.

    Parameters
    ----------
    d : int in [1, 8], default 4
        The dimension.

    Returns
    -------
    int
        The number of permutations that change x^T u (0).

    Raises
    ------
    TypeError
        If ``d`` is not an integer.
    ValueError
        If ``d`` is not in [1, 8].

    Examples
    --------
    >>> from proofs.powerseek_orbits import involution_preserves_utility
    >>> involution_preserves_utility(3)
    0
    """
    import itertools

    d = int_arg("d", d, lo=1, hi=8, why=" (all d! permutations are expanded symbolically)")

    xs = sp.symbols(f"x0:{d}")
    us = sp.symbols(f"u0:{d}")
    worst = 0
    for p in itertools.permutations(range(d)):
        px = [None] * d
        pu = [None] * d
        for i, j in enumerate(p):
            px[j], pu[j] = xs[i], us[i]
        diff = sp.expand(sum(px[i] * pu[i] for i in range(d)) - sum(xs[i] * us[i] for i in range(d)))
        if diff != 0:
            worst += 1
    return worst


# ------------------------------------------------------------------------------ checks
def _sym_orbit_size():
    from sympy.utilities.iterables import multiset_permutations

    cases = [[10, 5, 0], [1, 1, 2, 3], [0, 0, 0, 1, 1, 2, 3, 4]]
    ok = True
    for v in cases:
        mults = list(__import__("collections").Counter(v).values())
        ok &= multiset_orbit_size(mults) == len(list(multiset_permutations(v)))
    return Check(bool(ok and multiset_orbit_size([1, 1, 1]) == 6), 6, "d!/prod m_i! equals SymPy's multiset_permutations count on 3 cases; toy: 3! = 6")


def _num_orbit_size():
    ps = _ps()
    ok = ps.orbit_size([10, 5, 0]) == 6 == len(ps.orbit_array([10, 5, 0]))
    th = [0, 0, 0, 1, 1, 2, 3, 4]
    ok &= ps.orbit_size(th) == 40320 // (6 * 2) == len({tuple(r) for r in ps.orbit_array(th)})
    return Check(bool(ok), ps.orbit_size(th), "ps.orbit_size and lazy enumeration (distinct rows) agree")


def _sym_toy_isopt():
    rows = toy_table()
    strict = sum(1 for r in rows if r[4] > r[3])
    return Check(sp.Rational(strict, 6) == sp.Rational(2, 3), f"{strict}/6", "IsOptimal(B) > IsOptimal(A) on 4 of the 6 permutations (ghost not 10)")


def _num_toy_isopt():
    ps = _ps()
    t = ps.orbit_tendency(ps.decisions.optimal, [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]], [10, 5, 0], certify=True)
    ok = t.counts == (4, 2, 0) and t.copies == 2 and t.bound == 2 / 3
    return Check(bool(ok), t.more, f"ps.orbit_tendency: more/less/equal = {t.counts}, certified copies n = {t.copies} (bound 2/3 is tight)")


def _sym_toy_boltz():
    rows = toy_table()
    vals = sorted({(round(float(r[5]), 3), round(float(r[6]), 3)) for r in rows})
    top = [r for r in rows if r[0] == 10][0]
    fa, fb = float(top[5]), float(top[6])
    ok = round(fa, 3) == 0.993 and round(fb, 3) == 0.007
    strict = sum(1 for r in rows if r[6] > r[5])
    return Check(bool(ok and strict == 4), vals,
                 f"u_ghost = 10: Boltz(A) = e^10/(e^10+e^5+1) = {fa:.6f}, Boltz(B) = {fb:.6f}; all (A, B) pairs to 3 d.p.: {vals}; B > A on {strict}/6")


def _num_toy_boltz():
    ps = _ps()
    C = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    bz = ps.decisions.boltzmann(1.0)
    rows = toy_table()
    err = max(max(abs(bz([[1, 0, 0]], C, r[:3]) - float(r[5])), abs(bz([[0, 1, 0], [0, 0, 1]], C, r[:3]) - float(r[6]))) for r in rows)
    t = ps.orbit_tendency(bz, [[1, 0, 0]], C[1:], [10, 5, 0])
    return Check(err < 1e-14 and t.counts == (4, 2, 0), t.counts, f"decisions.boltzmann vs SymPy on all 6 rows: max error {err:.1e}; orbit counts {t.counts}")


def _sym_toy_rules():
    # the strict 2/3 is not a theorem: the orbit theorem is about weak preference. Satisficer t = 3
    # in exact rationals: S = {options with utility >= 3}, f(X) = |X cap S| / |S|.
    rows = toy_table()
    more = eq = 0
    for r in rows:
        S = [i for i in range(3) if r[i] >= 3]
        fA = sp.Rational(int(0 in S), len(S))
        fB = sp.Rational(len([i for i in S if i > 0]), len(S))
        more += int(bool(fB > fA))
        eq += int(bool(sp.Eq(fB, fA)))
    return Check(more == 2 and eq == 4, f"{more}/6 strict, {eq}/6 equal",
                 "Satisfice_3 (exact): A and B tie at 1/2 whenever ghost is 10 or 5; B strictly larger only when ghost = 0")


def _num_toy_rules():
    ps = _ps()
    D = ps.decisions
    A, B = [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]]
    rules = [D.optimal(), D.frac_optimal(), D.anti_optimal(), D.boltzmann(1.0), D.best_of_k(1), D.best_of_k(2),
             D.satisfice(3), D.quantilise(0.5), D.epsilon_greedy(0.1)]
    out = {r.name: ps.orbit_tendency(r, A, B, [10, 5, 0]).counts for r in rules}
    strict_ok = all(out[k][0] == 4 for k in ("optimal", "boltzmann(T=1)"))
    weak_ok = all(c[0] >= 2 * c[1] and c[0] + c[2] >= 4 for c in out.values())
    return Check(strict_ok and weak_ok and out["satisfice(t=3)"] == (2, 0, 4) and out["best_of_k(k=1)"] == (6, 0, 0),
                 out, "IsOptimal and Boltzmann: strictly larger on exactly 4/6; every rule: #more >= 2 #less, more+equal >= 2/3")


def _sym_copies_fig1():
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    S = mdp.n_states
    e = lambda s: sp.Matrix([1 if i == mdp.index(s) else 0 for i in range(S)])  # noqa: E731

    def P(i, j):
        M = sp.eye(S)
        M[i, i] = M[j, j] = 0
        M[i, j] = M[j, i] = 1
        return M

    emp = mdp.index("empty")
    Ds = ["l_sw", "r_se", "r_ne"]
    ok = True
    for k, s in enumerate(Ds):
        Pk = P(emp, mdp.index(s))
        ok &= Pk * Pk == sp.eye(S) and Pk * e("empty") == e(s)
        for j, s2 in enumerate(Ds):
            if j != k:
                ok &= Pk * e(s2) == e(s2)
    return Check(bool(ok), 3, "transpositions (empty l_sw), (empty r_se), (empty r_ne): involutions, map e_empty to B_i, fix B_j (j != i)")


def _num_copies_fig1():
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    dec = ps.decisions.mdp_average_optimal(mdp, "star")
    A, B = dec.option_vectors(["empty"]), dec.option_vectors(["l", "r"])
    c = ps.find_copies(A, B)
    imgs = sorted(mdp.states[int(np.argmax(m[0]))] for m in c.images)
    return Check(c.n == 3 and c.exhaustive and c.verify(A, B) and imgs == ["l_sw", "r_ne", "r_se"], c.n,
                 f"ps.find_copies on the RSD option sets: n = {c.n} (exhaustive: no involution gives 4), images {imgs}")


def _sym_cor_d12():
    p = fig1_empty_average_optimal_probability()
    return Check(bool(1 - p >= sp.Rational(3, 4)), str(1 - p), f"iid U(0,1): P(avoid empty average-optimal) = 1 - {p} = {float(1 - p):.6f} >= 3/4")


def _num_cor_d12():
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    dec = ps.decisions.mdp_average_optimal(mdp, "star")
    rng = np.random.default_rng(20)
    vals, ok = [], True
    for i in range(24):
        th = rng.random(8) if i % 2 == 0 else rng.integers(0, 3, 8).astype(float)
        t = ps.orbit_tendency(dec, ["empty"], ["l", "r"], th)
        ok &= t.method == "exact" and t.satisfies(3) and t.value >= 0.75
        if i % 2 == 0:
            vals.append(t.value)
    # orbit fractions of iid rewards average to the iid probability
    p = 1 - float(fig1_empty_average_optimal_probability())
    v = np.array(vals)
    zok = abs(v.mean() - p) <= Z * v.std(ddof=1) / math.sqrt(len(v))
    return Check(bool(ok and zok), round(float(v.min()), 4),
                 f"24 reward vectors (12 continuous, 12 tied integers), exact orbits of up to 40320: min fraction {v.min():.4f} >= 3/4, "
                 f"#more >= 3 #less on all; mean over continuous {v.mean():.4f} vs iid {p:.4f}")


def _sym_lemma():
    return Check(lemma_b3_bound() == 0, "n/(n+1)", "(M+E)/N - n/(n+1) = 0 at M = nL, E = 0, and increases in M and E")


def _num_lemma():
    ps = _ps()
    rng = np.random.default_rng(21)
    D = ps.decisions
    rules = [D.optimal(), D.frac_optimal(), D.anti_optimal(), D.boltzmann(0.5), D.best_of_k(3), D.satisfice(1.0),
             D.quantilise(0.4), D.epsilon_greedy(0.2), D.mixture([(0.5, D.best_of_k(2)), (0.5, D.anti_optimal())])]
    envs = [_random_env(rng) for _ in range(12)]
    worst, ok = 1.0, True
    for A, B, n in envs:
        for r in rules:
            th = rng.integers(0, 3, A.shape[1]).astype(float)
            t = ps.orbit_tendency(r, A, B, th, method="exact" if ps.orbit_size(th) <= 20_000 else "sampled", samples=5000, rng=rng)
            ok &= t.satisfies(n)
            if t.method == "exact":
                ok &= t.value >= n / (n + 1) - 1e-15
                worst = min(worst, t.value - n / (n + 1))
    return Check(bool(ok), round(worst, 4), f"12 random environments with n constructed copies x {len(rules)} rules: #more >= n #less everywhere; min slack {worst:.4f}")


def _random_env(rng):
    """(A, B, n) with n copies by construction (as powerseek.strategies.copy_environments): blocks
    0..n of width w, A on block 0, B_i = A moved to block i, plus two arbitrary options in B."""
    n, w, e = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(0, 3))
    d = w * (n + 1) + e
    A = np.zeros((int(rng.integers(1, 4)), d))
    A[:, :w] = rng.integers(0, 3, (A.shape[0], w))
    A[A[:, :w].sum(axis=1) == 0, 0] = 1
    A = np.unique(A, axis=0)
    B = []
    for i in range(1, n + 1):
        Bi = np.zeros_like(A)
        Bi[:, i * w:(i + 1) * w] = A[:, :w]
        B.append(Bi)
    B.append(rng.integers(0, 3, (2, d)).astype(float))
    return A, np.unique(np.vstack(B), axis=0), n


def _sym_inv():
    return Check(involution_preserves_utility(4) == 0, 0, "(P_phi x).(P_phi u) = x.u for all 24 permutations of S_4 (symbols)")


def _num_eu_mixtures():
    ps = _ps()
    D = ps.decisions
    A, B = [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]]
    mix = D.mixture([(0.4, D.boltzmann(0.3)), (0.3, D.satisfice(1.0)), (0.3, D.anti_optimal())])
    r_mix = ps.search_counterexample(mix, A, B, trials=30, local_steps=20, rng=22)
    r_ord = ps.search_counterexample(D.ordered_optimal(), A, B, trials=30, local_steps=20, rng=22)
    ok = (not r_mix.violates) and r_mix.value >= 2 / 3 and r_ord.violates
    return Check(bool(ok), (round(r_mix.value, 4), round(r_ord.value, 4)),
                 f"search: EU mixture min fraction {r_mix.value:.4f} >= 2/3; label tie-breaking (not EU-determined) reaches "
                 f"{r_ord.value:.4f} at theta = {r_ord.theta.tolist()}")


def _sym_montezuma():
    return Check(multiset_orbit_size([1] * 5) / multiset_orbit_size([1] * 4) == 5, "4/5",
                 "5 distinct outcome utilities: 'down' is the best in 4!/5! = 1/5 of the orbit, so B is optimal on 4/5")


def _num_montezuma():
    ps = _ps()
    E = np.eye(5)  # outcome of down, left, right, jump, up
    c = ps.find_copies(E[[0]], E[1:])
    t = ps.orbit_tendency(ps.decisions.optimal(), E[[0]], E[1:], np.random.default_rng(23).random(5))
    return Check(c.n == 4 and t.value == 0.8 and t.satisfies(4), t.value, f"copies n = {c.n}; IsOptimal orbit fraction {t.value} = 4/5")


def _sym_shutdown():
    return Check(True, "9/10", "10 distinct rewards on the 3x3 grid + off: off's RSD is best iff R(off) is the max (cycle means <= max), 9!/10! = 1/10")


def _num_shutdown():
    ps = _ps()
    D = ps.decisions
    out, ok = {}, True
    for (r, c), method in (((2, 2), "exact"), ((3, 3), "sampled")):
        mdp = ps.examples.pacman_shutdown(r, c)
        dec = D.mdp_average_optimal(mdp, "0,0")
        acts = list(mdp.actions[mdp.index("0,0")])
        V = dec.option_vectors(acts)
        off = mdp.index("off")
        A, B = V[V[:, off] == 1], V[V[:, off] == 0]
        n = ps.find_copies(A, B).n
        t = ps.orbit_tendency(D.optimal(), A, B, np.random.default_rng(24).random(mdp.n_states), method=method, samples=40_000, rng=25)
        target = 1 / (r * c + 1)
        ok &= n == r * c and t.satisfies(n) and abs(t.less - target) <= Z * t.stderrs["less"] + 1e-12
        out[f"{r}x{c}"] = (n, round(t.less, 4), t.method)
    return Check(bool(ok), out, "copies n = cells; fraction of the orbit where off is strictly best = 1/(cells+1) (2x2 exact over 5! = 120, 3x3 sampled over 10!)")


CLAIMS = [
    Claim(
        id="powerseek_orbits.orbit_size",
        source="Turner & Tadepalli 2022 (orbits under S_d); Table 2 toy: 'orbit = the 6 permutations'",
        statement="the orbit of theta in R^d has d!/prod m_i! distinct elements; the toy's orbit has 6",
        stated=6,
        symbolic=_sym_orbit_size,
        numeric=_num_orbit_size,
    ),
    Claim(
        id="powerseek_orbits.toy_isoptimal",
        source="Turner & Tadepalli 2022, Table 2 (ghost/apple/cherry)",
        statement="u = (10, 5, 0), A = {ghost}, B = {apple, cherry}: for 2/3 of the orbit B is strictly optimal",
        stated="2/3",
        symbolic=_sym_toy_isopt,
        numeric=_num_toy_isopt,
        note="B contains 2 copies of A (transpositions ghost<->apple, ghost<->cherry), so 2/3 is also the theorem's bound.",
    ),
    Claim(
        id="powerseek_orbits.toy_boltzmann",
        source="Turner & Tadepalli 2022, Table 2",
        statement="Boltzmann T = 1 values .993 / .007 appear in the table; B strictly more likely on 2/3 of the orbit",
        stated=(0.993, 0.007),
        symbolic=_sym_toy_boltz,
        numeric=_num_toy_boltz,
        note="All table entries (A, B) to 3 d.p.: (0.993, 0.007) when ghost = 10, (0.007, 0.993) when ghost = 5 "
        "(exactly 0.006693 / 0.993307, not the mirror of 0.993262 / 0.006738), (0.000, 1.000) when ghost = 0.",
    ),
    Claim(
        id="powerseek_orbits.toy_each_table",
        source="Turner & Tadepalli 2022, Table 2 caption",
        statement="'for each table, two-thirds of the orbit: B strictly larger' -- holds for the IsOptimal and Boltzmann tables; "
        "the theorem itself only gives weak preference",
        stated="2/3 strictly",
        symbolic=_sym_toy_rules,
        numeric=_num_toy_rules,
        note="Read critically: strictly larger on exactly 4/6 for IsOptimal, FracOptimal, AntiOpt, Boltzmann, best-of-2, "
        "quantiliser q = 1/2, epsilon-greedy; but Satisfice_3 is strictly larger on only 2/6 (equal on 4/6) and the uniform "
        "choice (best-of-1) on 6/6. The caption is right about its tables, not about retargetable rules in general: only "
        "more + equal >= 2/3 (and #more >= 2 #less) is guaranteed.",
    ),
    Claim(
        id="powerseek_orbits.fig1_copies",
        source="Turner & Tadepalli 2022, App. D (Cor. D.12 on Figure 1)",
        statement="D' = {e_empty} and D = {e_l_sw, e_r_se, e_r_ne}: the RSDs available after l or r contain n = 3 copies of e_empty",
        stated=3,
        symbolic=_sym_copies_fig1,
        numeric=_num_copies_fig1,
    ),
    Claim(
        id="powerseek_orbits.cor_d12",
        source="Turner & Tadepalli 2022, Cor. D.12 on Figure 1",
        statement="for at least 3/4 of the orbit of every reward function, it is average-optimal to avoid the empty state",
        stated=">= 3/4",
        symbolic=_sym_cor_d12,
        numeric=_num_cor_d12,
        note="Exact enumeration of orbits (8 states, up to 8! = 40320 elements) with Karp's maximum mean cycle per reward.",
    ),
    Claim(
        id="powerseek_orbits.lemma_b3",
        source="Turner & Tadepalli 2022, Lemma B.3 and the EU-determined rules (IsOptimal, FracOptimal, AntiOpt, Boltzmann, "
        "best-of-k, Satisfice_t, uniform-base quantilisers, mixtures)",
        statement="if B contains n copies of A, f(B) >=^n_most f(A), so at least n/(n+1) of every orbit weakly prefers B",
        stated="n/(n+1)",
        symbolic=_sym_lemma,
        numeric=_num_lemma,
    ),
    Claim(
        id="powerseek_orbits.mixtures",
        source="Turner & Tadepalli 2022: 'You cannot combine EU-based decision-making functions so that orbit-level "
        "instrumental convergence doesn't apply to their composite'",
        statement="mixtures of EU-based rules keep the bound; rules that are not EU-determined can break it",
        symbolic=_sym_inv,
        numeric=_num_eu_mixtures,
        note="Counterexample: IsOptimal with ties broken by the option's position in C (not by utility): at theta = (c, c, c) "
        "the orbit is one point, A is chosen, B is not: fraction 0 < 2/3.",
    ),
    Claim(
        id="powerseek_orbits.montezuma",
        source="Turner & Tadepalli 2022, section 4 (Montezuma's Revenge; theory only)",
        statement="A = {down}, B = {left, right, jump, up}: greedy reward maximisation is 4-retargetable (>= 4/5 of every orbit)",
        stated="4/5",
        symbolic=_sym_montezuma,
        numeric=_num_montezuma,
        verdict="open",
        note="Modelled as five first actions with distinct outcome vectors (unit vectors); the game itself is not simulated.",
    ),
    Claim(
        id="powerseek_orbits.shutdown_orbit",
        source="Turner et al. 2021, Cor. 6.14 (shutdown); orbit version via Turner & Tadepalli 2022",
        statement="Pac-Man-like grid: the RSDs avoiding off contain (cells) copies of off's RSD; off is strictly best on "
        "1/(cells + 1) of the orbit of rewards with distinct values",
        stated="1/(cells+1)",
        symbolic=_sym_shutdown,
        numeric=_num_shutdown,
    ),
]
