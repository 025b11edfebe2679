"""Figure registry of powerseek: name -> function(out_dir, rng, quick) -> list of written paths.

- ``powerseek_fig1_mdp``: Turner et al. 2021 Fig. 1 MDP drawn with POWER per state (gamma = 0.5, MC).
- ``powerseek_power_vs_gamma``: POWER vs gamma on Fig. 1, Monte Carlo with 5-SE bars, the closed
  forms of Fig. 3 (and the ones derived in proofs/powerseek.py) overlaid.
- ``powerseek_detour``: the detour example (Prop. B.1): POWER of s2 / s3 and optimality
  probability of N / NE at s1 against gamma.
- ``powerseek_grid_heatmap``: POWER per cell of a two-room gridworld at two discount rates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tailpower._common import save_figure

from . import examples
from .model import MDP
from .power import optimality_probability, power, power_curve


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _seed(rng) -> int:
    from tailpower._common import as_generator

    return int(as_generator(rng).integers(2**31))


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


def fig1_mdp(out_dir, rng, quick: bool) -> list[Path]:
    import networkx as nx

    plt = _plt()
    mdp = examples.turner_fig1()
    seed = _seed(rng)
    samples = 2000 if quick else 50_000
    gamma = 0.5
    res = power(mdp, gamma, samples=samples, rng=seed)
    g = mdp.to_graph()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    vals = np.array([res[s].value for s in g.nodes])
    nodes = nx.draw_networkx_nodes(g, FIG1_POS, ax=ax, node_color=vals, cmap="viridis", vmin=0.45, vmax=0.8, node_size=1500)
    nx.draw_networkx_edges(g, FIG1_POS, ax=ax, node_size=1500, arrowsize=16, connectionstyle="arc3,rad=0.12")
    labels = {s: f"{s}\n{res[s].value:.3f}" for s in g.nodes}
    nx.draw_networkx_labels(g, FIG1_POS, labels, ax=ax, font_size=8, font_color="white")
    from matplotlib.patches import Circle

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
    side = {
        "gamma": gamma,
        "samples": samples,
        "seed": seed,
        "power": res.as_dict(),
        "stderr": dict(zip(res.states, res.stderr)),
        "stated": {"POWER(empty)": 0.5, "POWER(l_sw)": "(2/3 + g/2)/(1+g)", "POWER(r_se)": 2 / 3,
                   "POWER(l_sw) at g=0.5": (2 / 3 + 0.25) / 1.5},
    }
    return save_figure(fig, out_dir, "powerseek_fig1_mdp", side)


def power_vs_gamma(out_dir, rng, quick: bool) -> list[Path]:
    plt = _plt()
    mdp = examples.turner_fig1()
    seed = _seed(rng)
    gammas = np.r_[0.0, np.linspace(0.05, 0.95, 5 if quick else 19), 1.0]
    samples = 1000 if quick else 20_000
    curve = power_curve(mdp, gammas, samples=samples, rng=seed)
    fine = np.linspace(0, 1, 201)
    closed = _fig1_closed(fine)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    colors = {"star": "k", "empty": "tab:gray", "l": "tab:olive", "l_nw": "tab:green", "l_sw": "tab:blue", "r": "tab:pink", "r_ne": "tab:purple", "r_se": "tab:red"}
    for s in mdp.states:
        v, e = curve[s]
        mk = {"l": "x", "r": "s", "r_ne": "^"}.get(s, "o")
        ax.errorbar(gammas, v, yerr=5 * e, fmt=mk, ms=3.5 if mk == "o" else 6, mfc="none" if mk != "o" else None, color=colors[s], label=f"{s} (MC)", capsize=2)
        if s in closed:
            ax.plot(fine, closed[s], "-", color=colors[s], lw=1, alpha=0.8)
    ax.plot([0, 1], [0.75, 517 / 640], "k*", ms=11, label="star exact limits 3/4, 517/640")
    ax.set_xlabel("γ")
    ax.set_ylabel("POWER(s, γ)")
    ax.set_title("Fig. 1 MDP: POWER vs γ (points: Monte Carlo ± 5 SE; lines: closed forms)", fontsize=10)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    ax.set_ylim(0.45, 0.85)
    ax.grid(alpha=0.3)
    side = {
        "samples": samples,
        "seed": seed,
        "gammas": gammas,
        "power": {s: curve[s][0] for s in mdp.states},
        "stderr": {s: curve[s][1] for s in mdp.states},
        "closed_forms": {"l_sw, l": "(2/3 + g/2)/(1+g)", "l_nw": "(1/2 + 2g/3)/(1+g)", "empty": "1/2", "r, r_ne, r_se": "2/3",
                         "star": "3/4 at g=0, 517/640 at g=1"},
        "stated": {"POWER(empty)": 0.5, "POWER(l_sw)": "(2/3 + g/2)/(1+g)", "POWER(r_se)": 2 / 3},
    }
    return save_figure(fig, out_dir, "powerseek_power_vs_gamma", side)


def detour(out_dir, rng, quick: bool) -> list[Path]:
    plt = _plt()
    mdp = examples.detour()
    seed = _seed(rng)
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
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
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
    side = {
        "samples": samples,
        "seed": seed,
        "gammas": gammas,
        "power_s2": curve["s2"][0],
        "power_s3": curve["s3"][0],
        "p_N": pN[:, 0],
        "p_NE": pNE[:, 0],
        "stated": {"POWER(s2,1)": 0.75, "POWER(s3,1)": 2 / 3, "P(s1,N,1)": 1 / 3, "P(s1,NE,1)": 2 / 3},
    }
    return save_figure(fig, out_dir, "powerseek_detour", side)


def two_rooms(n: int = 9) -> MDP:
    """Two rooms joined by a one-cell door in the middle column (deterministic, self-loops)."""
    mid = n // 2
    walls = [(r, mid) for r in range(n) if r != mid]
    return MDP.gridworld(n, n, walls=walls, stay=True)


def grid_heatmap(out_dir, rng, quick: bool) -> list[Path]:
    plt = _plt()
    n = 7 if quick else 11
    mdp = two_rooms(n)
    seed = _seed(rng)
    samples = 500 if quick else 10_000
    gammas = (0.5, 0.9)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
    side = {"n": n, "samples": samples, "seed": seed, "gammas": gammas, "power": {}}
    for ax, gm in zip(axes, gammas):
        res = power(mdp, gm, samples=samples, rng=seed)
        grid = np.full((n, n), np.nan)
        for s, name in enumerate(mdp.states):
            r, c = map(int, name.split(","))
            grid[r, c] = res.value[s]
        im = ax.imshow(grid, cmap="viridis")
        ax.set_title(f"γ = {gm}: POWER (max SE {res.stderr.max():.1e})", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, fraction=0.046)
        side["power"][str(gm)] = grid
    fig.suptitle(f"Two-room {n}x{n} gridworld (walls white), iid U(0,1) rewards, {samples} samples:\n"
                 "room interiors have the most POWER; corners and the door cell (fewest options) the least", fontsize=10)
    return save_figure(fig, out_dir, "powerseek_grid_heatmap", side)


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
