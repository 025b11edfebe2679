"""Closed forms of POWER and optimality probability derived by :func:`powerseek.symbolic_power` and
:func:`powerseek.symbolic_optimality_probability` (exact region decomposition of the reward cube),
and the ledger rows that rest on them.

Rewards iid U(0, 1) on states, collected from t = 0 (Turner et al., "Optimal Policies Tend to Seek
Power", NeurIPS 2021, Def. 5.2 and 6.1). The hand derivations of :mod:`proofs.powerseek` (Figure
1's states from the pairwise sign identities, the order-statistic limits of the detour and wait
examples) stay as an independent cross-check of the derived forms.

Derivations (cached: Figure 1's ``star`` takes about 6 s per call):

- :func:`fig1_power_derived` -- POWER(s, gamma) for Figure 1's eight states, ``star`` included
  (a ``Piecewise`` with breakpoints 1/2, (sqrt 5 - 1)/2 and sqrt 2/2).
- :func:`fig1_star_optimality` -- P(star -> empty / l / r optimal), piecewise in gamma.
- :func:`detour_derived`, :func:`wait_derived` -- POWER and optimality probabilities of the
  detour (Prop. B.1, Fig. 10) and wait examples as rational functions of gamma.
"""

from __future__ import annotations

import functools

from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra

from proofs.ledger import Check, Claim

__all__ = ["fig1_power_derived", "fig1_star_optimality", "detour_derived", "wait_derived", "limits"]

g = sp.Symbol("gamma", positive=True)
Z = 5.0  # z-score for Monte Carlo agreement
FIG1_STATES = ("star", "empty", "l", "l_nw", "l_sw", "r", "r_ne", "r_se")


def _ps():
    import powerseek as ps

    return ps


@functools.lru_cache(maxsize=None)
def fig1_power_derived(include_star: bool = True) -> dict:
    """POWER(s, gamma) of every state of Turner et al. 2021, Figure 1, by
    :func:`powerseek.symbolic_power`.

    Parameters
    ----------
    include_star : bool
        Also ``star`` (seven distinguishing rewards, about 6 s); the other states take 0.1 s.

    Returns
    -------
    dict
        State name -> SymPy expression in ``gamma`` (``star``: a 4-piece ``Piecewise``).

    Raises
    ------
    tailpower._extras.MissingExtraError
        If SymPy or python-flint (the ``symbolic`` extra) is not installed.

    Examples
    --------
    >>> from proofs.powerseek_symbolic import fig1_power_derived
    >>> fig1_power_derived()["l_sw"]  # (6 s: star's decomposition)  # doctest: +SKIP
    (3*gamma + 4)/(6*(gamma + 1))
    """
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    return {s: ps.symbolic_power(mdp, s) for s in FIG1_STATES if include_star or s != "star"}


@functools.lru_cache(maxsize=None)
def fig1_star_optimality() -> dict:
    """P(the action from ``star`` to ``empty``, ``l``, ``r`` is optimal), exactly, by
    :func:`powerseek.symbolic_optimality_probability` (Turner et al. 2021, Def. 6.1, Fig. 1).

    Returns
    -------
    dict
        Successor name -> SymPy expression in ``gamma`` (three 4-piece ``Piecewise``; about 20 s).

    Raises
    ------
    tailpower._extras.MissingExtraError
        If SymPy or python-flint (the ``symbolic`` extra) is not installed.

    Examples
    --------
    >>> from proofs.powerseek_symbolic import fig1_star_optimality
    >>> fig1_star_optimality()["empty"].args[0].cond  # (20 s)  # doctest: +SKIP
    gamma < 1/2
    """
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    return {t: ps.symbolic_optimality_probability(mdp, "star", successor=t) for t in ("empty", "l", "r")}


@functools.lru_cache(maxsize=None)
def detour_derived() -> dict:
    """Detour example (Turner et al. 2021, Prop. B.1, Fig. 10; :func:`powerseek.examples.detour`):
    POWER of s1, s2, s3 and P(s1 -> s2 (N)), P(s1 -> s3 (NE)) as functions of gamma.

    Returns
    -------
    dict
        ``"POWER(s1)"``, ``"POWER(s2)"``, ``"POWER(s3)"``, ``"P(N)"``, ``"P(NE)"`` -> SymPy
        rational functions of ``gamma``.

    Raises
    ------
    tailpower._extras.MissingExtraError
        If SymPy or python-flint (the ``symbolic`` extra) is not installed.

    Examples
    --------
    >>> from proofs.powerseek_symbolic import detour_derived
    >>> detour_derived()["P(N)"]
    -(gamma - 3)/6
    """
    ps = _ps()
    mdp = ps.examples.detour()
    out = {f"POWER({s})": ps.symbolic_power(mdp, s) for s in ("s1", "s2", "s3")}
    for k, t in (("P(N)", "s2"), ("P(NE)", "s3")):
        out[k] = ps.symbolic_optimality_probability(mdp, "s1", successor=t)
    return out


