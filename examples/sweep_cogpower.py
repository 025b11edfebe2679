"""Map the threshold region of the independent-steps model over (alpha, Q).

Model (Kwa 2023; ``cogpower``): a task is n serial subtasks; a mind of power Q tries k = Q
approaches per subtask, each taking a time T >= 1 with P(T > t) = t^-alpha, and keeps the fastest,
which is Pareto with beta = Q alpha. The time per subtask has finite mean beta/(beta - 1) iff
beta > 1, i.e. Q > Q* = 1/alpha. Below Q* the typical time per subtask grows with difficulty:
median(S_n/n) ~ n^(1/beta - 1) (generalised CLT, beta-stable limit); above it, it tends to the mean.

Each sweep point (alpha, Q) simulates S_n for two difficulties n_1 < n_2 and measures the growth
exponent g = log(med_2/med_1) / log(n_2/n_1) of the median time per subtask, with a 5-sigma
order-statistic interval, next to the asymptotic prediction max(1/beta - 1, 0) and the GCLT median.

    python examples/sweep_cogpower.py                         # local processes
    python examples/sweep_cogpower.py --scheduler tcp://HOST:8786
    tailpower sweep examples/cogpower.toml                    # same sweep, no summary
"""

from __future__ import annotations

import math
import sys
from pathlib import Path


SPEC = Path(__file__).with_name("cogpower.toml")


def threshold_point(alpha: float, power: float, n=(16, 1024), tasks: int = 4000, rng=None) -> dict:
    """Median time per subtask at two difficulties, its growth exponent, and the predictions."""
    import cogpower as cp

    model = cp.IndependentSteps(alpha=alpha, power=power)
    n1, n2 = (int(v) for v in n)
    paths = model.simulate_path([n1, n2], tasks, rng)
    med = [cp.order_statistic_ci(paths[i] / m, q=0.5, z=5.0) for i, m in enumerate((n1, n2))]
    ratio = math.log(n2 / n1)
    beta = model.beta
    try:  # the GCLT median; None where cogpower refuses it (its correction term is too large)
        predicted = model.median_per_subtask(n2)
    except ValueError:
        predicted = None
    return {
        "q_star": cp.critical_power(alpha),
        "beta": beta,
        "regime": model.regime,
        "mean_subtask_time": model.mean_subtask_time,  # inf below the threshold
        "median_n1": med[0].value,
        "median_n2": med[1].value,
        "median_n2_ci": [med[1].lower, med[1].upper],
        "predicted_median_n2": predicted,
        "growth": math.log(med[1].value / med[0].value) / ratio,
        # exponent bounds from the two 5-sigma intervals
        "growth_lo": math.log(med[1].lower / med[0].upper) / ratio,
        "growth_hi": math.log(med[1].upper / med[0].lower) / ratio,
        "predicted_growth": max(1.0 / beta - 1.0, 0.0),
    }


def summarize(records: list[dict]) -> str:
    from tailpower.sweep import table

    t = table(records, "params.alpha", "params.power", "result.growth", "result.growth_lo",
              "result.growth_hi", "result.predicted_growth", "result.beta")
    alphas, powers = sorted(set(t["params.alpha"])), sorted(set(t["params.power"]))
    g = {(a, q): v for a, q, v in zip(t["params.alpha"], t["params.power"], t["result.growth"])}
    lines = ["growth exponent g of median(S_n/n) between n = 16 and 1024  (* : Q below Q* = 1/alpha)",
             "alpha \\ Q " + "".join(f"{q:>8.3g}" for q in powers)]
    for a in alphas:
        lines.append(f"{a:>9.3g} " + "".join(
            f"{g[a, q]:>7.2f}{'*' if q * a < 1 else ' '}" for q in powers))
    beta = t["result.beta"]
    sub = beta < 1
    lines.append(f"subcritical points (Q < 1/alpha): {sub.sum()}, min growth there {t['result.growth'][sub].min():.3f}; "
                 f"supercritical: max growth {t['result.growth'][~sub].max():.3f}")
    # the generalised-CLT median (cogpower.analytic, first-order corrected) against the Monte
    # Carlo median at n_2 with its 5-sigma order-statistic interval
    records = [r for r in records if "result" in r]
    valid = [r for r in records if r["result"]["predicted_median_n2"] is not None]
    miss = [r for r in valid
            if not r["result"]["median_n2_ci"][0] <= r["result"]["predicted_median_n2"] <= r["result"]["median_n2_ci"][1]]
    lines.append(f"GCLT median of S_n/n at n = 1024 inside the 5-sigma MC interval at "
                 f"{len(valid) - len(miss)}/{len(valid)} points (not predicted at {len(records) - len(valid)}); "
                 "outside at:")
    for r in sorted(miss, key=lambda r: r["result"]["beta"]):
        x = r["result"]
        lines.append(f"   alpha={r['params']['alpha']:.3g} Q={r['params']['power']:.3g} beta={x['beta']:.4g}: "
                     f"MC {x['median_n2']:.4g} [{x['median_n2_ci'][0]:.4g}, {x['median_n2_ci'][1]:.4g}], "
                     f"GCLT {x['predicted_median_n2']:.4g}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from tailpower.sweep import run_example

    rc, records, spec = run_example(SPEC, argv, __doc__.split("\n\n")[0])
    print(summarize(records))
    return rc


if __name__ == "__main__":
    sys.exit(main())
