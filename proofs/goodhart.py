"""Regressional Goodhart (selection half): derivations and claims.

Sources: Kwa & Thomas, "When is Goodhart catastrophic?" and "Catastrophic Regressional Goodhart:
Appendix" (2023); Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503 (2024; appendix figure
bon_synthetic, §5.2 footnote); Gao, Schulman & Hilton, arXiv 2210.10760.  U = V + X.

The definitions and theorems these derivations check are stated, with their sources, on the
documentation's theory page "Catastrophic regressional Goodhart" (docs/theory/goodhart.md); the
claims are tabled on its ledger page (docs/, ``make docs``).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra

from proofs.ledger import Check, Claim

v, x, u, t, z = sp.symbols("v x u t z", real=True)
sV, sX, lam, N = sp.symbols("s_V s_X lambda N", positive=True)

SRC_APP = "Kwa & Thomas 2023, 'Catastrophic Regressional Goodhart: Appendix'"
SRC_BON = "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, appendix figure bon_synthetic"


def _phi(y, s=1):
    return sp.exp(-y**2 / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi))


# ----------------------------------------------------------------------------- derivations
@lru_cache(maxsize=None)
def regressional_identity():
    """E[V | U = u] for centred normals: the weight φ_V(v) φ_X(u - v) is exp of a quadratic in v with
    negative leading coefficient, i.e. a Gaussian in v, whose mean is its mode: solve d/dv log w = 0."""
    logw = -v**2 / (2 * sV**2) - (u - v) ** 2 / (2 * sX**2)
    assert sp.simplify(sp.diff(logw, v, 2)) .is_negative
    (mode,) = sp.solve(sp.diff(logw, v), v)
    return sp.simplify(mode)


def normal_tail_mean():
    """E[U | U >= t] for U ~ N(0, s^2): s φ(t/s)/Φ̄(t/s) (with s = s_U), the inverse Mills ratio
    behind the normal-normal case of Kwa & Thomas 2023 (regressional Goodhart, U = V + X).

    Returns
    -------
    (Symbol, Expr)
        The scale symbol s_U and E[U | U >= t] in t and s_U (SymPy writes Φ̄ with erfc).

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.goodhart import normal_tail_mean, t
    >>> sU, tail = normal_tail_mean()  # doctest: +SKIP
    >>> tail.subs({sU: 1, t: 0})  # E[U | U >= 0] = sqrt(2/pi) (0.7 s)  # doctest: +SKIP
    sqrt(2)/sqrt(pi)
    """
    sU = sp.Symbol("s_U", positive=True)
    num = sp.integrate(u * _phi(u, sU), (u, t, sp.oo))
    den = sp.integrate(_phi(u, sU), (u, t, sp.oo))
    return sU, sp.simplify(num / den)


def normal_normal_closed_form():
    """E[V | U >= t] = E[E[V | U] | U >= t] = (s_V^2/s_U^2) E[U | U >= t]
    = s_V^2/s_U * φ(t/s_U)/Φ̄(t/s_U), s_U^2 = s_V^2 + s_X^2: with normal V and X the value
    regresses by the factor s_V^2/s_U^2 (Kwa & Thomas 2023; no catastrophic Goodhart).

    Returns
    -------
    Expr
        E[V | U >= t] in t, s_V and s_X.

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.goodhart import normal_normal_closed_form, sV, sX, t
    >>> e = normal_normal_closed_form()  # doctest: +SKIP
    >>> e.subs({sV: 1, sX: 1, t: 0})  # s_V^2/s_U sqrt(2/pi) with s_U = sqrt(2) (1 s)  # doctest: +SKIP
    1/sqrt(pi)
    """
    sU, tail = normal_tail_mean()
    slope = sp.simplify(regressional_identity() / u)
    return sp.simplify(slope * tail.subs(sU, sp.sqrt(sV**2 + sX**2)))


def exp_exp_closed_form():
    """V, X iid Exp(1): ∫_0^∞ v e^{-v} F̄_X(t - v) dv / ∫ e^{-v} F̄_X(t - v) dv, F̄_X(y) = min(1, e^{-y}).

    E[V | V + X >= t] = (t^2/2 + t + 1)/(t + 1) ~ t/2: with equally light tails the value keeps
    half the proxy's growth (Kwa & Thomas 2023).

    Returns
    -------
    (Symbol, Expr)
        The positive symbol t and E[V | U >= t].

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.goodhart import exp_exp_closed_form
    >>> tp, e = exp_exp_closed_form()  # (0.3 s)  # doctest: +SKIP
    >>> e  # doctest: +SKIP
    (t**2/2 + t + 1)/(t + 1)
    """
    tp = sp.Symbol("t", positive=True)
    num = sp.integrate(v * sp.exp(-v) * sp.exp(-(tp - v)), (v, 0, tp)) + sp.integrate(v * sp.exp(-v), (v, tp, sp.oo))
    den = sp.integrate(sp.exp(-v) * sp.exp(-(tp - v)), (v, 0, tp)) + sp.integrate(sp.exp(-v), (v, tp, sp.oo))
    return tp, sp.simplify(num / den)


def bon_kl():
    """KL(best-of-N || base) for continuous U: the max of N uniforms has density N y^{N-1} on [0, 1];
    with y = e^{-s}, s ~ Exp(N): KL = E[log N + (N-1) log y] = ∫_0^∞ N e^{-Ns} (log N - (N-1) s) ds
    = log N - (N - 1)/N (the best-of-N KL of Kwa, Thomas & Garriga-Alonso 2024, arXiv
    2407.14503).

    Returns
    -------
    Expr
        KL in the positive symbol N.

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.goodhart import bon_kl
    >>> bon_kl()
    log(N) - 1 + 1/N
    """
    s_ = sp.Symbol("s", positive=True)
    return sp.simplify(sp.integrate(N * sp.exp(-N * s_) * (sp.log(N) - (N - 1) * s_), (s_, 0, sp.oo)))


def dependent_limit_symbolic():
    """Dependent example: for |V| <= 1 the weight is φ(v) Φ̄((t - v)/2) ~ exp(-v²/2 - (t - v)²/8)
    = exp(-(5/8)(v - t/5)^2 + const): a N(t/5, 4/5) truncated to [-1, 1]; the V >= t branch has
    log weight ~ -t²/2.  Returns (log-weight gap (t-1)²/8 - t²/2 -> -inf ... as limit of the
    difference of exponents, lim of the truncated-normal mean as t -> inf).

    Returns
    -------
    (Expr, Expr)
        The limit of the exponent gap t²/2 - (t - 1)²/8 (+oo: the |V| <= 1 branch dominates) and
        the limit of E[V | U >= t] on that branch (1: the upper end of V's support).

    Raises
    ------
    Nothing: it takes no arguments (it needs SymPy, the ``symbolic`` extra).

    Examples
    --------
    >>> from proofs.goodhart import dependent_limit_symbolic
    >>> dependent_limit_symbolic()  # (3 s)  # doctest: +SKIP
    (oo, 1)
    """
    tp = sp.Symbol("t", positive=True)
    gap = sp.limit(-(tp - 1) ** 2 / 8 + tp**2 / 2, tp, sp.oo)   # +oo: the |V| <= 1 branch dominates
    dens = sp.exp(-sp.Rational(5, 8) * v**2 + tp * v / 4)
    mean = sp.integrate(v * dens, (v, -1, 1)) / sp.integrate(dens, (v, -1, 1))
    lim = sp.limit(sp.simplify(mean), tp, sp.oo)
    return gap, lim


# tail-class derivations: survival functions (or densities, via L'Hôpital) at representative
# parameters; e^{λx} F̄(x) -> oo for every λ > 0 defines heavy; F̄(t+1)/F̄(t) -> 0 is Theorem 6's.
_xp = sp.Symbol("x", positive=True)
_TAILS = {
    # name: right-tail density up to a constant, at representative parameters.  By L'Hôpital,
    # lim -log F̄(x)/x = lim -log f(x)/x and lim F̄(x+1)/F̄(x) = lim f(x+1)/f(x) when the latter exist.
    "normal": sp.exp(-_xp**2 / 2),
    "student_t": (1 + _xp**2 / 3) ** -2,
    "lognormal": sp.exp(-sp.log(_xp) ** 2 / 2) / _xp,
    "lomax": (1 + _xp) ** -4,
    "pareto": _xp ** -4,
    "exponential": sp.exp(-_xp),
    "laplace": sp.exp(-_xp) / 2,
    "levy": _xp ** sp.Rational(-3, 2) * sp.exp(-1 / (2 * _xp)),
    "cauchy": 1 / (1 + _xp**2),
    "weibull_heavy": sp.exp(-sp.sqrt(_xp)) / sp.sqrt(_xp),
    "weibull_light": _xp * sp.exp(-_xp**2),
    "gumbel": sp.exp(-_xp - sp.exp(-_xp)),
}


def tail_class(name: str) -> tuple[bool, bool | None]:
    """(heavy, thm6) from SymPy limits.

    e^{λx} F̄(x) = exp(x (λ - r(x))) with r(x) = -log F̄(x)/x, so X is heavy (the limit is infinite
    for every λ > 0) exactly when r(x) -> 0, and light when r(x) -> r > 0 (take λ < r).
    Theorem 6's condition is F̄(t+1)/F̄(t) -> 0.

    Parameters
    ----------
    name : str
        ``"uniform"`` or one of normal, student_t, lognormal, lomax, pareto, exponential,
        laplace, levy, cauchy, weibull_heavy, weibull_light, gumbel.

    Returns
    -------
    (bool, bool or None)
        Whether the law is heavy-tailed, and whether Theorem 6's condition holds (None for the
        bounded uniform law, where the ratio is 0/0).

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not one of the tail classes.

    Examples
    --------
    >>> from proofs.goodhart import tail_class
    >>> tail_class("student_t")[0]   # heavy-tailed
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected the name of a tail class (str), got {type(name).__name__}")
    if name != "uniform" and name not in _TAILS:
        raise ValueError(f"name: unknown tail class {name!r}; known: uniform, {', '.join(_TAILS)}")
    if name == "uniform":
        return False, None            # bounded support: e^{λx} F̄ = 0 eventually; ratio 0/0
    f = _TAILS[name]
    rate = sp.limit(-sp.log(f) / _xp, _xp, sp.oo)
    ratio = sp.limit(sp.simplify(f.subs(_xp, _xp + 1) / f), _xp, sp.oo)
    return bool(rate == 0), bool(ratio == 0)


