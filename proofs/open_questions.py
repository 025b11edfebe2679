"""Ledger rows for questions the sources leave open, answered by computation (verdict "open": the
statement is the question, ``stated`` the computed answer, ``note`` what it depends on).

- Detectability of KL-pathological policies (Erik Jenner's question on Kwa, Thomas &
  Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503): :mod:`goodhart.detectability`.
- Best-of-N with a dependent error (the example of Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503,
  section 5.2 footnote, whose conditional limit the ledger shows to be 1): is the utility monotone
  in N, what is its limit, and how does the independent model with the same marginals behave
  (:func:`goodhart.best_of_n` with a :class:`goodhart.Dependent` model).
- How AUP agents (Turner, Hadfield-Menell & Tadepalli, "Conservative Agency via Attainable Utility
  Preservation", AIES 2020) and power-averse rewards meet the power-seeking theorems (Turner et al.,
  "Optimal Policies Tend to Seek Power", NeurIPS 2021): :mod:`powerseek.aup`.
"""

from __future__ import annotations

import functools

import numpy as np

from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra
from proofs.ledger import Check, Claim

KTG = "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, Theorems 1 and 3 (Jenner's question in the discussion)"
BON_DEP = ("Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, section 5.2 footnote (dependent error: V ~ N(0,1), "
           "X | V ~ N(0,4) if |V| <= 1 else X = 0) and appendix bon_synthetic (best-of-N)")
AUP = "Turner, Hadfield-Menell & Tadepalli, AIES 2020 (AUP); Turner et al., NeurIPS 2021, section 6.3"


# ----------------------------------------------------------------------------- detectability
def _sym_detect():
    """Pareto-type tail p = C t^-alpha, outlier mass m = A/t (gain g = (m - p) D with D ~ t alpha /
    (alpha - 1), so A = g (alpha - 1)/alpha): KL / (m (alpha - 1) log t) -> 1, hence
    rollouts = log(1/delta)/m ~ (alpha - 1) log(1/KL) log(1/delta)/KL."""
    t, A, C, a = sp.symbols("t A C alpha", positive=True)
    m, p = A / t, C * t ** (-a)
    kl = m * sp.log(m / p) + (1 - m) * sp.log((1 - m) / (1 - p))
    lim = sp.limit((kl / (m * (a - 1) * sp.log(t))).subs(a, sp.Rational(3)), t, sp.oo)
    return Check(lim == 1, str(lim), "lim KL / (m (alpha - 1) log t) at alpha = 3 (t -> oo)")


def _num_detect():
    from scipy import stats

    import goodhart as gh

    ratios = {}
    for kl in (1e-6, 1e-12, 1e-30):
        r = gh.detectability(stats.t(3), kl, 1.0)
        ratios[kl] = r.rollouts / gh.detection_asymptote(kl, 3.0)
    r4 = gh.detectability(stats.t(3), 1e-30, 4.0).rollouts / gh.detection_asymptote(1e-30, 3.0)
    vals = list(ratios.values())
    ok = all(x > y > 1 for x, y in zip(vals, vals[1:])) and vals[-1] < 1.08 and abs(r4 / vals[-1] - 1) < 0.05
    return Check(ok, {**{f"KL={k:g}": v for k, v in ratios.items()}, "KL=1e-30, gain 4": r4},
                 "rollouts / asymptote for Q = t(3), gain 1: falls to 1 from above; gain 4 changes it by < 5%")


def _num_light():
    from scipy import stats

    import goodhart as gh

    try:
        gh.detectability(stats.norm(), 0.7, 1.0)
        return Check(False, None, "a normal Q admitted a gain-1 policy at KL 0.7")
    except ValueError:
        r = gh.detectability(stats.norm(), 0.8, 1.0)
        return Check(r.rollouts <= 5, {"KL=0.8 rollouts": r.rollouts},
                     "normal Q: no gain-1 threshold policy below KL ~0.754; at KL 0.8 a few rollouts reveal it")


