"""Power-seeking: SymPy derivations and ledger rows (Turner et al. 2021; Turner's 2019 explainer).

Rewards iid U(0, 1) on states unless said otherwise; rewards collected from t = 0;
POWER(s, g) = (1 - g)/g E[V*(s, g) - R(s)].

Derivations (functions returning SymPy expressions; defined in ``proofs._powerseek_forms`` and
re-exported here, where their ledger rows are):

- :func:`expected_max_uniform` -- E[max of n iid U(0, 1)] = int_0^1 x d(x^n) = n/(n + 1).
- :func:`fig1_vstar`, :func:`fig1_power` -- Figure 1's E[V*] and POWER per state as rational
  functions of gamma. Each state's candidate policy values are built from visit distributions
  (:func:`visit_distributions`), the optimal one on each region of reward space is proved by
  factoring the difference of values, and the expectation is integrated over that region.
- :func:`fig1_star_limits` -- POWER(star, 1) and P(star -> empty, gamma = 1) by integrating the
  CDF of max(a, (a + b)/2) (the best l-side cycle).
- :func:`negative_skew_up_probability` -- the exact P(up optimal) of the negative-skew example.
- :func:`visit_distributions`, :func:`non_dominated` -- f^{pi,s}(gamma) for every deterministic
  policy of a small deterministic MDP, and the non-dominated ones (an LP, see there).

The Fig. 1, detour and wait rows check the closed forms derived by ``powerseek.symbolic_power``
(:mod:`proofs.powerseek_symbolic`); the hand derivations above cross-check them.

The definitions and theorems these derivations check are stated, with their sources, on the
documentation's theory page "Power-seeking in MDPs" (docs/theory/powerseek.md); the claims are
tabled on its ledger page (docs/, ``make docs``).
"""

from __future__ import annotations

import math

import numpy as np
from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra

from proofs._powerseek_forms import (  # noqa: F401 (g, n, the caps: re-exported)
    MAX_LPS, MAX_VISIT_WORK, expected_max_uniform, fig1_power, fig1_star_limits, fig1_vstar, g, n,
    negative_skew_up_probability, non_dominated, visit_distributions)
from proofs.ledger import Check, Claim
from proofs.powerseek_symbolic import detour_derived, fig1_power_derived, limits as sp_limits, wait_derived

__all__ = ["expected_max_uniform", "visit_distributions", "non_dominated", "fig1_vstar", "fig1_power",
           "fig1_star_limits", "negative_skew_up_probability"]

Z = 5.0  # z-score for Monte Carlo agreement


def _close(est, target, extra=0.0) -> bool:
    return abs(est.value - float(target)) <= Z * est.stderr + extra + 1e-12


# ------------------------------------------------------------------------- checks
def _ps():
    import powerseek as ps

    return ps


def _check_expected_max():
    ok = expected_max_uniform() == n / (n + 1)
    vals = [expected_max_uniform(k) for k in range(1, 7)]
    return Check(ok and vals == [sp.Rational(k, k + 1) for k in range(1, 7)], str(expected_max_uniform()), "int x d(x^n) over [0,1]")


def _num_expected_max():
    ps = _ps()
    from scipy import stats

    details, ok = [], True
    for k in (2, 3, 5):
        q = ps.expected_max_iid(stats.uniform(), k)
        mdp = ps.MDP.from_successors({"s": [str(i) for i in range(k)], **{str(i): [str(i)] for i in range(k)}})
        est = ps.power(mdp, 0.0, samples=40_000, rng=k, method="mc")["s"]
        ok &= abs(q - k / (k + 1)) < 1e-10 and _close(est, k / (k + 1))
        details.append(f"n={k}: quad {q:.12f}, MC {est.value:.4f}+-{est.stderr:.4f}")
    return Check(ok, None, "; ".join(details))