# ----------------------------------------------------------------------------- checks
def _close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def _sym_normal_normal():
    e = normal_normal_closed_form()
    sU = sp.sqrt(sV**2 + sX**2)
    target = sV**2 / sU * _phi(t / sU) / (sp.erfc(t / (sU * sp.sqrt(2))) / 2)
    ok = sp.simplify(e - target) == 0 or all(
        abs(float((e - target).subs({sV: a, sX: b, t: c}))) < 1e-12 for a, b, c in ((1, 2, 0.3), (2, 1, 1.7), (0.5, 0.7, -1)))
    return Check(ok, str(e))


def _num_normal_normal():
    import goodhart as gh
    from scipy import stats

    bad = []
    for tt in (0.0, 5.0, 20.0, 60.0, 130.0):
        r = gh.conditional_mean(stats.norm(), stats.norm(0, 2), tt)
        sU = math.sqrt(5.0)
        exact = 1 / sU * math.exp(stats.norm.logpdf(tt / sU) - stats.norm.logsf(tt / sU))
        if not (_close(r.value, exact, 1e-9) and abs(r.value - exact) <= max(5 * r.stderr, 1e-12 * exact)):
            bad.append((tt, r.value, exact))
    return Check(not bad, "quad = closed form at t = 0, 5, 20, 60, 130 (s_V=1, s_X=2)", f"mismatches: {bad}")


