"""Figures of the independent-steps model (registry ``FIGURES``; PNG + JSON sidecar each).

- cogpower_median_vs_n: median (and quartile band) of the average time per subtask S_n/n against n,
  log-log, for powers below, at and above Q* = 1/alpha, with the predicted medians as lines (exact
  Laplace inversion below n = 1e5, the generalised CLT beyond where it is accurate: method "auto").
- cogpower_mean_vs_power: mean time per subtask against Q > Q*: k alpha/(k alpha - 1) -> 1 (optimum).
- cogpower_budget_fraction: fraction of tasks finished within a budget B n, against n.
"""

from __future__ import annotations

import numpy as np

from tailpower._common import progress, save_figure

from . import analytic
from .model import IndependentSteps

ALPHA = 1.0
SOURCE = "Kwa 2023, 'The independent-steps model of cognitive power' (LessWrong shortform)"
STATED = "below Q* the median average time per subtask grows without bound; above Q* expected linear time; " \
         "some distance above Q* minds run close to the optimal speed (1 per subtask)"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def median_vs_n(out_dir, rng, quick):
    plt = _plt()
    n_max, tasks = (10**3, 200) if quick else (10**6, 300)
    cps = np.unique(np.round(np.geomspace(1, n_max, 13 if quick else 25)).astype(np.int64))
    powers = (0.5, 0.8, 1.0, 1.5, 3.0)
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    data = {}
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(powers)))
    for q, c in progress(list(zip(powers, colors)), desc="median_vs_n"):
        m = IndependentSteps(alpha=ALPHA, power=q)
        per = m.simulate_path(cps, tasks, rng) / cps[:, None]
        med, lo, hi = (np.quantile(per, p, axis=1) for p in (0.5, 0.25, 0.75))
        preds = [analytic.quantile_prediction(int(n), 0.5, m.beta) for n in cps]
        pred = np.array([p.value for p in preds])
        ax.fill_between(cps, lo, hi, color=c, alpha=0.2, lw=0)
        ax.plot(cps, med, "o", color=c, ms=4, label=f"Q = {q} (beta = {m.beta:g}, {m.regime})")
        ax.plot(cps, pred, "-", color=c, lw=1.2)
        data[str(q)] = {"median": med, "q25": lo, "q75": hi, "predicted_median": pred,
                        "prediction_method": [p.method for p in preds], "prediction_error": [p.error for p in preds]}
    ax.axhline(1.0, color="k", lw=0.6, ls=":")
    ax.set(xscale="log", yscale="log", xlabel="n (subtasks per task)", ylabel="average time per subtask S_n/n",
           title=f"Median and quartiles of S_n/n, alpha = {ALPHA}, Q* = {1 / ALPHA:g}\n"
                 f"dots: simulation ({tasks} tasks), lines: predicted median (exact inversion / generalised CLT)")
    ax.legend(fontsize=8, loc="upper left")
    return save_figure(fig, out_dir, "cogpower_median_vs_n", {
        "source": SOURCE, "stated": STATED, "alpha": ALPHA, "convention": "survival", "tasks": tasks,
        "n": cps, "powers": powers, "data": data, "quick": quick})


def mean_vs_power(out_dir, rng, quick):
    plt = _plt()
    qstar = 1 / ALPHA
    qs = np.linspace(1.02 * qstar, 10 * qstar, 300)
    beta = qs * ALPHA
    closed = beta / (beta - 1)
    q_mc = np.array([2.5, 3, 4, 6, 8, 10]) * qstar
    n, tasks = (50, 500) if quick else (200, 20_000)
    mc, se = [], []
    for q in progress(q_mc, desc="mean_vs_power"):
        x = IndependentSteps(alpha=ALPHA, power=float(q)).simulate(n, tasks, rng) / n
        mc.append(x.mean())
        se.append(x.std(ddof=1) / np.sqrt(tasks))
    fig, ax = plt.subplots(figsize=(7, 4.8))
    ax.plot(qs, closed, "-", label="closed form k alpha/(k alpha - 1)")
    ax.errorbar(q_mc, mc, yerr=2 * np.array(se), fmt="o", ms=4, capsize=3,
                label=f"simulation: mean of S_n/n, n={n}, {tasks} tasks (±2 s.e.)")
    ax.axhline(1.0, color="k", ls=":", lw=0.8, label="optimum (every subtask takes time 1)")
    ax.axvline(qstar, color="r", ls="--", lw=0.8, label=f"Q* = {qstar:g}")
    ax.set(xlabel="cognitive power Q (k = Q approaches)", ylabel="mean time per subtask", ylim=(0.8, 6),
           title=f"Mean time per subtask above the critical power (alpha = {ALPHA})")
    ax.legend(fontsize=8)
    return save_figure(fig, out_dir, "cogpower_mean_vs_power", {
        "source": SOURCE, "stated": STATED, "alpha": ALPHA, "Q": qs, "closed_form": closed,
        "Q_mc": q_mc, "mc_mean": mc, "mc_stderr": se, "n": n, "tasks": tasks, "quick": quick})


def budget_fraction_fig(out_dir, rng, quick):
    from .estimators import budget_fraction

    plt = _plt()
    budget = 3.0
    n_max, tasks = (10**3, 300) if quick else (10**5, 2000)
    ns = np.unique(np.round(np.geomspace(1, n_max, 13 if quick else 21)).astype(np.int64))
    powers = (0.5, 1.0, 1.5, 2.0, 4.0)
    fig, ax = plt.subplots(figsize=(7, 4.8))
    data = {}
    for q in progress(powers, desc="budget_fraction"):
        m = IndependentSteps(alpha=ALPHA, power=q)
        est = budget_fraction(m, budget, ns, tasks, rng)
        ax.errorbar(ns, est.value, yerr=2 * est.stderr, marker="o", ms=3, capsize=2,
                    label=f"Q = {q} (mean per subtask {m.mean_subtask_time:.3g})")
        data[str(q)] = {"fraction": est.value, "stderr": est.stderr}
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel="n (subtasks per task)",
           ylabel=f"P(S_n <= B n), B = {budget:g}",
           title=f"Fraction of tasks finished within budget {budget:g} per subtask (alpha = {ALPHA}, Q* = 1)\n"
                 f"{tasks} tasks; -> 1 if mean < B, -> 0 if mean > B or infinite")
    ax.legend(fontsize=8)
    return save_figure(fig, out_dir, "cogpower_budget_fraction", {
        "source": SOURCE, "stated": STATED, "alpha": ALPHA, "budget": budget, "n": ns, "tasks": tasks,
        "powers": powers, "data": data, "quick": quick})


FIGURES = {
    "cogpower_median_vs_n": median_vs_n,
    "cogpower_mean_vs_power": mean_vs_power,
    "cogpower_budget_fraction": budget_fraction_fig,
}