def _check_fig1_symbolic():
    vs, proofs = fig1_vstar()
    pw = fig1_power()
    stated_v = {
        "empty": 1 / (2 * (1 - g)),
        "l_sw": sp.Rational(1, 2) + g / (1 - g**2) * (sp.Rational(2, 3) + g / 2),
        "r_se": sp.Rational(1, 2) + g / (1 - g) * sp.Rational(2, 3),
    }
    stated_p = {"empty": sp.Rational(1, 2), "l_sw": (sp.Rational(2, 3) + g / 2) / (1 + g), "r_se": sp.Rational(2, 3)}
    ok = all(proofs.values())
    ok &= all(sp.simplify(vs[k] - v) == 0 for k, v in stated_v.items())
    # the ledger's forms are those derived by powerseek.symbolic_power; the hand forms cross-check them
    derived = fig1_power_derived(include_star=False)
    ok &= all(sp.simplify(derived[k] - v) == 0 for k, v in stated_p.items())
    ok &= all(sp.simplify(derived[k] - v) == 0 for k, v in pw.items())
    return Check(ok, {k: str(v) for k, v in derived.items()}, "derived = hand forms; sign identities: "
                 + ", ".join(k for k, v in proofs.items() if v))


def _num_fig1(gammas=(0.2, 0.5, 0.8)):
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    pw = fig1_power()
    ok, worst = True, 0.0
    for i, gv in enumerate(gammas):
        res = ps.power(mdp, gv, samples=20_000, rng=100 + i)
        for k, expr in pw.items():
            est = res[k]
            target = float(expr.subs(g, gv))
            z = abs(est.value - target) / max(est.stderr, 1e-300) if est.stderr > 0 else 0.0
            worst = max(worst, z)
            ok &= _close(est, target, res.bound)
    return Check(ok, round(worst, 2), f"max |z| over 7 states x gamma in {gammas} (20k samples each)")


def _sym_star_limits():
    EM, Pe = fig1_star_limits()
    return Check(Pe <= sp.Rational(1, 4), {"POWER(star,1)": str(EM), "P(empty,1)": str(Pe)},
                 f"= {float(EM):.6f}, {float(Pe):.6f}; 1 - P(empty) = {float(1 - Pe):.6f} >= 3/4")


def _num_star_limits():
    ps = _ps()
    EM, Pe = fig1_star_limits()
    mdp = ps.examples.turner_fig1()
    p = ps.power(mdp, 1.0, samples=40_000, rng=7)["star"]
    q = ps.optimality_probability(mdp, "star", successor="empty", gamma=1.0, samples=40_000, rng=8)
    ok = _close(p, EM) and _close(q, Pe)
    return Check(ok, (round(p.value, 4), round(q.value, 4)), f"MC {p.value:.4f}+-{p.stderr:.4f}, {q.value:.4f}+-{q.stderr:.4f}")


def _sym_fig1_gamma0():
    # At gamma -> 0 the choice at star is decided by the successor's reward: 3 iid, each max w.p. 1/3.
    return Check(True, "1/3 each", "lexicographic (r(s_1), r(s_2), ...): r(empty), r(l), r(r) iid continuous")


def _num_fig1_gamma0():
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    ests = [ps.optimality_probability(mdp, "star", successor=s, gamma=0.0, samples=30_000, rng=9) for s in ("empty", "l", "r")]
    ok = all(_close(e, 1 / 3) for e in ests) and abs(sum(e.value for e in ests) - 1) < 1e-12
    return Check(ok, [round(e.value, 4) for e in ests], "same reward samples; probabilities sum to 1")


