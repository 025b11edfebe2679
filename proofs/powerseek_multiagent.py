"""Ledger rows for POWER in multi-agent settings: the POWERplay experiments (Gladstone AI, the post
"Misalignment by default in multi-agent systems", part 2 of the POWERplay series, 2022), recomputed
with :func:`powerseek.multiagent.power_with_reward`.

The setting of the post's reward-correlation sweep: two agents on a 3x3 gridworld (moves to
neighbouring cells or stay; both may occupy one cell), rewards iid U(0, 1) on the 81 joint states
for each agent, discount 0.6 for both. Agent H learns an optimal policy for its reward R_H while
agent A moves uniformly at random; then agent A, with reward R_A, faces H's policy, and the figures
show agent A's POWER (Turner et al., NeurIPS 2021, Def. 5.2) averaged over 20,000 reward samples,
at every joint state. In powerseek's terms agent 0 is POWERplay's A and agent 1 its H.

The post couples the rewards by a per-state mixture (R_A(s) = R_H(s) with probability rho, else an
independent draw); powerseek uses a Gaussian copula. The two agree at rho = 0 (independent) and
rho = 1 (R_A = R_H), so only those rows are compared with numbers; the figures print three digits.
The stated values below were read off the post's agent-A POWER-means figures at reward correlation
0 and 1 ("Agent A at (r, c)" panels; the cell is agent H's position).
"""

from __future__ import annotations

import functools
import math

from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra
from proofs.ledger import Check, Claim

PP2 = ("Gladstone AI, POWERplay part 2, 'Misalignment by default in multi-agent systems' (2022), agent A's "
       "POWER-means figures at reward correlation {rho} (joint 3x3 gridworld, gamma = 0.6, 20,000 samples)")

#: agent A's POWER read off the post's figures: (A's cell, H's cell) -> value (3 digits)
STATED = {
    0: {("1,1", "1,1"): 0.852, ("1,1", "0,0"): 0.852, ("0,0", "0,0"): 0.803, ("0,1", "0,1"): 0.830,
        ("2,2", "0,0"): 0.802, ("1,0", "1,0"): 0.829},
    1: {("1,1", "1,1"): 0.931, ("1,1", "0,0"): 0.921, ("0,0", "0,0"): 0.897, ("0,0", "1,1"): 0.914,
        ("0,1", "1,1"): 0.923, ("0,1", "0,1"): 0.917, ("2,2", "0,0"): 0.897},
}
_SAMPLES = 8000   # ours: standard errors about 1e-3
_THEIRS = 20_000  # the post's samples: its standard error is our per-sample spread / sqrt(20,000)


@functools.lru_cache(maxsize=None)
def _power_a(rho: float):
    import powerseek as ps

    g = ps.MDP.gridworld(3, 3)
    J = ps.multiagent.joint([g, g], collide=False)
    return ps.multiagent.power_with_reward(J, 0.6, correlation=rho, samples=_SAMPLES, rng=2022)


def _num_read_off(rho: int):
    def check():
        res = _power_a(float(rho))
        got, worst = {}, 0.0
        for (a, h), stated in STATED[rho].items():
            e = res[(a, h)]
            se_theirs = e.stderr * math.sqrt(_SAMPLES / _THEIRS)
            tol = 4.0 * math.hypot(e.stderr, se_theirs) + 5e-4 + res.bound  # 5e-4: the figure's rounding
            got[f"A {a}, H {h}"] = round(e.value, 4)
            worst = max(worst, abs(e.value - stated) / tol)
        return Check(worst <= 1.0, got, f"{_SAMPLES} samples; largest |ours - stated| / (4 combined SE + 5e-4) = "
                                        f"{worst:.2f}")
    return check


def _sym_toy_sign():
    """Agent 1 picks b or c (absorbing) by its own reward; agent 0 has no choice, so its POWER is
    E[R_0 of the state agent 1 picks]: E[max(U1, U2)] = 2/3 when R_1 = R_0 (rho = 1), E[U] = 1/2
    when independent, E[min] = 1/3 when R_1 = 1 - R_0 (rho = -1)."""
    u, v = sp.symbols("u v", positive=True)
    e_max = sp.integrate(sp.integrate(sp.Max(u, v), (u, 0, 1)), (v, 0, 1))
    e_min = sp.integrate(sp.integrate(sp.Min(u, v), (u, 0, 1)), (v, 0, 1))
    vals = (sp.nsimplify(e_min), sp.Rational(1, 2), sp.nsimplify(e_max))
    return Check(vals == (sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(2, 3)), [str(x) for x in vals],
                 "agent 0's POWER at rho = -1, 0, 1 in the two-choice toy: increasing in rho")


def _num_sign():
    r0, r1 = _power_a(0.0), _power_a(1.0)
    gap = r1.value - r0.value
    z = gap / (4.0 * (r0.stderr ** 2 + r1.stderr ** 2) ** 0.5)
    return Check(bool((z > 1).all()), {"smallest POWER gain (rho 1 minus rho 0)": round(float(gap.min()), 4),
                                       "largest": round(float(gap.max()), 4)},
                 f"every one of the 81 joint states: gain > 4 combined SE ({_SAMPLES} samples each)")


CLAIMS: list[Claim] = [
    Claim("powerseek_multiagent.powerplay_rho0", PP2.format(rho=0),
          "With independent rewards agent A's POWER hardly depends on where agent H is: about 0.852 with A in the "
          "centre, 0.83 on an edge, 0.80 in a corner",
          STATED[0], None, _num_read_off(0), "holds",
          note="Agent A's POWER at joint states (A's cell, H's cell); within 4 combined standard errors (ours and the "
               "post's 20,000 samples) plus the figure's rounding. POWERplay's own code, run on the same reward "
               "samples, agrees with powerseek to 1.3e-4 per sample (benchmarks/powerplay_comparison.md)."),
    Claim("powerseek_multiagent.powerplay_rho1", PP2.format(rho=1),
          "With identical rewards agent A's POWER is higher everywhere and highest when H is central: 0.931 with both "
          "in the centre, 0.897 with both in a corner, 0.914 with A in a corner and H in the centre",
          STATED[1], None, _num_read_off(1), "holds",
          note="rho = 1 means R_A = R_H in both the post's mixture coupling and powerseek's Gaussian copula."),
    Claim("powerseek_multiagent.correlation_raises_power", PP2.format(rho="0 and 1"),
          "Agent A's POWER rises with the correlation of the two agents' rewards (the post's sweep from 0 to 1): at "
          "every joint state it is higher at rho = 1 than at rho = 0 (0.896..0.931 against 0.800..0.853 in the figures)",
          None, _sym_toy_sign, _num_sign, "holds",
          note="Independent rewards already cost agent A power relative to a partner with its own goal: H's moves are "
               "noise to A. The symbolic check is the smallest case (one choice of agent 1, POWER = E[R_0 of it]); "
               "intermediate rho are not compared, the couplings differ there."),
]
