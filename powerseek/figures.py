"""Figures of powerseek.

Each figure has a drawing function a user can call -- ``draw_*(rng=None, quick=False, *, ax=None,
fig=None, record=None)`` returns the matplotlib Figure: a one-panel figure is drawn into ``ax``,
or a new axes of ``fig``, or a new figure; a figure of several panels (no ``ax``) into ``fig`` or
a new figure -- and a registered function ``fn(out_dir, rng, quick) -> list[Path]`` (registry
``FIGURES``) that draws it and writes the image and its JSON sidecar (the plotted numbers, the
source's stated numbers and the citation as ``source``).

- ``powerseek_fig1_mdp``: Turner et al. 2021 Fig. 1 MDP drawn with POWER per state (gamma = 0.5, MC).
- ``powerseek_power_vs_gamma``: POWER vs gamma on Fig. 1, Monte Carlo with 5-SE bars, the closed
  forms of Fig. 3 (and the ones derived in proofs/powerseek.py) overlaid.
- ``powerseek_detour``: the detour example (Prop. B.1): POWER of s2 / s3 and optimality
  probability of N / NE at s1 against gamma.
- ``powerseek_grid_heatmap``: POWER per cell of a two-room gridworld at two discount rates.
- ``powerseek_orbit_rules``, ``powerseek_orbit_fig1`` (:mod:`powerseek._figures_orbits`): orbit
  tendencies of decision-makers (Turner & Tadepalli 2022).
- ``powerseek_aup``, ``powerseek_power_averse`` (:mod:`powerseek._figures_aup`): AUP agents and
  power-averse rewards against the penalty weight.
- ``powerseek_multiagent`` (:mod:`powerseek._figures_multiagent`): POWER of one agent against the
  correlation of the two agents' rewards.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tailpower._common import save_figure

from . import _figures_base as base
from . import examples
from ._figures_aup import draw_aup, draw_power_averse
from ._figures_base import TURNER_2021
from ._figures_multiagent import draw_multiagent
from ._figures_orbits import draw_orbit_fig1, draw_orbit_rules
from ._figures_symbolic import draw_symbolic
from .model import MDP
from .power import optimality_probability, power, power_curve

__all__ = ["draw_fig1_mdp", "draw_power_vs_gamma", "draw_detour", "draw_grid_heatmap", "draw_orbit_rules",
           "draw_orbit_fig1", "draw_aup", "draw_power_averse", "draw_multiagent", "draw_symbolic", "FIGURES"]

FIG1_POS = {
    "star": (0.0, 0.0),
    "empty": (0.0, -1.1),
    "l": (-1.2, 0.0),
    "l_nw": (-2.3, 0.7),
    "l_sw": (-2.3, -0.7),
    "r": (1.2, 0.0),
    "r_ne": (2.3, 0.7),
    "r_se": (2.3, -0.7),
}

# the closed forms of POWER on Fig. 1 (proofs.powerseek.fig1_power; the first three stated in Fig. 3):
# (states, formula, colour) -- one line per formula
FIG1_CLOSED = (
    (("empty",), "1/2", "tab:gray"),
    (("l_sw", "l"), "(2/3 + γ/2)/(1 + γ)", "tab:blue"),
    (("l_nw",), "(1/2 + 2γ/3)/(1 + γ)", "tab:green"),
    (("r_se", "r_ne", "r"), "2/3", "tab:red"),
)



def _fig1_closed(gamma: np.ndarray) -> dict[str, np.ndarray]:
    """Closed forms (proofs/powerseek.fig1_power; the first three are stated in Fig. 3)."""
    g = np.asarray(gamma, dtype=float)
    lsw = (2 / 3 + g / 2) / (1 + g)
    return {
        "empty": np.full_like(g, 0.5),
        "l_sw": lsw,
        "l": lsw,
        "l_nw": (0.5 + 2 * g / 3) / (1 + g),
        "r_se": np.full_like(g, 2 / 3),
        "r_ne": np.full_like(g, 2 / 3),
        "r": np.full_like(g, 2 / 3),
    }


def draw_fig1_mdp(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """The MDP of Turner et al. 2021 ("Optimal Policies Tend to Seek Power"), Fig. 1, each state
    coloured and labelled with its POWER at gamma = 0.5 (Def. 5.2; Monte Carlo, iid U(0, 1)).

    Fig. 3 of the paper states POWER(empty) = 1/2, POWER(l_sw) = (2/3 + gamma/2)/(1 + gamma)
    (0.611 at gamma = 0.5) and POWER(r_se) = 2/3: the recorded numbers agree with them.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the Monte Carlo estimate (an integer seed drawn from it is recorded).
    quick : bool
        2000 reward samples instead of 50,000.
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
    >>> from powerseek.figures import draw_fig1_mdp
    >>> record = {}
    >>> fig = draw_fig1_mdp(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> # a terminal state's POWER is E[R] = 1/2: the estimate lies within 5 standard errors
    >>> bool(abs(record["power"]["empty"] - 0.5) < 5 * record["stderr"]["empty"])  # doctest: +SKIP
    True
    """
    import networkx as nx
    from matplotlib.patches import Circle

    quick = base.check(quick, ax, fig, record)
    seed = base.seed(rng)
    mdp = examples.turner_fig1()
    samples = 2000 if quick else 50_000
    gamma = 0.5
    res = power(mdp, gamma, samples=samples, rng=seed)
    g = mdp.to_graph()
    fig, ax = base.axes(ax, fig, (8, 4.2))
    vals = np.array([res[s].value for s in g.nodes])
    nodes = nx.draw_networkx_nodes(g, FIG1_POS, ax=ax, node_color=vals, cmap="viridis", vmin=0.45, vmax=0.8, node_size=1500)
    nx.draw_networkx_edges(g, FIG1_POS, ax=ax, node_size=1500, arrowsize=16, connectionstyle="arc3,rad=0.12")
    labels = {s: f"{s}\n{res[s].value:.3f}" for s in g.nodes}
    nx.draw_networkx_labels(g, FIG1_POS, labels, ax=ax, font_size=8, font_color="white")
    for s in g.nodes:  # self-loops: a small ring on the outer side of the node
        if g.has_edge(s, s):
            x0, y0 = FIG1_POS[s]
            dx = 0.0 if s == "empty" else (0.33 if x0 > 0 else -0.33)
            dy = -0.33 if s == "empty" else 0.0
            ax.add_patch(Circle((x0 + dx, y0 + dy), 0.13, fill=False, lw=1.2))
    fig.colorbar(nodes, ax=ax, label=f"POWER(s, γ={gamma})")
    ax.set_title(f"Turner et al. 2021, Fig. 1 MDP: POWER per state (γ={gamma}, iid U(0,1), {samples} samples; rings = self-loops)", fontsize=10)
    ax.set_ylim(-1.65, 1.05)
    ax.axis("off")
    base.fill(record, {
        "source": f"{TURNER_2021}, Fig. 1 (the MDP) and Fig. 3 (stated POWER)",
        "gamma": gamma,
        "samples": samples,
        "seed": seed,
        "power": res.as_dict(),
        "stderr": dict(zip(res.states, res.stderr)),
        "stated": {"POWER(empty)": 0.5, "POWER(l_sw)": "(2/3 + g/2)/(1+g)", "POWER(r_se)": 2 / 3,
                   "POWER(l_sw) at g=0.5": (2 / 3 + 0.25) / 1.5},
        "quick": quick,
    })
    return fig


def draw_power_vs_gamma(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """POWER of every state of Turner et al. 2021's Fig. 1 MDP against gamma: Monte Carlo
    (points, 5 standard errors) and the closed forms (lines).

    The closed forms are those of the paper's Fig. 3 -- POWER(empty) = 1/2, POWER(l_sw) =
    (2/3 + gamma/2)/(1 + gamma), POWER(r_se) = 2/3 -- and the ones derived in
    :func:`proofs.powerseek.fig1_power` (l = l_sw, l_nw = (1/2 + 2 gamma/3)/(1 + gamma), r = r_ne =
    2/3); the stars are the exact limits 3/4 and 517/640 of POWER(star) at gamma = 0 and 1.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the Monte Carlo estimates (an integer seed drawn from it is recorded).
    quick : bool
        7 discount rates and 1000 samples instead of 21 and 20,000.
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
    >>> from powerseek.figures import draw_power_vs_gamma
    >>> fig, ax = plt.subplots()  # doctest: +SKIP
    >>> draw_power_vs_gamma(rng=0, quick=True, ax=ax) is fig  # doctest: +SKIP
    True
    >>> [t.get_text() for t in ax.get_legend().get_texts() if t.get_text().startswith("closed")][0]  # doctest: +SKIP
    'closed form, empty: 1/2'
    """
    quick = base.check(quick, ax, fig, record)
    seed = base.seed(rng)
    mdp = examples.turner_fig1()
    gammas = np.r_[0.0, np.linspace(0.05, 0.95, 5 if quick else 19), 1.0]
    samples = 1000 if quick else 20_000
    curve = power_curve(mdp, gammas, samples=samples, rng=seed)
    fine = np.linspace(0, 1, 201)
    closed = _fig1_closed(fine)
    fig, ax = base.axes(ax, fig, (7.5, 5.4))
    colors = {"star": "k", "empty": "tab:gray", "l": "tab:olive", "l_nw": "tab:green", "l_sw": "tab:blue",
              "r": "tab:pink", "r_ne": "tab:purple", "r_se": "tab:red"}
    for s in mdp.states:
        v, e = curve[s]
        mk = {"l": "x", "r": "s", "r_ne": "^"}.get(s, "o")
        ax.errorbar(gammas, v, yerr=5 * e, fmt=mk, ms=3.5 if mk == "o" else 6, mfc="none" if mk != "o" else None,
                    color=colors[s], label=f"{s} (MC)", capsize=2)
    for states, formula, color in FIG1_CLOSED:
        ax.plot(fine, closed[states[0]], "-", color=color, lw=1.2, alpha=0.8,
                label=f"closed form, {', '.join(states)}: {formula}")
    ax.plot([0, 1], [0.75, 517 / 640], "k*", ms=11, label="star: exact limits 3/4 (γ=0), 517/640 (γ=1)")
    ax.set_xlabel("γ")
    ax.set_ylabel("POWER(s, γ)")
    ax.set_title("Fig. 1 MDP: POWER vs γ (points: Monte Carlo ± 5 SE; lines: closed forms)", fontsize=10)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    ax.set_ylim(0.45, 0.85)
    ax.grid(alpha=0.3)
    base.fill(record, {
        "source": f"{TURNER_2021}, Fig. 1 (the MDP) and Fig. 3 (closed forms of POWER)",
        "samples": samples,
        "seed": seed,
        "gammas": gammas,
        "power": {s: curve[s][0] for s in mdp.states},
        "stderr": {s: curve[s][1] for s in mdp.states},
        "closed_forms": {"l_sw, l": "(2/3 + g/2)/(1+g)", "l_nw": "(1/2 + 2g/3)/(1+g)", "empty": "1/2",
                         "r, r_ne, r_se": "2/3", "star": "3/4 at g=0, 517/640 at g=1"},
        "stated": {"POWER(empty)": 0.5, "POWER(l_sw)": "(2/3 + g/2)/(1+g)", "POWER(r_se)": 2 / 3},
        "quick": quick,
    })
    return fig


def draw_detour(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """The detour example of Turner et al. 2021 (Prop. B.1, Fig. 10): at gamma = 1 the move to
    s2 leads to more POWER (3/4 > 2/3) yet is less often optimal (1/3 < 2/3) than the move to s3.

    Left panel: POWER of s2 and s3 against gamma; right panel: the optimality probability of the
    two moves at s1 (Monte Carlo, iid U(0, 1), 5 standard errors), with the stated values at
    gamma = 1 as stars.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the Monte Carlo estimates (an integer seed drawn from it is recorded).
    quick : bool
        6 discount rates and 1000 samples instead of 14 and 20,000.
    ax, fig : None, or a matplotlib Figure as fig
        The two panels are drawn into ``fig``, by default a new figure; an axes holds one panel
        only, so ``ax`` must be None.
    record : dict, optional
        Filled with the plotted numbers (what the registered figure writes to its sidecar).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.

    Raises
    ------
    TypeError
        If ``ax`` is given, or ``rng``, ``quick``, ``fig`` or ``record`` has the wrong type.
    ValueError
        If ``rng`` is a negative seed.

    Examples
    --------
    >>> from powerseek.figures import draw_detour
    >>> record = {}
    >>> fig = draw_detour(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> len(fig.axes), record["stated"]["P(s1,N,1)"] == 1 / 3  # (1 s: 12 estimates)  # doctest: +SKIP
    (2, True)
    """
    quick = base.check(quick, ax, fig, record, one_panel=False)
    seed = base.seed(rng)
    mdp = examples.detour()
    gammas = np.r_[0.0, np.linspace(0.1, 0.95, 4 if quick else 12), 1.0]
    samples = 1000 if quick else 20_000
    curve = power_curve(mdp, gammas, samples=samples, rng=seed)
    pN, pNE = [], []
    for gm in gammas:
        a = optimality_probability(mdp, "s1", successor="s2", gamma=float(gm), samples=samples, rng=seed + 1)
        b = optimality_probability(mdp, "s1", successor="s3", gamma=float(gm), samples=samples, rng=seed + 1)
        pN.append((a.value, a.stderr))
        pNE.append((b.value, b.stderr))
    pN, pNE = np.array(pN), np.array(pNE)
    fig, (a1, a2) = base.panels(fig, (10, 4), 2)
    for s, c in (("s2", "tab:blue"), ("s3", "tab:orange")):
        v, e = curve[s]
        a1.errorbar(gammas, v, yerr=5 * e, fmt="o-", ms=3.5, color=c, label=f"POWER({s})", capsize=2)
    a1.plot([1, 1], [0.75, 2 / 3], "k*", ms=10, label="stated γ=1: 3/4, 2/3")
    a1.set_xlabel("γ")
    a1.set_ylabel("POWER")
    a1.set_title("POWER of the two successors of s1", fontsize=10)
    a1.legend(fontsize=8)
    a1.grid(alpha=0.3)
    a2.errorbar(gammas, pN[:, 0], yerr=5 * pN[:, 1], fmt="o-", ms=3.5, color="tab:blue", label="P(s1, N → s2)", capsize=2)
    a2.errorbar(gammas, pNE[:, 0], yerr=5 * pNE[:, 1], fmt="o-", ms=3.5, color="tab:orange", label="P(s1, NE → s3)", capsize=2)
    a2.plot([1, 1], [1 / 3, 2 / 3], "k*", ms=10, label="stated γ=1: 1/3, 2/3")
    a2.set_xlabel("γ")
    a2.set_ylabel("optimality probability")
    a2.set_title("…but the higher-POWER move is less often optimal", fontsize=10)
    a2.legend(fontsize=8)
    a2.grid(alpha=0.3)
    fig.suptitle("Detour example (Turner et al. 2021, Prop. B.1; reconstructed graph), iid U(0,1), ± 5 SE", fontsize=10)
    base.fill(record, {
        "source": f"{TURNER_2021}, Prop. B.1 and Fig. 10 (the detour example)",
        "samples": samples,
        "seed": seed,
        "gammas": gammas,
        "power_s2": curve["s2"][0],
        "power_s3": curve["s3"][0],
        "p_N": pN[:, 0],
        "p_NE": pNE[:, 0],
        "stated": {"POWER(s2,1)": 0.75, "POWER(s3,1)": 2 / 3, "P(s1,N,1)": 1 / 3, "P(s1,NE,1)": 2 / 3},
        "quick": quick,
    })
    return fig


def two_rooms(n: int = 9) -> MDP:
    """Two rooms joined by a one-cell door in the middle column (deterministic, self-loops)."""
    mid = n // 2
    walls = [(r, mid) for r in range(n) if r != mid]
    return MDP.gridworld(n, n, walls=walls, stay=True)


def _room_cells(n: int) -> tuple[set, set]:
    """(corners, boundary) of the two rooms of :func:`two_rooms` as (row, col) cells."""
    mid = n // 2
    cols = ((0, mid - 1), (mid + 1, n - 1))
    corners = {(r, c) for lo, hi in cols for r in (0, n - 1) for c in (lo, hi)}
    boundary = {(r, c) for lo, hi in cols for r in range(n) for c in range(lo, hi + 1)
                if r in (0, n - 1) or c in (lo, hi)}
    return corners, boundary


def draw_grid_heatmap(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """POWER (Turner et al. 2021, Def. 5.2) of every cell of two rooms joined by a one-cell door,
    at gamma = 0.5 and 0.9 (Monte Carlo, iid U(0, 1) rewards on cells; every cell has a
    self-loop).

    The titles say what the estimates show, computed from them: where the least (and the most)
    POWER is, and how many cells have less POWER than the door. At gamma = 0.9 the door, which
    reaches both rooms soonest, ranks above many cells along the walls; at gamma = 0.5 above
    few (the corners).

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the Monte Carlo estimates (an integer seed drawn from it is recorded).
    quick : bool
        A 7 x 7 grid with 500 samples instead of 11 x 11 with 10,000.
    ax, fig : None, or a matplotlib Figure as fig
        The two panels are drawn into ``fig``, by default a new figure; an axes holds one panel
        only, so ``ax`` must be None.
    record : dict, optional
        Filled with the plotted numbers (what the registered figure writes to its sidecar).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.

    Raises
    ------
    TypeError
        If ``ax`` is given, or ``rng``, ``quick``, ``fig`` or ``record`` has the wrong type.
    ValueError
        If ``rng`` is a negative seed.

    Examples
    --------
    >>> from powerseek.figures import draw_grid_heatmap
    >>> record = {}
    >>> fig = draw_grid_heatmap(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> record["n"], record["cells"], len(record["below_door"])  # 7 x 7 less a wall of 6 cells  # doctest: +SKIP
    (7, 43, 2)
    """
    from matplotlib.patches import Rectangle

    quick = base.check(quick, ax, fig, record, one_panel=False)
    seed = base.seed(rng)
    n = 7 if quick else 11
    mid = n // 2
    mdp = two_rooms(n)
    samples = 500 if quick else 10_000
    gammas = (0.5, 0.9)
    corners, boundary = _room_cells(n)
    fig, axes = base.panels(fig, (10, 4.9), 2)
    side = {"source": f"{TURNER_2021}, Def. 5.2 (POWER)", "n": n, "samples": samples, "seed": seed,
            "gammas": gammas, "cells": mdp.n_states, "power": {}, "below_door": {}, "quick": quick}
    corners_least, most_inside = [], []
    for ax, gm in zip(axes, gammas):
        res = power(mdp, gm, samples=samples, rng=seed)
        grid = np.full((n, n), np.nan)
        cells = {}
        for s, name in enumerate(mdp.states):
            r, c = map(int, name.split(","))
            grid[r, c] = res.value[s]
            cells[(r, c)] = res.value[s]
        door = cells[(mid, mid)]
        below = sum(v < door for cell, v in cells.items() if cell != (mid, mid))
        corners_least.append(max(cells[c] for c in corners) < min(v for c, v in cells.items() if c not in corners))
        most_inside.append(max(cells, key=cells.get) not in boundary | {(mid, mid)})
        im = ax.imshow(grid, cmap="viridis")
        ax.add_patch(Rectangle((mid - 0.5, mid - 0.5), 1, 1, fill=False, ec="r", lw=2))
        ax.set_title(f"γ = {gm}: POWER (max SE {res.stderr.max():.1e});\n"
                     f"{below} of the other {len(cells) - 1} cells have less POWER than the door (red)", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, fraction=0.046)
        side["power"][str(gm)] = grid
        side["below_door"][str(gm)] = below
    facts = []
    if all(corners_least):
        facts.append("the rooms' corners have the least POWER")
    if all(most_inside):
        facts.append("the most is inside the rooms, off their walls")
    below = side["below_door"]
    facts.append(f"the door has more POWER than {below['0.5']} cells at γ = 0.5, {below['0.9']} at γ = 0.9"
                 + (" (it reaches both rooms soonest)" if below["0.9"] > below["0.5"] else ""))
    lines = [f"Two-room {n}x{n} gridworld (walls white), iid U(0,1) rewards, {samples} samples:",
             "; ".join(facts[:-1]), facts[-1]]
    fig.suptitle("\n".join(x for x in lines if x), fontsize=10, y=1.04)
    side["corners_least"] = dict(zip(map(str, gammas), corners_least))
    side["most_inside"] = dict(zip(map(str, gammas), most_inside))
    base.fill(record, side)
    return fig


def fig1_mdp(out_dir, rng, quick: bool) -> list[Path]:
    """POWER per state of the Fig. 1 MDP of Turner et al. 2021 at gamma = 0.5 (Monte Carlo)."""
    base.plt()
    record: dict = {}
    return save_figure(draw_fig1_mdp(rng, quick, record=record), out_dir, "powerseek_fig1_mdp", record)


def power_vs_gamma(out_dir, rng, quick: bool) -> list[Path]:
    """POWER against gamma on the Fig. 1 MDP, Monte Carlo and the closed forms of Turner et al. 2021, Fig. 3."""
    base.plt()
    record: dict = {}
    return save_figure(draw_power_vs_gamma(rng, quick, record=record), out_dir, "powerseek_power_vs_gamma", record)


def detour(out_dir, rng, quick: bool) -> list[Path]:
    """The detour example (Turner et al. 2021, Prop. B.1): more POWER yet less often optimal."""
    base.plt()
    record: dict = {}
    return save_figure(draw_detour(rng, quick, record=record), out_dir, "powerseek_detour", record)


def grid_heatmap(out_dir, rng, quick: bool) -> list[Path]:
    """POWER per cell of a two-room gridworld at gamma = 0.5 and 0.9 (Turner et al. 2021, Def. 5.2)."""
    base.plt()
    record: dict = {}
    return save_figure(draw_grid_heatmap(rng, quick, record=record), out_dir, "powerseek_grid_heatmap", record)


# the gallery (inspect.unwrap) shows the drawing code of each registered figure
fig1_mdp.__wrapped__ = draw_fig1_mdp
power_vs_gamma.__wrapped__ = draw_power_vs_gamma
detour.__wrapped__ = draw_detour
grid_heatmap.__wrapped__ = draw_grid_heatmap

FIGURES = {
    "powerseek_fig1_mdp": fig1_mdp,
    "powerseek_power_vs_gamma": power_vs_gamma,
    "powerseek_detour": detour,
    "powerseek_grid_heatmap": grid_heatmap,
}

# Orbit-level tendencies (Turner & Tadepalli 2022): powerseek_orbit_rules, powerseek_orbit_fig1.
from . import _figures_orbits  # noqa: E402

FIGURES.update(_figures_orbits.FIGURES)

# AUP agents and power-averse rewards: powerseek_aup, powerseek_power_averse.
from . import _figures_aup  # noqa: E402

FIGURES.update(_figures_aup.FIGURES)

# Multi-agent POWER against the reward correlation: powerseek_multiagent.
from . import _figures_multiagent  # noqa: E402

FIGURES.update(_figures_multiagent.FIGURES)

# Exact POWER (symbolic_power) beside Monte Carlo, breakpoints marked: powerseek_symbolic.
from . import _figures_symbolic  # noqa: E402

FIGURES.update(_figures_symbolic.FIGURES)
