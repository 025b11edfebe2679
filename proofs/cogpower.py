"""Cognitive power (independent-steps model): derivations and claims.

Source: Kwa, "The independent-steps model of cognitive power" (LessWrong shortform, 2023) -- its
formulas are reconstructed from the text -- and the generalised central limit theorem for power-law
tails (Gnedenko & Kolmogorov 1954; stable laws in the S1 parametrisation of Samorodnitsky & Taqqu,
"Stable Non-Gaussian Random Processes", 1994). X is the time of one subtask
(the fastest of k approaches), P(X > x) = x^-beta on [1, inf), S_n the sum of n copies.

The definitions and theorems these derivations check are stated, with their sources, on the
documentation's theory page "The independent-steps model of cognitive power"
(docs/theory/cogpower.md); the claims are tabled on its ledger page (docs/, ``make docs``).
"""

from __future__ import annotations

import math

import numpy as np
from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra

from proofs._args import symbolic_arg
from proofs.ledger import Check, Claim

t, u, y = sp.symbols("t u y", positive=True)
a, k, b = sp.symbols("alpha k beta", positive=True)

SRC = "Kwa 2023, independent-steps model (LessWrong shortform)"
GCLT = "generalised CLT (Gnedenko & Kolmogorov 1954; S1 parametrisation, Samorodnitsky & Taqqu 1994)"


# ----------------------------------------------------------------------------- derivations
def min_of_k_survival():
    """P(min of k iid > t) = P(T > t)^k = (t^-alpha)^k: the fastest of k approaches is Pareto(k
    alpha) (Kwa 2023, the independent-steps model).

    Returns
    -------
    Expr
        t^(-alpha k).

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.cogpower import min_of_k_survival
    >>> min_of_k_survival()
    t**(-alpha*k)
    """
    return sp.powsimp((t ** (-a)) ** k, force=True)


def subtask_mean():
    """E[X] = 1 + int_1^inf P(X > t) dt for X >= 1, with P(X > t) = t^-beta, beta > 1.

    Returns
    -------
    Expr
        beta/(beta - 1), the mean time per subtask above the critical power (Kwa 2023).

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.cogpower import subtask_mean
    >>> subtask_mean()
    beta/(beta - 1)
    """
    bb = sp.Symbol("beta", positive=True)
    return sp.simplify(1 + sp.integrate(t ** (-bb), (t, 1, sp.oo), conds="none"))


def stable_scale_integral(beta):
    """sigma^beta = beta int_0^inf (1 - cos y) y^(-1-beta) dy: the coefficient of |u|^beta in
    1 - Re E[e^{iuX}] as u -> 0 (substitute y = u x in beta int_1^inf (1 - cos ux) x^(-1-beta) dx).

    ``beta`` is a number in (0, 2) -- where the identity holds -- or a SymPy expression. This is
    the scale of the stable limit of S_n (generalised CLT; Zolotarev 1986).

    Parameters
    ----------
    beta : number in (0, 2) or SymPy expression
        The tail exponent; floats become the exact rational they stand for.

    Returns
    -------
    Expr
        sigma^beta = int_0^inf sin(y) y^(-beta) dy = Gamma(1 - beta) cos(pi beta/2).

    Raises
    ------
    TypeError
        If ``beta`` is neither a real number nor a SymPy expression.
    ValueError
        If ``beta`` is not in (0, 2).

    Examples
    --------
    >>> import sympy as sp
    >>> from proofs.cogpower import stable_scale_integral
    >>> stable_scale_integral(sp.Rational(1, 2))  # Gamma(1/2) cos(pi/4)
    sqrt(2)*sqrt(pi)/2
    """
    beta = symbolic_arg("beta", beta, lo=0, hi=2, where=" (the stable range of the identity)")
    # integrate by parts (boundary terms vanish for 0 < beta < 2): = int_0^inf sin(y) y^(-beta) dy,
    # a Mellin transform SymPy evaluates reliably (it returns -oo for the first form at beta = 1/2).
    return sp.simplify(sp.integrate(sp.sin(y) * y ** (-beta), (y, 0, sp.oo)))


