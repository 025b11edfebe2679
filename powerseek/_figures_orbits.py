"""Figures of the orbit module (Turner & Tadepalli 2022), merged into ``powerseek.figures.FIGURES``.

- ``powerseek_orbit_rules``: for the Figure 1 environment (A = {e_empty}, B = the recurrent state
  distributions reachable after l or r; B contains n = 3 copies of A), the orbit fraction
  more + equal of each decision-maker over random reward vectors theta (continuous and tied),
  with the n/(n+1) = 3/4 line. EU-determined rules and mixtures stay above it; label tie-breaking
  (``ordered_optimal``, not EU-determined) falls below it on tied rewards.
- ``powerseek_orbit_fig1``: Figure 1 MDP with the three certifying involutions drawn, and the
  exact orbit fractions of average-optimal, gamma = 0.9-optimal and horizon-3 decision-makers
  over random reward vectors (Cor. D.12 guarantees >= 3/4 for the average-optimal one only).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tailpower._common import as_generator, progress, save_figure

from . import _figures_base as base
from . import decisions as D
from . import examples
from ._figures_base import TURNER_2022
from .orbits import find_copies, orbit_tendency


def _thetas(gen, n: int, d: int) -> list[np.ndarray]:
    """Half continuous U(0, 1) (distinct values), half from the levels {0, 1/2, 1} (ties)."""
    return [gen.random(d) if i % 2 == 0 else gen.choice([0.0, 0.5, 1.0], size=d) for i in range(n)]


def draw_orbit_rules(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """Orbit tendencies of eleven decision rules on the Fig. 1 environment of Turner et al. 2021:
    for random reward vectors theta, the fraction of theta's orbit (its permutations) on which a
    rule chooses B (the visit distributions after l or r) at least as likely as A (after empty).

    Turner & Tadepalli 2022 ("Parametrically Retargetable Decision-Makers Tend To Seek Power",
    Lemma B.3 and Thm. 3.6): B holds n = 3 copies of A, so every rule that is
    EU-determined (and every mixture of such rules) has a fraction >= n/(n+1) = 3/4 on every
    orbit (dashed line); label tie-breaking (``ordered_optimal``), not EU-determined, falls below
    it on tied rewards. Orbits are enumerated exactly (at most 8! = 40320 permutations).

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the reward vectors (half continuous U(0, 1), half in {0, 1/2, 1}).
    quick : bool
        6 reward vectors instead of 80.
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
    >>> from powerseek.figures import draw_orbit_rules
    >>> record = {}
    >>> fig = draw_orbit_rules(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> record["copies"], bool(min(record["minimum"][:-1]) >= 3 / 4)  # (1.6 s)  # doctest: +SKIP
    (3, True)
    """
    quick = base.check(quick, ax, fig, record)
    gen = as_generator(rng)
    mdp = examples.turner_fig1()
    dec = D.mdp_average_optimal(mdp, "star")
    A, B = dec.option_vectors(["empty"]), dec.option_vectors(["l", "r"])
    n = find_copies(A, B).n
    rules = [
        D.optimal(), D.frac_optimal(), D.anti_optimal(), D.boltzmann(0.1), D.boltzmann(1.0), D.best_of_k(2),
        D.satisfice(0.5), D.quantilise(0.4), D.epsilon_greedy(0.2),
        D.mixture([(0.5, D.boltzmann(0.3)), (0.5, D.anti_optimal())]),
        D.ordered_optimal(),
    ]
    n_theta = 6 if quick else 80
    thetas = _thetas(gen, n_theta, mdp.n_states)
    vals = np.empty((len(rules), n_theta))
    tied = np.array([i % 2 == 1 for i in range(n_theta)])
    for j, th in enumerate(progress(thetas, total=n_theta, desc="theta")):
        for i, r in enumerate(rules):
            vals[i, j] = orbit_tendency(r, A, B, th).value
    fig, ax = base.axes(ax, fig, (9, 5.2))
    ys = np.arange(len(rules))[::-1]
    jit = gen.uniform(-0.18, 0.18, size=vals.shape)
    for i, r in enumerate(rules):
        c = "tab:red" if not r.eu_determined else "tab:blue"
        ax.scatter(vals[i, ~tied], ys[i] + jit[i, ~tied], s=12, color=c, alpha=0.6, marker="o")
        ax.scatter(vals[i, tied], ys[i] + jit[i, tied], s=16, color=c, alpha=0.6, marker="x")
        ax.plot([vals[i].min()] * 2, [ys[i] - 0.3, ys[i] + 0.3], color="k", lw=1.5)
    ax.axvline(n / (n + 1), color="k", ls="--", lw=1, label=f"n/(n+1) = {n}/{n + 1} (n = {n} certified copies)")
    ax.set_yticks(ys)
    ax.set_yticklabels([r.name for r in rules], fontsize=8)
    ax.set_xlabel("fraction of the orbit of θ where B is chosen at least as likely as A (more + equal)")
    ax.set_xlim(-0.02, 1.02)
    ax.scatter([], [], color="tab:blue", marker="o", label="EU-determined, continuous θ")
    ax.scatter([], [], color="tab:blue", marker="x", label="EU-determined, tied θ ∈ {0, ½, 1}^8")
    ax.scatter([], [], color="tab:red", marker="x", label="not EU-determined (ties broken by label)")
    ax.plot([], [], color="k", lw=1.5, label="minimum over θ")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"Orbit tendencies on Fig. 1 RSDs: A = {{e_empty}}, B = RSDs after l or r; {n_theta} reward vectors, exact orbits (≤ 8! = 40320)",
                 fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    base.fill(record, {
        "source": f"{TURNER_2022}, Lemma B.3 and Thm. 3.6 (orbit tendencies); the environment: Turner et al. 2021, Fig. 1",
        "n_theta": n_theta,
        "copies": n,
        "rules": [r.name for r in rules],
        "eu_determined": [r.eu_determined for r in rules],
        "fraction": vals,
        "tied_theta": tied,
        "minimum": vals.min(axis=1),
        "stated": {"bound": "n/(n+1) for EU-determined rules and mixtures (Turner & Tadepalli 2022, Lemma B.3)", "n (Cor. D.12)": 3},
        "quick": quick,
    })
    return fig


FIG1_POS = {
    "star": (0.0, 0.0), "empty": (0.0, -1.1), "l": (-1.2, 0.0), "l_nw": (-2.3, 0.7), "l_sw": (-2.3, -0.7),
    "r": (1.2, 0.0), "r_ne": (2.3, 0.7), "r_se": (2.3, -0.7),
}


def draw_orbit_fig1(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """The Fig. 1 MDP of Turner et al. 2021 with the three involutions that certify n = 3 copies
    of A = {e_empty} in B (the visit distributions after l or r), and the exact orbit fractions
    on which avoiding empty is optimal for three decision-makers.

    Turner & Tadepalli 2022 ("Parametrically Retargetable Decision-Makers Tend To Seek Power",
    Cor. D.12) guarantee >= 3/4 of every orbit for the average-optimal decision-maker; at gamma =
    0.9 and horizon 3 the visit-distribution sets hold no copy of empty's, and no bound applies.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the reward vectors (half continuous U(0, 1), half in {0, 1/2, 1}).
    quick : bool
        4 reward vectors instead of 40.
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
    >>> from powerseek.figures import draw_orbit_fig1
    >>> record = {}
    >>> fig = draw_orbit_fig1(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> record["copies"], bool(min(record["fraction"][0]) >= 3 / 4)  # average-optimal  # doctest: +SKIP
    (3, True)
    """
    import networkx as nx

    quick = base.check(quick, ax, fig, record, one_panel=False)
    gen = as_generator(rng)
    mdp = examples.turner_fig1()
    avg = D.mdp_average_optimal(mdp, "star")
    c = find_copies(avg.option_vectors(["empty"]), avg.option_vectors(["l", "r"]))
    deciders = [("average-optimal (γ→1)", avg), ("optimal, γ = 0.9", D.mdp_optimal(mdp, "star", 0.9)),
                ("horizon T = 3", D.mdp_finite_horizon(mdp, "star", 3))]
    n_theta = 4 if quick else 40
    thetas = _thetas(gen, n_theta, mdp.n_states)
    vals = np.empty((len(deciders), n_theta))
    for j, th in enumerate(progress(thetas, total=n_theta, desc="theta")):
        for i, (_, dd) in enumerate(deciders):
            vals[i, j] = orbit_tendency(dd, ["empty"], ["l", "r"], th).value
    fig, (a1, a2) = base.panels(fig, (12, 4.6), 2, gridspec_kw={"width_ratios": [1.1, 1]})
    g = mdp.to_graph()
    g.remove_edges_from(nx.selfloop_edges(g))
    nx.draw_networkx_nodes(g, FIG1_POS, ax=a1, node_color="lightgray", node_size=1100)
    nx.draw_networkx_edges(g, FIG1_POS, ax=a1, node_size=1100, arrowsize=14, connectionstyle="arc3,rad=0.12")
    nx.draw_networkx_labels(g, FIG1_POS, ax=a1, font_size=8)
    cols = ["tab:blue", "tab:orange", "tab:green"]
    e0 = FIG1_POS["empty"]
    for k, (phi, img) in enumerate(zip(c.involutions, c.images)):
        tgt = mdp.states[int(np.argmax(img[0]))]
        x1, y1 = FIG1_POS[tgt]
        a1.annotate("", xy=(x1, y1 - 0.2), xytext=(e0[0], e0[1] - 0.2), arrowprops=dict(arrowstyle="<->", color=cols[k % 3], lw=1.6, ls="--",
                    connectionstyle=f"arc3,rad={0.35 if x1 < 0 else -0.35}"))
        a1.text(0.02, 0.03 + 0.07 * k, f"φ{k + 1} = (empty {tgt})", transform=a1.transAxes, color=cols[k % 3], fontsize=8)
    a1.set_title(f"Fig. 1 MDP: B = RSDs after l or r contains n = {c.n} copies of A = {{e_empty}}\n(self-loops at empty, l_sw, r_ne, r_se not drawn)",
                 fontsize=9)
    a1.set_ylim(-2.0, 1.1)
    a1.axis("off")
    order = np.argsort(vals[0])
    for i, (lab, _) in enumerate(deciders):
        a2.plot(np.arange(n_theta), np.sort(vals[i]), "o-", ms=3, lw=1, label=f"{lab} (min {vals[i].min():.3f})")
    a2.axhline(0.75, color="k", ls="--", lw=1, label="3/4 (Cor. D.12, average-optimal)")
    a2.set_xlabel("reward vectors θ, sorted by orbit fraction")
    a2.set_ylabel("orbit fraction: avoiding empty is optimal")
    a2.set_ylim(0.4, 1.02)
    a2.legend(fontsize=7, loc="lower right")
    a2.grid(alpha=0.3)
    a2.set_title(f"exact orbits of {n_theta} reward vectors (half with ties); at γ = 0.9 and T = 3 the\n"
                 "visit-distribution sets hold no copy of empty's (it is reached a step earlier): no bound", fontsize=9)
    base.fill(record, {
        "source": f"{TURNER_2022}, Cor. D.12; the MDP: Turner et al. 2021, Fig. 1",
        "n_theta": n_theta,
        "copies": c.n,
        "involutions": [p.tolist() for p in c.involutions],
        "states": mdp.states,
        "deciders": [d[0] for d in deciders],
        "fraction": vals,
        "order_average": order,
        "thetas": np.array(thetas),
        "stated": {"Cor. D.12": ">= 3/4 of every orbit: average-optimal to avoid empty (n = 3)"},
        "quick": quick,
    })
    return fig


def orbit_rules(out_dir, rng, quick: bool) -> list[Path]:
    """Orbit fractions of eleven decision rules on Fig. 1, against n/(n+1) (Turner & Tadepalli 2022, Lemma B.3)."""
    base.plt()
    record: dict = {}
    return save_figure(draw_orbit_rules(rng, quick, record=record), out_dir, "powerseek_orbit_rules", record)


def orbit_fig1(out_dir, rng, quick: bool) -> list[Path]:
    """Fig. 1 MDP with its certifying involutions and exact orbit fractions (Turner & Tadepalli 2022, Cor. D.12)."""
    base.plt()
    record: dict = {}
    return save_figure(draw_orbit_fig1(rng, quick, record=record), out_dir, "powerseek_orbit_fig1", record)


orbit_rules.__wrapped__ = draw_orbit_rules
orbit_fig1.__wrapped__ = draw_orbit_fig1

FIGURES = {
    "powerseek_orbit_rules": orbit_rules,
    "powerseek_orbit_fig1": orbit_fig1,
}
