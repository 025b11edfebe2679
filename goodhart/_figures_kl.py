"""Figures of the KL half of goodhart: Theorem 1 frames (paper Figure 3), the exponent-1 variant,
Theorem 4 versus Theorem 1 paths, and the reward-model tail reports (paper §6).

Registry: ``FIGURES = {name: fn(out_dir, rng, quick) -> list[Path]}`` (merged by goodhart.figures).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

from tailpower._common import save_figure

from .kl import kl_construction, kl_optimum
from .tails import load_rewards, tail_report

PAPER = "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503"
T_GRID = np.geomspace(1.5, 100, 50)
X_RANGE = (-3.0, 30.0)


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


def _frame_figure(Q, x: np.ndarray):
    """The frames' figure with everything that does not change from frame to frame; returns it
    and an update function that draws frame i of a construction result."""
    import matplotlib.pyplot as plt

    fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(13, 3.6))
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


def kl_frames(out_dir, rng, quick: bool) -> list[Path]:
    """Paper Figure 3 as frames: Student t df=3, c=1, mass 1/t^0.8 above t, t = geomspace(1.5, 100, 50).
    One figure is drawn and updated frame by frame (save_figure closes it for pyplot; the figure
    itself can still be saved)."""
    Q = stats.t(3)
    idx = np.array([0, 25, 49]) if quick else np.arange(T_GRID.size)
    res = kl_construction(Q, T_GRID[idx], c=1.0, exponent=0.8)
    x = np.linspace(*X_RANGE, 1200)
    paths: list[Path] = []
    fig, update = _frame_figure(Q, x)
    for j, i in enumerate(idx):
        update(res, j)
        paths += save_figure(fig, out_dir, f"goodhart_kl_frame_{i:02d}", {
            "source": f"{PAPER}, Figure 3 (Theorem 1 construction)",
            "parameters": {"Q": "t(df=3)", "c": 1.0, "exponent": 0.8, "frame": int(i)},
            "t": res.t[j], "mass": res.mass[j], "mean": res.mean[j], "kl": res.kl[j],
            "stated": "E[X] grows without bound while KL -> 0",
        })
    return paths


def kl_summary(out_dir, rng, quick: bool) -> list[Path]:
    """Small multiples of the Theorem 1 path plus E[X] and KL against t (all 50 frames' numbers)."""
    import matplotlib.pyplot as plt

    Q = stats.t(3)
    res = kl_construction(Q, T_GRID[::7] if quick else T_GRID, c=1.0, exponent=0.8)
    shown = np.unique(np.linspace(0, res.t.size - 1, 8).astype(int))
    x = np.linspace(*X_RANGE, 800)
    fig = plt.figure(figsize=(14, 7))
    gs = fig.add_gridspec(2, 6)
    for j, i in enumerate(shown[:8]):
        ax = fig.add_subplot(gs[j // 4, j % 4])
        ax.semilogy(x, np.exp(Q.logpdf(x)), color="0.4", lw=1)
        ax.semilogy(x, np.exp(_log_density(Q, res.t[i], res.mass[i], x)), color="C0", lw=1)
        ax.set_ylim(1e-10, 10)
        ax.set_title(f"t={res.t[i]:.3g}: E[X]={res.mean[i]:.2f}, KL={res.kl[i]:.3f}", fontsize=8)
        ax.tick_params(labelsize=7)
    ax = fig.add_subplot(gs[:, 4:])
    ax.semilogx(res.t, res.mean, "o-", ms=3, color="C0", label="E_P[X]")
    ax.semilogx(res.t, res.kl, "o-", ms=3, color="C1", label="KL(P_t || Q)")
    ax.set_xlabel("t")
    ax.set_ylim(0, 5)
    ax.legend()
    ax.set_title("mass 1/t^0.8 above t, Q = t(3)")
    fig.tight_layout()
    return save_figure(fig, out_dir, "goodhart_kl_summary", {
        "source": f"{PAPER}, Figure 3",
        "parameters": {"Q": "t(df=3)", "c": 1.0, "exponent": 0.8},
        "t": res.t, "mean": res.mean, "kl": res.kl, "mass": res.mass,
        "stated": "E[X] grows without bound while KL -> 0",
    })


def kl_exponent1(out_dir, rng, quick: bool) -> list[Path]:
    """The caption's variant: mass 1/t above t; E[X] converges (to 1.5 = df/(df-1), not 1)."""
    import matplotlib.pyplot as plt

    Q = stats.t(3)
    ts = np.geomspace(1.5, 1e6, 12 if quick else 60)
    r1 = kl_construction(Q, ts, c=1.0, exponent=1.0)
    r8 = kl_construction(Q, ts, c=1.0, exponent=0.8)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    a.semilogx(ts, r1.mean, color="C0", label="exponent 1")
    a.semilogx(ts, r8.mean, color="C0", ls="--", label="exponent 0.8")
    a.axhline(1.5, color="k", lw=0.7, ls=":", label="limit c·df/(df-1) = 1.5")
    a.axhline(1.0, color="C3", lw=0.7, ls=":", label="caption: 'converge to 1'")
    a.set_ylim(0, 8)
    a.set_xlabel("t")
    a.set_ylabel("E_P[X]")
    a.legend(fontsize=8)
    b.loglog(ts, r1.kl, color="C1", label="exponent 1")
    b.loglog(ts, r8.kl, color="C1", ls="--", label="exponent 0.8")
    b.set_xlabel("t")
    b.set_ylabel("KL(P_t || Q)")
    b.legend(fontsize=8)
    fig.suptitle("Theorem 1 construction, Q = Student t (df = 3), c = 1")
    fig.tight_layout()
    return save_figure(fig, out_dir, "goodhart_kl_exponent1", {
        "source": f"{PAPER}, Figure 3 caption",
        "parameters": {"Q": "t(df=3)", "c": 1.0},
        "t": ts, "mean_exponent1": r1.mean, "kl_exponent1": r1.kl,
        "mean_exponent08": r8.mean, "kl_exponent08": r8.kl,
        "stated": "with 1/t, E[X] would converge to 1 while KL goes to zero faster",
        "computed_limit": 1.5,
    })


def kl_tilt(out_dir, rng, quick: bool) -> list[Path]:
    """E[V] against KL: Theorem 4's optimum for light (normal) error versus Theorem 1's path for
    heavy (t3) error, both with V ~ N(0, 1)."""
    import matplotlib.pyplot as plt

    V = stats.norm()
    betas = np.geomspace(0.2, 20, 8 if quick else 40)
    light = kl_optimum(V, stats.norm(), beta=betas)
    ts = np.geomspace(3, 100, 2 if quick else 8)
    heavy = kl_construction(stats.t(3), ts, c=1.0, exponent=0.8, utility=V)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
    a.plot(light.kl, light.mean_U, "o-", ms=3, color="C1", label="E[U]")
    a.plot(light.kl, light.mean_V, "o-", ms=3, color="C0", label="E[V]")
    a.set_xscale("log")
    a.set_xlabel("KL(π*_β || π0)")
    a.set_title("Theorem 4: light error X ~ N(0,1), optimum ∝ π0·exp(U/β)")
    a.legend()
    b.plot(heavy.kl, heavy.mean, "o-", ms=3, color="C1", label="E[U]")
    b.plot(heavy.kl, heavy.mean_V, "o-", ms=3, color="C0", label="E[V]")
    b.set_xscale("log")
    b.set_xlabel("KL(P_t || π0)")
    b.set_title("Theorem 1 path: heavy error X ~ t(3), mass 1/t^0.8 above t")
    b.legend()
    for ax in (a, b):
        ax.axhline(0, color="k", lw=0.5)
    fig.tight_layout()
    return save_figure(fig, out_dir, "goodhart_kl_tilt", {
        "source": f"{PAPER}, Theorems 1 and 4",
        "parameters": {"V": "norm(0,1)", "light_X": "norm(0,1)", "heavy_X": "t(3)", "c": 1.0, "exponent": 0.8},
        "light": {"beta": betas, "kl": light.kl, "mean_V": light.mean_V, "mean_U": light.mean_U},
        "heavy": {"t": ts, "kl": heavy.kl, "mean_V": heavy.mean_V, "mean_U": heavy.mean},
        "closed_form_light": "E[V] = 1/beta, KL = 1/beta^2 (s_V = s_X = 1)",
    })


def _tails(which: str, title: str, stated: str):
    def fig_fn(out_dir, rng, quick: bool) -> list[Path]:
        data = load_rewards(which)
        if quick:
            data = data[:4000]
        rep = tail_report(data, title=title, rng=rng)
        return save_figure(rep.figure, out_dir, f"goodhart_tails_{which}", {
            "source": f"{PAPER}, §6 (reward-model tails)",
            "parameters": {"data": which, "n": rep.n, "quick": quick},
            "mean": rep.mean, "std": rep.std, "skewness": rep.skewness, "excess_kurtosis": rep.excess_kurtosis,
            "normal_qq_r": rep.normal_qq_r, "exp_qq_r": rep.exp_qq_r, "n_positive": rep.n_positive,
            "hill_at": rep.hill_at, "pickands_at": rep.pickands_at, "moment_at": rep.moment_at,
            "normal_reference_hill": rep.normal_reference_hill,
            "hill_k": rep.hill_k, "hill_gamma": rep.hill_gamma, "hill_stderr": rep.hill_stderr,
            "stated": stated,
        })
    return fig_fn


FIGURES = {
    "goodhart_kl_frames": kl_frames,
    "goodhart_kl_summary": kl_summary,
    "goodhart_kl_exponent1": kl_exponent1,
    "goodhart_kl_tilt": kl_tilt,
    "goodhart_tails_random": _tails("random", "Starling-RM-7B-alpha, 30,000 random token sequences",
                                    "Hill estimate appears to be 0.20 for higher values"),
    "goodhart_tails_llama": _tails("llama", "Starling-RM-7B-alpha, 16,000 Llama-2-7b-chat generations",
                                   "approximately normal"),
}