def _sym_exp_exp():
    tp, e = exp_exp_closed_form()
    return Check(sp.simplify(e - (tp**2 + 2 * tp + 2) / (2 * (tp + 1))) == 0, str(e))


def _num_exp_exp():
    import goodhart as gh
    from scipy import stats

    bad = []
    for tt in (0.5, 5.0, 50.0, 500.0):
        r = gh.conditional_mean(stats.expon(), stats.expon(), tt)
        exact = (tt**2 + 2 * tt + 2) / (2 * (tt + 1))
        if not _close(r.value, exact, 1e-9):
            bad.append((tt, r.value, exact))
    return Check(not bad, "quad = (t^2+2t+2)/(2(t+1)) at t = 0.5, 5, 50, 500", f"mismatches: {bad}")


def _sym_regressional():
    e = regressional_identity()
    return Check(sp.simplify(e - u * sV**2 / (sV**2 + sX**2)) == 0, str(e))


def _num_regressional():
    import goodhart as gh
    from scipy import stats

    r = gh.best_of_n(stats.norm(0, 2), stats.norm(), [4, 100, 10**6], resolution=0.5)
    ratio = r.utility / r.proxy
    ok = bool(np.all(np.abs(ratio - 0.8) < 1e-4))
    return Check(ok, ratio.tolist(), "E[V_sel]/E[U_sel] = s_V^2/s_U^2 = 0.8 for best-of-n, n = 4, 100, 1e6")


