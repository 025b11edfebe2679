"""Below, at and above the critical power Q*: simulated median time per subtask vs the prediction.

The independent-steps model (Kwa 2023): a mind of power Q knows k = Q approaches per subtask, each
approach takes P(T > t) = t^-alpha, t >= 1, so one subtask takes Pareto(beta = Q alpha) and the
critical power is Q* = 1/alpha. Below Q* the median of S_n/n grows like n^(1/beta - 1); at Q* like
ln n; above Q* it settles to the mean beta/(beta - 1).

Run:  .venv/bin/python examples/cogpower_threshold.py [--tasks 4000] [--seed 0]
Prints, for each Q and n, the simulated median of S_n/n with its z = 5 order-statistic interval
and the asymptotic prediction (cogpower.analytic.median_per_subtask).
"""

from __future__ import annotations

import argparse

import cogpower as cp

ALPHA = 1.0  # survival exponent of one approach; Q* = 1/alpha = 1


def main(tasks: int = 4000, seed: int = 0, ns=(10, 100, 1000, 10_000)) -> list[tuple]:
    qstar = cp.critical_power(ALPHA)
    rows = []
    print(f"alpha = {ALPHA}, Q* = {qstar:g}; {tasks} tasks per point; CI: z = 5 order statistics")
    print(f"{'Q':>5} {'beta':>5} {'regime':>13} {'n':>6} {'MC median':>12} {'CI':>25} {'predicted':>12} {'in CI':>6}")
    for q in (0.5 * qstar, 0.9 * qstar, qstar, 1.1 * qstar, 2.0 * qstar):
        m = cp.IndependentSteps(alpha=ALPHA, power=q)
        x = m.simulate_path(list(ns), tasks, rng=seed)  # one streamed pass for all n
        for n, row in zip(ns, x):
            est = cp.order_statistic_ci(row / n, 0.5, z=5)
            pred = m.median_per_subtask(n)
            rows.append((q, n, est.value, est.lower, est.upper, pred))
            print(f"{q:5.2f} {m.beta:5.2f} {m.regime:>13} {n:6d} {est.value:12.4f} "
                  f"[{est.lower:11.4f}, {est.upper:11.4f}] {pred:12.4f} {str(est.covers(pred)):>6}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    main(a.tasks, a.seed)
