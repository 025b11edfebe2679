"""Figures of the independent-steps model.

Each figure has a drawing function a user can call -- ``draw_*(rng=None, quick=False, *, ax=None,
fig=None, record=None)`` returns the matplotlib Figure (drawn into ``ax``, or a new axes of
``fig``, or a new figure) -- and a registered function ``fn(out_dir, rng, quick) -> list[Path]``
(registry ``FIGURES``) that draws it and writes the image and its JSON sidecar (the plotted numbers).

- cogpower_median_vs_n: median (and quartile band) of the average time per subtask S_n/n against n,
  log-log, for powers below, at and above Q* = 1/alpha, with the predicted medians as lines (exact
  Laplace inversion below n = 1e5, the generalised CLT beyond where it is accurate: method "auto").
- cogpower_mean_vs_power: mean time per subtask against Q > Q*: k alpha/(k alpha - 1) -> 1 (optimum).
- cogpower_budget_fraction: fraction of tasks finished within a budget B n, against n.

The source, Kwa 2023 (LessWrong shortform), states these behaviours in words; it has no figures
of them, so the figures are ours (see the cogpower theory page).
"""

from __future__ import annotations

import numpy as np

from tailpower import _draw
from tailpower._common import RNGLike, as_generator, progress, save_figure

from . import analytic
from .model import IndependentSteps

__all__ = ["draw_median_vs_n", "draw_mean_vs_power", "draw_budget_fraction", "FIGURES"]

ALPHA = 1.0
SOURCE = "Kwa 2023, 'The independent-steps model of cognitive power' (LessWrong shortform)"
STATED = "below Q* the median average time per subtask grows without bound; above Q* expected linear time; " \
         "some distance above Q* minds run close to the optimal speed (1 per subtask)"


def _plt():
    """pyplot, on the Agg backend when no display backend was chosen (the command line, tests);
    an error naming the ``plot`` extra without matplotlib."""
    return _draw.pyplot("cogpower figures")


_check = _draw.check  # the common arguments (quick, ax, fig, record), refused by name before any work
_record = _draw.keep  # the plotted numbers into the caller's record


def _axes(ax, fig, figsize):
    """(figure, axes): ``ax`` itself, else a new axes of ``fig``, else a new figure."""
    if ax is not None:
        return ax.figure, ax
    if fig is not None:
        return fig, fig.add_subplot()
    plt = _plt()
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def draw_median_vs_n(rng: RNGLike = None, quick: bool = False, *, ax=None, fig=None, record=None):
    """Median and quartiles of S_n/n against n for powers below, at and above Q* = 1/alpha.

    The dots are a simulation, the lines the predicted median (:func:`cogpower.analytic.
    quantile_prediction`, method "auto"): below Q* the median grows without bound like
    n^(1/beta - 1), above Q* it tends to the mean beta/(beta - 1) -- the threshold Kwa 2023
    (LessWrong shortform) states in words.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the simulation.
    quick : bool
        A small version (n up to 1e3, 200 tasks) instead of n up to 1e6 with 300 tasks.
    ax, fig : matplotlib Axes or Figure, optional
        Draw into ``ax``, or into a new axes of ``fig``; by default a new figure.
    record : dict, optional
        Filled with the plotted numbers (what the registered figure writes to its sidecar).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.

    Raises
    ------
    TypeError
        If ``rng``, ``quick``, ``ax``, ``fig`` or ``record`` has the wrong type.
    ValueError
        If ``ax`` is not an axes of ``fig`` (give one of them), or ``rng`` is a negative seed.

    Examples
    --------
    >>> from cogpower.figures import draw_median_vs_n
    >>> fig = draw_median_vs_n(rng=0, quick=True)  # doctest: +SKIP
    >>> fig.axes[0].get_xscale()  # (the quick version takes 3-4 s: 65 exact inversions)  # doctest: +SKIP
    'log'
    """
    quick = _check(quick, ax, fig, record)
    rng = as_generator(rng)
    n_max, tasks = (10**3, 200) if quick else (10**6, 300)
    cps = np.unique(np.round(np.geomspace(1, n_max, 13 if quick else 25)).astype(np.int64))
    powers = (0.5, 0.8, 1.0, 1.5, 3.0)
    fig, ax = _axes(ax, fig, (7.5, 5.2))
    data = {}
    import matplotlib

    colors = matplotlib.colormaps["viridis"](np.linspace(0, 0.9, len(powers)))
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
    _record(record, {"source": SOURCE, "stated": STATED, "alpha": ALPHA, "convention": "survival",
                     "tasks": tasks, "n": cps, "powers": powers, "data": data, "quick": quick})
    return fig