# ----------------------------------------------------------------------------- best-of-N, dependent error
@functools.lru_cache(maxsize=1)
def _bon_models():
    """The tables of the dependent example and of the independent model with its marginals (built
    once: the checks share their cached values)."""
    from scipy import stats

    import goodhart as gh
    from goodhart._figures_bon_dependent import independent_table, paper_model

    return gh.best_of_n_table(paper_model()), independent_table(), stats


def _sym_bon_dep_limit():
    """For large u the wide branch |V| <= 1 carries the density of U (the point mass gives
    phi(u), the branch phi_sqrt5(u) P(N(u/5, 4/5) in [-1, 1]) ~ e^{-u^2/10 - (u - 5)^2/40}: their
    log ratio -> -oo), and V | U = u, on it, has density ∝ e^{-5v^2/8 + uv/4} on [-1, 1], whose
    slope at v = 1 is lam = (u - 5)/4: for the tilt e^{lam v} on [-1, 1], lam E[1 - V] -> 1, so
    E[V | U = u] -> 1 like 1 - 4/(u - 5)."""
    u, v, lam = sp.symbols("u v lam", positive=True)
    log_ratio = -u**2 / 2 - (-u**2 / 10 - (u - 5)**2 / 40)
    r1 = sp.limit(log_ratio, u, sp.oo)
    # E[1 - V] under e^{lam v} on [-1, 1] is 1/lam + 1 - coth(lam): check it, then its limit
    e1 = 1 / lam + 1 - sp.coth(lam)
    z = sp.integrate(sp.exp(lam * v), (v, -1, 1))
    same = sp.simplify((sp.integrate((1 - v) * sp.exp(lam * v), (v, -1, 1)) - e1 * z).rewrite(sp.exp)) == 0
    r2 = sp.limit(lam * e1, lam, sp.oo) if same else None
    return Check(r1 == -sp.oo and r2 == 1, {"log density ratio point mass / branch": str(r1), "lam E[1 - V]": str(r2)},
                 "u -> oo: the point-mass branch vanishes; E[1 - V | U = u] ~ 1/lam = 4/(u - 5)")


def _num_bon_dep_monotone():
    dtab, itab, _ = _bon_models()
    ext = dtab.extrema(n_max=1e15, points=25)
    kinds = [(e["kind"], round(e["n"], 2), round(e["utility"], 4)) for e in ext[:-1]]
    r = dtab.curve([1, 6, 84, 1e6, 1e12, 1e15])
    ok = (len(kinds) == 2 and kinds[0][0] == "max" and abs(ext[0]["n"] - 6.211) < 0.01
          and kinds[1][0] == "min" and abs(ext[1]["n"] - 84.06) < 0.1 and ext[-1]["grid_signs_certain"]
          and float(np.max(r.utility_stderr)) < 1e-9)
    return Check(ok, {"extrema (kind, n, E)": kinds, "E at n = 1, 6, 84, 1e6, 1e12, 1e15": np.round(r.utility, 4).tolist(),
                      "largest error bound": float(np.max(r.utility_stderr))},
                 "roots of dE/dn on the continuous extension in n over [1.05, 1e15] (25-point log grid, Brent)")


def _num_bon_dep_independent():
    dtab, itab, _ = _bon_models()
    ext = itab.extrema(n_max=1e15, points=25)
    g, ge = ext[-1]["dE_dn"], ext[-1]["dE_dn_err"]
    r = itab.curve([2, 100, 1e6, 1e15])
    ok = len(ext) == 1 and bool(np.all(g > ge)) and bool(np.all(np.diff(r.utility) > 0))
    return Check(ok, {"min dE/dn / bound on the grid": float(np.min(g / ge)),
                      "E at n = 2, 100, 1e6, 1e15": np.round(r.utility, 4).tolist()},
                 "independent V ~ N(0,1), X ~ N(0,4) w.p. 0.683 else 0 (closed forms): dE/dn > its bound at 25 n")


