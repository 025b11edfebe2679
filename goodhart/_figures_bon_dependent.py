"""Figure ``goodhart_bon_dependent``: best-of-N utility against N for the paper's dependent-error
example beside the independent model with the same marginals.

Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, section 5.2 footnote): V ~ N(0, 1), X | V ~ N(0, 4)
if |V| <= 1, else X = 0.  The independent model with the same marginals has X ~ p N(0, 4) +
(1 - p) δ0 with p = P(|V| <= 1) = 0.683, independent of V (closed forms per component,
:class:`goodhart._bon_dependent.NormalMixtureLaw`).  Registry ``FIGURES = {name: fn(out_dir, rng,
quick) -> [png, json]}`` (merged by goodhart.figures).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

from tailpower._common import as_generator, chunk_seeds, save_figure

from . import _kernels
from ._bon_dependent import DependentTable, NormalMixtureLaw
from .best_of_n import best_of_n, best_of_n_table
from .model import Dependent, point_mass

P_INNER = 2.0 * stats.norm.cdf(1.0) - 1.0        # P(|V| <= 1)


def paper_model() -> Dependent:
    """V ~ N(0, 1); X | V ~ N(0, 4) if |V| <= 1, else X = 0 (scalar mode: the point mass)."""
    wide, zero = stats.norm(0.0, 2.0), point_mass(0.0)
    return Dependent(V=stats.norm(), error=lambda v: wide if abs(v) <= 1.0 else zero)


def independent_table(tail: float = 38.0) -> DependentTable:
    """The independent model with the paper's marginals: X ~ 0.683 N(0, 4) + 0.317 δ0."""
    law = NormalMixtureLaw(0.0, 1.0, [(P_INNER, 0.0, 2.0), (1.0 - P_INNER, 0.0, 0.0)])
    return DependentTable.from_law(law, stats.norm(), 0.0, 4.0, tail=tail)


def independent_mc(n: int, trials: int, rng) -> tuple[float, float]:
    """Mean and standard error of V at the argmax of V + X over n draws of the independent model
    (one seed per trial, so results depend only on (n, trials, rng))."""
    seeds = chunk_seeds(rng, trials)
    out_v, out_x = np.empty(trials), np.empty(trials)
    for k in range(trials):
        g = np.random.default_rng(int(seeds[k]))
        v = g.standard_normal(n)
        x = np.where(g.random(n) < P_INNER, 2.0 * g.standard_normal(n), 0.0)
        _kernels.select_argmax(v.reshape(1, n), x.reshape(1, n), out_v[k:k + 1], out_x[k:k + 1])
    return float(out_v.mean()), float(out_v.std(ddof=1) / math.sqrt(trials))