def draw_mean_vs_power(rng: RNGLike = None, quick: bool = False, *, ax=None, fig=None, record=None):
    """Mean time per subtask against the power Q above Q*: beta/(beta - 1), beta = k alpha, tends
    to the optimum 1 -- Kwa 2023's "some distance above Q* more power hardly helps".

    The line is the closed form (the mean of a Pareto(beta) law on [1, inf)), the dots a
    simulation with two standard errors.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the simulation.
    quick : bool
        A small simulation (n = 50, 500 tasks) instead of n = 200 with 20,000 tasks.
    ax, fig : matplotlib Axes or Figure, optional
        Draw into ``ax``, or into a new axes of ``fig``; by default a new figure.
    record : dict, optional
        Filled with the plotted numbers (what the registered figure writes to its sidecar).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.

    Raises
    ------
    TypeError
        If ``rng``, ``quick``, ``ax``, ``fig`` or ``record`` has the wrong type.
    ValueError
        If ``ax`` is not an axes of ``fig`` (give one of them), or ``rng`` is a negative seed.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from cogpower.figures import draw_mean_vs_power
    >>> fig, ax = plt.subplots()
    >>> draw_mean_vs_power(rng=0, quick=True, ax=ax) is fig
    True
    """
    quick = _check(quick, ax, fig, record)
    rng = as_generator(rng)
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
    fig, ax = _axes(ax, fig, (7, 4.8))
    ax.plot(qs, closed, "-", label="closed form k alpha/(k alpha - 1)")
    ax.errorbar(q_mc, mc, yerr=2 * np.array(se), fmt="o", ms=4, capsize=3,
                label=f"simulation: mean of S_n/n, n={n}, {tasks} tasks (±2 s.e.)")
    ax.axhline(1.0, color="k", ls=":", lw=0.8, label="optimum (every subtask takes time 1)")
    ax.axvline(qstar, color="r", ls="--", lw=0.8, label=f"Q* = {qstar:g}")
    ax.set(xlabel="cognitive power Q (k = Q approaches)", ylabel="mean time per subtask", ylim=(0.8, 6),
           title=f"Mean time per subtask above the critical power (alpha = {ALPHA})")
    ax.legend(fontsize=8)
    _record(record, {"source": SOURCE, "stated": STATED, "alpha": ALPHA, "Q": qs, "closed_form": closed,
                     "Q_mc": q_mc, "mc_mean": mc, "mc_stderr": se, "n": n, "tasks": tasks, "quick": quick})
    return fig


