"""Figures of the selection half of goodhart: conditioning, dependent error, best-of-N.

Registry ``FIGURES = {name: fn(out_dir, rng, quick) -> [png, json]}`` (merged by goodhart.figures).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

from tailpower._common import save_figure

from .best_of_n import best_of_n, best_of_n_table
from .conditional import conditional_mean
from .model import Dependent, point_mass

# ----------------------------------------------------------------------------- conditioning
PAIRS = {
    # label: (V, X, kind, expected limit of E[V | U >= t])
    "normal / normal": (stats.norm(), stats.norm(), "light/light", "inf (Thm 6)"),
    "exp / exp": (stats.expon(), stats.expon(), "light/light", "inf (closed form (t^2+2t+2)/(2(t+1)))"),
    "normal / t3": (stats.norm(), stats.t(3), "light/heavy", "E[V] = 0 (Thm 5)"),
    "normal / lognormal": (stats.norm(), stats.lognorm(1.0), "light/heavy", "E[V] = 0 (Thm 5)"),
    "normal / Levy": (stats.norm(), stats.levy(), "light/heavy", "E[V] = 0 (Thm 5)"),
    "exp / Lomax(3)": (stats.expon(), stats.lomax(3.0), "light/heavy", "E[V] = 1 (Thm 5)"),
    "t3 / t3": (stats.t(3), stats.t(3), "heavy/heavy", "inf (equal tails: V does half the work)"),
}


def fig_conditional(out_dir, rng, quick: bool) -> list[Path]:
    """E[V | V + X >= t] against t for light/light, light/heavy and heavy/heavy pairs ("quad")."""
    import matplotlib.pyplot as plt

    t_lin = np.linspace(0.0, 20.0, 11 if quick else 41)
    t_log = np.geomspace(1.0, 1e2 if quick else 1e3, 8 if quick else 31)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    data = {}
    for i, (label, (V, X, kind, lim)) in enumerate(PAIRS.items()):
        c = f"C{i}"
        ls = {"light/light": "-", "light/heavy": "--", "heavy/heavy": ":"}[kind]
        r1 = conditional_mean(V, X, t_lin)
        r2 = conditional_mean(V, X, t_log)
        ev = float(V.mean())
        ax1.plot(t_lin, r1.value, ls, color=c, label=f"{label} ({kind})")
        ax2.loglog(t_log, np.abs(r2.value - ev), ls, color=c, marker=".", label=label)
        data[label] = {"kind": kind, "expected_limit": lim, "E[V]": ev, "t_linear": t_lin,
                       "value_linear": r1.value, "t_log": t_log, "value_log": r2.value,
                       "max_error_bound": float(max(np.max(r1.stderr), np.max(r2.stderr)))}
    ax1.set(xlabel="threshold t", ylabel="E[V | V + X ≥ t]", title="conditioning on the proxy U = V + X")
    ax1.legend(fontsize=7)
    ax1.grid(alpha=0.3)
    ax2.set(xlabel="threshold t", ylabel="|E[V | V + X ≥ t] − E[V]|",
            title="heavy error (dashed): back to E[V]; light (solid) or equally heavy (dotted): diverges")
    ax2.title.set_fontsize(8)
    ax2.grid(alpha=0.3, which="both")
    return save_figure(fig, out_dir, "goodhart_conditional", {
        "source": "Kwa & Thomas 2023, Theorems 5 and 6 (Appendix identity); method quad",
        "quick": quick, "pairs": data})


# ----------------------------------------------------------------------------- dependent error
def dependent_example() -> Dependent:
    """V ~ N(0, 1); X | V ~ N(0, 4) if |V| <= 1, else X = 0 (Kwa et al. 2024, §5.2 footnote)."""
    wide = stats.norm(0.0, 2.0)
    zero = point_mass(0.0)
    return Dependent(V=stats.norm(), error=lambda v: wide if abs(v) <= 1.0 else zero)


def fig_dependent(out_dir, rng, quick: bool) -> list[Path]:
    """Dependent error (unbiased, light-tailed, zero for |V| > 1) versus independent N(0, 4) error."""
    import matplotlib.pyplot as plt

    ts = np.geomspace(1.0, 1e2 if quick else 1e3, 6 if quick else 25)
    dep = conditional_mean(dependent_example(), t=ts)
    ind = conditional_mean(stats.norm(), stats.norm(0, 2), ts)
    fig, ax = plt.subplots(figsize=(7, 4.8))
    ax.loglog(ts, ind.value, "o-", label="independent X ~ N(0, 4):  t/5 → ∞")
    ax.loglog(ts, dep.value, "s-", label="dependent: X ~ N(0,4) if |V| ≤ 1 else 0")
    ax.axhline(1.0, color="k", lw=0.8, ls="--", label="computed limit 1 (mass piles up at V → 1)")
    ax.set(xlabel="threshold t", ylabel="E[V | V + X ≥ t]",
           title="source: limit 0 ('I think'); computed: limit 1, E ≈ 1 − 4/t")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out_dir, "goodhart_dependent", {
        "source": "Kwa, Thomas & Garriga-Alonso 2024 §5.2 footnote / LW comment",
        "stated": {"limit": 0, "qualifier": "I think"}, "computed_limit": 1.0, "quick": quick,
        "t": ts, "dependent": dep.value, "dependent_bound": dep.stderr, "log_prob_dependent": dep.log_prob,
        "independent": ind.value})


# ----------------------------------------------------------------------------- best-of-N grid
def bon_grid():
    """The 2 x 5 grid of the paper's bon_synthetic figure: (row label, V), (column label, X)."""
    rows = [("V normal", stats.norm(0.0, 2.0)),
            ("V t10", stats.t(10, 0.0, 2.0 * math.sqrt(8.0 / 10.0)))]
    cols = [("X normal", stats.norm()),
            ("X lognormal", stats.lognorm(math.log(2.0), -1.0)),
            ("X t3", stats.t(3, 0.0, math.sqrt(1.0 / 3.0))),
            ("X t5", stats.t(5, 0.0, math.sqrt(3.0 / 5.0))),
            ("X Levy", stats.levy())]
    return rows, cols


