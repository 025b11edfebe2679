"""Figures of the selection half of goodhart: conditioning, dependent error, best-of-N.

Each figure has a drawing function returning the matplotlib Figure (:func:`draw_conditional`,
:func:`draw_dependent`, :func:`draw_best_of_n`) and a registered function
``fn(out_dir, rng, quick) -> [png, json]`` (registry ``FIGURES``, merged by goodhart.figures) that
draws it and writes the image and its sidecar.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

from tailpower import _draw
from tailpower._common import RNGLike, as_generator, save_figure

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


@_draw.shared_doc
def draw_conditional(quick: bool = False, *, fig=None, record=None):
    """E[V | V + X >= t] against t for light/light, light/heavy and heavy/heavy pairs (Kwa &
    Thomas 2023, Theorems 5 and 6), computed by quadrature (:func:`goodhart.conditional_mean`).

    Left: linear t up to 20; right: |E[V | U >= t] - E[V]| on log axes up to t = 1e3, where a
    heavy-tailed error (dashed) returns V to its mean and a light or equally heavy one does not.

    Parameters
    ----------
    quick : bool
        Fewer thresholds (11 and 8 instead of 41 and 31, t up to 1e2 instead of 1e3).
    {fig}
    {record}

    {returns}

    Raises
    ------
    TypeError
        ``quick``, ``fig`` or ``record`` of the wrong type.
    {missing_plot}

    Examples
    --------
    The quick version takes about 1.5 s (14 thresholds for each of 7 pairs), so it is shown, not
    run; arguments are checked before any work:

    >>> from goodhart.figures import draw_conditional
    >>> record = {}
    >>> fig = draw_conditional(quick=True, record=record)  # doctest: +SKIP
    >>> len(fig.axes), round(float(record["pairs"]["exp / exp"]["value_linear"][-1]), 6)  # doctest: +SKIP
    (2, 10.047619)
    >>> draw_conditional(quick="yes")
    Traceback (most recent call last):
    ...
    TypeError: quick: expected a bool, got str

    (10.047619 = (t² + 2t + 2)/(2(t + 1)) at t = 20, the closed form for exponential V and X.)
    """
    quick = _draw.check(quick, fig=fig, record=record)
    fig = _draw.figure(fig, (12, 4.8), "goodhart figures")
    ax1, ax2 = fig.subplots(1, 2)
    t_lin = np.linspace(0.0, 20.0, 11 if quick else 41)
    t_log = np.geomspace(1.0, 1e2 if quick else 1e3, 8 if quick else 31)
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
    _draw.keep(record, {"source": "Kwa & Thomas 2023, Theorems 5 and 6 (Appendix identity); method quad",
                        "quick": quick, "pairs": data})
    return fig


def fig_conditional(out_dir, rng, quick: bool) -> list[Path]:
    """E[V | V + X >= t] against t for light/light, light/heavy and heavy/heavy pairs (Kwa & Thomas 2023, Theorems 5 and 6)."""
    record: dict = {}
    return save_figure(draw_conditional(quick, record=record), out_dir, "goodhart_conditional", record)


# ----------------------------------------------------------------------------- dependent error
def dependent_example() -> Dependent:
    """V ~ N(0, 1); X | V ~ N(0, 4) if |V| <= 1, else X = 0 (Kwa et al. 2024, §5.2 footnote)."""
    wide = stats.norm(0.0, 2.0)
    zero = point_mass(0.0)
    return Dependent(V=stats.norm(), error=lambda v: wide if abs(v) <= 1.0 else zero)


@_draw.shared_doc
def draw_dependent(quick: bool = False, *, ax=None, fig=None, record=None):
    """Dependent error (unbiased, light-tailed, zero for |V| > 1) versus independent N(0, 4) error:
    E[V | V + X >= t] against t (Kwa, Thomas & Garriga-Alonso 2024, arXiv 2407.14503, §5.2
    footnote, which guesses the limit 0 "I think"; computed: 1, E ≈ 1 − 4/t).

    Parameters
    ----------
    quick : bool
        6 thresholds up to 1e2 instead of 25 up to 1e3.
    {ax_fig}
    {record}

    {returns}

    Raises
    ------
    TypeError
        ``quick``, ``ax``, ``fig`` or ``record`` of the wrong type.
    ValueError
        ``ax`` is not an axes of ``fig`` (give one of them).
    {missing_plot}

    Examples
    --------
    The dependent model's E[V | U >= t] climbs to 1, the independent one's grows like t/5
    (V + X ~ N(0, 5), E[V | U] = U/5):

    >>> import matplotlib.pyplot as plt
    >>> from goodhart.figures import draw_dependent
    >>> fig, ax = plt.subplots()
    >>> record = {}
    >>> draw_dependent(quick=True, ax=ax, record=record) is fig  # doctest: +SKIP
    True
    >>> float(record["dependent"][-1]) > 0.95, ax.get_xscale()  # doctest: +SKIP
    (True, 'log')
    >>> draw_dependent(quick=True, ax=ax, fig=plt.figure())
    Traceback (most recent call last):
    ...
    ValueError: ax: belongs to another figure than fig; give one of them
    >>> plt.close("all")

    (The drawing is skipped here: it takes about 0.4 s in quick mode.)
    """
    quick = _draw.check(quick, ax, fig, record)
    ts = np.geomspace(1.0, 1e2 if quick else 1e3, 6 if quick else 25)
    dep = conditional_mean(dependent_example(), t=ts)
    ind = conditional_mean(stats.norm(), stats.norm(0, 2), ts)
    fig, ax = _draw.axes(ax, fig, (7, 4.8), "goodhart figures")
    ax.loglog(ts, ind.value, "o-", label="independent X ~ N(0, 4):  t/5 → ∞")
    ax.loglog(ts, dep.value, "s-", label="dependent: X ~ N(0,4) if |V| ≤ 1 else 0")
    ax.axhline(1.0, color="k", lw=0.8, ls="--", label="computed limit 1 (mass piles up at V → 1)")
    ax.set(xlabel="threshold t", ylabel="E[V | V + X ≥ t]",
           title="source: limit 0 ('I think'); computed: limit 1, E ≈ 1 − 4/t")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    _draw.keep(record, {
        "source": "Kwa, Thomas & Garriga-Alonso 2024 §5.2 footnote / LW comment",
        "stated": {"limit": 0, "qualifier": "I think"}, "computed_limit": 1.0, "quick": quick,
        "t": ts, "dependent": dep.value, "dependent_bound": dep.stderr, "log_prob_dependent": dep.log_prob,
        "independent": ind.value})
    return fig


def fig_dependent(out_dir, rng, quick: bool) -> list[Path]:
    """Dependent error versus independent N(0, 4) error (Kwa, Thomas & Garriga-Alonso 2024, §5.2 footnote)."""
    record: dict = {}
    return save_figure(draw_dependent(quick, record=record), out_dir, "goodhart_dependent", record)


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


@_draw.shared_doc
def draw_best_of_n(rng: RNGLike = None, quick: bool = False, *, fig=None, record=None):
    """Best-of-N on U = V + X, the 2 x 5 grid of the appendix figure bon_synthetic of Kwa, Thomas &
    Garriga-Alonso (arXiv 2407.14503): exact utility, error and proxy curves
    (:meth:`goodhart.BestOfNTable.curve`) with 95% Monte Carlo bands, and the utility peak.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the Monte Carlo bands.
    quick : bool
        Curves to N = 1e4 on a coarser table and 20 trials to N = 1024, instead of N = 1e9 and
        100 trials to N = 65,536.
    {fig}
    {record}

    {returns}

    Raises
    ------
    TypeError
        ``rng``, ``quick``, ``fig`` or ``record`` of the wrong type.
    ValueError
        ``rng`` a negative seed.
    {missing_plot}

    Examples
    --------
    >>> from goodhart.figures import draw_best_of_n
    >>> record = {}
    >>> fig = draw_best_of_n(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> len(fig.axes), record["panels"]["V normal | X normal"]["peak_n"]  # doctest: +SKIP
    (10, None)
    >>> draw_best_of_n(rng=-1, quick=True)
    Traceback (most recent call last):
    ...
    ValueError: rng: an integer seed must be >= 0, got -1

    (The drawing is skipped here: the quick version takes about 5 s.)
    """
    quick = _draw.check(quick, fig=fig, record=record)
    rng = as_generator(rng)
    rows, cols = bon_grid()
    nmax, pts, res, tail = (1e4, 25, 1.5, 8.0) if quick else (1e9, 73, 0.5, 30.0)
    n_mc = 4 ** np.arange(0, 6 if quick else 9)
    trials = 20 if quick else 100
    fig = _draw.figure(fig, (19, 7.5), "goodhart figures")
    from matplotlib.ticker import NullLocator

    axes = fig.subplots(2, 5)
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
                    ax.yaxis.set_minor_locator(NullLocator())
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
    _draw.keep(record, {
        "source": "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, appendix figure bon_synthetic",
        "stated": BON_STATED, "quick": quick, "nmax": nmax, "trials": trials, "panels": panels})
    return fig


def fig_best_of_n(out_dir, rng, quick: bool) -> list[Path]:
    """Best-of-N grid: exact curves to n = 1e9 and 100-trial Monte Carlo bands to n = 65,536 (Kwa, Thomas & Garriga-Alonso, bon_synthetic)."""
    record: dict = {}
    return save_figure(draw_best_of_n(rng, quick, record=record), out_dir, "goodhart_best_of_n", record)


# the gallery (inspect.unwrap) shows the drawing code of each registered figure
fig_conditional.__wrapped__ = draw_conditional
fig_dependent.__wrapped__ = draw_dependent
fig_best_of_n.__wrapped__ = draw_best_of_n

FIGURES = {
    "goodhart_conditional": fig_conditional,
    "goodhart_dependent": fig_dependent,
    "goodhart_best_of_n": fig_best_of_n,
}