@functools.lru_cache(maxsize=None)
def wait_derived() -> dict:
    """Wait example (Turner's 2019 explainer; :func:`powerseek.examples.wait`): POWER(start) and
    P(start -> wait), P(start -> candy) as functions of gamma.

    Returns
    -------
    dict
        ``"POWER(start)"``, ``"P(wait)"``, ``"P(candy)"`` -> SymPy rational functions of ``gamma``.

    Raises
    ------
    tailpower._extras.MissingExtraError
        If SymPy or python-flint (the ``symbolic`` extra) is not installed.

    Examples
    --------
    >>> from proofs.powerseek_symbolic import wait_derived
    >>> wait_derived()["POWER(start)"]
    (gamma**2 + 8)/12
    """
    ps = _ps()
    mdp = ps.examples.wait()
    return {"POWER(start)": ps.symbolic_power(mdp, "start"),
            "P(wait)": ps.symbolic_optimality_probability(mdp, "start", successor="wait"),
            "P(candy)": ps.symbolic_optimality_probability(mdp, "start", successor="candy")}


def limits(expr) -> tuple:
    """The one-sided limits gamma -> 0+ and gamma -> 1- of a derived closed form.

    Parameters
    ----------
    expr : sympy.Expr
        A rational function of ``gamma`` or a ``Piecewise`` of them over (0, 1) (its first piece
        gives the limit at 0, its last the limit at 1).

    Returns
    -------
    tuple
        (limit at 0+, limit at 1-), exact SymPy numbers.

    Raises
    ------
    TypeError
        If ``expr`` is not a SymPy expression in ``gamma`` (SymPy's own error).

    Examples
    --------
    >>> from proofs.powerseek_symbolic import g, limits
    >>> limits((g**2 + 8) / 12)
    (2/3, 3/4)
    """
    lo = expr.args[0].expr if isinstance(expr, sp.Piecewise) else expr
    hi = expr.args[-1].expr if isinstance(expr, sp.Piecewise) else expr
    return sp.limit(lo, g, 0, "+"), sp.limit(hi, g, 1, "-")


# ------------------------------------------------------------------------- checks
def _sym_small():
    d, w = detour_derived(), wait_derived()
    lim = {k: limits(v) for k, v in {**d, **w}.items()}
    want1 = {"POWER(s2)": sp.Rational(3, 4), "POWER(s3)": sp.Rational(2, 3), "P(N)": sp.Rational(1, 3),
             "P(NE)": sp.Rational(2, 3), "POWER(start)": sp.Rational(3, 4), "P(wait)": sp.Rational(2, 3)}
    want0 = {"POWER(start)": sp.Rational(2, 3), "P(wait)": sp.Rational(1, 2)}
    ok = all(lim[k][1] == v for k, v in want1.items()) and all(lim[k][0] == v for k, v in want0.items())
    ok &= sp.simplify(d["P(N)"] + d["P(NE)"] - 1) == 0 and sp.simplify(w["P(wait)"] + w["P(candy)"] - 1) == 0
    return Check(ok, {k: str(v) for k, v in {**d, **w}.items()}, "limits gamma -> 0, 1 equal the stated numbers; "
                 "probabilities add up to 1")


def _num_small():
    ps = _ps()
    details, ok = [], True
    for seed, (name, mdp, forms, state) in enumerate((("detour", ps.examples.detour(), detour_derived(), "s1"),
                                                      ("wait", ps.examples.wait(), wait_derived(), "start"))):
        for i, gv in enumerate((0.3, 0.8)):
            res = ps.power(mdp, gv, samples=20_000, rng=40 + 10 * seed + i)
            est = res[state]
            val = float(forms[f"POWER({state})"].subs(g, sp.Rational(str(gv))))
            ok &= abs(est.value - val) <= Z * est.stderr + res.bound + 1e-12
            details.append(f"{name} POWER({state}, {gv}) {val:.4f} vs MC {est.value:.4f}+-{est.stderr:.4f}")
        t, key = ("s2", "P(N)") if name == "detour" else ("wait", "P(wait)")
        est = ps.optimality_probability(mdp, state, successor=t, gamma=0.6, samples=20_000, rng=44 + seed)
        val = float(forms[key].subs(g, sp.Rational(3, 5)))
        ok &= abs(est.value - val) <= Z * est.stderr
        details.append(f"{key} at 0.6 {val:.4f} vs MC {est.value:.4f}+-{est.stderr:.4f}")
    return Check(ok, None, "; ".join(details))


