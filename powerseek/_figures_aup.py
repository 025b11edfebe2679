"""Figures of powerseek.aup: how often AUP agents and power-averse agents take each action, against
the penalty weight lam, on Turner et al.'s Fig. 1 MDP (with a no-op) and the Pac-Man shutdown grid.

Drawing functions ``draw_aup``, ``draw_power_averse`` (two panels: ``fig`` or a new figure) and the
registry ``FIGURES = {name: fn(out_dir, rng, quick) -> list[Path]}`` (merged by powerseek.figures).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tailpower._common import as_generator, save_figure

from . import _figures_base as base
from . import examples
from .aup import aup_action_frequencies, power_averse_frequencies
from .model import MDP

GAMMA = 0.9
AUP = "Turner, Hadfield-Menell & Tadepalli, 'Conservative Agency via Attainable Utility Preservation', AIES 2020"
POWER = "Turner et al., 'Optimal Policies Tend to Seek Power', NeurIPS 2021, Fig. 1 and section 6.3"


def fig1_with_noop() -> MDP:
    """Turner et al.'s Fig. 1 MDP with a self-loop (a no-op) added at every state that lacks one."""
    fig1 = examples.turner_fig1()
    succ = {s: list(fig1.actions[i]) for i, s in enumerate(fig1.states)}
    for s, nxt in succ.items():
        if s not in nxt:
            nxt.append(s)
    return MDP.from_successors(succ)


def _cases():
    return (("Fig. 1 MDP (no-op added), state star", fig1_with_noop(), "star"),
            ("Pac-Man shutdown 3x3, start cell", examples.pacman_shutdown(), "0,0"))


def _draw(fig, title: str, runs, lams, source: str, quick: bool):
    fig, axes = base.panels(fig, (12, 4.4), 2)
    record: dict = {"gamma": GAMMA, "lam": lams, "source": source, "quick": quick}
    for ax, (label, res) in zip(axes, runs):
        for j, a in enumerate(res.actions):
            f, e = res.frequency[:, j], res.stderr[:, j]
            line, = ax.plot(lams, f, "o-", ms=3, label=f"{a} (successor POWER {res.successor_power[j]:.3f})")
            ax.fill_between(lams, f - 2 * e, f + 2 * e, color=line.get_color(), alpha=0.2, lw=0)
        ax.set_xscale("symlog", linthresh=0.1)
        ax.set_xlabel("penalty weight lam")
        ax.set_ylabel("fraction of rewards R ~ iid U(0,1)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=7, title="action at the state", title_fontsize=7)
        record[label] = {"actions": list(res.actions), "frequency": res.frequency, "stderr": res.stderr,
                         "successor_power": res.successor_power, "samples": res.samples}
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig, record


_PARAMS = """
    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the rewards (common random numbers across lam).
    quick : bool
        6 penalty weights, 400 rewards and 4000 samples per POWER estimate instead of 10, 2000
        and 20,000.
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
"""


def draw_aup(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    quick = base.check(quick, ax, fig, record, one_panel=False)
    gen = as_generator(rng)
    lams = np.array([0.0, 0.1, 0.3, 1.0, 3.0, 10.0]) if quick else np.array([0, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20.0])
    samples = 400 if quick else 2000
    runs = [(label, aup_action_frequencies(mdp, state, lams, GAMMA, samples=samples, rng=gen, noop="self",
                                           power_samples=4000 if quick else 20_000))
            for label, mdp, state in _cases()]
    fig, values = _draw(fig, f"AUP agents (5 random auxiliary rewards, no-op = self-loop, gamma = {GAMMA}): "
                        "lam = 0 is the optimal agent", runs, lams, AUP, quick)
    base.fill(record, values)
    return fig


draw_aup.__doc__ = """How often AUP agents (Turner, Hadfield-Menell & Tadepalli 2020, "Conservative Agency via
    Attainable Utility Preservation") take each action, against the penalty weight lam, at the
    start of Turner et al. 2021's Fig. 1 MDP (a no-op added) and of a 3 x 3 Pac-Man shutdown grid.

    As lam grows they take the no-op, and keep away from both the POWER-seeking and the
    POWER-losing options (shutdown included): they avoid changing attainable utility at all.
""" + _PARAMS + """
    Examples
    --------
    >>> from powerseek.figures import draw_aup
    >>> fig = draw_aup(rng=0, quick=True)  # doctest: +SKIP
    >>> len(fig.axes)  # doctest: +SKIP
    2
    """


def draw_power_averse(rng=None, quick: bool = False, *, ax=None, fig=None, record=None):
    quick = base.check(quick, ax, fig, record, one_panel=False)
    gen = as_generator(rng)
    lams = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 10.0]) if quick else np.array([0, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20.0])
    samples = 400 if quick else 2000
    runs = [(label, power_averse_frequencies(mdp, state, lams, GAMMA, samples=samples, rng=gen,
                                             power_samples=4000 if quick else 20_000))
            for label, mdp, state in _cases()]
    fig, values = _draw(fig, f"Power-averse rewards R - lam POWER(s) (gamma = {GAMMA}): "
                        "lam = 0 is the optimal agent", runs, lams, POWER, quick)
    base.fill(record, values)
    return fig


draw_power_averse.__doc__ = """How often agents optimal for the reward R - lam POWER (POWER: Turner et al. 2021, Def. 5.2;
    its use as a penalty: their section 6.3) take each action, against lam, at the start of the
    Fig. 1 MDP (a no-op added) and of a 3 x 3 Pac-Man shutdown grid.

    They give up the POWER-seeking options and, on the Pac-Man grid, choose shutdown once lam is a
    few times the reward scale.
""" + _PARAMS + """
    Examples
    --------
    >>> from powerseek.figures import draw_power_averse
    >>> record = {}
    >>> fig = draw_power_averse(rng=0, quick=True, record=record)  # doctest: +SKIP
    >>> record["gamma"], record["lam"][:2].tolist()  # doctest: +SKIP
    (0.9, [0.0, 0.5])
    """


def aup(out_dir, rng, quick: bool) -> list[Path]:
    """AUP agents against the penalty weight (Turner, Hadfield-Menell & Tadepalli 2020): they drift to the no-op."""
    base.plt()
    record: dict = {}
    return save_figure(draw_aup(rng, quick, record=record), out_dir, "powerseek_aup", record)


def power_averse(out_dir, rng, quick: bool) -> list[Path]:
    """Agents optimal for R - lam POWER (Turner et al. 2021, Def. 5.2): they give up POWER, then shut off."""
    base.plt()
    record: dict = {}
    return save_figure(draw_power_averse(rng, quick, record=record), out_dir, "powerseek_power_averse", record)


aup.__wrapped__ = draw_aup
power_averse.__wrapped__ = draw_power_averse

FIGURES = {"powerseek_aup": aup, "powerseek_power_averse": power_averse}