BON_STATED = ("with normal X utility rises monotonically; in 5 of 6 lognormal/t cases utility peaks "
              "around N = 1e2..1e3; t5 error with t10 utility peaks around 1e5; with Levy error "
              "utility never goes significantly above 0")


def bon_curves(V, X, nmax: float, points: int, resolution: float, tail: float = 38.0):
    """Exact ("quad") utility / error / proxy on a log grid of n from one table of the law of U,
    and the n of the utility peak: the root of dE/dn on the continuous extension in n
    (:meth:`goodhart.BestOfNTable.peak`), ``nmax`` itself when the utility rises all the way."""
    ns = np.unique(np.round(np.geomspace(1, nmax, points)))
    tab = best_of_n_table(V, X, resolution=resolution, tail=tail)
    r = tab.curve(ns)
    p = tab.peak(n_max=float(ns[-1]))
    return ns, r, (float(p.n) if p.interior else float(ns[-1]))


def fig_best_of_n(out_dir, rng, quick: bool) -> list[Path]:
    """Best-of-N grid: exact curves to n = 1e9 and 100-trial Monte Carlo bands to n = 65,536."""
    import matplotlib.pyplot as plt

    rows, cols = bon_grid()
    nmax, pts, res, tail = (1e4, 25, 1.5, 8.0) if quick else (1e9, 73, 0.5, 30.0)
    n_mc = 4 ** np.arange(0, 6 if quick else 9)
    trials = 20 if quick else 100
    fig, axes = plt.subplots(2, 5, figsize=(19, 7.5))
    panels = {}
    for i, (rl, V) in enumerate(rows):
        for j, (cl, X) in enumerate(cols):
            ax = axes[i, j]
            ns, r, peak = bon_curves(V, X, nmax, pts, res, tail)
            mc = best_of_n(V, X, n_mc, method="mc", trials=trials, rng=rng)
            for field, c in (("utility", "C0"), ("error", "C3"), ("proxy", "C2")):
                y = getattr(r, field)
                ax.plot(ns, y, color=c, label=f"{field} (exact)")
                m, se = getattr(mc, field), getattr(mc, field + "_stderr")
                if not ("Levy" in cl and field != "utility"):   # infinite mean: no meaningful band
                    ax.fill_between(n_mc, m - 1.96 * se, m + 1.96 * se, color=c, alpha=0.25, lw=0)
                ax.plot(n_mc, m, ".", color=c, ms=4)
            monotone = peak == ns[-1]
            if not monotone:
                ax.axvline(peak, color="C0", ls=":", lw=1)
            ax.set_xscale("log")
            if j > 0:  # heavy error: proxy and error explode, symlog keeps the utility readable
                ax.set_yscale("symlog", linthresh=1.0 if "Levy" in cl else 10.0)
                if "Levy" in cl:  # one labelled tick every 3 decades instead of a wall of labels
                    ax.set_ylim(-1.0, 1e13)
                    ax.set_yticks([-1, 0, 1, 1e3, 1e6, 1e9, 1e12])
                    ax.yaxis.set_minor_locator(plt.NullLocator())
            what = f"rises monotonically to N = {ns[-1]:.0e}" if monotone else f"utility peak at N ≈ {peak:.3g}"
            ax.set_title(f"{rl}, {cl}\n{what}", fontsize=9)
            ax.grid(alpha=0.3)
            if i == 1:
                ax.set_xlabel("N")
            panels[f"{rl} | {cl}"] = {
                "n": ns, "utility": r.utility, "error": r.error, "proxy": r.proxy,
                "utility_bound": r.utility_stderr, "peak_n": None if monotone else peak,
                "peak_utility": float(np.max(r.utility)), "utility_at_nmax": float(r.utility[-1]),
                "mc_n": n_mc, "mc_utility": mc.utility, "mc_utility_stderr": mc.utility_stderr,
                "mc_error": mc.error, "mc_error_stderr": mc.error_stderr,
                "mc_proxy": mc.proxy, "mc_proxy_stderr": mc.proxy_stderr}
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("best-of-N on U = V + X: exact curves, 95% Monte Carlo bands "
                 f"({trials} trials), dotted line = utility peak", fontsize=11)
    fig.tight_layout()
    return save_figure(fig, out_dir, "goodhart_best_of_n", {
        "source": "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, appendix figure bon_synthetic",
        "stated": BON_STATED, "quick": quick, "nmax": nmax, "trials": trials, "panels": panels})


FIGURES = {
    "goodhart_conditional": fig_conditional,
    "goodhart_dependent": fig_dependent,
    "goodhart_best_of_n": fig_best_of_n,
}