def _sym_star():
    from proofs.powerseek import fig1_power, fig1_star_limits

    pw = fig1_power_derived()
    hand = fig1_power()
    EM, Pe = fig1_star_limits()
    star = pw["star"]
    cuts = [c.cond.rhs for c in star.args[:-1]]
    ok = cuts == [sp.Rational(1, 2), (sp.sqrt(5) - 1) / 2, sp.sqrt(2) / 2]
    ok &= all(sp.simplify(pw[k] - v) == 0 for k, v in hand.items())
    # continuous at every breakpoint
    ok &= all(sp.simplify(star.args[k].expr.subs(g, c) - star.args[k + 1].expr.subs(g, c)) == 0 for k, c in enumerate(cuts))
    lo, hi = limits(star)
    ok &= lo == sp.Rational(3, 4) and hi == EM
    probs = fig1_star_optimality()
    ok &= limits(probs["empty"])[1] == Pe and all(limits(p)[0] == sp.Rational(1, 3) for p in probs.values())
    ok &= all(sp.simplify(sum(p.args[k].expr for p in probs.values()) - 1) == 0 for k in range(len(cuts) + 1))
    return Check(ok, {"breakpoints": [str(c) for c in cuts], "POWER(star, 0+)": str(lo), "POWER(star, 1-)": str(hi)},
                 "7 hand-derived states equal; star continuous, limits 3/4 and the gamma = 1 integral; "
                 "P(empty) -> the hand P(empty, 1); P(empty), P(l), P(r) -> 1/3 at 0 and add up to 1 on every piece")


def _num_star():
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    star, pe = fig1_power_derived()["star"], fig1_star_optimality()["empty"]
    ok, worst = True, 0.0
    for i, gv in enumerate((0.3, 0.55, 0.65, 0.69, 0.9)):
        q = sp.Rational(str(gv))
        est = ps.power(mdp, gv, samples=30_000, rng=50 + i)["star"]
        z = abs(est.value - float(star.subs(g, q))) / est.stderr
        p = ps.optimality_probability(mdp, "star", successor="empty", gamma=gv, samples=30_000, rng=60 + i)
        z2 = abs(p.value - float(pe.subs(g, q))) / p.stderr
        worst = max(worst, z, z2)
        ok &= z <= Z and z2 <= Z
    return Check(ok, round(worst, 2), "max |z| of POWER(star) and P(star -> empty) at gamma in {0.3, 0.55, 0.65, "
                 "0.69, 0.9} (30k samples each; every piece sampled)")


CLAIMS = [
    Claim(
        id="powerseek_symbolic.detour_wait",
        source="Turner et al. 2021, Prop. B.1, Fig. 10 (detour); Turner, LessWrong 2019 (wait)",
        statement="POWER(s2, 1) = 3/4, POWER(s3, 1) = 2/3, P(s1, N, 1) = 1/3, P(s1, NE, 1) = 2/3; "
        "POWER(start) from 2/3 to 3/4 and P(wait) from 1/2 to 2/3 -- as limits of closed forms in gamma",
        stated="3/4, 2/3, 1/3, 2/3; 2/3, 3/4, 1/2, 2/3",
        symbolic=_sym_small,
        numeric=_num_small,
        note="Closed forms derived by powerseek.symbolic_power / symbolic_optimality_probability, e.g. "
        "POWER(start) = (8 + gamma^2)/12, P(wait) = (3 + gamma)/6, P(N) = (3 - gamma)/6.",
    ),
    Claim(
        id="powerseek_symbolic.fig1_star",
        source="Turner et al. 2021, Fig. 1 (POWER at the star state); Def. 5.2, 6.1",
        statement="POWER(star, gamma) in closed form: piecewise rational with breakpoints 1/2, (sqrt5 - 1)/2, "
        "sqrt2/2, from 3/4 at gamma -> 0 to POWER(star, 1); the other seven states as in Fig. 3",
        symbolic=_sym_star,
        numeric=_num_star,
        verdict="open",
        note="No closed form for star is stated in the source; derived by the exact region decomposition "
        "(about 15 s with the Monte Carlo), checked against the hand-derived limits and Monte Carlo on every piece.",
    ),
]
