"""Figures of the KL half of goodhart: Theorem 1 frames (paper Figure 3), the exponent-1 variant,
and Theorem 4 versus Theorem 1 paths (the reward-model tails are in ``_figures_tails``).

Each figure has a drawing function returning the matplotlib Figure (:func:`draw_kl_frame`,
:func:`draw_kl_summary`, :func:`draw_kl_exponent1`, :func:`draw_kl_tilt`) and a registered
function ``fn(out_dir, rng, quick) -> list[Path]`` (registry ``FIGURES``, merged by
goodhart.figures) that draws it and writes the image and sidecar.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

from tailpower import _draw
from tailpower._common import save_figure

from .kl import kl_construction, kl_optimum

PAPER = "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503"
T_GRID = np.geomspace(1.5, 100, 50)
X_RANGE = (-3.0, 30.0)
FEATURE = "goodhart figures"


def _log_density(Q, t: float, m: float, x: np.ndarray) -> np.ndarray:
    """log density of P_t: log f_Q(x) + log((1-m)/F_Q(t)) below t, + log(m/F̄_Q(t)) above."""
    lf = Q.logpdf(x)
    return np.where(x <= t, lf + math.log1p(-m) - Q.logcdf(t), lf + math.log(m) - Q.logsf(t))


def _NULL_LOCATOR():
    from matplotlib.ticker import NullLocator
    return NullLocator()


def _LOG_LABELS():
    from matplotlib.ticker import FuncFormatter
    return FuncFormatter(lambda v, _: "1" if v == 1 else f"1e{round(math.log10(v)):d}")


def _frame_figure(Q, x: np.ndarray, fig=None):
    """The frames' figure with everything that does not change from frame to frame; returns it
    and an update function that draws frame i of a construction result."""
    fig = fig if fig is not None else _draw.pyplot(FEATURE).figure(figsize=(13, 3.6))
    ax0, ax1, ax2 = fig.subplots(1, 3)
    bars = ax0.bar([0, 1], [0.0, 0.0], color=["C0", "C1"])
    ax0.set_xticks([0, 1], ["E[X]", "KL(P_t || Q)"])
    ax0.set_ylim(0, 5)
    labels = [ax0.text(j, 0.1, "", ha="center", fontsize=8) for j in (0, 1)]
    title = ax0.set_title("")
    lq = Q.logpdf(x)
    ax1.plot(x, np.exp(lq), color="0.4", label="Q (t, df = 3)")
    (p1,) = ax1.plot(x, np.exp(lq), color="C0", label="P_t")
    ax1.set_ylim(0, 0.4)
    ax1.legend(fontsize=8)
    ax1.set_title("density")
    ax2.semilogy(x, np.exp(lq), color="0.4")
    (p2,) = ax2.semilogy(x, np.exp(lq), color="C0")
    ax2.set_ylim(1e-10, 10)
    # plain-text labels on fixed ticks: mathtext (10^k) was parsed anew for each of the 50 frames
    ax2.set_yticks([1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0])
    ax2.yaxis.set_minor_locator(_NULL_LOCATOR())
    ax2.yaxis.set_major_formatter(_LOG_LABELS())
    ax2.set_title("density (log scale)")
    vlines = []
    for a in (ax1, ax2):
        vlines.append(a.axvline(0.0, color="C3", lw=0.6, ls=":"))
        a.set_xlim(*X_RANGE)
        a.set_xlabel("x")
    # a fixed layout (tight_layout measured every tick label of every frame: 30 of 46 s)
    fig.subplots_adjust(left=0.035, right=0.995, bottom=0.13, top=0.91, wspace=0.16)

    def update(res, i: int) -> None:
        t, m = float(res.t[i]), float(res.mass[i])
        for j, v in enumerate((res.mean[i], res.kl[i])):
            bars[j].set_height(v)
            labels[j].set_y(min(v, 4.7) + 0.1)
            labels[j].set_text(f"{v:.3f}")
        title.set_text(f"t = {t:.3g}, mass above t = {m:.3g}")
        dens = np.exp(_log_density(Q, t, m, x))
        p1.set_ydata(dens)
        p2.set_ydata(dens)
        for vl in vlines:
            vl.set_xdata([t, t])

    return fig, update


def _frame_record(res, j: int, frame: int) -> dict:
    return {"source": f"{PAPER}, Figure 3 (Theorem 1 construction)",
            "parameters": {"Q": "t(df=3)", "c": 1.0, "exponent": 0.8, "frame": int(frame)},
            "t": res.t[j], "mass": res.mass[j], "mean": res.mean[j], "kl": res.kl[j],
            "stated": "E[X] grows without bound while KL -> 0"}


@_draw.shared_doc
def draw_kl_frame(frame: int = 49, *, fig=None, record=None):
    """One frame of the paper's Figure 3 (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503):
    Theorem 1's P_t for Q = Student t (df = 3), c = 1 and mass 1/t^0.8 above t, at
    t = ``T_GRID[frame]`` (50 thresholds geometrically from 1.5 to 100).

    Panels: E_P[X] and KL(P_t || Q) as bars, the densities of Q and P_t, and the same on a log
    scale; the dotted line is t.

    Parameters
    ----------
    frame : int
        0 to 49.
    {fig}
    {record}

    {returns}

    Raises
    ------
    TypeError
        ``frame`` not an integer; ``fig`` or ``record`` of the wrong type.
    ValueError
        ``frame`` outside 0 .. 49.
    {missing_plot}

    Examples
    --------
    The last frame, t = 100: E[X] = 3.768 at KL = 0.227 (the paper's figure shows bars only):

    >>> from goodhart.figures import draw_kl_frame
    >>> record = {}
    >>> fig = draw_kl_frame(49, record=record)
    >>> len(fig.axes), round(float(record["mean"]), 4), round(float(record["kl"]), 4)
    (3, 3.7679, 0.2272)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    from tailpower._common import check_int

    _draw.check(False, fig=fig, record=record)
    frame = check_int("frame", frame, minimum=0)
    if frame >= T_GRID.size:
        raise ValueError(f"frame: must be in 0 .. {T_GRID.size - 1}, got {frame}")
    Q = stats.t(3)
    res = kl_construction(Q, T_GRID[[frame]], c=1.0, exponent=0.8)
    fig, update = _frame_figure(Q, np.linspace(*X_RANGE, 1200), fig)
    update(res, 0)
    _draw.keep(record, _frame_record(res, 0, frame))
    return fig


def kl_frames(out_dir, rng, quick: bool) -> list[Path]:
    """Paper Figure 3 as frames (Kwa, Thomas & Garriga-Alonso, Theorem 1): Student t df=3, c=1, mass 1/t^0.8 above t, t = geomspace(1.5, 100, 50)."""
    # one figure drawn once and updated frame by frame (save_figure closes it for pyplot; the
    # figure itself can still be saved)
    Q = stats.t(3)
    idx = np.array([0, 25, 49]) if quick else np.arange(T_GRID.size)
    res = kl_construction(Q, T_GRID[idx], c=1.0, exponent=0.8)
    x = np.linspace(*X_RANGE, 1200)
    paths: list[Path] = []
    fig, update = _frame_figure(Q, x)
    for j, i in enumerate(idx):
        update(res, j)
        paths += save_figure(fig, out_dir, f"goodhart_kl_frame_{i:02d}", _frame_record(res, j, i))
    return paths


@_draw.shared_doc
def draw_kl_summary(quick: bool = False, *, fig=None, record=None):
    """Small multiples of Theorem 1's path P_t (Q = Student t, df = 3, mass 1/t^0.8 above t; the
    paper's Figure 3, Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503) and E_P[X] and KL(P_t || Q)
    against t: the mean grows without bound while the KL falls to 0.

    Parameters
    ----------
    quick : bool
        Every 7th threshold of the 50 (8 in all) instead of all 50 in the right panel.
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
    >>> from goodhart.figures import draw_kl_summary
    >>> record = {}
    >>> fig = draw_kl_summary(quick=True, record=record)  # doctest: +SKIP
    >>> len(fig.axes), fig.axes[-1].get_ylabel()  # doctest: +SKIP
    (9, 'E_P[X], and KL in nats')
    >>> bool(record["mean"][-1] > record["mean"][0] and record["kl"][-1] < record["kl"][0])  # doctest: +SKIP
    True
    >>> draw_kl_summary(quick=1)
    Traceback (most recent call last):
    ...
    TypeError: quick: expected a bool, got int

    (The drawing is skipped here: nine panels take about 0.3 s.)
    """
    quick = _draw.check(quick, fig=fig, record=record)
    Q = stats.t(3)
    res = kl_construction(Q, T_GRID[::7] if quick else T_GRID, c=1.0, exponent=0.8)
    shown = np.unique(np.linspace(0, res.t.size - 1, 8).astype(int))
    fig = _draw.figure(fig, (14, 7), FEATURE)
    gs = fig.add_gridspec(2, 6)
    for j, i in enumerate(shown[:8]):
        x = np.linspace(X_RANGE[0], max(X_RANGE[1], 1.3 * res.t[i]), 800)  # the jump at t in view
        ax = fig.add_subplot(gs[j // 4, j % 4])
        ax.semilogy(x, np.exp(Q.logpdf(x)), color="0.4", lw=1, label="Q = t(3)")
        ax.semilogy(x, np.exp(_log_density(Q, res.t[i], res.mass[i], x)), color="C0", lw=1, label="P_t")
        ax.axvline(res.t[i], color="C3", lw=0.6, ls=":", label="threshold t")
        ax.set_ylim(1e-10, 10)
        ax.set_title(f"t={res.t[i]:.3g}: E[X]={res.mean[i]:.2f}, KL={res.kl[i]:.3f}", fontsize=8)
        ax.tick_params(labelsize=7)
        if j % 4 == 0:
            ax.set_ylabel("density (log scale)", fontsize=8)
        if j // 4 == 1:
            ax.set_xlabel("x", fontsize=8)
        if j == 0:
            ax.legend(fontsize=7, loc="upper right")
    ax = fig.add_subplot(gs[:, 4:])
    ax.semilogx(res.t, res.mean, "o-", ms=3, color="C0", label="E_P[X]")
    ax.semilogx(res.t, res.kl, "o-", ms=3, color="C1", label="KL(P_t || Q)")
    ax.set_xlabel("threshold t")
    ax.set_ylabel("E_P[X], and KL in nats")
    ax.set_ylim(0, 5)
    ax.legend()
    ax.set_title("mass 1/t^0.8 above t, Q = t(3)")
    _draw.keep(record, {
        "source": f"{PAPER}, Figure 3",
        "parameters": {"Q": "t(df=3)", "c": 1.0, "exponent": 0.8},
        "t": res.t, "mean": res.mean, "kl": res.kl, "mass": res.mass,
        "stated": "E[X] grows without bound while KL -> 0",
    })
    return fig


def kl_summary(out_dir, rng, quick: bool) -> list[Path]:
    """Small multiples of the Theorem 1 path plus E[X] and KL against t (Kwa, Thomas & Garriga-Alonso, Figure 3)."""
    record: dict = {}
    return save_figure(draw_kl_summary(quick, record=record), out_dir, "goodhart_kl_summary", record)


@_draw.shared_doc
def draw_kl_exponent1(quick: bool = False, *, fig=None, record=None):
    """The Figure 3 caption's variant (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503): with mass
    1/t above t, E_P[X] converges -- to c·df/(df - 1) = 1.5 for Q = t(3), not to 1 as the caption
    says -- while the KL falls to 0; exponent 0.8 for comparison.

    Parameters
    ----------
    quick : bool
        12 thresholds from 1.5 to 1e6 instead of 60.
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
    >>> from goodhart.figures import draw_kl_exponent1
    >>> record = {}
    >>> fig = draw_kl_exponent1(quick=True, record=record)
    >>> round(float(record["mean_exponent1"][-1]), 4), record["computed_limit"]   # t = 1e6
    (1.5, 1.5)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    quick = _draw.check(quick, fig=fig, record=record)
    Q = stats.t(3)
    ts = np.geomspace(1.5, 1e6, 12 if quick else 60)
    r1 = kl_construction(Q, ts, c=1.0, exponent=1.0)
    r8 = kl_construction(Q, ts, c=1.0, exponent=0.8)
    fig = _draw.figure(fig, (11, 4), FEATURE)
    a, b = fig.subplots(1, 2)
    a.semilogx(ts, r1.mean, color="C0", label="exponent 1")
    a.semilogx(ts, r8.mean, color="C0", ls="--", label="exponent 0.8")
    a.axhline(1.5, color="k", lw=0.7, ls=":", label="limit c·df/(df-1) = 1.5")
    a.axhline(1.0, color="C3", lw=0.7, ls=":", label="caption: 'converge to 1'")
    a.set_ylim(0, 8)
    a.set_xlabel("threshold t")
    a.set_ylabel("E_P[X]")
    a.legend(fontsize=8)
    b.loglog(ts, r1.kl, color="C1", label="exponent 1")
    b.loglog(ts, r8.kl, color="C1", ls="--", label="exponent 0.8")
    b.set_xlabel("threshold t")
    b.set_ylabel("KL(P_t || Q) (nats)")
    b.legend(fontsize=8)
    fig.suptitle("Theorem 1 construction, Q = Student t (df = 3), c = 1")
    _draw.keep(record, {
        "source": f"{PAPER}, Figure 3 caption",
        "parameters": {"Q": "t(df=3)", "c": 1.0},
        "t": ts, "mean_exponent1": r1.mean, "kl_exponent1": r1.kl,
        "mean_exponent08": r8.mean, "kl_exponent08": r8.kl,
        "stated": "with 1/t, E[X] would converge to 1 while KL goes to zero faster",
        "computed_limit": 1.5,
    })
    return fig


def kl_exponent1(out_dir, rng, quick: bool) -> list[Path]:
    """The caption's variant: mass 1/t above t; E[X] converges (to 1.5 = df/(df-1), not 1) (Kwa, Thomas & Garriga-Alonso, Figure 3 caption)."""
    record: dict = {}
    return save_figure(draw_kl_exponent1(quick, record=record), out_dir, "goodhart_kl_exponent1", record)


def _label_path(ax, xs, ys, labels: dict, color, direction: str) -> None:
    """Write ``labels`` ({index: text}) next to those points of a path, and an arrow along its
    middle segment pointing the way the path runs (``direction`` says what changes that way)."""
    for i, text in labels.items():
        ax.annotate(text, (xs[i], ys[i]), textcoords="offset points", xytext=(4, 5), fontsize=7, color=color)
    k = max(len(xs) // 2, 1)
    if len(xs) >= 2:
        ax.annotate("", xy=(xs[k], ys[k]), xytext=(xs[k - 1], ys[k - 1]),
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.5, "shrinkA": 3, "shrinkB": 3,
                                "mutation_scale": 14})
        ax.annotate(direction, (xs[k], ys[k]), fontsize=8, color=color, textcoords="offset points",
                    xytext=(-46, 8))
    ax.margins(x=0.12, y=0.1)  # room for the labels at the ends


@_draw.shared_doc
def draw_kl_tilt(quick: bool = False, *, fig=None, record=None):
    """E[V] and E[U] against the KL divergence from the base policy, V ~ N(0, 1): Theorem 4's
    optimum for light (normal) error, where E[V] grows without bound, versus Theorem 1's path for
    heavy (t3) error, where E[U] grows as the KL falls and E[V] stays at 0 (Kwa, Thomas &
    Garriga-Alonso, arXiv 2407.14503).

    Each path is labelled with its parameter (beta, or the threshold t) and an arrow shows the
    direction in which it moves.

    Parameters
    ----------
    quick : bool
        8 values of beta and 4 thresholds instead of 40 and 8.
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
    The light-tailed optimum has E[V] = 1/beta and KL = 1/beta² (s_V = s_X = 1):

    >>> from goodhart.figures import draw_kl_tilt
    >>> record = {}
    >>> fig = draw_kl_tilt(quick=True, record=record)
    >>> light = record["light"]
    >>> bool(abs(light["mean_V"] * light["beta"] - 1).max() < 1e-9)
    True
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    quick = _draw.check(quick, fig=fig, record=record)
    V = stats.norm()
    betas = np.geomspace(20, 0.2, 8 if quick else 40)          # beta falls: the policy moves further
    light = kl_optimum(V, stats.norm(), beta=betas)
    ts = np.geomspace(3, 100, 4 if quick else 8)                # t grows: KL falls, E[U] grows
    heavy = kl_construction(stats.t(3), ts, c=1.0, exponent=0.8, utility=V)
    fig = _draw.figure(fig, (11, 4.4), FEATURE)
    a, b = fig.subplots(1, 2)
    a.plot(light.kl, light.mean_U, "o-", ms=3, color="C1", label="E[U]")
    a.plot(light.kl, light.mean_V, "o-", ms=3, color="C0", label="E[V]")
    _label_path(a, light.kl, light.mean_U, {i: f"β = {betas[i]:.3g}" for i in (0, betas.size - 1)}, "C1",
                "β falls")
    a.set_xscale("log")
    a.set_xlabel("KL(π*_β || π0) (nats)")
    a.set_ylabel("expectation under the policy")
    a.set_title("Theorem 4: light error X ~ N(0,1), optimum ∝ π0·exp(U/β)", fontsize=9)
    a.legend(loc="upper left")
    b.plot(heavy.kl, heavy.mean, "o-", ms=3, color="C1", label="E[U]")
    b.plot(heavy.kl, heavy.mean_V, "o-", ms=3, color="C0", label="E[V]")
    _label_path(b, heavy.kl, heavy.mean, {i: f"t = {t:.3g}" for i, t in enumerate(ts)}, "C1", "t grows")
    b.set_xscale("log")
    b.set_xlabel("KL(P_t || π0) (nats)")
    b.set_ylabel("expectation under the policy")
    b.set_title("Theorem 1 path: heavy error X ~ t(3), mass 1/t^0.8 above t", fontsize=9)
    b.legend(loc="center left")
    for ax in (a, b):
        ax.axhline(0, color="k", lw=0.5)
    _draw.keep(record, {
        "source": f"{PAPER}, Theorems 1 and 4",
        "parameters": {"V": "norm(0,1)", "light_X": "norm(0,1)", "heavy_X": "t(3)", "c": 1.0, "exponent": 0.8},
        "light": {"beta": betas, "kl": light.kl, "mean_V": light.mean_V, "mean_U": light.mean_U},
        "heavy": {"t": ts, "kl": heavy.kl, "mean_V": heavy.mean_V, "mean_U": heavy.mean},
        "closed_form_light": "E[V] = 1/beta, KL = 1/beta^2 (s_V = s_X = 1)",
    })
    return fig


def kl_tilt(out_dir, rng, quick: bool) -> list[Path]:
    """E[V] against KL: Theorem 4's optimum for light error versus Theorem 1's path for heavy error (Kwa, Thomas & Garriga-Alonso)."""
    record: dict = {}
    return save_figure(draw_kl_tilt(quick, record=record), out_dir, "goodhart_kl_tilt", record)


# the gallery (inspect.unwrap) shows the drawing code of each registered figure
kl_frames.__wrapped__ = draw_kl_frame
kl_summary.__wrapped__ = draw_kl_summary
kl_exponent1.__wrapped__ = draw_kl_exponent1
kl_tilt.__wrapped__ = draw_kl_tilt

FIGURES = {
    "goodhart_kl_frames": kl_frames,
    "goodhart_kl_summary": kl_summary,
    "goodhart_kl_exponent1": kl_exponent1,
    "goodhart_kl_tilt": kl_tilt,
}