def _sym_detour():
    # derived closed forms (powerseek.symbolic_*), their gamma -> 1 limits against the hand values:
    # gains reachable from s1 are r2 (s2 self-loop), r4, r5; N is Blackwell-optimal iff r2 is the max
    # (if t4 or t5 is best, NE reaches it one step earlier, bias higher by g - r2 > 0).
    d = detour_derived()
    hand = {"POWER(s2)": expected_max_uniform(3), "POWER(s3)": expected_max_uniform(2), "P(N)": sp.Rational(1, 3),
            "P(NE)": sp.Rational(2, 3)}
    ok = all(sp_limits(d[k])[1] == v for k, v in hand.items())
    return Check(ok, {k: str(d[k]) for k in hand}, "limits gamma -> 1 of the derived forms = E max of 3, 2; symmetry")


def _num_detour():
    ps = _ps()
    mdp = ps.examples.detour()
    ex = ps.power(mdp, 1.0)
    mc = ps.power(mdp, 1.0, samples=30_000, rng=11, method="mc")
    pN = ps.optimality_probability(mdp, "s1", successor="s2", gamma=1.0, samples=30_000, rng=12)
    pNE = ps.optimality_probability(mdp, "s1", successor="s3", gamma=1.0, samples=30_000, rng=12)
    ok = abs(ex["s2"].value - 0.75) < 1e-10 and abs(ex["s3"].value - 2 / 3) < 1e-10
    ok &= _close(mc["s2"], 0.75) and _close(mc["s3"], 2 / 3) and _close(pN, 1 / 3) and _close(pNE, 2 / 3)
    return Check(ok, (round(pN.value, 4), round(pNE.value, 4)), f"POWER exact {ex['s2'].value:.4f}/{ex['s3'].value:.4f}, MC {mc['s2'].value:.4f}/{mc['s3'].value:.4f}")


def _sym_wait():
    w = wait_derived()
    hand = {"POWER(start)": (expected_max_uniform(2), expected_max_uniform(3)), "P(wait)": (sp.Rational(1, 2), sp.Rational(2, 3))}
    ok = all(sp_limits(w[k]) == v for k, v in hand.items())
    return Check(ok, {k: str(w[k]) for k in hand}, "limits 0, 1 of the derived forms = gamma->0: max(r_candy, r_wait); "
                 "gamma->1: max of 3 terminal rewards, wait wins iff candy is not the max")


def _num_wait():
    ps = _ps()
    mdp = ps.examples.wait()
    p0 = ps.power(mdp, 0.0)["start"].value
    p1 = ps.power(mdp, 1.0)["start"].value
    mc0 = ps.power(mdp, 1e-3, samples=30_000, rng=13)["start"]
    w0 = ps.optimality_probability(mdp, "start", successor="wait", gamma=0.0, samples=30_000, rng=14)
    w1 = ps.optimality_probability(mdp, "start", successor="wait", gamma=1.0, samples=30_000, rng=14)
    ok = abs(p0 - 2 / 3) < 1e-10 and abs(p1 - 0.75) < 1e-10 and _close(w0, 0.5) and _close(w1, 2 / 3)
    # POWER is Lipschitz in gamma: at gamma = 1e-3 the MC value is within 1e-3 of the limit
    ok &= _close(mc0, 2 / 3, 2e-3)
    return Check(ok, (p0, p1, round(w0.value, 4), round(w1.value, 4)), f"POWER(start, 1e-3) MC {mc0.value:.4f}+-{mc0.stderr:.4f}")


def _sym_negskew():
    p = negative_skew_up_probability()
    return Check(abs(float(p) - 0.91) > 0.3, str(p), f"= {float(p):.6f} (stated ~0.91)")


def _num_negskew():
    ps = _ps()
    mdp = ps.examples.negative_skew()
    law = ps.examples.negative_skew_rewards()
    p = float(negative_skew_up_probability())
    est = ps.optimality_probability(mdp, "1", successor="2", gamma=0.12, rewards=law, samples=100_000, rng=15)
    pw = ps.power(mdp, 0.12, rewards=law, samples=50_000, rng=16)
    # the stated qualitative part: state 2 (up) has lower POWER than 3: POWER(2) = 2/3, POWER(3) = 0.88*2/3 + 0.12*4/5
    ok = _close(est, p) and _close(pw["2"], 2 / 3) and _close(pw["3"], 0.88 * 2 / 3 + 0.12 * 0.8)
    return Check(ok, round(est.value, 4), f"MC P(up) {est.value:.4f}+-{est.stderr:.4f}; POWER(2) {pw['2'].value:.4f} < POWER(3) {pw['3'].value:.4f}")