def _sym_bon_kl():
    e = bon_kl()
    return Check(sp.simplify(e - (sp.log(N) - (N - 1) / N)) == 0, str(e))


def _num_bon_kl():
    import goodhart as gh
    from scipy import integrate

    bad = []
    for n in (2, 4, 16, 65536, 10**9):
        # density N y^{N-1} of the max of N uniforms, integrated in y = 1 - e^{-w}/N ... via y = e^{-s}
        f = lambda s_: n * math.exp(-n * s_) * (math.log(n) + (n - 1) * (-s_))
        q = integrate.quad(f, 0, 60.0 / n, limit=200, epsabs=0, epsrel=1e-12)[0]
        if not _close(q, gh.bon_kl(n), 1e-9):
            bad.append((n, q, gh.bon_kl(n)))
    return Check(not bad, "quadrature of the density of the max of n uniforms (in s = -log y) = log n - (n-1)/n",
                 f"n = 2, 4, 16, 65536, 1e9; mismatches {bad}")


def _sym_thm5():
    tp = sp.Symbol("t", positive=True)
    # hypothesis t^p F̄_V/F̄_X -> 0 for V normal, X t3 (p = 2), via L'Hôpital on densities
    r1 = sp.limit(tp**2 * sp.exp(-tp**2 / 2) / (1 + tp**2 / 3) ** -2, tp, sp.oo)
    r2 = sp.limit(tp**2 * sp.exp(-tp) / (1 + tp) ** -3, tp, sp.oo)   # V Exp(1), X Lomax(3)
    return Check(r1 == 0 and r2 == 0, (str(r1), str(r2)), "normal vs t3; Exp(1) vs Lomax(3)")


def _num_thm5():
    import goodhart as gh
    from scipy import stats

    out, bad = {}, []
    for label, V, X in (("normal/t3", stats.norm(), stats.t(3)), ("exp/lomax3", stats.expon(), stats.lomax(3)),
                        ("normal/levy", stats.norm(), stats.levy())):
        r = gh.conditional_mean(V, X, [1e2, 1e3, 1e4])
        d = np.abs(r.value - V.mean())
        out[label] = d.tolist()
        if not (d[0] > d[1] > d[2] and d[2] < 0.01):
            bad.append(label)
    return Check(not bad, out, "|E[V|U>=t] - E[V]| at t = 1e2, 1e3, 1e4 decreases to < 0.01")