def _num_bon_dep_limit():
    dtab, _, _ = _bon_models()
    us = np.array([40.0, 80.0, 160.0])
    m = dtab._law.evaluate(us)["mean"]
    r = dtab.curve([1e3, 1e6, 1e9, 1e12, 1e15])
    ok = (bool(np.all(np.diff(r.utility) > 0)) and bool(np.all(r.utility < 1))
          and bool(np.all(np.abs((1 - m) * (us - 5) / 4 - 1) < 0.04)))
    return Check(ok, {"E at n = 1e3 .. 1e15": np.round(r.utility, 4).tolist(),
                      "(1 - E[V | U = u]) (u - 5)/4 at u = 40, 80, 160": np.round((1 - m) * (us - 5) / 4, 4).tolist()},
                 "E rises towards 1 past the minimum; E[V | U = u] = 1 - 4/(u - 5) + O(u^-3)")


# ----------------------------------------------------------------------------- AUP and power-averse
def _sym_aup_threshold():
    """Two states, A (stay or go to absorbing B), reward 1{B}, aux reward 1{B}: the penalty of
    going is lam gamma, going is worth gamma/(1 - gamma) - lam gamma, staying 0, so the AUP agent
    goes iff lam < 1/(1 - gamma)."""
    g, lam = sp.symbols("gamma lam", positive=True)
    v1b = 1 / (1 - g)
    v1a = g * v1b  # optimal for the aux reward: go at once
    pen = lam * sp.Abs(g * v1b - g * v1a)
    go = g * v1b - pen
    thr = sp.solve(sp.Eq(sp.simplify(go), 0), lam)
    ok = len(thr) == 1 and sp.simplify(thr[0] - 1 / (1 - g)) == 0
    return Check(ok, str(thr), "lam* = 1/(1 - gamma)")


def _num_aup_shutdown():
    import powerseek as ps

    f = ps.aup_action_frequencies(ps.examples.pacman_shutdown(), "0,0", [0.0, 1.0, 10.0], 0.9, samples=2000, rng=3,
                                  noop="self", power_samples=4000)
    off = f["off"]
    ok = off[0] > 0.1 and off[0] > off[1] > off[2] and off[2] < 0.01 and f["0,0"][2] > 0.5
    return Check(ok, {"P(off) at lam 0, 1, 10": off.tolist(), "P(no-op) at lam 10": float(f["0,0"][2])},
                 "2000 reward samples, gamma = 0.9, 5 aux rewards")


def _num_power_averse():
    import powerseek as ps
    from powerseek._figures_aup import fig1_with_noop

    f = ps.power_averse_frequencies(fig1_with_noop(), "star", [0.0, 5.0], 0.9, samples=2000, rng=4, power_samples=20_000)
    seek0 = float(f["l"][0] + f["r"][0] + f["star"][0])
    seek5 = float(f["l"][1] + f["r"][1] + f["star"][1])
    ok = seek0 > 0.8 and seek5 < 0.03 and f["empty"][1] > 0.97
    return Check(ok, {"P(higher-POWER option) at lam 0": seek0, "at lam 5": seek5},
                 "Fig. 1 with a no-op, gamma = 0.9, iid U(0,1), POWER from 20k samples")