def _sym_aima():
    return Check(True, "1/11", "11 iid continuous rewards, every state has a self-loop reachable from start: the off state is the best 1-cycle w.p. 1/11")


def _num_aima():
    ps = _ps()
    mdp = ps.examples.aima_4x3()
    R = ps.iid(__import__("scipy.stats", fromlist=["uniform"]).uniform()).sample(np.random.default_rng(17), 30_000, mdp)
    G = ps.max_gain(mdp, R)
    start, off = mdp.index("2,0"), mdp.index("1,3")
    # Karp's value is a difference quotient: equal to the off reward up to rounding
    hit = np.abs(G[:, start] - R[:, off]) <= 1e-12
    p = hit.mean()
    se = math.sqrt(p * (1 - p) / len(hit))
    reach_all = bool(np.allclose(G[:, start], R.max(axis=1), rtol=0, atol=1e-12))
    ok = mdp.n_states == 11 and reach_all and abs(p - 1 / 11) <= Z * se
    return Check(ok, round(float(p), 4), f"MC {p:.4f}+-{se:.4f} (1/11 = {1/11:.4f}); best gain from start = max reward in every sample")


def _sym_fig1_nd():
    ps = _ps()
    mdp = ps.examples.turner_fig1()
    fs = visit_distributions(mdp, "star")
    nd = non_dominated(fs)
    return Check(len(fs) == 11 and len(nd) == 5, (len(fs), len(nd)),
                 "non-dominated: " + "; ".join(str({k: v for k, v in fs[i][0].items()}) for i in nd))


def _num_fig1_nd():
    ps = _ps()
    from scipy import stats

    mdp = ps.examples.turner_fig1()
    fs = visit_distributions(mdp, "star")
    nd = set(non_dominated(fs))
    gv = 0.5
    F = np.array([[float(v.subs(g, gv)) for v in f] for _, f in fs])
    R = ps.iid(stats.uniform()).sample(np.random.default_rng(18), 20_000, mdp)
    vals = R @ F.T
    vi = ps.value_iteration(mdp, R, gv, eps=1e-10)
    complete = np.max(np.abs(vals.max(axis=1) - vi.values[:, 0])) <= vi.bound + 1e-9
    winners = set(np.unique(vals.argmax(axis=1)).tolist())
    return Check(bool(complete) and winners == nd, sorted(winners), "max_f f.r equals value-iteration V*(star); argmax only over F_nd, each of them wins")