def _sym_thm6():
    tp = sp.Symbol("t", positive=True)
    # L'Hôpital: F̄(t+1)/F̄(t) has the limit of f(t+1)/f(t) when the latter exists
    r1 = sp.limit(sp.exp(-(tp + 1) ** 2 / 2) / sp.exp(-tp**2 / 2), tp, sp.oo)
    r2 = sp.limit(sp.exp(-(tp + 1) ** 2) / sp.exp(-tp**2), tp, sp.oo)
    return Check(r1 == 0 and r2 == 0, (str(r1), str(r2)), "F̄(t+1)/F̄(t) for normal and Weibull(2)")


def _num_thm6():
    import goodhart as gh
    from scipy import stats

    out, bad = {}, []
    for label, V, X in (("normal/normal", stats.norm(), stats.norm()),
                        ("t3/weibull2", stats.t(3), stats.weibull_min(2.0))):
        r = gh.conditional_mean(V, X, [1e1, 1e2, 1e3])
        out[label] = r.value.tolist()
        if not (r.value[0] < r.value[1] < r.value[2] and r.value[2] > 100):
            bad.append(label)
    return Check(not bad, out, "E[V|U>=t] at t = 10, 100, 1000 increases past 100")


def _sym_tails():
    from goodhart.model import FAMILIES

    bad = []
    for name, fam in FAMILIES.items():
        heavy, thm6 = tail_class(name)
        if heavy != fam.heavy or thm6 != fam.thm6:
            bad.append((name, heavy, thm6))
    return Check(not bad, f"{len(FAMILIES)} families", f"registry disagrees with SymPy for {bad}")


def _num_tails():
    """log(e^{λx} F̄(x)) at x = 1e3 for λ = 0.01 from scipy's logsf: > 0 for heavy families."""
    from goodhart.model import FAMILIES

    bad = []
    for name, fam in FAMILIES.items():
        d = fam.make()
        val = 0.01 * 1e6 + float(d.logsf(1e6))
        if (val > 0) != fam.heavy:
            bad.append((name, val))
    return Check(not bad, "e^{0.01 x} F̄(x) at x = 1e6 > 1 exactly for the heavy families", f"{bad}")


def _sym_dependent():
    gap, lim = dependent_limit_symbolic()
    return Check(gap == sp.oo and lim == 1, (str(gap), str(lim)),
                 "|V|<=1 branch dominates (exponent gap -> oo); tilted N(t/5, 4/5) on [-1,1] has mean -> 1")


def _num_dependent():
    import mpmath as mp

    import goodhart as gh
    from goodhart._figures_selection import dependent_example

    r = gh.conditional_mean(dependent_example(), t=[10.0, 100.0, 1000.0])
    mp.mp.dps = 30

    def exact(tt):  # independent check in multiprecision: both branches of the event
        pts = sorted({-1.0, 0.0, 1.0} | {1 - j * 4 / tt for j in range(60) if 1 - j * 4 / tt > -1})
        pts = [mp.mpf(p) for p in pts]  # breakpoints every 4/t below 1, the width of the peak
        tt = mp.mpf(tt)
        w = lambda vv: mp.npdf(vv) * mp.ncdf(-(tt - vv) / 2)
        num = mp.quad(lambda vv: vv * w(vv), pts) + mp.npdf(tt)            # ∫_t^∞ v φ = φ(t)
        den = mp.quad(w, pts) + mp.ncdf(-tt)
        return float(num / den)

    ex = [exact(tt) for tt in (10.0, 100.0, 1000.0)]
    ok = all(_close(a, b, 1e-8) for a, b in zip(r.value, ex)) and abs(r.value[-1] - 1) < 0.005
    return Check(ok, {"quad": r.value.tolist(), "mpmath": ex},
                 "E[V|U>=t] at t = 10, 100, 1000 (limit 1, about 1 - 4/t), quad vs 30-digit mpmath")