def critical_location_series():
    """Im E[e^{iuX}] for beta = 1 equals u int_u^inf sin(y)/y^2 dy; its expansion as u -> 0 is
    -ln u + 1 - gamma_Euler, which makes S_n/n - ln n -> S_1(pi/2, 1, 1 - gamma_Euler).

    Returns
    -------
    Expr
        -log(u) - EulerGamma + 1.

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.cogpower import critical_location_series
    >>> critical_location_series()  # (1.3 s)  # doctest: +SKIP
    -log(u) - EulerGamma + 1
    """
    inner = sp.integrate(sp.sin(y) / y**2, (y, u, sp.oo))
    return sp.series(inner, u, 0, 1).removeO()


def half_median_constant():
    """For beta = 1/2: psi(v) = -sqrt(v)(1 - i), -psi^2/2 = i v, a shift of +1/n of
    W = (S_n + n)/(sigma n^2); with sigma = pi/2 the constant of median(S_n/n) is sigma - 1.

    Returns
    -------
    (Expr, Expr, Expr)
        The perturbation i v, sigma = pi/2 and the constant pi/2 - 1.

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.cogpower import half_median_constant
    >>> half_median_constant()
    (I*v, pi/2, -1 + pi/2)
    """
    v = sp.Symbol("v", positive=True)
    psi = -sp.sqrt(v) * (1 - sp.I * sp.tan(sp.pi / 4))
    pert = sp.expand(-(psi**2) / 2)
    sigma = (sp.gamma(sp.Rational(1, 2)) * sp.cos(sp.pi / 4)) ** 2
    return pert, sp.simplify(sigma), sp.simplify(sigma * pert / (sp.I * v) - sp.Rational(1, 2) / (1 - sp.Rational(1, 2)))


def drift_constant_limit():
    """c(beta) = sigma tan(pi beta/2) - beta/(1-beta) as beta = 1 - eps -> 1:
    sigma = (Gamma(eps) sin(pi eps/2))^(1/(1-eps)), tan(pi beta/2) = 1/tan(pi eps/2).

    Returns
    -------
    Expr
        1 - EulerGamma + log(pi/2).

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.cogpower import drift_constant_limit
    >>> drift_constant_limit()
    -EulerGamma + log(pi/2) + 1
    """
    e = sp.Symbol("epsilon", positive=True)
    sig = sp.exp(sp.log(sp.gamma(e) * sp.sin(sp.pi * e / 2)) / (1 - e))
    return sp.simplify(sp.limit(sig / sp.tan(sp.pi * e / 2) - (1 - e) / e, e, 0))


# ----------------------------------------------------------------------------- checks
def _sym_min():
    e = min_of_k_survival()
    return Check(sp.simplify(e - t ** (-k * a)) == 0, str(e))


def _num_min():
    import cogpower as cp

    m = cp.IndependentSteps(alpha=0.7, power=3)  # k = 3, beta = 2.1
    x = m.simulate(1, 200_000, rng=11, method="naive")
    bad = []
    for q in (0.1, 0.5, 0.9, 0.99):
        est = cp.order_statistic_ci(x, q, z=5)
        exact = (1 - q) ** (-1 / 2.1)
        if not est.covers(exact):
            bad.append((q, est.value, exact))
    return Check(not bad, "naive min of 3 Pareto(0.7): quantiles at q=.1,.5,.9,.99 match Pareto(2.1)",
                 f"200k samples, order-statistic CIs z=5; misses {bad}")


def _sym_threshold():
    integral = sp.integrate(t ** (-k * a), (t, 1, sp.oo), conds="piecewise")
    qstar = sp.solve(sp.Eq(k * a, 1), k)[0]
    ok = qstar == 1 / a and isinstance(integral, sp.Piecewise)
    return Check(ok, f"Q* = {qstar}", f"int_1^inf t^(-k alpha) dt = {integral}")