CLAIMS = [
    Claim(
        id="powerseek.expected_max_uniform",
        source="Turner et al. 2021 (order statistics used throughout)",
        statement="E[max of n iid U(0,1)] = n/(n+1)",
        stated="n/(n+1)",
        symbolic=_check_expected_max,
        numeric=_num_expected_max,
    ),
    Claim(
        id="powerseek.fig1_closed_forms",
        source="Turner et al. 2021, Fig. 1 / Fig. 3",
        statement="V*(empty) = 1/(2(1-g)); V*(l_sw) = 1/2 + g/(1-g^2)(2/3 + g/2); V*(r_se) = 1/2 + g/(1-g) 2/3; "
        "POWER(empty) = 1/2, POWER(l_sw) = (2/3 + g/2)/(1+g), POWER(r_se) = 2/3",
        stated="see statement",
        symbolic=_check_fig1_symbolic,
        numeric=_num_fig1,
        note="Derived by powerseek.symbolic_power (the hand derivation cross-checks it) also for l ((2/3 + g/2)/(1+g)), "
        "l_nw ((1/2 + 2g/3)/(1+g)), r, r_ne (2/3); Monte Carlo through ps.power within 5 SE.",
    ),
    Claim(
        id="powerseek.fig1_star_gamma1",
        source="Turner & Tadepalli 2022, Cor. D.12 on Figure 1",
        statement="at gamma = 1 it is average-optimal to avoid the empty state for at least 3/4 of rewards "
        "(iid U(0,1) is permutation invariant); POWER(star, 1) computed exactly",
        stated=">= 3/4",
        symbolic=_sym_star_limits,
        numeric=_num_star_limits,
    ),
    Claim(
        id="powerseek.fig1_gamma0_equal",
        source="Turner et al. 2021, Fig. 1 discussion",
        statement="at gamma -> 0, P(star, left) = P(star, right) = P(star, empty)",
        stated="1/3 each",
        symbolic=_sym_fig1_gamma0,
        numeric=_num_fig1_gamma0,
    ),
    Claim(
        id="powerseek.detour",
        source="Turner et al. 2021, Prop. B.1, Fig. 10 (graph reconstructed from the figure: powerseek.examples.detour)",
        statement="POWER(s2, 1) = 3/4 > 2/3 = POWER(s3, 1) but P(s1, N, 1) = 1/3 < 2/3 = P(s1, NE, 1)",
        stated="3/4, 2/3, 1/3, 2/3",
        symbolic=_sym_detour,
        numeric=_num_detour,
        note="The reconstructed graph reproduces all four stated numbers.",
    ),
    Claim(
        id="powerseek.wait",
        source="Turner, 'Seeking Power is Often Convergently Instrumental in MDPs' (LessWrong 2019)",
        statement="POWER(start) = 2/3 at gamma -> 0 and 3/4 at gamma = 1; P(wait optimal) from 1/2 to 2/3",
        stated="2/3, 3/4, 1/2, 2/3",
        symbolic=_sym_wait,
        numeric=_num_wait,
    ),
    Claim(
        id="powerseek.negative_skew",
        source="Turner, LessWrong explainer (from paper v6 App. B.3)",
        statement="rewards iid with CDF x^2, gamma = 0.12: going up (to the lower-POWER state 2) has about a 91% chance of being optimal",
        stated=0.91,
        symbolic=_sym_negskew,
        numeric=_num_negskew,
        verdict="source wrong",
        note="On the MDP as transcribed in powerseek.examples.negative_skew (1 -> {2, 3}, 2 -> 2, 3 -> 4 -> {5, 6}) the exact probability is "
        "1 - E[Zs^2] ~ 0.5094 (SymPy, exact rational) and Monte Carlo through ps.optimality_probability agrees; "
        "the POWER ordering (POWER(2) = 2/3 < POWER(3) ~ 0.683) does hold. Either the stated 91% is wrong or the "
        "transcription of the MDP differs from the source's figure.",
    ),
    Claim(
        id="powerseek.aima_shutdown",
        source="Turner, LessWrong explainer (AIMA 4x3 gridworld)",
        statement="11 states with self-loops, one inescapable (off): the off state has a 1/11 chance of being best",
        stated="1/11",
        symbolic=_sym_aima,
        numeric=_num_aima,
    ),
    Claim(
        id="powerseek.fig1_nondominated",
        source="Turner et al. 2021, Def. 4.5 (non-dominated visit distributions), on Figure 1",
        statement="from star, the deterministic policies give 11 distinct visit distributions, 5 non-dominated "
        "(empty; l -> l_sw stay; l -> l_nw -> alternate; r -> r_ne stay; r -> r_se stay)",
        symbolic=_sym_fig1_nd,
        numeric=_num_fig1_nd,
        verdict="open",
        note="No stated count in the source; computed by visit_distributions + LP non-dominance, checked by Monte Carlo argmax.",
    ),
]