# best-of-N stated numbers -----------------------------------------------------------------
@lru_cache(maxsize=None)
def _bon_panel(i: int, j: int):
    from goodhart._figures_selection import bon_curves, bon_grid

    rows, cols = bon_grid()
    ns, r, peak = bon_curves(rows[i][1], cols[j][1], 1e9, 46, 1.0, 20.0)
    return ns, r, peak


def _num_bon_normal():
    res = {}
    for i in (0, 1):
        ns, r, _ = _bon_panel(i, 0)
        res[i] = bool(np.all(np.diff(r.utility) > 0))
    return Check(all(res.values()), res, "exact utility strictly increasing on n = 1 .. 1e9 (both rows)")


def _num_bon_peaks():
    peaks = {}
    for i in (0, 1):
        for j in (1, 2, 3):
            peaks[(i, j)] = _bon_panel(i, j)[2]
    inside = [k for k, p in peaks.items() if 10**1.5 <= p <= 10**3.5]
    t5t10 = peaks[(1, 3)]
    ok = len(inside) == 5 and (1, 3) not in inside and 10**4.5 <= t5t10 <= 10**5.5
    names = {(0, 1): "N/lognormal", (0, 2): "N/t3", (0, 3): "N/t5", (1, 1): "t10/lognormal", (1, 2): "t10/t3",
             (1, 3): "t10/t5"}
    return Check(ok, {names[k]: p for k, p in peaks.items()},
                 "peak N of the exact utility; 'around 1e2..1e3' read as [10^1.5, 10^3.5], '1e5' as [10^4.5, 10^5.5]")


def _num_bon_levy():
    import goodhart as gh

    from goodhart._figures_selection import bon_grid

    rows, cols = bon_grid()
    out, ok = {}, True
    for i in (0, 1):
        V, X = rows[i][1], cols[4][1]
        r = gh.best_of_n(V, X, [3, 4, 16, 64, 1024], resolution=0.25, tail=15.0)
        # sd of V_sel at N = 4 from 3000 Monte Carlo trials; the paper's bands use 100 trials
        mc = gh.best_of_n(V, X, 4, method="mc", trials=3000, rng=7)
        half = 1.96 * mc.utility_stderr * math.sqrt(3000) / 10
        agree = abs(mc.utility - r.utility[1]) <= 5 * math.hypot(mc.utility_stderr, r.utility_stderr[1])
        out[rows[i][0]] = {"exact utility N=3,4,16,64,1024": np.round(r.utility, 4).tolist(),
                           "bound": float(r.utility_stderr[1]), "mc N=4": round(mc.utility, 4),
                           "95% half-width at 100 trials": round(half, 4)}
        ok &= bool(agree and r.utility[1] - r.utility_stderr[1] > half and r.utility[-1] < 0.01)
    return Check(ok, out, "exact E[V_sel] at N = 4 exceeds the 95% half-width of a 100-trial mean; "
                 "quad agrees with 3000-trial MC within 5 SE; decays below 0.01 by N = 1024")