def _num_threshold():
    import cogpower as cp

    vals = (cp.critical_power(alpha=0.5), cp.critical_power(2.5, "density"))
    regimes = [cp.IndependentSteps(alpha=0.5, power=q).regime for q in (1.9, 2.0, 2.1)]
    cb = cp.IndependentSteps(alpha=0.5, power=1.0, approaches=lambda q: q * q).critical_power
    ok = vals[0] == 2.0 and abs(vals[1] - 1 / 1.5) < 1e-15 and regimes == ["subcritical", "critical", "supercritical"] \
        and abs(cb - math.sqrt(2)) < 1e-10
    return Check(ok, vals, f"regimes at Q = 1.9, 2, 2.1: {regimes}; k(Q) = Q^2 root-found Q* = {cb}")


def _sym_mean():
    e = subtask_mean()
    bb = sp.Symbol("beta", positive=True)
    return Check(sp.simplify(e - bb / (bb - 1)) == 0, str(e), "E[X] = 1 + int_1^inf t^-beta dt")


def _num_mean():
    from scipy import stats

    import cogpower as cp

    m = cp.IndependentSteps(alpha=1.0, power=4.0)  # beta = 4, finite variance
    x = m.simulate(20, 50_000, rng=3) / 20
    se = x.std(ddof=1) / math.sqrt(x.size)
    quad = cp.IndependentSteps(power=4.0, time=stats.pareto(1.0)).mean_subtask_time
    ok = abs(x.mean() - 4 / 3) < 5 * se and abs(quad - 4 / 3) < 1e-8
    return Check(ok, (float(x.mean()), quad), f"closed 4/3; MC mean +- {se:.1e} (z=5); quadrature of sf^k")


def _sym_scale():
    got = {}
    for bet in (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(3, 2)):
        e = stable_scale_integral(bet)
        got[str(bet)] = e
        diff = sp.gammasimp(e - sp.gamma(1 - bet) * sp.cos(sp.pi * bet / 2))
        # gammasimp misses Gamma(1/3) Gamma(2/3) = 2 pi/sqrt(3); fall back to 60-digit evaluation
        if diff != 0 and abs(sp.N(diff, 60)) > 1e-50:
            return Check(False, got, f"mismatch at beta={bet}")
    return Check(True, {kk: str(vv) for kk, vv in got.items()}, "beta int_0^inf (1-cos y) y^(-1-beta) dy at beta = 1/2, 1/3, 3/2")


def _num_scale():
    import mpmath as mp

    import cogpower as cp

    rows = []
    for bet in (0.3, 0.5, 0.8, 1.5):
        uu = 1e-7
        re = complex(bet * mp.expint(bet + 1, -1j * uu)).real
        coeff = (1 - re + (bet / (2 * (2 - bet))) * uu**2 * (bet > 1)) / uu**bet
        rows.append((bet, coeff, cp.stable_scale(bet) ** bet))
    ok = all(abs(c - s) < 1e-4 * s for _, c, s in rows)
    return Check(ok, rows, "(1 - Re E e^{iuX})/u^beta at u = 1e-7 (mpmath expint) vs cp.stable_scale(beta)^beta")


def _sym_critical_loc():
    e = critical_location_series()
    ok = sp.simplify(e - (1 - sp.EulerGamma - sp.log(u))) == 0
    return Check(ok, str(e), "u int_u^inf sin y / y^2 dy = u(-ln u + 1 - gamma) + o(u)")


def _num_critical():
    import cogpower as cp

    n = 1000
    pred = cp.analytic.median_per_subtask(n, 1.0)
    exact = cp.analytic.median_per_subtask(n, 1.0, "exact")
    est = cp.quantile_per_subtask(cp.IndependentSteps(alpha=1.0, power=1.0), n, tasks=40_000, rng=5)
    const = pred - math.log(n)
    ok = est.covers(exact) and est.covers(pred) and abs(pred - exact) < 0.02
    return Check(ok, {"ln n + const": pred, "exact (Gil-Pelaez)": exact, "MC median": est.value},
                 f"const = (pi/2) z_med + 1 - gamma + ln(pi/2) = {const:.5f}; MC CI [{est.lower:.4f}, {est.upper:.4f}] (z=5)")