def draw_budget_fraction(rng: RNGLike = None, quick: bool = False, *, ax=None, fig=None, record=None):
    """Fraction of tasks finished within a budget of B = 3 per subtask, P(S_n <= B n), against n.

    By the law of large numbers it tends to 1 when the mean time per subtask is below B, to 0
    when it is above B or infinite (Q < Q*, the superlinear regime of Kwa 2023). At Q = 1.5 the
    mean beta/(beta - 1) equals B = 3 and the variance is infinite: by the generalised CLT,
    (S_n - 3n)/(sigma n^(2/3)) tends to the stable law S_1.5(1, 1, 0), so the fraction tends to
    its CDF at 0, 1/beta = 2/3 (Zolotarev 1986) (:func:`cogpower.stable_cdf`; dashed line), not 1/2.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the simulation.
    quick : bool
        A small version (n up to 1e3, 300 tasks) instead of n up to 1e5 with 2000 tasks.
    ax, fig : matplotlib Axes or Figure, optional
        Draw into ``ax``, or into a new axes of ``fig``; by default a new figure.
    record : dict, optional
        Filled with the plotted numbers (what the registered figure writes to its sidecar).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.

    Raises
    ------
    TypeError
        If ``rng``, ``quick``, ``ax``, ``fig`` or ``record`` has the wrong type.
    ValueError
        If ``ax`` is not an axes of ``fig`` (give one of them), or ``rng`` is a negative seed.

    Examples
    --------
    >>> from cogpower.figures import draw_budget_fraction
    >>> record = {}
    >>> fig = draw_budget_fraction(rng=0, quick=True, record=record)
    >>> record["budget"], len(fig.axes)
    (3.0, 1)
    """
    from .estimators import budget_fraction

    quick = _check(quick, ax, fig, record)
    rng = as_generator(rng)
    budget = 3.0
    n_max, tasks = (10**3, 300) if quick else (10**5, 2000)
    ns = np.unique(np.round(np.geomspace(1, n_max, 13 if quick else 21)).astype(np.int64))
    powers = (0.5, 1.0, 1.5, 2.0, 4.0)
    fig, ax = _axes(ax, fig, (7, 4.8))
    data = {}
    for q in progress(powers, desc="budget_fraction"):
        m = IndependentSteps(alpha=ALPHA, power=q)
        est = budget_fraction(m, budget, ns, tasks, rng)
        ax.errorbar(ns, est.value, yerr=2 * est.stderr, marker="o", ms=3, capsize=2,
                    label=f"Q = {q} (mean per subtask {m.mean_subtask_time:.3g})")
        data[str(q)] = {"fraction": est.value, "stderr": est.stderr}
        if m.mean_subtask_time == budget and 1 < m.beta < 2:  # mean = B, infinite variance
            limit = analytic.stable_cdf(0.0, m.beta)
            ax.axhline(limit, color=ax.lines[-1].get_color(), ls="--", lw=0.8,
                       label=f"Q = {q}: limit {limit:.4g}, stable CDF at 0 (generalised CLT)")
            data[str(q)]["limit"] = limit
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel="n (subtasks per task)",
           ylabel=f"P(S_n <= B n), B = {budget:g}",
           title=f"Fraction of tasks finished within budget {budget:g} per subtask (alpha = {ALPHA}, Q* = 1)\n"
                 f"{tasks} tasks; -> 1 if mean < B, -> 0 if mean > B or infinite, dashed if mean = B")
    ax.legend(fontsize=7.5, loc="center right", bbox_to_anchor=(1.0, 0.42))  # the empty band between the curves
    _record(record, {"source": SOURCE, "stated": STATED, "alpha": ALPHA, "budget": budget, "n": ns,
                     "tasks": tasks, "powers": powers, "data": data, "quick": quick})
    return fig


def median_vs_n(out_dir, rng, quick):
    """Median of S_n/n against n below, at and above Q* (Kwa 2023: superlinear time below Q*)."""
    _plt()
    record: dict = {}
    return save_figure(draw_median_vs_n(rng, quick, record=record), out_dir, "cogpower_median_vs_n", record)


def mean_vs_power(out_dir, rng, quick):
    """Mean time per subtask against Q > Q*, closed form and simulation (Kwa 2023: linear time above Q*)."""
    _plt()
    record: dict = {}
    return save_figure(draw_mean_vs_power(rng, quick, record=record), out_dir, "cogpower_mean_vs_power", record)


def budget_fraction_fig(out_dir, rng, quick):
    """Fraction of tasks within a budget B n against n (Kwa 2023's threshold; law of large numbers)."""
    _plt()
    record: dict = {}
    return save_figure(draw_budget_fraction(rng, quick, record=record), out_dir, "cogpower_budget_fraction", record)


# the gallery (inspect.unwrap) shows the drawing code of each registered figure
median_vs_n.__wrapped__ = draw_median_vs_n
mean_vs_power.__wrapped__ = draw_mean_vs_power
budget_fraction_fig.__wrapped__ = draw_budget_fraction

FIGURES = {
    "cogpower_median_vs_n": median_vs_n,
    "cogpower_mean_vs_power": mean_vs_power,
    "cogpower_budget_fraction": budget_fraction_fig,
}