# ----------------------------------------------------------------------------- claims
CLAIMS = [
    Claim("goodhart.normal_normal_closed_form", "Gao, Schulman & Hilton, arXiv 2210.10760, regressional identity",
          "V ~ N(0, s_V^2), X ~ N(0, s_X^2): E[V | U >= t] = s_V^2/s_U phi(t/s_U)/Phi̅(t/s_U)",
          "s_V^2/s_U * phi(t/s_U)/Phi̅(t/s_U)", _sym_normal_normal, _num_normal_normal),
    Claim("goodhart.exp_exp_closed_form", SRC_APP + " (identity (1)); derived here",
          "V, X iid Exp(1): E[V | U >= t] = (t^2 + 2t + 2)/(2(t + 1)) -> inf (light error outside Thm 6)",
          None, _sym_exp_exp, _num_exp_exp, verdict="open",
          note="No stated value; a closed form derived here, used as an oracle."),
    Claim("goodhart.regressional_identity", "Gao, Schulman & Hilton 2210.10760",
          "E[V | U = u] = u s_V^2/(s_V^2 + s_X^2) for independent centred normals",
          "u s_V^2/(s_V^2 + s_X^2)", _sym_regressional, _num_regressional),
    Claim("goodhart.bon_kl", SRC_BON,
          "KL of best-of-N from the base policy = log N - (N - 1)/N", "log N - (N-1)/N",
          _sym_bon_kl, _num_bon_kl),
    Claim("goodhart.theorem5_examples", SRC_APP + ", Theorem 5",
          "heavy subexponential X, lighter V: E[V | U >= t] -> E[V] (normal/t3, Exp/Lomax(3), normal/Levy)",
          "E[V]", _sym_thm5, _num_thm5),
    Claim("goodhart.theorem6_examples", SRC_APP + ", Theorem 6",
          "F̄_X(t+1)/F̄_X(t) -> 0, V unbounded: E[V | U >= t] -> inf (normal/normal, t3/Weibull(2))",
          "inf", _sym_thm6, _num_thm6),
    Claim("goodhart.tail_classes", "Kwa & Thomas 2023 §2.2 definitions; goodhart.model.FAMILIES",
          "registry tail classes (heavy; F̄(t+1)/F̄(t) -> 0) agree with SymPy limits", None,
          _sym_tails, _num_tails, verdict="open", note="Registry self-consistency; no stated values."),
    Claim("goodhart.dependent_error_limit",
          "Kwa, Thomas & Garriga-Alonso 2024 §5.2 footnote / LW comment",
          "V ~ N(0,1), X | V ~ N(0,4) if |V| <= 1 else X = 0: lim_{t->inf} E[V | X + V >= t]",
          "0 ('I think')", _sym_dependent, _num_dependent, verdict="source wrong",
          note="Computed limit 1, not 0: for large t the event is carried by |V| <= 1 with X >= t - V "
               "(log prob ~ -(t-1)^2/8) rather than V >= t (~ -t^2/2); there the tilted law of V is "
               "N(t/5, 4/5) truncated to [-1, 1], whose mean -> 1 (about 1 - 4/t: 0.99598 at t = 1000). "
               "The qualitative point (V stays bounded: no catastrophe for V) stands."),
    Claim("goodhart.bon_normal_error_monotone", SRC_BON,
          "with normal error, utility of best-of-N rises monotonically in N (V normal and V t10)",
          "monotone", None, _num_bon_normal),
    Claim("goodhart.bon_peaks", SRC_BON,
          "in 5 of 6 lognormal/t panels utility peaks around N = 1e2..1e3; t5 error with t10 V peaks around 1e5",
          "1e2..1e3 (5 of 6); 1e5 (t10/t5)", None, _num_bon_peaks),
    Claim("goodhart.bon_levy", SRC_BON,
          "with Levy error, utility never goes significantly above 0", "never significantly > 0",
          None, _num_bon_levy, verdict="source wrong",
          note="Exact E[V_sel] = 0.49 at N = 3 and 0.43 at N = 4 (both rows; quad, bound 1e-10, checked "
               "against Monte Carlo), then 0.064 at N = 16 and < 0.005 at N = 64: at N = 4 it exceeds the "
               "95% half-width (about 0.40) of the paper's 100-trial mean, so an estimate there is "
               "significantly above 0 more often than not. Borderline; the qualitative point "
               "(utility -> 0 as N grows) holds."),
]
