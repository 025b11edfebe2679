"""POWER against gamma over 1,000 random deterministic MDPs.

POWER_D(s, gamma) = (1 - gamma)/gamma E_{R~D}[V*_R(s, gamma) - R(s)] with iid U(0, 1) state rewards
(Turner, Smith, Shah, Critch & Tadepalli, "Optimal Policies Tend to Seek Power", NeurIPS 2021,
Def. 5.2). Its limits are exact: POWER(s, 0) = E[max of the rewards of the d(s) successors] =
d/(d + 1) for U(0, 1); POWER(s, 1) = E[best mean reward of a cycle reachable from s] (Lemma 5.3 /
the RSD view, Karp's maximum mean cycle).

Each sweep point draws one MDP: ``n_states`` states, each with 1..``max_out`` distinct successors
(self-loops allowed), from the point's seed, and computes POWER of state "0" on common reward
samples at every gamma, plus both limits. The summary shows the distribution of the POWER curve
over the MDPs, how often it is monotone in gamma, and how POWER at gamma -> 0 and -> 1 is ordered by
the number of successors and of reachable cycles (more options, more POWER).

    python examples/sweep_powerseek.py                         # local processes
    python examples/sweep_powerseek.py --scheduler tcp://HOST:8786
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

SPEC = Path(__file__).with_name("powerseek.toml")


def random_successors(n_states: int, max_out: int, rng) -> dict[str, list[str]]:
    """A random deterministic MDP: state s moves to 1..max_out distinct states (self-loops allowed)."""
    g = np.random.default_rng(rng)
    succ = {}
    for s in range(n_states):
        d = int(g.integers(1, max_out + 1))
        succ[str(s)] = [str(int(t)) for t in np.sort(g.choice(n_states, size=d, replace=False))]
    return succ


def random_mdp_power(mdp: int, gammas, n_states: int = 5, max_out: int = 3, samples: int = 200, rng=None) -> dict:
    """POWER of state "0" of random MDP number ``mdp`` at each gamma, with its gamma -> 0, 1 limits."""
    import powerseek as ps

    seeds = np.random.SeedSequence(rng).spawn(3)  # MDP structure, curve rewards, limit rewards
    succ = random_successors(n_states, max_out, seeds[0])
    m = ps.MDP.from_successors(succ)
    curve = ps.power_curve(m, gammas, samples=samples, rng=seeds[1])
    lim0 = ps.power(m, 0.0)                                   # exact: E[max of d iid U(0,1)]
    lim1 = ps.power(m, 1.0, samples=samples, rng=seeds[2])    # exact or Karp on samples
    cycles, reach = ps.reachable_cycles(m)
    i = m.states.index("0")
    return {
        "successors": succ,
        "out_degree": len(succ["0"]),
        "reachable_cycles": int(reach[i].sum()),
        "power": curve.value[:, i],
        "stderr": curve.stderr[:, i],
        "power_0": float(lim0.value[i]),
        "power_1": float(lim1.value[i]),
        "power_1_stderr": float(lim1.stderr[i]),
        "power_1_method": lim1.method,
    }


def summarize(records: list[dict], gammas) -> str:
    P = np.array([r["result"]["power"] for r in records])
    E = np.array([r["result"]["stderr"] for r in records])
    deg = np.array([r["result"]["out_degree"] for r in records])
    cyc = np.array([r["result"]["reachable_cycles"] for r in records])
    p0 = np.array([r["result"]["power_0"] for r in records])
    p1 = np.array([r["result"]["power_1"] for r in records])
    lines = [f"POWER of state 0 over {len(records)} random MDPs (iid U(0,1) rewards)",
             "   gamma    mean     q10     q50     q90"]
    lines.append(f"  ->0    {p0.mean():7.4f} {np.quantile(p0, .1):7.4f} {np.quantile(p0, .5):7.4f} {np.quantile(p0, .9):7.4f}  (exact)")
    for j, g in enumerate(gammas):
        c = P[:, j]
        lines.append(f"  {g:5.2f}  {c.mean():7.4f} {np.quantile(c, .1):7.4f} {np.quantile(c, .5):7.4f} {np.quantile(c, .9):7.4f}")
    lines.append(f"  ->1    {p1.mean():7.4f} {np.quantile(p1, .1):7.4f} {np.quantile(p1, .5):7.4f} {np.quantile(p1, .9):7.4f}")
    # a decrease larger than 5 combined standard errors between neighbouring gammas
    drops = np.diff(P, axis=1) < -5 * np.sqrt(E[:, 1:] ** 2 + E[:, :-1] ** 2)
    lines.append(f"POWER(0, gamma) decreases significantly somewhere in gamma for {drops.any(axis=1).sum()} "
                 f"of {len(records)} MDPs (non-monotone POWER is allowed by the theory)")
    for d in np.unique(deg):
        lines.append(f"  out-degree {d}: {np.sum(deg == d):4d} MDPs, POWER(0, 0) = {p0[deg == d].mean():.4f} "
                     f"(exact d/(d+1) = {d / (d + 1):.4f})")
    e1 = np.array([r["result"]["power_1_stderr"] for r in records])
    for lo, hi in ((1, 1), (2, 2), (3, 3), (4, 5), (6, 8), (9, 12), (13, 10**9)):
        sel = (cyc >= lo) & (cyc <= hi)
        if sel.any():
            label = f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi < 10**9 else f">={lo}")
            se = np.sqrt(np.sum(e1[sel] ** 2)) / sel.sum()
            lines.append(f"  {label:>5s} reachable cycles: {sel.sum():4d} MDPs, mean POWER(0, 1) = "
                         f"{p1[sel].mean():.4f} +- {se:.4f}" + ("  (exact: one cycle's mean reward, 0.5)" if hi == 1 else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from tailpower.sweep import run_example

    rc, records, spec = run_example(SPEC, argv, __doc__.split("\n\n")[0])
    print(summarize(records, spec.fixed["gammas"]))
    return rc


if __name__ == "__main__":
    sys.exit(main())
