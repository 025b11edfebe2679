"""Ledger rows for questions the sources leave open, answered by computation (verdict "open": the
statement is the question, ``stated`` the computed answer, ``note`` what it depends on).

- Detectability of KL-pathological policies (Erik Jenner's question on Kwa, Thomas &
  Garriga-Alonso, "Catastrophic Goodhart", arXiv 2407.14503): :mod:`goodhart.detectability`.
- How AUP agents (Turner, Hadfield-Menell & Tadepalli, "Conservative Agency via Attainable Utility
  Preservation", AIES 2020) and power-averse rewards meet the power-seeking theorems (Turner et al.,
  "Optimal Policies Tend to Seek Power", NeurIPS 2021): :mod:`powerseek.aup`.
"""

from __future__ import annotations

from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra
from proofs.ledger import Check, Claim

KTG = "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, Theorems 1 and 3 (Jenner's question in the discussion)"
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
