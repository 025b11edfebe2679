"""Figure of powerseek.multiagent: POWER of agent 0 against the correlation rho between its reward
and agent 1's, on a 3 x 3 gridworld shared by both agents (no overlap), agent 1 best-responding
first (Turner, "POWER in multi-agent games"; the POWERplay correlated-reward experiments).

Drawing function ``draw_multiagent`` and the registry ``FIGURES = {name: fn(out_dir, rng, quick) ->
list[Path]}`` (merged by powerseek.figures).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tailpower._common import as_generator, save_figure

from . import _figures_base as base
from .model import MDP
from .multiagent import joint, power_with_reward
from .power import power

GAMMA = 0.9
SOURCE = ("Turner, 'POWER in multi-agent games' (agent B learns first, correlated rewards); POWER: Turner et al., "
          "'Optimal Policies Tend to Seek Power', NeurIPS 2021, Def. 5.2")
STATES = (("1,1", "0,0"), ("0,0", "1,1"), ("0,0", "2,2"))


def draw_multiagent(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    """POWER of agent 0 against the correlation rho of the two agents' rewards, two agents on a
    3 x 3 grid (never in the same cell), agent 1 best-responding first (Turner, "POWER in
    multi-agent games"; POWER: Turner et al. 2021, Def. 5.2), at gamma = 0.9.

    Agent 0's POWER rises with rho: an opposed agent 1 (rho = -1) heads for the cells agent 0
    would value, an aligned one (rho = 1) brings agent 0's best cells within reach. The grey lines
    are the POWER of a single agent alone on the grid.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the rewards (one seed for every rho: common random numbers).
    quick : bool
        5 correlations and 150 samples instead of 11 and 500.
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
    >>> from powerseek.figures import draw_multiagent
    >>> record = {}
    >>> fig = draw_multiagent(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> record["rho"].tolist()  # (1 s)  # doctest: +SKIP
    [-1.0, -0.5, 0.0, 0.5, 1.0]
    """
    quick = base.check(quick, ax, fig, record)
    own = ax is None and fig is None  # lay out only a figure of our own
    gen = as_generator(rng)
    rhos = np.linspace(-1.0, 1.0, 5 if quick else 11)
    samples = 150 if quick else 500
    grid = MDP.gridworld(3, 3)
    J = joint([grid, grid], collide=True)
    seed = int(gen.integers(2**63))  # one seed for every rho: common random numbers, a smooth curve
    runs = [power_with_reward(J, GAMMA, correlation=float(r), samples=samples, rng=seed, tol=1e-6) for r in rhos]
    single = power(grid, GAMMA, samples=4 * samples, rng=gen)
    fig, ax = base.axes(ax, fig, (7.5, 4.6))
    values: dict = {"quick": quick, "gamma": GAMMA, "gamma_1": GAMMA, "rho": rhos, "samples": samples, "source": SOURCE,
                    "rewards": "iid U(0,1) on joint states, Gaussian copula with correlation rho", "states": {}}
    for s0, s1 in STATES:
        v = np.array([r[(s0, s1)].value for r in runs])
        e = np.array([r[(s0, s1)].stderr for r in runs])
        line, = ax.plot(rhos, v, "o-", ms=3, label=f"agent 0 at {s0}, agent 1 at {s1}")
        ax.fill_between(rhos, v - 2 * e, v + 2 * e, color=line.get_color(), alpha=0.2, lw=0)
        values["states"][f"({s0}, {s1})"] = {"power": v, "stderr": e}
    for cell, style in (("1,1", "--"), ("0,0", ":")):
        ax.axhline(single[cell].value, color="gray", ls=style, lw=1,
                   label=f"alone on the grid (rewards on cells), at {cell}: {single[cell].value:.3f}")
        values[f"single_agent_{cell}"] = single[cell].value
    ax.set_xlabel("correlation rho of agent 1's reward with agent 0's (Gaussian copula)")
    ax.set_ylabel(f"POWER of agent 0 (gamma = {GAMMA})")
    ax.set_title(f"Two agents on a 3x3 grid (never in the same cell), agent 1 best-responds first;\n"
                 f"iid U(0,1) rewards on joint states, {samples} samples per rho, 2-SE bands", fontsize=9)
    ax.legend(fontsize=7)
    if own:
        fig.tight_layout()
    base.fill(record, values)
    return fig


def multiagent(out_dir, rng, quick: bool) -> list[Path]:
    """Agent 0's POWER against the reward correlation rho on a shared 3x3 grid (Turner, POWER in multi-agent games)."""
    base.plt()
    record: dict = {}
    return save_figure(draw_multiagent(rng, quick, record=record), out_dir, "powerseek_multiagent", record)


multiagent.__wrapped__ = draw_multiagent

FIGURES = {"powerseek_multiagent": multiagent}