def _sym_half():
    pert, sigma, const = half_median_constant()
    ok = sp.simplify(pert - sp.I * sp.Symbol("v", positive=True)) == 0 and sigma == sp.pi / 2 and \
        sp.simplify(const - (sp.pi / 2 - 1)) == 0
    return Check(ok, f"median(S_n/n) = m n + {const}", f"-psi^2/2 = {pert}, sigma = {sigma}")


def _num_half():
    import cogpower as cp
    from scipy import special

    m = (math.pi / 2) / (2 * special.erfcinv(0.5) ** 2)
    ex = cp.analytic.median_per_subtask(1000, 0.5, "exact")
    n = 10
    est = cp.quantile_per_subtask(cp.IndependentSteps(alpha=1.0, power=0.5), n, tasks=1_000_000, rng=7)
    ours, stated = m * n + math.pi / 2 - 1, m * n - 1
    ok = abs(ex - (m * 1000 + math.pi / 2 - 1)) < 1e-3 and est.covers(ours) and not est.covers(stated)
    return Check(ok, {"exact n=1000": ex, "m*1000 + pi/2 - 1": m * 1000 + math.pi / 2 - 1, "MC n=10": est.value},
                 f"m = {m:.5f}; n=10: ours {ours:.4f}, stated {stated:.4f}, MC CI [{est.lower:.4f}, {est.upper:.4f}] (z=5)")


def _sym_mid():
    bet = sp.Rational(3, 2)
    s = sp.gamma(1 - bet) * sp.cos(sp.pi * bet / 2)
    return Check(bool(s.is_positive), f"sigma^1.5 = {sp.nsimplify(s)} = {float(s):.6f}",
                 "(S_n - 3n)/n^(2/3) -> S_1.5(sigma, 1, 0); Gamma(-1/2) cos(3 pi/4) = sqrt(2 pi)")


def _num_mid():
    import cogpower as cp

    n = 1000
    pred = cp.analytic.median_per_subtask(n, 1.5)
    lead = 3.0 + cp.stable_scale(1.5) * n ** (-1 / 3) * cp.stable_quantile(0.5, 1.5)
    exact = cp.analytic.median_per_subtask(n, 1.5, "exact")
    est = cp.quantile_per_subtask(cp.IndependentSteps(alpha=1.5, power=1.0), n, tasks=40_000, rng=9)
    ok = est.covers(exact) and est.covers(pred) and abs(pred - exact) < abs(lead - exact)
    return Check(ok, {"leading": lead, "corrected": pred, "exact": exact, "MC": est.value},
                 f"beta=1.5, n=1000; MC CI [{est.lower:.4f}, {est.upper:.4f}] (z=5)")


def _sym_drift():
    lim = drift_constant_limit()
    ok = sp.simplify(lim - (1 - sp.EulerGamma + sp.log(sp.pi / 2))) == 0
    return Check(ok, str(lim), "lim_{beta->1} sigma tan(pi beta/2) - beta/(1-beta): the beta = 1 median constant")


def _num_drift():
    import cogpower as cp

    n = 1000
    m1 = cp.analytic.median_per_subtask(n, 1.0)
    near = {b: cp.analytic.median_per_subtask(n, b) for b in (1 - 1e-12, 1 + 1e-12, 0.9999999999999997)}
    est = cp.quantile_per_subtask(cp.IndependentSteps(alpha=0.99999, power=1.0), n, tasks=20_000, rng=4)
    pred = cp.analytic.median_per_subtask(n, 0.99999)
    ok = all(abs(v - m1) < 1e-9 for v in near.values()) and est.covers(pred)
    return Check(ok, {"beta=1": m1, **{repr(k): v for k, v in near.items()}, "beta=0.99999": pred, "MC": est.value},
                 f"n = 1000; MC (beta = 0.99999, 20k tasks) CI [{est.lower:.4f}, {est.upper:.4f}] (z=5)")