CLAIMS: list[Claim] = [
    Claim("open_questions.bon_dependent_monotone", BON_DEP,
          "Question: is best-of-N utility E[V_sel] monotone in N for the dependent-error example?",
          "no: it rises from E[V] = 0 to a local maximum 0.6141 at N = 6.21 (best integer 6), falls to a local "
          "minimum 0.3344 at N = 84.06, then rises slowly towards 1 (0.5513 at 1e6, 0.6797 at 1e12, 0.7149 at 1e15)",
          None, _num_bon_dep_monotone, "open",
          note="Exact quadrature of E[V | U = u] n F_U(u)^(n-1) f_U(u) (error bounds < 1e-11; Monte Carlo agrees within "
               "4 standard errors). Cause: for u in about 1..3 most density of U comes from the point-mass branch "
               "(|V| > 1, V = U), so E[V | U = u] peaks near 0.9 at u ~ 1.8, then drops to ~0.3 at u ~ 4 where the "
               "wide branch takes over (V | U = u is N(u/5, 4/5) cut to [-1, 1]) and only then climbs to 1. "
               "Depends on the threshold 1 and the error variance 4 of the example (figure goodhart_bon_dependent)."),
    Claim("open_questions.bon_dependent_independent_marginals", BON_DEP,
          "Question: is best-of-N utility monotone in N for the independent model with the same marginals "
          "(V ~ N(0,1), X ~ N(0,4) with probability P(|V| <= 1) = 0.683, else 0, independent of V)?",
          "yes: dE/dn is positive (above its error bound) at every point of a 25-point log grid of N in [1.05, 1e15]; "
          "E grows without bound (0.316 at N = 2, 1.06 at 100, 2.14 at 1e6, 3.56 at 1e15), like E[V | U = u] = u/5 "
          "on the wide branch",
          None, _num_bon_dep_independent, "open",
          note="The dependence, not the marginals, makes the utility fall between N = 6 and 84 and caps it at 1; "
               "monotonicity is checked on the grid (the sign of dE/dn between grid points is not proven)."),
    Claim("open_questions.bon_dependent_limit", BON_DEP,
          "Question: what does best-of-N utility tend to as N -> infinity for the dependent example (the conditional "
          "mean E[V | U >= t] tends to 1, not to the 0 the source suggested)?",
          "1, slowly: 1 - E[V_sel] ~ 4/(u_N - 5) with the selected proxy u_N ~ 2 sqrt(2 log N) (E = 0.7149 at N = 1e15)",
          _sym_bon_dep_limit, _num_bon_dep_limit, "open",
          note="Large proxy values come from the branch |V| <= 1 with V pushed to its edge 1; the point mass X = 0 for "
               "|V| > 1 contributes density phi(u), negligible there."),
    Claim("open_questions.detectability_rollouts", KTG,
          "Question: how many rollouts does an observer need to see one outlier of a threshold policy with KL "
          "budget KL and gain g, with probability 1 - delta, and how does that grow as KL -> 0?",
          "ceil(log delta / log(1 - m)); for Pareto-type tails (index alpha) ~ (alpha - 1) log(1/KL) log(1/delta)/KL, "
          "independent of the gain to leading order",
          _sym_detect, _num_detect, "open",
          note="Threshold policies P = (1-m) Q(.|X<=t) + m Q(.|X>t) spending exactly the budget (the largest root t); "
               "policies further out reach the same gain with less KL and are harder still to catch. The ratio to "
               "the asymptote falls slowly (1.17 at KL 1e-6, 1.11 at 1e-12, 1.06 at 1e-30 for t(3), gain 1)."),
    Claim("open_questions.detectability_light_tail", KTG,
          "Question: does a light-tailed reward error admit undetectable policies with a given gain at small KL?",
          "no: for N(0,1) error a gain-1 threshold policy needs KL >= ~0.754 and is seen within a few rollouts",
          None, _num_light, "open", note="goodhart.detectability refuses budgets below the floor, naming kl."),
    Claim("open_questions.aup_avoids_shutdown", AUP,
          "Question: how do AUP agents get around the power-seeking theorems? Do they still avoid shutdown?",
          "They are not optimal for the drawn reward, so the theorems do not bind; as lam grows they take the no-op "
          "and avoid every change in attainable utility: on the Pac-Man grid P(off) falls from 0.14 (lam = 0) "
          "to < 0.01 (lam = 10): they avoid shutdown more, not less",
          _sym_aup_threshold, _num_aup_shutdown, "open",
          note="gamma = 0.9, rewards and 5 auxiliary rewards iid U(0,1), no-op = the self-loop; shutdown changes "
               "attainable utility the most, so AUP penalises it the most (figure powerseek_aup)."),
    Claim("open_questions.power_averse", AUP,
          "Question: for which lam does the optimal policy of R - lam POWER(s) still seek power (Fig. 1, iid rewards)?",
          "up to lam ~ 1 (the reward scale) the higher-POWER options keep most of their probability; by lam = 5 "
          "the lowest-POWER option is taken for > 97% of rewards",
          None, _num_power_averse, "open",
          note="gamma = 0.9, Fig. 1 with a no-op; on the Pac-Man grid the same agent shuts itself off for every "
               "reward once lam >= 3 (figure powerseek_power_averse)."),
]