def draw_bon_dependent(quick: bool = False, *, fig=None, record=None, rng=0):
    """Best-of-N utility against N for the paper's dependent example beside the independent model
    with the same marginals (exact curves, Monte Carlo points with 95 % bars, the local extrema),
    and E[V | U = u] of both with the density of the selected U (Kwa, Thomas & Garriga-Alonso,
    arXiv 2407.14503, section 5.2 footnote).

    Parameters
    ----------
    quick : bool
        N up to 1e6 (19 points, Monte Carlo to N = 64 with 40 trials) instead of 1e12 (97 points,
        Monte Carlo to 16,384 with 100 trials).
    fig : matplotlib Figure, optional
        Draw into this figure (two new axes); default a new 13 x 5 in figure.
    record : dict, optional
        Receives the plotted numbers (the sidecar of ``tailpower figures``).
    rng : Generator, int, SeedSequence or None
        Randomness of the Monte Carlo points.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        ``quick``, ``fig`` or ``record`` of the wrong type (before any work).
    tailpower._extras.MissingExtraError
        matplotlib is not installed (the ``plot`` extra).

    Examples
    --------
    >>> from goodhart._figures_bon_dependent import draw_bon_dependent
    >>> record = {}
    >>> fig = draw_bon_dependent(quick=True, record=record)  # doctest: +SKIP
    >>> [round(e["n"], 2) for e in record["dependent_extrema"]]  # doctest: +SKIP
    [6.21, 84.06]
    >>> draw_bon_dependent(quick="yes")
    Traceback (most recent call last):
    ...
    TypeError: quick: expected a bool, got str

    (The drawing is skipped here: it takes about 1.5 s in quick mode.)
    """
    from tailpower import _draw

    quick = _draw.check(quick, None, fig, record)
    plt = _draw.pyplot("goodhart figures")
    gen = as_generator(rng)
    nmax = 1e6 if quick else 1e12
    ns = np.unique(np.round(np.geomspace(1, nmax, 19 if quick else 97)))
    n_mc = 4 ** np.arange(0, 4 if quick else 8)
    trials = 40 if quick else 100
    model = paper_model()
    dtab = best_of_n_table(model)
    itab = independent_table()
    dep, ind = dtab.curve(ns), itab.curve(ns)
    pts = 13 if quick else 121
    ext_d, ext_i = dtab.extrema(n_max=nmax, points=pts), itab.extrema(n_max=nmax, points=pts)
    mc_d = [best_of_n(model, int(n), method="mc", trials=trials, rng=gen) for n in n_mc]
    mc_i = [independent_mc(int(n), trials, gen) for n in n_mc]

    if fig is None:
        fig = plt.figure(figsize=(13, 5))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.semilogx(ns, dep.utility, "-", color="C3", label="dependent: X ~ N(0,4) if |V| ≤ 1 else 0 (exact)")
    ax1.semilogx(ns, ind.utility, "-", color="C0", label="independent, same marginals: X ~ N(0,4) w.p. 0.683, else 0")
    ax1.errorbar(n_mc, [m.utility for m in mc_d], yerr=[1.96 * m.utility_stderr for m in mc_d], fmt="s",
                 color="C3", ms=4, capsize=2, label=f"dependent, Monte Carlo ({trials} trials, 95 %)")
    ax1.errorbar(n_mc, [m for m, _ in mc_i], yerr=[1.96 * s for _, s in mc_i], fmt="o", color="C0", ms=4,
                 capsize=2, label=f"independent, Monte Carlo ({trials} trials, 95 %)")
    ax1.axhline(1.0, color="k", lw=0.8, ls="--", label="dependent limit as N → ∞: 1")
    for e in ext_d[:-1]:
        ax1.plot([e["n"]], [e["utility"]], "v" if e["kind"] == "min" else "^", color="k", ms=7)
        ax1.annotate(f"local {e['kind']}\nN = {e['n']:.2f}, E = {e['utility']:.4f}", (e["n"], e["utility"]),
                     textcoords="offset points", xytext=(8, -22 if e["kind"] == "min" else 6), fontsize=7)
    ax1.set(xlabel="N (best of N)", ylabel="E[V] of the selected draw", ylim=(-0.05, max(2.6, float(ind.utility.max()) + 0.1)),
            title="best-of-N utility: the dependent example is not monotone in N")
    ax1.title.set_fontsize(9)
    ax1.legend(fontsize=7, loc="upper left")
    ax1.grid(alpha=0.3, which="both")

    us = np.linspace(-4.0, 12.0, 321)
    md = dtab._law.evaluate(us)["mean"]
    mi = itab._law.evaluate(us)["mean"]
    ax2.plot(us, md, color="C3", label="dependent: E[V | U = u]")
    ax2.plot(us, mi, color="C0", label="independent: E[V | U = u]")
    ax2.axhline(1.0, color="k", lw=0.8, ls="--")
    for n, ls in ((6, ":"), (84, "-."), (10**6, "--")):
        r = dtab._law.evaluate(us)
        with np.errstate(all="ignore"):
            lf = np.where(r["lcdf"] > -0.69, np.log1p(-np.exp(r["lsf"])), r["lcdf"])
            dens = np.exp(math.log(n) + (n - 1) * lf + r["lpdf"])
        ax2.plot(us, dens / dens.max() * 0.8, ls, color="grey", lw=1, label=f"density of the selected U, N = {n} (dependent, scaled)")
    ax2.set(xlabel="proxy u", ylabel="E[V | U = u]", ylim=(-1.5, 2.5),
            title="why: the point-mass branch (V = U for |V| > 1) wins for u ≈ 1..3, the wide-error branch above")
    ax2.title.set_fontsize(8)
    ax2.legend(fontsize=7, loc="lower right")
    ax2.grid(alpha=0.3)
    fig.tight_layout()

    def ext(e):
        return [{k: v for k, v in x.items()} for x in e[:-1]]
    data = {
        "source": "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, section 5.2 footnote (dependent error)",
        "question": "is best-of-N utility monotone in N for the dependent example, and for the independent "
                    "model with the same marginals?",
        "quick": quick, "n": ns, "dependent_utility": dep.utility, "dependent_bound": dep.utility_stderr,
        "independent_utility": ind.utility, "independent_bound": ind.utility_stderr,
        "dependent_extrema": ext(ext_d), "independent_extrema": ext(ext_i),
        "independent_dE_dn_positive_on_grid": bool(np.all(ext_i[-1]["dE_dn"] > ext_i[-1]["dE_dn_err"])),
        "mc_n": n_mc, "mc_trials": trials, "dependent_mc": [m.utility for m in mc_d],
        "dependent_mc_stderr": [m.utility_stderr for m in mc_d], "independent_mc": [m for m, _ in mc_i],
        "independent_mc_stderr": [s for _, s in mc_i], "dependent_limit": 1.0}
    if record is not None:
        record.update(data)
    return fig


def fig_bon_dependent(out_dir, rng, quick: bool) -> list[Path]:
    """Registry entry: :func:`draw_bon_dependent` saved with its numbers as the sidecar."""
    record: dict = {}
    return save_figure(draw_bon_dependent(quick, record=record, rng=rng), out_dir, "goodhart_bon_dependent", record)


FIGURES = {"goodhart_bon_dependent": fig_bon_dependent}