CLAIMS: list[Claim] = [
    Claim("cogpower.min_of_k_pareto", SRC + " (model)",
          "The fastest of k iid approaches with P(T > t) = t^-alpha has P(min > t) = t^-(k alpha) (real k too).",
          None, _sym_min, _num_min, "holds"),
    Claim("cogpower.threshold", SRC + " (stated result: critical threshold Q*)",
          "The per-subtask time has finite mean iff k(Q) alpha > 1; for k = Q, Q* = 1/alpha (survival) or 1/(a-1) (density).",
          "Q* exists and depends on the power-law exponent", _sym_threshold, _num_threshold, "holds"),
    Claim("cogpower.mean", SRC + " (above Q*: expected linear time)",
          "E[time per subtask] = k alpha/(k alpha - 1) for k alpha > 1, infinite otherwise.",
          None, _sym_mean, _num_mean, "holds"),
    Claim("cogpower.stable_scale", GCLT,
          "For P(X > x) = x^-beta, beta in (0,2)\\{1}, the stable limit has scale sigma^beta = Gamma(1-beta) cos(pi beta/2).",
          "sigma^beta = Gamma(1-beta) cos(pi beta/2)", _sym_scale, _num_scale, "holds"),
    Claim("cogpower.critical_location", GCLT + " (beta = 1)",
          "S_n/n - ln n -> S_1(pi/2, 1, 1 - gamma_Euler) (S1); median(S_n/n) = ln n + (pi/2) z_med + 1 - gamma + ln(pi/2) + o(1).",
          "location 1 - gamma_Euler", _sym_critical_loc, _num_critical, "holds",
          note="The lead's scaling note 's Z + mu ~ S_1(s, b, mu + (2/pi) b s ln s)' has the sign of the "
               "ln term wrong: s Z ~ S_1(s, 1, -(2/pi) s ln s), so S_1(pi/2,1,c) = (pi/2)Z + c + ln(pi/2). "
               "With the note's sign the median constant would be 2 ln(pi/2) = 0.903 too small (exact and MC disagree with it)."),
    Claim("cogpower.median_half", SRC + " (alpha = 1, Q = 0.5, beta = 1/2)",
          "median(S_n/n) = m n + pi/2 - 1 + O(1/n) with m = (pi/2)/(2 erfcinv(1/2)^2) = 3.45278.",
          "median(S_n/n) close to 3.4528 n - 1", _sym_half, _num_half, "source wrong",
          note="Slope 3.4528 holds; the constant is pi/2 - 1 = +0.5708, not -1: the drift -beta/(1-beta) = -1 "
               "is joined at beta = 1/2 by the -z^2/2 term of log(1+z), which is also a drift (+pi/2). "
               "Checked by exact Gil-Pelaez inversion (n = 10: 35.0961, n = 1000: 3453.35285 vs 3453.35287) and by "
               "simulation at n = 10 (10^6 tasks: the z=5 order-statistic CI excludes 33.53 = m n - 1)."),
    Claim("cogpower.median_supercritical", GCLT + " (1 < beta < 2)",
          "(S_n - n beta/(beta-1))/n^(1/beta) -> S_beta(sigma, 1, 0): median(S_n/n) = mu + sigma z_med n^(1/beta-1) + O(n^(-1/beta)).",
          None, _sym_mid, _num_mid, "holds"),
    Claim("cogpower.median_continuous_at_one", GCLT + " (beta -> 1)",
          "In the S0 form median(S_n/n) = n^e sigma m0 + n^e c(beta) + (beta/(1-beta)) expm1(e ln n), e = 1/beta - 1, "
          "is continuous through beta = 1 with c(1) = 1 - gamma_Euler + ln(pi/2).",
          None, _sym_drift, _num_drift, "open",
          note="Before the fix the S1 form gave -105,233 at beta = 0.99999 and -3.1e27 at 0.9999999999999997 (n = 1000)."),
]
