"""Figure of powerseek.symbolic: exact POWER curves (SymPy, :func:`powerseek.symbolic_power`)
beside Monte Carlo estimates, with the breakpoints of the piecewise closed forms marked.

Left: Fig. 1's star (Turner et al. 2021), whose POWER is a 4-piece rational function of gamma
(breakpoints 1/2, (sqrt 5 - 1)/2, sqrt 2/2); in quick mode the same MDP without the ``empty``
state (six distinguishing rewards instead of seven: the same breakpoints, 0.6 s instead of 6 s).
Right: the detour example (Prop. B.1, Fig. 10): POWER(s2) > POWER(s3) while P(s1 -> s3) > P(s1 -> s2).

Drawing function ``draw_symbolic`` and the registry ``FIGURES = {name: fn(out_dir, rng, quick) ->
list[Path]}`` (merged by powerseek.figures).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tailpower._common import save_figure

from . import _figures_base as base
from . import examples
from .model import MDP
from .power import optimality_probability, power_curve
from .symbolic import symbolic_optimality_probability, symbolic_power

SOURCE = ("Turner, Smith, Shah, Critch & Tadepalli, 'Optimal Policies Tend to Seek Power', NeurIPS 2021: Fig. 1 "
          "(the MDP), Prop. B.1 / Fig. 10 (detour), Def. 5.2 (POWER), Def. 6.1 (optimality probability)")


def _fig1_without_empty() -> MDP:
    """Fig. 1 of Turner et al. 2021 without the ``empty`` state (star -> {l, r})."""
    succ = {s: [t for t in ts if t != "empty"] for s, ts in
            {"star": ["l", "r"], "l": ["l_nw", "l_sw"], "l_nw": ["l_sw"], "l_sw": ["l_sw", "l_nw"],
             "r": ["r_ne", "r_se"], "r_ne": ["r_ne", "r_se"], "r_se": ["r_se", "r_ne"]}.items()}
    return MDP.from_successors(succ)


def _curve(expr, x):
    import sympy as sp

    g = sp.Symbol("gamma", positive=True)
    f = sp.lambdify(g, expr, "numpy")
    return np.broadcast_to(np.asarray(f(x), dtype=float), x.shape).copy()


def draw_symbolic(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """Exact POWER (and optimality probability) curves against gamma beside Monte Carlo points
    (Turner et al. 2021, Def. 5.2 and 6.1; iid U(0, 1) rewards): Fig. 1's star with its three
    breakpoints marked, and the detour example (Prop. B.1, Fig. 10).

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the Monte Carlo rewards (common random numbers along gamma).
    quick : bool
        Fig. 1 without the ``empty`` state on the left (same breakpoints, 0.6 s rather than 6 s
        for the symbolic part) and 2,000 samples per point instead of 20,000.
    ax, fig : matplotlib Figure, optional
        Two panels: only ``fig`` may be given (``ax`` is refused).
    record : dict, optional
        Filled with the plotted numbers (what the registered figure writes to its sidecar).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.

    Raises
    ------
    TypeError
        If ``rng``, ``quick``, ``fig`` or ``record`` has the wrong type, or ``ax`` is given.
    ValueError
        If ``rng`` is a negative seed.

    Examples
    --------
    >>> from powerseek._figures_symbolic import draw_symbolic
    >>> record = {}
    >>> fig = draw_symbolic(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> record["left"]["breakpoints"]  # doctest: +SKIP
    ['1/2', '-1/2 + sqrt(5)/2', 'sqrt(2)/2']
    """
    import sympy as sp

    quick = base.check(quick, ax, fig, record, one_panel=False)
    seed = base.seed(rng)
    samples = 2000 if quick else 20_000
    left_mdp = _fig1_without_empty() if quick else examples.turner_fig1()
    left_name = "Fig. 1 without 'empty'" if quick else "Fig. 1"
    star = symbolic_power(left_mdp, "star")
    cuts = [c.cond.rhs for c in star.args[:-1]] if isinstance(star, sp.Piecewise) else []
    det = examples.detour()
    det_pow = {s: symbolic_power(det, s) for s in ("s2", "s3")}
    det_p = {t: symbolic_optimality_probability(det, "s1", successor=t) for t in ("s2", "s3")}
    fine = np.linspace(1e-3, 1 - 1e-3, 400)
    gammas = np.linspace(0.1, 0.9, 5 if quick else 9)
    mc_star = power_curve(left_mdp, gammas, samples=samples, rng=seed)["star"]
    mc_det = power_curve(det, gammas, samples=samples, rng=seed + 1)
    mc_p = [optimality_probability(det, "s1", successor="s2", gamma=float(x), samples=samples, rng=seed + 2)
            for x in gammas]
    own = fig is None  # lay out only a figure of our own
    fig, (axl, axr) = base.panels(fig, (11, 4.4), 2)
    axl.plot(fine, _curve(star, fine), "k-", lw=1.3, label="exact (symbolic_power)")
    axl.errorbar(gammas, mc_star[0], yerr=4 * mc_star[1], fmt="o", color="tab:red", ms=4, capsize=2,
                 label=f"Monte Carlo ± 4 SE ({samples} samples)")
    for c in cuts:
        axl.axvline(float(c), color="tab:blue", ls=":", lw=1)
    if cuts:
        axl.plot([], [], color="tab:blue", ls=":", label="breakpoints " + ", ".join(sp.sstr(c) for c in cuts))
    axl.set_xlabel("γ")
    axl.set_ylabel("POWER(star, γ)")
    axl.set_title(f"{left_name}: POWER(star) is piecewise rational in γ", fontsize=10)
    axl.legend(fontsize=7)
    axl.grid(alpha=0.3)
    for s, color in (("s2", "tab:green"), ("s3", "tab:purple")):
        axr.plot(fine, _curve(det_pow[s], fine), "-", color=color, lw=1.3, label=f"POWER({s}) = {sp.sstr(sp.factor(det_pow[s]))}")
        axr.errorbar(gammas, mc_det[s][0], yerr=4 * mc_det[s][1], fmt="o", color=color, ms=3.5, capsize=2)
    for t, color, name in (("s2", "tab:orange", "N"), ("s3", "tab:brown", "NE")):
        axr.plot(fine, _curve(det_p[t], fine), "--", color=color, lw=1.3,
                 label=f"P(s1 → {t} ({name}) optimal) = {sp.sstr(sp.factor(det_p[t]))}")
    axr.errorbar(gammas, [e.value for e in mc_p], yerr=[4 * e.stderr for e in mc_p], fmt="s", color="tab:orange",
                 ms=3.5, capsize=2, label="Monte Carlo ± 4 SE")
    axr.set_xlabel("γ")
    axr.set_title("Detour (Prop. B.1): more POWER at s2, yet s3 is more often optimal", fontsize=10)
    axr.legend(fontsize=7)
    axr.grid(alpha=0.3)
    if own:
        fig.tight_layout()
    base.fill(record, {
        "source": SOURCE, "seed": seed, "samples": samples, "quick": quick, "gammas": gammas,
        "left": {"mdp": left_name, "power_star": sp.sstr(star), "breakpoints": [sp.sstr(c) for c in cuts],
                 "mc": mc_star[0], "stderr": mc_star[1]},
        "detour": {**{f"POWER({s})": sp.sstr(e) for s, e in det_pow.items()},
                   **{f"P(s1->{t})": sp.sstr(e) for t, e in det_p.items()},
                   "mc_power": {s: mc_det[s][0] for s in ("s2", "s3")},
                   "mc_P(s1->s2)": [e.value for e in mc_p]},
    })
    return fig


def symbolic(out_dir, rng, quick: bool) -> list[Path]:
    """Exact POWER curves (symbolic_power) beside Monte Carlo: Fig. 1's star with breakpoints, detour (Turner et al. 2021)."""
    base.plt()
    record: dict = {}
    return save_figure(draw_symbolic(rng, quick, record=record), out_dir, "powerseek_symbolic", record)


symbolic.__wrapped__ = draw_symbolic

FIGURES = {"powerseek_symbolic": symbolic}
